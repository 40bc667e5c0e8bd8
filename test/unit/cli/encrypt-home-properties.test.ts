import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import forge from 'node-forge';
import { adminUserMgtXml, cli, decrypt, keystoreCarbonXml, makePkcs12, propertyEntries, snapshotTree, tempDir, write } from './support';
import { hasJava, javaCheck, javaProperties } from '../secure-vault/support';
import { DiskFileSource } from '../../../server/src/node/disk-source';
import { homeOfConfDir } from '../../../server/src/service/workspace/files';
import { FileChange, applyReplacements, createService, mergeSettings } from '../../../server/src/service';

/**
 * Issue 14: `encrypt <home>` (and the editor's "…of This Product Home", the same facade call) covers every resolvable
 * secret of the home in one change: the XML passwords, the pending `[plaintext]` entries of cipher-text.properties,
 * the AMQP URL of jndi.properties (`secretAlias:<alias>`) and the keystore passwords of identity/EndpointConfig
 * .properties (`protectedTokens=`), with Secure Vault switched on by the same change. One change per file; the JDK
 * decrypts every ciphertext; `--dry-run` shows none of the passwords.
 */

const STORE_PASSWORD = 'Store-Pass-Props-41';
const ALIAS = 'wso2carbon';
const JNDI_URL_PASSWORD = 'Amqp-Secret-62';
const JNDI_URL = `amqp://admin:${JNDI_URL_PASSWORD}@clientid/carbon?brokerlist='tcp://localhost:5672'`;
const SECRETS = {
  carbonKey: 'Key-Pass-Props-52',
  admin: 'Admin-Props-74',
  pending: 'Pending-Props-83',
  trustStore: 'Trust-Props-95',
};

function makeStore(file: string): forge.pki.rsa.PrivateKey {
  return makePkcs12(file, STORE_PASSWORD, ALIAS, 'wso2-config properties home test');
}

interface Home {
  dir: string;
  home: string;
  conf: string;
  key: forge.pki.rsa.PrivateKey;
}

/**
 * An APIM 2.6.0-like home (carbon.xml, user-mgt.xml, jndi.properties as product-apim v2.6.0 ships it, a pending
 * `[plaintext]` entry in cipher-text.properties, named by a cipher-tool.properties line) with an
 * IS-like identity/EndpointConfig.properties (IS 5.6.0's keys). Secure Vault is not switched on: secret-conf.properties
 * does not exist. `endpointKeyStorePassword` is EndpointConfig's Carbon.Security.KeyStore.Password (carbon.xml's
 * keystore password, under the same alias, unless given).
 */
function makeHome(label: string, endpointKeyStorePassword = STORE_PASSWORD): Home {
  const dir = tempDir(label);
  const home = path.join(dir, 'wso2am-2.6.0');
  const conf = path.join(home, 'repository', 'conf');
  const key = makeStore(path.join(home, 'repository/resources/security/identity.p12'));
  write(conf, 'carbon.xml', keystoreCarbonXml({ location: '${carbon.home}/repository/resources/security/identity.p12', type: 'PKCS12', password: STORE_PASSWORD, alias: ALIAS, keyPassword: SECRETS.carbonKey }));
  write(conf, 'user-mgt.xml', adminUserMgtXml(SECRETS.admin));
  write(conf, 'jndi.properties', [
    `# register some connection factories`,
    `# connectionfactory.[jndiname] = [ConnectionURL]`,
    `connectionfactory.TopicConnectionFactory = ${JNDI_URL}`,
    ``,
    `# register some topics in JNDI using the form`,
    `topic.throttleData = throttleData`,
    ``,
  ].join('\n'));
  write(conf, 'identity/EndpointConfig.properties', [
    `tenantListEnabled=false`,
    `mutual.ssl.username=admin`,
    `client.keyStore=./repository/resources/security/wso2carbon.jks`,
    `Carbon.Security.KeyStore.Password=${endpointKeyStorePassword}`,
    `client.trustStore=./repository/resources/security/client-truststore.jks`,
    `Carbon.Security.TrustStore.Password=${SECRETS.trustStore}`,
    `tls.protocol=TLSv1.2`,
    ``,
  ].join('\n'));
  write(conf, 'security/cipher-text.properties', [`# Secure Vault ciphertexts`, `Pending.Alias=[${SECRETS.pending}]`, ``].join('\n'));
  write(conf, 'security/cipher-tool.properties', [`Pending.Alias=repository/conf/axis2/axis2.xml//axisconfig/parameter[@name='Pending'],false`, ``].join('\n'));
  return { dir, home, conf, key };
}

