import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliRun, carbonXml, catalinaXml, cli, keystoreBlock, tempDir, write } from './support';

/** Options, formats, exit codes, the progress bar, --fix and the subcommands' routing. */

const WEAK_CIPHERS = 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_RC4_128_SHA';

/** One home: a user password (warning) in carbon.xml, and a catalina-server.xml whose state the test chooses. */
function home(dir: string, name = 'p', catalina = catalinaXml('TLSv1.2', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 9443, 'Opt-Planted-1'), carbonPassword = 'Opt-Planted-2'): void {
  write(dir, `${name}/repository/conf/carbon.xml`, carbonXml(keystoreBlock(carbonPassword)));
  write(dir, `${name}/repository/conf/tomcat/catalina-server.xml`, catalina);
}

function jsonOf(run: CliRun): { filesChecked: number; productHomes: number; errorCount: number; warningCount: number; findings: { ruleId: string; severity: string; path: string; line: number; column: number; endLine: number; endColumn: number; fingerprint: string }[] } {
  return JSON.parse(run.out);
}

test('warnings only: exit 0; --max-warnings below their count: exit 1 with a note; at their count: exit 0', async () => {
  const dir = tempDir('opt-max');
  home(dir);
  const plain = await cli(['--format', 'json', '.'], dir);
  assert.equal(plain.code, 0);
  const report = jsonOf(plain);
  assert.equal(report.errorCount, 0);
  const warnings = report.warningCount;
  assert.ok(warnings >= 3, `3 plaintext passwords are warnings, got ${warnings}`);
  const over = await cli(['--max-warnings', String(warnings - 1), '.'], dir);
  assert.equal(over.code, 1);
  assert.match(over.err, new RegExp(`${warnings} warnings, more than --max-warnings ${warnings - 1}`));
  assert.equal((await cli(['--max-warnings', String(warnings), '.'], dir)).code, 0);
  assert.equal((await cli(['--max-warnings', '-1', '.'], dir)).code, 2);
});

test('--rule changes severities (an error exits 1); --quiet keeps errors only', async () => {
  const dir = tempDir('opt-rule');
  home(dir);
  const errors = await cli(['--format', 'json', '--rule', 'plaintext-password=error', '.'], dir);
  assert.equal(errors.code, 1);
  assert.ok(jsonOf(errors).findings.every((f) => f.ruleId !== 'plaintext-password' || f.severity === 'error'));
  const quiet = await cli(['--format', 'json', '--quiet', '--rule', 'plaintext-password=error', '.'], dir);
  const kept = jsonOf(quiet).findings;
  assert.ok(kept.length >= 3 && kept.every((f) => f.severity === 'error'));
  assert.equal(jsonOf(await cli(['--format', 'json', '--quiet', '.'], dir)).findings.length, 0);
  for (const bad of [['--rule', 'plaintext-password'], ['--rule', 'plaintext-password=loud'], ['--rule', 'nope=off'], ['--tls-profile', 'ancient'], ['--port-offset', 'x']]) {
    const run = await cli([...bad, '.'], dir);
    assert.equal(run.code, 2, bad.join(' '));
    assert.match(run.err, /^wso2-config-lint: /);
  }
});

test('the JSON report is well-formed with no finding, one, and many (it is written in pieces)', async () => {
  const dir = tempDir('opt-json');
  write(dir, 'p/repository/conf/carbon.xml', carbonXml());
  const none = jsonOf(await cli(['--format', 'json', '.'], dir));
  assert.deepEqual([none.filesChecked, none.productHomes, none.findings.length], [1, 1, 0]);
  write(dir, 'p/repository/conf/carbon.xml', carbonXml(keystoreBlock('One-1')));
  assert.deepEqual(jsonOf(await cli(['--format', 'json', '.'], dir)).findings.map((f) => f.line), [10, 12], 'Password and KeyPassword');
  for (let i = 0; i < 30; i++) write(dir, `h${i}/repository/conf/carbon.xml`, carbonXml(keystoreBlock('x', 'y'), i));
  const many = jsonOf(await cli(['--format', 'json', '--rule', 'port-conflict=off', '.'], dir));
  assert.equal(many.findings.length, 62);
  assert.ok(many.findings.every((f) => /^[0-9a-f]{64}$/.test(f.fingerprint)));
});

test('--output writes the report to a file (nothing on stdout); an unwritable one is an I/O error (2)', async () => {
  const dir = tempDir('opt-output');
  home(dir);
  const run = await cli(['--format', 'sarif', '--output', 'report.sarif', '.'], dir);
  assert.equal(run.code, 0);
  assert.equal(run.out, '');
  const log = JSON.parse(fs.readFileSync(path.join(dir, 'report.sarif'), 'utf8')) as { version: string };
  assert.equal(log.version, '2.1.0');
  const bad = await cli(['--output', path.join(dir, 'no-such-folder', 'r.txt'), '.'], dir);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /cannot write .*r\.txt \(ENOENT\)/);
});

test('stylish: file, line:column, severity, message, rule id, then a summary with counts', async () => {
  const dir = tempDir('opt-stylish');
  home(dir, 'p', catalinaXml('TLSv1.2', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 9443, 'wso2carbon'));
  const run = await cli(['.'], dir);
  assert.equal(run.code, 1);
  const lines = run.out.split('\n');
  assert.equal(lines[0], 'p/repository/conf/carbon.xml');
  assert.match(lines[1], /^ {2}10:17 +warning +Plaintext password in .*Security\/KeyStore\/Password.* {2}plaintext-password$/);
  const catalina = lines.indexOf('p/repository/conf/tomcat/catalina-server.xml');
  assert.ok(catalina > 0);
  assert.match(lines[catalina + 1], /^ {2}10:34 +error +Plaintext password .*keystorePass.* {2}plaintext-password$/);
  assert.match(run.out, /\n3 problems \(1 error, 2 warnings, 0 infos\) in 2 configuration files of 1 product home\.\n$/);
});

