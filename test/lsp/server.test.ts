import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic, InitializeResult, PublishDiagnosticsParams, RegistrationParams } from 'vscode-languageserver-protocol';
import { ruleDocsUrl } from '../../server/src/service/rules/registry';
import { CONF, H2_URL, carbonXml, catalinaServerXml, masterDatasourcesXml, productHome, userMgtXml } from './fixtures';
import { TempWorkspace, TestServer, codes, rangeOf, textAt, withCode } from './client';

/**
 * The language server over real JSON-RPC: the `wso2-config-language-server` bin is spawned with --stdio and driven the
 * way an editor drives it. Each suite has its own product home in a temporary folder and its own server process.
 * Waits are for the next publishDiagnostics that fits (bounded by a timeout), never fixed sleeps.
 */

const TEST_TIMEOUT = { timeout: 30_000 };
const HOOK_TIMEOUT = { timeout: 30_000 };

// LSP DiagnosticSeverity
const ERROR = 1;
const WARNING = 2;
const INFORMATION = 3;
const HINT = 4;

const CARBON = `${CONF}/carbon.xml`;
const USER_MGT = `${CONF}/user-mgt.xml`;
const CATALINA = `${CONF}/tomcat/catalina-server.xml`;
const MASTER_DS = `${CONF}/datasources/master-datasources.xml`;
const AXIS2 = `${CONF}/axis2/axis2.xml`;
const REGISTRY = `${CONF}/registry.xml`;

/** carbon.xml with an `<H2DatabaseConfiguration>` that starts the web console (h2-datasource) and a given offset. */
function carbonWithH2Console(offset: string): string {
  return carbonXml({ offset }).replace(
    '</Server>',
    `    <H2DatabaseConfiguration>
        <property name="web"/>
        <property name="webPort">8082</property>
    </H2DatabaseConfiguration>
</Server>`,
  );
}

/** Common shape of every diagnostic the server publishes for a rule. */
function assertWellFormed(d: Diagnostic, ruleId: string): void {
  assert.equal(d.source, 'wso2-config');
  assert.equal(d.code, ruleId);
  assert.equal(d.codeDescription?.href, ruleDocsUrl(ruleId as Parameters<typeof ruleDocsUrl>[0]));
  assert.match(d.codeDescription!.href, new RegExp(`^https://.+/${ruleId}(\\.md)?$`));
  assert.ok(d.message.length > 0);
}

function has(code: string): (p: PublishDiagnosticsParams) => boolean {
  return (p) => codes(p).includes(code);
}

