import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TestFinding, analyzeText, corpusDir, only } from '../../helpers';
import { isPasswordName } from '../../../server/src/service/rules/plaintext-password';
import { parseXml, walkElements } from '../../../server/src/service/model/xml';
import locations from '../../../schemas/password-locations.json';

const RULE = 'plaintext-password';
const SVNS = 'xmlns:svns="http://org.wso2.securevault/configuration"';

/** Lines joined with \n, so line N of a test document is element N-1 of the array. */
function doc(...lines: string[]): string {
  return lines.join('\n');
}

async function passwords(confRelativePath: string, text: string): Promise<TestFinding[]> {
  return only((await analyzeText(confRelativePath, text)).findings, RULE);
}

function summary(findings: TestFinding[]): { line: number; covered: string; severity: string }[] {
  return findings.map((f) => ({ line: f.line, covered: f.covered, severity: f.severity }));
}

function aliases(findings: TestFinding[]): unknown[] {
  return findings.map((f) => f.finding.data?.alias);
}

// ---- carbon.xml ------------------------------------------------------------------------------------------------

const CARBON = doc(
  '<?xml version="1.0" encoding="ISO-8859-1"?>',
  '<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">',
  '    <Security>',
  '        <KeyStore>',
  '            <Location>${carbon.home}/repository/resources/security/wso2carbon.jks</Location>',
  '            <Password>wso2carbon</Password>',
  '            <KeyAlias>wso2carbon</KeyAlias>',
  '            <KeyPassword> Kp-7c1 </KeyPassword>',
  '        </KeyStore>',
  '        <InternalKeyStore>',
  '            <Password>wso2carbon</Password>',
  '            <KeyPassword>wso2carbon</KeyPassword>',
  '        </InternalKeyStore>',
  '        <TrustStore>',
  '            <Password><![CDATA[t&s]]></Password>',
  '        </TrustStore>',
  '    </Security>',
  '    <DeploymentSynchronizer>',
  '        <Enabled>false</Enabled>',
  '        <SvnUser>wso2</SvnUser>',
  '        <SvnPassword>password</SvnPassword>',
  '    </DeploymentSynchronizer>',
  '    <Custom><BackendPassword>s3cret</BackendPassword><PasswordHashMethod>SHA-256</PasswordHashMethod></Custom>',
  '</Server>',
);

test('carbon.xml: every keystore, truststore and SVN password, exactly the element text', async () => {
  const findings = await passwords('carbon.xml', CARBON);
  assert.deepEqual(summary(findings), [
    { line: 6, covered: 'wso2carbon', severity: 'error' },
    { line: 8, covered: 'Kp-7c1', severity: 'warning' },
    { line: 11, covered: 'wso2carbon', severity: 'error' },
    { line: 12, covered: 'wso2carbon', severity: 'error' },
    { line: 15, covered: 't&s', severity: 'warning' },
    { line: 21, covered: 'password', severity: 'warning' },
    { line: 23, covered: 's3cret', severity: 'warning' },
  ]);
  assert.deepEqual(aliases(findings), [
    'Carbon.Security.KeyStore.Password',
    'Carbon.Security.KeyStore.KeyPassword',
    'Carbon.Security.InternalKeyStore.Password',
    'Carbon.Security.InternalKeyStore.KeyPassword',
    'Carbon.Security.TrustStore.Password',
    'Carbon.DeploymentSynchronizer.SvnPassword',
    'Carbon.Custom.BackendPassword',
  ]);
  assert.deepEqual(findings[0].finding.data, { target: 'element', elementPath: ['Server', 'Security', 'KeyStore', 'Password'], alias: 'Carbon.Security.KeyStore.Password' });
  assert.equal(
    findings[0].message,
    'Plaintext password in Security/KeyStore/Password (primary keystore password), and it is a default password shipped with every WSO2 product: change it and encrypt it with Secure Vault.',
  );
  assert.equal(findings[1].message, 'Plaintext password in Security/KeyStore/KeyPassword (primary keystore private key password): encrypt it with Secure Vault.');
  assert.equal(findings[5].message, 'Plaintext password in DeploymentSynchronizer/SvnPassword (deployment synchronizer SVN password): encrypt it with Secure Vault.');
  assert.equal(findings[6].message, 'Plaintext password in Custom/BackendPassword (named like a password): encrypt it with Secure Vault.');
});

