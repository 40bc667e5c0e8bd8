import { pathToFileURL } from 'node:url';
import { CancellationToken, Connection, Diagnostic, DiagnosticSeverity, ProgressToken, TextDocuments, WorkDoneProgress } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CrossHomeCheck, FileContent, FileSource, Finding, ProductHome, SETTINGS_FILE_NAME, Settings, Severity, WorkspaceService, basename, compareFindings, isIncluded, ruleDocsUrl } from '../../service';
import { ValidateWorkspaceResult } from '../../protocol';
import { uriToPath } from '../uri';

/**
 * Diagnostics: findings of open documents (validated at once when opened, debounced while typing, revalidated when a
 * file they depend on changes), and of every covered file of the workspace on request.
 */

export const SOURCE = 'wso2-config';
/**
 * Diagnostics published per document. A generated or concatenated file can hold tens of thousands of findings;
 * editors slow down long before anyone reads that many, and the CLI lists them all.
 */
export const MAX_DIAGNOSTICS_PER_DOCUMENT = 1000;

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export interface DiagnosticsDependencies {
  readonly connection: Connection;
  readonly documents: TextDocuments<TextDocument>;
  readonly service: WorkspaceService;
  readonly files: FileSource;
  settingsFor(path: string): Settings;
  roots(): readonly string[];
  knownHomes(): ProductHome[];
  rescanHomes(): Promise<void>;
  /** What the service reads for an open document (the version key shared with every other handler). */
  contentOf(document: TextDocument): FileContent;
  safe<A extends unknown[], R>(name: string, handler: (...args: A) => R | Promise<R>, empty: R): (...args: A) => Promise<R>;
}

export class DiagnosticsPublisher {
  /** Uris we published diagnostics for: an empty list must follow when they go away. */
  readonly published = new Set<string>();
  readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly validateSafely: (document: TextDocument) => Promise<void>;

  private readonly toPath = uriToPath;

  constructor(private readonly deps: DiagnosticsDependencies) {
    this.validateSafely = deps.safe('validation', (document: TextDocument) => this.validate(document), undefined);
  }

  toDiagnostic(document: Positions, finding: Finding): Diagnostic {
    return {
      range: { start: document.positionAt(finding.span.start), end: document.positionAt(finding.span.end) },
      severity: SEVERITY[finding.severity],
      source: SOURCE,
      code: finding.ruleId,
      codeDescription: { href: ruleDocsUrl(finding.ruleId) },
      message: finding.message,
      ...(finding.data ? { data: finding.data } : {}),
    };
  }

  async validate(document: TextDocument): Promise<void> {
    const { connection, documents, service } = this.deps;
    const path = this.toPath(document.uri);
    if (!path) return;
    if (basename(path) === SETTINGS_FILE_NAME) return; // settings files get their own diagnostics
    const settings = this.deps.settingsFor(path);
    const version = document.version;
    let diagnostics: Diagnostic[] = [];
    if (isIncluded(path, this.deps.roots(), settings)) {
      const result = await service.analyse({ path, content: this.deps.contentOf(document), settings });
      // The user typed on while we worked: a newer validation is already scheduled.
      if (documents.get(document.uri)?.version !== version) return;
      const shown = result.findings.slice(0, MAX_DIAGNOSTICS_PER_DOCUMENT);
      diagnostics = shown.map((f) => this.toDiagnostic(document, f));
      const hidden = result.findings.length - shown.length;
      if (hidden > 0) {
        diagnostics.push({
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          severity: DiagnosticSeverity.Information,
          source: SOURCE,
          message: `${hidden} more findings in this file are not shown (the editor shows the first ${MAX_DIAGNOSTICS_PER_DOCUMENT}); wso2-config-lint lists them all.`,
        });
      }
    }
    if (diagnostics.length === 0 && !this.published.has(document.uri)) return;
    this.published.add(document.uri);
    await connection.sendDiagnostics({ uri: document.uri, version, diagnostics });
  }

  schedule(document: TextDocument, delay: number): void {
    const pending = this.timers.get(document.uri);
    if (pending) clearTimeout(pending);
    this.timers.set(
      document.uri,
      setTimeout(() => {
        this.timers.delete(document.uri);
        const current = this.deps.documents.get(document.uri);
        if (current) void this.validateSafely(current);
      }, delay),
    );
  }

  /** Revalidates open documents whose findings can depend on `changedPath` (its home, or every home for ports). */
  scheduleDependents(changedPath: string | undefined, delay: number, except?: string): void {
    for (const document of this.deps.documents.all()) {
      if (document.uri === except) continue;
      const path = this.toPath(document.uri);
      if (path && this.deps.service.dependsOn(path, changedPath)) this.schedule(document, delay);
    }
  }

  /**
   * Publishes diagnostics for every covered file of every product home in the workspace, open or not, as it goes, and
   * answers how many files and findings there were. Closed files keep these diagnostics until they are opened and
   * closed. Reports LSP work-done progress (on the client's token, or on one the server creates when the client
   * supports `window.workDoneProgress`) and stops when the request or the progress is cancelled. Between files it
   * yields to the event loop, so edits and the validation of open documents are not kept waiting behind it.
   */
  async validateWorkspace(request: { token?: CancellationToken; workDoneToken?: ProgressToken; serverProgress?: boolean } = {}): Promise<ValidateWorkspaceResult> {
    const { connection, documents, service } = this.deps;
    const progress = await WorkspaceProgress.start(connection, request);
    const cancelled = () => request.token?.isCancellationRequested === true || progress.cancelled;
    let fileCount = 0;
    let findingCount = 0;
    // Open documents edited during the pass are validated again after it: inside it, facts were taken as they stood.
    const versionsBefore = new Map(documents.all().map((d) => [d.uri, d.version]));
    try {
      return await service.inPass(() => this.validateHomes(progress, cancelled, (files, findings) => ((fileCount = files), (findingCount = findings))));
    } finally {
      progress.done(`${fileCount} files, ${findingCount} findings`);
      if (documents.all().some((d) => versionsBefore.get(d.uri) !== d.version)) this.scheduleDependents(undefined, 0);
    }
  }