function lacks(code: string): (p: PublishDiagnosticsParams) => boolean {
  return (p) => !codes(p).includes(code);
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('initialize, settings from workspace/configuration, open, change, close', () => {
  let workspace: TempWorkspace;
  let server: TestServer;
  let initializeResult: InitializeResult;

  before(async () => {
    workspace = new TempWorkspace(productHome());
    server = TestServer.start({ configuration: { rules: { 'h2-datasource': 'error' } } });
    initializeResult = await server.initialize({ rootPath: workspace.root });
  }, HOOK_TIMEOUT);

  after(async () => {
    await server.dispose();
    workspace.remove();
  }, HOOK_TIMEOUT);

  test('initialize answers with incremental sync and open/close notifications', TEST_TIMEOUT, () => {
    const sync = initializeResult.capabilities.textDocumentSync;
    assert.equal(typeof sync, 'object');
    assert.equal((sync as { openClose?: boolean }).openClose, true);
    assert.equal((sync as { change?: number }).change, 2); // TextDocumentSyncKind.Incremental
    assert.equal(initializeResult.serverInfo?.name, 'wso2-config-language-server');
  });

  test('after initialized the server pulls the wso2Config section and registers file watchers', TEST_TIMEOUT, async () => {
    await waitUntil(() => server.serverRequests.some((r) => r.method === 'workspace/configuration'), 'workspace/configuration');
    const request = server.serverRequests.find((r) => r.method === 'workspace/configuration')!;
    assert.deepEqual(
      (request.params as { items: { section?: string }[] }).items.map((i) => i.section),
      ['wso2Config'],
    );
    await waitUntil(() => server.serverRequests.some((r) => r.method === 'client/registerCapability'), 'client/registerCapability');
    const registrations = server.serverRequests
      .filter((r) => r.method === 'client/registerCapability')
      .flatMap((r) => (r.params as RegistrationParams).registrations);
    const watching = registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles');
    assert.ok(watching, 'a registration for workspace/didChangeWatchedFiles');
    const globs = (watching.registerOptions as { watchers: { globPattern: string }[] }).watchers.map((w) => w.globPattern);
    for (const wanted of ['**/carbon.xml', '**/*-datasources.xml', '**/.wso2config.json']) assert.ok(globs.includes(wanted), `watches ${wanted}: ${globs.join(', ')}`);
  });

  test('didOpen publishes diagnostics with source, code, documentation link and the exact range', TEST_TIMEOUT, async () => {
    const text = carbonXml({ offset: '-5' });
    const uri = workspace.uri(CARBON);
    const published = server.waitForDiagnostics(uri, has('port-offset'));
    await server.open(uri, text, 1);
    const publish = await published;
    assert.equal(publish.version, 1);
    const [offset, ...more] = withCode(publish.diagnostics, 'port-offset');
    assert.equal(more.length, 0, 'one port-offset diagnostic');
    assertWellFormed(offset, 'port-offset');
    assert.equal(offset.severity, ERROR);
    assert.deepEqual(offset.range, rangeOf(text, '<Offset>-5</Offset>', '-5'));
    assert.match(offset.message, /negative/);
    // Nothing but what this file deserves: no H2 console, one home so no port conflict, no deployment.toml.
    for (const code of codes(publish)) assert.ok(['port-offset', 'plaintext-password'].includes(code), `unexpected ${code}`);
  });

  test('didChange with incremental edits moves ranges, debounces, and a fix removes the diagnostic', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(CARBON);
    let text = carbonXml({ offset: '-5' });
    // Insert a line before <Server>: the diagnostic must follow the text it covers.
    const serverLine = rangeOf(text, '<Server').start.line;
    const inserted = '<!-- edited in a test -->\n';
    const moved = server.waitForDiagnostics(uri, (p) => p.version === 2);
    await server.change(uri, 2, [{ range: { start: { line: serverLine, character: 0 }, end: { line: serverLine, character: 0 } }, text: inserted }]);
    text = text.replace('<Server', `${inserted}<Server`);
    const publish2 = await moved;
    const [offset] = withCode(publish2.diagnostics, 'port-offset');
    assert.ok(offset, 'still reported after the insertion');
    assert.deepEqual(offset.range, rangeOf(text, '<Offset>-5</Offset>', '-5'));
    assert.equal(textAt(text, offset.range), '-5');

    // Three quick edits: '-5' -> '-' -> '' -> '3'. Only the last version is validated (the debounce).
    const since = server.publishes.length;
    const fixed = server.waitForDiagnostics(uri, (p) => p.version === 5);
    const valueRange = rangeOf(text, '<Offset>-5</Offset>', '-5');
    const { line, character } = valueRange.start;
    await server.change(uri, 3, [{ range: { start: { line, character: character + 1 }, end: { line, character: character + 2 } }, text: '' }]);
    await server.change(uri, 4, [{ range: { start: { line, character }, end: { line, character: character + 1 } }, text: '' }]);
    await server.change(uri, 5, [{ range: { start: { line, character }, end: { line, character } }, text: '3' }]);
    text = text.replace('<Offset>-5</Offset>', '<Offset>3</Offset>');
    const publish5 = await fixed;
    assert.deepEqual(withCode(publish5.diagnostics, 'port-offset'), [], 'offset 3 is valid');
    const intermediate = server.publishes.slice(since).filter((p) => p.uri === uri && (p.version === 3 || p.version === 4));
    assert.deepEqual(intermediate, [], 'versions typed within the debounce are not validated');

    // Break it again with a full-document change (no range): the diagnostic comes back on the new text.
    const broken = text.replace('<Offset>3</Offset>', '<Offset>x1</Offset>');
    const again = server.waitForDiagnostics(uri, (p) => p.version === 6);
    await server.change(uri, 6, [{ text: broken }]);
    const publish6 = await again;
    const [notInteger] = withCode(publish6.diagnostics, 'port-offset');
    assert.ok(notInteger);
    assert.deepEqual(notInteger.range, rangeOf(broken, '<Offset>x1</Offset>', 'x1'));

    // A suppression comment typed on the line above silences it.
    const offsetLine = rangeOf(broken, '<Offset>x1</Offset>').start.line;
    const suppressed = server.waitForDiagnostics(uri, (p) => p.version === 7);
    await server.change(uri, 7, [
      { range: { start: { line: offsetLine, character: 0 }, end: { line: offsetLine, character: 0 } }, text: '        <!-- wso2-config-disable-next-line port-offset -->\n' },
    ]);
    assert.deepEqual(withCode((await suppressed).diagnostics, 'port-offset'), []);
  });

  test('didClose clears the diagnostics of the document', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(CARBON);
    const cleared = server.waitForDiagnostics(uri);
    await server.close(uri);
    const publish = await cleared;
    assert.deepEqual(publish.diagnostics, []);
  });

  test('settings from workspace/configuration apply, and didChangeConfiguration pulls them again', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(MASTER_DS);
    const text = masterDatasourcesXml({ database: 'h2' });
    const first = server.waitForDiagnostics(uri, has('h2-datasource'));
    await server.open(uri, text, 1);
    const [h2] = withCode((await first).diagnostics, 'h2-datasource');
    assertWellFormed(h2, 'h2-datasource');
    assert.equal(h2.severity, ERROR, 'the configured severity, not the default warning');
    assert.deepEqual(h2.range, rangeOf(text, H2_URL));

    server.configuration = { rules: { 'h2-datasource': 'hint' } };
    const requestsBefore = server.serverRequests.filter((r) => r.method === 'workspace/configuration').length;
    const second = server.waitForDiagnostics(uri, (p) => withCode(p.diagnostics, 'h2-datasource').some((d) => d.severity === HINT));
    await server.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await second;
    assert.ok(server.serverRequests.filter((r) => r.method === 'workspace/configuration').length > requestsBefore, 'pulled again');

    server.configuration = { rules: { 'h2-datasource': 'off' } };
    const third = server.waitForDiagnostics(uri, lacks('h2-datasource'));
    await server.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await third;
    await server.close(uri);
  });

  test('shutdown then exit ends the process with code 0', TEST_TIMEOUT, async () => {
    assert.equal(await server.shutdown(), 0);
  });
});

