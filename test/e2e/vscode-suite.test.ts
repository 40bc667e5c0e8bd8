import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { Browser, chromium } from 'playwright-core';
import type { SuiteResult } from '../vscode/suite/index';
import { CHROMIUM, CHROMIUM_ARGS, CodeServer, IN_CI, extensionHostLog, missing, newRun, prepareWorkspace, sleep, startCodeServer } from './harness';

/**
 * The code-server runner of the extension-host suite (test/vscode/suite): code-server with the packaged VSIX in a
 * fresh profile, opened in Chromium with the workbench's `payload` URL parameter, which starts the remote extension
 * host in test mode (extensionDevelopmentPath = the installed VSIX, extensionTestsPath = the compiled suite).
 * The extension host exits 0 whatever the outcome and the page never closes: the suite writes a result file, which
 * this runner waits for and turns into one subtest per mocha test, so a failing test fails the build.
 */

const SUITE = path.resolve(__dirname, '..', 'vscode', 'suite', 'index.js');
const RESULT_TIMEOUT_MS = 240_000;

test('extension-host suite in code-server', { timeout: 420_000 }, async (t) => {
  const reason = missing({ vsix: true, codeServer: true, chromium: true, keytool: true });
  if (reason) {
    if (IN_CI) assert.fail(reason);
    t.skip(reason);
    return;
  }
  const run = newRun('suite');
  const workspace = await prepareWorkspace(run);
  const resultFile = path.join(run.artefacts, 'suite-result.json');
  const consoleLog = path.join(run.artefacts, 'browser-console.log');
  let result: SuiteResult | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startCodeServer(run, workspace, { WSO2_E2E_RESULT: resultFile });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, env: run.env });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (m) => fs.appendFileSync(consoleLog, `${m.type()} ${m.text()}\n`));
    page.on('pageerror', (e) => fs.appendFileSync(consoleLog, `pageerror ${e.message}\n`));
    const authority = `127.0.0.1:${server.port}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', `vscode-remote://${authority}${server.extensionDir}`],
      ['extensionTestsPath', `vscode-remote://${authority}${SUITE}`],
    ]);
    const started = Date.now();
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);
    while (!result && Date.now() - started < RESULT_TIMEOUT_MS) {
      if (fs.existsSync(resultFile)) result = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as SuiteResult;
      else await sleep(250);
    }
    run.log(`suite finished in ${Date.now() - started} ms`);
    await page.screenshot({ path: path.join(run.artefacts, 'vscode-suite.png') }).catch(() => undefined);
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
  }

  const host = extensionHostLog(server.dataDir);
  if (host.file) fs.copyFileSync(host.file, path.join(run.artefacts, 'exthost.log'));
  for (const line of host.lines) t.diagnostic(`exthost: ${line.trim()}`);
  assert.ok(result, `no result file from the extension host within ${RESULT_TIMEOUT_MS / 1000}s; see ${consoleLog} and ${run.artefacts}`);
  assert.ok(result.tests.length > 0 || result.error, 'the suite ran no test');
  for (const one of result.tests) {
    await t.test(one.title, () => {
      if (one.state === 'failed') assert.fail(one.error ?? 'failed');
    });
  }
  assert.equal(result.error, undefined, result.error);
  assert.equal(result.failed, 0, `${result.failed} extension-host test(s) failed; artefacts in ${run.artefacts}`);
});
