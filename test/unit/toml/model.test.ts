import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDeploymentToml } from '../../../server/src/service/toml/parse';
import { buildTomlModel, referencesIn } from '../../../server/src/service/toml/effective';
import { bundledKnowledge, loadKnowledge } from '../../../server/src/service/toml/knowledge';
import { detectTomlHome, tomlHomeOf } from '../../../server/src/service/toml/home';

test('entries carry config-mapper flat keys and exact key and value ranges', () => {
  const text = `[server]\noffset = 3 # c\n[event_listener.properties]\n'header.X-WSO2' = "v"\n[transport]\npassthru_https.listener.port = 1\n`;
  const doc = parseDeploymentToml(text);
  assert.deepEqual(doc.errors, []);
  const keys = doc.entries.map((e) => e.key);
  assert.deepEqual(keys, ['server.offset', "event_listener.properties.'header.X-WSO2'", 'transport.passthru_https.listener.port']);
  const offset = doc.entries[0];
  assert.equal(text.slice(offset.keySpan.start, offset.keySpan.end), 'offset');
  assert.equal(text.slice(offset.valueSpan.start, offset.valueSpan.end), '3');
  assert.equal(text.slice(doc.tables[0].headerSpan.start, doc.tables[0].headerSpan.end), '[server]');
  assert.equal(doc.comments[0].value, ' c');
  assert.equal(text.slice(doc.entries[1].valueSpan.start, doc.entries[1].valueSpan.end), '"v"');
});

test('arrays of tables: fields keyed <array>:<field> with their element index', () => {
  const doc = parseDeploymentToml(`[[datasource]]\nid = "A"\npassword = "x"\n[[datasource]]\nid = "B"\n`);
  assert.deepEqual(
    doc.entries.map((e) => [e.key, e.arrayName, e.arrayIndex]),
    [['datasource:id', 'datasource', 0], ['datasource:password', 'datasource', 0], ['datasource:id', 'datasource', 1]],
  );
  assert.equal(doc.tables[1].headerSpan.end - doc.tables[1].headerSpan.start, '[[datasource]]'.length);
});

test('key-mappings rename, infer fires only on user keys, defaults fill the rest, user values win', () => {
  const model = buildTomlModel({
    path: '/h/repository/conf/deployment.toml',
    product: 'apim',
    version: '4.2.0',
    text: `[transport.https.properties]\nprotocols = "TLSv1.2"\n[database.shared_db]\ntype = "mysql"\nurl = "jdbc:mysql://db/x"\n[database.user]\ntype = "h2"\n`,
  });
  const protocols = model.get('transport.https.sslHostConfig.properties.protocols')!;
  assert.equal(protocols.value, 'TLSv1.2');
  assert.equal(protocols.origin.kind, 'user');
  assert.equal(protocols.origin.kind === 'user' && protocols.origin.writtenKey, 'transport.https.properties.protocols');
  // The user's url wins over the url mysql infers; the driver is inferred from the user's type.
  assert.equal(model.get('database.shared_db.url')!.origin.kind, 'user');
  const driver = model.get('database.shared_db.driver')!;
  assert.equal(driver.origin.kind, 'inferred');
  assert.match(String(driver.value), /mysql/i);
  // `database.user.type = h2` infers an H2 url (carbon-kernel infer.json database.$1.type).
  assert.match(String(model.get('database.user.url')!.value), /^jdbc:h2:/);
  // A default never triggers infer: apim_db's default url is H2 but no driver is inferred for it from a type.
  assert.equal(model.get('database.apim_db.type'), undefined);
  assert.equal(model.get('keystore.primary.password')!.origin.kind, 'default');
});

test('$ref resolution follows whole-value references and keeps the chain; references stay references', () => {
  const model = buildTomlModel({
    path: '/h/repository/conf/deployment.toml',
    product: 'apim',
    version: '4.2.0',
    text: `[super_admin]\npassword = "$secret{admin}"\n[apim.key_manager]\npassword = "$ref{super_admin.password}"\n[a]\nb = "pre-$ref{super_admin.password}-post"\nc = "$ref{no.such.key}"\n`,
  });
  const resolution = model.resolve('apim.key_manager.password')!;
  assert.equal(resolution.value, '$secret{admin}');
  assert.deepEqual(resolution.chain.map((v) => v.key), ['apim.key_manager.password', 'super_admin.password']);
  assert.deepEqual(resolution.references, ['secret']);
  assert.equal(model.resolve('a.b')!.value, 'pre-$secret{admin}-post');
  assert.deepEqual(model.resolve('a.c')!.unresolved, ['no.such.key']);
  // keystore.tls.password defaults to $ref{keystore.primary.password}, which defaults to wso2carbon.
  const tls = model.resolve('keystore.tls.password')!;
  assert.deepEqual(tls.chain.map((v) => v.origin.kind), ['default', 'default']);
  assert.deepEqual(referencesIn('$env{X}'), ['env']);
  assert.deepEqual(referencesIn('${admin.password}'), ['placeholder']);
  assert.deepEqual(referencesIn('$sys{p}'), ['sys']);
  assert.deepEqual(referencesIn('plain'), []);
});

test('a $ref cycle ends without a stack overflow', () => {
  const model = buildTomlModel({ path: 'deployment.toml', product: 'carbon', text: `[a]\nb = "$ref{a.c}"\nc = "$ref{a.b}"\n` });
  const resolution = model.resolve('a.b')!;
  assert.ok(resolution.unresolved.length > 0);
});