  private async validateHomes(progress: WorkspaceProgress, cancelled: () => boolean, counted: (files: number, findings: number) => void): Promise<ValidateWorkspaceResult> {
    const { documents, service, files } = this.deps;
    let fileCount = 0;
    let findingCount = 0;
    // Files whose findings comparing their home with every other (port-conflict) wait for the end of the pass, when
    // every home's facts are known: each file is then parsed once, whatever the number of homes (the parse cache holds
    // 128). They are published once, complete; a cancelled pass leaves their earlier diagnostics as they were.
    const waiting: { uri: string; positions: Positions; findings: Finding[]; crossHome: CrossHomeCheck }[] = [];
    try {
      await this.deps.rescanHomes();
      const homes = this.deps.knownHomes();
      for (const [index, home] of homes.entries()) {
        progress.report(`${home.homeDir} (${index + 1} of ${homes.length} homes)`, Math.floor((index * 100) / Math.max(homes.length, 1)));
        const paths = await service.homeFiles(home);
        for (const i of service.passOrder(paths)) {
          const path = paths[i];
          await yieldToEventLoop();
          if (cancelled()) return { files: fileCount, findings: findingCount, cancelled: true };
          const uri = pathToFileURL(path).toString();
          const open = documents.get(uri);
          if (open) {
            await this.validateSafely(open);
            fileCount++;
            continue;
          }
          const content = await files.read(path);
          if (!content) continue;
          const settings = this.deps.settingsFor(path);
          if (!isIncluded(path, this.deps.roots(), settings)) continue;
          const result = await service.analyse({ path, content, settings, deferCrossHome: true });
          if (!result.location) continue;
          fileCount++;
          findingCount += result.findings.length;
          // The analysis's line index places the findings (kept for a waiting file: its lines, not its text).
          const positions: Positions = result.lines ?? TextDocument.create(uri, 'plaintext', 0, result.text ?? '');
          if (result.crossHome) waiting.push({ uri, positions, findings: result.findings, crossHome: result.crossHome });
          else await this.publishClosed(uri, positions, result.findings);
        }
      }
      for (const { uri, positions, findings, crossHome } of waiting) {
        await yieldToEventLoop();
        if (cancelled()) return { files: fileCount, findings: findingCount, cancelled: true };
        const more = await crossHome.findings();
        findingCount += more.length;
        // Opened since its turn in the pass: the editor's text is validated by its own events, not replaced by the disk's.
        if (documents.get(uri)) continue;
        await this.publishClosed(uri, positions, more.length === 0 ? findings : [...findings, ...more].sort(compareFindings));
      }
      return { files: fileCount, findings: findingCount };
    } finally {
      counted(fileCount, findingCount);
    }
  }

  /** Diagnostics of a file that is not open (a workspace validation), when there are some or were some before. */
  private async publishClosed(uri: string, positions: Positions, findings: readonly Finding[]): Promise<void> {
    const diagnostics = findings.slice(0, MAX_DIAGNOSTICS_PER_DOCUMENT).map((f) => this.toDiagnostic(positions, f));
    if (diagnostics.length > 0 || this.published.has(uri)) {
      this.published.add(uri);
      await this.deps.connection.sendDiagnostics({ uri, diagnostics });
    }
  }
}

/** What places a finding: an open document, or an analysis's line index (LineIndex gives LSP positions). */
type Positions = Pick<TextDocument, 'positionAt'>;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Work-done progress of a workspace validation: on the client's token, on one the server created, or none. */
class WorkspaceProgress {
  private constructor(
    private readonly send: ((value: WorkDoneProgressValue) => void) | undefined,
    private readonly serverToken: CancellationToken | undefined,
  ) {}

  static async start(connection: Connection, request: { workDoneToken?: ProgressToken; serverProgress?: boolean }): Promise<WorkspaceProgress> {
    const begin: WorkDoneProgressValue = { kind: 'begin', title: 'WSO2 Config: validating the workspace', cancellable: true, percentage: 0 };
    if (request.workDoneToken !== undefined) {
      const token = request.workDoneToken;
      const progress = new WorkspaceProgress((value) => void connection.sendProgress(WorkDoneProgress.type, token, value), undefined);
      progress.send!(begin);
      return progress;
    }
    if (request.serverProgress) {
      try {
        const reporter = await connection.window.createWorkDoneProgress();
        reporter.begin(begin.title, 0, undefined, true);
        return new WorkspaceProgress((value) => {
          if (value.kind === 'report') reporter.report(value.percentage ?? 0, value.message ?? '');
          else if (value.kind === 'end') reporter.done();
        }, reporter.token);
      } catch {
        // The client refused to create the progress: validate without it.
      }
    }
    return new WorkspaceProgress(undefined, undefined);
  }

  get cancelled(): boolean {
    return this.serverToken?.isCancellationRequested === true;
  }

  report(message: string, percentage: number): void {
    this.send?.({ kind: 'report', message, percentage, cancellable: true });
  }

  done(message: string): void {
    this.send?.({ kind: 'end', message });
  }
}

type WorkDoneProgressValue =
  | { kind: 'begin'; title: string; cancellable?: boolean; message?: string; percentage?: number }
  | { kind: 'report'; cancellable?: boolean; message?: string; percentage?: number }
  | { kind: 'end'; message?: string };
