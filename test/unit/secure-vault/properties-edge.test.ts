import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { analyzeIn } from '../../helpers';
import { parseProperties, updateProperties } from '../../../server/src/service/fixes/properties';
import { applyReplacements } from '../../../server/src/service/fixes/types';
import { encryptForSecureVault } from '../../../server/src/service/keystore';
import { KeystoreLocation, SecureVaultKey, planSecureVault } from '../../../server/src/service/fixes/secure-vault';
import { hasJava, javaProperties, resultOf, tempDir, writeText } from './support';

/**
 * Issue 10 item 6: properties edge cases, checked against what java.util.Properties.load reads (the JDK, through
 * test/java/SecureVaultCheck.java `props`): a dangling continuation at the end of the file, escapes and `:`
 * separators; a pending `alias=[…]` entry too long for RSA while secret-conf is switched on.
 */

const HOME = '/test/product';
const CONF = `${HOME}/repository/conf`;
const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KEYSTORE: KeystoreLocation = { path: `${HOME}/repository/resources/security/wso2carbon.jks`, type: 'JKS', alias: 'wso2carbon', source: 'carbon.xml', configuredLocation: 'repository/resources/security/wso2carbon.jks' };
const KEY: SecureVaultKey = { keystore: KEYSTORE, encrypt: (s) => encryptForSecureVault(publicKey, s), maxSecretBytes: 245 };
const ADMIN = '<UserManager><Realm><Configuration><AdminUser><Password>Adm-N3w</Password></AdminUser></Configuration></Realm></UserManager>';

const ours = (text: string) => new Map(parseProperties(text).entries.map((e) => [e.key, e.value]));

test('a file ending in a dangling backslash: the appended entry stays its own, the old one keeps what Java reads', { skip: hasJava() ? false : 'no JDK' }, () => {
  const dir = tempDir('props-edge');
  const cases: [string, string][] = [
    ['lf', '# header\nA.Key=1\nOther.Key=keepme\\'],
    ['crlf', '# header\r\nA.Key=1\r\nOther.Key=keepme\\'],
    ['continued', 'Other.Key=keep\\\n    me\\'],
    ['even', 'Other.Key=keepme\\\\'],
    ['odd3', 'Other.Key=keepme\\\\\\'],
    ['colon', 'Sep\\:Key : a\\:b\\u0041\\\n  \\ c\nOther.Key : keepme\\'],
  ];
  for (const [label, text] of cases) {
    const before = path.join(dir, `${label}-before.properties`);
    const after = path.join(dir, `${label}-after.properties`);
    writeText(before, text);
    const updated = applyReplacements(text, updateProperties(text, [{ key: 'New.Alias', value: 'QUJD==', mode: 'set' }], '\n'));
    writeText(after, updated);
    const javaBefore = javaProperties(before);
    const javaAfter = javaProperties(after);
    assert.deepEqual(ours(text), javaBefore, `${label}: the parser reads the file as Java does`);
    assert.equal(javaAfter.get('New.Alias'), 'QUJD==', `${label}: the new entry is its own`);
    assert.equal(javaAfter.get('Other.Key'), javaBefore.get('Other.Key'), `${label}: the old entry keeps its value`);
    assert.equal(javaAfter.size, javaBefore.size + 1, `${label}: nothing else appears`);
    assert.deepEqual(ours(updated), javaAfter, `${label}: and the parser still agrees with Java`);
    assert.ok(updated.startsWith(text), `${label}: the existing text is untouched`);
  }
});

test('the Secure Vault fix on a cipher-text.properties that ends in a dangling backslash: both entries as Java reads them', { skip: hasJava() ? false : 'no JDK' }, async () => {
  const target = `${CONF}/user-mgt.xml`;
  const { result } = await analyzeIn({ [target]: ADMIN }, target);
  const passwords = result.findings.filter((f) => f.ruleId === 'plaintext-password');
  const cipherText = '# cipher text\nOther.Key=keepme\\';
  const outcome = planSecureVault({
    file: { location: result.location!, doc: result.doc!, findings: passwords },
    finding: passwords[0],
    security: { cipherText, cipherTool: undefined, secretConf: 'keystore.identity.location=k.jks\n' },
    key: KEY,
  });
  if (!outcome.ok) assert.fail(outcome.error.message);
  const file = path.join(tempDir('props-fix'), 'cipher-text.properties');
  writeText(file, resultOf(outcome.value.fix!, `${CONF}/security/cipher-text.properties`)!);
  const java = javaProperties(file);
  assert.equal(java.get('Other.Key'), 'keepme');
  assert.match(java.get('UserManager.AdminUser.Password') ?? '', /^[A-Za-z0-9+/]{340,}={0,2}$/);
});

test('a pending [plaintext] entry too long for RSA: switching secret-conf on is refused; already on, a note says it stays plain', async () => {
  const target = `${CONF}/user-mgt.xml`;
  const { result } = await analyzeIn({ [target]: ADMIN }, target);
  const passwords = result.findings.filter((f) => f.ruleId === 'plaintext-password');
  const long = 'Lq7'.repeat(90);
  const cipherText = `Long.Alias=[${long}]\nShort.Alias=[Sh0rt-1]\n`;
  const plan = (secretConf: string | undefined) =>
    planSecureVault({ file: { location: result.location!, doc: result.doc!, findings: passwords }, finding: passwords[0], security: { cipherText, cipherTool: undefined, secretConf }, key: KEY });

  const refused = plan(undefined);
  assert.ok(!refused.ok, 'no plan switches the vault on over a pending entry it cannot encrypt');
  assert.equal(refused.error.code, 'secret-too-long');
  assert.match(refused.error.message, /Long\.Alias in the cipher tool's \[plain text\] form, longer than the 245 bytes/);
  assert.ok(!refused.error.message.includes('Lq7'));

  const commentedOut = plan('#keystore.identity.location=x\n');
  assert.ok(!commentedOut.ok && commentedOut.error.code === 'secret-too-long', 'a secret-conf.properties of comments only is switched on too');

  const alreadyOn = plan('keystore.identity.location=k.jks\n');
  if (!alreadyOn.ok) assert.fail(alreadyOn.error.message);
  assert.ok(alreadyOn.value.notes.some((n) => /Long\.Alias .*stays in plain text/.test(n)));
  assert.ok(alreadyOn.value.notes.every((n) => !n.includes('Lq7')));
  const text = resultOf(alreadyOn.value.fix!, `${CONF}/security/cipher-text.properties`)!;
  assert.equal(ours(text).get('Long.Alias'), `[${long}]`, 'left as it was');
  assert.notEqual(ours(text).get('Short.Alias'), '[Sh0rt-1]', 'the short one is encrypted');
});
