import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { unifiedDiff } from '../../../server/src/cli/diff';
import { WriteError, commitChanges, prepareChanges, readXmlBytes } from '../../../server/src/cli/write';
import { catalinaXml, cli, tempDir, write } from './support';

/** Writing fixes to disk: same encoding and BOM, atomic, through links, refusing stale bases; and the dry-run diff. */

const WEAK = 'TLS_RSA_WITH_RC4_128_SHA';

function utf16(text: string, order: 'le' | 'be'): Buffer {
  const le = Buffer.from(text, 'utf16le');
  const body = order === 'le' ? le : Buffer.from(le).swap16();
  return Buffer.concat([order === 'le' ? Buffer.from([0xff, 0xfe]) : Buffer.from([0xfe, 0xff]), body]);
}

test('--fix keeps a UTF-16 file UTF-16 (BOM included), an ISO-8859-1 file single-byte, a UTF-8 BOM in place', async () => {
  const dir = tempDir('write-encodings');
  const text = catalinaXml('TLSv1', WEAK).replace('<Service ', '<!-- Caf\u00e9 \u20ac -->\n    <Service ');
  const cases: { name: string; bytes: Buffer; decode: (b: Buffer) => string }[] = [
    { name: 'le', bytes: utf16(text, 'le'), decode: (b) => b.subarray(2).toString('utf16le') },
    { name: 'be', bytes: utf16(text, 'be'), decode: (b) => Buffer.from(b.subarray(2)).swap16().toString('utf16le') },
    { name: 'bom8', bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]), decode: (b) => b.subarray(3).toString('utf8') },
  ];
  const latin = text.replace("encoding='utf-8'", "encoding='ISO-8859-1'");
  // windows-1252 is what a declared ISO-8859-1 decodes as (WHATWG): the euro sign is byte 0x80.
  const latinBytes = Buffer.from(latin.replace('\u20ac', '\u0080'), 'latin1');
  for (const c of cases) write(dir, `${c.name}/repository/conf/tomcat/catalina-server.xml`, c.bytes);
  write(dir, 'latin/repository/conf/tomcat/catalina-server.xml', latinBytes);

  const run = await cli(['--fix', '.'], dir);
  assert.equal((run.err.match(/fixed /g) ?? []).length, 4, run.err);
  for (const c of cases) {
    const bytes = fs.readFileSync(path.join(dir, `${c.name}/repository/conf/tomcat/catalina-server.xml`));
    assert.deepEqual([...bytes.subarray(0, c.name === 'bom8' ? 3 : 2)], [...c.bytes.subarray(0, c.name === 'bom8' ? 3 : 2)], `${c.name}: BOM kept`);
    const fixed = c.decode(bytes);
    assert.match(fixed, /sslEnabledProtocols="TLSv1\.2"/, c.name);
    assert.ok(fixed.includes('Caf\u00e9 \u20ac'), `${c.name}: other characters intact`);
  }
  const latinFixed = fs.readFileSync(path.join(dir, 'latin/repository/conf/tomcat/catalina-server.xml'));
  assert.equal(latinFixed.indexOf(0xe9), latinBytes.indexOf(0xe9), 'é stays one byte where it was');
  assert.ok(latinFixed.includes(0x80) && !latinFixed.includes(Buffer.from('\u20ac', 'utf8')), 'the euro sign stays byte 0x80');
  assert.match(latinFixed.toString('latin1'), /sslEnabledProtocols="TLSv1\.2"/);
  // And a second run finds nothing left to fix in any of them.
  assert.ok(!(await cli(['--fix', '.'], dir)).err.includes('fixed'));
});

test('a file reached through a symbolic link is written where the link points; the link stays', async () => {
  const dir = tempDir('write-link');
  const real = write(dir, 'store/catalina-server.xml', catalinaXml('TLSv1', WEAK));
  fs.mkdirSync(path.join(dir, 'p/repository/conf/tomcat'), { recursive: true });
  const link = path.join(dir, 'p/repository/conf/tomcat/catalina-server.xml');
  fs.symlinkSync(real, link);
  const run = await cli(['--fix', 'p'], dir);
  assert.match(run.err, /fixed p\/repository\/conf\/tomcat\/catalina-server\.xml/);
  assert.ok(fs.lstatSync(link).isSymbolicLink());
  assert.match(fs.readFileSync(real, 'utf8'), /sslEnabledProtocols="TLSv1\.2"/);
});

test('a change planned on a text the disk no longer holds is refused, and nothing is written', async () => {
  const dir = tempDir('write-stale');
  const file = write(dir, 'a.xml', '<a>one</a>');
  const other = write(dir, 'b.properties', 'x=1\n');
  const prepared = prepareChanges([
    { kind: 'edit', path: other, baseText: 'x=1\n', replacements: [{ span: { start: 2, end: 3 }, newText: '2' }] },
    { kind: 'edit', path: file, baseText: '<a>two</a>', replacements: [{ span: { start: 3, end: 6 }, newText: 'three' }] },
  ]);
  await assert.rejects(prepared, (error: Error) => error instanceof WriteError && /a\.xml: changed on disk since it was read/.test(error.message));
  assert.equal(fs.readFileSync(other, 'utf8'), 'x=1\n');
  await assert.rejects(prepareChanges([{ kind: 'create', path: other, text: 'y' }]), /the fix creates this file, but it exists now/);
});

