import h2Knowledge from '../../../../schemas/h2.json';
import { TextSpan } from '../model/text';
import { XmlDocument, XmlElement, childAt, childElements, textSpan } from '../model/xml';
import { OffsetValue, PortFact, portsOf, readOffset } from '../ports/values';
import { DecodedText, decodeBytes, checkText, DEFAULT_MAX_FILE_BYTES } from './decode';
import { parseXml } from '../model/xml';
import { ConfigFileKind, HOME_FILES, ProductHome, basename, confPathOf, joinPath, matchesRoot } from './files';
import { ProductFacts, carbonIdentity, detectProductVersion, markerFiles } from './product';
import { tomlHomeFacts } from '../toml/home-facts';

/**
 * Cross-file facts of product homes: the offset (from carbon.xml or the -DportOffset setting), every port, the JNDI
 * datasources, and whether the XML is generated from deployment.toml. They come from a FileSource, which the LSP
 * backs with open documents first and the disk otherwise, the CLI with the disk, and tests with memory.
 */

export interface FileSource {
  /** The file's bytes or, for an open document, its text; undefined when it does not exist or cannot be read. */
  read(path: string): Promise<FileContent | undefined>;
  exists(path: string): Promise<boolean>;
  /** Names of the entries of a folder; [] when it does not exist. */
  list(dir: string): Promise<string[]>;
  /**
   * The version `read` would report, without reading the content (a stat, an open document's version); undefined
   * when the file does not exist. Optional: cached facts are validated with it, and read() is used without it.
   */
  version?(path: string): Promise<string | undefined>;
}

export type FileContent =
  | { readonly kind: 'text'; readonly text: string; readonly version: string }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array; readonly version: string };

export interface DatasourceFact {
  readonly name: string;
  readonly jndiName: string | undefined;
  readonly path: string;
  readonly nameSpan: TextSpan | undefined;
  /** H2 is detected by a `jdbc:h2:` URL or the `org.h2.Driver` class (as the master-datasources.xml of wso2/carbon-kernel v4.4.x and of the products write it). */
  readonly isH2: boolean;
  readonly urlSpan: TextSpan | undefined;
  readonly driverSpan: TextSpan | undefined;
  readonly h2ByUrl: boolean;
  readonly h2ByDriver: boolean;
}

export interface OffsetFact {
  /** The offset the server would run with; undefined when carbon.xml's value would not parse and no override is set. */
  readonly value: number | undefined;
  /** 'deployment.toml': a Carbon 4.5+ home, whose carbon.xml is rendered from `[server] offset`. */
  readonly source: 'setting' | 'carbon.xml' | 'default' | 'deployment.toml';
  /** carbon.xml's `<Offset>` as written, when there is one. */
  readonly carbonXml: (OffsetValue & { path: string }) | undefined;
}

export interface HomeFacts {
  readonly home: ProductHome;
  readonly offset: OffsetFact;
  /** Ports of carbon.xml, catalina-server.xml and axis2.xml. */
  readonly ports: PortFact[];
  readonly datasources: DatasourceFact[];
  /** deployment.toml or the templates folder, when the home is Carbon 4.5+ and regenerates its XML at startup. */
  readonly generatedBy: string | undefined;
  /** Product and version, and what its runtime can use (PreferredCiphers, JDKs): see product.ts. */
  readonly product: ProductFacts;
}

export interface WorkspaceFacts {
  readonly homes: HomeFacts[];
}

export interface ParsedFile {
  readonly path: string;
  readonly version: string;
  readonly decoded: DecodedText;
  readonly doc: XmlDocument | undefined;
}

/**
 * Parses each file once per version. Bounded (least recently used first out): the CLI walks trees of thousands of
 * files and must not keep every parse, while the editor's working set (open files and their homes) stays cached.
 */
export class ParseCache {
  private readonly entries = new Map<string, ParsedFile>();

