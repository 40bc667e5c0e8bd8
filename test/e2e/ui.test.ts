import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TestContext, test } from 'node:test';
import { BrowserContext, Page, chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, CodeServer, IN_CI, Run, javaDecrypt, lineOf, missing, newRun, prepareWorkspace, sleep, startCodeServer, which } from './harness';

/**
 * What a person sees: code-server (VS Code 1.100 in the browser) with the packaged VSIX, driven by Debian's Chromium
 * through playwright-core, keyboard first. Screenshots land in the artefacts folder of the run (.tmp/e2e/ui-XXXXXX/artefacts).
 */

const AM = 'wso2am-2.6.0';
const IS = 'wso2is-5.6.0';
const ALIAS = 'Carbon.Security.KeyStore.Password';
/** `[Ln L, Col C]` of every problem the Problems panel lists for API Manager's carbon.xml (examples/README.md). */
const AM_CARBON_PROBLEMS = ['[Ln 62, Col 17]', '[Ln 142, Col 23]', '[Ln 146, Col 26]', '[Ln 159, Col 23]', '[Ln 163, Col 26]', '[Ln 176, Col 23]', '[Ln 230, Col 22]'];
const norm = (s: string) => s.replace(/\u00a0/g, ' ');

/** The page's DOM as the callbacks run in the browser use it (the project compiles without the DOM library). */
interface PageElement {
  readonly textContent: string | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
  getBoundingClientRect(): { x: number; y: number; width: number; height: number };
}
declare const document: { querySelectorAll(selector: string): Iterable<PageElement> };

