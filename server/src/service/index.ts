import { AnalysisResult, Analyzer } from './analyzer';
export { compareFindings } from './analyzer';
import { fingerprintsOf } from './fingerprints';
import { isIncluded } from './include';
import { LineIndex, TextSpan } from './model/text';
import { XmlDocument, parseXml } from './model/xml';
import { FixOffer, SUPPRESSION_FIXES, offersOf, ruleFixes } from './rules/fixes';
import { RULES } from './rules/registry';
import { FileFixResult, fixText } from './fixes/unattended';
import { SecureVaultFile, SecureVaultPlan, secretConfPath, secureVaultFiles } from './fixes/secure-vault';
import { aliasAt, aliasDefinition, aliasHover } from './securevault/aliases';
import { hiddenPasswordSpans } from './securevault/masking';
import { referenceAt, referenceHover } from './securevault/references';
import { PROPERTIES_KIND, propertiesSecretSpans } from './properties/kind';
import { PropertiesSecretFile, planPropertiesSecretsOfHome, singleReplacement } from './properties/home-plan';
import { secureVaultMaterial } from './fixes/secure-vault-session';
import { FileChange, Fix, applyReplacements } from './fixes/types';
import { propertyLine, updateProperties } from './fixes/properties';
import { HomeEncryptionOutcome, SecureVaultHost, SecureVaultOutcome, SecureVaultPlanner, SecureVaultSubject, explicitEncryptSettings, homeReport, secureVaultPlanner } from './securevault/planner';
import {
  PortContext,
  PortEntry,
  WorkspacePortReport,
  homePortView,
  homeTableMarkdown,
  hoverMarkdown,
  offsetInfoOfDocument,
  portContextOf,
  portEntries,
  portInlayHints,
  portTargetAt,
  workspacePortReport,
} from './ports';
import { Settings, portOffsetOverrideFor } from './settings';
import { Finding } from './types';
import { DEFAULT_MAX_FILE_BYTES } from './workspace/decode';
import { DirectoryReader, discoverHomes } from './workspace/discovery';
import { ChangeEvents, ChangeKind, FACT_FILE_KINDS, FactsProvider, FileContent, FileSource, HomeFacts } from './workspace/facts';
import { ConfigFileKind, ConfigFileLocation, HOME_FILES, ProductHome, confPathOf, homeAbove, joinPath, locateConfigFile, matchesRoot } from './workspace/files';
import { DEPLOYMENT_TOML_KIND } from './toml/engine';
import { tomlHomePortView } from './toml/home-facts';
import type { TomlModel } from './toml/effective';
import { generatedXmlDefinition } from './toml/wiring';

/**
 * THE FACADE: the one door through which the language server (server/src/lsp) and the CLI (server/src/cli) reach the
 * core; a test fails when they import anything else below service/. Modelled on vscode-css-languageservice
 * (`getCSSLanguageService()`: one interface, one factory) and its code actions dispatched on the diagnostic code.
 *
 * The fronts hand in text (a path and its content) and settings and get back findings, fixes, hovers and reports as
 * offsets and Markdown; they translate those to LSP or to terminal output and never test a rule id.
 *
 * Document kinds: a kind is "a parser plus rules" for one kind of configuration file (DOCUMENT_KINDS). The Carbon
 * 4.4 XML files are served by the built-in engine (analyzer.ts, rules/); deployment.toml (toml/) and the secret-holding
 * .properties files (properties/) plug in as kinds with their own engine, without the fronts changing, since every
 * answer here is generic over kinds (findings with spans, fixes as FileChanges, hovers as Markdown with a span).
 *
 * Adding a rule: the README's "How it works" lists every place (RuleId in types.ts; RULES or toml's TOML_RULES; its
 * fixes; docs/rules; package.json and the settings schema); none of them is in this file.
 */

// ---- what the fronts may use besides the service: neutral types and small pure helpers ------------------------------

export type { AnalysisResult, CrossHomeCheck } from './analyzer';
export { describeError } from './errors';
export type { TextSpan } from './model/text';
export { LineIndex } from './model/text';
export type { Finding, RuleId, Severity, SeveritySetting } from './types';
export type { Fix, FileChange, TextReplacement } from './fixes/types';
export { applyReplacements } from './fixes/types';
export { changeBases, staleFiles } from './fixes/basis';
export type { FileBasis, StaleFile } from './fixes/basis';
export type { FixOffer } from './rules/fixes';
export type { FileFixResult } from './fixes/unattended';
export type { SecureVaultOutcome, SecureVaultPlanner, SecureVaultSubject, HomeEncryptionOutcome } from './securevault/planner';
export type { SecureVaultPlan, EncryptedSecret, SkippedSecret } from './fixes/secure-vault';
export type { ChangeEvents, ChangeKind, FileContent, FileSource, HomeFacts } from './workspace/facts';
export type { ConfigFileKind, ConfigFileLocation, ProductHome } from './workspace/files';
export { basename, dirname, normalizePath, joinPath } from './workspace/files';
/** Which covered file a path is, by place alone, across every document kind (walks use it before reading). */
export function recogniseConfigFile(path: string): ConfigFileLocation | undefined {
  for (const kind of DOCUMENT_KINDS) {
    const location = kind.recognise(path);
    if (location) return location;
  }
  return undefined;
}
export type { DirectoryEntry, DirectoryReader, ScanLimits } from './workspace/discovery';
export { DEFAULT_SCAN_LIMITS, skipsSubfolder } from './workspace/discovery';
export type { PartialSettings, Settings, SettingsProblem, TlsProfileName } from './settings';
export { SETTINGS_FILE_NAME, mergeSettings, readEditorSettings, readSettingsFile } from './settings';
export { RULE_METADATA, ruleDocsUrl, isKnownRuleId } from './rules/registry';
export type { RuleMetadata } from './rules/registry';
export type { WorkspacePortReport, RenderOptions, WorkspacePortsJson, HomePortsJson, PortJson } from './ports';
export { workspaceJson, workspaceMarkdown, workspaceText } from './ports';
export { locatedEntries } from './securevault/aliases';
export { parseProperties } from './fixes/properties';
export type { ParsedProperties, PropertiesEntry } from './fixes/properties';
export { decodeBytes } from './workspace/decode';
export type { DecodedText } from './workspace/decode';