  constructor(
    private readonly maxFileBytes = DEFAULT_MAX_FILE_BYTES,
    private readonly maxEntries = 128,
  ) {}

  get(path: string, content: FileContent): ParsedFile {
    const cached = this.entries.get(path);
    if (cached && cached.version === content.version) {
      // Map keeps insertion order: re-inserting marks the entry as the most recently used.
      this.entries.delete(path);
      this.entries.set(path, cached);
      return cached;
    }
    const decoded = content.kind === 'text' ? checkText(content.text, this.maxFileBytes) : decodeBytes(content.bytes, this.maxFileBytes);
    const parsed: ParsedFile = { path, version: content.version, decoded, doc: decoded.ok ? parseXml(decoded.text) : undefined };
    this.entries.delete(path);
    this.entries.set(path, parsed);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return parsed;
  }

  get size(): number {
    return this.entries.size;
  }

  delete(path: string): void {
    this.entries.delete(path);
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * The kinds of file a home's facts are read from (homeFacts below), in the order it reads them; deployment.toml too,
 * for a Carbon 4.5+ home. A pass over many files analyses these first in each home (passOrder in index.ts): the facts
 * parse them all at the home's first file, and each tree then waits in the parse cache only until its own turn.
 */
export const FACT_FILE_KINDS: readonly ConfigFileKind[] = ['carbon', 'catalina-server', 'axis2', 'broker', 'datasources', 'deployment-toml'];

export class FactsProvider {
  /**
   * Facts per home, valid while the versions of the files they came from are unchanged: carbon.xml is analysed
   * against every home of the workspace, and the parse cache is bounded, so without this a workspace of N homes
   * would parse N² files.
   */
  private readonly homeCache = new Map<string, { key: string; override: number | null; facts: HomeFacts }>();

  constructor(
    private readonly files: FileSource,
    private readonly cache: ParseCache,
    // Facts are small (ports and datasource names, no parse trees). Every carbon.xml visits every home in the same
    // order, so a bound below the number of homes would make this cache miss on every access.
    private readonly maxCachedHomes = 10_000,
    /** No file changes except through clearHomeFacts() (see AnalyzerOptions.stableFiles): cached facts are not rechecked. */
    private readonly stableFiles = false,
  ) {}

  /** With stable files: the facts of every known home, computed once per list of homes (and their offset overrides). */
  private pass: { key: string; homes: Promise<HomeFacts[]> } | undefined;
  private passDepth = 0;

  /** Whether cached facts are trusted as they are: stable files, or inside a validation pass. */
  get stable(): boolean {
    return this.stableFiles || this.passDepth > 0;
  }

  /**
   * Runs `work` as one validation pass: the files are taken as unchanged while it runs, so each home's facts are
   * computed once for the whole pass instead of being rechecked (a version look-up per home) for every carbon.xml.
   */
  async inPass<T>(work: () => Promise<T>): Promise<T> {
    this.passDepth++;
    try {
      return await work();
    } finally {
      this.passDepth--;
      if (!this.stable) this.pass = undefined;
    }
  }

  /** `key` names the homes and their offset overrides (linear to build); the list is computed once per key. */
  passHomes(key: string, compute: () => Promise<HomeFacts[]>): Promise<HomeFacts[]> {
    if (!this.pass || this.pass.key !== key) this.pass = { key, homes: compute() };
    return this.pass.homes;
  }

  /** A parsed configuration file of a home, if it exists and has the expected root element. */
  async parsed(path: string, kind: ConfigFileKind): Promise<XmlDocument | undefined> {
    return this.parsedContent(path, kind, await this.files.read(path));
  }

  private parsedContent(path: string, kind: ConfigFileKind, content: FileContent | undefined): XmlDocument | undefined {
    if (!content) return undefined;
    const parsed = this.cache.get(path, content);
    return parsed.doc && matchesRoot(kind, parsed.doc.root) ? parsed.doc : undefined;
  }

  async homeFacts(home: ProductHome, portOffsetOverride: number | null): Promise<HomeFacts> {
    if (this.stable) {
      const stable = this.homeCache.get(home.homeDir);
      if (stable && stable.override === portOffsetOverride) return stable.facts;
    }
    const carbonPath = confPathOf(home, HOME_FILES.carbon);
    const catalinaPath = confPathOf(home, HOME_FILES.catalina);
    const axis2Path = confPathOf(home, HOME_FILES.axis2);
    const brokerPath = confPathOf(home, HOME_FILES.broker);
    const datasourcesDir = joinPath(home.confDir, 'datasources');
    const datasourcePaths = (await this.files.list(datasourcesDir))
      .filter((n) => n.endsWith('-datasources.xml'))
      .sort(masterFirst)
      .map((n) => joinPath(datasourcesDir, n));
    const generatedBy = await this.generatedBy(home);
    // A Carbon 4.5+ home: its offset and ports are deployment.toml's (the XML is rendered from it at every start).
    const tomlPath = generatedBy && basename(generatedBy) === HOME_FILES.deploymentToml ? generatedBy : undefined;
    const paths = [carbonPath, catalinaPath, axis2Path, brokerPath, ...datasourcePaths, ...(tomlPath ? [tomlPath] : [])];
    const layout = await this.productLayout(home);
    const keyOf = (versions: (string | undefined)[]) => [portOffsetOverride, generatedBy, JSON.stringify(layout), ...paths.map((p, i) => `${p}@${versions[i]}`)].join('\u0000');
    const cached = this.homeCache.get(home.homeDir);
    const version = this.files.version?.bind(this.files);
    // With cheap versions, a hit costs stats only; without, the contents are read to learn their versions.
    if (cached && version && cached.key === keyOf(await Promise.all(paths.map((p) => version(p))))) return cached.facts;
    const contents = await Promise.all(paths.map((p) => this.files.read(p)));
    const key = keyOf(contents.map((c) => c?.version));
    if (cached && cached.key === key) return cached.facts;
    const [carbonContent, catalinaContent, axis2Content, brokerContent, ...datasourceContents] = contents;
    const tomlContent = tomlPath ? datasourceContents.pop() : undefined;

    const carbon = this.parsedContent(carbonPath, 'carbon', carbonContent);
    const catalina = this.parsedContent(catalinaPath, 'catalina-server', catalinaContent);
    const axis2 = this.parsedContent(axis2Path, 'axis2', axis2Content);
    const broker = this.parsedContent(brokerPath, 'broker', brokerContent);
    const datasources: DatasourceFact[] = [];
    datasourcePaths.forEach((path, i) => {
      const doc = this.parsedContent(path, 'datasources', datasourceContents[i]);
      if (doc) datasources.push(...datasourcesIn(doc, path));
    });
    const carbonOffset = carbon ? readOffset(carbon) : undefined;
    const offset: OffsetFact =
      portOffsetOverride !== null
        ? { value: portOffsetOverride, source: 'setting', carbonXml: carbonOffset && { ...carbonOffset, path: carbonPath } }
        : carbonOffset
          ? { value: carbonOffset.value, source: 'carbon.xml', carbonXml: { ...carbonOffset, path: carbonPath } }
          : { value: 0, source: 'default', carbonXml: undefined };
    const ports = [
      ...(carbon ? portsOf('carbon', carbon, carbonPath, HOME_FILES.carbon) : []),
      ...(catalina ? portsOf('catalina-server', catalina, catalinaPath, HOME_FILES.catalina) : []),
      ...(axis2 ? portsOf('axis2', axis2, axis2Path, HOME_FILES.axis2) : []),
      ...(broker ? portsOf('broker', broker, brokerPath, HOME_FILES.broker) : []),
    ];
    const product = detectProductVersion({ ...carbonIdentity(carbon), ...layout });
    const fromToml = tomlPath && tomlContent ? await tomlHomeFacts(this.files, home, tomlPath, tomlContent, portOffsetOverride) : undefined;
    const facts: HomeFacts = fromToml ? { home, offset: fromToml.offset, ports: fromToml.ports, datasources, generatedBy, product } : { home, offset, ports, datasources, generatedBy, product };
    this.homeCache.delete(home.homeDir);
    this.homeCache.set(home.homeDir, { key, override: portOffsetOverride, facts });
    while (this.homeCache.size > this.maxCachedHomes) this.homeCache.delete(this.homeCache.keys().next().value!);
    return facts;
  }

  /** Forget cached facts (settings changed, or a file changed without a new version, e.g. the CLI's own writes). */
  clearHomeFacts(): void {
    this.homeCache.clear();
    this.pass = undefined;
  }

  /** The layout evidence of product detection: marker files, the profile folder and the distribution's profiles. */
  private async productLayout(home: ProductHome): Promise<{ confFiles: string[]; profile: string | undefined; distributionProfiles: string[] }> {
    const markers = markerFiles();
    const present = await Promise.all(markers.map((f) => this.files.exists(confPathOf(home, f))));
    const isMain = home.homeDir === home.distributionDir;
    const distributionProfiles = (await this.files.list(joinPath(home.distributionDir, 'wso2'))).sort();
    return { confFiles: markers.filter((_, i) => present[i]), profile: isMain ? undefined : basename(home.homeDir), distributionProfiles };
  }

  private async generatedBy(home: ProductHome): Promise<string | undefined> {
    const toml = confPathOf(home, HOME_FILES.deploymentToml);
    if (await this.files.exists(toml)) return toml;
    const templates = joinPath(home.homeDir, 'repository/resources/conf/templates');
    if (await this.files.exists(templates)) return templates;
    return undefined;
  }
}

function masterFirst(a: string, b: string): number {
  if (a === 'master-datasources.xml') return -1;
  if (b === 'master-datasources.xml') return 1;
  return a.localeCompare(b);
}

/** Active `<datasource>` entries of a *-datasources.xml document. */
export function datasourcesIn(doc: XmlDocument, path: string): DatasourceFact[] {
  const container = childAt(doc.root, 'datasources');
  if (!container) return [];
  return childElements(container)
    .filter((e) => e.localName === 'datasource')
    .map((element) => datasourceFact(doc, element, path));
}

export function datasourceFact(doc: XmlDocument, element: XmlElement, path: string): DatasourceFact {
  const nameElement = childAt(element, 'name');
  const jndiElement = childAt(element, 'jndiConfig/name');
  const configuration = childAt(element, 'definition/configuration');
  const url = configuration && childAt(configuration, 'url');
  const driver = configuration && childAt(configuration, 'driverClassName');
  const h2ByUrl = !!url && url.text.trim().toLowerCase().startsWith(h2Knowledge.urlPrefix);
  const h2ByDriver = !!driver && driver.text.trim() === h2Knowledge.driverClass;
  return {
    name: nameElement?.text.trim() ?? '',
    jndiName: jndiElement?.text.trim() || undefined,
    path,
    nameSpan: nameElement && textSpan(doc, nameElement),
    isH2: h2ByUrl || h2ByDriver,
    urlSpan: url && textSpan(doc, url),
    driverSpan: driver && textSpan(doc, driver),
    h2ByUrl,
    h2ByDriver,
  };
}

/** Carbon looks JNDI names up as written; `java:comp/env/` is the only prefix it tolerates. */
export function findDatasourceByJndi(datasources: DatasourceFact[], jndiName: string): DatasourceFact | undefined {
  const wanted = jndiName.trim().replace(/^java:comp\/env\//, '');
  return datasources.find((d) => d.jndiName !== undefined && d.jndiName.replace(/^java:comp\/env\//, '') === wanted);
}