const ALL_SECRETS = [STORE_PASSWORD, JNDI_URL_PASSWORD, ...Object.values(SECRETS)];

test('encrypt <home>: XML, pending cipher-text entries, jndi.properties and EndpointConfig.properties in one change', async () => {
  const h = makeHome('props-all');
  const run = await cli(['encrypt', 'wso2am-2.6.0'], h.dir, { env: {} });
  assert.equal(run.code, 0, run.out + run.err);
  for (const secret of ALL_SECRETS) assert.ok(!run.out.includes(secret) && !run.err.includes(secret), `output holds a secret (${secret.slice(0, 3)}…)`);
  assert.match(run.out, /jndi\.properties:3 {2}encrypted as JNDI\.connectionfactory\.TopicConnectionFactory/);
  assert.match(run.out, /identity\/EndpointConfig\.properties:4 {2}encrypted as Carbon\.Security\.KeyStore\.Password/);
  assert.match(run.out, /identity\/EndpointConfig\.properties:6 {2}encrypted as Carbon\.Security\.TrustStore\.Password/);
  assert.match(run.out, /created wso2am-2\.6\.0\/repository\/conf\/security\/secret-conf\.properties/);

  const cipher = propertyEntries(path.join(h.conf, 'security/cipher-text.properties'));
  const expected: Record<string, string> = {
    'Carbon.Security.KeyStore.Password': STORE_PASSWORD,
    'Carbon.Security.KeyStore.KeyPassword': SECRETS.carbonKey,
    'UserManager.AdminUser.Password': SECRETS.admin,
    'Pending.Alias': SECRETS.pending,
    'JNDI.connectionfactory.TopicConnectionFactory': JNDI_URL,
    'Carbon.Security.TrustStore.Password': SECRETS.trustStore,
  };
  assert.deepEqual([...cipher.keys()].sort(), Object.keys(expected).sort());
  for (const [alias, secret] of Object.entries(expected)) assert.equal(decrypt(h.key, cipher.get(alias)!), secret, alias);

  // The files the runtime reads: jndi.properties names the alias, EndpointConfig lists its keys in protectedTokens.
  const jndi = fs.readFileSync(path.join(h.conf, 'jndi.properties'), 'latin1');
  assert.equal(jndi, [
    `# register some connection factories`,
    `# connectionfactory.[jndiname] = [ConnectionURL]`,
    `connectionfactory.TopicConnectionFactory = secretAlias:JNDI.connectionfactory.TopicConnectionFactory`,
    ``,
    `# register some topics in JNDI using the form`,
    `topic.throttleData = throttleData`,
    ``,
  ].join('\n'));
  const endpoint = propertyEntries(path.join(h.conf, 'identity/EndpointConfig.properties'));
  assert.equal(endpoint.get('Carbon.Security.KeyStore.Password'), 'password');
  assert.equal(endpoint.get('Carbon.Security.TrustStore.Password'), 'password');
  assert.equal(endpoint.get('protectedTokens'), 'Carbon.Security.KeyStore.Password,Carbon.Security.TrustStore.Password');
  assert.equal(endpoint.get('tls.protocol'), 'TLSv1.2');
  for (const [file, bytes] of snapshotTree(path.join(h.home, 'repository', 'conf'))) {
    const text = bytes.toString('latin1');
    for (const secret of ALL_SECRETS) assert.ok(!text.includes(secret), `${file} still holds a password (${secret.slice(0, 3)}…)`);
  }

  // Nothing is left: a second run has nothing to do, and the lint run finds no plaintext password.
  const again = await cli(['encrypt', 'wso2am-2.6.0'], h.dir, { env: {} });
  assert.equal(again.code, 0, again.out + again.err);
  assert.match(again.out, /^No plaintext passwords to encrypt in wso2am-2\.6\.0\.\n$/);
  const lint = await cli(['--format', 'json', 'wso2am-2.6.0'], h.dir);
  assert.deepEqual((JSON.parse(lint.out) as { findings: { ruleId: string; path?: string }[] }).findings.filter((f) => f.ruleId === 'plaintext-password'), []);
});

