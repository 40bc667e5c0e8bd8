import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyReplacements } from '../../../server/src/service/fixes/types';
import { buildTomlModel } from '../../../server/src/service/toml/effective';
import { TomlProduct } from '../../../server/src/service/toml/knowledge';
import { explainTomlPort, tomlPorts } from '../../../server/src/service/toml/ports';
import { planTomlSuppression, planTomlTlsFix } from '../../../server/src/service/toml/fixes';
import { parseDeploymentToml } from '../../../server/src/service/toml/parse';
import { check, of } from './helpers';

function model(text: string, product: TomlProduct, version?: string) {
  return buildTomlModel({ path: '/h/repository/conf/deployment.toml', text, product, version });
}

function port(text: string, product: TomlProduct, key: string, override?: number) {
  const { ports, offset } = tomlPorts(model(text, product), override);
  return { port: ports.find((p) => p.key === key)!, offset };
}

// Ports ---------------------------------------------------------------------------------------------------------------

test('ports: APIM and IS defaults at offset 0 (template default)', () => {
  const https = port(`[server]\nhostname = "x"\n`, 'apim', 'transport.https.properties.port');
  assert.deepEqual([https.port.base, https.port.offset, https.port.effective], [9443, 0, 9443]);
  assert.equal(https.offset.origin, 'template');
  assert.match(https.offset.explanation, /default\('0'\)/);
  const passthru = port(`[server]\nhostname = "x"\n`, 'apim', 'transport.passthru_https.listener.parameters.port');
  assert.equal(passthru.port.effective, 8243);
  const ws = port(`[server]\nhostname = "x"\n`, 'apim', 'apim.ws.port');
  assert.equal(ws.port.effective, 9099);
  const isHttp = port(`[server]\nhostname = "x"\n`, 'is', 'transport.http.properties.port');
  assert.equal(isHttp.port.effective, 9763);
});