test('VS Code in Chromium: Problems panel, effective port on hover, Secure Vault quick fix by keyboard', { timeout: 360_000 }, (t) =>
  inWorkbench(t, 'ui', { vsix: true, codeServer: true, chromium: true, keytool: true }, 'ui-failure', async ({ run, workspace, page: p, step }) => {
    const amConf = path.join(workspace, AM, 'repository', 'conf');
    step('workbench and explorer loaded');

    // ---- Problems panel --------------------------------------------------------------------------------------
    await openFile(p, `${AM}/repository/conf/carbon.xml`);
    step('carbon.xml open');
    await p.keyboard.press('Control+Shift+M');
    const problems = await waitForProblems(p, AM_CARBON_PROBLEMS);
    for (const row of problems) t.diagnostic(`problem: ${row}`);
    const keystoreRow = problems.find((r) => r.includes('[Ln 142, Col 23]'))!;
    assert.match(keystoreRow, /Plaintext password in Security\/KeyStore\/Password/);
    assert.match(keystoreRow, /wso2-config\W+plaintext-password \[Ln 142, Col 23\]/);
    assert.ok(!keystoreRow.includes('wso2carbon'), 'no password in the Problems panel');
    assert.match(problems.find((r) => r.includes('[Ln 62, Col 17]'))!, /port-conflict/);
    step('Problems panel lists the 7 expected diagnostics');

    // ---- hover: the effective port of a connector ------------------------------------------------------------
    const catalina = `${IS}/repository/conf/tomcat/catalina-server.xml`;
    const portLine = lineOf(path.join(workspace, catalina), (l) => /^\s*port="9443"/.test(l));
    await openFile(p, catalina);
    await goTo(p, `${portLine}`);
    await p.mouse.move(5, 5);
    const box = await p.waitForFunction(
      () => {
        for (const line of document.querySelectorAll('.monaco-editor .view-lines .view-line')) {
          if (!/^\s*port="9443"/.test((line.textContent ?? '').replace(/\u00a0/g, ' '))) continue;
          for (const span of line.querySelectorAll('span span')) {
            if ((span.textContent ?? '').includes('9443')) {
              const r = span.getBoundingClientRect();
              return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
            }
          }
        }
        return undefined;
      },
      null,
      { timeout: 30_000 },
    );
    const at = (await box.jsonValue())!;
    const hover = p.locator('.monaco-hover:visible', { hasText: '9444' });
    // One mouse move asks once: a hover asked before the server has the home's facts (a loaded machine) shows nothing
    // and is not asked again, so move off and back until it shows, for up to 30 s.
    const hoverDeadline = Date.now() + 30_000;
    for (;;) {
      await p.mouse.move(at.x, at.y + 200);
      await p.mouse.move(at.x, at.y);
      const shown = await hover.first().waitFor({ timeout: 5_000 }).then(() => true, () => false);
      if (shown) break;
      if (Date.now() > hoverDeadline) {
        throw new Error('no hover showing the effective port 9444 (9443 + offset 1) over port="9443" of wso2is-5.6.0: is the ports hover feature in the server?');
      }
    }
    const hoverText = norm(await hover.first().innerText());
    t.diagnostic(`hover: ${JSON.stringify(hoverText)}`);
    assert.match(hoverText, /9444 = 9443 \+ .*offset.*1/i);
    await p.screenshot({ path: path.join(run.artefacts, 'ui-hover.png') });
    step('hover shows the effective port 9444; screenshot ui-hover.png');

    // ---- quick fix with the keyboard ---------------------------------------------------------------------------
    await p.mouse.move(5, 5);
    await p.keyboard.press('Escape');
    await openFile(p, `${AM}/repository/conf/carbon.xml`);
    await goTo(p, '142:23');
    await p.keyboard.press('Control+.');
    const item = p.locator('.action-widget .monaco-list-row', { hasText: 'Encrypt with Secure Vault' });
    await item
      .first()
      .waitFor({ timeout: 30_000 })
      .catch(async () => {
        const offered = await p.locator('.action-widget .monaco-list-row').allInnerTexts().catch(() => []);
        throw new Error(`Ctrl+. offers no "Encrypt with Secure Vault" (offered: ${JSON.stringify(offered)}): is the Secure Vault code action in the server?`);
      });
    // Mouse clicks on the menu are swallowed by a pointer block: choose with the arrows.
    for (let i = 0; i < 12; i++) {
      const focused = await p.locator('.action-widget .monaco-list-row.focused').getAttribute('aria-label').catch(() => null);
      if (focused?.includes('Encrypt with Secure Vault')) break;
      await p.keyboard.press('ArrowDown');
    }
    await p.keyboard.press('Enter');
    await p.waitForFunction(
      (alias) => [...document.querySelectorAll('.monaco-editor .view-lines .view-line')].some((l) => (l.textContent ?? '').includes(`svns:secretAlias="${alias}"`)),
      ALIAS,
      { timeout: 30_000 },
    );
    step('quick fix applied in the editor');
    // Save everything the edit touched (the properties files have no editor): File: Save All.
    await p.keyboard.press('Control+S');
    await runCommand(p, 'File: Save All');

    const carbonXml = path.join(amConf, 'carbon.xml');
    const cipherText = path.join(amConf, 'security', 'cipher-text.properties');
    const onDisk = await waitForDisk(() => {
      const xml = fs.readFileSync(carbonXml, 'utf8').split('\n')[141];
      const value = new RegExp(`^${ALIAS.replace(/\./g, '\\.')}=(.*)$`, 'm').exec(fs.readFileSync(cipherText, 'latin1'))?.[1]?.trim();
      return xml.includes(`<Password svns:secretAlias="${ALIAS}">password</Password>`) && value && /^[A-Za-z0-9+/]+={0,2}$/.test(value) ? { xml, value } : undefined;
    }, `carbon.xml line 142 and ${ALIAS} in cipher-text.properties saved to disk`);
    t.diagnostic(`carbon.xml:142 on disk: ${onDisk.xml.trim()}`);
    t.diagnostic(`cipher-text.properties: ${ALIAS}=${onDisk.value.slice(0, 24)}… (${Buffer.from(onDisk.value, 'base64').length} bytes)`);
    assert.equal(Buffer.from(onDisk.value, 'base64').length, 256);
    step('carbon.xml and cipher-text.properties on disk');

    // The JDK decrypts what the fix wrote with the keystore's private key, as the runtime would.
    if (which('java')) {
      const decrypted = await javaDecrypt(run, amConf, path.join(workspace, AM));
      assert.equal(decrypted.get(ALIAS), 'wso2carbon', 'Java decrypts the new cipher text to the password that was in carbon.xml');
      step('Java decrypts the cipher text to the original password');
    } else {
      t.diagnostic('java not installed: the decryption check was skipped');
    }

    // The fixed password leaves the Problems panel; the others stay.
    await waitForProblems(p, AM_CARBON_PROBLEMS.filter((r) => r !== '[Ln 142, Col 23]'), ['[Ln 142, Col 23]']);
    await p.keyboard.press('Escape');
    await p.screenshot({ path: path.join(run.artefacts, 'ui-after-fix.png') });
    step('diagnostic gone from the Problems panel; screenshot ui-after-fix.png');

    // The activation time VS Code measured (activate() resolves once the language server is up): a measurement for
    // the record, not a check.
    try {
      await runCommand(p, 'Developer: Show Running Extensions');
      const running = p.locator('.runtime-extensions-editor .monaco-list-row', { hasText: 'WSO2 Config' }).first();
      await running.waitFor({ timeout: 30_000 });
      const activation = norm(await running.innerText()).replace(/\s+/g, ' ');
      fs.writeFileSync(path.join(run.artefacts, 'activation.txt'), `${activation}\n`);
      t.diagnostic(`running extensions: ${activation}`);
      await p.screenshot({ path: path.join(run.artefacts, 'ui-running-extensions.png') });
    } catch (error) {
      t.diagnostic(`the Running Extensions view could not be read: ${(error as Error).message}`);
    }
  }),
);

