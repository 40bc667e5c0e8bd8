import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { projectRoot } from '../helpers';

/**
 * Shared by the end-to-end tests (code-server + Chromium, the extension-host suite, Neovim): a private run folder under
 * `.tmp/e2e/`, a fresh copy of `examples/` with a keystore the Secure Vault fix can encrypt to, the packaged VSIX
 * installed into a fresh profile, and child processes that each lead their own process group so that one
 * `kill(-pgid)` ends them and everything they started (code-server leaves file watchers behind otherwise).
 *
 * Nothing is written outside the run folder: HOME, TMPDIR and XDG_* of every child point inside it.
 * The one exception is the code-server install, a tool cache (scripts/e2e/install-code-server.sh).
 */

export const ROOT = projectRoot();
/** The packaged extension under test (`npm run package`); WSO2_E2E_VSIX points elsewhere. */
export const VSIX = process.env.WSO2_E2E_VSIX ?? path.join(ROOT, 'wso2-config.vsix');
export const EXTENSION_ID = 'wso2-config.wso2-config';
/** The keystore carbon.xml of every sample home names, with its public default alias and passwords. */
export const KEYSTORE = { alias: 'wso2carbon', password: 'wso2carbon' };
/** Kept runs: older run folders are removed when a new run starts. */
const KEEP_RUNS = 6;

/** True in CI: a missing tool is then a failure, not a skip. */
export const IN_CI = !!process.env.CI;

export interface Run {
  readonly name: string;
  readonly dir: string;
  /** Screenshots, logs and results worth looking at after the run. */
  readonly artefacts: string;
  /** HOME, TMPDIR and XDG_* inside the run folder, over the current environment. */
  readonly env: NodeJS.ProcessEnv;
  log(message: string): void;
}

const started = Date.now();
/** Process groups still alive; killed when the test process exits, whatever the reason. */
const liveGroups = new Set<number>();
process.on('exit', () => {
  for (const pgid of liveGroups) killGroupNow(pgid, 'SIGKILL');
});

