import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KeyObject, constants, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { analyzeIn } from '../../helpers';
import { parseXml } from '../../../server/src/service/model/xml';
import { Finding } from '../../../server/src/service/types';
import { homeOfConfDir } from '../../../server/src/service/workspace/files';
import { Fix } from '../../../server/src/service/fixes/types';
import { parseProperties } from '../../../server/src/service/fixes/properties';
import { encryptForSecureVault, verifyKeystore } from '../../../server/src/service/keystore';
import {
  KeystoreLocation,
  SecureVaultKey,
  SecureVaultOptions,
  SecurityFileTexts,
  cipherToolXPath,
  planSecureVault,
  planSecureVaultForFile,
  planSecureVaultForFiles,
  resolveKeystore,
  secureVaultFiles,
  secureVaultFilesFor,
  secureVaultFixability,
  secureVaultKey,
} from '../../../server/src/service/fixes/secure-vault';
import { analyseFile, applyFixToDisk, javaCheck, keytoolGenerate, readText, resultOf, tempDir, writeText } from './support';

/**
 * The Secure Vault fix on small documents: exact edits, the three properties files, the keystore choice, the
 * errors. A key made in memory stands for the certificate; the keystore flows use keytool and the JDK.
 */

const HOME = '/test/product';
const CONF = `${HOME}/repository/conf`;
const SV_NS = 'http://org.wso2.securevault/configuration';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

const KEYSTORE: KeystoreLocation = {
  path: `${HOME}/repository/resources/security/wso2carbon.jks`,
  type: 'JKS',
  alias: 'wso2carbon',
  source: 'carbon.xml',
  configuredLocation: 'repository/resources/security/wso2carbon.jks',
};
const KEY: SecureVaultKey = { keystore: KEYSTORE, encrypt: (s) => encryptForSecureVault(publicKey, s), maxSecretBytes: 245 };

/** RSA PKCS#1 v1.5 decryption (node refuses it since CVE-2023-46809, so the padding is removed here). */
function decrypt(value: string, key: KeyObject = privateKey): string {
  assert.match(value, /^[A-Za-z0-9+/]+={0,2}$/, 'standard Base64');
  const block = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, Buffer.from(value, 'base64'));
  assert.deepEqual([block[0], block[1]], [0, 2]);
  return block.subarray(block.indexOf(0, 2) + 1).toString('utf8');
}

const NO_FILES: SecurityFileTexts = { cipherText: undefined, cipherTool: undefined, secretConf: undefined };

interface Analysed {
  file: { location: NonNullable<Awaited<ReturnType<typeof analyzeIn>>['result']['location']>; doc: ReturnType<typeof parseXml>; findings: Finding[] };
  passwords: Finding[];
}

async function analysed(rel: string, text: string, base = CONF): Promise<Analysed> {
  const target = `${base}/${rel}`;
  const { result } = await analyzeIn({ [target]: text }, target);
  assert.ok(result.location && result.doc);
  const passwords = result.findings.filter((f) => f.ruleId === 'plaintext-password');
  return { file: { location: result.location, doc: result.doc, findings: passwords }, passwords };
}

function one(a: Analysed, index = 0, security: SecurityFileTexts = NO_FILES, options?: SecureVaultOptions) {
  return planSecureVault({ file: a.file, finding: a.passwords[index], security, key: KEY, options });
}

function fixOf(outcome: ReturnType<typeof one>): Fix {
  if (!outcome.ok) assert.fail(`${outcome.error.code}: ${outcome.error.message}`);
  assert.ok(outcome.value.fix);
  return outcome.value.fix;
}

function properties(text: string | undefined): Map<string, string> {
  assert.ok(text !== undefined);
  return new Map(parseProperties(text).entries.map((e) => [e.key, e.value]));
}

// ---- the XML edit -----------------------------------------------------------------------------------------------

const CARBON = [
  '<?xml version="1.0" encoding="ISO-8859-1"?>',
  '<!-- prolog comment -->',
  '<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">',
  '    <Security>',
  '        <KeyStore>',
  '            <Location>${carbon.home}/repository/resources/security/wso2carbon.jks</Location>',
  '            <Type>JKS</Type>',
  '            <Password>Ks-S3cret&amp;1</Password>',
  '            <KeyAlias>wso2carbon</KeyAlias>',
  '        </KeyStore>',
  '    </Security>',
  '</Server>',
].join('\r\n');

