import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { analyseDeploymentToml } from '../../../server/src/service/toml/analyse';
import { corpusDir } from '../../helpers';

const PATH = '/homes/wso2am-4.2.0/repository/conf/deployment.toml';

function analyse(text: string, maxFileBytes?: number) {
  return analyseDeploymentToml({ path: PATH, text, maxFileBytes });
}

function assertSane(text: string, findings: { span: { start: number; end: number }; message: string }[]): void {
  for (const f of findings) {
    assert.ok(f.span.start >= 0 && f.span.start <= f.span.end && f.span.end <= text.length, 'range inside the text');
    assert.ok(f.message.length < 4000, 'bounded message');
  }
}

test('binary and oversized files get file-not-analysed, nothing else', () => {
  const binary = analyse('[server]\u0000\u0001\u0002');
  assert.deepEqual(binary.findings.map((f) => [f.ruleId, f.severity]), [['file-not-analysed', 'error']]);
  assert.equal(binary.model, undefined);
  const big = analyse('a = 1\n'.repeat(100), 100);
  assert.deepEqual(big.findings.map((f) => [f.ruleId, f.severity]), [['file-not-analysed', 'information']]);
});

test('invalid TOML never throws; errors are bounded and ranges stay inside the text', () => {
  const samples = ['[', ']]]', '= = =', '"""', "'''\n", 'a = [1, 2', 'a = {b = }', '[a]\n[a]\n', 'x = 1\nx = 2\n'.repeat(50), '\uFEFF[server]\noffset = 1', '[[a]]\n[a]\n', 'a.b = 1\n[a]\nb = 2\n', '\r\n\r\n[x\r\n', 'k = "\\q"'];
  for (const text of samples) {
    const { findings, model } = analyse(text);
    assertSane(text, findings);
    assert.ok(model!.doc.errors.length <= 21);
  }
});

test('long values, keys and lists: linear time, no secret in messages', () => {
  const longSecret = 'S'.repeat(90_000);
  const text = [
    '[super_admin]',
    `password = "${longSecret}"`,
    '[transport.https.sslHostConfig.properties]',
    `protocols = "${'TLSv1,'.repeat(15_000)}TLSv1.2"`,
    `ciphers = "${'A'.repeat(90_000)}_RC4_${'B'.repeat(10)},TLS_RSA_WITH_RC4_128_MD5"`,
    `["${'k'.repeat(90_000)}"]`,
    `x = "$ref{${'r'.repeat(90_000)}}"`,
    `y = "${'$secret{'.repeat(10_000)}"`,
    '',
  ].join('\n');
  const started = performance.now();
  const { findings } = analyse(text);
  const elapsed = performance.now() - started;
  assertSane(text, findings);
  assert.ok(elapsed < 10_000, `took ${elapsed} ms`);
  for (const f of findings) assert.ok(!f.message.includes('SSSSSSSS'), 'the secret is not quoted');
  assert.ok(findings.some((f) => f.ruleId === 'plaintext-password' && f.span.end - f.span.start === longSecret.length + 2));
  assert.ok(findings.some((f) => f.ruleId === 'weak-tls-protocol'));
  assert.ok(findings.some((f) => f.ruleId === 'weak-tls-ciphers'));
});

test('a line too long for the parser is skipped and said so; the rest is analysed', () => {
  const text = `[super_admin]\npassword = "admin"\n[a]\nhuge = "${'S'.repeat(1_000_000)}"\n[database.shared_db]\nurl = "jdbc:h2:./x"\n`;
  const { findings, model } = analyse(text);
  assertSane(text, findings);
  const skipped = findings.filter((f) => f.ruleId === 'file-not-analysed');
  assert.equal(skipped.length, 1);
  assert.equal(model!.doc.lines.positionAt(skipped[0].span.start).line, 3);
  assert.ok(findings.some((f) => f.ruleId === 'plaintext-password' && model!.doc.lines.positionAt(f.span.start).line === 1));
  assert.ok(findings.some((f) => f.ruleId === 'h2-datasource' && model!.doc.lines.positionAt(f.span.start).line === 5));
  // A huge multi-line string is many short lines: whatever the parser does with it, nothing is thrown.
  const multi = 'a = """\n' + `${'S'.repeat(60)}\n`.repeat(20_000) + '"""\n';
  assertSane(multi, analyse(multi).findings);
});

