import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseXml } from '../../../server/src/service/model/xml';
import { findLiteralUrlPorts, findPortReferences, literalUrlPortsIn, portReferencesIn } from '../../../server/src/service/ports/values';
import { findSecretTokens } from '../../../server/src/service/securevault/aliases';
import { parseDirective } from '../../../server/src/service/suppression';
import { parseProperties } from '../../../server/src/service/fixes/properties';
import { TOML_RULES_DATA } from '../../../server/src/service/toml/knowledge';
import passwordLocations from '../../../schemas/password-locations.json';
import tlsPolicy from '../../../schemas/tls-policy.json';
import products from '../../../schemas/products.json';

/**
 * Every scan of user text is linear: the regular expressions that backtracked on long values (the literal URL port
 * one made a hover on `<Foo password="AAAA…"/>` take 34 s at 128 KB) are plain scanners now. Each scanner is checked
 * two ways: against the regular expression it replaces, on short fast-check strings built from the grammar's own
 * pieces (same answers), and on 1 MB hostile strings, which the old expressions would take hours on (the test
 * timeout is the assertion: no timing is measured).
 */

const MB = 1 << 20;
const HOSTILE = { timeout: 60_000 };
const pieces = (...parts: string[]) => fc.array(fc.constantFrom(...parts), { maxLength: 24 }).map((a) => a.join(''));
const runs = { numRuns: 2000 };

// The expressions the scanners replace, kept here as the specification they are checked against.
const OLD_URL_PORT = /[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^\s/@'"<>]*@)?(?:\[[0-9A-Fa-f:.]+\]|[^\s/:@'"<>?#[\]]+):(\d{1,5})(?=$|[/?#;,)'"\s<\]])/g;
const OLD_REFERENCE = /\$\{(Ports(?:\.[A-Za-z0-9_-]+)+)\}/g;
const OLD_SECRET_TOKEN = /\$secret\{([^}\s]+)\}/g;
const OLD_DIRECTIVE = /^(\s*wso2-config-(disable-next-line|disable))(?:(\s+)([^]*?))?\s*$/;

function allMatches(pattern: RegExp, text: string): RegExpExecArray[] {
  pattern.lastIndex = 0;
  return [...text.matchAll(pattern)];
}

test('literal URL ports: the scanner finds what the old expression found', () => {
  const text = pieces('http', 'ldap', 's', '1', '://', ':', '/', '@', '[', ']', '::1', 'a', '.', 'host', '10389', '9', '#', '?', ' ', '"', '<', ';', ')', '-', '+', '\u00a0');
  fc.assert(
    fc.property(text, (s) => {
      const expected = allMatches(OLD_URL_PORT, s).map((m) => ({ start: m.index + m[0].length - m[1].length, end: m.index + m[0].length, port: Number(m[1]) }));
      assert.deepEqual(findLiteralUrlPorts(s), expected);
    }),
    runs,
  );
  // The cases the old expression was written for.
  assert.deepEqual(findLiteralUrlPorts('ldap://localhost:10389').map((p) => p.port), [10389]);
  assert.deepEqual(findLiteralUrlPorts('jdbc:mysql://u:1234@db:3306/x, http://[::1]:8080/').map((p) => p.port), [3306, 8080]);
  assert.deepEqual(findLiteralUrlPorts('http://user:1234@host/'), [], 'a password is no port');
  assert.deepEqual(findLiteralUrlPorts('http://host:123456/'), [], 'six digits are no port');
});

test('literal URL ports: 1 MB hostile values finish, in the scanner and through a parsed carbon.xml', HOSTILE, () => {
  const hostile = ['A'.repeat(MB), 'a:'.repeat(MB / 2), 'a://'.repeat(MB / 4), `http://${'a@'.repeat(MB / 2)}`, `http://${'a:'.repeat(MB / 2)}`, `x://[${':'.repeat(MB)}`, `http://h:${'1'.repeat(MB)}`];
  for (const value of hostile) assert.deepEqual(findLiteralUrlPorts(value), []);
  assert.equal(findLiteralUrlPorts(`${'A'.repeat(MB)}://h:1 `.repeat(2)).length, 2);
  const doc = parseXml(`<Server><Foo password="${'A'.repeat(MB)}"/><Url>ldap://localhost:10389</Url></Server>`);
  assert.deepEqual(literalUrlPortsIn(doc).map((p) => p.port), [10389]);
});

test('port references: the scanner finds what the old expression found', () => {
  const text = pieces('${', 'Ports', '.', 'a', 'B_1', '-', '}', '$', '{', ' ', 'x');
  fc.assert(
    fc.property(text, (s) => {
      const expected = allMatches(OLD_REFERENCE, s).map((m) => ({ start: m.index, end: m.index + m[0].length, key: m[1] }));
      assert.deepEqual(findPortReferences(s), expected);
    }),
    runs,
  );
});