test('carbon.xml: the secret becomes `password`, the element gets its alias, the root the namespace; CRLF and everything else kept', async () => {
  const a = await analysed('carbon.xml', CARBON);
  const outcome = one(a);
  const fix = fixOf(outcome);
  assert.equal(fix.ruleId, 'plaintext-password');
  const xml = resultOf(fix, `${CONF}/carbon.xml`);
  assert.equal(
    xml,
    [
      '<?xml version="1.0" encoding="ISO-8859-1"?>',
      '<!-- prolog comment -->',
      `<Server xmlns="http://wso2.org/projects/carbon/carbon.xml" xmlns:svns="${SV_NS}">`,
      '    <Security>',
      '        <KeyStore>',
      '            <Location>${carbon.home}/repository/resources/security/wso2carbon.jks</Location>',
      '            <Type>JKS</Type>',
      '            <Password svns:secretAlias="Carbon.Security.KeyStore.Password">password</Password>',
      '            <KeyAlias>wso2carbon</KeyAlias>',
      '        </KeyStore>',
      '    </Security>',
      '</Server>',
    ].join('\r\n'),
  );
  // The decoded value is what gets encrypted: `&amp;` is `&`.
  const cipherText = resultOf(fix, `${CONF}/security/cipher-text.properties`);
  assert.ok(cipherText?.startsWith('# Secure Vault secret repository'));
  assert.ok(cipherText?.includes('\r\n'), 'new files take the XML file\'s line ending');
  assert.equal(decrypt(properties(cipherText).get('Carbon.Security.KeyStore.Password')!), 'Ks-S3cret&1');
  assert.deepEqual([...properties(resultOf(fix, `${CONF}/security/cipher-tool.properties`))], [
    ['Carbon.Security.KeyStore.Password', 'repository/conf/carbon.xml//Server/Security/KeyStore/Password,false'],
  ]);
  assert.deepEqual(
    [...properties(resultOf(fix, `${CONF}/security/secret-conf.properties`))],
    [
      ['carbon.secretProvider', 'org.wso2.securevault.secret.handler.SecretManagerSecretCallbackHandler'],
      ['secVault.enabled', 'true'],
      ['secretRepositories', 'file'],
      ['secretRepositories.file.provider', 'org.wso2.securevault.secret.repository.FileBaseSecretRepositoryProvider'],
      ['secretRepositories.file.location', 'repository/conf/security/cipher-text.properties'],
      ['keystore.identity.location', 'repository/resources/security/wso2carbon.jks'],
      ['keystore.identity.type', 'JKS'],
      ['keystore.identity.alias', 'wso2carbon'],
      ['keystore.identity.store.password', 'identity.store.password'],
      ['keystore.identity.store.secretProvider', 'org.wso2.carbon.securevault.DefaultSecretCallbackHandler'],
      ['keystore.identity.key.password', 'identity.key.password'],
      ['keystore.identity.key.secretProvider', 'org.wso2.carbon.securevault.DefaultSecretCallbackHandler'],
    ],
  );
  assert.deepEqual(fix.changes.map((c) => c.kind), ['edit', 'create', 'create', 'create']);
  assert.ok(outcome.ok && outcome.value.notes.some((n) => /secret-conf\.properties now switches Secure Vault on/.test(n)));
  assert.deepEqual(outcome.ok && outcome.value.encrypted, [{ path: `${CONF}/carbon.xml`, line: 8, alias: 'Carbon.Security.KeyStore.Password', target: 'element' }]);

  // Applied, analysed again: the finding is gone and planning finds nothing.
  const after = await analysed('carbon.xml', xml!);
  assert.deepEqual(after.passwords, []);
  const again = planSecureVaultForFile({ file: after.file, security: NO_FILES, key: KEY });
  assert.ok(again.ok);
  assert.equal(again.value.fix, undefined);
  // The stale finding plans nothing either.
  const stale = planSecureVault({ file: after.file, finding: a.passwords[0], security: NO_FILES, key: KEY });
  assert.equal(stale.ok, false);
});

test('catalina-server.xml: an attribute secret; the alias on the element in the quote style and layout of its attributes', async () => {
  const text = [
    "<Server port='8005' shutdown='SHUTDOWN'>",
    '    <Service name="Catalina">',
    '        <Connector protocol="org.apache.coyote.http11.Http11NioProtocol"',
    '                   port="9443"',
    '                   keystorePass="Tc-S3cret"',
    '                   URIEncoding="UTF-8"/>',
    '    </Service>',
    '</Server>',
    '',
  ].join('\n');
  const a = await analysed('tomcat/catalina-server.xml', text);
  const fix = fixOf(one(a));
  assert.equal(
    resultOf(fix, `${CONF}/tomcat/catalina-server.xml`),
    [
      `<Server port='8005' shutdown='SHUTDOWN' xmlns:svns='${SV_NS}'>`,
      '    <Service name="Catalina">',
      '        <Connector protocol="org.apache.coyote.http11.Http11NioProtocol"',
      '                   port="9443"',
      '                   keystorePass="password"',
      '                   URIEncoding="UTF-8"',
      '                   svns:secretAlias="Server.Service.Connector.keystorePass"/>',
      '    </Service>',
      '</Server>',
      '',
    ].join('\n'),
  );
  assert.equal(properties(resultOf(fix, `${CONF}/security/cipher-tool.properties`)).get('Server.Service.Connector.keystorePass'), 'repository/conf/tomcat/catalina-server.xml//Server/Service/Connector[@keystorePass],true');
  assert.equal(decrypt(properties(resultOf(fix, `${CONF}/security/cipher-text.properties`)).get('Server.Service.Connector.keystorePass')!), 'Tc-S3cret');
});

