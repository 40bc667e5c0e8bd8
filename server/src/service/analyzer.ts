import { describeError } from './errors';
import { LocationKeys, fingerprintsByKey } from './fingerprints';
import { LineIndex, TextSpan } from './model/text';
import { XmlDocument } from './model/xml';
import type { TomlModel } from './toml/effective';
import { RULES } from './rules/registry';
import { Settings, portOffsetOverrideFor } from './settings';
import { applySuppressions } from './suppression';
import { Finding, FindingInput, Rule, RuleContext, RuleId, Severity } from './types';
import { DEFAULT_MAX_FILE_BYTES } from './workspace/decode';
import { ChangeEvents, FactsProvider, FileContent, FileSource, HomeFacts, ParseCache, WorkspaceFacts } from './workspace/facts';
import { ConfigFileLocation, ProductHome, locateConfigFile, matchesRoot } from './workspace/files';

/**
 * The analysis engine every front shares: text in, findings out. It knows nothing of LSP or the file system; the
 * FileSource it is given decides where cross-file facts come from.
 */

export interface AnalyzerOptions {
  readonly files: FileSource;
  /** Product homes known besides the analysed file's own (a workspace scan, the CLI's walk). */
  readonly knownHomes?: () => readonly ProductHome[];
  readonly maxFileBytes?: number;
  /** Receives internal errors; messages are built without document content, so no secret reaches it. */
  readonly log?: (message: string) => void;
  /**
   * The files do not change while the analyzer lives, except through invalidate() and the facts' clearHomeFacts() (a
   * CLI run): the facts of each home are computed once, without version checks, and every carbon.xml of the pass
   * shares one list of the workspace's homes (so the port index is built once).
   */
  readonly stableFiles?: boolean;
  /** How changes of a path become known (workspace/facts.ts ChangeEvents); 'poll' by default. */
  readonly changeEvents?: (path: string) => ChangeEvents;
  /** The deployment.toml engine's model of a content, for the facts of a Carbon 4.5+ home. */
  readonly tomlModel?: (path: string, content: FileContent) => Promise<TomlModel | undefined>;
}

export interface AnalysisResult {
  /** Undefined when the path is not a configuration file this tool covers. */
  readonly location: ConfigFileLocation | undefined;
  /** The XML tree (XML kinds only; other document kinds leave it undefined and give text and lines). */
  readonly doc: XmlDocument | undefined;
  /** The decoded text the findings' spans refer to, and its line index; undefined when it could not be decoded. */
  readonly text?: string;
  readonly lines?: LineIndex;
  readonly findings: Finding[];
  /** With `deferCrossHome`: the findings that compare the file's home with every other home, still to come. */
  readonly crossHome?: CrossHomeCheck;
}

/**
 * The cross-home findings of a file (port-conflict), left for when every home of a pass has been analysed: a lint run
 * checks each file as the walk meets it, parsed once and let go, and asks for these at the end. Holds where the
 * findings go and whether a suppression comment covers them, not the file's tree.
 */
export interface CrossHomeCheck {
  /** Settings and suppression comments applied, in the order `findings` are given in. */
  findings(): Promise<Finding[]>;
  /** Their CI fingerprints (fingerprints.ts), as the file's other findings get theirs. */
  fingerprints(findings: readonly Finding[], relativePath: string, relativize: (path: string) => string): string[];
}

export interface AnalyzeOptions {
  /** Leave the cross-home rules to `AnalysisResult.crossHome` (see CrossHomeCheck). */
  readonly deferCrossHome?: boolean;
}

export class Analyzer {
  readonly cache: ParseCache;
  readonly facts: FactsProvider;

