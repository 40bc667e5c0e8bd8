import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { MemoryFileSource, projectRoot } from '../../helpers';
import { createService, recogniseConfigFile } from '../../../server/src/service';
import { DEFAULT_SETTINGS, mergeSettings } from '../../../server/src/service/settings';
import { applyReplacements } from '../../../server/src/service/fixes/types';
import secretsData from '../../../schemas/properties-secrets.json';
import secretsSchema from '../../../schemas/properties-secrets.schema.json';
import { javaCheck, keytoolGenerate, tempDir, writeText } from '../secure-vault/support';

/**
 * Issue 14: the .properties files of a Carbon 4.4 home that hold secrets, as a document kind of the facade:
 * jndi.properties (the password of `amqp://user:password@…`), identity/EndpointConfig.properties (the keystore
 * passwords, unless protectedTokens lists them) and the `alias=[plaintext]` entries of cipher-text.properties.
 */

const CONF = '/ws/wso2am-2.6.0/repository/conf';
const IS_CONF = '/ws/wso2is-5.6.0/repository/conf';
const ENDPOINT_CORPUS = path.join(projectRoot(), '..', 'shared', 'corpus', 'is-5.6.0', 'repository', 'conf', 'identity', 'EndpointConfig.properties');

/** jndi.properties as APIM 2.6.0 ships it (product-apim v2.6.0 modules/distribution/product/src/main/conf/jndi.properties, described, not copied). */
const JNDI = [
  '# register some connection factories',
  '# connectionfactory.[jndiname] = [ConnectionURL]',
  "connectionfactory.TopicConnectionFactory = amqp://admin:admin@clientid/carbon?brokerlist='tcp://localhost:5672'",
  '',
  "connectionfactory.QueueConnectionFactory = amqp://admin:Zq9-jndi-S3cret@clientID/test?brokerlist='tcp://localhost:5672'",
  '# a reference is not a password',
  "connectionfactory.Other = amqp://${admin.username}:${admin.password}@clientid/carbon?brokerlist='tcp://localhost:5672'",
  'connectionfactory.Vaulted = secretAlias:JNDI.Vaulted',
  'topic.throttleData = throttleData',
  '',
].join('\n');

async function analyse(files: MemoryFileSource, file: string, settings = DEFAULT_SETTINGS) {
  const service = createService({ files });
  const content = (await files.read(file))!;
  const result = await service.analyse({ path: file, content, settings });
  const text = result.text!;
  const rows = result.findings.map((f) => ({
    line: result.lines!.positionAt(f.span.start).line + 1,
    covered: text.slice(f.span.start, f.span.end),
    severity: f.severity,
    finding: f,
  }));
  return { service, content, result, rows, text };
}

test('properties-secrets.json satisfies its schema', () => {
  const validate = new Ajv({ allErrors: true, strict: true }).compile(secretsSchema);
  assert.ok(validate(secretsData), JSON.stringify(validate.errors));
});

test('recognised by place, inside a conf folder only', () => {
  assert.equal(recogniseConfigFile(`${CONF}/jndi.properties`)?.kind, 'jndi-properties');
  assert.equal(recogniseConfigFile(`${IS_CONF}/identity/EndpointConfig.properties`)?.kind, 'endpoint-config-properties');
  assert.equal(recogniseConfigFile(`${CONF}/security/cipher-text.properties`)?.kind, 'cipher-text-properties');
  assert.equal(recogniseConfigFile('/tmp/jndi.properties'), undefined);
  assert.equal(recogniseConfigFile(`${CONF}/log4j.properties`), undefined);
});

test('jndi.properties: the password of each AMQP URL, exactly; references and secretAlias: values are not passwords', async () => {
  const files = new MemoryFileSource({ [`${CONF}/jndi.properties`]: JNDI });
  const { rows } = await analyse(files, `${CONF}/jndi.properties`);
  assert.deepEqual(rows.map((r) => [r.finding.ruleId, r.line, r.covered, r.severity]), [
    ['plaintext-password', 3, 'admin', 'error'],
    ['plaintext-password', 5, 'Zq9-jndi-S3cret', 'warning'],
  ]);
  const data = rows[0].finding.data!;
  assert.deepEqual(data, { target: 'property', key: 'connectionfactory.TopicConnectionFactory', encryptable: true, mechanism: 'secretAlias-value', suggestedAlias: 'JNDI.connectionfactory.TopicConnectionFactory', partOfValue: true });
  assert.match(rows[0].finding.message, /secretAlias:<alias>/);
  assert.match(rows[0].finding.message, /PropertiesFileInitialContextFactory\.java/);
  assert.ok(!JSON.stringify(rows.map((r) => [r.finding.message, r.finding.data])).includes('Zq9-jndi'), 'no secret in messages or data');
});

