import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MessageConnection, StreamMessageReader, StreamMessageWriter, createMessageConnection } from 'vscode-jsonrpc/node';
import type {
  ClientCapabilities,
  CodeAction,
  CreateFile,
  Diagnostic,
  Hover,
  InitializeResult,
  Location,
  PublishDiagnosticsParams,
  TextDocumentEdit,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { AskPasswordRequest, ENCRYPT_ALL_CODE_ACTION_KIND as ENCRYPT_ALL_KIND, ServerCommands } from '../../server/src/protocol';

const ASK_PASSWORD_REQUEST = AskPasswordRequest.method;
const ENCRYPT_COMMAND = ServerCommands.encryptWithSecureVault;
import { CONF, carbonXml, catalinaServerXml, userMgtXml } from './fixtures';
import { DEFAULT_TIMEOUT_MS, TempWorkspace, applyTextEdits, fileUri, rangeOf, withTimeout } from './client';
import { FAKE_CIPHER, RIGHT_PASSWORD } from './fixes-server-entry';

/**
 * The fixes feature over real JSON-RPC: a server process started from fixes-server-entry.ts (startServer with the
 * fixes feature and a fake Secure Vault planner) is driven like an editor drives it: code actions for published
 * diagnostics, their edits applied client-side and sent back as didChange, the Secure Vault command with its
 * password request, hover and go-to-definition on aliases.
 */

const TEST_TIMEOUT = { timeout: 30_000 };
const CARBON = `${CONF}/carbon.xml`;
const CATALINA = `${CONF}/tomcat/catalina-server.xml`;
const USER_MGT = `${CONF}/user-mgt.xml`;
const CIPHER_TEXT = `${CONF}/security/cipher-text.properties`;
const SECRET_CONF = `${CONF}/security/secret-conf.properties`;
const KEYSTORE_SECRET = 'keystore-Secret-4711';

const FULL_CAPABILITIES: ClientCapabilities = {
  workspace: { applyEdit: true, configuration: true, workspaceEdit: { documentChanges: true, resourceOperations: ['create', 'rename', 'delete'] } },
  textDocument: {
    publishDiagnostics: { dataSupport: true, versionSupport: true },
    codeAction: {
      codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source'] } },
      disabledSupport: true,
      isPreferredSupport: true,
      dataSupport: true,
    },
  },
};

/** What Neovim 0.7 declares, roughly: literal code actions, no resolve, no disabled; here also no documentChanges. */
const PLAIN_CAPABILITIES: ClientCapabilities = {
  workspace: { applyEdit: true, configuration: true },
  textDocument: { codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source'] } } } },
};

class FixesClient {
  readonly child: ChildProcessWithoutNullStreams;
  readonly connection: MessageConnection;
  readonly publishes: PublishDiagnosticsParams[] = [];
  readonly serverRequests: { method: string; params: unknown }[] = [];
  readonly notifications: { method: string; params: unknown }[] = [];
  /** What the client answers to wso2Config/askPassword. */
  passwordAnswer: string | null = RIGHT_PASSWORD;
  /** Edits applied through workspace/applyEdit, to the texts of `texts`. */
  readonly applied: WorkspaceEdit[] = [];
  /** The client's view of the files it edited (uri -> text), filled by `open` and by applied edits. */
  readonly texts = new Map<string, string>();
  readonly versions = new Map<string, number>();
  private readonly output: Buffer[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(extraArgs: string[] = []) {
    const entry = path.join(__dirname, 'fixes-server-entry.js');
    this.child = spawn(process.execPath, [entry, '--stdio', ...extraArgs], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk: Buffer) => this.output.push(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => this.output.push(chunk));
    this.child.stdin.on('error', () => undefined);
    this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout), new StreamMessageWriter(this.child.stdin));
    this.connection.onNotification((method: string, params: unknown) => {
      this.notifications.push({ method, params });
      if (method === 'textDocument/publishDiagnostics') this.publishes.push(params as PublishDiagnosticsParams);
      for (const waiter of [...this.waiters]) waiter();
    });
    this.connection.onRequest((method: string, params: unknown) => {
      this.serverRequests.push({ method, params });
      for (const waiter of [...this.waiters]) waiter();
      if (method === 'workspace/configuration') return (params as { items: unknown[] }).items.map(() => ({}));
      if (method === ASK_PASSWORD_REQUEST) return this.passwordAnswer;
      if (method === 'workspace/applyEdit') {
        const edit = (params as { edit: WorkspaceEdit }).edit;
        this.applied.push(edit);
        this.applyLocally(edit);
        return { applied: true };
      }
      return null;
    });
    this.connection.listen();
  }

  async initialize(rootPath: string, capabilities: ClientCapabilities): Promise<InitializeResult> {
    const rootUri = fileUri(rootPath);
    const result = await withTimeout(
      this.connection.sendRequest<InitializeResult>('initialize', { processId: process.pid, rootUri, workspaceFolders: [{ uri: rootUri, name: 'w' }], capabilities }),
      DEFAULT_TIMEOUT_MS,
      'initialize',
    );
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  async open(uri: string, text: string): Promise<void> {
    this.texts.set(uri, text);
    this.versions.set(uri, 1);
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'xml', version: 1, text } });
  }

  /** Sends the client's current text of `uri` as a full-document change. */
  async sync(uri: string): Promise<void> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text: this.texts.get(uri)! }] });
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return withTimeout(this.connection.sendRequest<R>(method, params), DEFAULT_TIMEOUT_MS, method);
  }

  /** Resolves when `check` holds, re-checked on every message from the server. */
  until<T>(check: () => T | undefined, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const attempt = () => {
        const value = check();
        if (value !== undefined) {
          finish();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out waiting for ${what}`));
      }, DEFAULT_TIMEOUT_MS);
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(attempt);
      };
      this.waiters.add(attempt);
      attempt();
    });
  }

  /** The latest diagnostics of `uri` for its current version, once they satisfy `accept`. */
  diagnostics(uri: string, accept: (d: Diagnostic[]) => boolean = () => true, what = uri): Promise<Diagnostic[]> {
    return this.until(() => {
      const latest = this.publishes.filter((p) => p.uri === uri).pop();
      return latest && latest.version === this.versions.get(uri) && accept(latest.diagnostics) ? latest.diagnostics : undefined;
    }, `diagnostics of ${what}`);
  }

  codeActions(uri: string, diagnostics: Diagnostic[], extra: { only?: string[]; triggerKind?: number | undefined } = {}): Promise<CodeAction[]> {
    const range = diagnostics[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    // Automatic by default, as VS Code asks for the light bulb whenever the cursor moves.
    return this.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics, triggerKind: 2, ...extra } });
  }

  /** Applies a WorkspaceEdit to the texts the client holds (reading unknown files from disk), as an editor would. */
  applyLocally(edit: WorkspaceEdit): void {
    const textOf = (uri: string) => this.texts.get(uri) ?? (fs.existsSync(new URL(uri)) ? fs.readFileSync(new URL(uri), 'utf8') : undefined);
    for (const change of edit.documentChanges ?? []) {
      if ('kind' in change) {
        assert.equal(change.kind, 'create');
        assert.equal(textOf((change as CreateFile).uri), undefined, 'CreateFile for a file that exists');
        this.texts.set((change as CreateFile).uri, '');
        continue;
      }
      const documentEdit = change as TextDocumentEdit;
      const uri = documentEdit.textDocument.uri;
      const version = documentEdit.textDocument.version;
      if (version !== null) assert.equal(version, this.versions.get(uri), 'the edit targets the open version');
      this.texts.set(uri, applyTextEdits(textOf(uri)!, documentEdit.edits as TextEdit[]));
    }
    for (const [uri, edits] of Object.entries(edit.changes ?? {})) this.texts.set(uri, applyTextEdits(textOf(uri) ?? '', edits));
  }

  outputText(): string {
    return Buffer.concat(this.output).toString('utf8');
  }

  async dispose(): Promise<void> {
    this.connection.dispose();
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.on('exit', resolve));
      this.child.kill('SIGKILL');
      await exited;
    }
  }
}

function titles(actions: CodeAction[]): string[] {
  return actions.map((a) => a.title);
}

function byCode(diagnostics: Diagnostic[], code: string): Diagnostic[] {
  return diagnostics.filter((d) => d.code === code);
}

/** carbon.xml whose keystore passwords are our own secret, with the root carrying the Secure Vault namespace. */
function carbonWithSecret(): string {
  return carbonXml({ keystorePassword: KEYSTORE_SECRET });
}

describe('code actions with a full client (VS Code-like)', () => {
  let workspace: TempWorkspace;
  let client: FixesClient;
  let capabilities: InitializeResult['capabilities'];

  before(async () => {
    workspace = new TempWorkspace({
      [CARBON]: carbonWithSecret(),
      [CATALINA]: catalinaServerXml({ keystorePass: KEYSTORE_SECRET }),
      [USER_MGT]: userMgtXml({ adminPassword: 'admin-Secret-1' }),
      [CIPHER_TEXT]: '# Secure Vault aliases\nUserManager.AdminUser.Password=[admin]\n',
    });
    client = new FixesClient();
    capabilities = (await client.initialize(workspace.root, FULL_CAPABILITIES)).capabilities;
  });

  after(async () => {
    await client.dispose();
    workspace.remove();
  });

  test('capabilities: code actions of both kinds, the command, hover and definition', TEST_TIMEOUT, () => {
    assert.deepEqual(capabilities.codeActionProvider, { codeActionKinds: ['quickfix', ENCRYPT_ALL_KIND] });
    assert.ok(capabilities.executeCommandProvider?.commands.includes(ENCRYPT_COMMAND), JSON.stringify(capabilities.executeCommandProvider));
    assert.equal(capabilities.hoverProvider, true);
    assert.equal(capabilities.definitionProvider, true);
    assert.equal(ENCRYPT_ALL_KIND, 'source.wso2-config.encryptAll');
  });

  test('TLS: the quick fix carries a versioned edit that clears the finding; suppressions follow', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(CATALINA);
    await client.open(uri, catalinaServerXml({ keystorePass: KEYSTORE_SECRET }));
    const diagnostics = await client.diagnostics(uri, (d) => byCode(d, 'weak-tls-protocol').length > 0);
    const weak = byCode(diagnostics, 'weak-tls-protocol')[0];
    const actions = await client.codeActions(uri, [weak]);
    // The product is unknown (no product name or version in carbon.xml): the safe list, then TLS 1.3 as its own action.
    assert.deepEqual(titles(actions), [
      'Set sslEnabledProtocols to TLSv1.2 (what Java 7 and Java 8 can use: the product version is unknown)',
      'TLS 1.3, Java 11 and later (or 8u261 and later) only: set sslEnabledProtocols to TLSv1.2,TLSv1.3. Tomcat drops the names the JDK lacks (JSSESocketFactory), and when none is left every handshake fails',
      'Disable weak-tls-protocol for this file',
    ]);
    const [fix, tls13, suppress] = actions;
    assert.equal(fix.kind, 'quickfix');
    assert.equal(fix.isPreferred, true);
    assert.equal(tls13.kind, 'quickfix');
    assert.equal(tls13.isPreferred, undefined, 'never the preferred fix');
    assert.deepEqual(fix.diagnostics, [weak]);
    assert.equal(suppress.isPreferred, undefined);
    const change = fix.edit!.documentChanges![0] as TextDocumentEdit;
    assert.deepEqual(change.textDocument, { uri, version: 1 });
    assert.equal(change.edits.length, 1);
    assert.equal(change.edits[0].newText, 'TLSv1.2');

    client.applyLocally(fix.edit!);
    await client.sync(uri);
    const after = await client.diagnostics(uri, () => true, 'after the TLS fix');
    assert.deepEqual(byCode(after, 'weak-tls-protocol'), []);
    assert.ok(byCode(after, 'weak-tls-ciphers').length > 0, 'other findings stay');
    assert.ok(client.texts.get(uri)!.includes('sslEnabledProtocols="TLSv1.2"'));
  });

  test('a diagnostic without data (clients that drop it) and a stale one', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(CATALINA);
    const diagnostics = await client.diagnostics(uri);
    const ciphers = byCode(diagnostics, 'weak-tls-ciphers')[0];
    const { data: _dropped, ...withoutData } = ciphers;
    void _dropped;
    // Java 7 (possible for an unknown product) knows no AES-GCM suite: the list comes as a labelled Java 8 action.
    assert.deepEqual(titles(await client.codeActions(uri, [withoutData])).slice(0, 1), [
      "Java 8 and later only (Java 7 lacks the AES-GCM suites): set ciphers to the intermediate profile's 6 of 12 cipher suites. Tomcat drops the names the JDK lacks (JSSESocketFactory), and when none is left every handshake fails",
    ]);
    const moved = { ...ciphers, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } };
    assert.deepEqual(await client.codeActions(uri, [moved]), [], 'a diagnostic the server no longer has gets no action');
    const foreign = { ...ciphers, source: 'other-linter' };
    assert.deepEqual(await client.codeActions(uri, [foreign]), []);
    assert.deepEqual(await client.codeActions(uri, [ciphers], { only: ['refactor'] }), [], 'only quick fixes and our source action are offered');
  });

  test('Secure Vault without a password: the action runs the command with the files\' bases; one edit, one undo, for XML and cipher-text', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(CARBON);
    await client.open(uri, carbonWithSecret());
    const diagnostics = await client.diagnostics(uri, (d) => byCode(d, 'plaintext-password').length > 0);
    const password = byCode(diagnostics, 'plaintext-password')[0];
    const actions = await client.codeActions(uri, [password]);
    assert.deepEqual(titles(actions), ['Encrypt with Secure Vault', 'Disable plaintext-password for this line', 'Disable plaintext-password for this file']);
    const encrypt = actions[0];
    assert.equal(encrypt.kind, 'quickfix');
    assert.equal(encrypt.isPreferred, true);
    // cipher-text.properties is not open: an edit would reach it without a version, so the command checks it first.
    assert.equal(encrypt.edit, undefined);
    assert.equal(encrypt.command!.command, ENCRYPT_COMMAND);
    const [argUri, target, options] = encrypt.command!.arguments as [string, { range: unknown }, { bases: { path: string; state: string }[] }];
    assert.equal(argUri, uri);
    assert.deepEqual(target.range, password.range);
    assert.deepEqual(options.bases.map((b) => [b.path, b.state]), [
      [path.join(workspace.root, CARBON), 'text'],
      [path.join(workspace.root, CIPHER_TEXT), 'text'],
    ]);
    assert.ok(!JSON.stringify(actions).includes(KEYSTORE_SECRET), 'no action holds the secret');

    const applied = client.applied.length;
    assert.deepEqual(await client.request('workspace/executeCommand', encrypt.command), { applied: true });
    assert.equal(client.applied.length, applied + 1, 'one workspace/applyEdit: one undo');
    const changes = client.applied.at(-1)!.documentChanges!;
    assert.deepEqual(changes.map((c) => ('kind' in c ? `create ${(c as CreateFile).uri}` : `${c.textDocument.uri}@${c.textDocument.version}`)), [`${uri}@1`, `${workspace.uri(CIPHER_TEXT)}@null`]);
    await client.sync(uri);
    const after = await client.diagnostics(uri, () => true, 'after encrypting');
    assert.equal(byCode(after, 'plaintext-password').length, byCode(diagnostics, 'plaintext-password').length - 1);
    assert.ok(client.texts.get(workspace.uri(CIPHER_TEXT))!.endsWith(`UserManager.AdminUser.Password=[admin]\nCarbon.Security.KeyStore.Password=${FAKE_CIPHER}\n`));
  });

  test('suppression actions make the finding disappear', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(CARBON);
    const diagnostics = await client.diagnostics(uri);
    const password = byCode(diagnostics, 'plaintext-password')[0];
    const line = (await client.codeActions(uri, [password])).find((a) => a.title === 'Disable plaintext-password for this line')!;
    client.applyLocally(line.edit!);
    await client.sync(uri);
    const after = await client.diagnostics(uri, () => true, 'after the line suppression');
    assert.equal(byCode(after, 'plaintext-password').length, byCode(diagnostics, 'plaintext-password').length - 1);
    assert.match(client.texts.get(uri)!, /\n {12}<!-- wso2-config-disable-next-line plaintext-password -->\n {12}<KeyPassword>/);

    const file = (await client.codeActions(uri, [byCode(after, 'plaintext-password')[0]])).find((a) => a.title === 'Disable plaintext-password for this file')!;
    client.applyLocally(file.edit!);
    await client.sync(uri);
    assert.deepEqual(byCode(await client.diagnostics(uri, () => true, 'after the file suppression'), 'plaintext-password'), []);
  });

  test('a PKCS#12 keystore: the action carries a command; the command asks for the password and applies the edit', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(CATALINA);
    const diagnostics = await client.diagnostics(uri);
    const password = byCode(diagnostics, 'plaintext-password')[0];
    const actions = await client.codeActions(uri, [password]);
    const encrypt = actions[0];
    assert.equal(encrypt.title, 'Encrypt with Secure Vault…');
    assert.equal(encrypt.edit, undefined);
    assert.equal(encrypt.isPreferred, true);
    assert.equal(encrypt.command!.command, ENCRYPT_COMMAND);
    assert.deepEqual(encrypt.command!.arguments![0], uri);
    assert.deepEqual((encrypt.command!.arguments![1] as { range: unknown }).range, password.range);

    const [all] = await client.codeActions(uri, [], { only: [ENCRYPT_ALL_KIND] });
    assert.equal(all.title, 'Encrypt all plaintext passwords in this file…');
    assert.equal(all.edit, undefined);
    assert.deepEqual(all.command, { title: 'Encrypt all plaintext passwords in this file', command: ENCRYPT_COMMAND, arguments: [uri] });

    // Cancelled: nothing is applied.
    const appliedBefore = client.applied.length;
    client.passwordAnswer = null;
    const asked = client.serverRequests.length;
    await client.request('workspace/executeCommand', encrypt.command);
    const prompts = client.serverRequests.slice(asked).filter((r) => r.method === ASK_PASSWORD_REQUEST);
    assert.equal(prompts.length, 1);
    const prompt = prompts[0].params as { prompt: string; keystorePath: string };
    assert.equal(prompt.keystorePath, path.join(workspace.root, 'product/repository/resources/security/test.p12'));
    assert.ok(prompt.prompt.includes(prompt.keystorePath));
    assert.equal(client.applied.length, appliedBefore);

    // Wrong password: a message, no edit.
    client.passwordAnswer = 'wrong-password';
    await client.request('workspace/executeCommand', encrypt.command);
    const shown = client.serverRequests.filter((r) => r.method === 'window/showMessageRequest').pop()!.params as { type: number; message: string };
    assert.equal(shown.type, 1);
    assert.match(shown.message, /could not be opened/);
    assert.ok(!shown.message.includes('wrong-password'));
    assert.equal(client.applied.length, appliedBefore);

    // The right one: one workspace/applyEdit with the XML and cipher-text changes.
    client.passwordAnswer = RIGHT_PASSWORD;
    await client.request('workspace/executeCommand', encrypt.command);
    assert.equal(client.applied.length, appliedBefore + 1);
    const applied = client.applied.at(-1)!.documentChanges!;
    assert.deepEqual((applied[0] as TextDocumentEdit).textDocument, { uri, version: client.versions.get(uri) });
    await client.sync(uri);
    const after = await client.diagnostics(uri, () => true, 'after the command');
    assert.deepEqual(byCode(after, 'plaintext-password'), []);
    assert.ok(client.texts.get(uri)!.includes('keystorePass="password"'));
  });

  test('an error of the planner: a disabled action with its reason', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(USER_MGT);
    await client.open(uri, userMgtXml({ adminPassword: 'admin-Secret-1' }));
    const diagnostics = await client.diagnostics(uri, (d) => byCode(d, 'plaintext-password').length > 0);
    const actions = await client.codeActions(uri, [byCode(diagnostics, 'plaintext-password')[0]]);
    assert.equal(actions[0].title, 'Encrypt with Secure Vault');
    assert.equal(actions[0].edit, undefined);
    assert.match(actions[0].disabled!.reason, /^Keystore not found: /);
  });

  test('the source action encrypts every password of the file, only when asked for', TEST_TIMEOUT, async () => {
    // carbon.xml's passwords were suppressed above: a fresh copy in a second home.
    const second = `other/repository/conf/carbon.xml`;
    workspace.write(second, carbonWithSecret());
    const secondUri = workspace.uri(second);
    await client.open(secondUri, carbonWithSecret());
    const secondDiagnostics = await client.diagnostics(secondUri, (d) => byCode(d, 'plaintext-password').length > 1);
    // Automatic requests (cursor moves) do not compute it.
    assert.deepEqual(await client.codeActions(secondUri, [], { triggerKind: 2 }), []);
    const actions = await client.codeActions(secondUri, [], { only: ['source'] });
    assert.deepEqual(titles(actions), ['Encrypt all plaintext passwords in this file']);
    assert.equal(actions[0].kind, ENCRYPT_ALL_KIND);
    assert.equal(actions[0].diagnostics, undefined);
    assert.equal(actions[0].isPreferred, undefined);
    const invoked = await client.codeActions(secondUri, [], { triggerKind: 1 });
    assert.deepEqual(titles(invoked), ['Encrypt all plaintext passwords in this file']);
    const oldClient = await client.codeActions(secondUri, [], { triggerKind: undefined });
    assert.deepEqual(titles(oldClient), ['Encrypt all plaintext passwords in this file'], 'clients without triggerKind only ask when the user does');
    assert.deepEqual(await client.codeActions(secondUri, [], { only: ['quickfix'] }), []);
    assert.equal(actions[0].edit, undefined);
    assert.deepEqual(actions[0].command!.arguments!.slice(0, 2), [secondUri, null], 'the whole file');
    assert.deepEqual(await client.request('workspace/executeCommand', actions[0].command), { applied: true });
    assert.ok(client.texts.get(fileUri(path.join(workspace.root, 'other/repository/conf/security/cipher-text.properties')))!.split('\n').length > byCode(secondDiagnostics, 'plaintext-password').length, 'the new cipher-text file has a line per password');
    await client.sync(secondUri);
    assert.deepEqual(byCode(await client.diagnostics(secondUri, () => true, 'after encrypting all'), 'plaintext-password'), []);
  });

  test('nothing the server wrote holds a secret or the keystore password', TEST_TIMEOUT, () => {
    const output = client.outputText();
    assert.ok(!output.includes(RIGHT_PASSWORD));
    assert.ok(!output.includes('wrong-password'));
  });
});

describe('hover and go to definition on Secure Vault aliases', () => {
  let workspace: TempWorkspace;
  let client: FixesClient;
  const protectedCarbon = carbonXml()
    .replace('<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">', '<Server xmlns="http://wso2.org/projects/carbon/carbon.xml" xmlns:svns="http://org.wso2.securevault/configuration">')
    .replace('<Password>wso2carbon</Password>\n            <KeyAlias>', '<Password svns:secretAlias="Carbon.Security.KeyStore.Password">password</Password>\n            <KeyAlias>')
    .replace('<KeyPassword>wso2carbon</KeyPassword>', '<KeyPassword svns:secretAlias="Carbon.Security.KeyStore.KeyPassword">password</KeyPassword>')
    .replace('<Password>wso2carbon</Password>\n        </TrustStore>', '<Password svns:secretAlias="Carbon.Security.TrustStore.Password">password</Password>\n        </TrustStore>');

  before(async () => {
    workspace = new TempWorkspace({
      [CARBON]: protectedCarbon,
      [CIPHER_TEXT]: `#Sun Nov 22 06:47:42 UTC 2026\nCarbon.Security.KeyStore.KeyPassword=[wso2carbon]\nCarbon.Security.KeyStore.Password=${'QUJD'.repeat(85)}QQ\\=\\=\n`,
      [SECRET_CONF]: '#secretRepositories=file\n#keystore.identity.location=repository/resources/security/wso2carbon.jks\n',
    });
    client = new FixesClient(['--no-planner']);
    await client.initialize(workspace.root, FULL_CAPABILITIES);
    await client.open(workspace.uri(CARBON), protectedCarbon);
  });

  after(async () => {
    await client.dispose();
    workspace.remove();
  });

  const at = (needle: string, part: string) => ({ textDocument: { uri: workspace.uri(CARBON) }, position: rangeOf(protectedCarbon, needle, part).start });

  test('hover on an alias with an encrypted value: says so, and that secret-conf.properties is commented out', TEST_TIMEOUT, async () => {
    const hover = await client.request<Hover>('textDocument/hover', at('svns:secretAlias="Carbon.Security.KeyStore.Password"', 'KeyStore.Password'));
    const value = (hover.contents as { kind: string; value: string }).value;
    assert.equal((hover.contents as { kind: string }).kind, 'markdown');
    assert.equal(
      value,
      [
        '**Secure Vault alias** `Carbon.Security.KeyStore.Password`',
        '',
        '- `product/repository/conf/security/cipher-text.properties`: holds an encrypted value for this alias (line 3).',
        '- `product/repository/conf/security/secret-conf.properties`: is entirely commented out, so Secure Vault is not initialised and the server uses the literal placeholder `password`.',
      ].join('\n').replace(/product\//g, ''),
    );
    assert.deepEqual(hover.range, rangeOf(protectedCarbon, 'svns:secretAlias="Carbon.Security.KeyStore.Password"', 'svns:secretAlias="Carbon.Security.KeyStore.Password'));
  });

  test('hover: a plaintext [value], a missing alias, and nothing outside alias attributes', TEST_TIMEOUT, async () => {
    const plain = await client.request<Hover>('textDocument/hover', at('svns:secretAlias="Carbon.Security.KeyStore.KeyPassword"', 'svns'));
    assert.match((plain.contents as { value: string }).value, /holds this password in plain text, in the `\[…\]` form \(line 2\)/);
    assert.ok(!(plain.contents as { value: string }).value.includes('wso2carbon'), 'the hover never shows the value');
    const missing = await client.request<Hover>('textDocument/hover', at('svns:secretAlias="Carbon.Security.TrustStore.Password"', 'TrustStore'));
    assert.match((missing.contents as { value: string }).value, /has no value for this alias/);
    assert.equal(await client.request('textDocument/hover', at('<KeyAlias>wso2carbon</KeyAlias>', 'wso2carbon')), null);
  });

  test('definition jumps from the alias value to its line in cipher-text.properties', TEST_TIMEOUT, async () => {
    const location = await client.request<Location>('textDocument/definition', at('svns:secretAlias="Carbon.Security.KeyStore.Password"', 'Carbon.Security'));
    assert.deepEqual(location, {
      uri: workspace.uri(CIPHER_TEXT),
      range: { start: { line: 2, character: 0 }, end: { line: 2, character: 'Carbon.Security.KeyStore.Password'.length } },
    });
    assert.equal(await client.request('textDocument/definition', at('svns:secretAlias="Carbon.Security.TrustStore.Password"', 'TrustStore')), null);
  });

  test('a configured secret-conf.properties and its cipher-text location are honoured', TEST_TIMEOUT, async () => {
    workspace.write(SECRET_CONF, 'carbon.secretProvider=org.wso2.securevault.secret.handler.SecretManagerSecretCallbackHandler\nsecretRepositories=file\nsecretRepositories.file.location=repository/conf/security/other-cipher-text.properties\n');
    workspace.write(`${CONF}/security/other-cipher-text.properties`, 'Carbon.Security.TrustStore.Password=QUJDRA==\n');
    const hover = await client.request<Hover>('textDocument/hover', at('svns:secretAlias="Carbon.Security.TrustStore.Password"', 'TrustStore'));
    const value = (hover.contents as { value: string }).value;
    assert.match(value, /other-cipher-text\.properties`: holds an encrypted value for this alias \(line 1\)/);
    assert.match(value, /secret-conf\.properties`: configures Secure Vault/);
  });

  test('without a planner no Secure Vault action is offered and the command says so', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(CARBON);
    const text = protectedCarbon.replace('<Password svns:secretAlias="Carbon.Security.KeyStore.Password">password</Password>', '<Password>plain-Secret-9</Password>');
    client.texts.set(uri, text);
    await client.sync(uri);
    const diagnostics = await client.diagnostics(uri, (d) => byCode(d, 'plaintext-password').length > 0);
    const actions = await client.codeActions(uri, [byCode(diagnostics, 'plaintext-password')[0]]);
    assert.deepEqual(titles(actions), ['Disable plaintext-password for this line', 'Disable plaintext-password for this file']);
    await client.request('workspace/executeCommand', { command: ENCRYPT_COMMAND, arguments: [uri] });
    const shown = client.serverRequests.filter((r) => r.method === 'window/showMessageRequest').pop()!.params as { message: string };
    assert.match(shown.message, /not available/);
  });
});

