import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CONF, H2_URL, carbonXml, catalinaServerXml, masterDatasourcesXml, userMgtXml } from './fixtures';
import { TempWorkspace, TestServer, codes } from './client';

/**
 * No secret ever leaves the server. A unique password is planted everywhere a secret can sit (element text, attribute
 * values, user-store properties, a JDBC URL, a file that is not well-formed, a binary file, invalid settings from the
 * editor and from .wso2config.json, a value typed in an edit); then everything the server wrote (every JSON-RPC
 * message on stdout, window/logMessage included, and all of stderr) is searched for it and for any 8-character piece
 * of it, so a truncated or partial echo is caught too.
 */

const SECRET = 'Zq9-planted-S3cret';
const TIMEOUT = { timeout: 30_000 };
const HOOK_TIMEOUT = { timeout: 30_000 };

const CARBON = `${CONF}/carbon.xml`;
const USER_MGT = `${CONF}/user-mgt.xml`;
const CATALINA = `${CONF}/tomcat/catalina-server.xml`;
const MASTER_DS = `${CONF}/datasources/master-datasources.xml`;
const AXIS2 = `${CONF}/axis2/axis2.xml`;
const REGISTRY = `${CONF}/registry.xml`;
const SETTINGS = '.wso2config.json';

/** An axis2.xml whose https transport holds the secret, then breaks (</paramter>) right after another copy of it. */
const AXIS2_BROKEN = `<axisconfig name="AxisJava2.0">
    <transportReceiver name="https" class="org.apache.synapse.transport.passthru.PassThroughHttpSSLListener">
        <parameter name="port" locked="false">8243</parameter>
        <parameter name="keystore" locked="false">
            <KeyStore>
                <Location>repository/resources/security/wso2carbon.jks</Location>
                <Type>JKS</Type>
                <Password>${SECRET}</Password>
                <KeyPassword>${SECRET}</KeyPassword>
            </KeyStore>
        </parameter>
    </transportReceiver>
    <parameter name="mail.smtp.password">${SECRET}</paramter>
</axisconfig>
`;

const FILES: Record<string, string | Uint8Array> = {
  [CARBON]: carbonXml({ keystorePassword: SECRET, truststorePassword: SECRET }),
  [USER_MGT]: userMgtXml({ adminPassword: SECRET, connectionPassword: SECRET }),
  [CATALINA]: catalinaServerXml({ keystorePass: SECRET }),
  [MASTER_DS]: masterDatasourcesXml({ database: 'h2', password: SECRET }).replace(H2_URL, `${H2_URL};USER=sa;PASSWORD=${SECRET}`),
  [AXIS2]: AXIS2_BROKEN,
  [REGISTRY]: Buffer.concat([Buffer.from('<wso2registry>\n<dbConfig name="x"><password>'), Buffer.from([0, 0, 1]), Buffer.from(`${SECRET}</password></dbConfig></wso2registry>\n`)]),
  // Invalid values a user might paste in the wrong place; each is reported (or logged) by name, never by value.
  [SETTINGS]: JSON.stringify({ tlsProfile: SECRET, portOffset: SECRET, rules: { 'plaintext-password': SECRET } }, null, 2),
};

let workspace: TempWorkspace;
let server: TestServer;

before(async () => {
  workspace = new TempWorkspace(FILES);
  server = TestServer.start({ configuration: { tlsProfile: SECRET, portOffset: SECRET, rules: { 'weak-tls-ciphers': SECRET } } });
  await server.initialize({ rootPath: workspace.root });
}, HOOK_TIMEOUT);

after(async () => {
  await server.dispose();
  workspace.remove();
}, HOOK_TIMEOUT);

function pieces(secret: string, size: number): string[] {
  const result: string[] = [];
  for (let i = 0; i + size <= secret.length; i++) result.push(secret.slice(i, i + size));
  return result;
}

test('a planted password never appears in anything the server writes', TIMEOUT, async () => {
  const text = (relative: string) => {
    const content = FILES[relative];
    return typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
  };
  const expectations: [string, (c: string[]) => boolean, string][] = [
    [CARBON, (c) => c.includes('plaintext-password'), 'plaintext-password'],
    [USER_MGT, (c) => c.includes('plaintext-password') && c.includes('h2-datasource'), 'plaintext-password and h2-datasource'],
    [CATALINA, (c) => c.includes('plaintext-password'), 'plaintext-password'],
    [MASTER_DS, (c) => c.includes('plaintext-password') && c.includes('h2-datasource'), 'plaintext-password and h2-datasource'],
    [AXIS2, (c) => c.includes('plaintext-password') && c.includes('xml-syntax'), 'plaintext-password and xml-syntax'],
    [REGISTRY, (c) => c.includes('file-not-analysed'), 'file-not-analysed'],
  ];
  const waits = expectations.map(([relative, accept, what]) => server.waitForDiagnostics(workspace.uri(relative), (p) => accept(codes(p)), { what }));
  const settingsPublished = server.waitForDiagnostics(workspace.uri(SETTINGS), (p) => p.diagnostics.length > 0, { what: 'settings problems' });
  for (const [relative] of expectations) await server.open(workspace.uri(relative), text(relative), 1);
  await Promise.all([...waits, settingsPublished]);

  // Typed in an edit: the secret in the admin password changes, the new one must not show either.
  const userMgtUri = workspace.uri(USER_MGT);
  const edited = server.waitForDiagnostics(userMgtUri, (p) => p.version === 2 && codes(p).includes('plaintext-password'));
  await server.change(userMgtUri, 2, [{ text: userMgtXml({ adminPassword: `${SECRET}-2`, connectionPassword: SECRET }) }]);
  await edited;

  assert.ok(server.serverRequests.some((r) => r.method === 'workspace/configuration'), 'the invalid editor settings were pulled');
  assert.equal(await server.shutdown(), 0);

  const output = server.output();
  assert.ok(output.includes('textDocument/publishDiagnostics'), 'the capture holds the JSON-RPC traffic');
  for (const piece of pieces(SECRET, 8)) {
    const at = output.indexOf(piece);
    assert.equal(at, -1, `the server wrote "${piece}" (part of the planted secret): …${output.slice(Math.max(0, at - 200), at + 50)}…`);
  }
});