test('suppression comments: # wso2-config-disable-next-line and # wso2-config-disable; the rule setting off', async () => {
  const file = `${CONF}/jndi.properties`;
  const files = new MemoryFileSource({ [file]: JNDI });
  const first = await analyse(files, file);
  const offers = await first.service.fixesFor({ path: file, content: first.content, settings: DEFAULT_SETTINGS, finding: first.rows[1].finding });
  // No keystore in this memory home: the Encrypt offer comes as a refusal with its reason.
  assert.deepEqual(offers.map((o) => [o.title, 'error' in o]), [
    ['Encrypt with Secure Vault (the whole URL, as secretAlias:)', true],
    ['Disable plaintext-password for this line', false],
    ['Disable plaintext-password for this file', false],
  ]);
  const line = offers[1] as unknown as { fix: { changes: { kind: 'edit'; baseText: string; replacements: { span: { start: number; end: number }; newText: string }[] }[] } };
  const suppressed = applyReplacements(line.fix.changes[0].baseText, line.fix.changes[0].replacements);
  assert.ok(suppressed.includes("\n# wso2-config-disable-next-line plaintext-password\nconnectionfactory.QueueConnectionFactory"));
  files.set(file, suppressed);
  assert.deepEqual((await analyse(files, file)).rows.map((r) => r.line), [3]);
  files.set(file, `# wso2-config-disable plaintext-password\n${JNDI}`);
  assert.deepEqual((await analyse(files, file)).rows, []);
  files.set(file, JNDI);
  assert.deepEqual((await analyse(files, file, mergeSettings({ rules: { 'plaintext-password': 'off' } }))).rows, []);
  assert.deepEqual((await analyse(files, file, mergeSettings({ rules: { 'plaintext-password': 'information' } }))).rows.map((r) => r.severity), ['information', 'information']);
});

test('EndpointConfig.properties (IS 5.6.0): lines 22 and 24, until protectedTokens lists the keys', { skip: !fs.existsSync(ENDPOINT_CORPUS) && 'no corpus' }, async () => {
  const file = `${IS_CONF}/identity/EndpointConfig.properties`;
  const original = fs.readFileSync(ENDPOINT_CORPUS, 'latin1');
  const files = new MemoryFileSource({ [file]: original });
  const { rows } = await analyse(files, file);
  assert.deepEqual(rows.map((r) => [r.line, r.covered, r.severity, r.finding.data?.alias, r.finding.data?.mechanism]), [
    [22, 'wso2carbon', 'error', 'Carbon.Security.KeyStore.Password', 'protectedTokens'],
    [24, 'wso2carbon', 'error', 'Carbon.Security.TrustStore.Password', 'protectedTokens'],
  ]);
  assert.match(rows[0].finding.message, /protectedTokens=/);
  assert.match(rows[0].finding.message, /TenantDataManager\.java/);
  files.set(file, `${original}\nprotectedTokens=Carbon.Security.KeyStore.Password, Carbon.Security.TrustStore.Password\n`);
  assert.deepEqual((await analyse(files, file)).rows, [], 'listed keys are aliases, not passwords');
});

test('cipher-text.properties: [plaintext] entries are findings; encryptable only when the home references the alias', async () => {
  const cipherText = `${CONF}/security/cipher-text.properties`;
  const files = new MemoryFileSource({
    [cipherText]: '#Sun Nov 22 06:47:42 UTC 2026\nCarbon.Security.KeyStore.Password=[wso2carbon]\nUserManager.AdminUser.Password=DAPjyXHkT/VhWN+vZ0UlEhE5sw\\=\\=\nOrphan.Alias=[Zq9-orphan-S3cret]\n',
    [`${CONF}/carbon.xml`]: '<Server xmlns:svns="http://org.wso2.securevault/configuration"><Security><KeyStore><Password svns:secretAlias="Carbon.Security.KeyStore.Password">password</Password></KeyStore></Security></Server>\n',
  });
  const { rows } = await analyse(files, cipherText);
  assert.deepEqual(rows.map((r) => [r.line, r.covered, r.severity, r.finding.data?.encryptable, r.finding.data?.referencedBy]), [
    [2, 'wso2carbon', 'error', true, ['carbon.xml']],
    [4, 'Zq9-orphan-S3cret', 'warning', false, []],
  ]);
  assert.match(rows[0].finding.message, /alias Carbon\.Security\.KeyStore\.Password .*referenced by carbon\.xml/);
  assert.match(rows[1].finding.message, /referenced by no file of this home/);
  assert.ok(!rows.some((r) => r.finding.message.includes('Zq9-orphan')));
});

