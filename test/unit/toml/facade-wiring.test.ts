import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileContent, ProductHome, RULE_METADATA, Settings, createService, mergeSettings, recogniseConfigFile } from '../../../server/src/service';
import { TomlVaultFix } from '../../../server/src/service/toml/securevault';
import { DirectoryReader } from '../../../server/src/service/workspace/discovery';
import { carbonXml, twoProductsAtZero } from '../ports/fixtures';
import { HOMES, Product, SKIP, applyToDisk, buildHome, disk, javaVault, modelOf, secretsOf } from './securevault-support';

/**
 * deployment.toml through the facade (service/index.ts DEPLOYMENT_TOML_KIND): what the LSP and the CLI see. Homes are
 * built in temp folders from the corpus files read in place (securevault-support.ts).
 */

const settings: Settings = mergeSettings();
const text = (p: string) => fs.readFileSync(p, 'utf8');
const content = (p: string): FileContent => ({ kind: 'text', text: text(p), version: String(fs.statSync(p).mtimeMs) });
const reader: DirectoryReader = {
  async entries(dir) {
    try {
      return fs.readdirSync(dir, { withFileTypes: true }).map((e) => ({ name: e.name, kind: e.isDirectory() ? ('directory' as const) : e.isFile() ? ('file' as const) : ('other' as const) }));
    } catch {
      return undefined;
    }
  },
  async realPath(dir) {
    try {
      return fs.realpathSync(dir);
    } catch {
      return undefined;
    }
  },
};

function write(file: string, body: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, body);
}

/** Replaces the corpus's `[server]` table header line by one with an offset. */
function withOffset(corpus: string, offset: string): string {
  assert.match(corpus, /^\[server\]\r?\n/, 'the corpus files start with [server]');
  return corpus.replace(/^\[server\]\r?\n/, `[server]\noffset = ${offset}\n`);
}

test('registry: the toml rules are registered with their document kinds', () => {
  const byId = new Map(RULE_METADATA.map((r) => [r.id, r]));
  assert.deepEqual(byId.get('secrets-table')?.documentKinds, ['deployment-toml']);
  assert.deepEqual(byId.get('toml-syntax')?.documentKinds, ['deployment-toml']);
  assert.deepEqual(byId.get('plaintext-password')?.documentKinds, ['carbon-xml', 'deployment-toml', 'carbon-properties']);
  assert.deepEqual(byId.get('weak-tls-protocol')?.documentKinds, ['carbon-xml', 'deployment-toml']);
  assert.deepEqual(byId.get('generated-config')?.documentKinds, ['carbon-xml']);
  assert.ok(byId.get('secrets-table')?.tags.includes('security'));
});

test('recognition: repository/conf/deployment.toml and conf/deployment.toml are covered, their folder a product home', () => {
  assert.deepEqual(recogniseConfigFile('/w/wso2am-4.2.0/repository/conf/deployment.toml')?.home?.homeDir, '/w/wso2am-4.2.0');
  assert.equal(recogniseConfigFile('/w/wso2mi-4.4.0/conf/deployment.toml')?.kind, 'deployment-toml');
  assert.equal(recogniseConfigFile('/w/wso2mi-4.4.0/conf/deployment.toml')?.home?.layout, 'conf');
  assert.equal(recogniseConfigFile('/w/project/deployment.toml'), undefined, 'a deployment.toml outside a conf folder is not a product file');
  assert.equal(recogniseConfigFile('/w/x/conf/other.toml'), undefined);
});