test('carbon.xml: each Secure Vault form and each non-secret value is left alone', async () => {
  const text = doc(
    `<Server xmlns="http://wso2.org/projects/carbon/carbon.xml" ${SVNS} xmlns:sv="http://org.wso2.securevault/configuration">`,
    '    <Security>',
    '        <KeyStore>',
    '            <Password svns:secretAlias="Carbon.Security.KeyStore.Password">password</Password>',
    '            <KeyPassword sv:secretAlias="Carbon.Security.KeyStore.KeyPassword">password</KeyPassword>',
    '        </KeyStore>',
    '        <TrustStore><Password>$secret{truststore}</Password></TrustStore>',
    '        <InternalKeyStore><Password> $secret{a} $secret{b} </Password><KeyPassword encrypted="true">ZW5jcnlwdGVk</KeyPassword></InternalKeyStore>',
    '    </Security>',
    '    <A><Password></Password><KeyPassword/><StorePassword>   </StorePassword></A>',
    '    <B><Password>${keystore.password}</Password><KeyPassword>{{keystore.primary.key_password}}</KeyPassword></B>',
    '    <C><EnableAskPassword>true</EnableAskPassword><UserPassword>FALSE</UserPassword></C>',
    '    <D><StoreSaltedPassword>yes</StoreSaltedPassword><PasswordDigest>SHA-256</PasswordDigest><PasswordJavaRegEx>^.{5,}$</PasswordJavaRegEx></D>',
    '    <E><Password secretAlias="NoPrefix.Is.Not.SecureVault">plain1</Password></E>',
    '    <F><Password>$secret{half} plain2</Password><KeyPassword>${a}x${b}</KeyPassword></F>',
    '</Server>',
  );
  const findings = await passwords('carbon.xml', text);
  // Only the two that are not protected: an unprefixed secretAlias is no Secure Vault marker, and a token that does
  // not make up the whole value leaves the rest in plain text.
  assert.deepEqual(summary(findings), [
    { line: 14, covered: 'plain1', severity: 'warning' },
    { line: 15, covered: '$secret{half} plain2', severity: 'warning' },
    { line: 15, covered: '${a}x${b}', severity: 'warning' },
  ]);
});

test('carbon.xml: a known location is reported even when its value is true or false', async () => {
  const findings = await passwords('carbon.xml', doc('<Server>', '<Security><KeyStore><Password>true</Password></KeyStore></Security>', '<X><MyPassword>true</MyPassword></X>', '</Server>'));
  assert.deepEqual(summary(findings), [{ line: 2, covered: 'true', severity: 'warning' }]);
});

test('passwords inside comments produce nothing', async () => {
  const text = doc(
    '<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">',
    '    <!-- <Password>commented-1</Password> -->',
    '    <Security>',
    '        <!--',
    '        <KeyStore><Password>wso2carbon</Password></KeyStore>',
    '        -->',
    '        <TrustStore><!-- <Password>admin</Password> --><Location>x.jks</Location></TrustStore>',
    '    </Security>',
    '</Server>',
  );
  assert.deepEqual(await passwords('carbon.xml', text), []);
  const userMgt = doc(
    '<UserManager><Realm>',
    '  <!--UserStoreManager class="org.wso2.carbon.user.core.ldap.ReadWriteLDAPUserStoreManager">',
    '      <Property name="ConnectionPassword">admin</Property>',
    '  </UserStoreManager-->',
    '</Realm></UserManager>',
  );
  assert.deepEqual(await passwords('user-mgt.xml', userMgt), []);
});

// ---- user-mgt.xml ------------------------------------------------------------------------------------------------

const USER_MGT = doc(
  '<UserManager>',
  '    <Realm>',
  '        <Configuration>',
  '            <AddAdmin>true</AddAdmin>',
  '            <AdminRole>admin</AdminRole>',
  '            <AdminUser>',
  '                <UserName>admin</UserName>',
  '                <Password>admin</Password>',
  '            </AdminUser>',
  '            <Property name="dataSource">jdbc/WSO2CarbonDB</Property>',
  '            <Property name="ConnectionPassword">Rc-91x</Property>',
  '        </Configuration>',
  '        <UserStoreManager class="org.wso2.carbon.user.core.ldap.ReadWriteLDAPUserStoreManager">',
  '            <Property name="ConnectionName">uid=admin,ou=system</Property>',
  '            <Property name="ConnectionPassword">admin</Property>',
  '            <Property name="password">Db-pw1</Property>',
  '            <Property name="PasswordJavaRegEx">^[\\S]{5,30}$</Property>',
  '            <Property name="PasswordJavaScriptRegEx">^[\\S]{5,30}$</Property>',
  '            <Property name="PasswordJavaRegExViolationErrorMsg">Password length should be within 5 to 30 characters</Property>',
  '            <Property name="PasswordDigest">SHA-256</Property>',
  '            <Property name="StoreSaltedPassword">true</Property>',
  '            <Property name="PasswordHashMethod">PLAIN_TEXT</Property>',
  '            <Property name="PasswordsExternallyManaged">false</Property>',
  '        </UserStoreManager>',
  '    </Realm>',
  '</UserManager>',
);

