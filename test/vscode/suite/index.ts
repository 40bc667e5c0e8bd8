import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/**
 * Entry point of the extension-host suite (`extensionTestsPath`). Both runners load it: @vscode/test-electron
 * (test/vscode/run-electron.ts) and code-server (test/e2e/vscode-suite.test.ts, through the `payload` URL parameter).
 *
 * code-server's extension host exits 0 and leaves the page open whatever happens here, so the outcome also goes to
 * a JSON result file (WSO2_E2E_RESULT) that the code-server runner reads; run() still rejects on a failure, which is
 * what @vscode/test-electron turns into its exit code.
 */

export interface SuiteResult {
  readonly done: boolean;
  readonly passed: number;
  readonly failed: number;
  readonly tests: { title: string; state: 'passed' | 'failed' | 'pending'; durationMs?: number; error?: string }[];
  /** An error outside any test (loading the files, a hook). */
  readonly error?: string;
}

export async function run(): Promise<void> {
  const resultFile = process.env.WSO2_E2E_RESULT;
  const tests: SuiteResult['tests'] = [];
  const write = (result: SuiteResult) => {
    if (resultFile) fs.writeFileSync(resultFile, JSON.stringify(result, null, 2));
  };
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 90_000, reporter: 'spec' });
  // Chosen by the runner: only the files of this folder that end in .test.js, in name order (which is the run order).
  const dir = __dirname;
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(dir, file));
  try {
    const failures = await new Promise<number>((resolve) => {
      const runner = mocha.run((count) => resolve(count));
      runner.on('pass', (t) => tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration }));
      runner.on('fail', (t, error: Error) => tests.push({ title: t.fullTitle(), state: 'failed', durationMs: t.duration, error: String(error?.stack ?? error) }));
      runner.on('pending', (t) => tests.push({ title: t.fullTitle(), state: 'pending' }));
    });
    const passed = tests.filter((t) => t.state === 'passed').length;
    write({ done: true, passed, failed: failures, tests });
    if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
  } catch (error) {
    if (!fs.existsSync(resultFile ?? '') || !tests.length) {
      write({ done: true, passed: 0, failed: 1, tests, error: String((error as Error)?.stack ?? error) });
    }
    throw error;
  }
}