test('port references: 1 MB hostile values finish, and a comment still hides a reference', HOSTILE, () => {
  for (const value of ['${Ports.'.repeat(MB / 8), `\${Ports.${'a.'.repeat(MB / 2)}`, `\${Ports.${'a'.repeat(MB)}`]) assert.deepEqual(findPortReferences(value), []);
  const many = Array.from({ length: 20_000 }, (_, i) => `<!-- c${i} -->\${Ports.A${i}}`).join('');
  const doc = parseXml(`<Server><V>${many}<!-- \${Ports.Hidden} --></V></Server>`);
  const refs = portReferencesIn(doc);
  assert.equal(refs.length, 20_000);
  assert.equal(refs[19_999].key, 'Ports.A19999');
});

test('$secret{…} tokens: the scanner finds what the old expression found', () => {
  const text = pieces('$secret{', '$', 'secret', '{', '}', 'a', ' ', '\t', 'b.c');
  fc.assert(
    fc.property(text, (s) => {
      const expected = allMatches(OLD_SECRET_TOKEN, s).map((m) => ({ start: m.index, end: m.index + m[0].length, alias: m[1] }));
      assert.deepEqual(findSecretTokens(s), expected);
    }),
    runs,
  );
});

test('$secret{…} tokens: 1 MB hostile lines finish', HOSTILE, () => {
  assert.deepEqual(findSecretTokens('$secret{'.repeat(MB / 8)), []);
  assert.deepEqual(findSecretTokens(`$secret{${'$'.repeat(MB)}`), []);
  assert.deepEqual(findSecretTokens(`${'$secret{'.repeat(MB / 8)}a}`).length, 1);
});

test('suppression directives: the scanner reads what the old expression read', () => {
  const text = pieces(' ', '\t', '\u00a0', '\n', 'wso2-config-disable', '-next-line', 'x', 'plaintext-password', ',', '-');
  fc.assert(
    fc.property(text, (s) => {
      const m = OLD_DIRECTIVE.exec(s);
      const parts = parseDirective(s);
      if (!m) return assert.equal(parts, undefined);
      assert.ok(parts);
      assert.equal(parts.kind, m[2]);
      assert.equal(parts.wordEnd, m[1].length);
      assert.equal(parts.ids, m[4] ?? '');
      if (parts.ids) assert.equal(parts.listStart, m[1].length + m[3].length);
    }),
    runs,
  );
});

test('suppression directives: 1 MB hostile comments finish', HOSTILE, () => {
  assert.equal(parseDirective(`wso2-config-disable a${' '.repeat(MB)}b`)?.ids, `a${' '.repeat(MB)}b`);
  assert.equal(parseDirective(`wso2-config-disable${' '.repeat(MB)}`)?.ids, '');
  assert.equal(parseDirective(`${' '.repeat(MB)}x`), undefined);
});

test('properties files (analysis and the encrypt preview\'s masking): 1 MB hostile files finish', HOSTILE, () => {
  // A run of continued lines of backslashes: counting the whole joined run again on every line was quadratic.
  const continued = parseProperties(`k=${'\\\\\\\n'.repeat(MB / 4)}`).entries;
  assert.equal(continued.length, 1);
  assert.equal(continued[0].valueSpans.length, MB / 4);
  assert.equal(parseProperties(`k=${'v\\\n'.repeat(MB / 4)}`).entries[0].valueSpans.length, MB / 4);
  assert.deepEqual(parseProperties(`${'a'.repeat(MB)}\u2028x`).entries[0].key, `${'a'.repeat(MB)}\u2028x`);
  assert.equal(parseProperties(`k${' '.repeat(MB)}\u2028`).entries[0].value, '\u2028');
  assert.equal(parseProperties('\\ '.repeat(MB / 2)).entries[0].value, '');
  assert.equal(parseProperties('\\'.repeat(MB)).entries[0].key, '\\'.repeat(MB / 2));
});

/**
 * The expressions the rules read from schemas/ run on names and cipher lists; they must stay linear too. Each is run
 * on 1 MB strings made of its own literal characters (the shape that makes a backtracking expression explode).
 */
test('the expressions in schemas/ stay linear on 1 MB strings of their own characters', HOSTILE, () => {
  const heuristic = passwordLocations.heuristic;
  const ciphers = Object.values(tlsPolicy.cipherClasses as Record<string, { jsse: string; openssl: string }>).flatMap((c) => [c.jsse, c.openssl]);
  const unknown = Object.values(products.jdks as Record<string, { unknownCiphers: { pattern: string }[] }>).flatMap((j) => j.unknownCiphers.map((u) => u.pattern));
  const sources = [...heuristic.namePatterns, ...heuristic.exclusions, ...ciphers, ...Object.values(tlsPolicy.cipherNames), ...unknown, TOML_RULES_DATA.secretKeys.genericLastSegment];
  assert.ok(sources.length > 30, `found ${sources.length} expressions`);
  for (const source of sources) {
    const pattern = new RegExp(source, 'i');
    const letters = [...new Set(source.replace(/[^A-Za-z0-9_-]/g, ''))].join('') || 'a';
    for (const body of [letters.repeat(Math.ceil(MB / letters.length)), `${letters}_`.repeat(MB / 16), 'A'.repeat(MB)]) pattern.test(`${body}!`);
  }
});
