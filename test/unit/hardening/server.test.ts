import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TempWorkspace, TestServer } from '../../lsp/client';
import { projectRoot } from '../../helpers';

/**
 * The language server keeps going through hostile documents: each gets its diagnostics in bounded time (entity
 * bombs, external entities, 100 000 levels of nesting, NUL bytes, a 50 MB text), and a normal document opened after
 * them still gets its own. Uses the bundled server (dist/server.js, built by `npm run build`), like test/lsp.
 */

const CARBON_NS = 'http://wso2.org/projects/carbon/carbon.xml';
const CONF = 'product/repository/conf';

const DOCS: [string, string, (codes: string[]) => boolean][] = [
  [
    'laughs',
    `<?xml version="1.0"?>\n<!DOCTYPE Server [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]>\n<Server xmlns="${CARBON_NS}"><Name>&e;&e;&e;&e;&e;&e;&e;&e;</Name></Server>\n`,
    (codes) => codes.includes('xml-syntax'),
  ],
  ['xxe', `<?xml version="1.0"?>\n<!DOCTYPE Server [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<Server xmlns="${CARBON_NS}"><Name>&x;</Name></Server>\n`, (codes) => codes.includes('xml-syntax')],
  // The server publishes nothing for a document without findings: this one has a password after the deep part.
  ['deep', `<Server xmlns="${CARBON_NS}">${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}<Security><KeyStore><Password>wso2carbon</Password></KeyStore></Security></Server>`, (codes) => codes.join() === 'plaintext-password'],
  ['nul', `<Server xmlns="${CARBON_NS}">\u0000</Server>`, (codes) => codes.join() === 'file-not-analysed'],
  ['huge', `<Server xmlns="${CARBON_NS}"><!--${'x'.repeat(50 * 1024 * 1024)}--></Server>`, (codes) => codes.join() === 'file-not-analysed'],
];

test('the server answers every hostile document and keeps serving the next one', { timeout: 120_000 }, async (t) => {
  if (!fs.existsSync(path.join(projectRoot(), 'dist', 'server.js'))) return t.skip('dist/server.js is missing: run npm run build');
  const files: Record<string, string> = {};
  for (const [name] of DOCS) files[`${name}/${CONF}/carbon.xml`] = `<Server xmlns="${CARBON_NS}"/>\n`;
  files[`normal/${CONF}/carbon.xml`] = `<Server xmlns="${CARBON_NS}"><Security><KeyStore><Password>wso2carbon</Password></KeyStore></Security></Server>\n`;
  const workspace = new TempWorkspace(files);
  const server = TestServer.start();
  try {
    await server.initialize({ rootPath: workspace.root });
    for (const [name, text, accept] of DOCS) {
      const uri = workspace.uri(`${name}/${CONF}/carbon.xml`);
      const started = Date.now();
      const published = server.waitForDiagnostics(uri, undefined, { timeoutMs: 60_000, what: name });
      await server.open(uri, text, 1);
      const publish = await published;
      const codes = publish.diagnostics.map((d) => String(d.code));
      assert.ok(accept(codes), `${name}: ${codes.join(', ')}`);
      assert.ok(Date.now() - started < 30_000, `${name}: ${Date.now() - started} ms`);
      await server.close(uri);
    }
    const normal = workspace.uri(`normal/${CONF}/carbon.xml`);
    const published = server.waitForDiagnostics(normal);
    await server.open(normal, fs.readFileSync(workspace.path(`normal/${CONF}/carbon.xml`), 'utf8'), 1);
    assert.deepEqual((await published).diagnostics.map((d) => d.code), ['plaintext-password']);
    assert.equal(server.exitCode, undefined, 'the server is still running');
    assert.ok(!server.output().includes('root:x:'), 'nothing of /etc/passwd in anything the server wrote');
    assert.equal(await server.shutdown(30_000), 0);
  } finally {
    await server.dispose();
    workspace.remove();
  }
});
