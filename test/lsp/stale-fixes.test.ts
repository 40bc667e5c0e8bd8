import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CodeAction, Diagnostic, TextDocumentEdit, TextEdit, WorkspaceEdit } from 'vscode-languageserver/node';
import { TempWorkspace, TestServer, applyTextEdits, withCode } from './client';
import { javaCheck, javaProperties, keytoolGenerate } from '../unit/secure-vault/support';
import { projectRoot } from '../helpers';

/**
 * Issue 10 item 4 over JSON-RPC with the bundled server: two "Encrypt with Secure Vault" quick fixes computed before
 * either is applied (carbon.xml line 368, then user-mgt.xml line 24 of a kernel 4.4.7 home, the kernel of API Manager
 * 2.0.0, with secret-conf.properties configured), applied one after the other by a client that checks document
 * versions. Both append to cipher-text.properties, which is not open in the editor (so no version protects it): the
 * second, planned on the file before the first was applied, must be planned again (or refused), never glued onto the
 * first one's line. The JDK then decrypts every entry of cipher-text.properties.
 */

const TIMEOUT = { timeout: 90_000 };
const STORE_PASSWORD = 'wso2carbon';
const CONF = 'repository/conf';
const CIPHER_TEXT = `${CONF}/security/cipher-text.properties`;
const KERNEL_447 = path.join(projectRoot(), '..', 'shared', 'corpus', 'kernel-4.4.7', 'repository', 'conf');
const HAVE_CORPUS = fs.existsSync(path.join(KERNEL_447, 'carbon.xml'));