// ---- document kinds ---------------------------------------------------------------------------------------------------

/**
 * A kind of configuration document: how to recognise it from its path, and its parser and rules. The Carbon 4.4 XML
 * files are served by the built-in engine (analyzer.ts, rules/, fixes/); other kinds (deployment.toml, .properties)
 * plug in as entries with `createEngine`: their own parser and rules behind the same answers, so the fronts do not change.
 */
export interface DocumentKind {
  readonly id: string;
  /** Language id an editor gives such files. */
  readonly languageId: string;
  /** Glob patterns of the files of this kind, for file watchers. */
  readonly watchGlobs: readonly string[];
  /** The file's place, or undefined when the path is not a file of this kind. */
  recognise(path: string): ConfigFileLocation | undefined;
  /** The kind's parser and rules; absent for the built-in XML kind. */
  createEngine?(host: KindHost): KindEngine;
}

/** What a kind's engine may read: the service's files (open documents first), its home facts, its log. */
export interface KindHost {
  readonly files: FileSource;
  homeFacts(home: ProductHome, settings: Settings): Promise<HomeFacts>;
  readonly log?: (message: string) => void;
  /** Every known home's facts, `home` first: what a port conflict compares (one list per validation pass). */
  workspaceHomes(home: HomeFacts, settings: Settings): Promise<HomeFacts[]>;
  /** How changes of a path become known (ServiceOptions.changeEvents). */
  readonly changeEvents?: (path: string) => ChangeEvents;
}

/**
 * A document kind's parser and rules behind the facade. Findings carry spans into `text`, fixes are FileChanges,
 * hovers Markdown: the same neutral values the XML engine gives, which is all the fronts read.
 */
export interface KindEngine {
  /** Parse once per content version (cache by path and version); undefined when the file is not one of this kind. */
  parse(path: string, content: FileContent): ParsedDocument | undefined;
  /** Findings with the settings (severity, `off`) and the kind's suppression comments applied. */
  analyse(request: AnalyseRequest): Promise<AnalysisResult>;
  fixesFor?(request: DocumentRequest & { readonly finding: Finding }): Promise<FixOffer[]>;
  hover?(request: DocumentRequest & { readonly offset: number }): Promise<HoverAnswer | undefined>;
  definition?(request: DocumentRequest & { readonly offset: number }): Promise<DefinitionAnswer | undefined>;
  inlayHints?(request: DocumentRequest & { readonly from: number; readonly to: number }): Promise<InlayHintAnswer[]>;
  /** A file changed (any file, not only one of this kind: the engine may read others, as home facts do). */
  invalidate?(path: string, change: ChangeKind): void;
  /** deployment.toml: the model of this content, which the home facts read their offset and ports from (built once). */
  tomlModel?(path: string, content: FileContent): Promise<TomlModel | undefined>;
  clearCaches?(): void;
  /** Secure Vault for one finding or every plaintext password of a file of this kind (an explicit request). */
  planEncryption?(request: { readonly scope: EncryptionScope; readonly keystorePassword: string | undefined }): Promise<SecureVaultOutcome>;
  /** Secure Vault for a whole home, when the home is configured through a file of this kind; undefined otherwise. */
  planHomeEncryption?(home: ProductHome, keystorePassword: string | undefined, settingsFor: (path: string) => Settings): Promise<HomeEncryptionOutcome | undefined>;
  /** `--fix`: the kind's unattended fixes. */
  fixUnattended?(path: string, text: string, settings: Settings): Promise<FileFixResult>;
}

export const CARBON_XML_KIND: DocumentKind = {
  id: 'carbon-xml',
  languageId: 'xml',
  // Every covered XML file (workspace/files.ts), so an edit outside the editor revalidates what depends on it.
  watchGlobs: [
    '**/carbon.xml',
    '**/user-mgt.xml',
    '**/registry.xml',
    '**/catalina-server.xml',
    '**/axis2.xml',
    '**/axis2_client.xml',
    '**/axis2_blocking_client.xml',
    '**/*-datasources.xml',
    '**/api-manager.xml',
    '**/broker.xml',
    '**/identity/identity.xml',
    '**/identity/embedded-ldap.xml',
    '**/output-event-adapters.xml',
  ],
  recognise: locateConfigFile,
};

export { DEPLOYMENT_TOML_KIND };

/** The kinds every service knows; `ServiceOptions.kinds` adds more (a kind listed first wins a path). */
export const DOCUMENT_KINDS: readonly DocumentKind[] = [DEPLOYMENT_TOML_KIND, CARBON_XML_KIND, PROPERTIES_KIND];

// ---- the service --------------------------------------------------------------------------------------------------------