test('VS Code in Chromium: the port map shows the conflict of two sample homes and opens a port\'s line', { timeout: 300_000 }, (t) =>
  inWorkbench(t, 'portmap', { vsix: true, codeServer: true, chromium: true }, 'ui-port-map-failure', async ({ run, workspace, page: p, step }) => {
    // A covered file activates the extension (and its language server).
    await openFile(p, `${AM}/repository/conf/carbon.xml`);
    step('workbench loaded, carbon.xml open');

    await runCommand(p, 'WSO2: Show Effective Ports');
    // The webview's page sits in an iframe inside VS Code's webview iframe.
    const view = p.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    await view.locator('table.map tbody tr').first().waitFor({ timeout: 60_000 });
    const homes = (await view.locator('thead th.home .path').allInnerTexts()).map(norm);
    t.diagnostic(`homes: ${JSON.stringify(homes)}`);
    // Shown relative to the workspace folder.
    const amColumn = homes.indexOf(AM);
    const eiColumn = homes.indexOf('wso2ei-6.5.0');
    assert.ok(amColumn >= 0 && eiColumn >= 0, `API Manager and EI are columns of the map: ${JSON.stringify(homes)}`);
    assert.match(norm(await view.locator('header .summary').innerText()), /1 conflicting pair of homes/);

    // The row of port 8000 (the embedded Kerberos KDC of both homes at offset 0) is a conflict, marked in the axis.
    const row = view.locator('tbody tr', { has: view.locator('th.axis .number', { hasText: /^8000$/ }) });
    assert.match(norm(await row.getAttribute('class') ?? ''), /\bconflict\b/);
    assert.match(norm(await row.locator('th.axis').innerText()), /8000\s*⚠ conflict/);
    const amPort = row.locator('td').nth(amColumn).locator('button.port.conflict');
    const eiPort = row.locator('td').nth(eiColumn).locator('button.port.conflict');
    assert.equal(norm(await amPort.innerText()), 'embedded Kerberos KDC');
    assert.equal(norm(await eiPort.innerText()), 'embedded Kerberos KDC');
    const amHeader = norm(await view.locator('thead th.home').nth(amColumn).innerText());
    t.diagnostic(`API Manager's column: ${JSON.stringify(amHeader)}`);
    assert.match(amHeader, /Lowest free offset: \d+/);
    await p.screenshot({ path: path.join(run.artefacts, 'ui-port-map.png') });
    step('port map drawn with the conflict at 8000; screenshot ui-port-map.png');

    // A click on API Manager's port opens its carbon.xml with the value selected.
    const carbonXml = path.join(workspace, AM, 'repository', 'conf', 'carbon.xml');
    const line = lineOf(carbonXml, (l) => l.includes('<KDCServerPort>8000</KDCServerPort>'));
    const column = fs.readFileSync(carbonXml, 'utf8').split('\n')[line - 1].indexOf('8000') + 1;
    await amPort.click();
    // The value is selected: the cursor (what the status bar shows) is at its end.
    const selection = p.locator('#status\\.editor\\.selection');
    await p.waitForFunction(
      (want) => [...document.querySelectorAll('#status\\.editor\\.selection')].some((e) => (e.textContent ?? '').replace(/\u00a0/g, ' ').includes(want)),
      `Ln ${line}, Col ${column + 4} (4 selected)`,
      { timeout: 30_000 },
    ).catch(async () => {
      throw new Error(`the editor should select 8000 from Ln ${line}, Col ${column} of ${AM}'s carbon.xml; the status bar says ${JSON.stringify(await selection.innerText().catch(() => '?'))}`);
    });
    const tab = await p.locator('.editor-group-container.active .tab.active').getAttribute('aria-label');
    const breadcrumbs = norm(await p.locator('.editor-group-container.active .breadcrumbs-control').innerText()).replace(/\s+/g, ' ');
    t.diagnostic(`active tab: ${tab}; breadcrumbs: ${breadcrumbs}`);
    assert.match(tab ?? '', /^carbon\.xml\b/);
    assert.match(breadcrumbs, new RegExp(`${AM.replace(/\./g, '\\.')} .*repository .*conf .*carbon\\.xml`));
    await p.screenshot({ path: path.join(run.artefacts, 'ui-port-map-opened.png') });
    step(`the click opened ${AM}/repository/conf/carbon.xml at line ${line}, column ${column}; screenshot ui-port-map-opened.png`);
  }),
);

