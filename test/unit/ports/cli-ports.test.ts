import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runPortsCommand } from '../../../server/src/cli/ports';
import { enterpriseIntegrator, twoProductsAtZero } from './fixtures';

/** `wso2-config-lint ports` on homes written to a temporary folder. */

let dir: string;

async function ports(args: string[], cwd = dir): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    const code = await runPortsCommand(args, (s) => (out += s), (s) => (err += s));
    return { code, out, err };
  } finally {
    process.chdir(previous);
  }
}

function writeAll(under: string, files: Record<string, string>): void {
  for (const [absolute, text] of Object.entries(files)) {
    const file = path.join(dir, under, absolute.replace(/^\/ws\//, ''));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
}

before(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'wso2-config-ports-')));
  writeAll('clash', twoProductsAtZero());
  writeAll('ei', enterpriseIntegrator());
});

after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('two products at offset 0: the table, the conflict, exit code 1', async () => {
  const { code, out, err } = await ports(['clash']);
  assert.equal(err, '');
  assert.equal(code, 1);
  const lines = out.split('\n');
  assert.equal(lines[0], 'WSO2 API Manager  clash/wso2am-2.6.0');
  assert.equal(lines[1], '  Port offset 0 (carbon.xml line 8); detected by conf/api-manager.xml');
  assert.match(out, /\n {2}Tomcat connector \(https\) +9443 +9443 +tomcat\/catalina-server\.xml:4 +\+ offset\n/);
  assert.ok(out.includes('\nWSO2 Identity Server  clash/wso2is-5.6.0\n'));
  assert.ok(out.includes('\nConflicts:\n  clash/wso2am-2.6.0 (offset 0) and clash/wso2is-5.6.0 (offset 0) both open 8000 (embedded Kerberos KDC in carbon.xml), 9443'));
  assert.ok(out.includes('  Lowest offset for clash/wso2am-2.6.0 that collides with no other home: 1.\n'));
});

test('EI with its profiles at 0, 2 and 3: no conflict, exit code 0, product defaults of the broker profile', async () => {
  const { code, out } = await ports(['ei']);
  assert.equal(code, 0);
  assert.ok(out.includes('WSO2 Enterprise Integrator (broker profile)  ei/wso2ei-6.5.0/wso2/broker\n  Port offset 3 (carbon.xml line 8);'));
  assert.match(out, /\n {2}https transport receiver \(not a listener\) +9445 +9443 +axis2\/axis2\.xml:6 +Tomcat https port \+ offset\n/);
  assert.match(out, /\n {2}MQTT listener +1886 +1883 +broker\.xml +default \+ offset +\[1\]\n/);
  assert.ok(out.endsWith('No conflicts: no two homes open the same port.\n'));
});

test('--port-offset overrides every home; --format json and markdown', async () => {
  const json = await ports(['--port-offset', '5', '--format', 'json', 'clash/wso2am-2.6.0']);
  assert.equal(json.code, 0);
  const report = JSON.parse(json.out) as { homes: { home: string; offset: { value: number; source: string }; ports: { label: string; effective: number }[] }[] };
  assert.equal(report.homes.length, 1);
  assert.deepEqual(report.homes[0].offset, { value: 5, source: 'setting', carbonXmlLine: 8, carbonXmlPath: 'clash/wso2am-2.6.0/repository/conf/carbon.xml' });
  assert.equal(report.homes[0].ports.find((p) => p.label === 'Tomcat connector (https)')?.effective, 9448);
  // Each port's file (shown like the homes) and the columns of its value, for viewers that open it.
  const https = report.homes[0].ports.find((p) => p.label === 'Tomcat connector (https)') as unknown as { path: string; line: number; column: number; endColumn: number };
  const text = fs.readFileSync(path.join(dir, https.path), 'utf8').split('\n')[https.line - 1];
  assert.equal(https.path, 'clash/wso2am-2.6.0/repository/conf/tomcat/catalina-server.xml');
  assert.equal(text.slice(https.column - 1, https.endColumn - 1), '9443');
  const markdown = await ports(['--format', 'markdown', 'clash']);
  assert.equal(markdown.code, 1);
  assert.ok(markdown.out.startsWith('# Effective ports\n'));
  assert.ok(markdown.out.includes('| `clash/wso2is-5.6.0` | WSO2 Identity Server | 0 (carbon.xml) |'));
});

test('a settings file excluding a home keeps it out of the table and the conflicts', async () => {
  fs.writeFileSync(path.join(dir, 'exclude.json'), JSON.stringify({ exclude: ['clash/wso2is-5.6.0/**'] }));
  const { code, out } = await ports(['--config', 'exclude.json', 'clash']);
  assert.equal(code, 0);
  assert.ok(!out.includes('wso2is-5.6.0'));
});

test('usage errors exit 2', async () => {
  assert.equal((await ports(['--format', 'html', 'clash'])).code, 2);
  const missing = await ports(['no-such-folder']);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /^wso2-config-lint ports: No such file or folder: .*no-such-folder\n/);
  assert.equal((await ports(['--port-offset', 'two'])).code, 2);
  const help = await ports(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /^Usage: wso2-config-lint ports/);
});

test('a folder without product homes says so', async () => {
  fs.mkdirSync(path.join(dir, 'empty'), { recursive: true });
  const { code, out } = await ports(['empty']);
  assert.equal(code, 0);
  assert.equal(out, 'No product home (a folder with repository/conf/carbon.xml or conf/carbon.xml) found.\n');
});
