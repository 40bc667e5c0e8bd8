import { pathToFileURL } from 'node:url';
import { Connection, Diagnostic, DiagnosticSeverity, TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { FileContent, FileSource, Finding, ProductHome, SETTINGS_FILE_NAME, Settings, Severity, WorkspaceService, basename, isIncluded, ruleDocsUrl } from '../../service';
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

  toDiagnostic(document: TextDocument, finding: Finding): Diagnostic {
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
   * Publishes diagnostics for every covered file of every product home in the workspace, open or not, and answers
   * how many files and findings there were. Closed files keep these diagnostics until they are opened and closed.
   */
  async validateWorkspace(): Promise<ValidateWorkspaceResult> {
    const { connection, documents, service, files } = this.deps;
    await this.deps.rescanHomes();
    let fileCount = 0;
    let findingCount = 0;
    for (const home of this.deps.knownHomes()) {
      for (const path of await service.homeFiles(home)) {
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
        const result = await service.analyse({ path, content, settings });
        if (!result.location) continue;
        fileCount++;
        findingCount += result.findings.length;
        const document = TextDocument.create(uri, service.kinds.find((k) => k.recognise(path))?.languageId ?? 'plaintext', 0, result.text ?? '');
        const diagnostics = result.findings.slice(0, MAX_DIAGNOSTICS_PER_DOCUMENT).map((f) => this.toDiagnostic(document, f));
        if (diagnostics.length > 0 || this.published.has(uri)) {
          this.published.add(uri);
          await connection.sendDiagnostics({ uri, diagnostics });
        }
      }
    }
    return { files: fileCount, findings: findingCount };
  }
}
