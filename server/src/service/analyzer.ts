import { LineIndex } from './model/text';
import { XmlDocument } from './model/xml';
import { RULES } from './rules/registry';
import { Settings, portOffsetOverrideFor } from './settings';
import { applySuppressions } from './suppression';
import { Finding, FindingInput, Rule, RuleContext, Severity } from './types';
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
}

export class Analyzer {
  readonly cache: ParseCache;
  readonly facts: FactsProvider;

  constructor(private readonly options: AnalyzerOptions) {
    this.cache = new ParseCache(options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
    this.facts = new FactsProvider(options.files, this.cache, undefined, options.stableFiles === true, options.changeEvents);
  }

  /** Forget a file's parse, e.g. after it changed on disk. */
  invalidate(path: string): void {
    this.cache.delete(path);
  }

  async analyze(path: string, content: FileContent, settings: Settings): Promise<AnalysisResult> {
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
    const workspace = await this.workspaceFacts(location, home, settings);
    const findings: Finding[] = [];
    for (const rule of RULES) {
      if (!rule.appliesTo.includes(location.kind)) continue;
      if (!isOurs && rule.id !== 'xml-syntax') continue;
      const configured = settings.rules[rule.id];
      if (configured === 'off') continue;
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
      try {
        rule.check(context);
      } catch (error) {
        // One broken rule must not take the others down; the message names the rule and the error, not the input.
        this.options.log?.(`rule ${rule.id} failed on ${location.confRelativePath}: ${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? ''}`);
      }
    }
    const kept = applySuppressions(doc, findings);
    kept.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end || a.ruleId.localeCompare(b.ruleId));
    return { location, doc, text: doc.text, lines: doc.lines, findings: kept };
  }

  private async workspaceFacts(location: ConfigFileLocation, home: HomeFacts | undefined, settings: Settings): Promise<WorkspaceFacts> {
    // Only carbon.xml carries cross-home findings (port-conflict); other files need just their own home.
    if (location.kind !== 'carbon' || settings.rules['port-conflict'] === 'off') return { homes: home ? [home] : [] };
    const known = this.options.knownHomes?.() ?? [];
    if (this.facts.stable) {
      // One list per pass: every known home in its order (this one included where it stands, first when unknown).
      const key = known.map((h) => `${h.homeDir}\u0000${portOffsetOverrideFor(settings, h.homeDir)}`).join('\u0001');
      const homes = await this.facts.passHomes(key, () => this.allHomeFacts(known, undefined, settings));
      return { homes: !home || homes.includes(home) ? homes : [home, ...homes] };
    }
    return { homes: await this.allHomeFacts(known, home, settings) };
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