describe('plaintext-password over LSP: shipped defaults are errors, on exactly the secret', () => {
  let workspace: TempWorkspace;
  let server: TestServer;

  before(async () => {
    workspace = new TempWorkspace(productHome({ database: 'mysql' }));
    server = TestServer.start();
    await server.initialize({ rootPath: workspace.root });
  }, HOOK_TIMEOUT);

  after(async () => {
    await server.dispose();
    workspace.remove();
  }, HOOK_TIMEOUT);

  /** Opens a file of the home as saved and returns its plaintext-password diagnostics. */
  async function passwordsOf(relative: string, text: string): Promise<Diagnostic[]> {
    const uri = workspace.uri(relative);
    const published = server.waitForDiagnostics(uri, has('plaintext-password'), { what: 'plaintext-password' });
    await server.open(uri, text, 1);
    const found = withCode((await published).diagnostics, 'plaintext-password');
    for (const d of found) assertWellFormed(d, 'plaintext-password');
    return found;
  }

  test('carbon.xml: keystore Password and KeyPassword, truststore Password (not KeyAlias)', TEST_TIMEOUT, async () => {
    const text = carbonXml();
    const found = await passwordsOf(CARBON, text);
    assert.deepEqual(
      found.map((d) => d.range),
      [
        rangeOf(text, '<Password>wso2carbon</Password>', 'wso2carbon', 0),
        rangeOf(text, '<KeyPassword>wso2carbon</KeyPassword>', 'wso2carbon'),
        rangeOf(text, '<Password>wso2carbon</Password>', 'wso2carbon', 1),
      ],
    );
    assert.ok(found.every((d) => d.severity === ERROR), 'wso2carbon is a shipped default: error');
    for (const d of found) assert.ok(!d.message.includes('wso2carbon'), 'the message never holds the secret');
  });

  test('user-mgt.xml: the admin password, not the regex and digest properties', TEST_TIMEOUT, async () => {
    const text = userMgtXml();
    const found = await passwordsOf(USER_MGT, text);
    assert.deepEqual(found.map((d) => d.range), [rangeOf(text, '<Password>admin</Password>', 'admin')]);
    assert.equal(found[0].severity, ERROR);
  });

  test('catalina-server.xml: the keystorePass attribute value', TEST_TIMEOUT, async () => {
    const text = catalinaServerXml();
    const found = await passwordsOf(CATALINA, text);
    assert.deepEqual(found.map((d) => d.range), [rangeOf(text, 'keystorePass="wso2carbon"', 'wso2carbon')]);
    assert.equal(found[0].severity, ERROR);
  });

  test('master-datasources.xml: the datasource password', TEST_TIMEOUT, async () => {
    const text = masterDatasourcesXml({ database: 'mysql' });
    const found = await passwordsOf(MASTER_DS, text);
    assert.deepEqual(found.map((d) => d.range), [rangeOf(text, '<password>wso2carbon</password>', 'wso2carbon')]);
    assert.equal(found[0].severity, ERROR);
  });

  test('a password not shipped by WSO2 is a warning', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(CARBON);
    const text = carbonXml({ keystorePassword: 'n0t-a-default', truststorePassword: 'n0t-a-default' });
    const published = server.waitForDiagnostics(uri, (p) => p.version === 2);
    await server.change(uri, 2, [{ text }]);
    const found = withCode((await published).diagnostics, 'plaintext-password');
    assert.equal(found.length, 3);
    assert.ok(found.every((d) => d.severity === WARNING && textAt(text, d.range) === 'n0t-a-default'));
  });
});

