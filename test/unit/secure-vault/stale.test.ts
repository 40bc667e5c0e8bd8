import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { MemoryFileSource, analyzeIn } from '../../helpers';
import { changeBases, staleFiles, textSha256 } from '../../../server/src/service/fixes/basis';
import { applyReplacements } from '../../../server/src/service/fixes/types';
import { encryptForSecureVault } from '../../../server/src/service/keystore';
import { KeystoreLocation, SecureVaultKey, SecurityFileTexts, planSecureVault } from '../../../server/src/service/fixes/secure-vault';

/**
 * Issue 10 item 4: two quick fixes computed before either is applied (carbon.xml's keystore password, then user-mgt.xml's
 * admin password) both append to cipher-text.properties. After the first is applied, the second's basis check names
 * cipher-text.properties (and cipher-tool.properties and secret-conf.properties, which the first created), so it is re-planned or refused
 * instead of gluing two ciphertexts onto one line.
 */

const HOME = '/test/product';
const CONF = `${HOME}/repository/conf`;
const CIPHER_TEXT = `${CONF}/security/cipher-text.properties`;
const SECRET_CONF = `${CONF}/security/secret-conf.properties`;
const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KEYSTORE: KeystoreLocation = { path: `${HOME}/repository/resources/security/wso2carbon.jks`, type: 'JKS', alias: 'wso2carbon', source: 'carbon.xml', configuredLocation: 'repository/resources/security/wso2carbon.jks' };
const KEY: SecureVaultKey = { keystore: KEYSTORE, encrypt: (s) => encryptForSecureVault(publicKey, s), maxSecretBytes: 245 };

const CARBON = '<Server><Security><KeyStore><Password>Ks-Pw-1</Password></KeyStore></Security></Server>';
const USER_MGT = '<UserManager><Realm><Configuration><AdminUser><Password>Adm-Pw-2</Password></AdminUser></Configuration></Realm></UserManager>';

async function planFor(files: MemoryFileSource, target: string) {
  const { result } = await analyzeIn(files, target);
  const passwords = result.findings.filter((f) => f.ruleId === 'plaintext-password');
  const read = async (p: string) => {
    const c = await files.read(p);
    return c?.kind === 'text' ? c.text : undefined;
  };
  const security: SecurityFileTexts = { cipherText: await read(CIPHER_TEXT), cipherTool: await read(`${CONF}/security/cipher-tool.properties`), secretConf: await read(SECRET_CONF) };
  const outcome = planSecureVault({ file: { location: result.location!, doc: result.doc!, findings: passwords }, finding: passwords[0], security, key: KEY });
  if (!outcome.ok) assert.fail(outcome.error.message);
  return outcome.value.fix!;
}

test('two fixes planned before either is applied: the second is stale on the properties files, fresh on its own XML', async () => {
  const files = new MemoryFileSource({ [`${CONF}/carbon.xml`]: CARBON, [`${CONF}/user-mgt.xml`]: USER_MGT, [CIPHER_TEXT]: '# cipher text\nOld.Alias=QUJD' });
  const first = await planFor(files, `${CONF}/carbon.xml`);
  const second = await planFor(files, `${CONF}/user-mgt.xml`);
  assert.deepEqual(await staleFiles(changeBases(first.changes), files), [], 'nothing changed yet');
  assert.deepEqual(await staleFiles(changeBases(second.changes), files), []);

  for (const change of first.changes) files.set(change.path, change.kind === 'edit' ? applyReplacements(change.baseText, change.replacements) : change.text);
  const stale = await staleFiles(changeBases(second.changes), files);
  assert.deepEqual(stale.map((s) => [s.path, s.reason]), [
    [CIPHER_TEXT, 'changed'],
    [`${CONF}/security/cipher-tool.properties`, 'exists'],
    [SECRET_CONF, 'exists'],
  ]);
  assert.ok(stale.every((s) => s.message.startsWith(s.path) && !s.message.includes('Adm-Pw-2') && !s.message.includes('Ks-Pw-1')));
  // Re-planned against the new state, it is fresh again.
  assert.deepEqual(await staleFiles(changeBases((await planFor(files, `${CONF}/user-mgt.xml`)).changes), files), []);
});

test('a basis is a hash, never the text; bytes are decoded as the planner read them; a deleted file is stale', async () => {
  const text = 'Caf\u00e9.Alias=[x]\n';
  const files = new MemoryFileSource({ [CIPHER_TEXT]: Buffer.from(text, 'latin1'), [`${CONF}/carbon.xml`]: Buffer.from(`<Server>\u00e9</Server>`, 'utf8') });
  const bases = changeBases([
    { kind: 'edit', path: CIPHER_TEXT, baseText: text, replacements: [] },
    { kind: 'edit', path: `${CONF}/carbon.xml`, baseText: '<Server>\u00e9</Server>', replacements: [] },
  ]);
  assert.deepEqual(bases[0], { path: CIPHER_TEXT, state: 'text', sha256: textSha256(text) });
  assert.ok(!JSON.stringify(bases).includes('Alias'));
  assert.deepEqual(await staleFiles(bases, files), []);
  files.delete(CIPHER_TEXT);
  assert.deepEqual((await staleFiles(bases, files)).map((s) => s.reason), ['deleted']);
});