test('a secret attribute on the root: namespace and alias both follow its last attribute', async () => {
  const a = await analysed('tomcat/catalina-server.xml', '<Server port="8005" password="Root-S3cret"><Service name="x"/></Server>');
  assert.equal(a.passwords.length, 1);
  const fix = fixOf(one(a));
  assert.equal(
    resultOf(fix, `${CONF}/tomcat/catalina-server.xml`),
    `<Server port="8005" password="password" xmlns:svns="${SV_NS}" svns:secretAlias="Server.password"><Service name="x"/></Server>`,
  );
});

test('the namespace: an existing svns declaration is reused, another prefix bound to it is used, svns bound elsewhere is an error', async () => {
  const declared = await analysed('user-mgt.xml', `<UserManager xmlns:svns="${SV_NS}"><Realm><Configuration><AdminUser><Password>Adm-1</Password></AdminUser></Configuration></Realm></UserManager>`);
  assert.equal(
    resultOf(fixOf(one(declared)), `${CONF}/user-mgt.xml`),
    `<UserManager xmlns:svns="${SV_NS}"><Realm><Configuration><AdminUser><Password svns:secretAlias="UserManager.AdminUser.Password">password</Password></AdminUser></Configuration></Realm></UserManager>`,
  );
  const other = await analysed('user-mgt.xml', `<UserManager xmlns:vault="${SV_NS}"><Realm><Configuration><AdminUser><Password>Adm-1</Password></AdminUser></Configuration></Realm></UserManager>`);
  assert.equal(
    resultOf(fixOf(one(other)), `${CONF}/user-mgt.xml`),
    `<UserManager xmlns:vault="${SV_NS}"><Realm><Configuration><AdminUser><Password vault:secretAlias="UserManager.AdminUser.Password">password</Password></AdminUser></Configuration></Realm></UserManager>`,
  );
  const clash = await analysed('user-mgt.xml', '<UserManager xmlns:svns="urn:something-else"><Realm><Configuration><AdminUser><Password>Adm-1</Password></AdminUser></Configuration></Realm></UserManager>');
  const outcome = one(clash);
  assert.equal(outcome.ok, false);
  assert.equal(!outcome.ok && outcome.error.code, 'namespace-conflict');
});

test('user-mgt.xml Property and datasource password: the XPath predicates the shipped cipher-tool lines use', async () => {
  const userMgt = await analysed(
    'user-mgt.xml',
    '<UserManager><Realm><UserStoreManager class="x"><Property name="ConnectionURL">ldap://h</Property><Property name="ConnectionPassword">Ldap-1</Property></UserStoreManager></Realm></UserManager>',
  );
  const fix = fixOf(one(userMgt));
  assert.match(resultOf(fix, `${CONF}/user-mgt.xml`)!, /<Property name="ConnectionPassword" svns:secretAlias="UserStoreManager\.Property\.ConnectionPassword">password<\/Property>/);
  assert.equal(
    properties(resultOf(fix, `${CONF}/security/cipher-tool.properties`)).get('UserStoreManager.Property.ConnectionPassword'),
    "repository/conf/user-mgt.xml//UserManager/Realm/UserStoreManager/Property[@name='ConnectionPassword'],false",
    'flag false: with true the tool looks for an attribute named "name=\'ConnectionPassword\'" and fails',
  );
  const ds = await analysed(
    'datasources/master-datasources.xml',
    "<datasources-configuration><datasources><datasource><name>A</name><definition type='RDBMS'><configuration><password>Db-1</password></configuration></definition></datasource><datasource><name>WSO2_CARBON_DB</name><definition type='RDBMS'><configuration><password>Db-2</password></configuration></definition></datasource></datasources></datasources-configuration>",
  );
  const dsFix = fixOf(one(ds, 1));
  assert.equal(
    properties(resultOf(dsFix, `${CONF}/security/cipher-tool.properties`)).get('Datasources.WSO2_CARBON_DB.Configuration.Password'),
    "repository/conf/datasources/master-datasources.xml//datasources-configuration/datasources/datasource[name='WSO2_CARBON_DB']/definition[@type='RDBMS']/configuration/password,false",
  );
});

// ---- two secrets on one element, one alias per element -----------------------------------------------------------

const TWO_ON_ONE = [
  '<Server>',
  '  <Service name="Catalina">',
  '    <Connector port="9443" keystorePass="Ks-1" truststorePass="Ts-1"/>',
  '  </Service>',
  '</Server>',
].join('\n');