test('long and hostile values stay linear', async () => {
  const file = `${CONF}/jndi.properties`;
  const long = `a = amqp://${':'.repeat(200_000)}${'@'.repeat(200_000)}\nb = amqp://${'x'.repeat(400_000)}\n`;
  const files = new MemoryFileSource({ [file]: long });
  const started = Date.now();
  await analyse(files, file);
  assert.ok(Date.now() - started < 2000, `${Date.now() - started} ms`);
});

test('cipher-text.properties: Encrypt with Secure Vault turns a referenced [password] into its ciphertext in place; the JDK decrypts it', async () => {
  const home = tempDir('props-inplace');
  const conf = `${home}/repository/conf`;
  const keystore = keytoolGenerate(`${home}/repository/resources/security`, 'wso2carbon.jks', { type: 'JKS', alias: 'wso2carbon', storePassword: 'Zq9-store-S3cret' });
  const cipherTextPath = `${conf}/security/cipher-text.properties`;
  const original = '# aliases waiting for the cipher tool\nCarbon.Security.KeyStore.Password=[Zq9-store-S3cret]\nOther.Key=kept\n';
  const files = new MemoryFileSource({
    [cipherTextPath]: original,
    [`${conf}/security/secret-conf.properties`]: secretConf(keystore),
    [`${conf}/carbon.xml`]: `<Server xmlns="http://wso2.org/projects/carbon/carbon.xml" xmlns:svns="http://org.wso2.securevault/configuration"><Security><KeyStore><Location>\${carbon.home}/repository/resources/security/wso2carbon.jks</Location><Type>JKS</Type><Password svns:secretAlias="Carbon.Security.KeyStore.Password">password</Password><KeyAlias>wso2carbon</KeyAlias></KeyStore></Security></Server>\n`,
    [keystore]: fs.readFileSync(keystore),
  });
  const { service, content, rows } = await analyse(files, cipherTextPath);
  assert.equal(rows.length, 1);
  const offers = await service.fixesFor({ path: cipherTextPath, content, settings: DEFAULT_SETTINGS, finding: rows[0].finding });
  assert.deepEqual(offers.map((o) => o.title), ['Encrypt with Secure Vault', 'Disable plaintext-password for this line', 'Disable plaintext-password for this file']);
  const encrypt = offers[0];
  assert.ok('fix' in encrypt, JSON.stringify(encrypt));
  const change = encrypt.fix.changes[0];
  assert.equal(change.kind, 'edit');
  if (change.kind !== 'edit') return;
  const after = applyReplacements(change.baseText, change.replacements);
  assert.ok(after.startsWith('# aliases waiting for the cipher tool\nCarbon.Security.KeyStore.Password='), after);
  assert.ok(after.endsWith('\nOther.Key=kept\n'), 'the rest of the file is kept');
  assert.ok(!after.includes('Zq9-store'), 'the password left the file');
  writeText(cipherTextPath, after);
  writeText(`${conf}/security/secret-conf.properties`, textOfSource(await files.read(`${conf}/security/secret-conf.properties`)));
  const java = javaCheck(conf, home, 'Zq9-store-S3cret', 'Zq9-store-S3cret');
  assert.equal(java.decrypted.get('Carbon.Security.KeyStore.Password'), 'Zq9-store-S3cret');
  assert.equal(java.decrypted.get('Other.Key')?.startsWith('!'), true, 'the other value is not a ciphertext (the JDK fails on it)');
  files.set(cipherTextPath, after);
  assert.deepEqual((await analyse(files, cipherTextPath)).rows, [], 'nothing pending any more');

  // An alias no file of the home references: a finding, no Encrypt.
  files.set(cipherTextPath, 'Orphan.Alias=[Zq9-orphan-S3cret]\n');
  const orphan = await analyse(files, cipherTextPath);
  const orphanOffers = await orphan.service.fixesFor({ path: cipherTextPath, content: orphan.content, settings: DEFAULT_SETTINGS, finding: orphan.rows[0].finding });
  assert.deepEqual(orphanOffers.map((o) => o.title), ['Disable plaintext-password for this line', 'Disable plaintext-password for this file']);
});

