import assert from 'node:assert/strict';
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageConnection, createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type {
  ApplyWorkspaceEditParams,
  ApplyWorkspaceEditResult,
  ClientCapabilities,
  CodeAction,
  Command,
  ConfigurationParams,
  Diagnostic,
  InitializeParams,
  InitializeResult,
  PublishDiagnosticsParams,
  Range,
  RegistrationParams,
  TextDocumentContentChangeEvent,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { projectRoot } from '../helpers';

/**
 * A small LSP client for tests: spawns the real `wso2-config-language-server --stdio` bin, speaks JSON-RPC to it, and
 * records everything the server says (every byte of stdout and stderr, every notification), so tests can wait for the
 * next publishDiagnostics of a document instead of sleeping, and can check that nothing the server wrote holds a secret.
 */

export const DEFAULT_TIMEOUT_MS = 10_000;

/** A client that applies workspace edits (documentChanges, creating files) and takes code action literals and diagnostic data. */
export const EDITING_CLIENT_CAPABILITIES = {
  workspace: { configuration: true, applyEdit: true, workspaceEdit: { documentChanges: true, resourceOperations: ['create' as const] } },
  textDocument: {
    publishDiagnostics: { dataSupport: true, codeDescriptionSupport: true },
    codeAction: { dataSupport: true, codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source'] } } },
  },
} satisfies ClientCapabilities;

export interface Notification {
  method: string;
  params: unknown;
}

export interface StartOptions {
  /** Answer to each item of a `workspace/configuration` request (the `wso2Config` section). */
  configuration?: unknown;
  extraArgs?: string[];
  /** Runs this command (e.g. an installed `wso2-config-language-server`) instead of the repository's bin through node. */
  command?: { file: string; cwd: string; env?: NodeJS.ProcessEnv };
}

export class TestServer {
  readonly child: ChildProcessWithoutNullStreams;
  readonly connection: MessageConnection;
  /** Every notification the server sent, in order. */
  readonly notifications: Notification[] = [];
  /** Every publishDiagnostics, in order. */
  readonly publishes: PublishDiagnosticsParams[] = [];
  /** Methods of the requests the server sent to the client, in order. */
  readonly serverRequests: { method: string; params: unknown }[] = [];
  /** What `workspace/configuration` answers; tests may change it before sending didChangeConfiguration. */
  configuration: unknown;
  /** Resolves when the process exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exitCode: number | null | undefined;

  private readonly stdout: Buffer[] = [];
  private readonly stderr: Buffer[] = [];
  private readonly waiters = new Set<{ check: () => boolean; fail: (error: Error) => void }>();

  private constructor(options: StartOptions) {
    this.configuration = options.configuration ?? {};
    const args = ['--stdio', ...(options.extraArgs ?? [])];
    if (options.command) {
      const { file, cwd, env } = options.command;
      this.child = spawn(file, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    } else {
      const bin = path.join(projectRoot(), 'bin', 'wso2-config-language-server');
      // Through the current node, so the test does not depend on the shebang or the PATH; the bin is the same file.
      this.child = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    }
    this.child.stdout.on('data', (chunk: Buffer) => this.stdout.push(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk));
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exitCode = code;
        resolve({ code, signal });
        for (const waiter of this.waiters) waiter.fail(new Error(`the server exited (code ${code}, signal ${signal}); stderr:\n${this.stderrText()}`));
      });
    });
    // Writes after the process died raise EPIPE on stdin; the exit handler above reports the real problem.
    this.child.stdin.on('error', () => undefined);

    this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout), new StreamMessageWriter(this.child.stdin));
    this.connection.onNotification((method: string, params: unknown) => {
      this.notifications.push({ method, params });
      if (method === 'textDocument/publishDiagnostics') this.publishes.push(params as PublishDiagnosticsParams);
      for (const waiter of [...this.waiters]) waiter.check();
    });
    this.connection.onRequest('workspace/configuration', (params: ConfigurationParams) => {
      this.serverRequests.push({ method: 'workspace/configuration', params });
      return params.items.map(() => this.configuration);
    });
    this.connection.onRequest('client/registerCapability', (params: RegistrationParams) => {
      this.serverRequests.push({ method: 'client/registerCapability', params });
      return null;
    });
    this.connection.onRequest((method: string, params: unknown) => {
      this.serverRequests.push({ method, params });
      return null;
    });
    this.connection.listen();
  }

  static start(options: StartOptions = {}): TestServer {
    return new TestServer(options);
  }

  /** initialize then initialized. Capabilities default to a client with workspace/configuration and watched files. */
  async initialize(params: { rootPath: string; capabilities?: ClientCapabilities; initializationOptions?: unknown }): Promise<InitializeResult> {
    const rootUri = fileUri(params.rootPath);
    const initializeParams: InitializeParams = {
      processId: process.pid,
      clientInfo: { name: 'wso2-config-lsp-tests' },
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: path.basename(params.rootPath) }],
      capabilities: params.capabilities ?? {
        workspace: { configuration: true, workspaceFolders: true, didChangeWatchedFiles: { dynamicRegistration: true } },
        textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true } },
      },
      ...(params.initializationOptions !== undefined ? { initializationOptions: params.initializationOptions } : {}),
    };
    const result = await withTimeout(this.connection.sendRequest<InitializeResult>('initialize', initializeParams), DEFAULT_TIMEOUT_MS, 'initialize');
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  open(uri: string, text: string, version = 1, languageId = 'xml'): Promise<void> {
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  change(uri: string, version: number, contentChanges: TextDocumentContentChangeEvent[]): Promise<void> {
    return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
  }

  close(uri: string): Promise<void> {
    return this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** Publishes received so far for one document. */
  publishesFor(uri: string): PublishDiagnosticsParams[] {
    return this.publishes.filter((p) => p.uri === uri);
  }

  /**
   * The first publishDiagnostics for `uri`, received from now on (or from index `since` of `publishes`), that satisfies
   * `accept`. Rejects after the timeout, listing what did arrive, or at once when the server exits.
   */
  waitForDiagnostics(
    uri: string,
    accept: (p: PublishDiagnosticsParams) => boolean = () => true,
    options: { since?: number; timeoutMs?: number; what?: string } = {},
  ): Promise<PublishDiagnosticsParams> {
    let next = options.since ?? this.publishes.length;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const waiter = {
        check: (): boolean => {
          for (; next < this.publishes.length; next++) {
            const publish = this.publishes[next];
            if (publish.uri === uri && accept(publish)) {
              finish();
              resolve(publish);
              return true;
            }
          }
          return false;
        },
        fail: (error: Error) => {
          finish();
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        const seen = this.publishesFor(uri).map((p) => `  v${p.version ?? '-'}: [${p.diagnostics.map(summarize).join(', ')}]`);
        waiter.fail(new Error(`no publishDiagnostics for ${uri}${options.what ? ` (${options.what})` : ''} within ${timeoutMs} ms; received:\n${seen.join('\n') || '  nothing'}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
      if (this.exitCode !== undefined) waiter.fail(new Error('the server is not running'));
      else waiter.check();
    });
  }

  /** Sends a request and bounds the wait. */
  request<R>(method: string, params: unknown, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<R> {
    return withTimeout(this.connection.sendRequest<R>(method, params), timeoutMs, method);
  }

  /** The quick fixes offered for one diagnostic: a textDocument/codeAction request at its range, only 'quickfix'. */
  quickFixes(uri: string, diagnostic: Diagnostic): Promise<CodeAction[]> {
    return this.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic], only: ['quickfix'] } });
  }

  /**
   * Runs a command the server carries out through workspace/applyEdit, accepts that edit and returns it, after checking
   * that the command answered `{ applied: true }` and that an edit did arrive.
   */
  async executeCommandAndAcceptEdit(command: Command): Promise<WorkspaceEdit> {
    let applied: WorkspaceEdit | undefined;
    this.connection.onRequest('workspace/applyEdit', (params: ApplyWorkspaceEditParams): ApplyWorkspaceEditResult => {
      applied = params.edit;
      return { applied: true };
    });
    assert.deepEqual(await this.request('workspace/executeCommand', command), { applied: true });
    assert.ok(applied, 'the server applied the edit through workspace/applyEdit');
    return applied;
  }

  /** Everything the server wrote to stdout (all JSON-RPC traffic) and stderr. */
  output(): string {
    return Buffer.concat(this.stdout).toString('utf8') + '\n' + this.stderrText();
  }

  stderrText(): string {
    return Buffer.concat(this.stderr).toString('utf8');
  }

  /** shutdown, then exit; resolves with the exit code. */
  async shutdown(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<number | null> {
    await this.request('shutdown', undefined, timeoutMs);
    await this.connection.sendNotification('exit');
    const { code } = await withTimeout(this.exited, timeoutMs, 'process exit after exit notification');
    this.connection.dispose();
    return code;
  }

  /** For `after`: ends the process if a test left it running. */
  async dispose(): Promise<void> {
    this.connection.dispose();
    if (this.exitCode === undefined) {
      this.child.kill('SIGKILL');
      await withTimeout(this.exited, DEFAULT_TIMEOUT_MS, 'process exit after SIGKILL').catch(() => undefined);
    }
    // No pipe may keep the test process alive once its server is gone.
    this.child.stdin.destroy();
    this.child.stdout.destroy();
    this.child.stderr.destroy();
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function fileUri(p: string): string {
  return pathToFileURL(p).toString();
}

export function summarize(d: Diagnostic): string {
  return `${d.code}@${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`;
}

/** A product home in a fresh temporary folder, written from our own small files. */
export class TempWorkspace {
  readonly root: string;

  constructor(files: Record<string, string | Uint8Array>) {
    // realpath: the server compares paths it derives from URIs, and a symlinked tmpdir would spell them differently.
    this.root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'wso2-config-lsp-')));
    for (const [relative, content] of Object.entries(files)) this.write(relative, content);
  }

  path(relative: string): string {
    return path.join(this.root, relative);
  }

  uri(relative: string): string {
    return fileUri(this.path(relative));
  }

  write(relative: string, content: string | Uint8Array): void {
    const target = this.path(relative);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }

  remove(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * The LSP range of the `occurrence`-th (0-based) match of `needle` in `text`, narrowed to `part` when given (e.g.
 * needle `<Password>wso2carbon</Password>`, part `wso2carbon`). Throws when absent, so a fixture typo fails loudly.
 */
export function rangeOf(text: string, needle: string, part: string = needle, occurrence = 0): Range {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`fixture has no occurrence ${occurrence} of ${JSON.stringify(needle)}`);
  }
  const within = needle.indexOf(part);
  if (within < 0) throw new Error(`${JSON.stringify(part)} is not part of ${JSON.stringify(needle)}`);
  const start = at + within;
  return { start: positionAt(text, start), end: positionAt(text, start + part.length) };
}

export function positionAt(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: offset - lineStart };
}

/** The text a range covers. */
export function textAt(text: string, range: Range): string {
  return text.slice(offsetAt(text, range.start), offsetAt(text, range.end));
}

export function offsetAt(text: string, position: { line: number; character: number }): number {
  let offset = 0;
  for (let line = 0; line < position.line; line++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return offset + position.character;
}

/** `text` with the LSP edits applied, last offset first so each edit's range still points at the original text. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const located = edits.map((e) => ({ start: offsetAt(text, e.range.start), end: offsetAt(text, e.range.end), newText: e.newText }));
  located.sort((a, b) => b.start - a.start || b.end - a.end);
  let result = text;
  for (const e of located) result = result.slice(0, e.start) + e.newText + result.slice(e.end);
  return result;
}

/**
 * Applies a WorkspaceEdit to the files on disk as an editor would: a created file (and its folder) first, then text
 * edits. `encoding` is how the files are read and written: latin1 keeps the bytes of ISO-8859-1 XML as they are.
 */
export function applyWorkspaceEditToDisk(edit: WorkspaceEdit, encoding: 'latin1' | 'utf8' = 'latin1'): void {
  for (const change of edit.documentChanges ?? []) {
    if ('kind' in change) {
      assert.equal(change.kind, 'create');
      const file = fileURLToPath(change.uri);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      if (!fs.existsSync(file)) fs.writeFileSync(file, '');
      continue;
    }
    const file = fileURLToPath(change.textDocument.uri);
    const text = fs.existsSync(file) ? fs.readFileSync(file, encoding) : '';
    fs.writeFileSync(file, applyTextEdits(text, change.edits), encoding);
  }
}

export function withCode(diagnostics: Diagnostic[], code: string): Diagnostic[] {
  return diagnostics.filter((d) => d.code === code);
}

export function codes(p: PublishDiagnosticsParams): string[] {
  return p.diagnostics.map((d) => String(d.code));
}