test('ports: MI defaults at offset 10, and a written offset replaces it', () => {
  const plain = tomlPorts(model(`[server]\nhostname = "x"\n`, 'mi'));
  const effective = (key: string) => plain.ports.find((p) => p.key === key)!.effective;
  assert.equal(effective('transport.http.listener.parameter.port'), 8290);
  assert.equal(effective('transport.https.listener.parameter.port'), 8253);
  assert.equal(effective("synapse_properties.'internal.https.api.port'"), 9164);
  assert.equal(effective("synapse_properties.'internal.http.api.port'"), 9201);
  assert.match(plain.offset.explanation, /default\('10'\)/);
  const three = port(`[server]\noffset = 3\n`, 'mi', 'transport.http.listener.parameter.port');
  assert.equal(three.port.effective, 8283);
  assert.match(three.offset.explanation, /replaces Micro Integrator's default 10/);
});

test('ports: offset as a numeric string, user port keys through key-mappings, -DportOffset override', () => {
  const string = port(`[server]\noffset = "410"\n`, 'is', 'transport.https.properties.port');
  assert.equal(string.port.effective, 9853);
  const moved = port(`[transport.http]\nlistener.secured_port = 8244\n`, 'apim', 'transport.passthru_https.listener.parameters.port');
  assert.equal(moved.port.base, 8244);
  assert.ok(moved.port.entry, 'the user key is where the hover goes');
  assert.match(moved.port.baseSource, /transport\.http\.listener\.secured_port/);
  const overridden = port(`[server]\noffset = 1\n`, 'apim', 'transport.https.properties.port', 5);
  assert.equal(overridden.port.effective, 9448);
  assert.match(overridden.offset.explanation, /-DportOffset=5/);
  // One explanation for every port (ports/explanations.ts): base and offset, each with where it comes from.
  const explained = explainTomlPort(overridden.port, overridden.offset, '/h/repository/conf/deployment.toml');
  assert.equal(explained.effective, 9448);
  assert.match(explained.markdown, /^\*\*9448\*\* = 9443 \+ offset 5 from -DportOffset=5 \(setting\), which overrides \[server\] offset in deployment\.toml\. Base from bundled default of WSO2 API Manager 4\.2\.0/);
  const bad = port(`[server]\noffset = "x"\n`, 'apim', 'transport.https.properties.port');
  assert.equal(bad.port.effective, undefined);
  assert.match(explainTomlPort(bad.port, bad.offset, '/h/repository/conf/deployment.toml').markdown, /^9443 \+ the port offset, which is unknown: \[server\] offset in deployment\.toml is not a number .*\. Base from /);
});

// TLS fix -------------------------------------------------------------------------------------------------------------

function fixAndRecheck(text: string, product: TomlProduct, version: string, endpoint: string, which: 'protocols' | 'ciphers') {
  const m = model(text, product, version);
  const fix = planTomlTlsFix(m, endpoint, which, 'intermediate');
  assert.ok(fix, 'a fix is planned');
  const after = applyReplacements(text, fix.replacements);
  assert.deepEqual(parseDeploymentToml(after).errors, [], 'the fixed file parses');
  const rule = which === 'protocols' ? 'weak-tls-protocol' : 'weak-tls-ciphers';
  const remaining = of(check(after, { product, version }), rule).filter((s) => s.finding.data?.endpoint === endpoint);
  assert.deepEqual(remaining.map((s) => s.message), [], 'the finding is gone');
  // Idempotent: planning again replaces the value with the same text.
  const again = planTomlTlsFix(model(after, product, version), endpoint, which, 'intermediate')!;
  assert.equal(applyReplacements(after, again.replacements), after);
  return after;
}

test('TLS fix: creates the table at the end when absent, leaving the rest untouched', () => {
  const text = `[server]\nhostname = "x"\n# keep me\n`;
  const after = fixAndRecheck(text, 'is', '7.1.0', 'tomcat-https', 'protocols');
  assert.ok(after.startsWith(text));
  assert.match(after, /\[transport\.https\.sslHostConfig\.properties\]\nprotocols = "TLSv1\.2,TLSv1\.3"\n$/);
});

test('TLS fix: creates the table before [secrets], which stays last', () => {
  const text = `[server]\nhostname = "x"\n\n[secrets]\na = "b64"\n`;
  const after = fixAndRecheck(text, 'apim', '4.2.0', 'passthru-listener', 'protocols');
  const tables = parseDeploymentToml(after).tables.map((t) => t.name);
  assert.equal(tables[tables.length - 1], 'secrets');
  assert.ok(tables.includes('transport.passthru_https.listener.parameters'));
});

test('TLS fix: replaces a written value (either spelling) and adds lines to an existing table', () => {
  const written = `[transport.https.properties]\nprotocols = "TLSv1,TLSv1.1,TLSv1.2" # old\nport = 9443\n`;
  const after = fixAndRecheck(written, 'is', '7.1.0', 'tomcat-https', 'protocols');
  assert.equal(after, `[transport.https.properties]\nprotocols = "TLSv1.2,TLSv1.3" # old\nport = 9443\n`);
  const mi = `[transport.http]\nsocket_timeout = 180000\n\n[other]\nx = 1\n`;
  const miAfter = fixAndRecheck(mi, 'mi', '4.4.0', 'mi-passthru-listener', 'protocols');
  assert.equal(miAfter, `[transport.http]\nsocket_timeout = 180000\nlistener.secured_protocols = "TLSv1.2,TLSv1.3"\n\n[other]\nx = 1\n`);
  const list = `[transport.receiver]\ntype = "binary"\n`;
  const listAfter = fixAndRecheck(list, 'apim', '4.2.0', 'binary-receiver', 'ciphers');
  assert.match(listAfter, /ciphers = \["TLS_AES_128_GCM_SHA256", /);
});

test('TLS fix: dotted keys under a parent table get the same prefix; CRLF files keep CRLF', () => {
  const dotted = `[transport]\nhttps.sslHostConfig.properties.ciphers = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"\n`;
  const after = fixAndRecheck(dotted, 'is', '7.1.0', 'tomcat-https', 'protocols');
  assert.match(after, /\nhttps\.sslHostConfig\.properties\.protocols = "TLSv1\.2,TLSv1\.3"\n$/);
  const crlf = `[server]\r\nhostname = "x"\r\n`;
  const crlfAfter = fixAndRecheck(crlf, 'is', '7.1.0', 'tomcat-https', 'protocols');
  assert.ok(!/[^\r]\n/.test(crlfAfter), 'only CRLF line breaks');
});

test('TLS fix: not offered when it would break the file', () => {
  // An inline table cannot be extended by a later dotted key (TOML 1.0): the only place to add protocols would
  // make the file invalid, so no fix is offered rather than a corrupting one.
  const text = `[transport.https]\nsslHostConfig.properties = { ciphers = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" }\n`;
  const m = model(text, 'is', '7.1.0');
  assert.deepEqual(m.doc.errors, []);
  assert.equal(planTomlTlsFix(m, 'tomcat-https', 'protocols', 'intermediate'), undefined);
  assert.equal(planTomlTlsFix(m, 'no-such-endpoint', 'protocols', 'intermediate'), undefined);
});

test('suppression fix: inserts the comment above the finding with its indentation, and the finding goes', () => {
  const text = `[super_admin]\n  password = "admin"\n`;
  const finding = of(check(text), 'plaintext-password').find((s) => s.line === 2)!;
  const fix = planTomlSuppression(model(text, 'apim', '4.2.0'), finding.finding);
  const after = applyReplacements(text, fix.replacements);
  assert.equal(after, `[super_admin]\n  # wso2-config-disable-next-line plaintext-password\n  password = "admin"\n`);
  assert.ok(!of(check(after), 'plaintext-password').some((s) => s.line === 3));
});

test('planTomlFixes: the TLS fix a finding points at (sslProtocol included), then the suppression', async () => {
  const { planTomlFixes } = await import('../../../server/src/service/toml/fixes');
  const { analyseDeploymentToml } = await import('../../../server/src/service/toml/analyse');
  const text = `[server]\nhostname = "x"\n[internal_api_ssl_config.parameter]\nhttpsProtocols = "TLSv1.2"\n`;
  const { model, findings } = analyseDeploymentToml({ path: '/h/conf/deployment.toml', text, product: 'mi', version: '4.4.0' });
  const sslv3 = findings.find((f) => f.ruleId === 'weak-tls-protocol' && f.data?.sslProtocol === true)!;
  const fixes = planTomlFixes(model!, sslv3, 'intermediate');
  assert.deepEqual(fixes.map((f) => f.ruleId), ['weak-tls-protocol', 'weak-tls-protocol']);
  const after = applyReplacements(text, fixes[0].replacements);
  assert.equal(after, `[server]\nhostname = "x"\n[internal_api_ssl_config.parameter]\nhttpsProtocols = "TLSv1.2"\nsslProtocol = "TLS"\n`);
  const rechecked = analyseDeploymentToml({ path: '/h/conf/deployment.toml', text: after, product: 'mi', version: '4.4.0' });
  assert.ok(!rechecked.findings.some((f) => f.data?.endpoint === 'mi-management-api'));
  const syntax = analyseDeploymentToml({ path: 'x', text: 'a = \n', product: 'mi' });
  assert.deepEqual(planTomlFixes(syntax.model!, syntax.findings.find((f) => f.ruleId === 'toml-syntax')!, undefined), []);
});