function textOfSource(content: import('../../../server/src/service').FileContent | undefined): string {
  if (!content) throw new Error('missing');
  return content.kind === 'text' ? content.text : Buffer.from(content.bytes).toString('latin1');
}

/** secret-conf.properties as the 4.4 cipher tool (-Dconfigure) writes it, for a JKS keystore. */
function secretConf(keystore: string): string {
  return [
    'carbon.secretProvider=org.wso2.securevault.secret.handler.SecretManagerSecretCallbackHandler',
    'secretRepositories=file',
    'secretRepositories.file.provider=org.wso2.securevault.secret.repository.FileBaseSecretRepositoryProvider',
    'secretRepositories.file.location=repository/conf/security/cipher-text.properties',
    `keystore.identity.location=${keystore}`,
    'keystore.identity.type=JKS',
    'keystore.identity.alias=wso2carbon',
    'keystore.identity.store.password=identity.store.password',
    'keystore.identity.store.secretProvider=org.wso2.carbon.securevault.DefaultSecretCallbackHandler',
    '',
  ].join('\n');
}

test('jndi.properties: Encrypt moves the whole AMQP URL into cipher-text.properties and writes secretAlias:<alias>; the JDK decrypts the URL', async () => {
  const home = tempDir('props-jndi');
  const conf = `${home}/repository/conf`;
  const keystore = keytoolGenerate(`${home}/repository/resources/security`, 'wso2carbon.jks', { type: 'JKS', alias: 'wso2carbon', storePassword: 'wso2carbon' });
  const jndi = `${conf}/jndi.properties`;
  const cipherTextPath = `${conf}/security/cipher-text.properties`;
  const files = new MemoryFileSource({
    [jndi]: JNDI,
    [cipherTextPath]: '# existing\nJNDI.connectionfactory.TopicConnectionFactory=[taken]\n',
    [`${conf}/carbon.xml`]: `<Server xmlns="http://wso2.org/projects/carbon/carbon.xml"><Security><KeyStore><Location>\${carbon.home}/repository/resources/security/wso2carbon.jks</Location><Type>JKS</Type><Password>wso2carbon</Password><KeyAlias>wso2carbon</KeyAlias></KeyStore></Security></Server>\n`,
    [keystore]: fs.readFileSync(keystore),
  });
  // Secure Vault not switched on: refused with the reason.
  const off = await analyse(files, jndi);
  const refused = await off.service.fixesFor({ path: jndi, content: off.content, settings: DEFAULT_SETTINGS, finding: off.rows[0].finding });
  assert.ok('error' in refused[0] && /not switched on/.test(refused[0].error), JSON.stringify(refused[0]));

  files.set(`${conf}/security/secret-conf.properties`, secretConf(keystore));
  const { service, content, rows } = await analyse(files, jndi);
  const offers = await service.fixesFor({ path: jndi, content, settings: DEFAULT_SETTINGS, finding: rows[0].finding });
  const encrypt = offers[0];
  assert.equal(encrypt.title, 'Encrypt with Secure Vault (the whole URL, as secretAlias:)');
  assert.ok('fix' in encrypt);
  const [jndiChange, cipherChange] = encrypt.fix.changes;
  assert.ok(jndiChange.kind === 'edit' && cipherChange.kind === 'edit');
  if (jndiChange.kind !== 'edit' || cipherChange.kind !== 'edit') return;
  const jndiAfter = applyReplacements(jndiChange.baseText, jndiChange.replacements);
  // The alias the home already uses is not reused.
  assert.equal(jndiAfter.split('\n')[2], 'connectionfactory.TopicConnectionFactory = secretAlias:JNDI.connectionfactory.TopicConnectionFactory.2');
  assert.deepEqual(jndiAfter.split('\n').filter((_, i) => i !== 2), JNDI.split('\n').filter((_, i) => i !== 2), 'every other line as it was');
  const cipherAfter = applyReplacements(cipherChange.baseText, cipherChange.replacements);
  assert.ok(cipherAfter.startsWith('# existing\nJNDI.connectionfactory.TopicConnectionFactory=[taken]\nJNDI.connectionfactory.TopicConnectionFactory.2='), cipherAfter);
  writeText(cipherTextPath, cipherAfter.replace('JNDI.connectionfactory.TopicConnectionFactory=[taken]\n', ''));
  writeText(`${conf}/security/secret-conf.properties`, secretConf(keystore));
  const java = javaCheck(conf, home, 'wso2carbon', 'wso2carbon');
  assert.equal(java.decrypted.get('JNDI.connectionfactory.TopicConnectionFactory.2'), "amqp://admin:admin@clientid/carbon?brokerlist='tcp://localhost:5672'");
  files.set(jndi, jndiAfter);
  assert.deepEqual((await analyse(files, jndi)).rows.map((r) => r.line), [5], 'the encrypted URL is no longer reported');
});