test('two secrets on one element: the fix is offered for the first only; the second explains why', async () => {
  const a = await analysed('tomcat/catalina-server.xml', TWO_ON_ONE);
  assert.equal(a.passwords.length, 2);
  assert.ok(a.passwords.every((f) => (f.data as { aliasConflict?: boolean }).aliasConflict));
  const first = fixOf(one(a, 0));
  assert.match(resultOf(first, `${CONF}/tomcat/catalina-server.xml`)!, /keystorePass="password" truststorePass="Ts-1" svns:secretAlias="Server\.Service\.Connector\.keystorePass"\/>/);
  const second = one(a, 1);
  assert.equal(second.ok, false);
  assert.equal(!second.ok && second.error.code, 'alias-conflict');
  assert.match(!second.ok ? second.error.message : '', /one secret per element.*offered for the keystorePass attribute/);

  // What a code-action request can ask without any keystore: which diagnostics get the action.
  assert.deepEqual(
    secureVaultFixability(a.file.doc, a.passwords).map((f) => [f.fixable, f.reason]),
    [[true, undefined], [false, 'Secure Vault can protect only one secret per element; the keystorePass attribute on this element gets the alias.']],
  );

  const whole = planSecureVaultForFile({ file: a.file, security: NO_FILES, key: KEY });
  assert.ok(whole.ok);
  assert.equal(whole.value.fix?.title, 'Encrypt all plaintext passwords in this file with Secure Vault');
  assert.equal(whole.value.fix?.isPreferred, undefined, 'the source action is not the preferred quick fix');
  assert.deepEqual(whole.value.encrypted.map((e) => e.alias), ['Server.Service.Connector.keystorePass']);
  assert.deepEqual(whole.value.skipped.map((s) => [s.code, s.line, s.alias]), [['alias-conflict', 3, 'Server.Service.Connector.truststorePass']]);

  // After the fix the second secret is still reported, and planning it says the element's alias is taken.
  const after = await analysed('tomcat/catalina-server.xml', resultOf(first, `${CONF}/tomcat/catalina-server.xml`)!);
  assert.equal(after.passwords.length, 1);
  const blocked = one(after);
  assert.equal(!blocked.ok && blocked.error.code, 'already-protected');
  assert.match(!blocked.ok ? blocked.error.message : '', /already carries the Secure Vault alias "Server\.Service\.Connector\.keystorePass"/);
});

test('one runtime alias on two elements: equal passwords share it, a different one is refused', async () => {
  const doc = (second: string) =>
    `<Server><Service name="A"><Connector port="9443" keystorePass="Same-1"/></Service><Service name="B"><Connector port="9444" keystorePass="${second}"/></Service></Server>`;
  const same = await analysed('tomcat/catalina-server.xml', doc('Same-1'));
  const plan = planSecureVaultForFile({ file: same.file, security: NO_FILES, key: KEY });
  assert.ok(plan.ok);
  assert.equal(plan.value.encrypted.length, 2);
  assert.equal((resultOf(plan.value.fix!, `${CONF}/tomcat/catalina-server.xml`)!.match(/svns:secretAlias="Server\.Service\.Connector\.keystorePass"/g) ?? []).length, 2);
  assert.equal(parseProperties(resultOf(plan.value.fix!, `${CONF}/security/cipher-text.properties`)!).entries.length, 1);

  const different = await analysed('tomcat/catalina-server.xml', doc('Other-2'));
  const refused = planSecureVaultForFile({ file: different.file, security: NO_FILES, key: KEY });
  assert.ok(refused.ok);
  assert.equal(refused.value.encrypted.length, 1);
  assert.deepEqual(refused.value.skipped.map((s) => s.code), ['alias-taken']);
  assert.ok(!refused.value.skipped[0].reason.includes('Other-2') && !refused.value.skipped[0].reason.includes('Same-1'));
});

// ---- the properties files ----------------------------------------------------------------------------------------

const ADMIN = '<UserManager><Realm><Configuration><AdminUser><Password>Adm-N3w</Password></AdminUser></Configuration></Realm></UserManager>';

test('cipher-text.properties: the alias line is replaced, pending [plaintext] entries encrypted like the tool does, the rest kept', async () => {
  const a = await analysed('user-mgt.xml', ADMIN);
  const cipherText = ['# header', 'UserManager.AdminUser.Password=[admin]', 'Other.Alias=[Pend1ng-x]', '#Commented=[kept]', 'Ready=QUJD', ''].join('\n');
  const cipherTool = ['# tool', 'UserManager.AdminUser.Password=repository/conf/user-mgt.xml//UserManager/Realm/Configuration/AdminUser/Password,true', ''].join('\n');
  const outcome = one(a, 0, { cipherText, cipherTool, secretConf: 'carbon.secretProvider=x\nkeystore.identity.location=k.jks\n' });
  const fix = fixOf(outcome);
  const text = resultOf(fix, `${CONF}/security/cipher-text.properties`)!;
  const lines = text.split('\n');
  assert.equal(lines[0], '# header');
  assert.equal(lines[3], '#Commented=[kept]');
  assert.equal(lines[4], 'Ready=QUJD');
  assert.equal(lines.length, 6);
  assert.equal(decrypt(properties(text).get('UserManager.AdminUser.Password')!), 'Adm-N3w');
  assert.equal(decrypt(properties(text).get('Other.Alias')!), 'Pend1ng-x');
  assert.ok(outcome.ok && outcome.value.notes.some((n) => n.includes('plain-text values for Other.Alias')));
  assert.ok(outcome.ok && outcome.value.notes.every((n) => !n.includes('Pend1ng-x')));
  // cipher-tool.properties has a line for the alias: left alone. secret-conf.properties is configured: left alone.
  assert.deepEqual(fix.changes.map((c) => c.path.slice(CONF.length + 1)), ['user-mgt.xml', 'security/cipher-text.properties']);

  const kept = fixOf(one(a, 0, { cipherText, cipherTool, secretConf: 'keystore.identity.location=k.jks\n' }, { encryptPendingEntries: false }));
  assert.equal(properties(resultOf(kept, `${CONF}/security/cipher-text.properties`)).get('Other.Alias'), '[Pend1ng-x]');
});

