import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestFinding, analyzeIn, analyzeText, only } from '../../helpers';
import { locateConfigFile, matchesRoot } from '../../../server/src/service/workspace/files';
import { parseXml } from '../../../server/src/service/model/xml';
import { secureVaultFixability } from '../../../server/src/service/fixes/secure-vault';

/**
 * plaintext-password on the files beyond the six (issue 14): api-manager.xml, broker.xml, identity/identity.xml,
 * identity/embedded-ldap.xml, output-event-adapters.xml, axis2/axis2_client.xml and axis2_blocking_client.xml, and
 * passwords inside JDBC/AMQP URLs. A secret the runtime resolves through Secure Vault carries the runtime's alias; one it
 * cannot resolve carries `encryptable: false` and a message that says so and what to do instead.
 */

const RULE = 'plaintext-password';
const SVNS = 'xmlns:svns="http://org.wso2.securevault/configuration"';

function doc(...lines: string[]): string {
  return lines.join('\n');
}

async function passwords(confRelativePath: string, text: string): Promise<TestFinding[]> {
  const { result, findings } = await analyzeText(confRelativePath, text);
  assert.ok(result.location, `${confRelativePath} is recognised`);
  return only(findings, RULE);
}

function brief(findings: TestFinding[]): [number, string, string][] {
  return findings.map((f) => [f.line, f.covered, f.severity]);
}

function dataOf(finding: TestFinding): Record<string, unknown> {
  return finding.finding.data as Record<string, unknown>;
}

// ---- recognition: place and root element -------------------------------------------------------------------------

test('the new files are recognised by place and root element', () => {
  const conf = '/p/repository/conf';
  const cases: [string, string, string][] = [
    [`${conf}/api-manager.xml`, 'api-manager', '<APIManager/>'],
    [`${conf}/broker.xml`, 'broker', '<broker/>'],
    [`${conf}/identity/identity.xml`, 'identity', '<Server xmlns="http://wso2.org/projects/carbon/carbon.xml"/>'],
    [`${conf}/identity/embedded-ldap.xml`, 'embedded-ldap', '<EmbeddedLDAPConfig/>'],
    [`${conf}/output-event-adapters.xml`, 'output-event-adapters', '<outputEventAdaptersConfig/>'],
    [`${conf}/axis2/axis2_client.xml`, 'axis2-client', '<axisconfig name="AxisJava2.0"/>'],
    [`${conf}/axis2/axis2_blocking_client.xml`, 'axis2-client', '<axisconfig name="AxisJava2.0"/>'],
  ];
  for (const [path, kind, root] of cases) {
    const location = locateConfigFile(path);
    assert.equal(location?.kind, kind, path);
    assert.equal(location?.home?.homeDir, '/p', path);
    assert.equal(matchesRoot(location!.kind, parseXml(root).root), true, `${path} with its own root`);
    assert.equal(matchesRoot(location!.kind, parseXml('<Other/>').root), false, `${path} with another root`);
  }
  // Place matters: identity.xml outside identity/ is not identity.xml; embedded-ldap.xml outside identity/ is nothing.
  assert.equal(locateConfigFile(`${conf}/identity.xml`), undefined);
  assert.equal(locateConfigFile(`${conf}/embedded-ldap.xml`), undefined);
  assert.equal(locateConfigFile(`${conf}/axis2_client.xml`), undefined);
});

test('a file at a new place with the wrong root element is not checked', async () => {
  const { result, findings } = await analyzeText('broker.xml', '<notBroker><password>Pw-1</password></notBroker>');
  assert.equal(result.location, undefined);
  assert.deepEqual(findings, []);
});

// ---- api-manager.xml ---------------------------------------------------------------------------------------------

const API_MANAGER = doc(
  '<APIManager>',
  '    <AuthManager><Username>${admin.username}</Username><Password>${admin.password}</Password></AuthManager>',
  '    <APIGateway><Environments>',
  '        <Environment type="hybrid"><Name>Production</Name><Password>Gw-1</Password></Environment>',
  '        <Environment type="hybrid"><Name>Sandbox</Name><Password>${admin.password}</Password></Environment>',
  '    </Environments></APIGateway>',
  '    <APIKeyValidator><Password>admin</Password></APIKeyValidator>',
  '    <ThrottlingConfigurations>',
  '        <TrafficManager><Password>Tm-2</Password></TrafficManager>',
  '        <JMSConnectionDetails><JMSConnectionParameters>',
  "            <connectionfactory.TopicConnectionFactory>amqp://${admin.username}:${admin.password}@clientid/carbon?brokerlist='tcp://${carbon.local.ip}:${jms.port}'</connectionfactory.TopicConnectionFactory>",
  "            <connectionfactory.QueueConnectionFactory>amqp://admin:Jm-3@clientid/carbon?brokerlist='tcp://localhost:5672'</connectionfactory.QueueConnectionFactory>",
  '        </JMSConnectionParameters></JMSConnectionDetails>',
  '    </ThrottlingConfigurations>',
  '    <ExternalAPIStores><ExternalAPIStore id="Store1" type="wso2"><Password>Ex-4</Password></ExternalAPIStore></ExternalAPIStores>',
  '    <WorkflowConfigurations><ServerPassword>${admin.password}</ServerPassword></WorkflowConfigurations>',
  '</APIManager>',
);

