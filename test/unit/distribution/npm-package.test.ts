import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TestServer, fileUri } from '../../lsp/client';
import { projectRoot } from '../../helpers';
import { CARBON_NS, tempDir, write } from '../cli/support';
import { packAndInstall } from './support';

/**
 * The npm package `wso2-config` as a user gets it: scripts/npm-package.mjs assembles and packs it, the tarball is
 * installed with `npm install -g --prefix` into an empty prefix from a temporary folder (offline: the package must need
 * nothing from the registry), and the installed bins run from there, with neither the current folder nor the
 * environment pointing at this repository: the CLI on a written product home (exit code and report), the language
 * server over JSON-RPC on stdio (initialize, didOpen, publishDiagnostics).
 */

const TIMEOUT = { timeout: 90_000 };
const DEFAULT_PASSWORD = 'wso2carbon';
const CUSTOM_PASSWORD = 'Npm-Pkg-Secret-58';

let work: string;
let prefix: string;
let tarball: string;
let env: NodeJS.ProcessEnv;

function carbonXml(keystorePassword: string): string {
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<Server xmlns="${CARBON_NS}">`,
    `  <Ports>`,
    `    <Offset>0</Offset>`,
    `  </Ports>`,
    `  <Security>`,
    `    <KeyStore>`,
    `      <Location>\${carbon.home}/repository/resources/security/wso2carbon.jks</Location>`,
    `      <Type>JKS</Type>`,
    `      <Password>${keystorePassword}</Password>`,
    `      <KeyAlias>wso2carbon</KeyAlias>`,
    `      <KeyPassword>${CUSTOM_PASSWORD}</KeyPassword>`,
    `    </KeyStore>`,
    `  </Security>`,
    `</Server>`,
    ``,
  ].join('\n');
}

before(() => {
  ({ work, prefix, tarball, env } = packAndInstall(tempDir('npm-package')));
});

test('the tarball holds the bundles, bins, schemas and docs, and nothing of the VS Code client', TIMEOUT, (t) => {
  // Reported with the test output: the figure the issue asks for.
  t.diagnostic(`${path.basename(tarball)}: ${fs.statSync(tarball).size} bytes packed`);
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n').map((f) => f.replace(/^package\//, '')).sort();
  for (const expected of [
    'package.json',
    'README.md',
    'CHANGELOG.md',
    'LICENSE',
    'bin/wso2-config-lint',
    'bin/wso2-config-language-server',
    'dist/cli.js',
    'dist/server.js',
    'schemas/settings.schema.json',
    'docs/rules/plaintext-password.md',
    'docs/ci.md',
  ]) {
    assert.ok(files.includes(expected), `${expected} is in the tarball: ${files.join(', ')}`);
  }
  assert.deepEqual(files.filter((f) => /client|\.map$|node_modules|^src\/|\.ts$|syntaxes|images/.test(f)), [], 'no client, source map, source or VS Code asset');

  const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
  const root = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8'));
  assert.equal(manifest.name, 'wso2-config');
  assert.equal(manifest.version, root.version, 'the package has the extension\'s version');
  assert.deepEqual(manifest.bin, { 'wso2-config-lint': 'bin/wso2-config-lint', 'wso2-config-language-server': 'bin/wso2-config-language-server' });
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'main', 'contributes', 'activationEvents', 'scripts']) {
    assert.equal(manifest[field], undefined, `no ${field}: the bundles inline every dependency and nothing runs on install`);
  }
  // The installed package is self-contained: it has no node_modules, and the bundles name no path of this clone.
  const installed = path.join(prefix, 'lib', 'node_modules', 'wso2-config');
  assert.ok(fs.existsSync(path.join(installed, 'dist', 'server.js')));
  assert.equal(fs.existsSync(path.join(installed, 'node_modules')), false);
  for (const bundle of ['cli.js', 'server.js']) {
    assert.equal(fs.readFileSync(path.join(installed, 'dist', bundle), 'utf8').includes(projectRoot()), false, `${bundle} names no path of the repository`);
  }
  assert.ok(fs.realpathSync(path.join(prefix, 'bin', 'wso2-config-lint')).startsWith(fs.realpathSync(prefix)));
});

test('the installed wso2-config-lint lints a written home: exit code, report, settings file, SARIF', TIMEOUT, () => {
  const project = path.join(work, 'project');
  const conf = path.join(project, 'wso2am-2.6.0', 'repository', 'conf');
  write(conf, 'carbon.xml', carbonXml(DEFAULT_PASSWORD));
  const run = (args: string[]) => spawnSync(path.join(prefix, 'bin', 'wso2-config-lint'), args, { cwd: project, env, encoding: 'utf8', timeout: 30_000 });

  const version = run(['--version']);
  assert.equal(version.stdout.trim(), `wso2-config-lint ${JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')).version}`);

  const stylish = run([]);
  assert.equal(stylish.status, 1, `a default keystore password is an error: exit 1\n${stylish.stdout}${stylish.stderr}`);
  assert.match(stylish.stdout, /wso2am-2\.6\.0\/repository\/conf\/carbon\.xml/);
  assert.match(stylish.stdout, /10:17 +error +Plaintext password in Security\/KeyStore\/Password .*plaintext-password/);
  assert.match(stylish.stdout, /12:20 +warning +Plaintext password in Security\/KeyStore\/KeyPassword .*plaintext-password/);
  assert.match(stylish.stdout, /2 problems \(1 error, 1 warning/);
  assert.equal(`${stylish.stdout}${stylish.stderr}`.includes(CUSTOM_PASSWORD), false, 'no secret in the output');

  // The settings file goes through the bundled JSON Schema validation (ajv, inlined): a severity override works...
  write(project, '.wso2config.json', JSON.stringify({ rules: { 'plaintext-password': 'warning' } }));
  const relaxed = run([]);
  assert.equal(relaxed.status, 0, `${relaxed.stdout}${relaxed.stderr}`);
  assert.match(relaxed.stdout, /2 problems \(0 errors, 2 warnings/);
  // ...and an invalid one is a usage error.
  write(project, '.wso2config.json', JSON.stringify({ rules: { 'plaintext-password': 'loud' } }));
  const invalid = run([]);
  assert.equal(invalid.status, 2, `${invalid.stdout}${invalid.stderr}`);
  assert.match(invalid.stderr, /\.wso2config\.json/);
  fs.rmSync(path.join(project, '.wso2config.json'));

  const sarif = run(['--format', 'sarif']);
  assert.equal(sarif.status, 1);
  const log = JSON.parse(sarif.stdout);
  assert.equal(log.version, '2.1.0');
  assert.deepEqual(log.runs[0].results.map((r: { ruleId: string }) => r.ruleId), ['plaintext-password', 'plaintext-password']);
});

test('the installed language server answers initialize and publishes diagnostics for an opened file', TIMEOUT, async () => {
  const project = path.join(work, 'lsp-project');
  const carbon = path.join(project, 'wso2is-5.6.0', 'repository', 'conf', 'carbon.xml');
  const text = carbonXml(DEFAULT_PASSWORD);
  write(path.dirname(carbon), 'carbon.xml', text);
  const server = TestServer.start({ command: { file: path.join(prefix, 'bin', 'wso2-config-language-server'), cwd: work, env } });
  try {
    const init = await server.initialize({ rootPath: project });
    assert.equal(init.serverInfo?.name, 'wso2-config-language-server');
    const uri = fileUri(carbon);
    await server.open(uri, text);
    const published = await server.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0);
    const passwords = published.diagnostics.filter((d) => d.code === 'plaintext-password');
    assert.deepEqual(
      passwords.map((d) => [d.range.start.line, d.range.start.character, d.severity, d.source]),
      [
        [9, 16, 1, 'wso2-config'],
        [11, 19, 2, 'wso2-config'],
      ],
    );
    assert.equal(server.output().includes(CUSTOM_PASSWORD), false, 'no secret in anything the server wrote');
    assert.equal(await server.shutdown(), 0);
  } finally {
    if (server.exitCode === undefined) server.child.kill();
  }
});

test('the README\'s npx forms run the package: `npx -p wso2-config wso2-config-lint` and a project\'s devDependency', TIMEOUT, () => {
  const expected = `wso2-config-lint ${JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')).version}`;
  const readme = fs.readFileSync(path.join(projectRoot(), 'README.md'), 'utf8');
  assert.match(readme, /^npx -p wso2-config wso2-config-lint \./m);
  assert.match(readme, /^npm install --save-dev wso2-config .*`npx wso2-config-lint`/m);
  // No global install on this PATH: npx fetches the package (the tarball stands for the registry's, npm offline).
  const npxEnv = { ...env, PATH: env.PATH!.split(path.delimiter).filter((d) => d !== path.join(prefix, 'bin')).join(path.delimiter), npm_config_offline: 'true', npm_config_update_notifier: 'false' };
  const oneOff = spawnSync('npx', ['--yes', '-p', tarball, 'wso2-config-lint', '--version'], { cwd: work, env: npxEnv, encoding: 'utf8', timeout: 60_000 });
  assert.equal(oneOff.status, 0, `${oneOff.stdout}${oneOff.stderr}`);
  assert.equal(oneOff.stdout.trim(), expected);

  const project = path.join(work, 'dev-dependency');
  write(project, 'package.json', JSON.stringify({ name: 'configs', version: '1.0.0', private: true }));
  const install = spawnSync('npm', ['install', '--save-dev', '--no-audit', '--no-fund', tarball], { cwd: project, env: npxEnv, encoding: 'utf8', timeout: 60_000 });
  assert.equal(install.status, 0, `${install.stdout}${install.stderr}`);
  const local = spawnSync('npx', ['wso2-config-lint', '--version'], { cwd: project, env: npxEnv, encoding: 'utf8', timeout: 60_000 });
  assert.equal(local.status, 0, `${local.stdout}${local.stderr}`);
  assert.equal(local.stdout.trim(), expected);
});