export function newRun(name: string): Run {
  const base = path.join(ROOT, '.tmp', 'e2e');
  fs.mkdirSync(base, { recursive: true });
  pruneOldRuns(base);
  // Short: Chromium and VS Code put Unix sockets (at most 107 bytes of path) under TMPDIR and the profile.
  const dir = fs.mkdtempSync(path.join(base, `${name}-`));
  const artefacts = path.join(dir, 'artefacts');
  const home = path.join(dir, 'home');
  for (const sub of ['artefacts', 'home', 'tmp', 'xdg/config', 'xdg/data', 'xdg/cache', 'xdg/state']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  // Chromium's SingletonSocket lands ~60 bytes below TMPDIR: a project in a deep folder gets a TMPDIR in the system's.
  let tmp = path.join(dir, 'tmp');
  if (tmp.length > 45) {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wso2e2e-'));
    process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    TMPDIR: tmp,
    XDG_CONFIG_HOME: path.join(dir, 'xdg/config'),
    XDG_DATA_HOME: path.join(dir, 'xdg/data'),
    XDG_CACHE_HOME: path.join(dir, 'xdg/cache'),
    XDG_STATE_HOME: path.join(dir, 'xdg/state'),
    // keytool and java: no /tmp/hsperfdata_<user>, temporary files in the run.
    JAVA_TOOL_OPTIONS: `-XX:-UsePerfData -Djava.io.tmpdir=${tmp}`,
  };
  // The test runner's own coverage or inspector flags must not leak into code-server's Node.
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  const logFile = path.join(artefacts, 'harness.log');
  const log = (message: string) => {
    const line = `[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`;
    fs.appendFileSync(logFile, `${line}\n`);
    if (process.env.WSO2_E2E_VERBOSE) process.stderr.write(`${line}\n`);
  };
  return { name, dir, artefacts, env, log };
}

function pruneOldRuns(base: string): void {
  const runs = fs
    .readdirSync(base, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => ({ path: path.join(base, e.name), time: fs.statSync(path.join(base, e.name)).mtimeMs }))
    .sort((a, b) => b.time - a.time);
  // A run younger than an hour may belong to a parallel test process: leave it alone.
  for (const old of runs.slice(KEEP_RUNS)) if (Date.now() - old.time > 3_600_000) fs.rmSync(old.path, { recursive: true, force: true });
}

// ---- tools -----------------------------------------------------------------------------------------------------

export function which(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export const CHROMIUM = [process.env.WSO2_E2E_CHROMIUM, which('chromium'), which('chromium-browser')].find((p) => p && fs.existsSync(p));

/**
 * Why a test cannot run here, or undefined. Outside CI a missing tool skips the test with this reason; in CI the test
 * fails with it (CI installs everything: .ci/run).
 */
export function missing(tools: { vsix?: boolean; codeServer?: boolean; chromium?: boolean; nvim?: boolean; keytool?: boolean }): string | undefined {
  const reasons: string[] = [];
  if (tools.vsix && !fs.existsSync(VSIX)) reasons.push(`${path.relative(ROOT, VSIX)} is missing: run \`npm run package\``);
  if (tools.chromium && !CHROMIUM) reasons.push('chromium is not installed (bash scripts/e2e/install-system.sh)');
  if (tools.nvim && !which('nvim')) reasons.push('nvim is not installed (apt-get install neovim)');
  if (tools.keytool && !which('keytool')) reasons.push('keytool (a JDK) is not installed');
  if (tools.codeServer && !codeServerBin()) reasons.push('code-server could not be installed: run scripts/e2e/install-code-server.sh and see its message');
  return reasons.length ? reasons.join('; ') : undefined;
}

let codeServerPath: string | null | undefined;
/** The cached code-server binary, installing it on first use (about a minute); undefined when that fails. */
export function codeServerBin(): string | undefined {
  if (codeServerPath === undefined) {
    const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
    const result = spawnSync('bash', [path.join(ROOT, 'scripts/e2e/install-code-server.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000 });
    const bin = result.stdout?.trim().split('\n').pop();
    codeServerPath = result.status === 0 && bin && fs.existsSync(bin) ? bin : null;
  }
  return codeServerPath ?? undefined;
}

// ---- processes -------------------------------------------------------------------------------------------------

export interface Group {
  readonly child: ChildProcess;
  readonly pgid: number;
  readonly exited: Promise<number | null>;
  /** SIGTERM to the whole group, SIGKILL after a grace period; resolves when the group is gone. */
  kill(): Promise<void>;
}

/** Starts a command as the leader of a new process group (setsid), output appended to `logFile`. */
export function startGroup(command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string; logFile: string }): Group {
  const out = fs.openSync(options.logFile, 'a');
  const child = spawn(command, args, { env: options.env, cwd: options.cwd ?? ROOT, detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const pgid = child.pid;
  liveGroups.add(pgid);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    pgid,
    exited,
    async kill() {
      killGroupNow(pgid, 'SIGTERM');
      for (let i = 0; i < 30 && groupAlive(pgid); i++) await sleep(100);
      if (groupAlive(pgid)) killGroupNow(pgid, 'SIGKILL');
      for (let i = 0; i < 20 && groupAlive(pgid); i++) await sleep(100);
      liveGroups.delete(pgid);
    },
  };
}

/** Runs a command in its own process group to completion; kills the group when it outlives `timeoutMs`. */
export async function runGroup(command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string; logFile: string; timeoutMs: number }): Promise<number | null> {
  const group = startGroup(command, args, options);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), options.timeoutMs)));
  const result = await Promise.race([group.exited, timedOut]);
  clearTimeout(timer);
  // The leader may be gone while children it started linger: end the group either way.
  await group.kill();
  if (result === 'timeout') throw new Error(`${path.basename(command)} ${args.join(' ')} took longer than ${options.timeoutMs / 1000}s (log: ${options.logFile})`);
  return result;
}

function killGroupNow(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

// ---- the workspace ---------------------------------------------------------------------------------------------

/**
 * A fresh copy of examples/ (the fixes edit files) with, in every product home, the keystore its carbon.xml names,
 * made by keytool with the public default alias and passwords. Returns the workspace folder.
 */
export async function prepareWorkspace(run: Run): Promise<string> {
  const workspace = path.join(run.dir, 'workspace');
  await copyExamples(workspace, run.env, run.artefacts);
  run.log(`workspace ${workspace}`);
  return workspace;
}

/** Copies examples/ to `dest` and adds the keystores (also used by `npm start`: scripts/start.sh). */
export async function copyExamples(dest: string, env: NodeJS.ProcessEnv, logDir: string, options: { keystores?: boolean } = {}): Promise<void> {
  fs.cpSync(path.join(ROOT, 'examples'), dest, { recursive: true });
  fs.rmSync(path.join(dest, 'README.md'), { force: true });
  if (options.keystores === false) return;
  fs.mkdirSync(logDir, { recursive: true });
  await Promise.all([...new Set(keystoresNamedIn(dest))].map((keystore) => makeKeystore(keystore, env, logDir)));
}

/**
 * The primary keystore file each carbon.xml below `dir` names (`${carbon.home}` resolved), and for each
 * deployment.toml home the one the product uses when [keystore.primary] is not set: file_name "wso2carbon.jks" in
 * repository/resources/security (the kernel's default.json, wso2/carbon-kernel v4.8.1
 * distribution/kernel/carbon-home/repository/resources/conf/default.json), which the sample homes do not set.
 */
function keystoresNamedIn(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || (entry.name !== 'carbon.xml' && entry.name !== 'deployment.toml')) continue;
    const confDir = entry.parentPath ?? (entry as unknown as { path: string }).path;
    if (path.basename(confDir) !== 'conf') continue;
    const home = path.basename(path.dirname(confDir)) === 'repository' ? path.dirname(path.dirname(confDir)) : path.dirname(confDir);
    if (entry.name === 'deployment.toml') {
      if (!/^\[keystore\.primary\]/m.test(fs.readFileSync(path.join(confDir, entry.name), 'utf8'))) found.push(path.join(home, 'repository', 'resources', 'security', 'wso2carbon.jks'));
      continue;
    }
    const text = fs.readFileSync(path.join(confDir, entry.name), 'utf8');
    const location = /<KeyStore>[^]*?<Location>\s*([^<]+?)\s*<\/Location>/.exec(text)?.[1];
    if (location?.startsWith('${carbon.home}/')) found.push(path.join(home, location.slice('${carbon.home}/'.length)));
  }
  return found;
}