test('api-manager.xml: literals get the APIManagerConfiguration aliases; ${admin.password} references are not plain text', async () => {
  const findings = await passwords('api-manager.xml', API_MANAGER);
  assert.deepEqual(brief(findings), [
    [4, 'Gw-1', 'warning'],
    [7, 'admin', 'error'],
    [9, 'Tm-2', 'warning'],
    [12, 'Jm-3', 'warning'],
    [15, 'Ex-4', 'warning'],
  ]);
  assert.deepEqual(
    findings.map((f) => dataOf(f).alias),
    ['APIGateway.Password', 'APIKeyValidator.Password', 'ThrottlingConfigurations.TrafficManager.Password', undefined, 'ExternalAPIStores.ExternalAPIStore.Password_Store1'],
  );
  // admin is not where API Manager ships a literal: a well-known default, not "shipped with every WSO2 product".
  assert.match(findings[1].message, /a well-known WSO2 default password/);
  assert.doesNotMatch(findings[1].message, /every WSO2 product/);
});

test('api-manager.xml: a password inside a JMSConnectionParameters URL cannot be vaulted there', async () => {
  const findings = await passwords('api-manager.xml', API_MANAGER);
  const jms = findings.find((f) => f.line === 12)!;
  assert.equal(jms.covered, 'Jm-3');
  assert.deepEqual(dataOf(jms), {
    target: 'element',
    elementPath: ['APIManager', 'ThrottlingConfigurations', 'JMSConnectionDetails', 'JMSConnectionParameters', 'connectionfactory.QueueConnectionFactory'],
    encryptable: false,
    unresolvable: 'jms-connection-parameters',
    partOfText: true,
  });
  assert.match(jms.message, /Secure Vault cannot protect it here\. Use the \$\{admin\.username\}:\$\{admin\.password\} references WSO2 ships/);
  assert.ok(!jms.message.includes('Jm-3'));
});

// ---- broker.xml --------------------------------------------------------------------------------------------------

const BROKER = doc(
  '<broker>',
  '    <transports>',
  '        <amqp enabled="true">',
  '            <sslConnection enabled="true" port="8672">',
  '                <keyStore><location>wso2carbon.jks</location><password>wso2carbon</password></keyStore>',
  '                <trustStore><location>client-truststore.jks</location><password>Ts-1</password></trustStore>',
  '            </sslConnection>',
  '        </amqp>',
  '        <mqtt enabled="false">',
  '            <sslConnection enabled="true" port="8883">',
  `                <keyStore><password ${SVNS} svns:secretAlias="transports.mqtt.sslConnection.keyStore.password">password</password></keyStore>`,
  '            </sslConnection>',
  '        </mqtt>',
  '    </transports>',
  '</broker>',
);

test('broker.xml: keystore and truststore passwords get the andes XPath aliases', async () => {
  const findings = await passwords('broker.xml', BROKER);
  assert.deepEqual(brief(findings), [
    [5, 'wso2carbon', 'error'],
    [6, 'Ts-1', 'warning'],
  ]);
  assert.deepEqual(dataOf(findings[0]), {
    target: 'element',
    elementPath: ['broker', 'transports', 'amqp', 'sslConnection', 'keyStore', 'password'],
    alias: 'transports.amqp.sslConnection.keyStore.password',
  });
  assert.equal(dataOf(findings[1]).alias, 'transports.amqp.sslConnection.trustStore.password');
  assert.equal(
    findings[0].message,
    'Plaintext password in transports/amqp/sslConnection[port=8672]/keyStore/password (AMQP SSL keystore password), and it is a default password shipped with the andes broker of API Manager, Message Broker and the EI broker profile: change it and encrypt it with Secure Vault.',
  );
});

// ---- identity/identity.xml ---------------------------------------------------------------------------------------

