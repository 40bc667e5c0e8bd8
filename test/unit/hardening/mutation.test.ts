import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { Analyzer } from '../../../server/src/service/analyzer';
import { SecureVaultKey, planSecureVaultForFile } from '../../../server/src/service/fixes/secure-vault';
import { applyReplacements } from '../../../server/src/service/fixes/types';
import { parseXml } from '../../../server/src/service/model/xml';
import { mergeSettings } from '../../../server/src/service/settings';
import { FileContent } from '../../../server/src/service/workspace/facts';
import { locateConfigFile, normalizePath } from '../../../server/src/service/workspace/files';
import { fixText } from '../../../server/src/service/fixes/unattended';
import { MemoryFileSource, corpusDir } from '../../helpers';

/**
 * Property tests on mutated corpus files (read in place): random deletions, insertions and duplications of
 * substrings, and of bytes (through the decoder), never make the analyzer throw or log a failing rule, and every
 * finding lies inside the document with start <= end. The fixes, on mutated files that are still well-formed, give
 * well-formed XML and are idempotent: the TLS fixes the CLI's --fix applies, and the Secure Vault fix (with a stand-in
 * key: the XML edit does not depend on the ciphertext).
 *
 * Each property is bounded: a fixed number of runs (FC_RUNS, default 150) and a time limit per property.
 */

const RUNS = Number(process.env.FC_RUNS ?? 150);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const TIME_LIMIT_MS = 60_000;

interface CorpusFile {
  path: string;
  text: string;
  bytes: Buffer;
}

function corpusFiles(): { files: CorpusFile[]; source: MemoryFileSource } | undefined {
  const corpus = corpusDir();
  if (!corpus) return undefined;
  const files: CorpusFile[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.xml') && locateConfigFile(normalizePath(full))) {
        const bytes = fs.readFileSync(full);
        // Decoded the way the engine decodes (the corpus declares ISO-8859-1 in places; its bytes are ASCII there).
        files.push({ path: normalizePath(full), text: bytes.toString('latin1'), bytes });
      }
    }
  };
  walk(corpus);
  const source = new MemoryFileSource();
  for (const f of files) source.set(f.path, f.bytes);
  return { files: files.sort((a, b) => a.path.localeCompare(b.path)), source };
}

const loaded = corpusFiles();
const skipReason = loaded ? undefined : 'the corpus (../shared/corpus beside the project) is not available';

/** Fragments that matter to an XML parser, a line index or a decoder. */
const FRAGMENTS = ['<', '>', '</', '/>', '"', "'", '&', '&amp;', '&#0;', '&#x110000;', '&lol;', '<!--', '-->', '<![CDATA[', ']]>', '<?xml version="1.0"?>', '<!DOCTYPE x [<!ENTITY e "&e;">]>', '\r', '\r\n', '\n', '\u0000', '\ufeff', '\ud800', '\udc00', '\u{1f600}', '\u00e9', 'xmlns:svns="http://org.wso2.securevault/configuration"', '<Password>', '</Password>', 'svns:secretAlias="a"', '${carbon.home}', '<!-- wso2-config-disable-next-line -->', '<!-- wso2-config-disable plaintext-password -->'];

type Edit =
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'duplicate'; from: number; length: number; at: number };

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 400 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 })) }),
  fc.record({ kind: fc.constant('duplicate' as const), from: fc.nat(), length: fc.integer({ min: 1, max: 3000 }), at: fc.nat() }),
);

function applyEdits(text: string, edits: Edit[]): string {
  let result = text;
  for (const edit of edits) {
    const n = result.length + 1;
    if (edit.kind === 'delete') {
      const at = edit.at % n;
      result = result.slice(0, at) + result.slice(at + edit.length);
    } else if (edit.kind === 'insert') {
      const at = edit.at % n;
      result = result.slice(0, at) + edit.text + result.slice(at);
    } else {
      const from = edit.from % n;
      const piece = result.slice(from, from + edit.length);
      const at = edit.at % (result.length + 1);
      result = result.slice(0, at) + piece + result.slice(at);
    }
  }
  return result;
}

type ByteEdit = { kind: 'delete'; at: number; length: number } | { kind: 'insert'; at: number; bytes: Uint8Array } | { kind: 'flip'; at: number; value: number } | { kind: 'duplicate'; from: number; length: number; at: number };

const byteEditArb: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.oneof(fc.uint8Array({ maxLength: 8 }), fc.constantFrom(Uint8Array.of(0xef, 0xbb, 0xbf), Uint8Array.of(0xff, 0xfe), Uint8Array.of(0xfe, 0xff), Uint8Array.of(0xc3), Uint8Array.of(0xe2, 0x82), Uint8Array.of(0))) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), from: fc.nat(), length: fc.integer({ min: 1, max: 2000 }), at: fc.nat() }),
);

