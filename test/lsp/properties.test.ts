import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { TempWorkspace, TestServer, applyWorkspaceEditToDisk, withCode } from './client';
import { javaCheck, keytoolGenerate } from '../unit/secure-vault/support';

/**
 * The .properties document kind through the bundled server (issue 14): jndi.properties gets its AMQP URL passwords
 * reported, and the Encrypt quick fix, which also writes cipher-text.properties (not open), runs the encrypt command;
 * the edit comes back through workspace/applyEdit and the JDK decrypts the URL from cipher-text.properties.
 */

const CONF = 'repository/conf';
const URL = "amqp://admin:Zq9-jndi-S3cret@clientid/carbon?brokerlist='tcp://localhost:5672'";
const JNDI = `# connection factories\nconnectionfactory.TopicConnectionFactory = ${URL}\ntopic.throttleData = throttleData\n`;

test('jndi.properties over JSON-RPC: diagnostic on the password, Encrypt through the command, the JDK decrypts the URL', { timeout: 60_000 }, async () => {
  const workspace = new TempWorkspace({
    [`${CONF}/jndi.properties`]: JNDI,
    [`${CONF}/carbon.xml`]: '<Server xmlns="http://wso2.org/projects/carbon/carbon.xml"><Security><KeyStore><Location>${carbon.home}/repository/resources/security/wso2carbon.jks</Location><Type>JKS</Type><Password>wso2carbon</Password><KeyAlias>wso2carbon</KeyAlias></KeyStore></Security></Server>\n',
  });
  const keystore = keytoolGenerate(workspace.path('repository/resources/security'), 'wso2carbon.jks', { type: 'JKS', alias: 'wso2carbon', storePassword: 'wso2carbon' });
  workspace.write(
    `${CONF}/security/secret-conf.properties`,
    `secretRepositories=file\nsecretRepositories.file.provider=org.wso2.securevault.secret.repository.FileBaseSecretRepositoryProvider\nsecretRepositories.file.location=repository/conf/security/cipher-text.properties\nkeystore.identity.location=${keystore}\nkeystore.identity.type=JKS\nkeystore.identity.alias=wso2carbon\nkeystore.identity.store.password=identity.store.password\nkeystore.identity.store.secretProvider=org.wso2.carbon.securevault.DefaultSecretCallbackHandler\n`,
  );
  const server = TestServer.start();
  try {
    await server.initialize({
      rootPath: workspace.path(''),
      capabilities: {
        workspace: { configuration: true, applyEdit: true, workspaceEdit: { documentChanges: true, resourceOperations: ['create'] } },
        textDocument: { publishDiagnostics: { dataSupport: true }, codeAction: { dataSupport: true, codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } } },
      },
    });
    const uri = workspace.uri(`${CONF}/jndi.properties`);
    const published = server.waitForDiagnostics(uri, (p) => withCode(p.diagnostics, 'plaintext-password').length > 0);
    await server.open(uri, JNDI, 1, 'properties');
    const [diagnostic] = withCode((await published).diagnostics, 'plaintext-password');
    assert.deepEqual(diagnostic.range, { start: { line: 1, character: 56 }, end: { line: 1, character: 71 } });
    assert.equal(JNDI.split('\n')[1].slice(56, 71), 'Zq9-jndi-S3cret');
    const actions = await server.quickFixes(uri, diagnostic);
    assert.deepEqual(actions.map((a) => a.title), ['Encrypt with Secure Vault (the whole URL, as secretAlias:)', 'Disable plaintext-password for this line', 'Disable plaintext-password for this file']);
    assert.ok(actions[0].command && !actions[0].edit, 'cipher-text.properties is not open: the command, not an unversioned edit');
    applyWorkspaceEditToDisk(await server.executeCommandAndAcceptEdit(actions[0].command));
    assert.equal(fs.readFileSync(workspace.path(`${CONF}/jndi.properties`), 'latin1').split('\n')[1], 'connectionfactory.TopicConnectionFactory = secretAlias:JNDI.connectionfactory.TopicConnectionFactory');
    const java = javaCheck(workspace.path(CONF), workspace.path(''), 'wso2carbon', 'wso2carbon');
    assert.equal(java.decrypted.get('JNDI.connectionfactory.TopicConnectionFactory'), URL);
    assert.ok(!server.output().includes('Zq9-jndi'), 'the password never reaches the output');
    assert.equal(await server.shutdown(), 0);
  } finally {
    await server.dispose();
    workspace.remove();
  }
});