// Effective ports, facts sheet §3 (kernel carbon.xml.j2 `{{server.offset | default('0')}}`, MI `default('10')`, a
// written MI offset replacing the 10: docs-mi changing-the-default-ports-with-offset.md).
const EXPECTED: Record<Product, { offset: string; portKeyLine: string; portKey: string; hover: RegExp[]; hint: string; defaults: RegExp[] }> = {
  apim: {
    offset: '2',
    portKeyLine: '[transport.https.properties]\nport = 9443\n',
    portKey: 'port = 9443',
    hover: [/\| servlet HTTPS \(Tomcat\) \| `transport.https.properties.port` \| 9443 \| 9445 \|/, /\| PassThrough HTTPS \(gateway\) \| `transport.passthru_https.listener.parameters.port` \| 8243 \| 8245 \|/, /\| WebSocket inbound endpoint \| `apim.ws.port` \| 9099 \| 9101 \|/],
    hint: '\u2192 9445',
    defaults: [/\| 9443 \| 9443 \|/, /\| 8280 \| 8280 \|/],
  },
  is: {
    offset: '"1"',
    portKeyLine: '[transport.http.properties]\nport = 9763\n',
    portKey: 'port = 9763',
    hover: [/\| servlet HTTPS \(Tomcat\) \| `transport.https.properties.port` \| 9443 \| 9444 \|/, /\| servlet HTTP \(Tomcat\) \| `transport.http.properties.port` \| 9763 \| 9764 \|/],
    hint: '\u2192 9764',
    defaults: [/\| 9443 \| 9443 \|/, /\| 9763 \| 9763 \|/],
  },
  mi: {
    offset: '3',
    portKeyLine: '[transport.http]\nlistener.port = 8280\n',
    portKey: 'listener.port = 8280',
    hover: [/\| PassThrough HTTP \| `transport.http.listener.parameter.port` \| 8280 \| 8283 \|/, /\| management API HTTPS \| `synapse_properties.'internal.https.api.port'` \| 9154 \| 9157 \|/],
    hint: '\u2192 8283',
    // MI's template default 10: 8290 / 8253 / 9201 / 9164.
    defaults: [/\| 8280 \| 8290 \|/, /\| 8243 \| 8253 \|/, /\| 9191 \| 9201 \|/, /\| 9154 \| 9164 \|/],
  },
};

for (const product of ['apim', 'is', 'mi'] as Product[]) {
  test(`${product}: hover on [server] offset and on a port key, and the inlay hint, give the effective ports`, { skip: SKIP }, async () => {
    const spec = EXPECTED[product];
    // As shipped (no offset written): hover on the [server] header shows the template default's ports.
    const shipped = buildHome(product);
    const service = createService({ files: disk });
    const shippedContent = content(shipped.tomlPath);
    const header = await service.hover({ path: shipped.tomlPath, content: shippedContent, settings, offset: 1 });
    assert.ok(header, 'hover on [server]');
    for (const re of spec.defaults) assert.match(header.markdown, re);
    if (product === 'mi') assert.match(header.markdown, /template default 10/);
    // No resources/conf/default.json in APIM/IS homes here: the hover says the defaults are bundled for that product.
    if (product !== 'mi') assert.match(header.markdown, new RegExp(`bundled default of WSO2 (API Manager 4\\.2\\.0|Identity Server 7\\.1\\.0)`));
    else assert.match(header.markdown, /repository\/resources\/conf\/default\.json of this home/);

    const home = buildHome(product, (corpus) => `${withOffset(corpus, spec.offset)}\n${spec.portKeyLine}`);
    const doc = content(home.tomlPath);
    const at = (needle: string) => text(home.tomlPath).indexOf(needle);
    const offsetHover = await service.hover({ path: home.tomlPath, content: doc, settings, offset: at('offset =') + 2 });
    assert.ok(offsetHover);
    for (const re of spec.hover) assert.match(offsetHover.markdown, re);
    const portHover = await service.hover({ path: home.tomlPath, content: doc, settings, offset: at(spec.portKey) + 1 });
    assert.ok(portHover);
    const sum = spec.hint.replace('\u2192 ', '');
    assert.match(portHover.markdown, new RegExp(`\\*\\*${sum}\\*\\* = `));
    assert.match(portHover.markdown, /Base from deployment\.toml key/);
    const hints = await service.inlayHints({ path: home.tomlPath, content: doc, settings, from: 0, to: doc.kind === 'text' ? doc.text.length : 0 });
    const portHint = hints.find((h) => h.offset === at(spec.portKey) + spec.portKey.length);
    assert.equal(portHint?.label, spec.hint);
    assert.ok(hints.some((h) => h.offset === at(`offset = ${spec.offset}`) + `offset = ${spec.offset}`.length), 'a hint after the offset');
    // Inlay hints off: none.
    assert.deepEqual(await service.inlayHints({ path: home.tomlPath, content: doc, settings: mergeSettings({ inlayHints: false }), from: 0, to: 1e9 }), []);
  });
}

