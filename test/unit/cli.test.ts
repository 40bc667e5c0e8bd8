import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../server/src/cli/main';
import { projectRoot } from '../helpers';

const CARBON_NS = 'http://wso2.org/projects/carbon/carbon.xml';
const PLANTED = 'Zq9-cli-planted-S3cret';
let dir: string;

async function cli(args: string[], cwd = dir): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    const code = await runCli(args, (s) => (out += s), (s) => (err += s));
    return { code, out, err };
  } finally {
    process.chdir(previous);
  }
}

function write(relative: string, text: string): void {
  const file = path.join(dir, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wso2-config-cli-'));
  write('clean/repository/conf/carbon.xml', `<Server xmlns="${CARBON_NS}">\n  <Ports><Offset>0</Offset></Ports>\n</Server>\n`);
  write(
    'dirty/repository/conf/carbon.xml',
    `<Server xmlns="${CARBON_NS}">\n  <Ports><Offset>1</Offset></Ports>\n  <Security><KeyStore><Password>${PLANTED}</Password><KeyPassword>wso2carbon</KeyPassword></KeyStore></Security>\n</Server>\n`,
  );
  write('dirty/repository/conf/notes.xml', '<not-ours/>');
});

after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('a clean product home exits 0 and says so', async () => {
  const { code, out } = await cli(['clean']);
  assert.equal(code, 0);
  assert.match(out, /No problems in 1 configuration file/);
});

test('error findings exit 1 with file:line:col, severity, message and rule id, never the secret', async () => {
  const { code, out, err } = await cli(['dirty']);
  assert.equal(code, 1);
  assert.match(out, /dirty\/repository\/conf\/carbon\.xml/);
  assert.match(out, /3:\d+\s+error\s+.*plaintext-password/);
  assert.ok(!out.includes(PLANTED) && !err.includes(PLANTED), 'the planted password must not be printed');
  assert.ok(!out.includes('wso2carbon'), 'default passwords are not printed either');
});

test('--format json lists findings with positions and rule ids', async () => {
  const { out } = await cli(['--format', 'json', 'dirty']);
  const report = JSON.parse(out) as { filesChecked: number; findings: { ruleId: string; line: number; severity: string }[] };
  assert.equal(report.filesChecked, 1);
  assert.ok(report.findings.length >= 2);
  assert.ok(report.findings.every((f) => f.ruleId === 'plaintext-password' && f.line === 3));
  assert.ok(!out.includes(PLANTED));
});

test('--rule turns a rule off; --quiet drops warnings; --max-warnings makes warnings fail', async () => {
  assert.equal((await cli(['--rule', 'plaintext-password=off', 'dirty'])).code, 0);
  const warningsOnly = await cli(['--rule', 'plaintext-password=warning', 'dirty']);
  assert.equal(warningsOnly.code, 0);
  assert.equal((await cli(['--rule', 'plaintext-password=warning', '--max-warnings', '0', 'dirty'])).code, 1);
  const quiet = await cli(['--rule', 'plaintext-password=warning', '--quiet', 'dirty']);
  assert.match(quiet.out, /No problems/);
});

test('a .wso2config.json in the current folder applies, and an invalid one is a usage error (exit 2)', async () => {
  write('.wso2config.json', '{ "rules": { "plaintext-password": "off" } }');
  try {
    assert.equal((await cli(['dirty'])).code, 0);
    write('.wso2config.json', '{ "rules": { "no-such-rule": "off" } }');
    const bad = await cli(['dirty']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /Unknown rule id "no-such-rule"/);
  } finally {
    fs.rmSync(path.join(dir, '.wso2config.json'));
  }
});

test('homes excluded by the settings do not take part in port conflicts', async () => {
  const carbon = `<Server xmlns="${CARBON_NS}">\n  <Ports><Offset>0</Offset></Ports>\n</Server>\n`;
  write('pair/live/repository/conf/carbon.xml', carbon);
  write('pair/backup/repository/conf/carbon.xml', carbon);
  write('pair/live/repository/conf/tomcat/catalina-server.xml', '<Server port="8005"><Service><Connector port="9443" SSLEnabled="true" sslEnabledProtocols="TLSv1.2" ciphers="TLS_AES_128_GCM_SHA256"/></Service></Server>');
  write('pair/backup/repository/conf/tomcat/catalina-server.xml', '<Server port="8005"><Service><Connector port="9443" SSLEnabled="true" sslEnabledProtocols="TLSv1.2" ciphers="TLS_AES_128_GCM_SHA256"/></Service></Server>');
  const both = await cli(['--format', 'json', 'pair']);
  const conflicts = (JSON.parse(both.out) as { findings: { ruleId: string; path: string }[] }).findings.filter((f) => f.ruleId === 'port-conflict');
  assert.equal(conflicts.length, 2, 'each home reports the other');
  write('.wso2config.json', '{ "exclude": ["pair/backup/**"] }');
  try {
    const excluded = await cli(['--format', 'json', 'pair']);
    const findings = (JSON.parse(excluded.out) as { findings: { ruleId: string; path: string }[] }).findings;
    assert.deepEqual(findings.filter((f) => f.ruleId === 'port-conflict'), []);
    assert.ok(findings.every((f) => !f.path.includes('backup')));
  } finally {
    fs.rmSync(path.join(dir, '.wso2config.json'));
  }
});

test('usage errors exit 2 with a message', async () => {
  assert.equal((await cli(['--format', 'xml', 'dirty'])).code, 2);
  assert.equal((await cli(['--rule', 'nope=off'])).code, 2);
  const missing = await cli(['does-not-exist']);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /No such file or folder/);
  assert.equal((await cli(['--bogus'])).code, 2);
});

test('the bundled bin runs the same engine', () => {
  const bin = path.join(projectRoot(), 'bin', 'wso2-config-lint');
  const dist = path.join(projectRoot(), 'dist', 'cli.js');
  if (!fs.existsSync(dist)) return assert.fail('dist/cli.js is missing: run npm run build');
  const run = spawnSync(process.execPath, [bin, 'dirty'], { cwd: dir, encoding: 'utf8' });
  assert.equal(run.status, 1);
  assert.match(run.stdout, /plaintext-password/);
  assert.ok(!run.stdout.includes(PLANTED) && !run.stderr.includes(PLANTED));
});
