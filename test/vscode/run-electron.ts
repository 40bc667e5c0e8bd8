import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { downloadAndUnzipVSCode, resolveCliArgsFromVSCodeExecutablePath, runTests } from '@vscode/test-electron';
import { EXTENSION_ID, ROOT, VSIX, newRun, prepareWorkspace } from '../e2e/harness';
import type { SuiteResult } from './suite/index';

/**
 * `npm run test:vscode`: the extension-host suite (test/vscode/suite) in desktop VS Code, for machines that can
 * download it (CI here cannot: it runs the same suite in code-server, test/e2e/vscode-suite.test.ts).
 *
 * Same setup as the code-server runner: the packaged VSIX installed into a fresh extensions folder and profile, that
 * installed copy as the extension under development, a copy of examples/ with keystores as the workspace.
 * VS Code is cached in .tmp/vscode-test. On Linux without a display, run it under `xvfb-run -a`.
 * VSCODE_VERSION picks the VS Code version (default: the oldest that engines.vscode allows, 1.100.3).
 */

async function main(): Promise<number> {
  if (!fs.existsSync(VSIX)) throw new Error(`${VSIX} is missing: run \`npm run package\` first`);
  const run = newRun('electron');
  const workspace = await prepareWorkspace(run);
  const extensionsDir = path.join(run.dir, 'vscode', 'extensions');
  const userDataDir = path.join(run.dir, 'vscode', 'user-data');
  const profile = [`--extensions-dir=${extensionsDir}`, `--user-data-dir=${userDataDir}`];

  const vscodeExecutablePath = await downloadAndUnzipVSCode({ version: process.env.VSCODE_VERSION ?? '1.100.3', cachePath: path.join(ROOT, '.tmp', 'vscode-test') });
  const [cli, ...cliArgs] = resolveCliArgsFromVSCodeExecutablePath(vscodeExecutablePath);
  const install = spawnSync(cli, [...cliArgs, ...profile, '--install-extension', VSIX], { encoding: 'utf8', stdio: 'inherit' });
  if (install.status !== 0) throw new Error(`installing ${VSIX} failed`);
  const installed = fs.readdirSync(extensionsDir).find((name) => name.startsWith(`${EXTENSION_ID}-`));
  if (!installed) throw new Error(`${EXTENSION_ID} is not in ${extensionsDir} after --install-extension`);

  const resultFile = path.join(run.artefacts, 'suite-result.json');
  let exitCode = 0;
  try {
    exitCode = await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: path.join(extensionsDir, installed),
      extensionTestsPath: path.resolve(__dirname, 'suite', 'index'),
      launchArgs: [workspace, ...profile, '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
      extensionTestsEnv: { WSO2_E2E_RESULT: resultFile },
    });
  } catch (error) {
    console.error(`VS Code tests failed: ${(error as Error).message ?? error}`);
    exitCode = 1;
  }
  if (fs.existsSync(resultFile)) {
    const result = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as SuiteResult;
    console.log(`${result.passed} passed, ${result.failed} failed`);
    if (result.failed > 0) exitCode = exitCode || 1;
  } else {
    console.error(`no result file (${resultFile}): the suite did not run`);
    exitCode = exitCode || 1;
  }
  console.log(`artefacts: ${run.artefacts}`);
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error((error as Error).message ?? error);
    process.exit(1);
  },
);