const IDENTITY = doc(
  '<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">',
  '    <Identity><System><StorePass></StorePass></System></Identity>',
  '    <MultifactorAuthentication><XMPPSettings><XMPPConfig><XMPPPassword>wso2carbon</XMPPPassword></XMPPConfig></XMPPSettings></MultifactorAuthentication>',
  '    <EntitlementSettings><ThirftBasedEntitlementConfig><KeyStore><Password>Kp-2</Password></KeyStore></ThirftBasedEntitlementConfig></EntitlementSettings>',
  '    <EnableAskPasswordAdminUI>true</EnableAskPasswordAdminUI>',
  '</Server>',
);

test('identity/identity.xml: aliases are the full dotted path below <Server> (not the cipher-tool line IS 5.6.0 appends)', async () => {
  const findings = await passwords('identity/identity.xml', IDENTITY);
  assert.deepEqual(brief(findings), [
    [3, 'wso2carbon', 'error'],
    [4, 'Kp-2', 'warning'],
  ]);
  assert.deepEqual(
    findings.map((f) => dataOf(f).alias),
    ['MultifactorAuthentication.XMPPSettings.XMPPConfig.XMPPPassword', 'EntitlementSettings.ThirftBasedEntitlementConfig.KeyStore.Password'],
  );
  assert.match(findings[0].message, /shipped with the identity components of Identity Server and API Manager: change it and encrypt it with Secure Vault\.$/);
});

test('identity/identity.xml is not analysed as carbon.xml (no Carbon.-prefixed aliases)', async () => {
  const { result } = await analyzeText('identity/identity.xml', IDENTITY);
  assert.equal(result.location?.kind, 'identity');
});

// ---- identity/embedded-ldap.xml: nothing there can be vaulted ----------------------------------------------------

const EMBEDDED_LDAP = doc(
  '<EmbeddedLDAPConfig>',
  '  <EmbeddedLDAP>',
  '    <Property name="enable">true</Property>',
  '    <Property name="connectionPassword">admin</Property>',
  '  </EmbeddedLDAP>',
  '  <DefaultPartition>',
  '    <Property name="kdcPassword">secret</Property>',
  '    <Property name="ldapServerPrinciplePassword">Lp-3</Property>',
  '  </DefaultPartition>',
  '  <PartitionAdmin>',
  '    <Property name="password">admin</Property>',
  '    <Property name="passwordType">SHA</Property>',
  '  </PartitionAdmin>',
  '</EmbeddedLDAPConfig>',
);