function applyByteEdits(bytes: Buffer, edits: ByteEdit[]): Buffer {
  let result = bytes;
  for (const edit of edits) {
    const n = result.length + 1;
    if (edit.kind === 'delete') {
      const at = edit.at % n;
      result = Buffer.concat([result.subarray(0, at), result.subarray(at + edit.length)]);
    } else if (edit.kind === 'insert') {
      const at = edit.at % n;
      result = Buffer.concat([result.subarray(0, at), edit.bytes, result.subarray(at)]);
    } else if (edit.kind === 'flip') {
      if (result.length === 0) continue;
      result = Buffer.from(result);
      result[edit.at % result.length] = edit.value;
    } else {
      const from = edit.from % n;
      const piece = result.subarray(from, from + edit.length);
      const at = edit.at % n;
      result = Buffer.concat([result.subarray(0, at), piece, result.subarray(at)]);
    }
  }
  return result;
}

const settings = mergeSettings();
let version = 0;

/** Analyses `content` as the file at `p` among the corpus files; fails on a rule error the analyzer would only log. */
async function analyzeChecked(source: MemoryFileSource, p: string, content: FileContent) {
  const logged: string[] = [];
  const analyzer = new Analyzer({ files: source, knownHomes: () => source.homes(), log: (m) => logged.push(m) });
  const result = await analyzer.analyze(p, content, settings);
  assert.deepEqual(logged, [], 'no rule failed');
  const length = result.doc?.text.length ?? 0;
  for (const f of result.findings) {
    assert.ok(Number.isInteger(f.span.start) && Number.isInteger(f.span.end), `${f.ruleId}: integer offsets`);
    assert.ok(f.span.start >= 0 && f.span.start <= f.span.end && f.span.end <= length, `${f.ruleId}: [${f.span.start}, ${f.span.end}) inside [0, ${length}]`);
    if (result.doc) {
      const start = result.doc.lines.positionAt(f.span.start);
      const end = result.doc.lines.positionAt(f.span.end);
      assert.ok(start.line < end.line || (start.line === end.line && start.character <= end.character), `${f.ruleId}: start position <= end position`);
      assert.equal(result.doc.lines.offsetAt(start), f.span.start, `${f.ruleId}: the start position maps back to the offset`);
    }
  }
  return result;
}

const fileArb = loaded ? fc.constantFrom(...loaded.files) : fc.constant(undefined as unknown as CorpusFile);

test('mutated text: the analyzer never throws, and every finding lies inside the document', { skip: skipReason, timeout: TIME_LIMIT_MS * 2 }, async () => {
  const { source } = loaded!;
  await fc.assert(
    fc.asyncProperty(fileArb, fc.array(editArb, { minLength: 1, maxLength: 6 }), async (file, edits) => {
      const text = applyEdits(file.text, edits);
      await analyzeChecked(source, file.path, { kind: 'text', text, version: `m:${++version}` });
    }),
    { numRuns: RUNS, seed: SEED, interruptAfterTimeLimit: TIME_LIMIT_MS },
  );
});

test('mutated bytes (decoded as from disk): no throw, findings inside the document', { skip: skipReason, timeout: TIME_LIMIT_MS * 2 }, async () => {
  const { source } = loaded!;
  await fc.assert(
    fc.asyncProperty(fileArb, fc.array(byteEditArb, { minLength: 1, maxLength: 6 }), async (file, edits) => {
      const bytes = applyByteEdits(file.bytes, edits);
      const result = await analyzeChecked(source, file.path, { kind: 'bytes', bytes, version: `b:${++version}` });
      if (!result.doc && result.location) {
        assert.deepEqual(result.findings.map((f) => f.ruleId), ['file-not-analysed'], 'an undecodable file gets exactly its one message');
      }
    }),
    { numRuns: RUNS, seed: SEED, interruptAfterTimeLimit: TIME_LIMIT_MS },
  );
});

const tlsFiles = loaded?.files.filter((f) => /catalina-server\.xml$|axis2\.xml$/.test(f.path)) ?? [];