test('EndpointConfig.properties: Encrypt lists the key in protectedTokens and stores the ciphertext; an alias cipher-text already holds is refused', { skip: !fs.existsSync(ENDPOINT_CORPUS) && 'no corpus' }, async () => {
  const home = tempDir('props-endpoint');
  const conf = `${home}/repository/conf`;
  const keystore = keytoolGenerate(`${home}/repository/resources/security`, 'wso2carbon.jks', { type: 'JKS', alias: 'wso2carbon', storePassword: 'wso2carbon' });
  const endpoint = `${conf}/identity/EndpointConfig.properties`;
  const cipherTextPath = `${conf}/security/cipher-text.properties`;
  const original = fs.readFileSync(ENDPOINT_CORPUS, 'latin1');
  const files = new MemoryFileSource({
    [endpoint]: original,
    [cipherTextPath]: '# aliases\n',
    [`${conf}/security/secret-conf.properties`]: secretConf(keystore),
    [`${conf}/carbon.xml`]: `<Server xmlns="http://wso2.org/projects/carbon/carbon.xml"><Security><KeyStore><Location>\${carbon.home}/repository/resources/security/wso2carbon.jks</Location><Type>JKS</Type><Password>wso2carbon</Password><KeyAlias>wso2carbon</KeyAlias></KeyStore></Security></Server>\n`,
    [keystore]: fs.readFileSync(keystore),
  });
  const apply = async (line: number) => {
    const { service, content, rows } = await analyse(files, endpoint);
    const row = rows.find((r) => r.line === line)!;
    const [encrypt] = await service.fixesFor({ path: endpoint, content, settings: DEFAULT_SETTINGS, finding: row.finding });
    assert.equal(encrypt.title, 'Encrypt with Secure Vault (protectedTokens)');
    assert.ok('fix' in encrypt, JSON.stringify(encrypt));
    for (const change of encrypt.fix.changes) {
      assert.equal(change.kind, 'edit');
      if (change.kind === 'edit') files.set(change.path, applyReplacements(change.baseText, change.replacements));
    }
  };
  await apply(22);
  await apply(24);
  const after = textOfSource(await files.read(endpoint));
  const lines = after.split('\n');
  assert.equal(lines[21], 'Carbon.Security.KeyStore.Password=password');
  assert.equal(lines[23], 'Carbon.Security.TrustStore.Password=password');
  assert.ok(after.includes('\nprotectedTokens=Carbon.Security.KeyStore.Password,Carbon.Security.TrustStore.Password'), after.slice(-300));
  // Every other line as it was; protectedTokens follows the last entry.
  assert.equal(original.split('tls.protocol=TLSv1.2').length, 2);
  const expected = original
    .replace('Carbon.Security.KeyStore.Password=wso2carbon', 'Carbon.Security.KeyStore.Password=password')
    .replace('Carbon.Security.TrustStore.Password=wso2carbon', 'Carbon.Security.TrustStore.Password=password')
    .replace('tls.protocol=TLSv1.2', 'tls.protocol=TLSv1.2\nprotectedTokens=Carbon.Security.KeyStore.Password,Carbon.Security.TrustStore.Password');
  assert.equal(after, expected);
  assert.deepEqual((await analyse(files, endpoint)).rows, [], 'nothing left in plain text');
  writeText(cipherTextPath, textOfSource(await files.read(cipherTextPath)));
  writeText(`${conf}/security/secret-conf.properties`, secretConf(keystore));
  const java = javaCheck(conf, home, 'wso2carbon', 'wso2carbon');
  assert.equal(java.decrypted.get('Carbon.Security.KeyStore.Password'), 'wso2carbon');
  assert.equal(java.decrypted.get('Carbon.Security.TrustStore.Password'), 'wso2carbon');

  // carbon.xml's entry already under that alias: refused, nothing planned.
  files.set(endpoint, original);
  const { service, content, rows } = await analyse(files, endpoint);
  const [refused] = await service.fixesFor({ path: endpoint, content, settings: DEFAULT_SETTINGS, finding: rows[0].finding });
  assert.ok('error' in refused && refused.error.includes('already holds a value for Carbon.Security.KeyStore.Password'), JSON.stringify(refused));
});
