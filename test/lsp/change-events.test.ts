import * as fs from 'node:fs';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import type { ClientCapabilities, Diagnostic, Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { TempWorkspace, TestServer, rangeOf } from './client';
import { CATALINA, carbonXml, twoProductsAtZero } from '../unit/ports/fixtures';

/**
 * Home facts under change events, over JSON-RPC. With file watchers registered, the server trusts what it knows of
 * other files until the client reports a change (didChangeWatchedFiles): a change on disk shows in the diagnostics
 * and hover of the open carbon.xml once the event comes, and not before. Without watcher support (Neovim 0.7), every
 * analysis checks the files' versions, and the change is seen without any event.
 */

const TEST_TIMEOUT = { timeout: 30_000 };
const APIM_CARBON = 'wso2am-2.6.0/repository/conf/carbon.xml';
const IS_HOME = 'wso2is-5.6.0';
const IS_CARBON = `${IS_HOME}/repository/conf/carbon.xml`;
const IS_CATALINA = `${IS_HOME}/repository/conf/tomcat/catalina-server.xml`;
const TOML_HOME = 'wso2is-7.0.0';
const TOML = `${TOML_HOME}/repository/conf/deployment.toml`;
/** The IS home's HTTPS connector moved off the port the APIM home uses too. */
const CATALINA_MOVED = CATALINA.replace('port="9443" SSLEnabled', 'port="19443" SSLEnabled');
const tomlAt = (offset: number) => `[server]\nhostname = "localhost"\noffset = ${offset}\n`;
const WITHOUT_WATCHERS: ClientCapabilities = {
  workspace: { configuration: true, workspaceFolders: true },
  textDocument: { publishDiagnostics: { versionSupport: true, codeDescriptionSupport: true, dataSupport: true } },
};

function files(): Record<string, string> {
  const tree = Object.fromEntries(Object.entries(twoProductsAtZero()).map(([p, text]) => [p.replace(/^\/ws\//, ''), text]));
  return { ...tree, [TOML]: tomlAt(0) };
}

/** Ports the open carbon.xml shares with another home, by that home's folder name (port-conflict's data). */
function conflicts(diagnostics: Diagnostic[]): Map<string, number[]> {
  const byHome = new Map<string, number[]>();
  for (const d of diagnostics) {
    const data = d.data as { otherHome?: string; ports?: { port: number }[] | number[] } | undefined;
    if (d.code !== 'port-conflict' || typeof data?.otherHome !== 'string') continue;
    const ports = (data.ports ?? []).map((p) => (typeof p === 'number' ? p : p.port));
    byHome.set(data.otherHome.slice(data.otherHome.lastIndexOf('/') + 1), ports);
  }
  return byHome;
}

async function withServer(capabilities: ClientCapabilities | undefined, work: (server: TestServer, workspace: TempWorkspace) => Promise<void>): Promise<void> {
  const workspace = new TempWorkspace(files());
  const server = TestServer.start();
  try {
    await server.initialize({ rootPath: workspace.root, ...(capabilities ? { capabilities } : {}) });
    await work(server, workspace);
  } finally {
    await server.dispose();
    workspace.remove();
  }
}

/** Opens the APIM carbon.xml and answers its first diagnostics (after the workspace's homes are known). */
async function openApim(server: TestServer, workspace: TempWorkspace): Promise<{ uri: string; text: string; diagnostics: Diagnostic[] }> {
  const uri = workspace.uri(APIM_CARBON);
  const text = carbonXml({ offset: '0' });
  const published = server.waitForDiagnostics(uri, (p) => conflicts(p.diagnostics).has(TOML_HOME));
  await server.open(uri, text, 1);
  return { uri, text, diagnostics: (await published).diagnostics };
}

/** A keystroke in a comment of the open document (nothing a rule reads): the diagnostics of that version. */
async function retype(server: TestServer, uri: string, version: number): Promise<Diagnostic[]> {
  const published = server.waitForDiagnostics(uri, (p) => p.version === version);
  await server.change(uri, version, [{ range: { start: { line: 5, character: 20 }, end: { line: 5, character: 20 } }, text: ' ' }]);
  return (await published).diagnostics;
}

describe('home facts and change events', () => {
  test('with watchers: a catalina-server.xml changed on disk counts once didChangeWatchedFiles reports it', TEST_TIMEOUT, async () => {
    await withServer(undefined, async (server, workspace) => {
      const { uri, diagnostics } = await openApim(server, workspace);
      assert.ok(conflicts(diagnostics).get(IS_HOME)?.includes(9443), JSON.stringify([...conflicts(diagnostics)]));
      workspace.write(IS_CATALINA, CATALINA_MOVED);
      // No event yet: the facts the server holds are trusted (no stat per home per keystroke).
      assert.ok(conflicts(await retype(server, uri, 2)).get(IS_HOME)?.includes(9443), 'the cached facts of the IS home');
      const updated = server.waitForDiagnostics(uri, (p) => !conflicts(p.diagnostics).get(IS_HOME)?.includes(9443));
      await server.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: workspace.uri(IS_CATALINA), type: 2 }] });
      const ports = conflicts((await updated).diagnostics);
      assert.ok(ports.has(IS_HOME) && ports.has(TOML_HOME), 'the other shared ports stay reported');
    });
  });

  test('with watchers: the hover of the open carbon.xml offset shows the changed connector after the event', TEST_TIMEOUT, async () => {
    await withServer(undefined, async (server, workspace) => {
      const uri = workspace.uri(IS_CARBON);
      const text = carbonXml({ offset: '0' });
      await server.open(uri, text, 1);
      const hover = async () => {
        const answer = await server.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: rangeOf(text, '<Offset>0</Offset>', '0').start });
        assert.ok(answer, 'a hover on the offset');
        return (answer.contents as MarkupContent).value;
      };
      assert.match(await hover(), /\b9443\b/);
      assert.doesNotMatch(await hover(), /19443/);
      workspace.write(IS_CATALINA, CATALINA_MOVED);
      await server.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: workspace.uri(IS_CATALINA), type: 2 }] });
      const deadline = Date.now() + 10_000;
      let markdown = await hover();
      while (!markdown.includes('19443') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        markdown = await hover();
      }
      assert.match(markdown, /19443/);
    });
  });

  test('with watchers: a deployment.toml home moved to another offset on disk is clear of conflicts after its event', TEST_TIMEOUT, async () => {
    await withServer(undefined, async (server, workspace) => {
      const { uri } = await openApim(server, workspace);
      workspace.write(TOML, tomlAt(20));
      assert.ok(conflicts(await retype(server, uri, 2)).has(TOML_HOME), 'no event, the cached facts');
      const updated = server.waitForDiagnostics(uri, (p) => !conflicts(p.diagnostics).has(TOML_HOME));
      await server.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: workspace.uri(TOML), type: 2 }] });
      assert.ok(conflicts((await updated).diagnostics).has(IS_HOME), 'the XML home still conflicts');
    });
  });

  test('with watchers: a folder removed, changed on disk meanwhile (no events) and added again is read afresh', TEST_TIMEOUT, async () => {
    await withServer(undefined, async (server, workspace) => {
      const { uri, diagnostics } = await openApim(server, workspace);
      assert.ok(conflicts(diagnostics).get(IS_HOME)?.includes(9443));
      const folder = { uri: pathToFileURL(workspace.root).toString(), name: 'ws' };
      // Removed: its homes are no longer the workspace's (the open carbon.xml's own home stays known).
      const removed = server.waitForDiagnostics(uri, (p) => !conflicts(p.diagnostics).has(IS_HOME));
      await server.connection.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: [], removed: [folder] } });
      await removed;
      // A change the client does not announce: the folder is not watched now.
      workspace.write(IS_CATALINA, CATALINA_MOVED);
      const added = server.waitForDiagnostics(uri, (p) => conflicts(p.diagnostics).has(IS_HOME));
      await server.connection.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: [folder], removed: [] } });
      const ports = conflicts((await added).diagnostics);
      assert.ok(!ports.get(IS_HOME)?.includes(9443), `facts of the IS home from before the folder was removed: ${JSON.stringify([...ports])}`);
    });
  });

  test('with watchers: a home folder deleted (one event, for the folder) is gone from the conflicts', TEST_TIMEOUT, async () => {
    await withServer(undefined, async (server, workspace) => {
      const { uri, diagnostics } = await openApim(server, workspace);
      const registration = server.serverRequests.find((r) => r.method === 'client/registerCapability');
      const watchers = (registration?.params as { registrations: { registerOptions: { watchers: { globPattern: string; kind?: number }[] } }[] }).registrations[0].registerOptions.watchers;
      assert.ok(watchers.some((w) => w.globPattern === '**/*' && w.kind === 4), 'a delete watcher for folders');
      assert.ok(conflicts(diagnostics).has(IS_HOME));
      fs.rmSync(workspace.path(IS_HOME), { recursive: true, force: true });
      // VS Code reports a deleted folder as itself only: no event for the carbon.xml or catalina-server.xml below it.
      const updated = server.waitForDiagnostics(uri, (p) => !conflicts(p.diagnostics).has(IS_HOME));
      await server.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: workspace.uri(IS_HOME), type: 3 }] });
      assert.ok(conflicts((await updated).diagnostics).has(TOML_HOME), 'the toml home still conflicts');
    });
  });

  test('without watcher support: the change on disk is seen at the next analysis, with no event', TEST_TIMEOUT, async () => {
    await withServer(WITHOUT_WATCHERS, async (server, workspace) => {
      assert.ok(!server.serverRequests.some((r) => r.method === 'client/registerCapability'), 'no watchers were asked for');
      const { uri, diagnostics } = await openApim(server, workspace);
      assert.ok(conflicts(diagnostics).get(IS_HOME)?.includes(9443));
      workspace.write(IS_CATALINA, CATALINA_MOVED);
      workspace.write(TOML, tomlAt(20));
      const ports = conflicts(await retype(server, uri, 2));
      assert.ok(!ports.get(IS_HOME)?.includes(9443), JSON.stringify([...ports]));
      assert.ok(!ports.has(TOML_HOME), JSON.stringify([...ports]));
    });
  });
});