export interface ServiceOptions {
  /** Where file contents come from: the editor's open documents then the disk, or the disk, or memory (tests). */
  readonly files: FileSource;
  /** Product homes known besides the analysed file's own (the fronts' `discoverHomes`, then `runningHomes`): port conflicts. */
  readonly knownHomes?: () => readonly ProductHome[];
  /** Internal errors, without document content. */
  readonly log?: (message: string) => void;
  /** Folders, for home discovery (node/home-scan.ts reads the disk). */
  readonly directories?: DirectoryReader;
  readonly maxFileBytes?: number;
  /**
   * The files do not change while the service lives, except through invalidate() and clearCaches() (a CLI run): home
   * facts are computed once per home and the workspace's once per pass, instead of a version check per home per file.
   */
  readonly stableFiles?: boolean;
  /**
   * How the service learns that a file changed, per path (asked at every use; 'poll' when absent). 'poll': home facts
   * and the toml home files are checked against the FileSource's versions (a stat per file per home, as often as an
   * analysis asks: every open carbon.xml asks for every known home, for port conflicts). 'watched': every change of a
   * file under the path is announced through invalidate() (the editor's file watchers, which must cover `watchGlobs`,
   * and its open-document events), so cached facts, parses, existence checks and folder listings are trusted until
   * then, at no I/O. A language server answers 'watched' only for its workspace folders and only once the client
   * registered its watchers: a client without them (Neovim 0.7) and files outside the folders are not announced.
   */
  readonly changeEvents?: (path: string) => ChangeEvents;
  /** Further document kinds, tried before the built-in ones (deployment.toml). */
  readonly kinds?: readonly DocumentKind[];
  /** Replaces the Secure Vault planner (tests of the fronts' wiring); by default the core's own; null: none. */
  readonly secureVault?: ((host: SecureVaultHost) => SecureVaultPlanner) | null;
}

/** A covered file, parsed at a given content: what hovers, hints and fixes work on. */
export interface ParsedDocument {
  readonly kind: DocumentKind;
  readonly location: ConfigFileLocation;
  readonly text: string;
  readonly lines: LineIndex;
}

export interface DocumentRequest {
  readonly path: string;
  readonly content: FileContent;
  readonly settings: Settings;
}

export interface AnalyseRequest extends DocumentRequest {
  /**
   * Leave the findings that compare the file's home with every other home (port-conflict) to the result's
   * `crossHome`, to be asked for once every home of the pass has been analysed: a whole-tree pass then parses each
   * file once whatever its order, and keeps no tree. Without it they are computed at once, as an editor wants them.
   */
  readonly deferCrossHome?: boolean;
}

export interface HoverAnswer {
  readonly markdown: string;
  readonly span: TextSpan;
}

export interface InlayHintAnswer {
  readonly offset: number;
  readonly label: string;
  /** Markdown. */
  readonly tooltip: string;
}

export interface DefinitionAnswer {
  readonly path: string;
  /** 0-based line and UTF-16 columns. */
  readonly line: number;
  readonly startCharacter: number;
  readonly endCharacter: number;
}

export type EncryptionScope =
  /** One finding of a file (the quick fix). */
  | { readonly kind: 'finding'; readonly path: string; readonly content: FileContent; readonly span: TextSpan; readonly settings: Settings }
  /** Every plaintext password of a file. */
  | { readonly kind: 'file'; readonly path: string; readonly content: FileContent; readonly settings: Settings };

export interface EncryptionRequest {
  readonly scope: EncryptionScope;
  /** A password the user already gave (never stored or logged). */
  readonly keystorePassword?: string;
  /**
   * Asked when the keystore needs a password carbon.xml does not hold in plain text; answers undefined when the user
   * cancels. Without it, the outcome is `needsPassword`.
   */
  readonly askPassword?: (request: { readonly keystorePath: string }) => Promise<string | undefined>;
}

export interface HomeEncryptionRequest {
  readonly home: ProductHome;
  /** Settings of each file (include/exclude, suppressions stay; the plaintext-password severity does not matter). */
  readonly settingsFor: (path: string) => Settings;
  readonly keystorePassword?: string;
  readonly askPassword?: (request: { readonly keystorePath: string }) => Promise<string | undefined>;
}

export type Cancelled = { readonly cancelled: true };

export interface WorkspaceService {
  readonly kinds: readonly DocumentKind[];
  /** The covered file a path is (by place; the root element is checked on analysis), or undefined. */
  recognise(path: string): ConfigFileLocation | undefined;
  /** Findings of one document: rules of its kind, settings and suppression comments applied. */
  analyse(request: AnalyseRequest): Promise<AnalysisResult>;
  /** The covered document at this content (parsed once per version), or undefined when it is not one of ours. */
  parse(path: string, content: FileContent): ParsedDocument | undefined;
  /**
   * A file or folder changed (on disk, or an open document was opened, closed or, `change` 'content', edited): forget
   * its parse and the home facts that read, checked or listed it. With ServiceOptions.changeEvents 'watched' this is
   * how the service learns of changes at all. `clearCaches` forgets every cached parse and home fact.
   */
  invalidate(path: string, change?: ChangeKind): void;
  /** Globs (relative to any folder) of every file whose changes the service must hear of under 'watched' change events. */
  readonly watchGlobs: readonly string[];
  clearCaches(): void;

  /** The quick fixes of one finding: the rule's own (rules/fixes.ts), then the suppression comments. */
  fixesFor(request: DocumentRequest & { readonly finding: Finding }): Promise<FixOffer[]>;
  /** `--fix`: the fixes rules mark unattended, applied one at a time to the text. */
  fixUnattended(path: string, text: string, settings: Settings): Promise<FileFixResult>;
  /** Secure Vault for one finding or one file: an explicit request, so the rule's severity setting does not veto it. */
  planEncryption(request: EncryptionRequest): Promise<SecureVaultOutcome | Cancelled>;
  /** Secure Vault for every plaintext password of a home, with a report and the password spans (for masked diffs). */
  planHomeEncryption(request: HomeEncryptionRequest): Promise<HomeEncryptionOutcome | Cancelled>;
  /** Whether Secure Vault fixes are offered at all (a server may run without). */
  readonly canEncrypt: boolean;
  readonly canEncryptHome: boolean;

  hover(request: DocumentRequest & { readonly offset: number }): Promise<HoverAnswer | undefined>;
  definition(request: DocumentRequest & { readonly offset: number }): Promise<DefinitionAnswer | undefined>;
  inlayHints(request: DocumentRequest & { readonly from: number; readonly to: number }): Promise<InlayHintAnswer[]>;

  /** CI fingerprints of an analysis's findings (see fingerprints.ts); `relativize` makes paths in data relative. */
  fingerprints(result: AnalysisResult, relativePath: string, relativize: (path: string) => string): string[];

