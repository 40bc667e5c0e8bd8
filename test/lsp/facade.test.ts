import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Diagnostic, TextDocumentEdit, WorkspaceEdit } from 'vscode-languageserver/node';
import { ServerCommands } from '../../server/src/protocol';
import { EDITING_CLIENT_CAPABILITIES, TempWorkspace, TestServer, applyWorkspaceEditToDisk, withCode } from './client';
import { keystoreOnlyCarbonXml } from './fixtures';
import { javaCheck, keytoolGenerate } from '../unit/secure-vault/support';
import { twoProductsAtZero } from '../unit/ports/fixtures';

/**
 * The language server behaves as the CLI does, since both go through the core's one Secure Vault path and one home
 * discovery: a custom `secretRepositories.file.location` receives the ciphertexts, an explicit encrypt ignores the
 * rule's severity setting (a suppression comment still excludes a value), and a home whose conf is a symbolic link
 * takes part in port conflicts. Crypto is checked by the JDK.
 */

const STORE_PASSWORD = 'Fq7-store-S3cret';
const ADMIN_PASSWORD = 'Fq7-admin-S3cret';
const SUPPRESSED = 'Fq7-suppressed-S3cret';
const TIMEOUT = { timeout: 60_000 };

const carbonXml = keystoreOnlyCarbonXml({ file: 'test.jks', type: 'JKS', password: STORE_PASSWORD });

const userMgtXml = `<UserManager>
    <Realm>
        <Configuration>
            <AdminUser>
                <UserName>admin</UserName>
                <Password>${ADMIN_PASSWORD}</Password>
            </AdminUser>
            <!-- wso2-config-disable-next-line plaintext-password -->
            <Property name="password">${SUPPRESSED}</Property>
        </Configuration>
    </Realm>
</UserManager>
`;

const customSecretConf = [
  'carbon.secretProvider=org.wso2.securevault.secret.handler.SecretManagerSecretCallbackHandler',
  'secretRepositories=file',
  'secretRepositories.file.provider=org.wso2.securevault.secret.repository.FileBaseSecretRepositoryProvider',
  'secretRepositories.file.location=repository/conf/security/vault-secrets.properties',
  'keystore.identity.location=repository/resources/security/test.jks',
  'keystore.identity.type=JKS',
  'keystore.identity.alias=wso2test',
  '',
].join('\n');

function editedFiles(edit: WorkspaceEdit): string[] {
  return (edit.documentChanges ?? []).filter((c): c is TextDocumentEdit => 'textDocument' in c).map((c) => path.basename(fileURLToPath(c.textDocument.uri)));
}