test('user-mgt.xml: admin password, realm and user-store properties, with the aliases the realm reads', async () => {
  const findings = await passwords('user-mgt.xml', USER_MGT);
  assert.deepEqual(summary(findings), [
    { line: 8, covered: 'admin', severity: 'error' },
    { line: 11, covered: 'Rc-91x', severity: 'warning' },
    { line: 15, covered: 'admin', severity: 'error' },
    { line: 16, covered: 'Db-pw1', severity: 'warning' },
  ]);
  assert.deepEqual(aliases(findings), [
    'UserManager.AdminUser.Password',
    'UserManager.Configuration.Property.ConnectionPassword',
    'UserStoreManager.Property.ConnectionPassword',
    'UserStoreManager.Property.password',
  ]);
  assert.deepEqual(findings[2].finding.data, {
    target: 'element',
    elementPath: ['UserManager', 'Realm', 'UserStoreManager', 'Property'],
    propertyName: 'ConnectionPassword',
    alias: 'UserStoreManager.Property.ConnectionPassword',
  });
  assert.equal(findings[0].message, 'Plaintext password in Realm/Configuration/AdminUser/Password (super admin password), and it is a default password shipped with every WSO2 product: change it and encrypt it with Secure Vault.');
  assert.equal(findings[3].message, 'Plaintext password in Realm/UserStoreManager/Property[password] (user store database password): encrypt it with Secure Vault.');
});

test('user-mgt.xml: what the cipher tool writes is protected', async () => {
  const text = doc(
    `<UserManager ${SVNS}><Realm><Configuration>`,
    '<AdminUser><UserName>admin</UserName><Password svns:secretAlias="UserManager.AdminUser.Password">password</Password></AdminUser>',
    '</Configuration><UserStoreManager class="x">',
    '<Property name="ConnectionPassword" svns:secretAlias="UserStoreManager.Property.ConnectionPassword">password</Property>',
    '<Property name="password">$secret{db}</Property>',
    '</UserStoreManager></Realm></UserManager>',
  );
  assert.deepEqual(await passwords('user-mgt.xml', text), []);
});

// ---- catalina-server.xml ------------------------------------------------------------------------------------------

test('catalina-server.xml: keystorePass covers exactly the attribute value, with the ServerManager alias', async () => {
  const text = doc(
    '<Server port="8005" shutdown="SHUTDOWN">',
    '    <Service name="Catalina">',
    '        <Connector protocol="org.apache.coyote.http11.Http11NioProtocol"',
    '                   port="9443"',
    '                   keystoreFile="${carbon.home}/repository/resources/security/wso2carbon.jks"',
    '                   keystorePass="wso2carbon"',
    '                   clientAuth="false"/>',
    '    </Service>',
    '</Server>',
  );
  const findings = await passwords('tomcat/catalina-server.xml', text);
  assert.deepEqual(summary(findings), [{ line: 6, covered: 'wso2carbon', severity: 'error' }]);
  assert.deepEqual(findings[0].finding.data, {
    target: 'attribute',
    elementPath: ['Server', 'Service', 'Connector'],
    attributeName: 'keystorePass',
    alias: 'Server.Service.Connector.keystorePass',
  });
  assert.equal(
    findings[0].message,
    'Plaintext password in Service[Catalina]/Connector[port=9443]@keystorePass (HTTPS connector keystore password), and it is a default password shipped with every WSO2 product: change it and encrypt it with Secure Vault.',
  );
});

test('catalina-server.xml: two password attributes on one connector are both reported, with the one-alias limit', async () => {
  const text = doc('<Server>', '<Service name="Catalina">', '<Connector port="9443" keystorePass="Ks-1" truststorePass="Ts-2" keyPass=""/>', '</Service>', '</Server>');
  const findings = await passwords('tomcat/catalina-server.xml', text);
  assert.deepEqual(summary(findings), [
    { line: 3, covered: 'Ks-1', severity: 'warning' },
    { line: 3, covered: 'Ts-2', severity: 'warning' },
  ]);
  assert.deepEqual(aliases(findings), ['Server.Service.Connector.keystorePass', 'Server.Service.Connector.truststorePass']);
  for (const f of findings) {
    assert.equal(f.finding.data?.aliasConflict, true);
    assert.match(f.message, /Secure Vault can protect only one of the 2 passwords on this element \(keystorePass, truststorePass\)/);
  }
});

