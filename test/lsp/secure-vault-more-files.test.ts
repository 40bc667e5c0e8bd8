import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Diagnostic } from 'vscode-languageserver/node';
import { EDITING_CLIENT_CAPABILITIES, TempWorkspace, TestServer, applyWorkspaceEditToDisk, rangeOf, withCode } from './client';
import { keystoreOnlyCarbonXml } from './fixtures';
import { javaCheck, keytoolGenerate } from '../unit/secure-vault/support';

/**
 * "Encrypt with Secure Vault" over JSON-RPC on the files beyond the six (issue 14): the andes broker.xml keystore
 * password and a password inside a JDBC URL of master-datasources.xml. cipher-text.properties is not open, so the
 * action carries the encrypt command, which the server runs and applies through workspace/applyEdit; the JDK
 * (test/java/SecureVaultCheck.java) then decrypts the new entry to exactly what the runtime reads from the file. A
 * secret the runtime cannot resolve (identity/embedded-ldap.xml) gets its finding and no Encrypt action.
 */

const STORE_PASSWORD = 'Mf-store-S3cret';
const BROKER_PASSWORD = 'Mf-broker-S3cret';
const URL_PASSWORD = 'Mf-url-S3cret';
const TIMEOUT = { timeout: 90_000 };

const CARBON_XML = keystoreOnlyCarbonXml({ file: 'test.jks', type: 'JKS', password: STORE_PASSWORD });

// The andes broker.xml of API Manager 2.6.0 (wso2/carbon-business-messaging, broker.xml): an AMQP SSL listener.
const BROKER_XML = `<?xml version="1.0" encoding="ISO-8859-1"?>
<broker>
    <transports>
        <amqp enabled="true">
            <sslConnection enabled="true" port="8672">
                <keyStore>
                    <location>repository/resources/security/wso2carbon.jks</location>
                    <password>${BROKER_PASSWORD}</password>
                </keyStore>
            </sslConnection>
        </amqp>
    </transports>
</broker>
`;

/** What a JDK XML parser reads as the `<url>` text: `&amp;` is `&`. */
const URL_TEXT = `jdbc:mysql://db.example.com:3306/am?user=am&password=${URL_PASSWORD}&useSSL=true`;
const DATASOURCES_XML = `<datasources-configuration xmlns:svns="http://org.wso2.securevault/configuration">
    <providers>
        <provider>org.wso2.carbon.ndatasource.rdbms.RDBMSDataSourceReader</provider>
    </providers>
    <datasources>
        <datasource>
            <name>WSO2AM_DB</name>
            <jndiConfig>
                <name>jdbc/WSO2AM_DB</name>
            </jndiConfig>
            <definition type="RDBMS">
                <configuration>
                    <url>${URL_TEXT.replace(/&/g, '&amp;')}</url>
                    <driverClassName>com.mysql.jdbc.Driver</driverClassName>
                </configuration>
            </definition>
        </datasource>
    </datasources>
</datasources-configuration>
`;

const EMBEDDED_LDAP_XML = `<EmbeddedLDAPConfig>
  <EmbeddedLDAP>
    <Property name="enable">true</Property>
    <Property name="connectionPassword">Mf-ldap-S3cret</Property>
  </EmbeddedLDAP>
</EmbeddedLDAPConfig>
`;

/** A home with carbon.xml (its JKS keystore password in plain text) and `file`, served by a fresh server. */
async function homeWith(file: string, text: string): Promise<{ workspace: TempWorkspace; server: TestServer; uri: string }> {
  const workspace = new TempWorkspace({ 'repository/conf/carbon.xml': CARBON_XML, [file]: text });
  keytoolGenerate(workspace.path('repository/resources/security'), 'test.jks', { type: 'JKS', alias: 'wso2test', storePassword: STORE_PASSWORD });
  const server = TestServer.start();
  await server.initialize({ rootPath: workspace.path(''), capabilities: EDITING_CLIENT_CAPABILITIES });
  return { workspace, server, uri: workspace.uri(file) };
}

async function passwordDiagnostics(server: TestServer, uri: string, text: string): Promise<Diagnostic[]> {
  const published = server.waitForDiagnostics(uri, (p) => withCode(p.diagnostics, 'plaintext-password').length > 0);
  await server.open(uri, text, 1);
  return withCode((await published).diagnostics, 'plaintext-password');
}

/** Runs the Encrypt action's command and writes the edit the server sends back through workspace/applyEdit. */
async function encryptThroughCommand(server: TestServer, uri: string, diagnostic: Diagnostic): Promise<void> {
  const actions = await server.quickFixes(uri, diagnostic);
  const encrypt = actions.find((a) => a.title === 'Encrypt with Secure Vault');
  assert.ok(encrypt?.command, `a command-carrying action among ${actions.map((a) => a.title).join(' | ')}`);
  assert.equal(encrypt.edit, undefined, 'cipher-text.properties is not open: no unversioned edit in the action');
  applyWorkspaceEditToDisk(await server.executeCommandAndAcceptEdit(encrypt.command));
}

