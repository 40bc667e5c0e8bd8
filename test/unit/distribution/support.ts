import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../../helpers';

/** Shared by the distribution tests: the npm package packed by scripts/npm-package.mjs and installed as a user would. */

export interface InstalledPackage {
  /** The tarball, copied into the user's folder. */
  readonly tarball: string;
  /** The `npm install -g --prefix` folder; its bin/ holds wso2-config-lint and wso2-config-language-server. */
  readonly prefix: string;
  /** The user's folder: outside this repository, the current folder of every command. */
  readonly work: string;
  /** An environment with the prefix's bin/ and node on the PATH and nothing of this repository or of npm run. */
  readonly env: NodeJS.ProcessEnv;
}

/** An environment with nothing of this repository or of the npm run that started the tests. */
export function isolatedEnv(home: string, binDirs: string[]): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|NODE_PATH$|NODE_OPTIONS$|INIT_CWD$|WSO2_CONFIG_ROOT$|WSO2_KEYSTORE_PASSWORD$|GIT_|PRE_COMMIT)/i.test(key)) continue;
    clean[key] = value;
  }
  // node itself (for the bins' `#!/usr/bin/env node`) and the system tools; no node_modules/.bin of the repository.
  clean.PATH = [...binDirs, path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter);
  clean.HOME = home;
  clean.npm_config_cache = path.join(home, '.npm');
  fs.mkdirSync(home, { recursive: true });
  return clean;
}

/** Runs scripts/npm-package.mjs with its staging folder and tarball under `dir`; returns the tarball's path. */
export function packTarball(dir: string): string {
  return execFileSync(
    process.execPath,
    [path.join(projectRoot(), 'scripts', 'npm-package.mjs'), '--stage', path.join(dir, 'stage'), '--pack-destination', path.join(dir, 'packed')],
    { cwd: projectRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  ).trim();
}

/** Packs the npm package into `dir` and installs the tarball offline into an empty prefix there, from a user folder. */
export function packAndInstall(dir: string): InstalledPackage {
  const printed = packTarball(dir);
  const work = path.join(dir, 'user');
  const prefix = path.join(dir, 'prefix');
  fs.mkdirSync(work);
  const tarball = path.join(work, path.basename(printed));
  fs.copyFileSync(printed, tarball);
  const env = isolatedEnv(path.join(dir, 'home'), [path.join(prefix, 'bin')]);
  // Offline: the package must need nothing from the registry.
  execFileSync('npm', ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball], { cwd: work, env, stdio: 'pipe' });
  return { tarball, prefix, work, env };
}

/** Whether a command is on the PATH. */
export function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