describe('a client without workspace/configuration passes settings in initializationOptions', () => {
  let workspace: TempWorkspace;
  let server: TestServer;

  before(async () => {
    workspace = new TempWorkspace(productHome());
    server = TestServer.start();
    await server.initialize({
      rootPath: workspace.root,
      capabilities: { workspace: { configuration: false }, textDocument: { publishDiagnostics: { versionSupport: true } } },
      initializationOptions: { settings: { rules: { 'h2-datasource': 'information', 'port-offset': 'warning' } } },
    });
  }, HOOK_TIMEOUT);

  after(async () => {
    await server.dispose();
    workspace.remove();
  }, HOOK_TIMEOUT);

  test('initializationOptions.settings set the severities; the server never asks for configuration', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(MASTER_DS);
    const text = masterDatasourcesXml({ database: 'h2' });
    const published = server.waitForDiagnostics(uri, has('h2-datasource'));
    await server.open(uri, text, 1);
    const [h2] = withCode((await published).diagnostics, 'h2-datasource');
    assert.equal(h2.severity, INFORMATION);
    assert.deepEqual(h2.range, rangeOf(text, H2_URL));

    const carbonUri = workspace.uri(CARBON);
    const carbonText = carbonXml({ offset: '-1' });
    const carbonPublished = server.waitForDiagnostics(carbonUri, has('port-offset'));
    await server.open(carbonUri, carbonText, 1);
    const [offset] = withCode((await carbonPublished).diagnostics, 'port-offset');
    assert.equal(offset.severity, WARNING);

    assert.deepEqual(
      server.serverRequests.filter((r) => r.method === 'workspace/configuration'),
      [],
      'a client without the capability must not be asked',
    );
    // Without dynamic registration support, the server must not try to register watchers either.
    assert.deepEqual(server.serverRequests.filter((r) => r.method === 'client/registerCapability'), []);
  });

  test('didChangeConfiguration pushes settings to a client without workspace/configuration', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(MASTER_DS);
    const updated = server.waitForDiagnostics(uri, (p) => withCode(p.diagnostics, 'h2-datasource').some((d) => d.severity === ERROR));
    await server.connection.sendNotification('workspace/didChangeConfiguration', { settings: { wso2Config: { rules: { 'h2-datasource': 'error' } } } });
    await updated;
  });
});