test('the JDK reads the result as the runtime does: every ciphertext decrypts, jndi.properties names the alias', async (t) => {
  if (!hasJava()) return t.skip('no JDK');
  const h = makeHome('props-java');
  const run = await cli(['encrypt', 'wso2am-2.6.0'], h.dir, { env: {} });
  assert.equal(run.code, 0, run.out + run.err);
  const { decrypted } = javaCheck(h.conf, h.home, STORE_PASSWORD, STORE_PASSWORD);
  assert.equal(decrypted.get('JNDI.connectionfactory.TopicConnectionFactory'), JNDI_URL);
  assert.equal(decrypted.get('Carbon.Security.KeyStore.Password'), STORE_PASSWORD);
  assert.equal(decrypted.get('Carbon.Security.TrustStore.Password'), SECRETS.trustStore);
  assert.equal(decrypted.get('Pending.Alias'), SECRETS.pending);
  assert.equal(decrypted.get('UserManager.AdminUser.Password'), SECRETS.admin);
  assert.equal(decrypted.size, 6);
  assert.equal(javaProperties(path.join(h.conf, 'jndi.properties')).get('connectionfactory.TopicConnectionFactory'), 'secretAlias:JNDI.connectionfactory.TopicConnectionFactory');
  assert.equal(javaProperties(path.join(h.conf, 'identity/EndpointConfig.properties')).get('protectedTokens'), 'Carbon.Security.KeyStore.Password,Carbon.Security.TrustStore.Password');
});

test('--dry-run changes nothing and masks every password, the AMQP URL password included', async () => {
  const h = makeHome('props-dry');
  const before = snapshotTree(h.home);
  const run = await cli(['encrypt', '--dry-run', 'wso2am-2.6.0'], h.dir, { env: {} });
  assert.equal(run.code, 0, run.out + run.err);
  assert.deepEqual(snapshotTree(h.home), before, 'nothing written');
  for (const secret of ALL_SECRETS) assert.ok(!run.out.includes(secret) && !run.err.includes(secret), `dry run shows a secret (${secret.slice(0, 3)}…)`);
  assert.match(run.out, /\+connectionfactory\.TopicConnectionFactory = secretAlias:JNDI\.connectionfactory\.TopicConnectionFactory/);
  assert.match(run.out, /-connectionfactory\.TopicConnectionFactory = amqp:\/\/admin:/);
  assert.match(run.out, /\+protectedTokens=Carbon\.Security\.KeyStore\.Password,Carbon\.Security\.TrustStore\.Password/);
  // One diff per file: cipher-text.properties once.
  assert.equal(run.out.split('\n').filter((l) => /^\+\+\+ .*cipher-text\.properties/.test(l)).length, 1);
});