test('secret-conf.properties entirely commented (IS, EI): the keys are appended and the comments kept; configured without a keystore: a note', async () => {
  const a = await analysed('user-mgt.xml', ADMIN);
  const commented = '#carbon.secretProvider=x\r\n#keystore.identity.location=repository/resources/security/wso2carbon.jks\r\n#';
  const fix = fixOf(one(a, 0, { ...NO_FILES, secretConf: commented }));
  const text = resultOf(fix, `${CONF}/security/secret-conf.properties`)!;
  assert.ok(text.startsWith(`${commented}\r\n\r\n# Secure Vault configuration`), 'comments first, a blank line, then the block, in the file\'s line ending');
  assert.equal(properties(text).get('keystore.identity.alias'), 'wso2carbon');
  assert.ok(!text.replace(/\r\n/g, '').includes('\n'));

  const noIdentity = one(a, 0, { ...NO_FILES, secretConf: 'carbon.secretProvider=x\n' });
  assert.ok(noIdentity.ok);
  assert.ok(!noIdentity.value.fix!.changes.some((c) => c.path.endsWith('secret-conf.properties')));
  assert.ok(noIdentity.value.notes.some((n) => /names no identity keystore/.test(n)));
});

test('free-form aliases never take another file\'s: a cipher-tool line elsewhere or another file of the same plan', async () => {
  const ds = (name: string, pw: string) =>
    `<datasources-configuration><datasources><datasource><name>${name}</name><definition type="RDBMS"><configuration><password>${pw}</password></configuration></definition></datasource></datasources></datasources-configuration>`;
  const master = await analysed('datasources/master-datasources.xml', ds('WSO2_CARBON_DB', 'Db-1'));
  const elsewhere = "Datasources.WSO2_CARBON_DB.Configuration.Password=repository/conf/datasources/other-datasources.xml//datasources-configuration/datasources/datasource[name='WSO2_CARBON_DB']/definition/configuration/password,false\n";
  const renamed = one(master, 0, { ...NO_FILES, cipherTool: elsewhere });
  assert.ok(renamed.ok);
  assert.deepEqual(renamed.value.encrypted.map((e) => e.alias), ['Datasources.WSO2_CARBON_DB.Configuration.Password.2']);
  const sameFileOtherLayout = elsewhere.replace('repository/conf/datasources/other-datasources.xml', 'conf/datasources/master-datasources.xml');
  const kept = one(master, 0, { ...NO_FILES, cipherTool: sameFileOtherLayout });
  assert.ok(kept.ok);
  assert.deepEqual(kept.value.encrypted.map((e) => e.alias), ['Datasources.WSO2_CARBON_DB.Configuration.Password']);

  const extra = await analysed('datasources/extra-datasources.xml', ds('WSO2_CARBON_DB', 'Db-2'));
  const both = planSecureVaultForFiles({ files: [master.file, extra.file], security: NO_FILES, key: KEY });
  assert.ok(both.ok);
  assert.deepEqual(both.value.encrypted.map((e) => e.alias), ['Datasources.WSO2_CARBON_DB.Configuration.Password', 'Datasources.WSO2_CARBON_DB.Configuration.Password.2']);
  const cipherText = properties(resultOf(both.value.fix!, `${CONF}/security/cipher-text.properties`));
  assert.equal(decrypt(cipherText.get('Datasources.WSO2_CARBON_DB.Configuration.Password')!), 'Db-1');
  assert.equal(decrypt(cipherText.get('Datasources.WSO2_CARBON_DB.Configuration.Password.2')!), 'Db-2');
  assert.match(resultOf(both.value.fix!, `${CONF}/datasources/extra-datasources.xml`)!, /svns:secretAlias="Datasources\.WSO2_CARBON_DB\.Configuration\.Password\.2"/);
});

// ---- errors: a message, no edit, no secret ---------------------------------------------------------------------