test('hover on a secret key says whether it is protected and by what, never the value', { skip: SKIP }, async () => {
  const home = buildHome('is', (corpus) => corpus.replace(/(\[truststore\][^[]*?password\s*=\s*)"[^"]*"/, '$1"$env{TRUST_PW}"'));
  const service = createService({ files: disk });
  const doc = content(home.tomlPath);
  const body = text(home.tomlPath);
  const plain = await service.hover({ path: home.tomlPath, content: doc, settings, offset: body.indexOf('password', body.indexOf('[super_admin]')) });
  assert.match(plain!.markdown, /`super_admin.password` is \*\*not protected\*\*/);
  assert.doesNotMatch(plain!.markdown, /"admin"/);
  const env = await service.hover({ path: home.tomlPath, content: doc, settings, offset: body.indexOf('$env{TRUST_PW}') });
  assert.match(env!.markdown, /`truststore.password` is \*\*protected\*\* by an environment variable/);
});

test('port-conflict across toml homes (APIM and IS at offset 0) and between a toml and a Carbon 4.4 XML home', { skip: SKIP }, async () => {
  const apim = buildHome('apim');
  const is = buildHome('is');
  const ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'wso2-tomlwire-ws-')));
  try {
    for (const [absolute, body] of Object.entries(twoProductsAtZero())) write(path.join(ws, absolute.replace(/^\/ws\//, '')), body);
    const service = createService({ files: disk, directories: reader });
    const homes = await service.discoverHomes([path.dirname(apim.dir), path.dirname(is.dir), ws]);
    assert.ok(homes.some((h) => h.homeDir === apim.dir) && homes.some((h) => h.homeDir === is.dir), 'toml homes are discovered (no carbon.xml in them)');
    const xmlHomes = homes.filter((h) => h.homeDir.startsWith(ws));
    assert.equal(xmlHomes.length, 2);

    const withHomes = (known: ProductHome[]) => createService({ files: disk, knownHomes: () => known });
    const tomlOnly = withHomes(homes.filter((h) => !h.homeDir.startsWith(ws)));
    const apimResult = await tomlOnly.analyse({ path: apim.tomlPath, content: content(apim.tomlPath), settings });
    const conflicts = apimResult.findings.filter((f) => f.ruleId === 'port-conflict');
    assert.equal(conflicts.length, 1);
    assert.match(conflicts[0].message, /offset 0 from deployment\.toml/);
    assert.match(conflicts[0].message, new RegExp(`${is.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(conflicts[0].message, /9443/);
    // Reported on the [server] header (no offset written), the line to add it under.
    const apimLines = text(apim.tomlPath);
    assert.equal(conflicts[0].span.start, apimLines.indexOf('[server]'));
    // The port-conflict severity setting applies; off removes it.
    const off = await tomlOnly.analyse({ path: apim.tomlPath, content: content(apim.tomlPath), settings: mergeSettings({ rules: { 'port-conflict': 'off' } }) });
    assert.equal(off.findings.filter((f) => f.ruleId === 'port-conflict').length, 0);
    // Different offsets: no conflict.
    write(is.tomlPath, withOffset(text(is.tomlPath), '5'));
    const apart = await withHomes(homes.filter((h) => !h.homeDir.startsWith(ws))).analyse({ path: apim.tomlPath, content: content(apim.tomlPath), settings });
    assert.equal(apart.findings.filter((f) => f.ruleId === 'port-conflict').length, 0);

    // XML home (IS 5.6-style at offset 0, servlet 9443) against the toml APIM home: reported on both sides.
    const xmlIs = xmlHomes.find((h) => fs.existsSync(path.join(h.confDir, 'user-mgt.xml')))!;
    const apimHome = homes.find((h) => h.homeDir === apim.dir)!;
    const mixed = withHomes([apimHome, xmlIs]);
    const carbonPath = path.join(xmlIs.confDir, 'carbon.xml');
    const xmlResult = await mixed.analyse({ path: carbonPath, content: content(carbonPath), settings });
    const xmlConflict = xmlResult.findings.find((f) => f.ruleId === 'port-conflict');
    assert.ok(xmlConflict, 'the XML home sees the toml home');
    assert.match(xmlConflict.message, /offset 0 from deployment\.toml/);
    const tomlSide = await mixed.analyse({ path: apim.tomlPath, content: content(apim.tomlPath), settings });
    assert.ok(tomlSide.findings.some((f) => f.ruleId === 'port-conflict' && f.message.includes(xmlIs.homeDir)));

    // The workspace port table includes toml homes with their toml rows and the conflict.
    const report = await mixed.portReport(homes.filter((h) => h.homeDir === apim.dir || h.homeDir === xmlIs.homeDir), () => settings);
    const apimView = report.views.find((v) => v.home.homeDir === apim.dir)!;
    assert.match(apimView.name, /API Manager 4\.2\.0/);
    assert.ok(apimView.rows.some((r) => r.label.includes('transport.passthru_https.listener.parameters.port') && r.effective === 8243));
    assert.equal(report.conflicts.length, 1);
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
});

test('severity settings and suppression comments apply to toml findings', { skip: SKIP }, async () => {
  const home = buildHome('apim', (corpus) => corpus.replace(/(\[super_admin\][^[]*?\n)(password\s*=)/, '$1# wso2-config-disable-next-line plaintext-password\n$2'));
  const service = createService({ files: disk });
  const body = text(home.tomlPath);
  const result = await service.analyse({ path: home.tomlPath, content: content(home.tomlPath), settings });
  // 1-based line of the password under the comment.
  const suppressedLine = body.slice(0, body.indexOf('# wso2-config-disable-next-line')).split('\n').length + 1;
  assert.match(body.split('\n')[suppressedLine - 1], /^password\s*=/);
  const lines = result.lines!;
  const plaintext = result.findings.filter((f) => f.ruleId === 'plaintext-password').map((f) => lines.positionAt(f.span.start).line + 1);
  assert.ok(plaintext.length > 0);
  assert.ok(!plaintext.includes(suppressedLine), `line ${suppressedLine} suppressed, got ${plaintext}`);
  const unsuppressed = await service.analyse({ path: home.tomlPath, content: { kind: 'text', text: body.replace('# wso2-config-disable-next-line plaintext-password\n', ''), version: 'x' }, settings });
  assert.ok(unsuppressed.findings.some((f) => f.ruleId === 'plaintext-password' && unsuppressed.lines!.positionAt(f.span.start).line + 1 === suppressedLine - 1), 'reported without the comment');
  const downgraded = await service.analyse({ path: home.tomlPath, content: content(home.tomlPath), settings: mergeSettings({ rules: { 'h2-datasource': 'hint', 'weak-tls-protocol': 'off' } }) });
  assert.ok(downgraded.findings.filter((f) => f.ruleId === 'h2-datasource').every((f) => f.severity === 'hint'));
  assert.equal(downgraded.findings.filter((f) => f.ruleId === 'weak-tls-protocol').length, 0);
});

test('quick fixes: TLS (the toml planner) and the suppression comment, as FileChanges on deployment.toml', { skip: SKIP }, async () => {
  const home = buildHome('is');
  const service = createService({ files: disk });
  const doc = content(home.tomlPath);
  const { findings } = await service.analyse({ path: home.tomlPath, content: doc, settings });
  const tls = findings.find((f) => f.ruleId === 'weak-tls-protocol')!;
  const offers = await service.fixesFor({ path: home.tomlPath, content: doc, settings, finding: tls });
  const titles = offers.map((o) => o.title);
  assert.ok(titles.some((t) => /TLS protocols .* "intermediate" profile/.test(t)), titles.join(' | '));
  assert.ok(titles.includes('Disable weak-tls-protocol for this line'));
  const fix = offers.find((o) => /TLS protocols/.test(o.title))!;
  assert.ok('fix' in fix);
  applyToDisk(fix.fix as unknown as TomlVaultFix);
  const after = await service.analyse({ path: home.tomlPath, content: content(home.tomlPath), settings });
  assert.equal(after.findings.filter((f) => f.ruleId === 'weak-tls-protocol' && f.data?.endpoint === tls.data?.endpoint).length, 0);
  assert.equal(after.findings.filter((f) => f.ruleId === 'toml-syntax').length, 0);
});

test('"Encrypt with Secure Vault" quick fix and $env{} fix on a toml password; the JDK decrypts the result', { skip: SKIP }, async () => {
  const home = buildHome('is');
  const service = createService({ files: disk });
  const doc = content(home.tomlPath);
  const { findings } = await service.analyse({ path: home.tomlPath, content: doc, settings });
  const admin = findings.find((f) => f.ruleId === 'plaintext-password' && f.data?.key === 'super_admin.password')!;
  assert.ok(admin, 'super_admin.password is reported');
  const offers = await service.fixesFor({ path: home.tomlPath, content: doc, settings, finding: admin });
  assert.deepEqual(offers.map((o) => o.title).slice(0, 2), ['Encrypt with Secure Vault', 'Read it from the environment variable WSO2_SUPER_ADMIN_PASSWORD ("$env{WSO2_SUPER_ADMIN_PASSWORD}"; set it before the server starts)']);
  const encrypt = offers[0];
  assert.ok('fix' in encrypt, JSON.stringify(encrypt));
  assert.equal(encrypt.isPreferred, true);
  // No secret in what the fronts get besides the edit (titles, data).
  assert.doesNotMatch(JSON.stringify(offers.map((o) => o.title)), /"admin"/);
  applyToDisk(encrypt.fix as unknown as TomlVaultFix);
  const model = modelOf(home);
  const secrets = secretsOf(model);
  assert.deepEqual([...secrets.keys()], ['super_admin_password']);
  const java = javaVault(home, secrets, [HOMES.is.transformation]);
  assert.equal(java.decrypted.get(HOMES.is.transformation)!.get('super_admin_password'), 'admin');
  const again = await service.analyse({ path: home.tomlPath, content: content(home.tomlPath), settings });
  assert.equal(again.findings.filter((f) => f.ruleId === 'plaintext-password' && f.data?.key === 'super_admin.password').length, 0);

  // The $env fix: the value becomes a reference, nothing else is written.
  const doc2 = content(home.tomlPath);
  const db = again.findings.find((f) => f.ruleId === 'plaintext-password' && f.data?.key === 'database.identity_db.password')!;
  const env = (await service.fixesFor({ path: home.tomlPath, content: doc2, settings, finding: db })).find((o) => o.title.startsWith('Read it from'))!;
  assert.ok('fix' in env);
  assert.equal(env.fix.changes.length, 1);
  const change = env.fix.changes[0];
  assert.ok(change.kind === 'edit');
  assert.deepEqual(change.replacements.map((r) => r.newText), ['"$env{WSO2_DATABASE_IDENTITY_DB_PASSWORD}"']);
});

test('planEncryption (file scope, the source action) and planHomeEncryption (the home command / CLI) on a toml home', { skip: SKIP }, async () => {
  const home = buildHome('mi');
  const service = createService({ files: disk });
  const file = await service.planEncryption({ scope: { kind: 'file', path: home.tomlPath, content: content(home.tomlPath), settings } });
  assert.ok('fix' in file, JSON.stringify(file));
  assert.match(file.fix.title, /Encrypt all plaintext passwords of deployment\.toml/);
  const productHome = service.homeOf(home.tomlPath)!;
  assert.equal(productHome.homeDir, home.dir);
  assert.equal((await service.homeAt(home.dir))?.homeDir, home.dir);
  const outcome = await service.planHomeEncryption({ home: productHome, settingsFor: () => settings });
  assert.ok('plan' in outcome, JSON.stringify(outcome));
  assert.ok(outcome.fix);
  assert.equal(outcome.files, 1);
  assert.ok(outcome.plan.encrypted.length >= 3);
  assert.ok(outcome.plan.encrypted.every((e) => e.path === home.tomlPath && e.target === 'toml-value'));
  assert.ok((outcome.secretSpans.get(home.tomlPath) ?? []).length >= outcome.plan.encrypted.length);
  // The report names lines and aliases, never a value.
  assert.doesNotMatch(outcome.report, /wso2carbon"|"admin"/);
  applyToDisk(outcome.fix as unknown as TomlVaultFix);
  const secrets = secretsOf(modelOf(home));
  const java = javaVault(home, secrets, [HOMES.mi.transformation]);
  for (const e of outcome.plan.encrypted) assert.ok(java.decrypted.get(HOMES.mi.transformation)!.get(e.alias)!.length > 0 && !java.decrypted.get(HOMES.mi.transformation)!.get(e.alias)!.startsWith('!'), e.alias);
  // Twice: nothing left.
  const second = await service.planHomeEncryption({ home: productHome, settingsFor: () => settings });
  assert.ok('plan' in second && !second.fix && second.files === 0);
});

test('generated XML of a toml home: only generated-config, and go to definition lands on the toml key (or the file top)', { skip: SKIP }, async () => {
  // IS 7.1.0 writes [keystore.primary] (APIM 4.2.0 ships it commented out).
  const home = buildHome('is');
  const carbonPath = `${home.dir}/repository/conf/carbon.xml`;
  // A carbon.xml as the config mapper leaves it (kernel template): plaintext keystore password, offset.
  const xml = carbonXml().replace('</Server>', '    <Security>\n        <KeyStore>\n            <Password>wso2carbon</Password>\n        </KeyStore>\n    </Security>\n</Server>');
  write(carbonPath, xml);
  const service = createService({ files: disk });
  const result = await service.analyse({ path: carbonPath, content: content(carbonPath), settings });
  assert.deepEqual([...new Set(result.findings.map((f) => f.ruleId))], ['generated-config']);
  const body = text(home.tomlPath);
  const toKey = await service.definition({ path: carbonPath, content: content(carbonPath), settings, offset: xml.indexOf('wso2carbon</Password>') + 2 });
  assert.equal(toKey?.path, home.tomlPath);
  const keystoreLine = body.slice(0, body.indexOf('[keystore.primary]')).split('\n').length - 1;
  assert.ok(toKey!.line > keystoreLine, `the password key under [keystore.primary] (line ${toKey!.line})`);
  assert.match(body.split('\n')[toKey!.line], /^password\s*=/);
  const toOffset = await service.definition({ path: carbonPath, content: content(carbonPath), settings, offset: xml.indexOf('<Offset>') + 3 });
  // IS ships no offset: no key, so the [server] header.
  assert.equal(body.split('\n')[toOffset!.line], '[server]');
  const toTop = await service.definition({ path: carbonPath, content: content(carbonPath), settings, offset: xml.indexOf('<JMX>') + 2 });
  assert.deepEqual(toTop, { path: home.tomlPath, line: 0, startCharacter: 0, endCharacter: 0 });
});

test('--fix (fixUnattended): the toml TLS fixes, applied one after the other; nothing else changes', { skip: SKIP }, async () => {
  const home = buildHome('is');
  const service = createService({ files: disk });
  const before = text(home.tomlPath);
  const fixed = await service.fixUnattended(home.tomlPath, before, settings);
  assert.ok(fixed.text, 'something was fixed');
  assert.ok(fixed.applied.some((t) => /TLS protocols/.test(t)) && fixed.applied.some((t) => /cipher suites/.test(t)), fixed.applied.join(' | '));
  assert.ok(fixed.text.startsWith(before), 'only appended: every byte of the file is kept');
  const after = await service.analyse({ path: home.tomlPath, content: { kind: 'text', text: fixed.text, version: 'fixed' }, settings });
  assert.deepEqual(after.findings.filter((f) => f.ruleId === 'weak-tls-protocol' || f.ruleId === 'weak-tls-ciphers' || f.ruleId === 'toml-syntax'), []);
  // Plaintext passwords are never fixed unattended.
  assert.equal(after.findings.filter((f) => f.ruleId === 'plaintext-password').length, (await service.analyse({ path: home.tomlPath, content: content(home.tomlPath), settings })).findings.filter((f) => f.ruleId === 'plaintext-password').length);
  // A file with a TOML error is left alone, with the reason.
  const broken = await service.fixUnattended(home.tomlPath, `${before}\n[server]\n`, settings);
  assert.equal(broken.text, undefined);
  assert.match(broken.skippedBecause ?? '', /TOML syntax error/);
});

test('a [secrets] value still [plaintext] gets an in-place "Encrypt with Secure Vault" fix (the JDK decrypts it)', { skip: SKIP }, async () => {
  const home = buildHome('is', (corpus) => `${corpus.replace(/(\[super_admin\][^[]*?password\s*=\s*)"admin"/, '$1"$secret{admin_pw}"')}\n[secrets]\nadmin_pw = "[Zq9-new-admin]"\n`);
  const service = createService({ files: disk });
  const doc = content(home.tomlPath);
  const { findings } = await service.analyse({ path: home.tomlPath, content: doc, settings });
  const pending = findings.find((f) => f.ruleId === 'secrets-table' && f.data?.problem === 'plaintext');
  assert.ok(pending, findings.map((f) => f.ruleId).join(','));
  assert.doesNotMatch(pending.message, /Zq9-new-admin/);
  const offers = await service.fixesFor({ path: home.tomlPath, content: doc, settings, finding: pending });
  const encrypt = offers.find((o) => o.title === 'Encrypt with Secure Vault');
  assert.ok(encrypt && 'fix' in encrypt, JSON.stringify(offers.map((o) => o.title)));
  applyToDisk(encrypt.fix as unknown as TomlVaultFix);
  const secrets = secretsOf(modelOf(home));
  assert.equal(javaVault(home, secrets, [HOMES.is.transformation]).decrypted.get(HOMES.is.transformation)!.get('admin_pw'), 'Zq9-new-admin');
});
