import h2Knowledge from '../../../../schemas/h2.json';
import { TextSpan } from '../model/text';
import { XmlDocument, XmlElement, childAt, childElements, textSpan } from '../model/xml';
import { OffsetValue, PortFact, portsOf, readOffset } from '../ports/values';
import { DecodedText, decodeBytes, checkText, DEFAULT_MAX_FILE_BYTES } from './decode';
import { parseXml } from '../model/xml';
import { ConfigFileKind, HOME_FILES, ProductHome, basename, confPathOf, joinPath, matchesRoot } from './files';
import { ProductFacts, carbonIdentity, detectProductVersion, markerFiles } from './product';
import { TOML_HOME_READS, tomlHomeFacts } from '../toml/home-facts';
import type { TomlModel } from '../toml/effective';
import { tomlHomeOf } from '../toml/home';

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

  /** The parse of this version of the file, if cached: no content needed (a version from a stat or a change event). */
  peek(path: string, version: string): ParsedFile | undefined {
    const cached = this.entries.get(path);
    return cached && cached.version === version ? cached : undefined;
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

/**
 * How the facts learn that a file changed. 'poll': by asking the FileSource for the versions of a home's files at every
 * use (a stat per file per home: correct with no help, but an open carbon.xml asks for every known home). 'watched':
 * every change of a file the facts read is announced through FactsProvider.changed() (the editor's file watchers and
 * open-document events), so cached facts, and the FileSource's answers on versions, existence and folder listings,
 * are trusted until then and a cached home costs no look-up at all. Decided per path: an editor watches its workspace
 * folders only, so a home outside them stays on 'poll'.
 */
export type ChangeEvents = 'poll' | 'watched';

/** What a change event says: 'content', an open document was edited (it exists before and after); 'file', anything. */
export type ChangeKind = 'content' | 'file';

/** What a home's facts came from: a change event on any of these drops them (see dependsOn). */
interface HomeDependencies {
  /** Files whose content the facts read. */
  readonly reads: readonly string[];
  /** Files and folders whose existence the facts checked (marker files, deployment.toml, the templates folder). */
  readonly checks: readonly string[];
  /** Folders whose entries the facts listed (datasources, the distribution's `wso2` profiles), with the entries seen. */
  readonly lists: ReadonlyMap<string, readonly string[]>;
}

/** Whether a change event on `path` can change facts with these dependencies. */
function dependsOn(deps: HomeDependencies, path: string, change: ChangeKind): boolean {
  if (change === 'content') return deps.reads.includes(path);
  // `path` may be a folder (created, deleted or renamed with everything below it).
  const within = (inner: string, outer: string) => inner.startsWith(`${outer}/`);
  return (
    deps.reads.some((d) => d === path || within(d, path)) ||
    // A checked folder (templates) comes into existence with a file below it.
    deps.checks.some((d) => d === path || within(d, path) || within(path, d)) ||
    [...deps.lists].some(([d, entries]) => d === path || within(d, path) || (within(path, d) && listingChanges(path, d, entries)))
  );
}

/**
 * Whether a change below a listed folder can change its entries: one of them came or went (the event names it), or a
 * file appeared in a folder the listing did not have (a profile copied in, announced by its files only). A change
 * deeper inside a known entry (a profile's own files) leaves the listing as it was.
 */
function listingChanges(path: string, dir: string, entries: readonly string[]): boolean {
  const rest = path.slice(dir.length + 1);
  const slash = rest.indexOf('/');
  return slash < 0 || !entries.includes(rest.slice(0, slash));
}

/**
 * The FileSource's answers on versions, existence and folder listings of watched paths, kept until a change event
 * names the path (or a folder above it, or an entry of the folder): with them a home whose facts were dropped is
 * recomputed from cached parses without a stat.
 */
class LookupMemo {
  private readonly versions = new Map<string, Promise<string | undefined>>();
  private readonly existing = new Map<string, Promise<boolean>>();
  private readonly listings = new Map<string, Promise<string[]>>();

  /** FileSource.version through the memo; undefined when the source has no versions. */
  readonly version: ((path: string) => Promise<string | undefined>) | undefined;

  constructor(
    private readonly files: FileSource,
    private readonly watched: (path: string) => boolean,
  ) {
    const version = files.version?.bind(files);
    this.version = version && ((path) => this.remembered(this.versions, path, () => version(path)));
  }

  exists(path: string): Promise<boolean> {
    return this.remembered(this.existing, path, () => this.files.exists(path));
  }

  list(dir: string): Promise<string[]> {
    return this.remembered(this.listings, dir, () => this.files.list(dir));
  }

  private remembered<T>(memo: Map<string, Promise<T>>, path: string, ask: () => Promise<T>): Promise<T> {
    if (!this.watched(path)) return ask();
    let answer = memo.get(path);
    if (!answer) {
      answer = ask();
      memo.set(path, answer);
      // A failed look-up is asked again next time.
      answer.catch(() => memo.delete(path));
    }
    return answer;
  }

  forget(path: string, change: ChangeKind): void {
    if (change === 'content') {
      this.versions.delete(path);
      return;
    }
    const related = (key: string) => key === path || key.startsWith(`${path}/`) || path.startsWith(`${key}/`);
    for (const memo of [this.versions, this.existing, this.listings] as Map<string, unknown>[]) {
      for (const key of memo.keys()) if (related(key)) memo.delete(key);
    }
  }

  clear(): void {
    this.versions.clear();
    this.existing.clear();
    this.listings.clear();
  }
}

export class FactsProvider {
  /**
   * Facts per home, valid while the versions of the files they came from are unchanged: carbon.xml is analysed
   * against every home of the workspace, and the parse cache is bounded, so without this a workspace of N homes
   * would parse N² files. `watched`: computed under change events, so valid until changed() drops them.
   */
  private readonly homeCache = new Map<string, { key: string; override: number | null; facts: HomeFacts; deps: HomeDependencies; watched: boolean }>();
  private readonly lookups: LookupMemo;
  /** Counts changed() calls: facts whose computation a change overtook are not trusted (they may predate it). */
  private changes = 0;

  constructor(
    private readonly files: FileSource,
    private readonly cache: ParseCache,
    // Facts are small (ports and datasource names, no parse trees). Every carbon.xml visits every home in the same
    // order, so a bound below the number of homes would make this cache miss on every access.
    private readonly maxCachedHomes = 10_000,
    /** No file changes except through clearHomeFacts() (see AnalyzerOptions.stableFiles): cached facts are not rechecked. */
    private readonly stableFiles = false,
    /** How changes of a path become known (see ChangeEvents); 'poll' for every path by default. */
    private readonly changeEvents: (path: string) => ChangeEvents = () => 'poll',
    /** The deployment.toml engine's model of a content (built once per version for the analysis and the facts). */
    private readonly tomlModel?: (path: string, content: FileContent) => Promise<TomlModel | undefined>,
  ) {
    this.lookups = new LookupMemo(files, (path) => changeEvents(path) === 'watched');
  }

  /** With stable files: the facts of every known home, computed once per list of homes (and their offset overrides). */
  private pass: { key: string; homes: Promise<HomeFacts[]> } | undefined;
  private passDepth = 0;

  /** Whether cached facts are trusted as they are: stable files, or inside a validation pass. */
  get stable(): boolean {
    return this.stableFiles || this.passDepth > 0;
  }

  /** Whether every file of the home's facts is announced by change events (the distribution holds the home). */
  private watched(home: ProductHome): boolean {
    return this.changeEvents(home.distributionDir) === 'watched' && this.changeEvents(home.homeDir) === 'watched';
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

  /**
   * A file's content at a version already known: the cached parse's text when there is one (no read), else a read.
   * A parse is cached per version, so the text of the same version is the same text. `known`: the source gave
   * versions, and an undefined one says the file does not exist.
   */
  private contentAt(path: string, known: boolean, version: string | undefined): Promise<FileContent | undefined> {
    if (known && version === undefined) return Promise.resolve(undefined);
    const parsed = version === undefined ? undefined : this.cache.peek(path, version);
    if (parsed?.decoded.ok) return Promise.resolve({ kind: 'text', text: parsed.decoded.text, version: parsed.version });
    return this.files.read(path);
  }

  async homeFacts(home: ProductHome, portOffsetOverride: number | null): Promise<HomeFacts> {
    const watched = this.watched(home);
    const changesBefore = this.changes;
    const known = this.homeCache.get(home.homeDir);
    if ((this.stable || (watched && known?.watched)) && known?.override === portOffsetOverride) return known.facts;
    const files = this.lookups;
    const carbonPath = confPathOf(home, HOME_FILES.carbon);
    const catalinaPath = confPathOf(home, HOME_FILES.catalina);
    const axis2Path = confPathOf(home, HOME_FILES.axis2);
    const brokerPath = confPathOf(home, HOME_FILES.broker);
    const datasourcesDir = joinPath(home.confDir, 'datasources');
    const datasourcePaths = (await files.list(datasourcesDir))
      .filter((n) => n.endsWith('-datasources.xml'))
      .sort(masterFirst)
      .map((n) => joinPath(datasourcesDir, n));
    const generated = await this.generatedBy(home);
    const generatedBy = generated.path;
    // A Carbon 4.5+ home: its offset and ports are deployment.toml's (the XML is rendered from it at every start).
    const tomlPath = generatedBy && basename(generatedBy) === HOME_FILES.deploymentToml ? generatedBy : undefined;
    // The home files the toml model reads (its knowledge, its product): they change the toml's ports too.
    const tomlHomeReads = tomlPath ? TOML_HOME_READS.map((rel) => joinPath(tomlHomeOf(tomlPath)?.homeDir ?? home.homeDir, rel)) : [];
    const paths = [carbonPath, catalinaPath, axis2Path, brokerPath, ...datasourcePaths, ...(tomlPath ? [tomlPath, ...tomlHomeReads] : [])];
    const layout = await this.productLayout(home);
    const deps: HomeDependencies = {
      reads: paths,
      checks: [...generated.checked, ...layout.checked],
      lists: new Map([
        [datasourcesDir, datasourcePaths.map(basename)],
        [layout.listed, layout.evidence.distributionProfiles],
      ]),
    };
    const keyOf = (versions: (string | undefined)[]) => [portOffsetOverride, generatedBy, JSON.stringify(layout.evidence), ...paths.map((p, i) => `${p}@${versions[i]}`)].join('\u0000');
    const remember = (key: string, facts: HomeFacts) => {
      this.homeCache.delete(home.homeDir);
      this.homeCache.set(home.homeDir, { key, override: portOffsetOverride, facts, deps, watched: watched && this.changes === changesBefore });
      while (this.homeCache.size > this.maxCachedHomes) this.homeCache.delete(this.homeCache.keys().next().value!);
      return facts;
    };
    const cached = this.homeCache.get(home.homeDir);
    const version = files.version;
    // With cheap versions, a hit costs stats only (none under change events); without, the contents are read to learn their versions.
    const versions = version ? await Promise.all(paths.map((p) => version(p))) : undefined;
    if (cached && versions && cached.key === keyOf(versions)) return remember(cached.key, cached.facts);
    const contents = await Promise.all(paths.map((p, i) => this.contentAt(p, versions !== undefined, versions?.[i])));
    const key = keyOf(contents.map((c) => c?.version));
    if (cached && cached.key === key) return remember(key, cached.facts);
    const [carbonContent, catalinaContent, axis2Content, brokerContent, ...datasourceContents] = contents.slice(0, 4 + datasourcePaths.length);
    const tomlContent = tomlPath ? contents[4 + datasourcePaths.length] : undefined;

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
    const product = detectProductVersion({ ...carbonIdentity(carbon), ...layout.evidence });
    const fromToml = tomlPath && tomlContent ? await tomlHomeFacts(this.files, home, tomlPath, tomlContent, portOffsetOverride, this.tomlModel) : undefined;
    const facts: HomeFacts = fromToml ? { home, offset: fromToml.offset, ports: fromToml.ports, datasources, generatedBy, product } : { home, offset, ports, datasources, generatedBy, product };
    return remember(key, facts);
  }

  /**
   * A file or folder changed (a watched-file event, an open document opened, edited or closed): forget what was
   * looked up about it, and the facts of every home that read, checked or listed it. Facts computed under 'poll'
   * would notice by themselves; facts computed under 'watched' rely on this.
   */
  changed(path: string, change: ChangeKind): void {
    // Stable files (a CLI run) change only through clearHomeFacts(); the CLI forgets each file's parse after its
    // analysis to free memory, which must not cost the home its facts.
    if (this.stableFiles) return;
    this.changes++;
    this.lookups.forget(path, change);
    for (const [homeDir, entry] of this.homeCache) {
      if (!dependsOn(entry.deps, path, change)) continue;
      this.homeCache.delete(homeDir);
      this.pass = undefined;
    }
  }

  /** Forget cached facts (settings changed, or a file changed without a new version, e.g. the CLI's own writes). */
  clearHomeFacts(): void {
    this.homeCache.clear();
    this.lookups.clear();
    this.pass = undefined;
  }

  /** The layout evidence of product detection: marker files, the profile folder and the distribution's profiles. */
  private async productLayout(home: ProductHome): Promise<{ evidence: { confFiles: string[]; profile: string | undefined; distributionProfiles: string[] }; checked: string[]; listed: string }> {
    const markers = markerFiles();
    const checked = markers.map((f) => confPathOf(home, f));
    const present = await Promise.all(checked.map((path) => this.lookups.exists(path)));
    const isMain = home.homeDir === home.distributionDir;
    const listed = joinPath(home.distributionDir, 'wso2');
    const distributionProfiles = (await this.lookups.list(listed)).sort();
    return { evidence: { confFiles: markers.filter((_, i) => present[i]), profile: isMain ? undefined : basename(home.homeDir), distributionProfiles }, checked, listed };
  }

  private async generatedBy(home: ProductHome): Promise<{ path: string | undefined; checked: string[] }> {
    const toml = confPathOf(home, HOME_FILES.deploymentToml);
    if (await this.lookups.exists(toml)) return { path: toml, checked: [toml] };
    const templates = joinPath(home.homeDir, 'repository/resources/conf/templates');
    return { path: (await this.lookups.exists(templates)) ? templates : undefined, checked: [toml, templates] };
  }

  /** Paths, as globs relative to any folder, of every file and folder the facts read, check or list: what must be watched. */
  static readonly watchGlobs: readonly string[] = [
    '**/carbon.xml',
    '**/catalina-server.xml',
    '**/axis2.xml',
    '**/broker.xml',
    '**/datasources',
    '**/*-datasources.xml',
    '**/deployment.toml',
    '**/repository/resources/conf/templates',
    '**/wso2',
    '**/wso2/*',
    ...markerFiles().map((f) => `**/${f}`),
    ...TOML_HOME_READS.map((rel) => `**/${rel}`),
  ];
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
