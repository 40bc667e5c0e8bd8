import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { projectRoot } from '../../helpers';
import { tempDir } from '../cli/support';
import { isolatedEnv, packTarball } from './support';

/**
 * The CI recipes of docs/ci/: well-formed YAML, the shape code scanning needs (permissions, the SARIF file uploaded is
 * the one the lint step writes, uploaded also when that step fails), the commands they run are the ones the README
 * documents, and those commands, run with bash as the CI runner would, succeed on a copy of examples/: the install
 * step (the registry's package replaced by the packed tarball, npm offline), then the lint step writing a SARIF log
 * whose results point at files of the checkout.
 */

const GITHUB = 'docs/ci/github-code-scanning.yml';
const GITLAB = 'docs/ci/gitlab-ci.yml';
const TIMEOUT = { timeout: 60_000 };

type Yaml = any;

function load(relative: string): Yaml {
  const document = parseDocument(fs.readFileSync(path.join(projectRoot(), relative), 'utf8'), { uniqueKeys: true, strict: true, prettyErrors: true });
  assert.deepEqual(document.errors.map(String), [], `${relative} parses`);
  assert.deepEqual(document.warnings.map(String), [], `${relative} parses without warnings`);
  return document.toJS();
}

/** Every line of the README's fenced code blocks. */
function readmeCodeLines(): Set<string> {
  const readme = fs.readFileSync(path.join(projectRoot(), 'README.md'), 'utf8');
  const lines = new Set<string>();
  for (const block of readme.matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)) for (const line of block[1].split('\n')) lines.add(line.trim());
  return lines;
}

let github: Yaml;
let gitlab: Yaml;
const version = () => JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')).version as string;
const packageName = () => JSON.parse(fs.readFileSync(path.join(projectRoot(), 'packages', 'cli', 'package.json'), 'utf8')).name as string;

before(() => {
  github = load(GITHUB);
  gitlab = load(GITLAB);
});

function githubRuns(): string[] {
  return github.jobs['wso2-config-lint'].steps.filter((s: Yaml) => s.run !== undefined).map((s: Yaml) => String(s.run).trim());
}

test('the GitHub workflow runs on push and pull requests, may write code scanning alerts, and uploads the file the lint step writes', () => {
  assert.ok(github.on.push && 'pull_request' in github.on);
  assert.equal(github.permissions['security-events'], 'write');
  assert.equal(github.permissions.contents, 'read');
  const steps: Yaml[] = github.jobs['wso2-config-lint'].steps;
  const setupNode = steps.find((s) => String(s.uses).startsWith('actions/setup-node@'));
  const engines = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'packages', 'cli', 'package.json'), 'utf8')).engines.node as string;
  assert.ok(Number(setupNode.with['node-version']) >= Number(/\d+/.exec(engines)![0]), 'a Node the package supports');
  const lintIndex = steps.findIndex((s) => String(s.run ?? '').startsWith('wso2-config-lint '));
  const uploadIndex = steps.findIndex((s) => String(s.uses).startsWith('github/codeql-action/upload-sarif@'));
  assert.ok(lintIndex >= 0 && uploadIndex > lintIndex, 'lint, then upload');
  const output = /--output (\S+)/.exec(steps[lintIndex].run)![1];
  assert.match(steps[lintIndex].run, /--format sarif/);
  assert.equal(steps[uploadIndex].with.sarif_file, output);
  assert.match(steps[uploadIndex].if, /failure\(\)/, 'uploaded also when error findings fail the lint step');
});

test('the GitLab job keeps the SARIF log the lint step writes, also when it fails', () => {
  const job = gitlab['wso2-config-lint'];
  const output = /--output (\S+)/.exec(job.script.find((c: string) => c.startsWith('wso2-config-lint ')))![1];
  assert.deepEqual(job.artifacts.paths, [output]);
  assert.equal(job.artifacts.when, 'always');
  assert.match(job.image, /^node:(\d+)$/);
});

test('the recipes run the commands the README documents, with the current package and version', () => {
  const documented = readmeCodeLines();
  const gitlabScript: string[] = gitlab['wso2-config-lint'].script;
  for (const command of [...githubRuns(), ...gitlabScript]) assert.ok(documented.has(command), `README documents \`${command}\``);
  assert.deepEqual(gitlabScript, githubRuns(), 'GitLab runs the same commands');
  const install = githubRuns().find((c) => c.startsWith('npm install'))!;
  assert.equal(install, `npm install -g ${packageName()}@${version()}`);
});

test('the recipe\'s commands succeed on a copy of examples/', TIMEOUT, () => {
  const dir = tempDir('ci-recipe');
  const tarball = packTarball(dir);
  const checkout = path.join(dir, 'checkout');
  fs.cpSync(path.join(projectRoot(), 'examples'), checkout, { recursive: true });
  const prefix = path.join(dir, 'runner-prefix');
  const env = { ...isolatedEnv(path.join(dir, 'home'), [path.join(prefix, 'bin')]), npm_config_prefix: prefix, npm_config_offline: 'true' };
  const results = githubRuns().map((command) => {
    // The published package is the tarball here (same name and version).
    const runnable = command.replace(`${packageName()}@${version()}`, tarball);
    const result = spawnSync('bash', ['-e', '-c', runnable], { cwd: checkout, env, encoding: 'utf8', timeout: 30_000 });
    return { command, status: result.status, output: `${result.stdout}${result.stderr}` };
  });
  const [install, lint] = results;
  assert.equal(install.status, 0, install.output);
  // The samples hold default passwords: error findings, exit 1, which fails the job after writing the log.
  assert.equal(lint.status, 1, lint.output);
  const sarifFile = path.join(checkout, /--output (\S+)/.exec(lint.command)![1]);
  const log = JSON.parse(fs.readFileSync(sarifFile, 'utf8'));
  assert.equal(log.version, '2.1.0');
  const run = log.runs[0];
  assert.equal(run.tool.driver.name, 'wso2-config-lint');
  assert.equal(run.tool.driver.version, version());
  assert.ok(run.results.length > 10, `findings on the samples: ${run.results.length}`);
  assert.ok(run.results.some((r: Yaml) => r.level === 'error' && r.ruleId === 'plaintext-password'));
  for (const result of run.results) {
    const location = result.locations[0].physicalLocation;
    assert.equal(location.artifactLocation.uriBaseId, 'SRCROOT');
    assert.ok(!location.artifactLocation.uri.startsWith('/') && !location.artifactLocation.uri.includes(':'), 'relative to the checkout');
    assert.ok(fs.existsSync(path.join(checkout, decodeURIComponent(location.artifactLocation.uri))), `${location.artifactLocation.uri} is a file of the checkout`);
    assert.ok(location.region.startLine >= 1);
  }
});