test('--dry-run masks a .properties value as load() reads it: continuation lines, a key split over two lines, an escaped separator', async () => {
  // Appended after the last entry, these lines are the context of the protectedTokens line the change adds (the diff
  // shows three), so they must be masked as the runtime reads them. The key split by a continuation (Split.Key.Password)
  // was shown in full by the old line scanner, which read `word=Split-Key-33` as a key of its own.
  const groups = [
    { lines: ['client.Key.Password=Cont-Start-11\\', '    Cont-End-22', 'Proxy\\:Password=Esc-Sep-44'], shown: [' client.Key.Password=********', '     ********', ' Proxy\\:Password=********'] },
    { lines: ['Split.Key.Pass\\', '    word=Split-Key-33', 'display.label=a\\=b'], shown: [' Split.Key.Pass\\', '     word=********', ' display.label=a\\=b'] },
  ];
  const hidden = ['Cont-Start-11', 'Cont-End-22', 'Esc-Sep-44', 'Split-Key-33'];
  for (const [n, group] of groups.entries()) {
    const h = makeHome(`props-dry-lines-${n}`);
    fs.appendFileSync(path.join(h.conf, 'identity/EndpointConfig.properties'), group.lines.map((l) => `${l}\n`).join(''));
    const run = await cli(['encrypt', '--dry-run', 'wso2am-2.6.0'], h.dir, { env: {} });
    assert.equal(run.code, 0, run.out + run.err);
    for (const secret of [...ALL_SECRETS, ...hidden]) assert.ok(!run.out.includes(secret) && !run.err.includes(secret), `dry run shows a secret (${secret.slice(0, 3)}…)`);
    assert.ok(run.out.includes(`\n${group.shown.join('\n')}\n+protectedTokens=`), run.out);
  }
});

test('an EndpointConfig password that differs from carbon.xml\'s under the same alias is left, and said so; the rest is written', async () => {
  const other = 'Endpoint-Differs-17';
  const h = makeHome('props-clash', other);
  const run = await cli(['encrypt', 'wso2am-2.6.0'], h.dir, { env: {} });
  assert.equal(run.code, 1, 'a secret left in plain text makes the run exit 1');
  assert.ok(!run.out.includes(other) && !run.err.includes(other));
  assert.match(run.out, /EndpointConfig\.properties:4 {2}not encrypted: cipher-text\.properties already holds a value for Carbon\.Security\.KeyStore\.Password/);
  const cipher = propertyEntries(path.join(h.conf, 'security/cipher-text.properties'));
  assert.equal(decrypt(h.key, cipher.get('Carbon.Security.KeyStore.Password')!), STORE_PASSWORD, 'carbon.xml\'s password keeps its alias');
  const endpoint = propertyEntries(path.join(h.conf, 'identity/EndpointConfig.properties'));
  assert.equal(endpoint.get('Carbon.Security.KeyStore.Password'), other, 'left as it was');
  assert.equal(endpoint.get('protectedTokens'), 'Carbon.Security.TrustStore.Password');
});

test('a .properties file that cannot be written stops the whole change: every file stays as it was', async () => {
  const h = makeHome('props-atomic');
  // The XML files and the security files come before EndpointConfig.properties in the change.
  const endpoint = path.join(h.conf, 'identity/EndpointConfig.properties');
  fs.chmodSync(endpoint, 0o444);
  const before = snapshotTree(h.home);
  const run = await cli(['encrypt', 'wso2am-2.6.0'], h.dir, { env: {} });
  assert.equal(run.code, 2, run.out + run.err);
  assert.match(run.err, /EndpointConfig\.properties: is read-only.*nothing was changed/);
  assert.deepEqual(snapshotTree(h.home), before);
  assert.ok(!fs.existsSync(path.join(h.conf, 'security/secret-conf.properties')));
});