test('identity/embedded-ldap.xml: every secret is reported as unresolvable, with encryptable false and no alias', async () => {
  const findings = await passwords('identity/embedded-ldap.xml', EMBEDDED_LDAP);
  assert.deepEqual(brief(findings), [
    [4, 'admin', 'error'],
    [7, 'secret', 'error'],
    [8, 'Lp-3', 'warning'],
    [11, 'admin', 'error'],
  ]);
  for (const finding of findings) {
    const data = dataOf(finding);
    assert.equal(data.encryptable, false);
    assert.equal(data.unresolvable, 'embedded-ldap');
    assert.equal('alias' in data, false, 'no alias for a secret the runtime cannot resolve');
    assert.match(finding.message, /without any Secure Vault support, so Secure Vault cannot protect it\. Change it from the shipped value/);
    assert.match(finding.message, /make the file readable only by the server's user/);
    assert.doesNotMatch(finding.message, /encrypt it with Secure Vault/);
  }
  assert.match(findings[1].message, /Kerberos KDC server principal password\), and it is a default password shipped with Identity Server's embedded LDAP:/);
  assert.equal(dataOf(findings[0]).propertyName, 'connectionPassword');
});

test('identity/embedded-ldap.xml: the Secure Vault fix offers nothing for an unresolvable secret', async () => {
  const { result } = await analyzeText('identity/embedded-ldap.xml', EMBEDDED_LDAP);
  const passwordFindings = result.findings.filter((f) => f.ruleId === RULE);
  assert.equal(passwordFindings.length, 4);
  const fixability = secureVaultFixability(result.doc!, passwordFindings);
  assert.deepEqual(fixability.map((f) => f.fixable), [false, false, false, false], 'no Encrypt action for any of them');
  for (const f of fixability) assert.match(f.reason ?? '', /Secure Vault/, 'each says why it cannot be encrypted');
});

test('the Secure Vault fix never selects a finding marked encryptable: false, even one that carries an alias', async () => {
  const { result } = await analyzeText('broker.xml', BROKER);
  const [first] = result.findings.filter((f) => f.ruleId === RULE);
  assert.deepEqual(secureVaultFixability(result.doc!, [first]).map((f) => f.fixable), [true]);
  const marked = { ...first, data: { ...first.data, encryptable: false } };
  assert.deepEqual(secureVaultFixability(result.doc!, [marked]).map((f) => f.fixable), [false]);
});

// ---- output-event-adapters.xml -----------------------------------------------------------------------------------

test('output-event-adapters.xml: the email adapter SMTP password (property key=…) gets a free-form alias', async () => {
  const text = doc(
    '<outputEventAdaptersConfig>',
    '    <adapterConfig type="email">',
    '        <property key="mail.smtp.user">abcd</property>',
    '        <property key="mail.smtp.password">xxxx</property>',
    '        <property key="mail.smtp.auth">true</property>',
    '    </adapterConfig>',
    '</outputEventAdaptersConfig>',
  );
  const findings = await passwords('output-event-adapters.xml', text);
  assert.deepEqual(brief(findings), [[4, 'xxxx', 'warning']]);
  assert.deepEqual(dataOf(findings[0]), {
    target: 'element',
    elementPath: ['outputEventAdaptersConfig', 'adapterConfig', 'property'],
    propertyName: 'mail.smtp.password',
    alias: 'OutputEventAdapters.Email.mail.smtp.password',
  });
  assert.equal(findings[0].message, 'Plaintext password in adapterConfig/property[key=mail.smtp.password] (email output adapter SMTP password): encrypt it with Secure Vault.');
});

test('output-event-adapters.xml: a protected SMTP password produces nothing', async () => {
  const text = `<outputEventAdaptersConfig ${SVNS}><adapterConfig type="email"><property key="mail.smtp.password" svns:secretAlias="smtp">password</property></adapterConfig></outputEventAdaptersConfig>`;
  assert.deepEqual(await passwords('output-event-adapters.xml', text), []);
});

// ---- axis2_client.xml / axis2_blocking_client.xml ----------------------------------------------------------------

const AXIS2_CLIENT = doc(
  '<axisconfig name="AxisJava2.0">',
  '    <parameter name="userName">admin</parameter>',
  '    <parameter name="password">axis2</parameter>',
  '    <transportSender name="mailto" class="org.apache.axis2.transport.mail.MailTransportSender">',
  '        <parameter name="mail.smtp.password">mailpassword</parameter>',
  '    </transportSender>',
  '</axisconfig>',
);

test('axis2 client configs: the admin console password cannot be vaulted, the mail password can (Axis2.Mailto.Parameter.Password)', async () => {
  for (const file of ['axis2/axis2_client.xml', 'axis2/axis2_blocking_client.xml']) {
    const findings = await passwords(file, AXIS2_CLIENT);
    assert.deepEqual(brief(findings), [
      [3, 'axis2', 'error'],
      [5, 'mailpassword', 'warning'],
    ], file);
    assert.deepEqual(dataOf(findings[0]), {
      target: 'element',
      elementPath: ['axisconfig', 'parameter'],
      propertyName: 'password',
      encryptable: false,
      unresolvable: 'axis2-admin',
    });
    assert.match(findings[0].message, /Axis2 admin console password\), and it is a default password shipped with the Axis2 client configuration of WSO2 products: .*Secure Vault cannot protect it\. Change it from the shipped value/);
    assert.equal(dataOf(findings[1]).alias, 'Axis2.Mailto.Parameter.Password');
    assert.equal(dataOf(findings[1]).encryptable, undefined);
  }
});

test('axis2 client configs: a changed admin console password is still reported, as a warning', async () => {
  const findings = await passwords('axis2/axis2_client.xml', '<axisconfig><parameter name="password">Ax-9</parameter></axisconfig>');
  assert.deepEqual(brief(findings), [[1, 'Ax-9', 'warning']]);
  assert.equal(dataOf(findings[0]).encryptable, false);
  assert.doesNotMatch(findings[0].message, /default password/);
});

// ---- datasources: password inside the JDBC URL -------------------------------------------------------------------

function datasources(url: string): string {
  return doc(
    '<datasources-configuration>',
    '  <datasources>',
    '    <datasource>',
    '      <name>WSO2AM_DB</name>',
    '      <definition type="RDBMS"><configuration>',
    `        <url>${url}</url>`,
    '        <username>am</username>',
    '      </configuration></definition>',
    '    </datasource>',
    '  </datasources>',
    '</datasources-configuration>',
  );
}