function assertNoSecretInOutput(server: TestServer, ...secrets: string[]): void {
  const everything = server.output() + server.stderrText();
  for (const secret of secrets) assert.ok(!everything.includes(secret.slice(0, 10)), 'no secret, not even a fragment, in the server output');
}

describe('Encrypt with Secure Vault over JSON-RPC on broker.xml and a JDBC URL', () => {
  test('broker.xml: the AMQP SSL keystore password gets the andes alias, and the JDK decrypts it', TIMEOUT, async () => {
    const { workspace, server, uri } = await homeWith('repository/conf/broker.xml', BROKER_XML);
    try {
      const [diagnostic] = await passwordDiagnostics(server, uri, BROKER_XML);
      assert.deepEqual(diagnostic.range, rangeOf(BROKER_XML, `<password>${BROKER_PASSWORD}`, BROKER_PASSWORD));
      await encryptThroughCommand(server, uri, diagnostic);

      const xml = fs.readFileSync(workspace.path('repository/conf/broker.xml'), 'utf8');
      const alias = 'transports.amqp.sslConnection.keyStore.password';
      assert.match(xml, new RegExp(`<password svns:secretAlias="${alias.replace(/\./g, '\\.')}">password</password>`));
      assert.match(xml, /<broker xmlns:svns="http:\/\/org\.wso2\.securevault\/configuration">/);
      assert.ok(!xml.includes(BROKER_PASSWORD), 'the password left broker.xml');
      assert.ok(xml.includes('<location>repository/resources/security/wso2carbon.jks</location>'), 'the rest of broker.xml is kept');
      const java = javaCheck(workspace.path('repository/conf'), workspace.path(''), STORE_PASSWORD, STORE_PASSWORD);
      assert.equal(java.decrypted.get(alias), BROKER_PASSWORD, 'the JDK decrypts what the server encrypted');
      assertNoSecretInOutput(server, BROKER_PASSWORD, STORE_PASSWORD);
    } finally {
      await server.dispose();
      workspace.remove();
    }
  });

  test('master-datasources.xml: a password inside a JDBC URL encrypts the whole <url> text, which the JDK decrypts', TIMEOUT, async () => {
    const file = 'repository/conf/datasources/master-datasources.xml';
    const { workspace, server, uri } = await homeWith(file, DATASOURCES_XML);
    try {
      const diagnostics = await passwordDiagnostics(server, uri, DATASOURCES_XML);
      const diagnostic = diagnostics.find((d) => d.range.start.line === rangeOf(DATASOURCES_XML, URL_PASSWORD).start.line);
      assert.ok(diagnostic, JSON.stringify(diagnostics.map((d) => d.range)));
      await encryptThroughCommand(server, uri, diagnostic);

      const xml = fs.readFileSync(workspace.path(file), 'utf8');
      const alias = 'Datasources.WSO2AM_DB.Configuration.Url';
      assert.ok(xml.includes(`<url svns:secretAlias="${alias}">password</url>`), xml);
      assert.ok(!xml.includes(URL_PASSWORD) && !xml.includes('db.example.com'), 'the whole URL left the file');
      assert.ok(xml.includes('<driverClassName>com.mysql.jdbc.Driver</driverClassName>'), 'the rest of the file is kept');
      const java = javaCheck(workspace.path('repository/conf'), workspace.path(''), STORE_PASSWORD, STORE_PASSWORD);
      assert.equal(java.decrypted.get(alias), URL_TEXT, 'the JDK decrypts the URL as the XML parser read it (&amp; is &)');
      assertNoSecretInOutput(server, URL_PASSWORD, STORE_PASSWORD);
    } finally {
      await server.dispose();
      workspace.remove();
    }
  });

  test('identity/embedded-ldap.xml: an unresolvable secret gets its finding and no Encrypt action', TIMEOUT, async () => {
    const file = 'repository/conf/identity/embedded-ldap.xml';
    const { workspace, server, uri } = await homeWith(file, EMBEDDED_LDAP_XML);
    try {
      const [diagnostic] = await passwordDiagnostics(server, uri, EMBEDDED_LDAP_XML);
      assert.deepEqual(diagnostic.range, rangeOf(EMBEDDED_LDAP_XML, 'Mf-ldap-S3cret'));
      assert.match(diagnostic.message, /Secure Vault cannot protect it/);
      const titles = (await server.quickFixes(uri, diagnostic)).map((a) => a.title);
      assert.ok(!titles.some((t) => /Encrypt/.test(t)), `no Encrypt action: ${titles.join(' | ')}`);
      assert.ok(titles.includes('Disable plaintext-password for this line'), `the suppression is still offered: ${titles.join(' | ')}`);
      assertNoSecretInOutput(server, 'Mf-ldap-S3cret');
    } finally {
      await server.dispose();
      workspace.remove();
    }
  });
});