test('catalina-server.xml: the alias protects the attribute it names; the other one stays plain', async () => {
  const text = doc(
    `<Server ${SVNS}>`,
    '<Service name="Catalina">',
    '<Connector port="9443" keystorePass="password" truststorePass="Ts-2" svns:secretAlias="Server.Service.Connector.keystorePass"/>',
    '<Connector port="9444" keystorePass="password" svns:secretAlias="Server.Service.Connector.keystorePass"/>',
    '<Connector port="9445" keystorePass="secretAlias:Server.Service.Connector.keystorePass"/>',
    '<Connector port="9446" keystorePass="$secret{keystore_password}" truststorePass="{{truststore.password}}"/>',
    '<Connector port="9447" keystorePass="${ks.pass}"/>',
    '</Service>',
    '</Server>',
  );
  const findings = await passwords('tomcat/catalina-server.xml', text);
  assert.deepEqual(summary(findings), [{ line: 3, covered: 'Ts-2', severity: 'warning' }]);
  assert.equal(findings[0].finding.data?.attributeName, 'truststorePass');
  assert.equal(findings[0].finding.data?.aliasConflict, true);
});

test('catalina-server.xml: Tomcat 8.5+ certificate and realm password attributes', async () => {
  const text = doc(
    '<Server><Service name="Catalina"><Connector port="9443">',
    '<SSLHostConfig truststorePassword="Tp-3">',
    '<Certificate certificateKeystorePassword="Ck-4" certificateKeystoreFile="a.jks"/>',
    '</SSLHostConfig></Connector></Service></Server>',
  );
  const findings = await passwords('tomcat/catalina-server.xml', text);
  assert.deepEqual(summary(findings), [
    { line: 2, covered: 'Tp-3', severity: 'warning' },
    { line: 3, covered: 'Ck-4', severity: 'warning' },
  ]);
  assert.deepEqual(aliases(findings), [
    'Server.Service.Connector.SSLHostConfig.truststorePassword',
    'Server.Service.Connector.SSLHostConfig.Certificate.certificateKeystorePassword',
  ]);
  assert.match(findings[1].message, /\(TLS certificate keystore password\)/);
});

// ---- axis2.xml ---------------------------------------------------------------------------------------------------

const AXIS2 = doc(
  '<axisconfig name="AxisJava2.0">',
  '    <transportReceiver name="https" class="org.apache.synapse.transport.passthru.PassThroughHttpSSLListener">',
  '        <parameter name="port" locked="false">8243</parameter>',
  '        <parameter name="keystore" locked="false">',
  '            <KeyStore>',
  '                <Location>repository/resources/security/wso2carbon.jks</Location>',
  '                <Type>JKS</Type>',
  '                <Password>wso2carbon</Password>',
  '                <KeyPassword>wso2carbon</KeyPassword>',
  '            </KeyStore>',
  '        </parameter>',
  '        <parameter name="truststore" locked="false">',
  '            <TrustStore><Location>client-truststore.jks</Location><Type>JKS</Type><Password>Tr-5</Password></TrustStore>',
  '        </parameter>',
  '    </transportReceiver>',
  '    <transportSender name="https" class="org.apache.synapse.transport.passthru.PassThroughHttpSSLSender">',
  '        <parameter name="keystore" locked="false">',
  '            <KeyStore><Password>wso2carbon</Password></KeyStore>',
  '        </parameter>',
  '    </transportSender>',
  '    <transportSender name="mailto" class="org.apache.axis2.transport.mail.MailTransportSender">',
  '        <parameter name="mail.smtp.host">smtp.gmail.com</parameter>',
  '        <parameter name="mail.smtp.user">synapse.demo.0</parameter>',
  '        <parameter name="mail.smtp.password">Sm-6</parameter>',
  '    </transportSender>',
  '    <transportSender name="wss" class="org.wso2.carbon.websocket.transport.WebsocketTransportSender">',
  '        <parameter name="ws.trust.store" locked="false">',
  '            <ws.trust.store.Password>wso2carbon</ws.trust.store.Password>',
  '        </parameter>',
  '    </transportSender>',
  '    <transportReceiver name="passthru-https" class="x"><parameter name="non-blocking">true</parameter></transportReceiver>',
  '</axisconfig>',
);

