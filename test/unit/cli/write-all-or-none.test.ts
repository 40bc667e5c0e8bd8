import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WriteError, commitChanges, prepareChanges } from '../../../server/src/cli/write';
import { tempDir, write } from './support';

/**
 * Issue 10 items 4 and 9 on the disk: a change is written to all its files or to none (a failed rename rolls back the
 * files already replaced), every file is checked again just before it is replaced, a read-only file is refused rather
 * than replaced by the rename, and a failure names the file that failed.
 */

const edit = (p: string, base: string, from: number, to: number, text: string) => ({ kind: 'edit' as const, path: p, baseText: base, replacements: [{ span: { start: from, end: to }, newText: text }] });

test('a rename that fails midway: the files already replaced get their old bytes back, created files are removed', async () => {
  const dir = tempDir('write-rollback');
  const xml = write(dir, 'a.xml', '<a>one</a>');
  const cipherText = write(dir, 'cipher-text.properties', 'x=1\n');
  fs.chmodSync(cipherText, 0o640);
  const created = path.join(dir, 'secret-conf.properties');
  const prepared = await prepareChanges([
    edit(xml, '<a>one</a>', 3, 6, 'password'),
    { kind: 'create', path: created, text: 'k=v\n' },
    edit(cipherText, 'x=1\n', 2, 3, 'QUJD'),
  ]);
  let calls = 0;
  const failingThird = { rename: async (from: string, to: string) => (++calls === 3 ? Promise.reject(Object.assign(new Error('injected'), { code: 'EIO' })) : fs.promises.rename(from, to)) };
  await assert.rejects(commitChanges(prepared, failingThird), (error: Error) => error instanceof WriteError && /cannot replace .*cipher-text\.properties: EIO; the 2 files already written were restored/.test(error.message));
  assert.equal(fs.readFileSync(xml, 'utf8'), '<a>one</a>');
  assert.equal(fs.readFileSync(cipherText, 'utf8'), 'x=1\n');
  assert.equal(fs.statSync(cipherText).mode & 0o777, 0o640);
  assert.ok(!fs.existsSync(created));
  assert.deepEqual(fs.readdirSync(dir).sort(), ['a.xml', 'cipher-text.properties'], 'no temporary file is left');
});

test('a file changed between the check and the write is not replaced, and no file of the change is', async () => {
  const dir = tempDir('write-recheck');
  const xml = write(dir, 'a.xml', '<a>one</a>');
  const cipherText = write(dir, 'cipher-text.properties', 'x=1\n');
  const prepared = await prepareChanges([edit(xml, '<a>one</a>', 3, 6, 'password'), edit(cipherText, 'x=1\n', 2, 3, 'QUJD')]);
  fs.writeFileSync(cipherText, 'x=1\nOther=[another fix]\n');
  await assert.rejects(commitChanges(prepared), /cipher-text\.properties: changed on disk since it was checked/);
  assert.equal(fs.readFileSync(xml, 'utf8'), '<a>one</a>');
  assert.equal(fs.readFileSync(cipherText, 'utf8'), 'x=1\nOther=[another fix]\n');
  assert.deepEqual(fs.readdirSync(dir).sort(), ['a.xml', 'cipher-text.properties']);
});

test('a read-only cipher-text.properties is refused with its name, not replaced by the rename', async () => {
  const dir = tempDir('write-readonly');
  const xml = write(dir, 'a.xml', '<a>one</a>');
  const cipherText = write(dir, 'cipher-text.properties', 'x=1\n');
  fs.chmodSync(cipherText, 0o444);
  await assert.rejects(
    prepareChanges([edit(xml, '<a>one</a>', 3, 6, 'password'), edit(cipherText, 'x=1\n', 2, 3, 'QUJD')]),
    (error: Error) => error instanceof WriteError && error.message.startsWith(`${cipherText}: is read-only`),
  );
  assert.equal(fs.readFileSync(cipherText, 'utf8'), 'x=1\n');
  assert.equal(fs.statSync(cipherText).mode & 0o777, 0o444);
});

test('a failure to write names the file that failed, not the one before it', async () => {
  const dir = tempDir('write-names');
  const first = write(dir, 'one/a.xml', '<a>one</a>');
  const second = write(dir, 'two/cipher-text.properties', 'x=1\n');
  const prepared = await prepareChanges([edit(first, '<a>one</a>', 3, 6, 'password'), edit(second, 'x=1\n', 2, 3, 'QUJD')]);
  fs.rmSync(path.dirname(second), { recursive: true });
  await assert.rejects(commitChanges(prepared), (error: Error) => /cannot write .*two\/cipher-text\.properties/.test(error.message) && !error.message.includes('a.xml'));
  assert.equal(fs.readFileSync(first, 'utf8'), '<a>one</a>');
});