export async function makeKeystore(file: string, env: NodeJS.ProcessEnv, logDir: string): Promise<void> {
  if (fs.existsSync(file)) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const args = [
    '-genkeypair', '-keyalg', 'RSA', '-keysize', '2048', '-validity', '30',
    '-alias', KEYSTORE.alias, '-dname', 'CN=localhost, O=wso2-config e2e',
    '-keystore', file, '-storetype', 'JKS', '-storepass', KEYSTORE.password, '-keypass', KEYSTORE.password,
  ];
  const logFile = path.join(logDir, 'keytool.log');
  const code = await runGroup('keytool', args, { env, logFile, timeoutMs: 60_000 });
  if (code !== 0 || !fs.existsSync(file)) throw new Error(`keytool could not make ${file} (log: ${logFile})`);
}

/** java test/java/SecureVaultCheck.java: what the JDK decrypts for each alias of a home's cipher-text.properties. */
export async function javaDecrypt(run: Run, confDir: string, homeDir: string): Promise<Map<string, string>> {
  const out = path.join(run.artefacts, 'java-check.out');
  fs.rmSync(out, { force: true });
  const code = await runGroup(
    'bash',
    ['-c', 'exec java "$0" check "$1" "$2" "$3" "$3" > "$4"', path.join(ROOT, 'test/java/SecureVaultCheck.java'), confDir, homeDir, KEYSTORE.password, out],
    { env: run.env, logFile: path.join(run.artefacts, 'java-check.log'), timeoutMs: 120_000 },
  );
  if (code !== 0) throw new Error(`SecureVaultCheck.java failed (log: ${path.join(run.artefacts, 'java-check.log')})`);
  const decrypted = new Map<string, string>();
  for (const line of fs.readFileSync(out, 'utf8').split('\n')) {
    const cells = line.split('\t');
    if (cells[0] === 'decrypt') decrypted.set(cells[1], cells[2].startsWith('!') ? cells[2] : Buffer.from(cells[2], 'base64').toString('utf8'));
  }
  return decrypted;
}

// ---- code-server -----------------------------------------------------------------------------------------------

/** Settings of the fresh profile: nothing that reaches the network, nothing that opens on its own. */
export const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'chat.commandCenter.enabled': false,
  'git.enabled': false,
  'files.autoSave': 'off',
};

export interface CodeServer {
  readonly port: number;
  readonly url: string;
  readonly dataDir: string;
  readonly extensionsDir: string;
  /** Where the VSIX was unpacked: the extension exactly as users get it. */
  readonly extensionDir: string;
  stop(): Promise<void>;
}