test('axis2.xml: transport keystore and truststore passwords and secret parameters, with cipher-tool aliases', async () => {
  const findings = await passwords('axis2/axis2.xml', AXIS2);
  assert.deepEqual(summary(findings), [
    { line: 8, covered: 'wso2carbon', severity: 'error' },
    { line: 9, covered: 'wso2carbon', severity: 'error' },
    { line: 13, covered: 'Tr-5', severity: 'warning' },
    { line: 18, covered: 'wso2carbon', severity: 'error' },
    { line: 24, covered: 'Sm-6', severity: 'warning' },
    { line: 28, covered: 'wso2carbon', severity: 'error' },
  ]);
  assert.deepEqual(aliases(findings), [
    'Axis2.Https.Listener.KeyStore.Password',
    'Axis2.Https.Listener.KeyStore.KeyPassword',
    'Axis2.Https.Listener.TrustStore.Password',
    'Axis2.Https.Sender.KeyStore.Password',
    'Axis2.Mailto.Parameter.Password',
    // The WebSocket sender reads ws.trust.store.Password without Secure Vault before carbon-mediation 4.7.256: no alias.
    undefined,
  ]);
  assert.match(findings[5].message, /Secure Vault cannot protect it before carbon-mediation 4\.7\.256\. .*rotate that password/);
  assert.deepEqual(findings[5].finding.data, {
    target: 'element',
    elementPath: ['axisconfig', 'transportSender', 'parameter', 'ws.trust.store.Password'],
    encryptable: false,
    unresolvable: 'ws-trust-store',
  });
  assert.equal(findings[0].message, 'Plaintext password in transportReceiver[https]/parameter[keystore]/KeyStore/Password (transport listener keystore password), and it is a default password shipped with every WSO2 product: change it and encrypt it with Secure Vault.');
  assert.equal(findings[4].message, 'Plaintext password in transportSender[mailto]/parameter[mail.smtp.password] (mail transport SMTP password): encrypt it with Secure Vault.');
  assert.deepEqual(findings[4].finding.data, {
    target: 'element',
    elementPath: ['axisconfig', 'transportSender', 'parameter'],
    propertyName: 'mail.smtp.password',
    alias: 'Axis2.Mailto.Parameter.Password',
  });
});

test('axis2.xml: protected keystore passwords produce nothing', async () => {
  const text = doc(
    `<axisconfig ${SVNS}><transportReceiver name="https" class="x"><parameter name="keystore"><KeyStore>`,
    '<Password svns:secretAlias="Axis2.Https.Listener.KeyStore.Password">password</Password>',
    '<KeyPassword>$secret{axis2_key}</KeyPassword>',
    '</KeyStore></parameter><parameter name="mail.smtp.password" svns:secretAlias="Axis2.Mailto.Parameter.Password">password</parameter>',
    '</transportReceiver></axisconfig>',
  );
  assert.deepEqual(await passwords('axis2/axis2.xml', text), []);
});

// ---- datasources ---------------------------------------------------------------------------------------------------

function datasource(name: string, passwordLine: string): string[] {
  return [
    '        <datasource>',
    `            <name>${name}</name>`,
    '            <definition type="RDBMS">',
    '                <configuration>',
    '                    <url>jdbc:mysql://localhost:3306/db</url>',
    passwordLine,
    '                </configuration>',
    '            </definition>',
    '        </datasource>',
  ];
}

test('datasources: every datasource password, with a per-datasource alias; protected forms left alone', async () => {
  const text = doc(
    `<datasources-configuration ${SVNS}>`,
    '    <datasources>',
    ...datasource('WSO2_CARBON_DB', '                    <password>wso2carbon</password>'), // line 8
    ...datasource('WSO2AM_DB', '                    <password>Am-7</password>'), // line 17
    ...datasource('ENCRYPTED_DB', '                    <password encrypted="true">eyJjIjoiYWJjIn0=</password>'), // line 26
    ...datasource('VAULT_DB', '                    <password svns:secretAlias="WSO2.DB.Password"></password>'), // line 35
    ...datasource('VAULT2_DB', '                    <password svns:secretAlias="Datasources.VAULT2_DB.Configuration.Password">password</password>'), // line 44
    '        <datasource><name>PROPS_DB</name><definition type="RDBMS"><configuration>', // line 48
    '            <dataSourceProps>',
    '                <property name="url">jdbc:mysql://localhost:3306/Test1</property>',
    '                <property name="user">root</property>',
    '                <property name="password">Pp-8</property>',
    '            </dataSourceProps>',
    '        </configuration></definition></datasource>',
    '    </datasources>',
    '</datasources-configuration>',
  );
  const findings = await passwords('datasources/master-datasources.xml', text);
  assert.deepEqual(summary(findings), [
    { line: 8, covered: 'wso2carbon', severity: 'error' },
    { line: 17, covered: 'Am-7', severity: 'warning' },
    { line: 52, covered: 'Pp-8', severity: 'warning' },
  ]);
  assert.deepEqual(aliases(findings), [
    'Datasources.WSO2_CARBON_DB.Configuration.Password',
    'Datasources.WSO2AM_DB.Configuration.Password',
    'Datasources.PROPS_DB.Configuration.DataSourceProps.Property.password',
  ]);
  assert.equal(findings[1].message, 'Plaintext password in datasources/datasource[WSO2AM_DB]/definition/configuration/password (datasource password): encrypt it with Secure Vault.');
  assert.match(findings[2].message, /\(datasource driver password\)/);
});

