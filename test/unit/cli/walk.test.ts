import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NODE_WALK_FS, WalkFileSystem, walkTargets } from '../../../server/src/cli/walk';
import { carbonXml, cli, keystoreBlock, tempDir, write } from './support';

/**
 * The CLI's walk over hostile trees: link loops, dangling links, FIFOs and unreadable folders are reported on stderr
 * and skipped; the rest of the tree is still linted and the exit code is the findings', not 2.
 *
 * The tests run as root in CI containers, where chmod 000 stops nothing. An unreadable folder is therefore simulated
 * through the walk's file-system seam (readdir fails with EACCES for one folder); the real chmod case runs as well
 * when the tests do not run as root.
 */

// wso2carbon is a shipped default password: an error, so a linted file shows in the exit code.
const DIRTY = carbonXml(keystoreBlock('wso2carbon'));

function tree(label: string): string {
  const dir = tempDir(label);
  write(dir, 'good/repository/conf/carbon.xml', DIRTY);
  return dir;
}

test('a symbolic link back to an ancestor folder is reported as a loop and not followed', async () => {
  const dir = tree('walk-loop');
  fs.symlinkSync('../..', path.join(dir, 'good/repository/up'));
  const run = await cli(['.'], dir);
  assert.equal(run.code, 1, 'findings decide the exit code, not the loop');
  assert.match(run.err, /good\/repository\/up: symbolic link loop \(it points to .*, a folder that contains it\), skipped/);
  assert.equal((run.out.match(/good\/repository\/conf\/carbon\.xml/g) ?? []).length, 1, 'the file is reported once, not once per lap');
});

test('a link to itself (ELOOP) and a dangling link where a configuration file belongs are reported', async () => {
  const dir = tree('walk-eloop');
  fs.symlinkSync('self', path.join(dir, 'self'));
  fs.symlinkSync('nowhere.xml', path.join(dir, 'good/repository/conf/user-mgt.xml'));
  fs.symlinkSync('nowhere.txt', path.join(dir, 'good/README'));
  const run = await cli(['.'], dir);
  assert.equal(run.code, 1);
  assert.match(run.err, /\/self: symbolic link loop \(the link resolves to itself\), skipped/);
  assert.match(run.err, /conf\/user-mgt\.xml: broken symbolic link \(its target does not exist\), skipped/);
  assert.ok(!run.err.includes('README'), 'a dangling link that is no configuration file is none of our business');
  assert.match(run.out, /good\/repository\/conf\/carbon\.xml/);
});

test('a FIFO named like a configuration file is skipped without being opened (no hang)', async (t) => {
  const dir = tree('walk-fifo');
  const fifo = path.join(dir, 'good/repository/conf/tomcat/catalina-server.xml');
  fs.mkdirSync(path.dirname(fifo), { recursive: true });
  try {
    execFileSync('mkfifo', [fifo]);
  } catch {
    return t.skip('mkfifo is not available');
  }
  const started = Date.now();
  const run = await cli(['.'], dir);
  assert.ok(Date.now() - started < 5000);
  assert.equal(run.code, 1);
  assert.match(run.err, /catalina-server\.xml: not a regular file \(a FIFO\), skipped/);
  // Named on the command line, it is reported as well.
  const direct = await cli([fifo], dir);
  assert.match(direct.err, /not a regular file or folder \(a FIFO\), skipped/);
  assert.equal(direct.code, 0);
});

test('an unreadable folder is reported and the other homes are still linted', async () => {
  const dir = tree('walk-eacces');
  write(dir, 'locked/repository/conf/carbon.xml', DIRTY);
  const locked = path.join(dir, 'locked');
  const failing: WalkFileSystem = {
    ...NODE_WALK_FS,
    readdir: (p) => (p === locked ? Promise.reject(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })) : NODE_WALK_FS.readdir(p)),
  };
  const run = await cli(['--format', 'json', '.'], dir, { walkFs: failing });
  assert.equal(run.code, 1);
  assert.match(run.err, new RegExp(`${locked.replace(/[/.]/g, '\\$&')}: cannot read the folder \\(permission denied, EACCES\\), skipped`));
  const report = JSON.parse(run.out) as { findings: { path: string }[] };
  assert.ok(report.findings.some((f) => f.path.startsWith('good/')));
  assert.ok(report.findings.every((f) => !f.path.startsWith('locked/')));
});

test('without root, a chmod 000 folder is reported the same way', async (t) => {
  if (process.getuid?.() === 0) return t.skip('running as root: chmod 000 does not stop root (covered by the EACCES seam above)');
  const dir = tree('walk-chmod');
  write(dir, 'locked/repository/conf/carbon.xml', DIRTY);
  fs.chmodSync(path.join(dir, 'locked'), 0o000);
  try {
    const run = await cli(['.'], dir);
    assert.equal(run.code, 1);
    assert.match(run.err, /locked: cannot read the folder \(permission denied, EACCES\)/);
  } finally {
    fs.chmodSync(path.join(dir, 'locked'), 0o755);
  }
});

test('a linked product home is followed, and a folder reached twice is walked once', async () => {
  const dir = tree('walk-links');
  const outside = tempDir('walk-outside');
  write(outside, 'home/repository/conf/carbon.xml', DIRTY);
  fs.symlinkSync(path.join(outside, 'home'), path.join(dir, 'linked'));
  fs.symlinkSync(path.join(outside, 'home'), path.join(dir, 'linked-again'));
  const result = await walkTargets([dir]);
  assert.deepEqual(result.problems, []);
  const files = result.files.map((f) => path.relative(dir, f)).sort();
  assert.equal(files.length, 2);
  assert.equal(files[0], 'good/repository/conf/carbon.xml');
  assert.match(files[1], /^linked(-again)?\/repository\/conf\/carbon\.xml$/);
});

test('a missing target is a usage error (2); a dangling link named on the command line is reported, not fatal', async () => {
  const dir = tree('walk-targets');
  const missing = await cli(['does-not-exist'], dir);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /No such file or folder: does-not-exist/);
  fs.symlinkSync('gone', path.join(dir, 'dangling'));
  const dangling = await cli(['dangling', 'good'], dir);
  assert.equal(dangling.code, 1);
  assert.match(dangling.err, /dangling: broken symbolic link/);
});

test('files named on the command line that this tool does not cover are said to be skipped', async () => {
  const dir = tree('walk-ignored');
  write(dir, 'notes.xml', '<notes/>');
  const run = await cli(['notes.xml', 'good/repository/conf/carbon.xml'], dir);
  assert.equal(run.code, 1);
  assert.match(run.err, /notes\.xml: not a configuration file this tool covers, skipped/);
});