  /** Effective ports of the homes and the ports two of them share. */
  portReport(homes: readonly ProductHome[], settingsFor: (path: string) => Settings): Promise<WorkspacePortReport>;

  /**
   * Product homes below some folders (workspace/discovery.ts): symbolic links followed alike everywhere, some folders
   * stepped over (`skipsSubfolder`), the settings' exclude NOT applied (that is `runningHomes`). The one discovery of
   * the server, `wso2-config-lint`, `ports` and `encrypt`.
   */
  discoverHomes(roots: readonly string[]): Promise<ProductHome[]>;
  /** The home of any file below a `conf` folder, covered or not. */
  homeOf(path: string): ProductHome | undefined;
  /** The home named by a folder: the home itself (`<dir>/repository/conf` or `<dir>/conf` holding carbon.xml or deployment.toml). */
  homeAt(dir: string): Promise<ProductHome | undefined>;
  /** The covered files of a home that exist, sorted. */
  homeFiles(home: ProductHome): Promise<string[]>;
  /**
   * The order in which a pass over many files (the CLI) analyses them, as indexes into `paths`: each home's files
   * together, from the first of them in `paths`, the files its facts are read from first. Each file is parsed once
   * either way; in this order no tree waits in the parse cache for long (measured on 120 homes: a third fewer bytes
   * outlive a young-generation collection than in path order).
   */
  passOrder(paths: readonly string[]): number[];
  /** Homes not excluded by the settings (an excluded home, a backup copy say, is not a product that runs here), in the given order. */
  runningHomes(homes: Iterable<ProductHome>, roots: readonly string[], settingsFor: (path: string) => Settings): ProductHome[];
  /** Files a home's facts (offset, ports) come from: a change to one of them changes other documents' hints. */
  isHintSource(path: string): boolean;
  /** Whether a change to `changedPath` can change the findings of `path` (same home, or ports between homes). */
  dependsOn(path: string, changedPath: string | undefined): boolean;
  /**
   * Runs `work` (a workspace validation) as one pass: files are taken as unchanged while it runs, so home facts are
   * computed once per home for the pass rather than rechecked for every carbon.xml.
   */
  inPass<T>(work: () => Promise<T>): Promise<T>;
}

const HINT_SOURCES: readonly ConfigFileKind[] = ['carbon', 'catalina-server', 'deployment-toml'];

/** What the XML of a deployment.toml home still reports (see analyse). */
const GENERATED_XML_KEEPS: ReadonlySet<string> = new Set(['generated-config', 'xml-syntax', 'file-not-analysed']);

