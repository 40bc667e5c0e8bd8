import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeIn, analyzeText, only } from '../../helpers';

const CARBON_NS = 'http://wso2.org/projects/carbon/carbon.xml';
const keystore = (password: string) =>
  `<Server xmlns="${CARBON_NS}">\n  <Security>\n    <KeyStore>\n      <Password>${password}</Password>\n    </KeyStore>\n  </Security>\n</Server>\n`;

test('a disable-next-line comment suppresses the named rule on the next line only', async () => {
  const text = `<Server xmlns="${CARBON_NS}">\n  <Security>\n    <KeyStore>\n      <!-- wso2-config-disable-next-line plaintext-password -->\n      <Password>s3cret-one</Password>\n      <KeyPassword>s3cret-two</KeyPassword>\n    </KeyStore>\n  </Security>\n</Server>\n`;
  const { findings } = await analyzeText('carbon.xml', text);
  assert.deepEqual(only(findings, 'plaintext-password').map((f) => f.line), [6]);
});

test('a disable comment for another rule does not suppress this one; without ids it suppresses all', async () => {
  const other = `<Server xmlns="${CARBON_NS}">\n  <Security><KeyStore>\n  <!-- wso2-config-disable-next-line h2-datasource -->\n  <Password>s3cret</Password>\n  </KeyStore></Security>\n</Server>`;
  assert.equal(only((await analyzeText('carbon.xml', other)).findings, 'plaintext-password').length, 1);
  const all = other.replace('wso2-config-disable-next-line h2-datasource', 'wso2-config-disable-next-line');
  assert.equal(only((await analyzeText('carbon.xml', all)).findings, 'plaintext-password').length, 0);
});

test('a file-wide disable comment suppresses the rule everywhere in the file', async () => {
  const text = `<!-- passwords come from the vault image -->\n<!-- wso2-config-disable plaintext-password, h2-datasource -->\n${keystore('s3cret')}`;
  const { findings } = await analyzeText('carbon.xml', text);
  assert.deepEqual(findings, []);
});

test('severity settings: off removes a rule, a level replaces the default', async () => {
  assert.equal((await analyzeText('carbon.xml', keystore('s3cret'), { rules: { 'plaintext-password': 'off' } })).findings.length, 0);
  const hinted = await analyzeText('carbon.xml', keystore('s3cret'), { rules: { 'plaintext-password': 'hint' } });
  assert.deepEqual(hinted.findings.map((f) => f.severity), ['hint']);
});

test('a file with a foreign root element is not analysed', async () => {
  const { findings, result } = await analyzeText('carbon.xml', '<Server xmlns="urn:identity"><Password>s3cret</Password></Server>');
  assert.deepEqual(findings, []);
  assert.equal(result.location, undefined);
});

test('a broken file still gets its syntax error, and the rules run on what parsed', async () => {
  const text = keystore('s3cret').replace('</KeyStore>', '</KeyStor>');
  const { findings } = await analyzeText('carbon.xml', text);
  assert.ok(findings.some((f) => f.ruleId === 'xml-syntax'));
  assert.equal(only(findings, 'xml-syntax').length, 1, 'one syntax error, at the first fault');
  assert.ok(findings.some((f) => f.ruleId === 'plaintext-password'));
});

test('a document with no root at all reports the syntax error only', async () => {
  const { findings } = await analyzeText('carbon.xml', 'this is not xml');
  assert.deepEqual(findings.map((f) => f.ruleId), ['xml-syntax']);
});

test('file-not-analysed can be turned off like any rule', async () => {
  const binary = { '/p/repository/conf/carbon.xml': new Uint8Array([0x3c, 0x00, 0x01]) };
  assert.deepEqual((await analyzeIn(binary, '/p/repository/conf/carbon.xml', { rules: { 'file-not-analysed': 'off' } })).findings, []);
});

test('binary and oversized files get one file-not-analysed finding', async () => {
  const binary = await analyzeIn({ '/p/repository/conf/carbon.xml': new Uint8Array([0x3c, 0x00, 0x01, 0x02]) }, '/p/repository/conf/carbon.xml');
  assert.deepEqual(binary.findings.map((f) => [f.ruleId, f.severity]), [['file-not-analysed', 'error']]);
});

test('generated-config: a Carbon 4.5+ home (deployment.toml in conf) is told its XML is regenerated', async () => {
  const files = { '/p/repository/conf/deployment.toml': '[server]\noffset = 0\n', '/p/repository/conf/registry.xml': '<wso2registry>\n</wso2registry>\n' };
  const { findings } = await analyzeIn(files, '/p/repository/conf/registry.xml');
  assert.deepEqual(findings.map((f) => [f.ruleId, f.line, f.severity, f.covered]), [['generated-config', 1, 'information', 'wso2registry']]);
  const templates = { '/q/repository/resources/conf/templates/repository/conf/carbon.xml.j2': '', '/q/repository/conf/registry.xml': '<wso2registry/>' };
  assert.equal(only((await analyzeIn(templates, '/q/repository/conf/registry.xml')).findings, 'generated-config').length, 1);
  const plain = { '/r/repository/conf/registry.xml': '<wso2registry/>' };
  assert.equal((await analyzeIn(plain, '/r/repository/conf/registry.xml')).findings.length, 0);
});

test('the parse cache is bounded and keeps the most recently used parses', async () => {
  const { ParseCache } = await import('../../../server/src/service/workspace/facts');
  const cache = new ParseCache(1024 * 1024, 3);
  const text = (n: number) => ({ kind: 'text' as const, text: `<a n="${n}"/>`, version: `v${n}` });
  const first = cache.get('/1', text(1));
  cache.get('/2', text(2));
  cache.get('/3', text(3));
  assert.equal(cache.get('/1', text(1)), first, 'a hit returns the same parse');
  cache.get('/4', text(4));
  assert.equal(cache.size, 3);
  assert.equal(cache.get('/1', text(1)), first, '/1 was used recently, so /2 went first');
  assert.notEqual(cache.get('/2', text(2)).doc, undefined);
});
