import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Hover, InlayHint, MarkupContent, TextDocumentEdit } from 'vscode-languageserver-protocol';
import { EDITING_CLIENT_CAPABILITIES, TestServer, applyWorkspaceEditToDisk, fileUri, positionAt, rangeOf, withCode } from './client';
import { HOMES, Home, SKIP, buildHome, javaVault, modelOf, secretsOf } from '../unit/toml/securevault-support';

/**
 * deployment.toml over real JSON-RPC: diagnostics, hover and inlay hints on ports and the offset, the TLS quick fix,
 * and "Encrypt with Secure Vault" whose [secrets] value the JDK decrypts. The home is Identity Server 7.1.0 (PKCS#12
 * keystore whose password deployment.toml holds), built in a temp folder from the corpus read in place.
 */

const TIMEOUT = { timeout: 60_000 };

function markdownOf(hover: Hover | null): string {
  assert.ok(hover, 'a hover');
  return (hover.contents as MarkupContent).value;
}

describe('deployment.toml over JSON-RPC', { skip: SKIP }, () => {
  let home: Home;
  let server: TestServer;
  let uri: string;
  let text: string;

  before(async () => {
    home = buildHome('is', (corpus) => corpus.replace(/^\[server\]\r?\n/, '[server]\noffset = 2\n'));
    text = fs.readFileSync(home.tomlPath, 'utf8');
    uri = fileUri(home.tomlPath);
    server = TestServer.start();
    await server.initialize({ rootPath: path.dirname(home.dir), capabilities: EDITING_CLIENT_CAPABILITIES });
  });

  after(async () => {
    await server?.dispose();
  });

  test('diagnostics: plaintext passwords, H2, TLS defaults, with exact ranges and rule codes', TIMEOUT, async () => {
    const published = server.waitForDiagnostics(uri, (p) => withCode(p.diagnostics, 'plaintext-password').length > 0);
    await server.open(uri, text, 1, 'toml');
    const { diagnostics } = await published;
    const admin = withCode(diagnostics, 'plaintext-password').find((d) => d.range.start.line === rangeOf(text, 'password = "admin"', '"admin"').start.line);
    assert.ok(admin, 'super_admin.password');
    assert.deepEqual(admin.range, rangeOf(text, 'password = "admin"', '"admin"'));
    assert.equal(admin.source, 'wso2-config');
    assert.ok(withCode(diagnostics, 'h2-datasource').length >= 2);
    assert.ok(withCode(diagnostics, 'weak-tls-protocol').length >= 1);
    assert.ok(!JSON.stringify(diagnostics).includes('"admin"'), 'no secret value in any diagnostic');
  });

  test('hover on [server] offset and on a port, and inlay hints: base + offset = effective', TIMEOUT, async () => {
    const offsetHover = markdownOf(await server.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: rangeOf(text, 'offset = 2', 'offset').start }));
    assert.match(offsetHover, /\*\*Port offset 2\*\*/);
    assert.match(offsetHover, /\| servlet HTTPS \(Tomcat\) \| `transport.https.properties.port` \| 9443 \| 9445 \|/);
    const hints = await server.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: positionAt(text, text.length) } });
    const offsetHint = hints.find((h) => h.position.line === rangeOf(text, 'offset = 2').end.line);
    assert.ok(offsetHint, `a hint on the offset line among ${JSON.stringify(hints)}`);
    const label = typeof offsetHint.label === 'string' ? offsetHint.label : offsetHint.label.map((p) => p.value).join('');
    assert.match(label, /\u2192 9445$/);
  });

  test('wso2Config/effectivePorts (Show Effective Ports) includes the toml home with its toml ports', TIMEOUT, async () => {
    const result = await server.request<{ markdown: string; report: { homes: { home: string; name: string; offset: { value: number } }[] } }>('wso2Config/effectivePorts', null);
    const own = result.report.homes.find((h) => h.home.endsWith('wso2is-7.1.0'));
    assert.ok(own, JSON.stringify(result.report.homes.map((h) => h.home)));
    assert.match(own.name, /Identity Server 7\.1\.0/);
    assert.equal(own.offset.value, 2);
    assert.match(result.markdown, /transport\.https\.properties\.port/);
  });

  test('the TLS quick fix writes the profile into deployment.toml', TIMEOUT, async () => {
    const diagnostics = server.publishesFor(uri).at(-1)!.diagnostics;
    const tls = withCode(diagnostics, 'weak-tls-protocol')[0];
    const actions = await server.quickFixes(uri, tls);
    const fix = actions.find((a) => /TLS protocols/.test(a.title));
    assert.ok(fix?.edit, actions.map((a) => a.title).join(' | '));
    assert.ok(actions.some((a) => a.title === 'Disable weak-tls-protocol for this line'));
    const change = fix.edit.documentChanges![0] as TextDocumentEdit;
    assert.equal(change.textDocument.uri, uri);
    assert.match(change.edits.map((e) => ('newText' in e ? e.newText : '')).join(''), /TLSv1\.2/);
  });

  test('"Encrypt with Secure Vault" on super_admin.password: the JDK decrypts the [secrets] value', TIMEOUT, async () => {
    const diagnostics = server.publishesFor(uri).at(-1)!.diagnostics;
    const admin = withCode(diagnostics, 'plaintext-password').find((d) => d.range.start.line === rangeOf(text, 'password = "admin"', '"admin"').start.line)!;
    const actions = await server.quickFixes(uri, admin);
    const encrypt = actions.find((a) => a.title === 'Encrypt with Secure Vault');
    // secret-conf.properties is not open (no document version): the action carries the encrypt command, which checks
    // that every file is as planned and applies the edit through workspace/applyEdit.
    assert.ok(encrypt?.command, actions.map((a) => a.title).join(' | '));
    assert.equal(encrypt.edit, undefined, 'no unversioned edit in the action');
    assert.equal(encrypt.isPreferred, true);
    assert.ok(actions.some((a) => a.title.startsWith('Read it from the environment variable WSO2_SUPER_ADMIN_PASSWORD')));
    applyWorkspaceEditToDisk(await server.executeCommandAndAcceptEdit(encrypt.command), 'utf8');
    const model = modelOf(home);
    assert.deepEqual(model.doc.errors, []);
    assert.equal(model.doc.tables[model.doc.tables.length - 1].name, 'secrets');
    const secrets = secretsOf(model);
    const java = javaVault(home, secrets, [HOMES.is.transformation]);
    assert.equal(java.decrypted.get(HOMES.is.transformation)!.get('super_admin_password'), 'admin');
    const everything = server.output() + server.stderrText();
    assert.ok(!everything.includes('"admin"') && !everything.includes('wso2carbon"'), 'no secret in the server output');
  });
});