export function createService(options: ServiceOptions): WorkspaceService {
  // The engines are made below; the facts reach deployment.toml's through engineFor at their first use.
  const tomlModel = (path: string, content: FileContent) => engineFor(path)?.tomlModel?.(path, content) ?? Promise.resolve(undefined);
  const analyzer = new Analyzer({ files: options.files, knownHomes: options.knownHomes, log: options.log, maxFileBytes: options.maxFileBytes, stableFiles: options.stableFiles, changeEvents: options.changeEvents, tomlModel });
  const files = options.files;
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  /**
   * Hovers, hints, definitions and fixes honour the size limit diagnostics honour: a file too large to analyse is not
   * parsed (nor decoded) for them either, so no request on it costs more than this check.
   */
  const oversized = (content: FileContent) => (content.kind === 'text' ? content.text.length : content.bytes.length) > maxFileBytes;
  /** Other XML files below a conf folder (etc/jmx.xml, identity/identity.xml) hold `${Ports.…}` too; parsed per version. */
  const otherDocs = new Map<string, { version: string; doc: XmlDocument }>();
  const portSources = { parsed: (path: string, kind: ConfigFileKind) => analyzer.facts.parsed(path, kind) };

  const homeFacts = (home: ProductHome, settings: Settings): Promise<HomeFacts> => analyzer.facts.homeFacts(home, portOffsetOverrideFor(settings, home.homeDir));
  const kinds: readonly DocumentKind[] = [...(options.kinds ?? []), ...DOCUMENT_KINDS];
  const engines = new Map<DocumentKind, KindEngine>();
  const workspaceHomes = (home: HomeFacts, settings: Settings) => analyzer.workspaceHomes(home, settings);
  for (const kind of kinds) if (kind.createEngine) engines.set(kind, kind.createEngine({ files, homeFacts, log: options.log, workspaceHomes, changeEvents: options.changeEvents }));
  /** The engine of a pluggable kind for this path; undefined for the built-in XML kind (and for unknown paths). */
  function engineFor(path: string): KindEngine | undefined {
    for (const kind of kinds) {
      if (!kind.recognise(path)) continue;
      return engines.get(kind);
    }
    return undefined;
  }

  function recognise(path: string): ConfigFileLocation | undefined {
    for (const kind of kinds) {
      const location = kind.recognise(path);
      if (location) return location;
    }
    return undefined;
  }

  function parseCovered(path: string, content: FileContent): { location: ConfigFileLocation; doc: XmlDocument } | undefined {
    if (engineFor(path)) return undefined;
    const location = recognise(path);
    if (!location) return undefined;
    const parsed = analyzer.cache.get(location.path, content);
    if (!parsed.doc || !matchesRoot(location.kind, parsed.doc.root)) return undefined;
    return { location, doc: parsed.doc };
  }

  /** A covered file, or any XML below a product's conf folder (for ports), parsed once per version. */
  function portDocument(path: string, content: FileContent): { doc: XmlDocument; kind: ConfigFileKind | undefined; path: string; confRelativePath: string; home: ProductHome | undefined } | undefined {
    const covered = parseCovered(path, content);
    if (covered) return { doc: covered.doc, kind: covered.location.kind, path: covered.location.path, confRelativePath: covered.location.confRelativePath, home: covered.location.home };
    if (recognise(path) || !path.toLowerCase().endsWith('.xml')) return undefined;
    const home = homeAbove(path);
    if (!home) return undefined;
    let cached = otherDocs.get(path);
    if (!cached || cached.version !== content.version) {
      const text = content.kind === 'text' ? content.text : Buffer.from(content.bytes).toString('utf8');
      cached = { version: content.version, doc: parseXml(text) };
      otherDocs.set(path, cached);
      // Bounded: only the documents an editor has open come here.
      if (otherDocs.size > 64) otherDocs.delete(otherDocs.keys().next().value!);
    }
    return { doc: cached.doc, kind: undefined, path, confRelativePath: path.slice(home.confDir.length + 1), home };
  }

  async function portContext(file: NonNullable<ReturnType<typeof portDocument>>, settings: Settings): Promise<{ context: PortContext; entries: PortEntry[] }> {
    const entries = file.kind ? portEntries(file.kind, file.doc, file.path, file.confRelativePath) : [];
    if (!file.home) {
      // A lone carbon.xml speaks for its own offset; any other lone file has none to go by.
      const offset = file.kind === 'carbon' ? offsetInfoOfDocument(file.doc, file.path) : undefined;
      return { context: { offset, entries, carbon: file.kind === 'carbon' ? file.doc : undefined }, entries };
    }
    const facts = await homeFacts(file.home, settings);
    return { context: await portContextOf(facts, portSources, { path: file.path, entries, carbon: file.kind === 'carbon' ? file.doc : undefined }), entries };
  }

  async function homeFiles(home: ProductHome): Promise<string[]> {
    // Every covered kind sits in the conf folder or one folder below it (files.ts): list both levels.
    const paths: string[] = [];
    for (const name of await files.list(home.confDir)) {
      const path = joinPath(home.confDir, name);
      if (recognise(path)?.home?.homeDir === home.homeDir) paths.push(path);
      for (const inner of await files.list(path)) {
        const innerPath = joinPath(path, inner);
        if (recognise(innerPath)?.home?.homeDir === home.homeDir) paths.push(innerPath);
      }
    }
    return paths.sort();
  }

  /** Every span the plaintext-password rule sees as a password, suppressed or not: what a masked diff hides. */
  async function allPasswordSpans(location: ConfigFileLocation, doc: XmlDocument, settings: Settings): Promise<TextSpan[]> {
    const rule = RULES.find((r) => r.id === 'plaintext-password');
    if (!rule) return [];
    const facts = location.home ? await homeFacts(location.home, settings) : undefined;
    const spans: TextSpan[] = [];
    try {
      rule.check({ doc, file: location, settings, home: facts, workspace: { homes: facts ? [facts] : [] }, report: (f) => spans.push(f.span) });
    } catch {
      // The analysis already ran this rule; a failure here only means the whole file is masked.
      return [{ start: 0, end: doc.text.length }];
    }
    return spans;
  }

  const host: SecureVaultHost = {
    files,
    parsedCarbonXml: (home) => analyzer.facts.parsed(confPathOf(home, HOME_FILES.carbon), 'carbon'),
    async passwordFindingsOfHome(home, settingsFor) {
      const found: SecureVaultFile[] = [];
      const secretSpans = new Map<string, TextSpan[]>();
      const unreadable: string[] = [];
      for (const path of await homeFiles(home)) {
        const content = await files.read(path);
        if (!content) {
          // Listed a moment ago: it exists but cannot be read, and its passwords, if any, stay in plain text.
          if (await files.exists(path)) unreadable.push(path);
          continue;
        }
        const settings = explicitEncryptSettings(settingsFor(path));
        const result = await analyzer.analyze(path, content, settings);
        if (!result.location || !result.doc) continue;
        const findings = result.findings.filter((f) => f.ruleId === 'plaintext-password');
        secretSpans.set(result.location.path, [
          ...findings.map((f) => f.span),
          ...(await allPasswordSpans(result.location, result.doc, settings)),
          ...hiddenPasswordSpans(result.doc),
        ]);
        if (findings.length > 0) found.push({ location: result.location, doc: result.doc, findings });
      }
      return { files: found, secretSpans, unreadable };
    },
  };
  const core = secureVaultPlanner(host);
  const planner: SecureVaultPlanner | undefined = options.secureVault === null ? undefined : options.secureVault ? options.secureVault(host) : core;

  const propertiesEngine = engines.get(PROPERTIES_KIND);

  /**
   * The whole home in one change (issue 14): the XML plan (its secrets, the pending `[plaintext]` entries of
   * cipher-text.properties, the vault switched on), then the secrets of jndi.properties and EndpointConfig.properties
   * planned against the texts of secret-conf.properties and cipher-text.properties as the XML plan leaves them. The
   * cipher-text.properties change is then one edit from the file as it is to the file with both plans' entries, in
   * place of the XML plan's: one change per file, every change against the file as it is now.
   */
  async function planHomeWithProperties(home: ProductHome, keystorePassword: string | undefined, settingsFor: (path: string) => Settings): Promise<HomeEncryptionOutcome> {
    const xml = await core.planHome(home, keystorePassword, settingsFor);
    if (!('plan' in xml) || !propertiesEngine) return xml;
    const propertyFiles: PropertiesSecretFile[] = [];
    const secretSpans = new Map(xml.secretSpans);
    for (const path of await homeFiles(home)) {
      const location = PROPERTIES_KIND.recognise(path);
      // The pending entries of cipher-text.properties are the XML plan's (it encrypts them as the cipher tool does).
      if (!location || location.kind === ('cipher-text-properties' as ConfigFileKind)) continue;
      const content = await files.read(path);
      if (!content) continue;
      const result = await propertiesEngine.analyse({ path, content, settings: explicitEncryptSettings(settingsFor(path)) });
      if (result.text === undefined) continue;
      const findings = result.findings.filter((f) => f.ruleId === 'plaintext-password');
      secretSpans.set(path, [...findings.map((f) => f.span), ...propertiesSecretSpans(path, result.text)]);
      if (findings.length > 0) propertyFiles.push({ path, text: result.text, findings });
    }
    if (propertyFiles.length === 0) return { ...xml, secretSpans };

    const material = await secureVaultMaterial({ files, home, carbonXml: await host.parsedCarbonXml(home), keystorePassword });
    if (!material.ok) return 'needsPassword' in material ? { needsPassword: material.needsPassword } : { error: material.error };
    const xmlChanges = xml.fix?.changes ?? [];
    /** A file as the XML plan leaves it (undefined: it does not exist after it either). */
    const afterXml = (path: string, before: string | undefined): string | undefined => {
      const change = xmlChanges.find((c) => c.path === path);
      if (!change) return before;
      return change.kind === 'create' ? change.text : applyReplacements(change.baseText, change.replacements);
    };
    const secretConfBefore = material.security.secretConf;
    const secretConfAfter = afterXml(secretConfPath(home), secretConfBefore);
    // Where the runtime reads the ciphertexts once the XML plan's secret-conf.properties is in place.
    const cipherTextPath = secureVaultFiles(home, secretConfAfter).cipherText;
    const cipherTextBefore = cipherTextPath === secureVaultFiles(home, secretConfBefore).cipherText ? material.security.cipherText : await readText(cipherTextPath);
    const cipherTextAfterXml = afterXml(cipherTextPath, cipherTextBefore);
    // The secrets the XML plan gives an alias in this change, to tell a shared password (same alias, same value).
    const xmlAliases = new Set(xml.plan.encrypted.map((e) => e.alias));
    const xmlSecrets = await xmlSecretsByAlias(home, settingsFor, xml.plan.encrypted);
    const planned = planPropertiesSecretsOfHome({
      files: propertyFiles,
      cipherText: cipherTextAfterXml,
      secretConf: secretConfAfter,
      key: material.key,
      takenAliases: new Set([...xmlAliases, ...(material.security.secretAliasesInHome?.keys() ?? [])]),
      plannedSecretEquals: (alias, secret) => xmlSecrets.get(alias) === secret,
    });
    const plan: SecureVaultPlan = {
      fix: undefined,
      encrypted: [...xml.plan.encrypted, ...planned.encrypted],
      skipped: [...xml.plan.skipped, ...planned.skipped],
      notes: xml.plan.notes,
    };
    const fileCount = xml.files + propertyFiles.length;
    if (planned.encrypted.length === 0) return { ...xml, plan: { ...plan, fix: xml.fix }, report: homeReport(home, plan), secretSpans, files: fileCount };

    let cipherTextChange: FileChange | undefined;
    if (planned.cipherTextUpdates.length > 0) {
      const final =
        cipherTextAfterXml === undefined
          ? planned.cipherTextUpdates.map((u) => propertyLine(u.key, u.value)).join('\n') + '\n'
          : applyReplacements(cipherTextAfterXml, updateProperties(cipherTextAfterXml, planned.cipherTextUpdates, '\n'));
      cipherTextChange =
        cipherTextBefore === undefined
          ? { kind: 'create', path: cipherTextPath, text: final }
          : { kind: 'edit', path: cipherTextPath, baseText: cipherTextBefore, replacements: [singleReplacement(cipherTextBefore, final)] };
    }
    const changes: FileChange[] = [...xmlChanges.filter((c) => !(cipherTextChange && c.path === cipherTextPath)), ...(cipherTextChange ? [cipherTextChange] : []), ...planned.changes];
    const fix: Fix = { title: 'Encrypt all plaintext passwords of this product home with Secure Vault', ruleId: 'plaintext-password', changes };
    return { ...xml, fix, plan: { ...plan, fix }, report: homeReport(home, plan), secretSpans, cipherTextPath, files: fileCount };
  }

  async function readText(path: string): Promise<string | undefined> {
    const content = await files.read(path);
    return content === undefined ? undefined : content.kind === 'text' ? content.text : Buffer.from(content.bytes).toString('latin1');
  }

  /** alias → the password the XML plan encrypts under it (memory only; never in a message or outcome). */
  async function xmlSecretsByAlias(home: ProductHome, settingsFor: (path: string) => Settings, encrypted: SecureVaultPlan['encrypted']): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    if (encrypted.length === 0) return result;
    const aliasAt = new Map(encrypted.map((e) => [`${e.line}:${e.path}`, e.alias]));
    const { files: xmlFiles } = await host.passwordFindingsOfHome(home, settingsFor);
    for (const file of xmlFiles) {
      for (const finding of file.findings) {
        const alias = aliasAt.get(`${file.doc.lines.positionAt(finding.span.start).line + 1}:${file.location.path}`);
        if (alias !== undefined && !result.has(alias)) result.set(alias, file.doc.text.slice(finding.span.start, finding.span.end));
      }
    }
    return result;
  }

  async function withPassword<T extends object>(
    plan: (keystorePassword: string | undefined) => Promise<T | { needsPassword: { keystorePath: string; reason?: string } }>,
    keystorePassword: string | undefined,
    askPassword: ((request: { keystorePath: string }) => Promise<string | undefined>) | undefined,
  ): Promise<T | { needsPassword: { keystorePath: string; reason?: string } } | { error: string } | Cancelled> {
    const outcome = await plan(keystorePassword);
    if (!('needsPassword' in outcome) || !askPassword) return outcome;
    const keystorePath = outcome.needsPassword.keystorePath;
    const answer = await askPassword({ keystorePath });
    if (answer === undefined || answer.length === 0) return { cancelled: true };
    const again = await plan(answer);
    return 'needsPassword' in again ? { error: `The keystore ${keystorePath} could not be opened with that password.` } : again;
  }

  return {
    kinds,
    recognise,
    async analyse(request) {
      const engine = engineFor(request.path);
      if (engine) return engine.analyse(request);
      const result = await analyzer.analyze(request.path, request.content, request.settings, { deferCrossHome: request.deferCrossHome });
      const home = result.location?.home;
      if (!home || (result.findings.length === 0 && !result.crossHome)) return result;
      // A home configured by deployment.toml: its XML is rendered from the toml at every start, so a finding here
      // would be fixed in the wrong file and reported twice. The toml finding is the one that counts; the XML keeps
      // generated-config (with go to definition to the toml key) and what stops it being read at all (no port-conflict:
      // the deferred check goes too).
      const generatedBy = (await homeFacts(home, request.settings)).generatedBy;
      if (!generatedBy || !generatedBy.endsWith(`/${HOME_FILES.deploymentToml}`)) return result;
      return { location: result.location, doc: result.doc, text: result.text, lines: result.lines, findings: result.findings.filter((f) => GENERATED_XML_KEEPS.has(f.ruleId)) };
    },
    parse(path, content) {
      if (oversized(content)) return undefined;
      const engine = engineFor(path);
      if (engine) return engine.parse(path, content);
      const covered = parseCovered(path, content);
      return covered ? { kind: CARBON_XML_KIND, location: covered.location, text: covered.doc.text, lines: covered.doc.lines } : undefined;
    },
    invalidate(path, change = 'file') {
      for (const engine of engines.values()) engine.invalidate?.(path, change);
      analyzer.invalidate(path);
      analyzer.facts.changed(path, change);
      otherDocs.delete(path);
    },
    watchGlobs: [...new Set([...kinds.flatMap((k) => k.watchGlobs), ...FactsProvider.watchGlobs])],
    clearCaches() {
      for (const engine of engines.values()) engine.clearCaches?.();
      analyzer.cache.clear();
      analyzer.facts.clearHomeFacts();
      otherDocs.clear();
    },

    async fixesFor(request) {
      if (oversized(request.content)) return [];
      const { path, content, settings, finding } = request;
      const engine = engineFor(path);
      if (engine) return engine.fixesFor?.(request) ?? [];
      const covered = parseCovered(path, content);
      if (!covered) return [];
      const { findings } = await analyzer.analyze(path, content, settings);
      const subject: SecureVaultSubject = { location: covered.location, doc: covered.doc, files, settings };
      const context = { doc: covered.doc, location: covered.location, finding, findings, settings, secureVault: planner ? { planner, subject } : undefined };
      const offers: FixOffer[] = [];
      for (const ruleFix of [...ruleFixes(finding.ruleId), ...SUPPRESSION_FIXES]) {
        offers.push(...offersOf(await ruleFix.plan(context)));
      }
      return offers;
    },
    fixUnattended: (path, text, settings) => {
      const engine = engineFor(path);
      if (engine) return engine.fixUnattended?.(path, text, settings) ?? Promise.resolve({ text: undefined, applied: [] });
      return fixText(analyzer, path, text, settings);
    },

    async planEncryption({ scope, keystorePassword, askPassword }) {
      const engine = engineFor(scope.path);
      if (engine) {
        if (!planner || !engine.planEncryption) return { error: 'Secure Vault encryption is not available in this server.' };
        return withPassword((password) => engine.planEncryption!({ scope, keystorePassword: password }), keystorePassword, askPassword);
      }
      const plan = async (password: string | undefined): Promise<SecureVaultOutcome> => {
        if (!planner) return { error: 'Secure Vault encryption is not available in this server.' };
        const covered = parseCovered(scope.path, scope.content);
        if (!covered) return { error: 'The file is not a WSO2 configuration file this server covers.' };
        // An explicit request: the rule's severity setting does not hide passwords from it; suppressions still do.
        const settings = explicitEncryptSettings(scope.settings);
        const passwords = (await analyzer.analyze(scope.path, scope.content, settings)).findings.filter((f) => f.ruleId === 'plaintext-password');
        const subject: SecureVaultSubject = { location: covered.location, doc: covered.doc, files, settings, ...(password !== undefined ? { keystorePassword: password } : {}) };
        if (scope.kind === 'file') {
          if (passwords.length === 0) return { error: 'This file has no plaintext password left to encrypt.' };
          return planner.planForFile(subject, passwords);
        }
        const finding = passwords.find((f) => f.span.start === scope.span.start && f.span.end === scope.span.end);
        if (!finding) return { error: 'The password is no longer where the action found it; run the action again.' };
        return planner.planForFinding(subject, finding, passwords);
      };
      return withPassword(plan, keystorePassword, askPassword);
    },
    canEncrypt: planner !== undefined,
    canEncryptHome: planner?.planForHome !== undefined,
    async planHomeEncryption({ home, settingsFor, keystorePassword, askPassword }) {
      // A home configured by another kind's file (deployment.toml): its XML is generated, the secrets live there.
      if (planner === core) {
        for (const engine of engines.values()) {
          if (!engine.planHomeEncryption) continue;
          const first = await engine.planHomeEncryption(home, keystorePassword, settingsFor);
          if (!first) continue;
          return withPassword<HomeEncryptionOutcome>(async (password) => (password === keystorePassword ? first : ((await engine.planHomeEncryption!(home, password, settingsFor)) ?? first)), keystorePassword, askPassword);
        }
      }
      if (planner !== core) {
        // A substituted planner (tests) or none: its own home plan, as the fronts see it.
        const plan = async (password: string | undefined) => {
          const planForHome = planner?.planForHome?.bind(planner);
          const outcome = planForHome ? await planForHome(home, password) : { error: 'Secure Vault encryption of a whole home is not available.' };
          if ('fix' in outcome) return { fix: outcome.fix, plan: { fix: outcome.fix, encrypted: [], skipped: [], notes: [] }, report: outcome.report ?? '', secretSpans: new Map(), cipherTextPath: undefined, files: 1, unreadable: [] };
          return outcome;
        };
        return withPassword<HomeEncryptionOutcome>(plan, keystorePassword, askPassword);
      }
      return withPassword<HomeEncryptionOutcome>((password) => planHomeWithProperties(home, password, settingsFor), keystorePassword, askPassword);
    },

    async hover(request) {
      if (oversized(request.content)) return undefined;
      const { path, content, settings, offset } = request;
      const engine = engineFor(path);
      if (engine) return engine.hover?.(request);
      const covered = parseCovered(path, content);
      if (covered?.location.home) {
        const alias = aliasAt(covered.doc, offset);
        if (alias) return { markdown: await aliasHover(files, covered.location.home, alias.alias), span: alias.span };
      }
      const reference = covered && referenceAt(covered.doc, covered.location.kind, offset);
      if (covered && reference) return { markdown: await referenceHover(reference, covered.location.home?.confDir, portSources.parsed), span: reference.span };
      const file = portDocument(path, content);
      if (!file) return undefined;
      const target = portTargetAt(file.doc, file.kind, file.kind ? portEntries(file.kind, file.doc, file.path, file.confRelativePath) : [], offset);
      if (!target) return undefined;
      const { context } = await portContext(file, settings);
      if (target.kind !== 'offset') return { markdown: hoverMarkdown(target, context), span: target.span };
      if (!file.home) {
        return {
          markdown: `Port offset ${context.offset?.value ?? '?'}: this carbon.xml is not inside a product home (\`repository/conf\` or \`conf\`), so there is no port table to show.`,
          span: target.span,
        };
      }
      return { markdown: homeTableMarkdown(await homePortView(await homeFacts(file.home, settings), portSources, context)), span: target.span };
    },
    async definition(request) {
      if (oversized(request.content)) return undefined;
      const { path, content, offset } = request;
      const engine = engineFor(path);
      if (engine) return engine.definition?.(request);
      const covered = parseCovered(path, content);
      if (!covered?.location.home) return undefined;
      const alias = aliasAt(covered.doc, offset);
      if (alias) return aliasDefinition(files, covered.location.home, alias.alias);
      // Generated XML of a deployment.toml home: the toml key that produces the value (or the file's top).
      return generatedXmlDefinition(files, covered.location, covered.doc, offset);
    },
    async inlayHints(request) {
      if (oversized(request.content)) return [];
      const { path, content, settings, from, to } = request;
      if (!settings.inlayHints) return [];
      const engine = engineFor(path);
      if (engine) return (await engine.inlayHints?.(request)) ?? [];
      const file = portDocument(path, content);
      if (!file) return [];
      const { context, entries } = await portContext(file, settings);
      return portInlayHints(file.doc, entries, context).filter((hint) => hint.offset >= from && hint.offset <= to);
    },

    fingerprints: (result, relativePath, relativize) => fingerprintsOf(relativePath, result.doc, result.findings, relativize),

    async portReport(homes, settingsFor) {
      const sorted = [...homes].sort((a, b) => a.homeDir.localeCompare(b.homeDir));
      const views = [];
      for (const home of sorted) {
        const facts = await homeFacts(home, settingsFor(confPathOf(home, HOME_FILES.carbon)));
        // A deployment.toml home: rows from the toml (its XML is rendered from it at start).
        views.push((await tomlHomePortView(files, facts)) ?? (await homePortView(facts, portSources)));
      }
      return workspacePortReport(views);
    },

    async discoverHomes(roots) {
      if (!options.directories) throw new Error('home discovery needs a DirectoryReader (ServiceOptions.directories)');
      return discoverHomes(roots, options.directories);
    },
    homeOf: (path) => recognise(path)?.home ?? homeAbove(path),
    async homeAt(dir) {
      for (const conf of ['repository/conf', 'conf']) {
        const carbon = joinPath(dir, conf, HOME_FILES.carbon);
        if (await files.exists(carbon)) return recognise(carbon)?.home;
        // A home of a Carbon 4.5+ product before its first start (or a copy of just its deployment.toml).
        const toml = joinPath(dir, conf, 'deployment.toml');
        if (await files.exists(toml)) return recognise(toml)?.home;
      }
      return undefined;
    },
    homeFiles,
    passOrder(paths) {
      const locations = paths.map((path) => recognise(path));
      const firstOfHome = new Map<string, number>();
      const group = locations.map((location, i) => {
        const key = location?.home?.homeDir ?? `\u0000${i}`;
        if (!firstOfHome.has(key)) firstOfHome.set(key, i);
        return firstOfHome.get(key)!;
      });
      const rank = (i: number) => {
        const kind = locations[i]?.kind;
        const at = kind ? FACT_FILE_KINDS.indexOf(kind) : -1;
        return at < 0 ? FACT_FILE_KINDS.length : at;
      };
      return paths.map((_, i) => i).sort((a, b) => group[a] - group[b] || rank(a) - rank(b) || a - b);
    },
    runningHomes(homes, roots, settingsFor) {
      const unique = new Map<string, ProductHome>();
      for (const home of homes) unique.set(home.homeDir, home);
      return [...unique.values()].filter((h) => {
        const carbonXml = confPathOf(h, HOME_FILES.carbon);
        return isIncluded(carbonXml, roots, settingsFor(carbonXml));
      });
    },
    isHintSource(path) {
      const kind = recognise(path)?.kind;
      return !!kind && HINT_SOURCES.includes(kind);
    },
    inPass: (work) => analyzer.facts.inPass(work),
    dependsOn(path, changedPath) {
      const location = recognise(path);
      if (!location) return false;
      if (!changedPath) return true;
      const changed = recognise(changedPath);
      const sameHome = !!changed?.home && location.home?.homeDir === changed.home.homeDir;
      const portsMayCollide = (location.kind === 'carbon' || location.kind === 'deployment-toml') && (!changed || ['carbon', 'catalina-server', 'axis2', 'broker', 'deployment-toml'].includes(changed.kind));
      return sameHome || portsMayCollide;
    },
  };
}

/** Include/exclude globs of the settings, relative to the root that holds the path. */
export { isIncluded };