describe('cross-file: user-mgt.xml dataSource resolved through master-datasources.xml', () => {
  let workspace: TempWorkspace;
  let server: TestServer;
  const userMgt = userMgtXml();

  before(async () => {
    workspace = new TempWorkspace(productHome({ database: 'h2' }));
    server = TestServer.start();
    await server.initialize({ rootPath: workspace.root });
  }, HOOK_TIMEOUT);

  after(async () => {
    await server.dispose();
    workspace.remove();
  }, HOOK_TIMEOUT);

  test('the dataSource property reports h2-datasource when the saved master-datasources.xml is H2', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(USER_MGT);
    const published = server.waitForDiagnostics(uri, has('h2-datasource'));
    await server.open(uri, userMgt, 1);
    const h2 = withCode((await published).diagnostics, 'h2-datasource');
    assert.equal(h2.length, 1);
    assertWellFormed(h2[0], 'h2-datasource');
    assert.equal(h2[0].severity, WARNING);
    assert.deepEqual(h2[0].range, rangeOf(userMgt, '<Property name="dataSource">jdbc/WSO2CarbonDB</Property>', 'jdbc/WSO2CarbonDB'));
    assert.match(h2[0].message, /WSO2_CARBON_DB/, 'names the datasource');
  });

  test('master-datasources.xml rewritten to MySQL on disk + didChangeWatchedFiles: h2-datasource goes away', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(USER_MGT);
    workspace.write(MASTER_DS, masterDatasourcesXml({ database: 'mysql' }));
    const updated = server.waitForDiagnostics(uri, lacks('h2-datasource'));
    await server.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: workspace.uri(MASTER_DS), type: 2 }] });
    await updated;
  });

  test('an open, unsaved master-datasources.xml takes precedence over the disk, until it is closed', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(USER_MGT);
    const masterUri = workspace.uri(MASTER_DS);
    const unsaved = masterDatasourcesXml({ database: 'h2' }); // the disk says MySQL
    const dependent = server.waitForDiagnostics(uri, has('h2-datasource'));
    const own = server.waitForDiagnostics(masterUri, has('h2-datasource'));
    await server.open(masterUri, unsaved, 1);
    const [ownH2] = withCode((await own).diagnostics, 'h2-datasource');
    assert.deepEqual(ownH2.range, rangeOf(unsaved, H2_URL));
    await dependent;

    // Closing without saving: the disk (MySQL) counts again and the closed document's diagnostics are cleared.
    const back = server.waitForDiagnostics(uri, lacks('h2-datasource'));
    const cleared = server.waitForDiagnostics(masterUri);
    await server.close(masterUri);
    assert.deepEqual((await cleared).diagnostics, []);
    await back;
  });

  test('an edit to the open master-datasources.xml revalidates user-mgt.xml', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(USER_MGT);
    const masterUri = workspace.uri(MASTER_DS);
    const mysql = masterDatasourcesXml({ database: 'mysql' });
    const opened = server.waitForDiagnostics(uri, lacks('h2-datasource'));
    await server.open(masterUri, mysql, 1);
    await opened;
    const dependent = server.waitForDiagnostics(uri, has('h2-datasource'));
    await server.change(masterUri, 2, [{ text: masterDatasourcesXml({ database: 'h2' }) }]);
    await dependent;
  });
});

