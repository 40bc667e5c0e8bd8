import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { MemoryFileSource, analyzeIn } from '../../helpers';
import { parseProperties } from '../../../server/src/service/fixes/properties';
import { encryptForSecureVault } from '../../../server/src/service/keystore';
import { KeystoreLocation, SecureVaultKey, SecurityFileTexts, planSecureVault, planSecureVaultForFile } from '../../../server/src/service/fixes/secure-vault';
import { secretAliasesInHome } from '../../../server/src/service/fixes/secure-vault-session';
import { homeOfConfDir } from '../../../server/src/service/workspace/files';
import { datasourcesXml, resultOf } from './support';

/**
 * Issue 10 item 5: an alias already in cipher-text.properties or on another element of the home (svns:secretAlias) is
 * never reused for a different secret. Free-form aliases (datasources) get a unique one; a runtime-fixed one
 * (catalina's Server.Service.Connector.keystorePass) is refused with a reason instead of replacing the other value.
 */

const HOME = '/test/product';
const CONF = `${HOME}/repository/conf`;
const CIPHER_TEXT = `${CONF}/security/cipher-text.properties`;
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KEYSTORE: KeystoreLocation = { path: `${HOME}/repository/resources/security/wso2carbon.jks`, type: 'JKS', alias: 'wso2carbon', source: 'carbon.xml', configuredLocation: 'repository/resources/security/wso2carbon.jks' };
const KEY: SecureVaultKey = { keystore: KEYSTORE, encrypt: (s) => encryptForSecureVault(publicKey, s), maxSecretBytes: 245 };
const NO_FILES: SecurityFileTexts = { cipherText: undefined, cipherTool: undefined, secretConf: 'keystore.identity.location=k.jks\n' };
const DS_ALIAS = 'Datasources.WSO2_CARBON_DB.Configuration.Password';

function decrypt(value: string): string {
  const block = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, Buffer.from(value, 'base64'));
  return block.subarray(block.indexOf(0, 2) + 1).toString('utf8');
}

const datasources = (name: string, password: string, encrypted = false) =>
  datasourcesXml([{ name, configuration: [`<password${encrypted ? ` svns:secretAlias="Datasources.${name}.Configuration.Password"` : ''}>${password}</password>`] }], '  ');

async function analysed(files: Record<string, string>, target: string) {
  const { result } = await analyzeIn(files, target);
  assert.ok(result.location && result.doc);
  const passwords = result.findings.filter((f) => f.ruleId === 'plaintext-password');
  return { file: { location: result.location, doc: result.doc, findings: passwords }, passwords };
}

test('a cipher-text.properties entry no cipher-tool line explains is never overwritten by a datasource of the same name', async () => {
  const other = await analysed({ [`${CONF}/datasources/other-datasources.xml`]: datasources('WSO2_CARBON_DB', 'Db-Second-2') }, `${CONF}/datasources/other-datasources.xml`);
  const firstCiphertext = encryptForSecureVault(publicKey, 'Db-First-1');
  const cipherText = `# encrypted earlier\n${DS_ALIAS}=${firstCiphertext}\n`;
  const outcome = planSecureVault({ file: other.file, finding: other.passwords[0], security: { ...NO_FILES, cipherText }, key: KEY });
  if (!outcome.ok) assert.fail(outcome.error.message);
  assert.deepEqual(outcome.value.encrypted.map((e) => e.alias), [`${DS_ALIAS}.2`]);
  const entries = new Map(parseProperties(resultOf(outcome.value.fix!, CIPHER_TEXT)!).entries.map((e) => [e.key, e.value]));
  assert.equal(entries.get(DS_ALIAS), firstCiphertext, 'the first secret stays as it was');
  assert.equal(decrypt(entries.get(`${DS_ALIAS}.2`)!), 'Db-Second-2');
});