test('TLS fixes (--fix) on mutated well-formed files give well-formed XML, settle their findings and are idempotent', { skip: skipReason ?? (tlsFiles.length === 0 ? 'no TLS files in the corpus' : undefined), timeout: TIME_LIMIT_MS * 2 }, async () => {
  const { source } = loaded!;
  let fixedRuns = 0;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...tlsFiles), fc.array(editArb, { minLength: 0, maxLength: 3 }), fc.constantFrom('intermediate', 'modern', 'legacy' as const), async (file, edits, profile) => {
      const text = applyEdits(file.text, edits);
      if (parseXml(text).syntaxError) return; // fixes are not offered on a broken file
      const profileSettings = mergeSettings({ tlsProfile: profile });
      const analyzer = new Analyzer({ files: source, knownHomes: () => source.homes(), log: (m) => assert.fail(m) });
      const once = await fixText(analyzer, file.path, text, profileSettings);
      if (once.text === undefined) return;
      fixedRuns++;
      assert.equal(parseXml(once.text).syntaxError, undefined, `the fixed file is well-formed (${once.applied.join('; ')})`);
      const after = await analyzer.analyze(file.path, { kind: 'text', text: once.text, version: `t:${++version}` }, profileSettings);
      const left = after.findings.filter((f) => f.ruleId === 'weak-tls-protocol' || f.ruleId === 'weak-tls-ciphers');
      const before = await analyzer.analyze(file.path, { kind: 'text', text, version: `t:${++version}` }, profileSettings);
      const had = before.findings.filter((f) => f.ruleId === 'weak-tls-protocol' || f.ruleId === 'weak-tls-ciphers');
      assert.ok(left.length < had.length, 'the fixes settled findings');
      const twice = await fixText(analyzer, file.path, once.text, profileSettings);
      assert.equal(twice.text, undefined, `a second --fix changes nothing (it applied: ${twice.applied.join('; ')})`);
    }),
    { numRuns: Math.max(20, Math.floor(RUNS / 3)), seed: SEED, interruptAfterTimeLimit: TIME_LIMIT_MS },
  );
  assert.ok(fixedRuns > 0, 'some runs did apply fixes (the property is not vacuous)');
});

const passwordFiles = loaded?.files.filter((f) => locateConfigFile(f.path)?.home && !f.path.includes('/ciphertool-run/')) ?? [];

/** A stand-in key: the XML edit is the same whatever the ciphertext (the keystore part is tested elsewhere). */
const FAKE_KEY: SecureVaultKey = {
  keystore: { path: '/keystore.jks', type: 'JKS', alias: 'wso2carbon', source: 'carbon.xml', configuredLocation: 'repository/resources/security/wso2carbon.jks' },
  encrypt: (secret) => Buffer.from(`enc(${secret.length})`).toString('base64'),
  maxSecretBytes: 245,
};

test('the Secure Vault fix on mutated well-formed files gives well-formed XML and is idempotent', { skip: skipReason ?? (passwordFiles.length === 0 ? 'no files' : undefined), timeout: TIME_LIMIT_MS * 2 }, async () => {
  const { source } = loaded!;
  let plannedRuns = 0;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...passwordFiles), fc.array(editArb, { minLength: 0, maxLength: 3 }), async (file, edits) => {
      const text = applyEdits(file.text, edits);
      if (parseXml(text).syntaxError) return;
      const first = await analyzeChecked(source, file.path, { kind: 'text', text, version: `s:${++version}` });
      const findings = first.findings.filter((f) => f.ruleId === 'plaintext-password');
      if (!first.doc || !first.location || findings.length === 0) return;
      const security = { cipherText: undefined, cipherTool: undefined, secretConf: undefined };
      const plan = planSecureVaultForFile({ file: { location: first.location, doc: first.doc, findings }, security, key: FAKE_KEY });
      if (!plan.ok || !plan.value.fix) return;
      plannedRuns++;
      const change = plan.value.fix.changes.find((c) => c.path === first.location!.path);
      assert.ok(change && change.kind === 'edit');
      const fixed = applyReplacements(change.baseText, change.replacements);
      assert.equal(parseXml(fixed).syntaxError, undefined, 'the encrypted file is well-formed');
      const second = await analyzeChecked(source, file.path, { kind: 'text', text: fixed, version: `s:${++version}` });
      const encryptedLines = new Set(plan.value.encrypted.map((e) => e.line));
      const left = second.findings.filter((f) => f.ruleId === 'plaintext-password');
      assert.ok(left.length <= findings.length - plan.value.encrypted.length, `the encrypted passwords are no longer reported (${encryptedLines.size} lines)`);
      const again = planSecureVaultForFile({ file: { location: second.location!, doc: second.doc!, findings: left }, security, key: FAKE_KEY });
      if (again.ok && again.value.fix) {
        // What is left is what the first plan skipped (one alias per element): nothing it encrypted comes back.
        assert.ok(again.value.encrypted.every((e) => !plan.value.encrypted.some((p) => p.alias === e.alias && p.path === e.path)), 'idempotent');
      }
    }),
    { numRuns: Math.max(20, Math.floor(RUNS / 3)), seed: SEED, interruptAfterTimeLimit: TIME_LIMIT_MS },
  );
  assert.ok(plannedRuns > 0, 'some runs did encrypt (the property is not vacuous)');
});