const CAPABILITIES = {
  workspace: { configuration: true, applyEdit: true, workspaceEdit: { documentChanges: true, resourceOperations: ['create' as const] } },
  textDocument: {
    publishDiagnostics: { dataSupport: true, codeDescriptionSupport: true, versionSupport: true },
    codeAction: { dataSupport: true, disabledSupport: true, codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source'] } } },
  },
};

/** secret-conf.properties as the 4.4 cipher tool (-Dconfigure) writes it, pointing at the test keystore. */
const secretConf = (keystore: string) => `carbon.secretProvider=org.wso2.securevault.secret.handler.SecretManagerSecretCallbackHandler
secretRepositories=file
secretRepositories.file.provider=org.wso2.securevault.secret.repository.FileBaseSecretRepositoryProvider
secretRepositories.file.location=repository/conf/security/cipher-text.properties
keystore.identity.location=${keystore}
keystore.identity.type=JKS
keystore.identity.alias=wso2carbon
keystore.identity.store.password=identity.store.password
keystore.identity.store.secretProvider=org.wso2.carbon.securevault.DefaultSecretCallbackHandler
keystore.identity.key.password=identity.key.password
keystore.identity.key.secretProvider=org.wso2.carbon.securevault.DefaultSecretCallbackHandler
`;

/**
 * An editor that checks document versions: an edit of an open document must carry its current version (else the whole
 * edit is refused), and is applied to the buffer and sent back as didChange; files that are not open are edited where
 * they are, on disk (version null: nothing to check), or, with `openEditedFiles`, loaded into a buffer that stays
 * unsaved and is announced with didOpen, as VS Code does with a file a workspace edit touches.
 */
class VersionCheckingEditor {
  readonly buffers = new Map<string, { text: string; version: number }>();
  readonly applied: WorkspaceEdit[] = [];
  readonly messages: string[] = [];

  constructor(
    readonly server: TestServer,
    readonly openEditedFiles: boolean,
  ) {
    server.connection.onRequest('workspace/applyEdit', (params: { edit: WorkspaceEdit }) => this.applyEdit(params.edit));
    server.connection.onRequest('window/showMessageRequest', (params: { message: string }) => {
      this.messages.push(params.message);
      return null;
    });
    server.connection.onNotification('window/showMessage', (params: { message: string }) => this.messages.push(params.message));
  }

  async open(uri: string): Promise<void> {
    const text = fs.readFileSync(fileURLToPath(uri), 'latin1');
    this.buffers.set(uri, { text, version: 1 });
    await this.server.open(uri, text, 1);
  }

  async applyEdit(edit: WorkspaceEdit): Promise<{ applied: boolean; failureReason?: string }> {
    const changes = (edit.documentChanges ?? []) as (TextDocumentEdit | { kind: string; uri: string })[];
    for (const change of changes) {
      if ('kind' in change) continue;
      const open = this.buffers.get(change.textDocument.uri);
      if (change.textDocument.version !== null && change.textDocument.version !== open?.version) {
        return { applied: false, failureReason: `version mismatch for ${change.textDocument.uri}` };
      }
    }
    this.applied.push(edit);
    for (const change of changes) {
      if ('kind' in change) {
        const file = fileURLToPath(change.uri);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        if (this.openEditedFiles) {
          this.buffers.set(change.uri, { text: '', version: 1 });
          await this.server.open(change.uri, '', 1, 'properties');
        } else if (!fs.existsSync(file)) fs.writeFileSync(file, '');
        continue;
      }
      const uri = change.textDocument.uri;
      let open = this.buffers.get(uri);
      if (!open && this.openEditedFiles) {
        open = { text: fs.readFileSync(fileURLToPath(uri), 'latin1'), version: 1 };
        this.buffers.set(uri, open);
        await this.server.open(uri, open.text, 1, 'properties');
      }
      if (open) {
        open.text = applyTextEdits(open.text, change.edits as TextEdit[]);
        open.version += 1;
        await this.server.change(uri, open.version, [{ text: open.text }]);
      } else {
        const file = fileURLToPath(uri);
        fs.writeFileSync(file, applyTextEdits(fs.readFileSync(file, 'latin1'), change.edits as TextEdit[]), 'latin1');
      }
    }
    return { applied: true };
  }

  /** Saves every buffer (XML in the encoding the file had: the kernel files are ISO-8859-1 and ASCII). */
  saveAll(): void {
    for (const [uri, buffer] of this.buffers) fs.writeFileSync(fileURLToPath(uri), buffer.text, 'latin1');
  }
}

async function passwordOnLine(server: TestServer, uri: string, line: number): Promise<Diagnostic> {
  // The latest publish of the document (received already, or to come) that reports the line.
  const since = server.publishes.map((p) => p.uri).lastIndexOf(uri);
  const published = await server.waitForDiagnostics(uri, (p) => withCode(p.diagnostics, 'plaintext-password').some((d) => d.range.start.line === line), { since: Math.max(0, since) });
  return withCode(published.diagnostics, 'plaintext-password').find((d) => d.range.start.line === line)!;
}

async function encryptAction(server: TestServer, uri: string, diagnostic: Diagnostic): Promise<CodeAction> {
  const actions = await server.quickFixes(uri, diagnostic);
  const encrypt = actions.find((a) => a.title === 'Encrypt with Secure Vault');
  assert.ok(encrypt, `an Encrypt action among ${actions.map((a) => a.title).join(', ')}`);
  return encrypt;
}

function kernelHome(): TempWorkspace {
  // Working copies of the read-only corpus files, in a temp home of our own.
  const workspace = new TempWorkspace({
    [`${CONF}/carbon.xml`]: fs.readFileSync(path.join(KERNEL_447, 'carbon.xml')),
    [`${CONF}/user-mgt.xml`]: fs.readFileSync(path.join(KERNEL_447, 'user-mgt.xml')),
    [CIPHER_TEXT]: '# Secure Vault aliases of this test home\n',
  });
  const keystore = keytoolGenerate(workspace.path('repository/resources/security'), 'wso2carbon.jks', { type: 'JKS', alias: 'wso2carbon', storePassword: STORE_PASSWORD });
  workspace.write(`${CONF}/security/secret-conf.properties`, secretConf(keystore));
  return workspace;
}

for (const openEditedFiles of [false, true]) {
  const how = openEditedFiles ? 'the edited properties files stay unsaved in the editor (VS Code)' : 'files not open are edited on disk';
  describe(`two Secure Vault fixes computed before either is applied: ${how}`, { skip: !HAVE_CORPUS && 'no corpus' }, () => {
    let workspace: TempWorkspace;
    let server: TestServer;
    let editor: VersionCheckingEditor;

    before(async () => {
      workspace = kernelHome();
      server = TestServer.start();
      editor = new VersionCheckingEditor(server, openEditedFiles);
      await server.initialize({ rootPath: workspace.path(''), capabilities: CAPABILITIES });
    });

    after(async () => {
      await server?.dispose();
      workspace?.remove();
    });

    test('the second is planned again on the first one\'s result; every entry decrypts with the JDK', TIMEOUT, async () => {
      const carbon = workspace.uri(`${CONF}/carbon.xml`);
      const userMgt = workspace.uri(`${CONF}/user-mgt.xml`);
      await editor.open(carbon);
      await editor.open(userMgt);
      // 0-based lines: carbon.xml line 368 (Security/KeyStore/Password), user-mgt.xml line 24 (AdminUser/Password).
      const first = await encryptAction(server, carbon, await passwordOnLine(server, carbon, 367));
      const second = await encryptAction(server, userMgt, await passwordOnLine(server, userMgt, 23));

      for (const action of [first, second]) {
        assert.equal(action.edit, undefined, 'a change of several files carries no unversioned edit');
        assert.equal(action.command?.command, 'wso2Config.encryptWithSecureVault');
        const bases = (action.command!.arguments![2] as { bases: { path: string; state: string; sha256?: string }[] }).bases;
        assert.ok(bases.some((b) => b.path === workspace.path(CIPHER_TEXT) && b.state === 'text' && /^[0-9a-f]{64}$/.test(b.sha256!)), JSON.stringify(bases));
        assert.ok(!JSON.stringify(action).includes('wso2carbon<') && !JSON.stringify(action).includes('>admin<'), 'the arguments hold no text');
      }

      const firstResult = (await server.request('workspace/executeCommand', first.command)) as { applied: boolean; replanned?: string[] };
      assert.deepEqual(firstResult, { applied: true });
      const secondResult = (await server.request('workspace/executeCommand', second.command)) as { applied: boolean; replanned?: string[] };
      assert.equal(secondResult.applied, true, `applied; messages: ${editor.messages.join(' | ')}`);
      assert.ok(secondResult.replanned?.includes(workspace.path(CIPHER_TEXT)), `planned again because cipher-text.properties changed: ${JSON.stringify(secondResult)}`);
      assert.equal(editor.applied.length, 2);

      editor.saveAll();
      const cipherText = fs.readFileSync(workspace.path(CIPHER_TEXT), 'latin1');
      const lines = cipherText.split('\n').filter((l) => l.length > 0);
      assert.equal(lines[0], '# Secure Vault aliases of this test home', 'the comment stays');
      const entries = lines.slice(1);
      assert.deepEqual(
        entries.map((l) => l.slice(0, l.indexOf('='))),
        ['Carbon.Security.KeyStore.Password', 'UserManager.AdminUser.Password'],
        'one entry per line, in the order the fixes were applied',
      );
      for (const entry of entries) assert.match(entry, /^[\w.]+=[A-Za-z0-9+/]{342}(\\=|=){2}$|^[\w.]+=[A-Za-z0-9+/]{343}(\\=|=)$|^[\w.]+=[A-Za-z0-9+/]{344}$/, 'one Base64 RSA-2048 block per line');
      assert.equal(javaProperties(workspace.path(CIPHER_TEXT)).size, 2, 'java.util.Properties reads two entries');

      const java = javaCheck(workspace.path(CONF), workspace.path(''), STORE_PASSWORD, STORE_PASSWORD);
      assert.deepEqual(
        [...java.decrypted.entries()].sort(),
        [
          ['Carbon.Security.KeyStore.Password', 'wso2carbon'],
          ['UserManager.AdminUser.Password', 'admin'],
        ],
        'the JDK decrypts every entry to the password it replaced',
      );
      assert.match(fs.readFileSync(workspace.path(`${CONF}/carbon.xml`), 'latin1').split('\n')[367], /<Password svns:secretAlias="Carbon.Security.KeyStore.Password">password<\/Password>/);
      assert.match(fs.readFileSync(workspace.path(`${CONF}/user-mgt.xml`), 'latin1').split('\n')[23], /<Password svns:secretAlias="UserManager.AdminUser.Password">password<\/Password>/);
      assert.doesNotMatch(server.output(), /[>=]wso2carbon\b(?!\.jks)|>admin</, 'no password in what the server wrote');
    });

    test('a fix offered on a document that changed since is refused, naming the file, and changes nothing', TIMEOUT, async () => {
      const carbon = workspace.uri(`${CONF}/carbon.xml`);
      // carbon.xml line 372 (KeyStore/KeyPassword) is still in plain text.
      const action = await encryptAction(server, carbon, await passwordOnLine(server, carbon, 371));
      const buffer = editor.buffers.get(carbon)!;
      buffer.text = buffer.text.replace('<!-- Keystore file location-->', '<!-- Keystore file location, edited -->');
      buffer.version += 1;
      await server.change(carbon, buffer.version, [{ text: buffer.text }]);
      const before = { applied: editor.applied.length, cipherText: editor.buffers.get(workspace.uri(CIPHER_TEXT))?.text ?? fs.readFileSync(workspace.path(CIPHER_TEXT), 'latin1') };
      if (!action.command) {
        // Every file it touches is open in the editor now: the edit carries their versions, and the editor refuses it.
        assert.ok(openEditedFiles && action.edit, 'a versioned edit only when every file is open');
        const versions = (action.edit.documentChanges as TextDocumentEdit[]).map((c) => c.textDocument.version);
        assert.ok(versions.every((v) => typeof v === 'number'), JSON.stringify(versions));
        assert.equal((await editor.applyEdit(action.edit)).applied, false);
        assert.equal(editor.applied.length, before.applied);
        return;
      }
      const result = (await server.request('workspace/executeCommand', action.command)) as { applied: boolean; stale?: string[] };
      assert.deepEqual(result, { applied: false, stale: [workspace.path(`${CONF}/carbon.xml`)] });
      assert.equal(editor.applied.length, before.applied, 'no edit was sent');
      assert.equal(editor.buffers.get(workspace.uri(CIPHER_TEXT))?.text ?? fs.readFileSync(workspace.path(CIPHER_TEXT), 'latin1'), before.cipherText);
      const message = editor.messages.at(-1)!;
      assert.ok(message.includes(workspace.path(`${CONF}/carbon.xml`)) && /changed since/.test(message), message);
      assert.ok(!message.includes('wso2carbon'));
    });
  });
}