test('a progress bar is drawn on a terminal for large trees, never when stderr is piped', async () => {
  const dir = tempDir('opt-progress');
  for (let i = 0; i < 60; i++) write(dir, `h${String(i).padStart(2, '0')}/repository/conf/carbon.xml`, carbonXml('', i));
  const tty = await cli(['.'], dir, { stderrIsTTY: true, columns: 100 });
  assert.equal(tty.code, 0);
  assert.match(tty.err, /\r\u001b\[2K\[[#-]+\] \d+\/60/);
  assert.ok(tty.err.endsWith('\r\u001b[2K'), 'the bar is cleared before the report');
  assert.ok(!tty.out.includes('\r'), 'the report itself has no control characters');
  const piped = await cli(['.'], dir);
  assert.equal(piped.err, '');
  const small = tempDir('opt-progress-small');
  write(small, 'p/repository/conf/carbon.xml', carbonXml());
  assert.equal((await cli(['.'], small, { stderrIsTTY: true })).err, '', 'a small tree gets no bar');
});

test('--fix sets the TLS lists in place, leaves passwords alone, and a second run changes nothing', async () => {
  const dir = tempDir('opt-fix');
  const original = catalinaXml('TLSv1,TLSv1.2', WEAK_CIPHERS, 9443, 'Fix-Planted-3');
  home(dir, 'p', original);
  // API Manager 2.6.0 supports Java 8 only: the fixes write what every Java 8 accepts (no TLS 1.3, no ChaCha20).
  write(dir, 'p/repository/conf/carbon.xml', carbonXml(`  <Name>WSO2 API Manager</Name>\n  <ServerKey>AM</ServerKey>\n  <Version>2.6.0</Version>\n${keystoreBlock('Opt-Planted-2')}`));
  const file = path.join(dir, 'p/repository/conf/tomcat/catalina-server.xml');
  fs.chmodSync(file, 0o640);
  const before = jsonOf(await cli(['--format', 'json', '.'], dir)).findings.map((f) => f.ruleId);
  assert.ok(before.includes('weak-tls-protocol') && before.includes('weak-tls-ciphers'));

  const fixed = await cli(['--fix', '--format', 'json', '.'], dir);
  assert.match(fixed.err, /fixed p\/repository\/conf\/tomcat\/catalina-server\.xml: Set sslEnabledProtocols to TLSv1\.2 \(what Java 8 can use\); Set ciphers to the intermediate profile's 6 of 12 cipher suites \(what Java 8 can use\)/);
  assert.doesNotMatch(fs.readFileSync(file, 'utf8'), /TLSv1\.3|TLS_AES_|CHACHA20/);
  const after = jsonOf(fixed).findings.map((f) => f.ruleId);
  assert.ok(!after.includes('weak-tls-protocol') && !after.includes('weak-tls-ciphers'), 'the report shows what is left');
  assert.ok(after.includes('plaintext-password'));
  const text = fs.readFileSync(file, 'utf8');
  const changed = text.split('\n').filter((line, i) => line !== original.split('\n')[i]);
  assert.deepEqual(changed.map((l) => l.trim().split('=')[0]), ['sslEnabledProtocols', 'ciphers'], 'only the two lists changed');
  assert.match(text, /keystorePass="Fix-Planted-3"/, 'passwords change only through encrypt');
  assert.equal(fs.statSync(file).mode & 0o777, 0o640, 'the file keeps its mode');
  assert.deepEqual(fs.readdirSync(path.dirname(file)), ['catalina-server.xml'], 'no temporary file is left behind');

  const again = await cli(['--fix', '.'], dir);
  assert.ok(!again.err.includes('fixed'));
  assert.equal(fs.readFileSync(file, 'utf8'), text);
});

test('--fix leaves a file with a syntax error alone and says why', async () => {
  const dir = tempDir('opt-fix-broken');
  const broken = catalinaXml('TLSv1', WEAK_CIPHERS).replace('</Service>', '</Service><Oops>');
  home(dir, 'p', broken);
  const run = await cli(['--fix', '.'], dir);
  assert.match(run.err, /catalina-server\.xml: not fixed, it has an XML syntax error/);
  assert.equal(fs.readFileSync(path.join(dir, 'p/repository/conf/tomcat/catalina-server.xml'), 'utf8'), broken);
});

test('ports and encrypt are subcommands; --help names them; --version and --list-rules exit 0', async () => {
  const dir = tempDir('opt-sub');
  home(dir);
  const help = await cli(['--help'], dir);
  assert.equal(help.code, 0);
  assert.match(help.out, /wso2-config-lint ports/);
  assert.match(help.out, /wso2-config-lint encrypt/);
  assert.match(help.out, /--format stylish\|json\|sarif/);
  assert.match((await cli(['--version'], dir)).out, /^wso2-config-lint \d+\.\d+\.\d+\n$/);
  const rules = await cli(['--list-rules'], dir);
  assert.match(rules.out, /plaintext-password/);
  assert.match(rules.out, /file-not-analysed/);
  const ports = await cli(['ports', '--format', 'json', '.'], dir);
  assert.equal(ports.code, 0, ports.err);
  assert.ok(JSON.parse(ports.out), 'the ports command answered with its JSON table');
  const encryptHelp = await cli(['encrypt', '--help'], dir);
  assert.equal(encryptHelp.code, 0);
  assert.match(encryptHelp.out, /WSO2_KEYSTORE_PASSWORD/);
  assert.equal((await cli(['encrypt'], dir)).code, 2, 'encrypt needs a home');
});