test('parse errors: the parser\'s words and range, recovery keeps the rest', () => {
  const text = `[a]\nx = 1\nx = 2\n[b]\npassword = "admin"\n`;
  const doc = parseDeploymentToml(text);
  assert.equal(doc.errors.length, 1);
  assert.match(doc.errors[0].message, /multiple times/);
  assert.equal(text.slice(doc.errors[0].span.start, doc.errors[0].span.end), 'x = 2');
  assert.ok(doc.partial);
  assert.deepEqual(doc.entries.map((e) => e.key), ['a.x', 'b.password']);
  // A duplicate table is dropped with its keys, not merged into the previous table.
  const dup = parseDeploymentToml(`[a]\nx = 1\n[b]\ny = 1\n[a]\nz = 2\n[c]\nw = 1\n`);
  assert.equal(dup.errors.length, 1);
  assert.deepEqual(dup.entries.map((e) => e.key), ['a.x', 'b.y', 'c.w']);
});

test('TOML 1.0.0, not 1.1: a newline inside an inline table is an error', () => {
  const errors = parseDeploymentToml('a = {\n b = 1 }\n').errors;
  assert.match(errors[0].message, /No newlines are allowed between the curly braces/);
  assert.deepEqual(parseDeploymentToml('a = { b = 1 }\n').errors, []);
});

test('home layout, product and version', () => {
  assert.deepEqual(tomlHomeOf('/opt/wso2am-4.2.0/repository/conf/deployment.toml'), { homeDir: '/opt/wso2am-4.2.0', layout: 'repository-conf' });
  assert.deepEqual(tomlHomeOf('/opt/wso2mi-4.4.0/conf/deployment.toml'), { homeDir: '/opt/wso2mi-4.4.0', layout: 'mi-conf' });
  assert.equal(tomlHomeOf('/tmp/deployment-full.toml'), undefined);
  const byFolder = detectTomlHome('/opt/wso2is-7.1.0/repository/conf/deployment.toml', undefined, undefined);
  assert.deepEqual([byFolder.product, byFolder.version], ['is', '7.1.0']);
  const byVersionFile = detectTomlHome('/opt/x/repository/conf/deployment.toml', undefined, (p) => (p === 'bin/version.txt' ? 'WSO2 API Manager v4.3.0\n' : undefined));
  assert.deepEqual([byVersionFile.product, byVersionFile.version, byVersionFile.detectedBy], ['apim', '4.3.0', 'bin/version.txt']);
  const mi = detectTomlHome('/opt/x/conf/deployment.toml', undefined, undefined);
  assert.deepEqual([mi.product, mi.version], ['mi', undefined]);
  const byContent = detectTomlHome('/opt/x/repository/conf/deployment.toml', parseDeploymentToml('[database.identity_db]\ntype="h2"\n'), undefined);
  assert.equal(byContent.product, 'is');
});

test('knowledge: the home\'s own JSON files when readable, else the bundled snapshot, named as such', () => {
  const home = loadKnowledge('apim', '4.2.0', (p) => (p.endsWith('default.json') ? '{"a.b": "c"}' : undefined));
  assert.equal(home.origin, 'home');
  assert.deepEqual(home.defaults, { 'a.b': 'c' });
  const broken = loadKnowledge('apim', '4.2.0', () => '{ not json');
  assert.equal(broken.origin, 'bundled');
  assert.match(bundledKnowledge('apim', '4.5.0').label, /API Manager 4\.2\.0 \(nearest to 4\.5\.0\)/);
  assert.match(bundledKnowledge('carbon', '4.6.2').label, /Carbon kernel 4\.6\.0/);
  assert.match(bundledKnowledge('mi', undefined).label, /version of this home unknown/);
});

test('protectionOf says how a secret is protected without the value', async () => {
  const { protectionOf } = await import('../../../server/src/service/toml/effective');
  const model = buildTomlModel({ path: 'deployment.toml', product: 'apim', version: '4.2.0', text: `[super_admin]\npassword = "$secret{a}"\n[x]\np = "$ref{super_admin.password}"\nq = "lit"\nr = ""\n[secrets]\na = "b"\n` });
  assert.deepEqual(protectionOf(model, '$ref{super_admin.password}'), { status: 'reference', references: ['secret'], via: ['super_admin.password'] });
  assert.deepEqual(protectionOf(model, 'lit'), { status: 'plaintext', via: [] });
  assert.deepEqual(protectionOf(model, ''), { status: 'empty' });
  assert.deepEqual(protectionOf(model, '$ref{nope}'), { status: 'unresolved', unresolved: ['nope'] });
});

test('a table under an array of tables belongs to its last element', () => {
  const doc = parseDeploymentToml(`[[datasource]]\nid = "A"\n[datasource.pool_options]\nmaxActive = 50\n[[datasource]]\nid = "B"\n`);
  assert.deepEqual(
    doc.entries.map((e) => [e.key, e.arrayIndex]),
    [['datasource:id', 0], ['datasource:pool_options.maxActive', 0], ['datasource:id', 1]],
  );
});

test('knowledge given by the caller is used as is (a facade caches it per home)', () => {
  const knowledge = { defaults: { 'truststore.password': 'cached' }, infer: {}, keyMappings: {}, origin: 'home' as const, label: 'cached default.json', sources: [] };
  const model = buildTomlModel({ path: '/h/repository/conf/deployment.toml', product: 'carbon', text: '[server]\n', knowledge, readHomeFile: () => { throw new Error('must not read'); } });
  assert.equal(model.knowledge, knowledge);
  assert.equal(model.get('truststore.password')!.value, 'cached');
});