test('errors are values with a message and no edit, and never hold the password', async () => {
  const secret = 'Err-S3cret-9';
  const lone = await analysed('carbon.xml', `<Server><Security><KeyStore><Password>${secret}</Password></KeyStore></Security></Server>`, '/somewhere/else');
  assert.equal(lone.file.location.home, undefined);
  const broken = await analysed('carbon.xml', `<Server><Security><KeyStore><Password>${secret}</Password></KeyStore></Security>`);
  const long = await analysed('carbon.xml', `<Server><Security><KeyStore><Password>${secret}${'x'.repeat(300)}</Password></KeyStore></Security></Server>`);
  const good = await analysed('carbon.xml', `<Server><Security><KeyStore><Password>${secret}</Password></KeyStore></Security></Server>`);
  const shifted = { ...good.passwords[0], span: { start: good.passwords[0].span.start + 1, end: good.passwords[0].span.end } };
  const failing = planSecureVault({ file: good.file, finding: good.passwords[0], security: NO_FILES, key: { ...KEY, encrypt: () => { throw new RangeError('data too large'); } } });
  const cases = [
    { name: 'outside a product home', outcome: one(lone), code: 'no-home' },
    { name: 'XML syntax error', outcome: one(broken), code: 'xml-syntax' },
    { name: 'longer than RSA allows', outcome: one(long), code: 'secret-too-long' },
    { name: 'stale finding', outcome: planSecureVault({ file: good.file, finding: shifted, security: NO_FILES, key: KEY }), code: 'finding-not-found' },
    { name: 'encryption fails', outcome: failing, code: 'encryption-failed' },
  ];
  for (const c of cases) {
    assert.equal(c.outcome.ok, false, c.name);
    if (c.outcome.ok) continue;
    assert.equal(c.outcome.error.code, c.code, c.name);
    assert.ok(c.outcome.error.message.length > 20, c.name);
    assert.ok(!c.outcome.error.message.includes(secret), `${c.name}: no secret in "${c.outcome.error.message}"`);
  }
  assert.equal(broken.file.doc.syntaxError !== undefined, true);
  // Nothing to fix is not an error, even outside a home.
  const nothing = planSecureVaultForFile({ file: { ...lone.file, findings: [] }, security: NO_FILES, key: KEY });
  assert.deepEqual(nothing, { ok: true, value: { fix: undefined, encrypted: [], skipped: [], notes: [] } });
  assert.equal(secureVaultFilesFor(lone.file.location).ok, false);
});

// ---- which keystore ----------------------------------------------------------------------------------------------

test('resolveKeystore: carbon.xml Security/KeyStore (${carbon.home}, relative, absolute), or secret-conf.properties when configured', () => {
  const home = homeOfConfDir('/opt/wso2/repository/conf')!;
  const carbon = (location: string, password = '<Password>Pw-1</Password>', extra = '<Type>PKCS12</Type><KeyAlias>vault</KeyAlias>') =>
    parseXml(`<Server><Security><KeyStore><Location>${location}</Location>${extra}${password}</KeyStore></Security></Server>`);
  const resolve = (doc: ReturnType<typeof parseXml> | undefined, secretConf?: string, locationStyle?: 'absolute') => resolveKeystore({ home, carbonXml: doc, secretConf, locationStyle });

  const fromCarbon = resolve(carbon('${carbon.home}/repository/resources/security/./ks.p12'));
  assert.deepEqual(fromCarbon, {
    ok: true,
    value: { path: '/opt/wso2/repository/resources/security/ks.p12', type: 'PKCS12', alias: 'vault', source: 'carbon.xml', configuredLocation: 'repository/resources/security/ks.p12', passwordFromCarbonXml: 'Pw-1' },
  });
  const absolute = resolve(carbon('/opt/wso2/repository/resources/../ks.p12'), undefined, 'absolute');
  assert.equal(absolute.ok && absolute.value.path, '/opt/wso2/repository/ks.p12');
  assert.equal(absolute.ok && absolute.value.configuredLocation, '/opt/wso2/repository/ks.p12');
  assert.equal(resolve(carbon('/opt/wso2/x/ks.p12')).ok && (resolve(carbon('/opt/wso2/x/ks.p12')) as { value: KeystoreLocation }).value.configuredLocation, 'x/ks.p12');
  assert.equal(resolve(carbon('/elsewhere/ks.p12')).ok && (resolve(carbon('/elsewhere/ks.p12')) as { value: KeystoreLocation }).value.configuredLocation, '/elsewhere/ks.p12');
  const relative = resolve(carbon('repository/resources/security/ks.p12'));
  assert.equal(relative.ok && relative.value.path, '/opt/wso2/repository/resources/security/ks.p12');
  const protectedPassword = resolve(carbon('${carbon.home}/ks.p12', `<Password xmlns:svns="${SV_NS}" svns:secretAlias="Carbon.Security.KeyStore.Password">password</Password>`));
  assert.ok(protectedPassword.ok && protectedPassword.value.passwordFromCarbonXml === undefined, 'a protected password is not the password');
  const defaultType = resolve(carbon('${carbon.home}/ks.jks', '', '<KeyAlias>k</KeyAlias>'));
  assert.equal(defaultType.ok && defaultType.value.type, 'JKS');

  const conf = 'keystore.identity.location=/secure/identity.p12\nkeystore.identity.type=PKCS12\nkeystore.identity.alias=idk\n';
  const fromConf = resolve(carbon('${carbon.home}/ks.p12'), conf);
  assert.deepEqual(fromConf, { ok: true, value: { path: '/secure/identity.p12', type: 'PKCS12', alias: 'idk', source: 'secret-conf', configuredLocation: '/secure/identity.p12' } });
  const sameAsCarbon = resolve(carbon('${carbon.home}/repository/resources/security/ks.p12'), 'keystore.identity.location=repository/resources/security/ks.p12\nkeystore.identity.alias=vault\n');
  assert.equal(sameAsCarbon.ok && sameAsCarbon.value.passwordFromCarbonXml, 'Pw-1', 'carbon.xml\'s password opens the same keystore');
  assert.equal(resolve(carbon('${carbon.home}/ks.p12'), '#keystore.identity.location=x\n').ok && (resolve(carbon('${carbon.home}/ks.p12'), '#k=x') as { value: KeystoreLocation }).value.source, 'carbon.xml');

  const errors = [
    resolve(undefined),
    resolve(parseXml('<Server><Security/></Server>')),
    resolve(carbon('${carbon.home}/ks.p12', '', '')),
    resolve(carbon('${carbon.home}/ks.p12'), 'keystore.identity.location=x.jks\n'),
  ];
  for (const e of errors) {
    assert.equal(e.ok, false);
    assert.equal(!e.ok && e.error.code, 'no-keystore-config');
  }
});

