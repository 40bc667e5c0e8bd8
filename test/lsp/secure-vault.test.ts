import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Diagnostic, WorkspaceEdit } from 'vscode-languageserver/node';
import { EDITING_CLIENT_CAPABILITIES, TempWorkspace, TestServer, applyWorkspaceEditToDisk, withCode } from './client';
import { keystoreOnlyCarbonXml } from './fixtures';
import { javaCheck, keytoolGenerate } from '../unit/secure-vault/support';

/**
 * The real "Encrypt with Secure Vault" through the bundled server: code action (JKS, no password needed) and the
 * command path that asks the client for a PKCS#12 password. The result is decrypted by the JDK, as the runtime would.
 */

const STORE_PASSWORD = 'Zq9-store-S3cret';
const ADMIN_PASSWORD = 'Zq9-admin-S3cret';
const TIMEOUT = { timeout: 60_000 };

const userMgtXml = `<UserManager>
    <Realm>
        <Configuration>
            <AddAdmin>true</AddAdmin>
            <AdminUser>
                <UserName>admin</UserName>
                <Password>${ADMIN_PASSWORD}</Password>
            </AdminUser>
        </Configuration>
    </Realm>
</UserManager>
`;

async function passwordDiagnostic(server: TestServer, uri: string, text: string): Promise<Diagnostic> {
  const published = server.waitForDiagnostics(uri, (p) => withCode(p.diagnostics, 'plaintext-password').length > 0);
  await server.open(uri, text, 1);
  const [diagnostic] = withCode((await published).diagnostics, 'plaintext-password');
  assert.ok(diagnostic, 'the admin password is reported');
  return diagnostic;
}

describe('Encrypt with Secure Vault through the bundled server', () => {
  let workspace: TempWorkspace;
  let server: TestServer;

  before(async () => {
    workspace = new TempWorkspace({ 'repository/conf/user-mgt.xml': userMgtXml });
  });

  after(async () => {
    await server?.dispose();
    workspace.remove();
  });

  test('JKS: the quick fix runs the command, which applies the edit, and the JDK decrypts the result to the password', TIMEOUT, async () => {
    keytoolGenerate(workspace.path('repository/resources/security'), 'test.jks', { type: 'JKS', alias: 'wso2test', storePassword: STORE_PASSWORD });
    workspace.write('repository/conf/carbon.xml', keystoreOnlyCarbonXml({ file: 'test.jks', type: 'JKS', password: STORE_PASSWORD }));
    server = TestServer.start();
    await server.initialize({ rootPath: workspace.path(''), capabilities: EDITING_CLIENT_CAPABILITIES });
    const uri = workspace.uri('repository/conf/user-mgt.xml');
    const diagnostic = await passwordDiagnostic(server, uri, userMgtXml);

    const actions = await server.quickFixes(uri, diagnostic);
    const encrypt = actions.find((a) => a.title === 'Encrypt with Secure Vault');
    assert.ok(encrypt?.command, `a command-carrying action among ${actions.map((a) => a.title).join(', ')}`);
    assert.equal(encrypt.edit, undefined, 'cipher-text.properties is not open: no unversioned edit in the action');
    assert.equal(encrypt.isPreferred, true);
    applyWorkspaceEditToDisk(await server.executeCommandAndAcceptEdit(encrypt.command));

    const xml = fs.readFileSync(workspace.path('repository/conf/user-mgt.xml'), 'utf8');
    assert.match(xml, /<UserManager xmlns:svns="http:\/\/org.wso2.securevault\/configuration">/);
    assert.match(xml, /<Password svns:secretAlias="UserManager.AdminUser.Password">password<\/Password>/);
    const java = javaCheck(workspace.path('repository/conf'), workspace.path(''), STORE_PASSWORD, STORE_PASSWORD);
    assert.equal(java.decrypted.get('UserManager.AdminUser.Password'), ADMIN_PASSWORD, 'the JDK decrypts what the server encrypted');

    const everything = server.output() + server.stderrText();
    assert.ok(!everything.includes(STORE_PASSWORD.slice(0, 12)), 'the keystore password never reaches the output');
    assert.ok(!everything.includes(ADMIN_PASSWORD.slice(0, 12)), 'the encrypted password never reaches the output');
    assert.equal(await server.shutdown(), 0);
  });

  test('PKCS#12 with a protected store password: the command asks the client, then applies the edit', TIMEOUT, async () => {
    const home = new TempWorkspace({ 'repository/conf/user-mgt.xml': userMgtXml });
    try {
      keytoolGenerate(home.path('repository/resources/security'), 'test.p12', { type: 'PKCS12', alias: 'wso2test', storePassword: STORE_PASSWORD });
      // carbon.xml's own password is already behind Secure Vault, so the server cannot open the PKCS#12 store alone.
      home.write('repository/conf/carbon.xml', keystoreOnlyCarbonXml({ file: 'test.p12', type: 'PKCS12', password: { secretAlias: 'Carbon.Security.KeyStore.Password' } }));
      const pkcs = TestServer.start();
      const asked: unknown[] = [];
      let applied: WorkspaceEdit | undefined;
      pkcs.connection.onRequest('wso2Config/askPassword', (params: unknown) => {
        asked.push(params);
        return STORE_PASSWORD;
      });
      pkcs.connection.onRequest('workspace/applyEdit', (params: { edit: WorkspaceEdit }) => {
        applied = params.edit;
        return { applied: true };
      });
      try {
        await pkcs.initialize({ rootPath: home.path(''), capabilities: EDITING_CLIENT_CAPABILITIES });
        const uri = home.uri('repository/conf/user-mgt.xml');
        const diagnostic = await passwordDiagnostic(pkcs, uri, userMgtXml);
        const actions = await pkcs.quickFixes(uri, diagnostic);
        const encrypt = actions.find((a) => a.title.startsWith('Encrypt with Secure Vault'));
        assert.ok(encrypt?.command && !encrypt.edit, 'without the password the action runs a command instead of carrying an edit');
        await pkcs.request('workspace/executeCommand', { command: encrypt.command.command, arguments: encrypt.command.arguments });
        assert.equal(asked.length, 1, 'the server asked for the keystore password once');
        assert.doesNotMatch(JSON.stringify(asked[0]), /Zq9/, 'the prompt holds no secret');
        assert.ok(applied, 'the server applied the edit through workspace/applyEdit');
        applyWorkspaceEditToDisk(applied);
        const java = javaCheck(home.path('repository/conf'), home.path(''), STORE_PASSWORD, STORE_PASSWORD);
        assert.equal(java.decrypted.get('UserManager.AdminUser.Password'), ADMIN_PASSWORD);
        const everything = pkcs.output() + pkcs.stderrText();
        assert.ok(!everything.includes(STORE_PASSWORD.slice(0, 12)) && !everything.includes(ADMIN_PASSWORD.slice(0, 12)));
        assert.equal(await pkcs.shutdown(), 0);
      } finally {
        await pkcs.dispose();
      }
    } finally {
      home.remove();
    }
  });
});