describe('a client without documentChanges or disabled actions (Neovim 0.7-like)', () => {
  let workspace: TempWorkspace;
  let client: FixesClient;

  before(async () => {
    workspace = new TempWorkspace({ [CARBON]: carbonWithSecret(), [USER_MGT]: userMgtXml({ adminPassword: 'admin-Secret-1' }) });
    client = new FixesClient();
    await client.initialize(workspace.root, PLAIN_CAPABILITIES);
  });

  after(async () => {
    await client.dispose();
    workspace.remove();
  });

  test('edits come as a changes map, a new cipher-text file as an insertion; errors give no action', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(CARBON);
    await client.open(uri, carbonWithSecret());
    const diagnostics = await client.diagnostics(uri, (d) => byCode(d, 'plaintext-password').length > 0);
    const [encrypt] = await client.codeActions(uri, [byCode(diagnostics, 'plaintext-password')[0]]);
    assert.equal(encrypt.title, 'Encrypt with Secure Vault');
    // A command, not codeAction/resolve (which Neovim 0.7 lacks); the server sends the edit through workspace/applyEdit.
    assert.equal(encrypt.edit, undefined);
    assert.deepEqual(await client.request('workspace/executeCommand', encrypt.command), { applied: true });
    const edit = client.applied.at(-1)!;
    assert.equal(edit.documentChanges, undefined);
    assert.deepEqual(Object.keys(edit.changes!), [uri, workspace.uri(CIPHER_TEXT)]);
    assert.deepEqual(edit.changes![workspace.uri(CIPHER_TEXT)], [
      { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: `Carbon.Security.KeyStore.Password=${FAKE_CIPHER}\n` },
    ]);

    const userMgt = workspace.uri(USER_MGT);
    await client.open(userMgt, userMgtXml({ adminPassword: 'admin-Secret-1' }));
    const userDiagnostics = await client.diagnostics(userMgt, (d) => byCode(d, 'plaintext-password').length > 0);
    const actions = await client.codeActions(userMgt, [byCode(userDiagnostics, 'plaintext-password')[0]]);
    assert.deepEqual(titles(actions), ['Disable plaintext-password for this line', 'Disable plaintext-password for this file']);
  });
});