// ---- keystores on disk, checked by the JDK ------------------------------------------------------------------------

function carbonXmlFor(location: string, type: string, alias: string, password: string): string {
  return [
    '<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">',
    '  <Security>',
    '    <KeyStore>',
    `      <Location>${location}</Location>`,
    `      <Type>${type}</Type>`,
    `      <Password>${password}</Password>`,
    `      <KeyAlias>${alias}</KeyAlias>`,
    '    </KeyStore>',
    '  </Security>',
    '</Server>',
    '',
  ].join('\n');
}

/** The wiring: resolve the keystore from the disk, read the certificate (password from carbon.xml or the user). */
function keyFromDisk(confDir: string, userPassword?: string): ReturnType<typeof verifyKeystore> & { keystore?: KeystoreLocation } {
  const home = homeOfConfDir(confDir)!;
  const files = secureVaultFiles(home);
  const keystore = resolveKeystore({ home, secretConf: readText(files.secretConf), carbonXml: parseXml(readText(files.carbonXml)!) });
  if (!keystore.ok) assert.fail(keystore.error.message);
  const certificate = verifyKeystore({
    bytes: fs.existsSync(keystore.value.path) ? fs.readFileSync(keystore.value.path) : undefined,
    type: keystore.value.type,
    alias: keystore.value.alias,
    storePassword: userPassword ?? keystore.value.passwordFromCarbonXml,
    label: keystore.value.path,
  });
  return { ...certificate, keystore: keystore.value };
}

async function fixAllOnDisk(confDir: string, file: string, userPassword?: string) {
  const key = keyFromDisk(confDir, userPassword);
  if (!key.ok) assert.fail(key.error.message);
  const home = homeOfConfDir(confDir)!;
  const files = secureVaultFiles(home);
  const analysedFile = await analyseFile(file);
  const plan = planSecureVaultForFile({
    file: { location: analysedFile.location, doc: analysedFile.doc, findings: analysedFile.passwords },
    security: { cipherText: readText(files.cipherText), cipherTool: readText(files.cipherTool), secretConf: readText(files.secretConf) },
    key: secureVaultKey(key.keystore!, key.value),
  });
  if (!plan.ok) assert.fail(plan.error.message);
  assert.ok(plan.value.fix);
  applyFixToDisk(plan.value.fix);
  return plan.value;
}

test('PKCS12 keystore from keytool: carbon.xml\'s plaintext password opens it; once that password is encrypted the user is asked', async () => {
  const dir = tempDir('p12-home');
  const conf = `${dir}/repository/conf`;
  const storePassword = 'P12-St0re-pw';
  keytoolGenerate(path.join(dir, 'repository'), 'vault.p12', { type: 'PKCS12', alias: 'vault', storePassword });
  writeText(`${conf}/carbon.xml`, carbonXmlFor('${carbon.home}/repository/vault.p12', 'PKCS12', 'vault', storePassword));
  writeText(`${conf}/user-mgt.xml`, ADMIN);

  const first = await fixAllOnDisk(conf, `${conf}/carbon.xml`);
  assert.deepEqual(first.encrypted.map((e) => e.alias), ['Carbon.Security.KeyStore.Password']);
  // carbon.xml's password is now protected: reading the PKCS12 certificate needs the password from the user.
  const asked = keyFromDisk(conf);
  assert.equal(!asked.ok && asked.error.code, 'needs-password');
  assert.equal(asked.keystore?.source, 'secret-conf');
  const wrong = keyFromDisk(conf, 'not-it');
  assert.equal(!wrong.ok && wrong.error.code, 'wrong-password');
  await fixAllOnDisk(conf, `${conf}/user-mgt.xml`, storePassword);

  const java = javaCheck(conf, dir, storePassword, storePassword);
  assert.equal(java.decrypted.get('Carbon.Security.KeyStore.Password'), storePassword);
  assert.equal(java.decrypted.get('UserManager.AdminUser.Password'), 'Adm-N3w');
  assert.equal(properties(readText(`${conf}/security/secret-conf.properties`)).get('keystore.identity.type'), 'PKCS12');
  for (const [alias, line] of java.xpath) assert.equal(line.count, 1, alias);
});