describe('.wso2config.json at the workspace root', () => {
  let workspace: TempWorkspace;
  let server: TestServer;
  const carbon = carbonWithH2Console('-1');

  before(async () => {
    workspace = new TempWorkspace({ ...productHome(), '.wso2config.json': '{ "rules": { "h2-datasource": "off" } }\n' });
    server = TestServer.start();
    await server.initialize({ rootPath: workspace.root });
  }, HOOK_TIMEOUT);

  after(async () => {
    await server.dispose();
    workspace.remove();
  }, HOOK_TIMEOUT);

  test('a rule turned off in the file is not reported; the others are', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(CARBON);
    // The file is read after initialized; the first publish may predate it, so wait for the settled state.
    const published = server.waitForDiagnostics(uri, (p) => has('port-offset')(p) && lacks('h2-datasource')(p));
    await server.open(uri, carbon, 1);
    const publish = await published;
    assert.deepEqual(withCode(publish.diagnostics, 'port-offset')[0].range, rangeOf(carbon, '<Offset>-1</Offset>', '-1'));
  });

  test('editing the file on disk + didChangeWatchedFiles applies the new settings', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(CARBON);
    workspace.write('.wso2config.json', '{ "wso2Config.rules": { "port-offset": "hint" } }\n');
    const updated = server.waitForDiagnostics(uri, (p) => has('h2-datasource')(p) && withCode(p.diagnostics, 'port-offset').every((d) => d.severity === HINT));
    await server.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: workspace.uri('.wso2config.json'), type: 2 }] });
    const publish = await updated;
    const [h2] = withCode(publish.diagnostics, 'h2-datasource');
    assertWellFormed(h2, 'h2-datasource');
    assert.deepEqual(h2.range, rangeOf(carbon, '<property name="web"/>', 'web'));
  });

  test('an invalid file gets a diagnostic on the bad key, and its valid part still applies', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(CARBON);
    const settingsUri = workspace.uri('.wso2config.json');
    const settingsText = '{\n  "rules": { "h2-datasource": "off" },\n  "tlsProfil": "modern"\n}\n';
    workspace.write('.wso2config.json', settingsText);
    const settingsPublished = server.waitForDiagnostics(settingsUri, (p) => p.diagnostics.length > 0);
    const carbonUpdated = server.waitForDiagnostics(uri, (p) => has('port-offset')(p) && lacks('h2-datasource')(p));
    await server.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: settingsUri, type: 2 }] });
    const publish = await settingsPublished;
    assert.equal(publish.diagnostics.length, 1, JSON.stringify(publish.diagnostics));
    const [problem] = publish.diagnostics;
    assert.equal(problem.source, 'wso2-config');
    assert.equal(problem.severity, ERROR);
    assert.match(problem.message, /tlsProfil/);
    assert.deepEqual(problem.range, rangeOf(settingsText, '"tlsProfil"'));
    await carbonUpdated;

    // Fixed: the settings file's diagnostics are cleared.
    workspace.write('.wso2config.json', '{ "rules": { "h2-datasource": "off" }, "tlsProfile": "modern" }\n');
    const cleared = server.waitForDiagnostics(settingsUri);
    await server.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: settingsUri, type: 2 }] });
    assert.deepEqual((await cleared).diagnostics, []);
  });
});