test('the facade\'s planHomeEncryption (the editor\'s home command) gives one change per file, every base the file as it is', async () => {
  const h = makeHome('props-facade');
  const service = createService({ files: new DiskFileSource() });
  const home = homeOfConfDir(h.conf.split(path.sep).join('/'))!;
  const outcome = await service.planHomeEncryption({ home, settingsFor: () => mergeSettings() });
  assert.ok('fix' in outcome && outcome.fix, JSON.stringify(outcome));
  const changes: readonly FileChange[] = outcome.fix.changes;
  const paths = changes.map((c) => path.relative(h.conf, c.path)).sort();
  assert.deepEqual(paths, [
    'carbon.xml',
    'identity/EndpointConfig.properties',
    'jndi.properties',
    'security/cipher-text.properties',
    'security/cipher-tool.properties',
    'security/secret-conf.properties',
    'user-mgt.xml',
  ]);
  for (const change of changes) {
    if (change.kind === 'create') assert.ok(!fs.existsSync(change.path), `${change.path} is created`);
    else assert.equal(change.baseText, fs.readFileSync(change.path, 'latin1'), `${change.path} is planned against the file as it is`);
  }
  const cipherChange = changes.find((c) => c.path.endsWith('cipher-text.properties'))!;
  assert.equal(cipherChange.kind, 'edit');
  const finalText = cipherChange.kind === 'edit' ? applyReplacements(cipherChange.baseText, cipherChange.replacements) : '';
  assert.ok(finalText.startsWith('# Secure Vault ciphertexts\n'), 'the comment stays');
  const aliases = finalText.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.slice(0, l.indexOf('=')));
  assert.equal(new Set(aliases).size, aliases.length, 'each alias once');
  assert.equal(aliases.length, 6);
  assert.deepEqual(
    outcome.plan.encrypted.filter((e) => e.target === 'property').map((e) => `${path.relative(h.conf, e.path)}:${e.line} ${e.alias}`),
    ['identity/EndpointConfig.properties:4 Carbon.Security.KeyStore.Password', 'identity/EndpointConfig.properties:6 Carbon.Security.TrustStore.Password', 'jndi.properties:3 JNDI.connectionfactory.TopicConnectionFactory'],
  );
  assert.ok(!outcome.report.includes(STORE_PASSWORD) && !outcome.report.includes(JNDI_URL_PASSWORD));
  // The masking spans of the dry run cover the AMQP password.
  const jndiPath = changes.find((c) => c.path.endsWith('jndi.properties'))!.path;
  const spans = outcome.secretSpans.get(jndiPath) ?? [];
  const jndiText = fs.readFileSync(jndiPath, 'latin1');
  assert.ok(spans.some((s) => jndiText.slice(s.start, s.end) === JNDI_URL_PASSWORD));
});

test('only .properties secrets and Secure Vault off: they are reported as left, nothing is written', async () => {
  const dir = tempDir('props-off');
  const h = makeHome('props-off-src');
  const home = path.join(dir, 'wso2am-2.6.0');
  fs.cpSync(h.home, home, { recursive: true });
  const conf = path.join(home, 'repository', 'conf');
  // No XML password and no pending entry: nothing in this change switches the vault on.
  fs.writeFileSync(path.join(conf, 'carbon.xml'), fs.readFileSync(path.join(conf, 'carbon.xml'), 'latin1').replace(`<KeyPassword>${SECRETS.carbonKey}</KeyPassword>`, '').replace(`<Password>${STORE_PASSWORD}</Password>`, '<!-- wso2-config-disable-next-line plaintext-password -->\n            <Password>' + STORE_PASSWORD + '</Password>'));
  fs.rmSync(path.join(conf, 'user-mgt.xml'));
  fs.rmSync(path.join(conf, 'security'), { recursive: true });
  const before = snapshotTree(home);
  const run = await cli(['encrypt', 'wso2am-2.6.0'], dir, { env: {} });
  assert.equal(run.code, 1, run.out + run.err);
  assert.match(run.out, /jndi\.properties:3 {2}not encrypted: Secure Vault is not switched on/);
  assert.deepEqual(snapshotTree(home), before);
});