/** Installs the VSIX into a fresh profile of the run. Returns the extensions folder and the installed extension. */
export async function installVsix(run: Run, bin: string): Promise<{ dataDir: string; extensionsDir: string; extensionDir: string }> {
  const dataDir = path.join(run.dir, 'code-server', 'data');
  const extensionsDir = path.join(run.dir, 'code-server', 'extensions');
  fs.mkdirSync(path.join(dataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  const logFile = path.join(run.artefacts, 'install-extension.log');
  const code = await runGroup(bin, ['--install-extension', VSIX, '--extensions-dir', extensionsDir, '--user-data-dir', dataDir], { env: run.env, logFile, timeoutMs: 120_000 });
  const installed = fs.readdirSync(extensionsDir).find((name) => name.startsWith(`${EXTENSION_ID}-`));
  if (code !== 0 || !installed) throw new Error(`code-server --install-extension failed (log: ${logFile})`);
  run.log(`installed ${installed}`);
  return { dataDir, extensionsDir, extensionDir: path.join(extensionsDir, installed) };
}

/** Starts code-server on 127.0.0.1 with the VSIX installed in a fresh profile; waits for /healthz. */
export async function startCodeServer(run: Run, workspace: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<CodeServer> {
  const bin = codeServerBin();
  if (!bin) throw new Error('code-server is not installed (scripts/e2e/install-code-server.sh)');
  const { dataDir, extensionsDir, extensionDir } = await installVsix(run, bin);
  const config = path.join(run.dir, 'code-server', 'config.yaml');
  // An empty config: otherwise code-server writes one with a generated password into ~/.config.
  fs.writeFileSync(config, '');
  const port = await freePort();
  const args = [
    '--config', config, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--user-data-dir', dataDir, '--extensions-dir', extensionsDir, workspace,
  ];
  const group = startGroup(bin, args, { env: { ...run.env, ...extraEnv }, logFile: path.join(run.artefacts, 'code-server.log') });
  const url = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  while (!(await healthy(`${url}/healthz`))) {
    if (group.child.exitCode !== null) throw new Error(`code-server exited with ${group.child.exitCode} (log: ${path.join(run.artefacts, 'code-server.log')})`);
    if (Date.now() - t0 > 60_000) {
      await group.kill();
      throw new Error('code-server did not answer /healthz within 60s');
    }
    await sleep(100);
  }
  run.log(`code-server up on ${url} in ${Date.now() - t0} ms (pgid ${group.pgid})`);
  return {
    port,
    url,
    dataDir,
    extensionsDir,
    extensionDir,
    async stop() {
      await group.kill();
      run.log('code-server stopped');
    },
  };
}

function healthy(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(url, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
    request.setTimeout(2000, () => {
      request.destroy();
      resolve(false);
    });
  });
}

/**
 * The remote extension host's log (copied into the artefacts) and its lines about this extension, e.g. the
 * `ExtensionService#_doActivateExtension` line with the activation event. The host logs when activation starts, not
 * how long it took: the UI test reads that from the Running Extensions view.
 */
export function extensionHostLog(dataDir: string): { file: string | undefined; lines: string[] } {
  const logs = path.join(dataDir, 'logs');
  const files: string[] = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/exthost.*\.log$/.test(entry.name)) files.push(p);
    }
  };
  walk(logs);
  const file = files.sort()[files.length - 1];
  const lines = file ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.includes(EXTENSION_ID) || /wso2/i.test(l)) : [];
  return { file, lines };
}

// ---- the VSIX as a zip ----------------------------------------------------------------------------------------

/**
 * Unpacks the `extension/` folder of the VSIX (a zip) into `dest`: the files exactly as VS Code installs them, for
 * the clients that run the bundled server without VS Code (Neovim). Handles stored and deflated entries, which is
 * what vsce writes.
 */
export function unpackVsix(vsix: string, dest: string): string {
  const zip = fs.readFileSync(vsix);
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error(`${vsix} is not a zip file`);
  const count = zip.readUInt16LE(end + 10);
  let entry = zip.readUInt32LE(end + 16);
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(entry) !== 0x02014b50) throw new Error(`${vsix}: damaged central directory`);
    const method = zip.readUInt16LE(entry + 10);
    const compressedSize = zip.readUInt32LE(entry + 20);
    const nameLength = zip.readUInt16LE(entry + 28);
    const extraLength = zip.readUInt16LE(entry + 30);
    const commentLength = zip.readUInt16LE(entry + 32);
    const localHeader = zip.readUInt32LE(entry + 42);
    const name = zip.toString('utf8', entry + 46, entry + 46 + nameLength);
    entry += 46 + nameLength + extraLength + commentLength;
    if (!name.startsWith('extension/') || name.endsWith('/')) continue;
    const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    const target = path.join(dest, name.slice('extension/'.length));
    if (!target.startsWith(dest + path.sep)) throw new Error(`${vsix}: entry ${name} points outside the extension`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, method === 8 ? zlib.inflateRawSync(data) : data);
  }
  return dest;
}

// ---- chromium --------------------------------------------------------------------------------------------------

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Lines of the given file, 1-based: the first line whose text satisfies `match`. */
export function lineOf(file: string, match: (line: string) => boolean, after = 0): number {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
  for (let i = after; i < lines.length; i++) if (match(lines[i])) return i + 1;
  throw new Error(`no matching line in ${file}`);
}
