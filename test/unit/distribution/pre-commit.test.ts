import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../../helpers';
import { CARBON_NS, adminUserMgtXml, mysqlDatasourcesXml, tempDir, write } from '../cli/support';
import { javaCheck, keytoolGenerate } from '../secure-vault/support';
import { parse, stringify } from 'yaml';
import { InstalledPackage, hasCommand, isolatedEnv, packAndInstall } from './support';

/**
 * The repository's .pre-commit-hooks.yaml run by the real pre-commit (Debian package `pre-commit`) on a scratch git
 * repository: a product home with plaintext passwords is staged and the commit is refused; after
 * `wso2-config-lint encrypt` (on a JKS keystore keytool made) the same commit goes through, and the JDK decrypts what
 * was committed. The hooks are `language: system`: they use the wso2-config-lint of the npm package, installed from its
 * tarball; pre-commit downloads nothing (PRE_COMMIT_HOME is a fresh folder and the hook repository a local clone).
 */

const missing = ['pre-commit', 'git', 'keytool', 'java'].filter((c) => !hasCommand(c));
const SKIP = missing.length > 0 ? `needs ${missing.join(', ')} (scripts/e2e/install-system.sh installs them)` : false;
const TIMEOUT = { timeout: 100_000, skip: SKIP };

const STORE_PASSWORD = 'Pc-Store-Pass-31';
const ADMIN_PASSWORD = 'Pc-Admin-Secret-64';
const DATASOURCE_PASSWORD = 'Pc-Ds-Secret-75';
const SECRETS = [STORE_PASSWORD, ADMIN_PASSWORD, DATASOURCE_PASSWORD];
const HOME = 'wso2am-2.6.0';

let installed: InstalledPackage;
let project: string;
let env: NodeJS.ProcessEnv;