test('datasources: a datasource named like its password is not named in the message, and aliases stay unique', async () => {
  const text = doc(
    '<datasources-configuration><datasources>',
    ...datasource('Zq-unique-4711', '                    <password>Zq-unique-4711</password>'),
    ...datasource('OTHER', '                    <password>Zq-other</password>'),
    ...datasource('Zq-other', '                    <password>Zq-other</password>'),
    '</datasources></datasources-configuration>',
  );
  const findings = await passwords('datasources/master-datasources.xml', text);
  assert.equal(findings.length, 3);
  assert.deepEqual(aliases(findings), ['Datasources.Configuration.Password', 'Datasources.OTHER.Configuration.Password', 'Datasources.Configuration.Password.2']);
  assert.ok(!JSON.stringify(findings.map((f) => [f.message, f.finding.data])).includes('Zq-'));
});

test('datasources: a new alias never reuses one the file already gives another secret, even further down', async () => {
  const text = doc(
    `<datasources-configuration ${SVNS}><datasources>`,
    ...datasource('DUP', '                    <password>Dp-1</password>'),
    ...datasource('DUP', '                    <password svns:secretAlias="Datasources.DUP.Configuration.Password">password</password>'),
    '</datasources></datasources-configuration>',
  );
  const findings = await passwords('datasources/master-datasources.xml', text);
  assert.deepEqual(summary(findings), [{ line: 7, covered: 'Dp-1', severity: 'warning' }]);
  assert.deepEqual(aliases(findings), ['Datasources.DUP.Configuration.Password.2']);
});

// ---- registry.xml --------------------------------------------------------------------------------------------------

test('registry.xml: an active remote instance password is reported; the shipped commented samples are not', async () => {
  const text = doc(
    '<wso2registry>',
    '    <!--remoteInstance url="https://localhost:9443/registry">',
    '        <password>password</password>',
    '    </remoteInstance-->',
    '    <remoteInstance url="https://localhost:9443/registry">',
    '        <id>instanceid</id>',
    '        <username>username</username>',
    '        <password>Rg-9</password>',
    '    </remoteInstance>',
    '</wso2registry>',
  );
  const findings = await passwords('registry.xml', text);
  assert.deepEqual(summary(findings), [{ line: 8, covered: 'Rg-9', severity: 'warning' }]);
  assert.equal(findings[0].finding.data?.alias, 'wso2registry.remoteInstance.password');
  assert.match(findings[0].message, /\(remote registry instance password\)/);
});

// ---- never the secret ----------------------------------------------------------------------------------------------

test('a planted password never appears in any message or data', async () => {
  const planted = 'Pl4nted-Zebra-93f1';
  const cases: [string, string][] = [
    ['carbon.xml', `<Server><Security><KeyStore><Password>${planted}</Password></KeyStore></Security><X><FooPassword>${planted}</FooPassword></X></Server>`],
    ['user-mgt.xml', `<UserManager><Realm><Configuration><AdminUser><Password>${planted}</Password></AdminUser></Configuration><UserStoreManager><Property name="ConnectionPassword">${planted}</Property></UserStoreManager></Realm></UserManager>`],
    ['tomcat/catalina-server.xml', `<Server><Service name="Catalina"><Connector port="9443" keystorePass="${planted}" truststorePass="${planted}"/></Service></Server>`],
    ['axis2/axis2.xml', `<axisconfig><transportSender name="mailto"><parameter name="mail.smtp.password">${planted}</parameter></transportSender></axisconfig>`],
    ['datasources/master-datasources.xml', `<datasources-configuration><datasources><datasource><name>${planted}</name><definition><configuration><password>${planted}</password></configuration></definition></datasource></datasources></datasources-configuration>`],
    ['registry.xml', `<wso2registry><dbConfig name="${planted}"><password>${planted}</password></dbConfig></wso2registry>`],
  ];
  let total = 0;
  for (const [file, text] of cases) {
    const findings = await passwords(file, text);
    assert.ok(findings.length > 0, `${file} should report the planted password`);
    for (const f of findings) assert.equal(f.covered, planted);
    total += findings.length;
    const serialised = JSON.stringify(findings.map((f) => f.finding));
    assert.ok(!serialised.includes(planted), `${file}: the secret leaked into ${serialised}`);
    assert.ok(!serialised.includes('Zebra'), `${file}: part of the secret leaked`);
  }
  assert.equal(total, 9);
});

// ---- name classification and data ----------------------------------------------------------------------------------