test('two datasource files: the alias another file of the home carries is found by the home scan and not reused', async () => {
  const master = `${CONF}/datasources/master-datasources.xml`;
  const other = `${CONF}/datasources/other-datasources.xml`;
  const files = new MemoryFileSource({
    [`${CONF}/carbon.xml`]: '<Server/>',
    [master]: datasources('WSO2_CARBON_DB', 'password', true),
    [other]: datasources('WSO2_CARBON_DB', 'Db-Second-2'),
    [`${CONF}/security/cipher-text.properties.bak`]: 'x',
  });
  const home = homeOfConfDir(CONF);
  assert.ok(home);
  const aliases = await secretAliasesInHome(files, home);
  assert.deepEqual([...aliases], [[DS_ALIAS, [master]]]);

  const a = await analysed({ [other]: datasources('WSO2_CARBON_DB', 'Db-Second-2') }, other);
  // No cipher-text.properties (another cipher-text location), no cipher-tool line: only the element says it is taken.
  const outcome = planSecureVault({ file: a.file, finding: a.passwords[0], security: { ...NO_FILES, secretAliasesInHome: aliases }, key: KEY });
  if (!outcome.ok) assert.fail(outcome.error.message);
  assert.deepEqual(outcome.value.encrypted.map((e) => e.alias), [`${DS_ALIAS}.2`]);
  assert.match(resultOf(outcome.value.fix!, other)!, /svns:secretAlias="Datasources\.WSO2_CARBON_DB\.Configuration\.Password\.2"/);
});

test('a runtime-fixed alias another element carries is refused with a reason, and nothing is planned', async () => {
  const catalina = `${CONF}/tomcat/catalina-server.xml`;
  const text = [
    '<Server xmlns:svns="http://org.wso2.securevault/configuration">',
    '  <Service name="A"><Connector port="9443" svns:secretAlias="Server.Service.Connector.keystorePass" keystorePass="password"/></Service>',
    '  <Service name="B"><Connector port="9444" keystorePass="Other-Ks-2"/></Service>',
    '</Server>',
    '',
  ].join('\n');
  const a = await analysed({ [catalina]: text }, catalina);
  assert.equal(a.passwords.length, 1);
  const cipherText = `Server.Service.Connector.keystorePass=${encryptForSecureVault(publicKey, 'First-Ks-1')}\n`;
  const one = planSecureVault({ file: a.file, finding: a.passwords[0], security: { ...NO_FILES, cipherText }, key: KEY });
  assert.ok(!one.ok);
  assert.equal(one.error.code, 'alias-taken');
  assert.match(one.error.message, /Server\.Service\.Connector\.keystorePass, which an element of tomcat\/catalina-server\.xml already carries/);
  assert.ok(!one.error.message.includes('Other-Ks-2') && !one.error.message.includes('First-Ks-1'));
  const whole = planSecureVaultForFile({ file: a.file, security: { ...NO_FILES, cipherText }, key: KEY });
  assert.ok(whole.ok);
  assert.equal(whole.value.fix, undefined);
  assert.deepEqual(whole.value.skipped.map((s) => s.code), ['alias-taken']);
});

test('a runtime-fixed alias whose cipher-text entry no element refers to: the entry takes the value the runtime reads there, with a note', async () => {
  const carbon = `${CONF}/carbon.xml`;
  const a = await analysed({ [carbon]: '<Server><Security><KeyStore><Password>Ks-New-3</Password></KeyStore></Security></Server>' }, carbon);
  const cipherText = `Carbon.Security.KeyStore.Password=${encryptForSecureVault(publicKey, 'Ks-Old-1')}\n`;
  const outcome = planSecureVault({ file: a.file, finding: a.passwords[0], security: { ...NO_FILES, cipherText }, key: KEY });
  if (!outcome.ok) assert.fail(outcome.error.message);
  const entries = new Map(parseProperties(resultOf(outcome.value.fix!, CIPHER_TEXT)!).entries.map((e) => [e.key, e.value]));
  assert.equal(decrypt(entries.get('Carbon.Security.KeyStore.Password')!), 'Ks-New-3');
  assert.ok(outcome.value.notes.some((n) => /held an entry Carbon\.Security\.KeyStore\.Password that no element of the home refers to/.test(n)));
});