test('when one file of a change set cannot be written, no temporary file is left and no file changes', async () => {
  const dir = tempDir('write-fail');
  const file = write(dir, 'a.properties', 'x=1\n');
  write(dir, 'blocker', 'a file where a folder should be');
  const prepared = await prepareChanges([
    { kind: 'edit', path: file, baseText: 'x=1\n', replacements: [{ span: { start: 2, end: 3 }, newText: '2' }] },
    { kind: 'create', path: path.join(dir, 'blocker', 'new.properties'), text: 'y=1\n' },
  ]);
  await assert.rejects(commitChanges(prepared), WriteError);
  assert.equal(fs.readFileSync(file, 'utf8'), 'x=1\n');
  assert.deepEqual(fs.readdirSync(dir).sort(), ['a.properties', 'blocker']);
});

test('an encoding that would not give back the same bytes is never written', () => {
  // Shift_JIS is multi-byte: not in the writable set, so the text is read but cannot be written.
  const sjis = readXmlBytes(Buffer.from('<?xml version="1.0" encoding="Shift_JIS"?><a>x</a>', 'latin1'));
  assert.ok(sjis && sjis.encoding === 'shift_jis');
  assert.equal(sjis.encode, undefined);
  const utf8 = readXmlBytes(Buffer.from('<a>\u00e9</a>', 'utf8'));
  assert.ok(utf8?.encode);
  assert.deepEqual(utf8.encode('<a>\u00e9</a>'), Buffer.from('<a>\u00e9</a>', 'utf8'));
});

// ---- diff --------------------------------------------------------------------------------------------------------

/** Applies a unified diff to a text: the check that the diff says exactly what changed. */
function patch(oldText: string, diff: string): string {
  const old = oldText === '' ? [] : oldText.replace(/\n$/, '').split('\n');
  const out: string[] = [];
  let at = 0;
  const lines = diff.split('\n').slice(2);
  for (let i = 0; i < lines.length; i++) {
    const header = /^@@ -(\d+),(\d+) \+(\d+),(\d+) @@$/.exec(lines[i]);
    if (!header) continue;
    const oldStart = Number(header[2]) === 0 ? Number(header[1]) : Number(header[1]) - 1;
    while (at < oldStart) out.push(old[at++]);
    for (i++; i < lines.length && !lines[i].startsWith('@@') && lines[i] !== ''; i++) {
      const kind = lines[i][0];
      const line = lines[i].slice(1);
      if (kind === ' ') {
        assert.equal(old[at], line, 'context line matches');
        out.push(old[at++]);
      } else if (kind === '-') {
        assert.equal(old[at], line, 'removed line matches');
        at++;
      } else out.push(line);
    }
    i--;
  }
  while (at < old.length) out.push(old[at++]);
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

test('the unified diff, applied to the old text, gives the new text (random line edits)', () => {
  const line = fc.constantFrom('a', 'b', 'c', '<x>', '', '  d');
  fc.assert(
    fc.property(fc.array(line, { maxLength: 40 }), fc.array(line, { maxLength: 40 }), (a, b) => {
      const oldText = a.length ? `${a.join('\n')}\n` : '';
      const newText = b.length ? `${b.join('\n')}\n` : '';
      const diff = unifiedDiff('f', oldText, newText);
      if (oldText === newText) return diff === '';
      return patch(oldText, diff) === newText;
    }),
    { numRuns: 500 },
  );
});

test('diff hunks: three lines of context, nearby changes merged, headers counted as diff -u does', () => {
  const old = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
  const changed = [...old];
  changed[4] = 'LINE 5';
  changed[16] = 'LINE 17';
  const diff = unifiedDiff('f.xml', `${old.join('\n')}\n`, `${changed.join('\n')}\n`);
  assert.equal(
    diff,
    [
      '--- a/f.xml',
      '+++ b/f.xml',
      '@@ -2,7 +2,7 @@',
      ' line 2',
      ' line 3',
      ' line 4',
      '-line 5',
      '+LINE 5',
      ' line 6',
      ' line 7',
      ' line 8',
      '@@ -14,7 +14,7 @@',
      ' line 14',
      ' line 15',
      ' line 16',
      '-line 17',
      '+LINE 17',
      ' line 18',
      ' line 19',
      ' line 20',
      '',
    ].join('\n'),
  );
  assert.equal(unifiedDiff('n', undefined, 'a\nb\n'), '--- /dev/null\n+++ b/n\n@@ -0,0 +1,2 @@\n+a\n+b\n');
});