test('every name containing "pass" in the corpus is classified right', () => {
  // Collected with a grep of ../shared/corpus (element names, attribute names and Property/parameter names).
  const secrets = ['Password', 'KeyPassword', 'SvnPassword', 'ws.trust.store.Password', 'password', 'keystorePass', 'ConnectionPassword', 'mail.smtp.password'];
  const notSecrets = [
    'PasswordJavaRegEx', 'PasswordJavaScriptRegEx', 'PasswordJavaRegExViolationErrorMsg', 'PasswordHashMethod', 'PasswordDigest',
    'StoreSaltedPassword', 'PasswordsExternallyManaged', 'passthru-http', 'passthru-https', 'EnablePasswordTrim', 'UserStorePasswordEncryption',
  ];
  // Names the brief and the products' other files use.
  const moreSecrets = ['truststorePass', 'keyPass', 'certificateKeystorePassword', 'certificateKeyPassword', 'truststorePassword', 'StorePass', 'XMPPPassword', 'DASPassword', 'keyStorePassword', 'transport.jms.Password'];
  for (const name of [...secrets, ...moreSecrets]) assert.equal(isPasswordName(name), true, name);
  for (const name of [...notSecrets, 'Bypass', 'PasswordPolicy', 'UserName', 'KeyAlias', 'secretAlias']) assert.equal(isPasswordName(name), false, name);
});

test('the password-locations data covers every file kind and its patterns compile', () => {
  const kinds = ['carbon', 'user-mgt', 'catalina-server', 'axis2', 'datasources', 'registry', 'api-manager', 'broker', 'identity', 'embedded-ldap', 'output-event-adapters', 'axis2-client'] as const;
  for (const kind of kinds) {
    const entry = locations.kinds[kind];
    assert.ok(entry, kind);
    for (const e of entry.elements) assert.ok(e.path.split('/').length >= 2 && e.description.length > 0, `${kind} ${e.path}`);
  }
  for (const p of [...locations.heuristic.namePatterns, ...locations.heuristic.exclusions]) assert.doesNotThrow(() => new RegExp(p, 'i'), p);
  assert.deepEqual(locations.shippedDefaults.values, ['wso2carbon', 'admin']);
});

// ---- the real corpus -----------------------------------------------------------------------------------------------

test('corpus: APIM 2.6.0 carbon.xml has five plaintext keystore passwords plus SvnPassword', async (t) => {
  const corpus = corpusDir();
  if (!corpus) return t.skip('../shared/corpus is absent');
  const file = path.join(corpus, 'apim-2.6.0/repository/conf/carbon.xml');
  if (!fs.existsSync(file)) return t.skip(`${file} is absent`);
  const findings = await passwords('carbon.xml', fs.readFileSync(file, 'utf8'));
  assert.deepEqual(summary(findings), [
    { line: 397, covered: 'wso2carbon', severity: 'error' },
    { line: 401, covered: 'wso2carbon', severity: 'error' },
    { line: 414, covered: 'wso2carbon', severity: 'error' },
    { line: 418, covered: 'wso2carbon', severity: 'error' },
    { line: 431, covered: 'wso2carbon', severity: 'error' },
    { line: 619, covered: 'password', severity: 'warning' },
  ]);
  assert.deepEqual(aliases(findings), [
    'Carbon.Security.KeyStore.Password',
    'Carbon.Security.KeyStore.KeyPassword',
    'Carbon.Security.InternalKeyStore.Password',
    'Carbon.Security.InternalKeyStore.KeyPassword',
    'Carbon.Security.TrustStore.Password',
    'Carbon.DeploymentSynchronizer.SvnPassword',
  ]);
});

test('corpus: nothing the cipher tool encrypted is reported; what it left plain still is', async (t) => {
  const corpus = corpusDir();
  if (!corpus) return t.skip('../shared/corpus is absent');
  const afterConf = path.join(corpus, 'ciphertool-run/after-conf');
  if (!fs.existsSync(afterConf)) return t.skip(`${afterConf} is absent`);
  // What the tool left in plain text (APIM 2.6.0's cipher-tool.properties has no line for these).
  const expectedLines: Record<string, number[]> = {
    'carbon.xml': [410, 414, 615],
    'user-mgt.xml': [],
    'tomcat/catalina-server.xml': [],
    'datasources/master-datasources.xml': [41, 63, 85],
  };
  let encrypted = 0;
  for (const [relative, lines] of Object.entries(expectedLines)) {
    const text = fs.readFileSync(path.join(afterConf, relative), 'utf8');
    const findings = await passwords(relative, text);
    const parsed = parseXml(text);
    for (const element of walkElements(parsed.root)) {
      if (!element.attributes.some((a) => a.name === 'svns:secretAlias')) continue;
      encrypted++;
      const inside = findings.filter((f) => f.finding.span.start >= element.span.start && f.finding.span.end <= element.span.end);
      assert.deepEqual(inside, [], `${relative}: an element the cipher tool encrypted is reported`);
    }
    assert.deepEqual(findings.map((f) => f.line), lines, relative);
  }
  // Carbon KeyStore Password/KeyPassword, TrustStore Password, AdminUser Password, the Connector, WSO2_CARBON_DB.
  assert.equal(encrypted, 6);
});