function run(file: string, args: string[], cwd = project, runEnv = env) {
  const result = spawnSync(file, args, { cwd, env: runEnv, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

/** The YAML blocks of docs/pre-commit.md: the configurations it tells users to write. */
function documentedConfigs(): any[] {
  const markdown = fs.readFileSync(path.join(projectRoot(), 'docs', 'pre-commit.md'), 'utf8');
  return [...markdown.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => parse(m[1]));
}

function git(...args: string[]) {
  return run('git', args);
}

function assertNoSecret(output: string, what: string): void {
  for (const secret of SECRETS) assert.equal(output.includes(secret), false, `${what} shows no password`);
}

/** A product home with plaintext passwords in three files, its carbon.xml naming a JKS keystore keytool made. */
function writeHome(project: string): void {
  const conf = path.join(project, HOME, 'repository', 'conf');
  const security = path.join(project, HOME, 'repository', 'resources', 'security');
  keytoolGenerate(security, 'wso2carbon.jks', { type: 'JKS', alias: 'wso2carbon', storePassword: STORE_PASSWORD });
  write(conf, 'carbon.xml', [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<Server xmlns="${CARBON_NS}">`,
    `    <Ports>`,
    `        <Offset>0</Offset>`,
    `    </Ports>`,
    `    <Security>`,
    `        <KeyStore>`,
    `            <Location>\${carbon.home}/repository/resources/security/wso2carbon.jks</Location>`,
    `            <Type>JKS</Type>`,
    `            <Password>${STORE_PASSWORD}</Password>`,
    `            <KeyAlias>wso2carbon</KeyAlias>`,
    `            <KeyPassword>${STORE_PASSWORD}</KeyPassword>`,
    `        </KeyStore>`,
    `    </Security>`,
    `</Server>`,
    ``,
  ].join('\n'));
  write(conf, 'user-mgt.xml', adminUserMgtXml(ADMIN_PASSWORD, true));
  write(conf, 'datasources/master-datasources.xml', mysqlDatasourcesXml('db.example.invalid', DATASOURCE_PASSWORD));
}

before(() => {
  if (SKIP) return;
  const dir = tempDir('pre-commit');
  installed = packAndInstall(dir);
  env = {
    ...installed.env,
    PRE_COMMIT_HOME: path.join(dir, 'pre-commit-cache'),
    GIT_AUTHOR_NAME: 'wso2-config test',
    GIT_AUTHOR_EMAIL: 'test@example.invalid',
    GIT_COMMITTER_NAME: 'wso2-config test',
    GIT_COMMITTER_EMAIL: 'test@example.invalid',
    GIT_CONFIG_NOSYSTEM: '1',
  };

  // The hook repository: this repository's .pre-commit-hooks.yaml, committed in a local git repository.
  const hooks = path.join(dir, 'hooks-repo');
  fs.mkdirSync(hooks);
  fs.copyFileSync(path.join(projectRoot(), '.pre-commit-hooks.yaml'), path.join(hooks, '.pre-commit-hooks.yaml'));
  const inHooks = (...args: string[]) => execFileSync('git', args, { cwd: hooks, env, stdio: 'pipe', encoding: 'utf8' });
  inHooks('init', '-q');
  inHooks('add', '.pre-commit-hooks.yaml');
  inHooks('commit', '-q', '-m', 'hooks');
  const rev = inHooks('rev-parse', 'HEAD').trim();

  project = path.join(installed.work, 'configs');
  writeHome(project);
  // docs/pre-commit.md's configuration, pointed at the local hook repository.
  const config = documentedConfigs()[0];
  assert.equal(config.repos[0].repo, 'https://github.com/wso2-config/wso2-config');
  config.repos[0].repo = hooks;
  config.repos[0].rev = rev;
  write(project, '.pre-commit-config.yaml', stringify(config));
  execFileSync('git', ['init', '-q'], { cwd: project, env, stdio: 'pipe' });
  const install = run('pre-commit', ['install']);
  assert.equal(install.status, 0, install.output);
});

test('pre-commit refuses a commit with plaintext passwords, and takes it once wso2-config-lint encrypt ran', TIMEOUT, () => {
  assert.equal(git('add', '-A').status, 0);
  const refused = git('commit', '-m', 'product home with plaintext passwords');
  assert.notEqual(refused.status, 0, `the commit is refused:\n${refused.output}`);
  assert.match(refused.output, /wso2-config-lint \(WSO2 configuration\)\.+Failed/);
  // Every staged password is reported as an error (the hook's args), the non-default ones included.
  assert.match(refused.output, /carbon\.xml[\s\S]*10:\d+ +error +Plaintext password in Security\/KeyStore\/Password/);
  assert.match(refused.output, /user-mgt\.xml[\s\S]*7:\d+ +error +Plaintext password in Realm\/Configuration\/AdminUser\/Password/);
  assert.match(refused.output, /master-datasources\.xml[\s\S]*9:\d+ +error +Plaintext password in datasources/);
  assertNoSecret(refused.output, 'the refused commit');
  assert.notEqual(git('rev-parse', '--verify', '-q', 'HEAD').status, 0, 'nothing was committed');

  // The manual-stage preview: a masked diff of what encrypt would change; nothing changes.
  const before = fs.readFileSync(path.join(project, HOME, 'repository', 'conf', 'user-mgt.xml'), 'utf8');
  const preview = run('pre-commit', ['run', 'wso2-config-encrypt-dry-run', '--hook-stage', 'manual']);
  assert.equal(preview.status, 0, preview.output);
  assert.match(preview.output, /\+\+\+ .*user-mgt\.xml/);
  assert.match(preview.output, /^-.*<Password>\*{8}<\/Password>/m);
  assert.match(preview.output, /^\+.*svns:secretAlias="UserManager\.AdminUser\.Password"/m);
  assertNoSecret(preview.output, 'the dry run');
  assert.equal(fs.readFileSync(path.join(project, HOME, 'repository', 'conf', 'user-mgt.xml'), 'utf8'), before, 'the dry run changes nothing');

  const encrypt = run('wso2-config-lint', ['encrypt', HOME]);
  assert.equal(encrypt.status, 0, encrypt.output);
  assertNoSecret(encrypt.output, 'encrypt');

  assert.equal(git('add', '-A').status, 0);
  const accepted = git('commit', '-m', 'passwords encrypted with Secure Vault');
  assert.equal(accepted.status, 0, `the commit goes through:\n${accepted.output}`);
  assert.match(accepted.output, /wso2-config-lint \(WSO2 configuration\)\.+Passed/);
  const tree = git('ls-tree', '-r', '--name-only', 'HEAD').output;
  assert.match(tree, /repository\/conf\/security\/cipher-text\.properties/);
  // The only plaintext left in the commit is none: git grep finds no password in HEAD.
  for (const secret of SECRETS) assert.notEqual(git('grep', '-q', '-F', secret, 'HEAD').status, 0, 'no password in the commit');
  // And the JDK decrypts the committed ciphertexts back to the passwords (Secure Vault's RSA with the keystore's key).
  const home = path.join(project, HOME);
  const check = javaCheck(path.join(home, 'repository', 'conf'), home, STORE_PASSWORD, STORE_PASSWORD);
  assert.equal(check.decrypted.get('UserManager.AdminUser.Password'), ADMIN_PASSWORD);
  assert.equal(check.decrypted.get('Carbon.Security.KeyStore.Password'), STORE_PASSWORD);
});

test('the documented repo: local hook (language: node) installs the package into pre-commit\'s environment and refuses the commit', TIMEOUT, () => {
  const config = documentedConfigs()[1];
  const hook = config.repos[0].hooks[0];
  assert.equal(config.repos[0].repo, 'local');
  assert.equal(hook.language, 'node');
  const version = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')).version;
  assert.deepEqual(hook.additional_dependencies, [`wso2-config@${version}`], 'the documented version is the current one');
  // The same files and default args as the repository's hook (whose pattern is written in verbose mode).
  const manifest = parse(fs.readFileSync(path.join(projectRoot(), '.pre-commit-hooks.yaml'), 'utf8'));
  const lintHook = manifest.find((h: { id: string }) => h.id === 'wso2-config-lint');
  assert.equal(hook.files, lintHook.files.replace(/^\(\?x\)/, '').replace(/\s+/g, ''));
  assert.deepEqual(hook.args, lintHook.args);
  // The registry's package is the tarball here; npm runs offline and wso2-config-lint is on no PATH but pre-commit's.
  hook.additional_dependencies = [installed.tarball];
  const dir = path.join(installed.work, 'local-hook');
  const localEnv: NodeJS.ProcessEnv = { ...isolatedEnv(path.join(dir, 'home'), []), PRE_COMMIT_HOME: path.join(dir, 'cache'), npm_config_offline: 'true' };
  for (const key of ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL', 'GIT_CONFIG_NOSYSTEM']) localEnv[key] = env[key];
  const repo = path.join(dir, 'configs');
  writeHome(repo);
  write(repo, '.pre-commit-config.yaml', stringify(config));
  assert.equal(run('git', ['init', '-q'], repo, localEnv).status, 0);
  assert.equal(run('pre-commit', ['install'], repo, localEnv).status, 0);
  assert.equal(run('git', ['add', '-A'], repo, localEnv).status, 0);
  const refused = run('git', ['commit', '-m', 'plaintext passwords'], repo, localEnv);
  assert.notEqual(refused.status, 0, refused.output);
  assert.match(refused.output, /wso2-config-lint \(WSO2 configuration\)\.+Failed/);
  assert.match(refused.output, /user-mgt\.xml[\s\S]*7:\d+ +error +Plaintext password in Realm\/Configuration\/AdminUser\/Password/);
  assertNoSecret(refused.output, 'the refused commit');
  // pre-commit's node environment holds the package: nodeenv with the system node, the bins installed by npm.
  const bins = fs.readdirSync(localEnv.PRE_COMMIT_HOME!, { recursive: true, encoding: 'utf8' }).filter((p) => p.endsWith(path.join('node_env-system', 'bin', 'wso2-config-lint')));
  assert.equal(bins.length, 1, 'one node environment (system node) with wso2-config-lint');
});