  constructor(private readonly options: AnalyzerOptions) {
    this.cache = new ParseCache(options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
    this.facts = new FactsProvider(options.files, this.cache, undefined, options.stableFiles === true, options.changeEvents, options.tomlModel);
  }

  /** Forget a file's parse, e.g. after it changed on disk. */
  invalidate(path: string): void {
    this.cache.delete(path);
  }

  async analyze(path: string, content: FileContent, settings: Settings, options: AnalyzeOptions = {}): Promise<AnalysisResult> {
    const location = locateConfigFile(path);
    if (!location) return { location: undefined, doc: undefined, findings: [] };
    const parsed = this.cache.get(location.path, content);
    if (!parsed.decoded.ok) {
      const finding = this.finding('file-not-analysed', settings, { span: { start: 0, end: 0 }, message: parsed.decoded.problem, severity: parsed.decoded.severity });
      return { location, doc: undefined, findings: finding ? [finding] : [] };
    }
    const doc = parsed.doc!;
    const isOurs = matchesRoot(location.kind, doc.root);
    // A file whose root is someone else's (an unrelated carbon.xml, say) is not ours to judge; one with no root at
    // all is a broken copy of ours, and its syntax error is worth showing.
    if (!isOurs && doc.root) return { location: undefined, doc, text: doc.text, lines: doc.lines, findings: [] };

    const home = location.home ? await this.facts.homeFacts(location.home, portOffsetOverrideFor(settings, location.home.homeDir)) : undefined;
    const applicable = RULES.filter((rule) => rule.appliesTo.includes(location.kind) && (isOurs || rule.id === 'xml-syntax') && settings.rules[rule.id] !== 'off');
    const deferred = options.deferCrossHome ? applicable.filter((rule) => rule.crossHome) : [];
    const workspace: WorkspaceFacts =
      applicable.some((rule) => rule.crossHome && !deferred.includes(rule)) ? { homes: await this.workspaceHomes(home, settings) } : { homes: home ? [home] : [] };
    const findings: Finding[] = [];
    for (const rule of applicable) {
      if (deferred.includes(rule)) continue;
      const context: RuleContext = {
        doc,
        file: location,
        settings,
        home,
        workspace,
        report: (input) => {
          const finding = this.finding(rule.id, settings, input, rule);
          if (finding) findings.push(finding);
        },
      };
      this.guarded(rule, location, () => rule.check(context));
    }
    const kept = applySuppressions(doc, findings);
    kept.sort(compareFindings);
    const crossHome = location.home && deferred.length > 0 ? this.crossHomeCheck(doc, location, location.home, settings, deferred) : undefined;
    return new XmlAnalysis(location, doc, kept, crossHome);
  }

  /** The deferred half of the cross-home rules: what they need of the document is taken now, the homes compared later. */
  private crossHomeCheck(doc: XmlDocument, location: ConfigFileLocation, productHome: ProductHome, settings: Settings, rules: readonly Rule[]): CrossHomeCheck | undefined {
    const keys = new LocationKeys(doc);
    const anchored: { rule: Rule; anchor: TextSpan; key: string }[] = [];
    for (const rule of rules) {
      // Not through a closure: one over `doc` would share this scope with the closures returned, which keep it.
      const anchor = this.anchorOf(rule, location, doc);
      if (!anchor) continue;
      const probe = { ruleId: rule.id, severity: rule.defaultSeverity, message: '', span: anchor };
      // A suppression comment is a line of the document: whether it covers the anchor is decided now.
      if (applySuppressions(doc, [probe]).length === 0) continue;
      anchored.push({ rule, anchor, key: keys.keyOf(probe) });
    }
    if (anchored.length === 0) return undefined;
    const keyOf = new Map<RuleId, string>(anchored.map((a) => [a.rule.id, a.key]));
    return {
      findings: async () => {
        // The facts as they are now (memoized): a --fix write in between renews them.
        const home = await this.facts.homeFacts(productHome, portOffsetOverrideFor(settings, productHome.homeDir));
        const homes = await this.workspaceHomes(home, settings);
        const findings: Finding[] = [];
        for (const { rule, anchor } of anchored) {
          for (const input of this.guarded(rule, location, () => rule.crossHome!.check(home, homes, anchor)) ?? []) {
            const finding = this.finding(rule.id, settings, input, rule);
            if (finding) findings.push(finding);
          }
        }
        return findings.sort(compareFindings);
      },
      fingerprints: (findings, relativePath, relativize) => fingerprintsByKey(relativePath, findings, (finding) => keyOf.get(finding.ruleId) ?? '', relativize),
    };
  }

  private anchorOf(rule: Rule, location: ConfigFileLocation, doc: XmlDocument): TextSpan | undefined {
    try {
      return rule.crossHome!.anchor(doc);
    } catch (error) {
      this.logFailure(rule, location, error);
      return undefined;
    }
  }

  /** Runs a step of a rule: one broken rule (its immediate or its deferred part) must not take the others down. */
  private guarded<T>(rule: Rule, location: ConfigFileLocation, step: () => T): T | undefined {
    try {
      return step();
    } catch (error) {
      this.logFailure(rule, location, error);
      return undefined;
    }
  }

  private logFailure(rule: Rule, location: ConfigFileLocation, error: unknown): void {
    // The rule, the file and where it threw; not the error's message, which can quote the document (errors.ts).
    this.options.log?.(`rule ${rule.id} failed on ${location.confRelativePath}: ${describeError(error)}`);
  }

  /**
   * Every known home's facts, `home` first (then the others in their order): what a cross-home rule compares. In a
   * validation pass (or with stable files) one list serves every file, so the port index is built once.
   */
  async workspaceHomes(home: HomeFacts | undefined, settings: Settings): Promise<HomeFacts[]> {
    const known = this.options.knownHomes?.() ?? [];
    if (this.facts.stable) {
      // One list per pass: every known home in its order (this one included where it stands, first when unknown).
      const key = known.map((h) => `${h.homeDir}\u0000${portOffsetOverrideFor(settings, h.homeDir)}`).join('\u0001');
      const homes = await this.facts.passHomes(key, () => this.allHomeFacts(known, undefined, settings));
      return !home || homes.includes(home) ? homes : [home, ...homes];
    }
    return this.allHomeFacts(known, home, settings);
  }

  /** `home` first, then the facts of every other known home (one per home folder), in their order. */
  private async allHomeFacts(known: readonly ProductHome[], home: HomeFacts | undefined, settings: Settings): Promise<HomeFacts[]> {
    const others = new Map<string, ProductHome>();
    for (const h of known) others.set(h.homeDir, h);
    if (home) others.delete(home.home.homeDir);
    const facts = await Promise.all([...others.values()].map((h) => this.facts.homeFacts(h, portOffsetOverrideFor(settings, h.homeDir))));
    return home ? [home, ...facts] : facts;
  }

  private finding(ruleId: Finding['ruleId'], settings: Settings, input: FindingInput, rule?: Rule): Finding | undefined {
    const configured = settings.rules[ruleId];
    if (configured === 'off') return undefined;
    const severity: Severity = configured ?? input.severity ?? rule?.defaultSeverity ?? 'warning';
    return { ruleId, severity, message: input.message, span: input.span, ...(input.data ? { data: input.data } : {}) };
  }
}

/** The order findings are given in: by start, then end, then rule. */
export function compareFindings(a: Finding, b: Finding): number {
  return a.span.start - b.span.start || a.span.end - b.span.end || a.ruleId.localeCompare(b.ruleId);
}

/**
 * An XML file's analysis. Its line index is built on first use (a file without findings never needs one, and most
 * files of a lint run have none), by a getter on the class: a getter closure per result would keep the document's
 * tree alive past young-generation collections, as handler closures did (model/xml.ts).
 */
class XmlAnalysis implements AnalysisResult {
  constructor(
    readonly location: ConfigFileLocation,
    readonly doc: XmlDocument,
    readonly findings: Finding[],
    readonly crossHome: CrossHomeCheck | undefined,
  ) {}

  get text(): string {
    return this.doc.text;
  }

  get lines(): LineIndex {
    return this.doc.lines;
  }
}