test('datasources: a password= parameter inside a JDBC URL is reported on the password, the alias protects the whole url', async () => {
  const findings = await passwords('datasources/am-datasources.xml', datasources('jdbc:mysql://db:3306/am?user=am&amp;password=Db-5&amp;useSSL=true'));
  assert.deepEqual(brief(findings), [[6, 'Db-5', 'warning']]);
  assert.deepEqual(dataOf(findings[0]), {
    target: 'element',
    elementPath: ['datasources-configuration', 'datasources', 'datasource', 'definition', 'configuration', 'url'],
    alias: 'Datasources.WSO2AM_DB.Configuration.Url',
    partOfText: true,
  });
  assert.match(findings[0].message, /password inside the datasource's JDBC URL\): encrypt it with Secure Vault \(the alias protects the whole url, so the whole text is encrypted\), or move it out of the URL/);

  const h2 = await passwords('datasources/am-datasources.xml', datasources('jdbc:h2:./repository/database/AM;USER=wso2carbon;PASSWORD=wso2carbon;DB_CLOSE_ON_EXIT=FALSE'));
  assert.deepEqual(brief(h2), [[6, 'wso2carbon', 'error']]);
  assert.match(h2[0].message, /a well-known WSO2 default password/);
});

test('datasources: URLs without a password parameter, or with a longer name ending in password=, produce nothing', async () => {
  for (const url of ['jdbc:h2:./repository/database/WSO2CARBON_DB;DB_CLOSE_ON_EXIT=FALSE', 'jdbc:mysql://db/am?trustStorePassword=x1', 'jdbc:mysql://db/am?password=']) {
    assert.deepEqual(await passwords('datasources/am-datasources.xml', datasources(url)), [], url);
  }
});

// ---- messages fit the home -----------------------------------------------------------------------------------------

test('user-mgt.xml: an LDAP ConnectionPassword admin is not called a default of every WSO2 product', async () => {
  const text = doc(
    '<UserManager><Realm>',
    '  <UserStoreManager class="org.wso2.carbon.user.core.ldap.ReadWriteLDAPUserStoreManager">',
    '    <Property name="ConnectionPassword">admin</Property>',
    '  </UserStoreManager>',
    '</Realm></UserManager>',
  );
  const findings = await passwords('user-mgt.xml', text);
  assert.deepEqual(brief(findings), [[3, 'admin', 'error']]);
  assert.doesNotMatch(findings[0].message, /every WSO2 product/);
  assert.match(findings[0].message, /shipped with Identity Server for its embedded LDAP/);
});

test('h2-datasource: with an LDAP primary user store the realm message does not say users live in H2', async () => {
  const conf = '/test/product/repository/conf';
  const h2 = doc(
    '<datasources-configuration><datasources><datasource><name>WSO2_CARBON_DB</name><jndiConfig><name>jdbc/WSO2CarbonDB</name></jndiConfig>',
    '<definition type="RDBMS"><configuration><url>jdbc:h2:./repository/database/WSO2CARBON_DB</url><driverClassName>org.h2.Driver</driverClassName></configuration></definition>',
    '</datasource></datasources></datasources-configuration>',
  );
  const userMgt = (storeClass: string) =>
    doc(
      '<UserManager><Realm>',
      '  <Configuration><Property name="dataSource">jdbc/WSO2CarbonDB</Property></Configuration>',
      `  <UserStoreManager class="${storeClass}"><Property name="ConnectionURL">ldap://localhost:10389</Property></UserStoreManager>`,
      '</Realm></UserManager>',
    );
  const files = (storeClass: string) => ({ [`${conf}/datasources/master-datasources.xml`]: h2, [`${conf}/user-mgt.xml`]: userMgt(storeClass) });
  const ldap = only((await analyzeIn(files('org.wso2.carbon.user.core.ldap.ReadWriteLDAPUserStoreManager'), `${conf}/user-mgt.xml`)).findings, 'h2-datasource');
  assert.equal(ldap.length, 1);
  assert.match(ldap[0].message, /^The realm \(roles, permissions and claims; its users and groups are in the LDAP user store org\.wso2\.carbon\.user\.core\.ldap\.ReadWriteLDAPUserStoreManager\) uses dataSource/);
  const jdbc = only((await analyzeIn(files('org.wso2.carbon.user.core.jdbc.JDBCUserStoreManager'), `${conf}/user-mgt.xml`)).findings, 'h2-datasource');
  assert.match(jdbc[0].message, /^The realm \(users, roles, permissions and claims\) uses dataSource/);
});

test('datasources: a long URL full of near-misses is scanned in linear time', async () => {
  const url = `jdbc:h2:./db${'xpassword=;'.repeat(50_000)};PASSWORD=Z1-lin`;
  const started = Date.now();
  const findings = await passwords('datasources/am-datasources.xml', datasources(url));
  assert.deepEqual(brief(findings), [[6, 'Z1-lin', 'warning']]);
  assert.ok(Date.now() - started < 3000, 'a 550 kB URL takes well under a second');
});