test('secret-conf.properties already configured with its own JKS: the ciphertext is made for that keystore, secret-conf is left alone', async () => {
  const dir = tempDir('identity-home');
  const conf = `${dir}/conf`;
  const identity = keytoolGenerate(dir, 'identity.jks', { type: 'JKS', alias: 'identity', storePassword: 'Id-Store-1', keyPassword: 'Id-Key-2' });
  keytoolGenerate(dir, 'primary.jks', { type: 'JKS', alias: 'primary', storePassword: 'Pr-Store-1' });
  writeText(`${conf}/carbon.xml`, carbonXmlFor('${carbon.home}/primary.jks', 'JKS', 'primary', 'Pr-Store-1'));
  const secretConf = ['# configured by hand', `keystore.identity.location=${identity}`, 'keystore.identity.type=JKS', 'keystore.identity.alias=identity', ''].join('\n');
  writeText(`${conf}/security/secret-conf.properties`, secretConf);
  writeText(`${conf}/user-mgt.xml`, ADMIN);
  const plan = await fixAllOnDisk(conf, `${conf}/user-mgt.xml`);
  assert.ok(!plan.fix!.changes.some((c) => c.path.endsWith('secret-conf.properties')));
  assert.equal(readText(`${conf}/security/secret-conf.properties`), secretConf);
  const java = javaCheck(conf, dir, 'Id-Store-1', 'Id-Key-2');
  assert.equal(java.decrypted.get('UserManager.AdminUser.Password'), 'Adm-N3w');
  assert.equal(java.xpath.get('UserManager.AdminUser.Password')?.file, 'conf/user-mgt.xml');
});

test('cipher-tool XPaths the JDK evaluates to exactly the marked element: repeated siblings, quotes and commas in names', async () => {
  const dir = tempDir('xpath-home');
  const conf = `${dir}/repository/conf`;
  keytoolGenerate(dir, 'ks.jks', { type: 'JKS', alias: 'k', storePassword: 'Ks-Store-1' });
  writeText(`${conf}/carbon.xml`, carbonXmlFor('${carbon.home}/ks.jks', 'JKS', 'k', 'Ks-Store-1'));
  const axis2 = [
    '<axisconfig name="AxisJava2.0">',
    '  <transportReceiver name="https" class="A">',
    '    <parameter name="keystore" locked="false"><KeyStore><Password>Ax-1</Password></KeyStore></parameter>',
    '  </transportReceiver>',
    '  <transportReceiver name="https" class="B">',
    '    <parameter name="keystore"><KeyStore><Password>Ax-2</Password></KeyStore></parameter>',
    '  </transportReceiver>',
    '  <transportSender name="it\'s">',
    '    <parameter name="mail.smtp.password">Ax-3</parameter>',
    '  </transportSender>',
    '  <transportSender name="a,b">',
    '    <parameter name="transport.jms.Password">Ax-4</parameter>',
    '  </transportSender>',
    '  <custom><Item><SecretPassword>Ax-5</SecretPassword></Item><Item><SecretPassword>Ax-6</SecretPassword></Item></custom>',
    '</axisconfig>',
    '',
  ].join('\n');
  writeText(`${conf}/axis2/axis2.xml`, axis2);
  const plan = await fixAllOnDisk(conf, `${conf}/axis2/axis2.xml`);
  assert.equal(plan.encrypted.length, 6);
  const tool = properties(readText(`${conf}/security/cipher-tool.properties`));
  const xpaths = [...tool.values()].map((v) => v.slice('repository/conf/axis2/axis2.xml'.length));
  assert.deepEqual(xpaths, [
    "//axisconfig/transportReceiver[@name='https'][1]/parameter[@name='keystore']/KeyStore/Password,false",
    "//axisconfig/transportReceiver[@name='https'][2]/parameter[@name='keystore']/KeyStore/Password,false",
    '//axisconfig/transportSender[@name="it\'s"]/parameter[@name=\'mail.smtp.password\'],false',
    "//axisconfig/transportSender[2]/parameter[@name='transport.jms.Password'],false",
    '//axisconfig/custom/Item[1]/SecretPassword,false',
    '//axisconfig/custom/Item[2]/SecretPassword,false',
  ]);
  const java = javaCheck(conf, dir, 'Ks-Store-1', 'Ks-Store-1');
  const values = new Map(plan.encrypted.map((e, i) => [e.alias, `Ax-${i + 1}`]));
  for (const [alias, secret] of values) {
    assert.equal(java.decrypted.get(alias), secret, alias);
    assert.equal(java.xpath.get(alias)?.count, 1, alias);
    assert.equal(java.xpath.get(alias)?.nodeAlias, alias, alias);
  }
});

test('cipherToolXPath: no XPath for prefixed names, which the tool\'s XPath cannot address without namespaces', () => {
  const doc = parseXml('<root xmlns:x="urn:x"><x:Secret><Password>p</Password></x:Secret></root>');
  const password = doc.root!.children[0].type === 'element' ? (doc.root!.children[0] as { children: unknown[] }).children[0] : undefined;
  assert.equal(cipherToolXPath(password as never, undefined), undefined);
  const plain = parseXml('<root><a/><a><Password>p</Password></a></root>');
  const second = plain.root!.children.filter((c) => c.type === 'element')[1];
  assert.equal(cipherToolXPath((second as { children: unknown[] }).children[0] as never, undefined), '//root/a[2]/Password');
});