describe('the server and the CLI share one Secure Vault path and one home discovery', () => {
  test('a custom secretRepositories.file.location receives the quick fix ciphertext, and the JDK decrypts it from there', TIMEOUT, async () => {
    const workspace = new TempWorkspace({ 'repository/conf/user-mgt.xml': userMgtXml, 'repository/conf/carbon.xml': carbonXml, 'repository/conf/security/secret-conf.properties': customSecretConf });
    const server = TestServer.start();
    try {
      keytoolGenerate(workspace.path('repository/resources/security'), 'test.jks', { type: 'JKS', alias: 'wso2test', storePassword: STORE_PASSWORD });
      await server.initialize({ rootPath: workspace.path(''), capabilities: EDITING_CLIENT_CAPABILITIES });
      const uri = workspace.uri('repository/conf/user-mgt.xml');
      const published = server.waitForDiagnostics(uri, (p) => withCode(p.diagnostics, 'plaintext-password').length > 0);
      await server.open(uri, userMgtXml, 1);
      const [diagnostic] = withCode((await published).diagnostics, 'plaintext-password') as Diagnostic[];
      const actions = await server.quickFixes(uri, diagnostic);
      const encrypt = actions.find((a) => a.title === 'Encrypt with Secure Vault');
      // The properties file is not open: the action runs the encrypt command, which sends the edit back.
      assert.ok(encrypt?.command && !encrypt.edit, actions.map((a) => a.title).join(', '));
      const applied = await server.executeCommandAndAcceptEdit(encrypt.command);
      const edited = editedFiles(applied);
      assert.ok(edited.includes('user-mgt.xml') && edited.includes('vault-secrets.properties'), edited.join(', '));
      assert.ok(!edited.includes('cipher-text.properties'), 'nothing goes to the default file the runtime does not read');
      applyWorkspaceEditToDisk(applied);
      const java = javaCheck(workspace.path('repository/conf'), workspace.path(''), STORE_PASSWORD, STORE_PASSWORD);
      assert.equal(java.decrypted.get('UserManager.AdminUser.Password'), ADMIN_PASSWORD);
      assert.ok(!fs.existsSync(workspace.path('repository/conf/security/cipher-text.properties')));
      assert.equal(await server.shutdown(), 0);
    } finally {
      await server.dispose();
      workspace.remove();
    }
  });

  test('with plaintext-password "off", the encrypt commands (file and home) still encrypt, except suppressed values', TIMEOUT, async () => {
    const workspace = new TempWorkspace({ 'repository/conf/user-mgt.xml': userMgtXml, 'repository/conf/carbon.xml': carbonXml });
    const server = TestServer.start({ configuration: { rules: { 'plaintext-password': 'off' } } });
    const applied: WorkspaceEdit[] = [];
    server.connection.onRequest('workspace/applyEdit', (params: { edit: WorkspaceEdit }) => {
      applied.push(params.edit);
      applyWorkspaceEditToDisk(params.edit);
      return { applied: true };
    });
    try {
      keytoolGenerate(workspace.path('repository/resources/security'), 'test.jks', { type: 'JKS', alias: 'wso2test', storePassword: STORE_PASSWORD });
      await server.initialize({ rootPath: workspace.path(''), capabilities: EDITING_CLIENT_CAPABILITIES });
      const uri = workspace.uri('repository/conf/user-mgt.xml');
      // Validated once the editor settings (the rule off) have arrived.
      for (let waited = 0; !server.serverRequests.some((r) => r.method === 'workspace/configuration'); waited += 50) {
        assert.ok(waited < 10_000, 'the server pulls the settings');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await server.open(uri, userMgtXml, 1);
      // A document is validated at once when opened; any publish it gets holds no plaintext-password finding.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.deepEqual(withCode(server.publishesFor(uri).pop()?.diagnostics ?? [], 'plaintext-password'), []);

      await server.request('workspace/executeCommand', { command: ServerCommands.encryptWithSecureVault, arguments: [uri] });
      assert.equal(applied.length, 1, 'the file command applied an edit');
      const userMgt = fs.readFileSync(workspace.path('repository/conf/user-mgt.xml'), 'utf8');
      assert.ok(!userMgt.includes(ADMIN_PASSWORD), 'the admin password is encrypted');
      assert.ok(userMgt.includes(`<Property name="password">${SUPPRESSED}</Property>`), 'the suppressed value is left alone');
      await server.close(uri);

      await server.request('workspace/executeCommand', { command: ServerCommands.encryptHome, arguments: [workspace.uri('repository/conf/carbon.xml')] });
      assert.equal(applied.length, 2, 'the home command applied an edit');
      const carbon = fs.readFileSync(workspace.path('repository/conf/carbon.xml'), 'utf8');
      assert.match(carbon, /<Password svns:secretAlias="Carbon\.Security\.KeyStore\.Password">password<\/Password>/);
      assert.ok(fs.readFileSync(workspace.path('repository/conf/user-mgt.xml'), 'utf8').includes(SUPPRESSED));
      const java = javaCheck(workspace.path('repository/conf'), workspace.path(''), STORE_PASSWORD, STORE_PASSWORD);
      assert.equal(java.decrypted.get('UserManager.AdminUser.Password'), ADMIN_PASSWORD);
      assert.equal(java.decrypted.get('Carbon.Security.KeyStore.Password'), STORE_PASSWORD);
      const everything = server.output() + server.stderrText();
      for (const secret of [STORE_PASSWORD, ADMIN_PASSWORD, SUPPRESSED]) assert.ok(!everything.includes(secret), 'no secret in the server output');
      assert.equal(await server.shutdown(), 0);
    } finally {
      await server.dispose();
      workspace.remove();
    }
  });

  test('a home whose conf is a symbolic link takes part in port conflicts, as in check and ports', TIMEOUT, async () => {
    const files: Record<string, string> = {};
    for (const [absolute, text] of Object.entries(twoProductsAtZero())) files[`ws/${absolute.replace(/^\/ws\//, '')}`] = text;
    const workspace = new TempWorkspace(files);
    const server = TestServer.start();
    try {
      const [first, linked] = fs.readdirSync(workspace.path('ws')).sort();
      const conf = workspace.path(`ws/${linked}/repository/conf`);
      fs.renameSync(conf, workspace.path('store-conf'));
      fs.symlinkSync(workspace.path('store-conf'), conf, 'dir');
      await server.initialize({ rootPath: workspace.path('ws') });
      const uri = workspace.uri(`ws/${first}/repository/conf/carbon.xml`);
      const published = server.waitForDiagnostics(uri, (p) => withCode(p.diagnostics, 'port-conflict').length > 0, { what: 'a port-conflict with the linked home' });
      await server.open(uri, fs.readFileSync(workspace.path(`ws/${first}/repository/conf/carbon.xml`), 'utf8'), 1);
      const conflicts = withCode((await published).diagnostics, 'port-conflict');
      assert.ok(conflicts.some((d) => d.message.includes(linked)), conflicts.map((d) => d.message).join('\n'));
      assert.equal(await server.shutdown(), 0);
    } finally {
      await server.dispose();
      workspace.remove();
    }
  });
});
