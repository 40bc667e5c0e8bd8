import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fingerprintsOf } from '../../../server/src/service/fingerprints';
import { parseXml } from '../../../server/src/service/model/xml';
import { Finding } from '../../../server/src/service/types';
import { analyzeText } from '../../helpers';

/**
 * Wide documents: one element with tens of thousands of children. Work per finding must not grow with the number of
 * siblings, or a generated file with many entries takes minutes.
 */

const CARBON_NS = 'http://wso2.org/projects/carbon/carbon.xml';

function widePasswords(n: number): string {
  const parts = [`<Server xmlns="${CARBON_NS}"><Security><KeyStore>`];
  for (let i = 0; i < n; i++) parts.push(`<Password>pw-${i}</Password>\n`);
  parts.push('</KeyStore></Security></Server>');
  return parts.join('');
}

test("the CLI's fingerprints of 50 000 findings among 50 000 siblings take well under a second", () => {
  const n = 50_000;
  const doc = parseXml(widePasswords(n));
  const keyStore = doc.root!.children[0];
  assert.ok(keyStore.type === 'element');
  const passwords = (keyStore.children[0] as typeof keyStore).children;
  const findings: Finding[] = passwords.map((p) => {
    const text = (p as typeof keyStore).contentSpan!;
    return { ruleId: 'plaintext-password', severity: 'warning', message: 'm', span: text };
  });
  assert.equal(findings.length, n);
  const started = Date.now();
  const prints = fingerprintsOf('p/repository/conf/carbon.xml', doc, findings);
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 1500, `${elapsed} ms`);
  assert.equal(new Set(prints).size, n, 'every sibling has its own fingerprint');
});

test('the plaintext-password rule grows linearly with the number of sibling passwords', { timeout: 120_000 }, async () => {
  // Relative, not absolute, time: four times the siblings must cost well under sixteen times as much (O(n²)).
  const time = async (n: number) => {
    const started = process.hrtime.bigint();
    const { findings } = await analyzeText('carbon.xml', widePasswords(n));
    assert.equal(findings.length, n);
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  await time(1000); // warm-up
  const small = await time(5000);
  const large = await time(20_000);
  assert.ok(large < small * 10 + 300, `5 000 siblings: ${small.toFixed(0)} ms, 20 000: ${large.toFixed(0)} ms`);
});