// ---- the value the runtime reads (issue 10 items 1, 2 and 8) -------------------------------------------------------

test('split text is one finding, from the first to the last piece of text; padding is outside the range', async () => {
  const text = doc(
    '<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">',
    '  <A><password>Comm<!-- note -->entSecret2</password></A>',
    '  <B><password>Cdata<![CDATA[Split3]]></password></B>',
    '  <C><password><?pi x?>PiSecret4</password></C>',
    '  <D><password>\n     padded\u00a0 \n  </password></D>',
    '  <E><password>  <!-- only a comment and spaces -->  </password></E>',
    '</Server>',
  );
  const found = await passwords('carbon.xml', text);
  assert.deepEqual(
    found.map((f) => f.covered),
    ['Comm<!-- note -->entSecret2', 'Cdata<![CDATA[Split3', 'PiSecret4', 'padded\u00a0'],
  );
  assert.deepEqual(aliases(found), ['Carbon.A.password', 'Carbon.B.password', 'Carbon.C.password', 'Carbon.D.password']);
});

test('a password broken by an unescaped `<` leaks no fragment into any finding (messages, data, aliases)', async () => {
  const text = doc(
    '<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">',
    '  <Security>',
    '    <KeyStore>',
    '      <Password>Canary<Bad15</Password>',
    '      <KeyAlias>wso2carbon</KeyAlias>',
    '      <KeyPassword>Kp-After-9</KeyPassword>',
    '    </KeyStore>',
    '  </Security>',
    '</Server>',
  );
  const { findings } = await analyzeText('carbon.xml', text);
  assert.ok(findings.some((f) => f.finding.ruleId === 'xml-syntax'), 'the syntax error is reported');
  const everything = JSON.stringify(findings.map((f) => ({ message: f.finding.message, data: f.finding.data })));
  assert.ok(!everything.includes('Bad15') && !everything.includes('Canary'), everything);
  // Before the error the tree is sound and its passwords are still reported.
  const before = await passwords('carbon.xml', text.replace('<Security>', '<Early><Password>Ep-1</Password></Early><Security>'));
  assert.deepEqual(before.map((f) => f.covered), ['Ep-1']);
});

test('a password longer than RSA-2048 can encrypt: the message and the data say so (clients that hide refused fixes still see why)', async () => {
  const carbon = (password: string) => doc('<Server>', '  <Security>', '    <KeyStore>', `      <Password>${password}</Password>`, '    </KeyStore>', '  </Security>', '</Server>');
  const cases: [string, boolean][] = [
    ['Lk9'.repeat(81) + 'xx', false], // 245 bytes: the limit
    ['Lk9'.repeat(82), true], // 246
    ['\u00e9'.repeat(122) + 'z', false], // 122 * 2 + 1 = 245 bytes in UTF-8
    ['\u00e9'.repeat(123), true], // 246 bytes in UTF-8, 123 characters
  ];
  for (const [password, tooLong] of cases) {
    const [finding] = await passwords('carbon.xml', carbon(password));
    assert.ok(finding);
    const data = finding.finding.data as { longerThanDefaultKeyLimit?: boolean };
    assert.equal(data.longerThanDefaultKeyLimit === true, tooLong, `${new TextEncoder().encode(password).length} bytes`);
    assert.equal(/longer than the 245 bytes Secure Vault's RSA encryption takes with the 2048-bit key/.test(finding.message), tooLong);
    assert.ok(!finding.message.includes('Lk9') && !finding.message.includes('\u00e9'));
  }
  // A URL's password: the whole URL is what gets encrypted, so its length counts.
  const url = `jdbc:mysql://db.example.com:3306/${'d'.repeat(220)}?user=u&amp;password=Url-Pw-1`;
  const ds = doc('<datasources-configuration>', '<datasources><datasource><name>D</name><definition type="RDBMS"><configuration>', `<url>${url}</url>`, '</configuration></definition></datasource></datasources>', '</datasources-configuration>');
  const [inUrl] = await passwords('datasources/master-datasources.xml', ds);
  assert.ok(inUrl);
  assert.equal((inUrl.finding.data as { longerThanDefaultKeyLimit?: boolean }).longerThanDefaultKeyLimit, true);
});