test('time grows linearly with the number of tables; errors cost a bounded number of re-parses', () => {
  const block = (i: number) => `[database.db${i}]\ntype = "h2"\npassword = "p${i}"\n[[datasource]]\nid = "d${i}"\nurl = "jdbc:h2:./x${i}"\n`;
  const build = (n: number, broken: boolean) => Array.from({ length: n }, (_, i) => block(i) + (broken && i % 100 === 0 ? 'oops = \n' : '')).join('');
  const time = (text: string) => {
    const started = performance.now();
    analyse(text);
    return performance.now() - started;
  };
  time(build(500, false)); // warm up
  const small = Math.max(time(build(2000, false)), 5);
  const large = time(build(8000, false));
  assert.ok(large < small * 12, `4x the input took ${(large / small).toFixed(1)}x the time`);
  // With an error every 100 tables the parser runs at most MAX_RECOVERIES + 2 times, each linear.
  const brokenText = build(8000, true);
  const brokenTime = time(brokenText);
  assert.ok(brokenTime < large * 25 + 1000, `with errors: ${brokenTime.toFixed(0)} ms against ${large.toFixed(0)} ms`);
  const { model } = analyse(brokenText);
  assert.ok(model!.doc.errors.length > 0 && model!.doc.entries.length > 0, 'the part before the errors is still analysed');
});

const CORPUS = corpusDir();

test('mutated corpus files: no throw, ranges inside the text', { skip: CORPUS === undefined ? 'no corpus' : false }, () => {
  const files = ['apim-4.2.0/repository/conf/deployment.toml', 'is-7.1.0/repository/conf/deployment.toml', 'mi-4.4.0/conf/deployment.toml'].map((f) => fs.readFileSync(path.join(CORPUS!, f), 'utf8'));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: files.length - 1 }), fc.nat(), fc.nat({ max: 40 }), fc.string({ maxLength: 20 }), (which, at, cut, insert) => {
      const base = files[which];
      const start = at % (base.length + 1);
      const text = base.slice(0, start) + insert + base.slice(Math.min(base.length, start + cut));
      const { findings } = analyse(text);
      assertSane(text, findings);
    }),
    { numRuns: 300 },
  );
});

test('a home whose config-mapper JSON files are odd does not break the analysis', () => {
  const files: Record<string, string> = {
    'repository/resources/conf/default.json': JSON.stringify({ 'keystore.primary.password': 42, 'a.b': null, 'transport.https.sslHostConfig.properties.protocols': ['TLSv1'], 'server.offset': 'x' }),
    'repository/resources/conf/infer.json': JSON.stringify({ 'user_store.type': 'nonsense', 'database.$1.type': { h2: 'not an object', mysql: null }, x: [1, 2] }),
    'repository/resources/conf/key-mappings.json': JSON.stringify({ 'super_admin.password': 7, 'a.b': [null, 3], 'c.d': ['e.f'] }),
  };
  const text = `[super_admin]\npassword = "admin"\n[user_store]\ntype = "nonsense"\n[database.x]\ntype = "h2"\n[c]\nd = 1\n`;
  const { findings, model } = analyseDeploymentToml({ path: '/h/repository/conf/deployment.toml', text, product: 'carbon', readHomeFile: (p) => files[p] });
  assertSane(text, findings);
  assert.equal(model!.knowledge.origin, 'home');
  assert.ok(findings.some((f) => f.ruleId === 'plaintext-password' && model!.doc.lines.positionAt(f.span.start).line === 1), 'a bad mapping leaves the key as written');
  assert.equal(model!.get('e.f')!.value, 1);
  // The odd protocols default (a list) is still read as a list.
  assert.ok(findings.some((f) => f.ruleId === 'weak-tls-protocol'));
});