describe('robustness: malformed XML, binary and huge files', () => {
  let workspace: TempWorkspace;
  let server: TestServer;

  before(async () => {
    workspace = new TempWorkspace(productHome());
    server = TestServer.start();
    await server.initialize({ rootPath: workspace.root });
  }, HOOK_TIMEOUT);

  after(async () => {
    await server.dispose();
    workspace.remove();
  }, HOOK_TIMEOUT);

  test('malformed XML: one xml-syntax error at the first fault, and the other rules still report', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(CARBON);
    // </KeyStor> does not close <KeyStore>; a second fault follows (</Securty>), which must not add a second error.
    const text = carbonXml({ offset: '-5' }).replace('</KeyStore>', '</KeyStor>').replace('</Security>', '</Securty>');
    const published = server.waitForDiagnostics(uri, has('xml-syntax'));
    await server.open(uri, text, 1);
    const publish = await published;
    const syntax = withCode(publish.diagnostics, 'xml-syntax');
    assert.equal(syntax.length, 1, 'reported once, at the first fault');
    assertWellFormed(syntax[0], 'xml-syntax');
    assert.equal(syntax[0].severity, ERROR);
    assert.equal(syntax[0].range.start.line, rangeOf(text, '</KeyStor>').start.line, 'on the line of the first fault');
    const [offset] = withCode(publish.diagnostics, 'port-offset');
    assert.ok(offset, 'port-offset still runs on what parsed');
    assert.deepEqual(offset.range, rangeOf(text, '<Offset>-5</Offset>', '-5'));
    await server.close(uri);
  });

  test('a binary file (NUL bytes) gets one file-not-analysed message', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(AXIS2);
    const text = `<axisconfig name="AxisJava2.0">\u0000\u0001\u0000garbage\u0000</axisconfig>`;
    const published = server.waitForDiagnostics(uri);
    await server.open(uri, text, 1);
    const publish = await published;
    assert.equal(publish.diagnostics.length, 1, JSON.stringify(publish.diagnostics));
    assert.equal(publish.diagnostics[0].code, 'file-not-analysed');
    assert.equal(publish.diagnostics[0].source, 'wso2-config');
    assert.match(publish.diagnostics[0].message, /binary|NUL/i);
  });

  test('a file with thousands of findings publishes the first 1000 and says how many more there are', { timeout: 60_000 }, async () => {
    const uri = workspace.uri('generated/repository/conf/axis2/axis2.xml');
    const receiver = (i: number) =>
      `  <transportReceiver name="t${i}" class="org.example.Listener">\n    <parameter name="keystore"><KeyStore><Password>pw-${i}</Password></KeyStore></parameter>\n  </transportReceiver>\n`;
    const text = `<axisconfig name="AxisJava2.0">\n${Array.from({ length: 1200 }, (_, i) => receiver(i)).join('')}</axisconfig>\n`;
    const published = server.waitForDiagnostics(uri, undefined, { timeoutMs: 30_000 });
    await server.open(uri, text, 1);
    const publish = await published;
    assert.equal(publish.diagnostics.length, 1001);
    assert.equal(withCode(publish.diagnostics, 'plaintext-password').length, 1000);
    const note = publish.diagnostics[1000];
    assert.equal(note.severity, 3, 'information');
    assert.match(note.message, /^200 more findings/);
    await server.close(uri);
  });

  test('a file over 16 MB gets one file-not-analysed message, and the server keeps answering', { timeout: 60_000 }, async () => {
    const uri = workspace.uri(REGISTRY);
    const block = '    <!-- a large comment block that makes this registry.xml grow beyond the analysis limit -->\n';
    const text = `<wso2registry>\n${block.repeat(Math.ceil((17 * 1024 * 1024) / block.length))}</wso2registry>\n`;
    const published = server.waitForDiagnostics(uri, undefined, { timeoutMs: 30_000 });
    await server.open(uri, text, 1);
    const publish = await published;
    assert.equal(publish.diagnostics.length, 1, JSON.stringify(publish.diagnostics));
    assert.equal(publish.diagnostics[0].code, 'file-not-analysed');
    assert.match(publish.diagnostics[0].message, /MB/);

    // Still alive and answering: an unknown request gets an answer (an error), and a new document gets diagnostics.
    await assert.rejects(server.request('wso2Config/noSuchMethod', {}), (error: Error & { code?: number }) => error.code === -32601);
    const carbonUri = workspace.uri(CARBON);
    const carbonPublished = server.waitForDiagnostics(carbonUri, has('port-offset'));
    await server.open(carbonUri, carbonXml({ offset: '-2' }), 10);
    assert.equal((await carbonPublished).version, 10);
    assert.equal(await server.shutdown(), 0);
  });
});