/** What a browser test works with: its run, the prepared workspace, the loaded workbench page and a timed step log. */
interface Workbench {
  run: Run;
  workspace: string;
  page: Page;
  step: (what: string) => void;
}

/**
 * Runs `body` in code-server with the packaged VSIX, opened on a fresh copy of the sample workspace in headless Chromium
 * (skipped when a tool is missing, failed in CI); a failure saves `<failureShot>.png` and names the artefacts folder,
 * and the browser and the server are always stopped.
 */
async function inWorkbench(
  t: TestContext,
  name: string,
  tools: Parameters<typeof missing>[0],
  failureShot: string,
  body: (workbench: Workbench) => Promise<void>,
): Promise<void> {
  const reason = missing(tools);
  if (reason) {
    if (IN_CI) assert.fail(reason);
    t.skip(reason);
    return;
  }
  const run = newRun(name);
  const workspace = await prepareWorkspace(run);
  let server: CodeServer | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  const t0 = Date.now();
  const step = (what: string) => {
    run.log(`${name}: ${what}`);
    t.diagnostic(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${what}`);
  };
  try {
    server = await startCodeServer(run, workspace);
    // A fresh browser profile each run: VS Code keeps unsaved edits (hot exit) in the browser's IndexedDB.
    context = await chromium.launchPersistentContext(path.join(run.dir, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      env: run.env,
      viewport: { width: 1400, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    const consoleLog = path.join(run.artefacts, 'browser-console.log');
    page.on('console', (m) => fs.appendFileSync(consoleLog, `${m.type()} ${m.text()}\n`));
    page.on('pageerror', (e) => fs.appendFileSync(consoleLog, `pageerror ${e.message}\n`));
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
    await body({ run, workspace, page, step });
  } catch (error) {
    await page?.screenshot({ path: path.join(run.artefacts, `${failureShot}.png`) }).catch(() => undefined);
    throw new Error(`${(error as Error).message}\n(artefacts: ${run.artefacts})`, { cause: error });
  } finally {
    await context?.close().catch(() => undefined);
    await server?.stop();
  }
}

/** Quick Open (Ctrl+P) with a workspace-relative path; waits for the file's tab (tries again if the picker lost the key). */
async function openFile(page: Page, relativePath: string): Promise<void> {
  const name = path.basename(relativePath);
  const home = relativePath.split('/')[0];
  const input = page.locator('.quick-input-widget .quick-input-box input');
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill(relativePath);
    // The list first shows recent files, then the matches: wait for the first row to be the file asked for.
    await page.waitForFunction(
      ([n, h]) => {
        const first = [...document.querySelectorAll('.quick-input-list .monaco-list-row')][0] as unknown as { getAttribute(a: string): string | null } | undefined;
        const label = first?.getAttribute('aria-label') ?? '';
        return label.includes(n) && label.includes(h);
      },
      [name, home],
      { timeout: 30_000 },
    );
    await page.keyboard.press('Enter');
    const opened = await page
      .waitForSelector(`.tab.active[aria-label*="${name}"]`, { timeout: 5_000 })
      .then(() => true)
      .catch(() => false);
    if (opened) break;
    if (attempt === 3) throw new Error(`Quick Open did not open ${relativePath}`);
  }
  await page.waitForSelector('.monaco-editor .view-lines .view-line', { timeout: 30_000 });
}

/** Ctrl+G "line" or "line:column". */
async function goTo(page: Page, where: string): Promise<void> {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  // The box opens holding ':' (Quick Open's go-to-line prefix); without it the text becomes a file search.
  await input.fill(`:${where}`);
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: 10_000 });
}

/** F1, a command's title, Enter. */
async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: 10_000 });
}

/** Waits until the Problems panel rows hold every `present` and none of `absent`; returns the rows' text. */
async function waitForProblems(page: Page, present: string[], absent: string[] = []): Promise<string[]> {
  const deadline = Date.now() + 60_000;
  let rows: string[] = [];
  for (;;) {
    rows = (await page.locator('.markers-panel .monaco-tl-row').allInnerTexts()).map((r) => norm(r).replace(/\n+/g, ' '));
    const ok = present.every((p) => rows.some((r) => r.includes(p))) && absent.every((a) => !rows.some((r) => r.includes(a)));
    if (ok) return rows.filter((r) => /\[Ln \d+, Col \d+\]/.test(r));
    if (Date.now() > deadline) throw new Error(`the Problems panel should list ${JSON.stringify(present)}${absent.length ? ` and not ${JSON.stringify(absent)}` : ''}; it lists ${JSON.stringify(rows)}`);
    await sleep(250);
  }
}

async function waitForDisk<T>(probe: () => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}
