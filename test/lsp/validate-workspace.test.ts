import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { ServerCommands, ValidateWorkspaceResult } from '../../server/src/protocol';
import { DEFAULT_TIMEOUT_MS, TempWorkspace, TestServer, withTimeout } from './client';
import { carbonXml } from '../unit/ports/fixtures';

/**
 * *Validate Workspace* over real JSON-RPC: it streams diagnostics file by file with `$/progress` reports (on the
 * client's workDoneToken, or on a progress the server creates), stops when the request or the progress is cancelled,
 * and does not keep the diagnostics of a document opened meanwhile waiting until it is done.
 */

const HOMES = 60;
const TEST_TIMEOUT = { timeout: 120_000 };
const USER_MGT = '<UserManager><Realm><Configuration><AdminUser><UserName>admin</UserName><Password>admin</Password></AdminUser></Configuration></Realm></UserManager>\n';

let workspace: TempWorkspace;
const running: TestServer[] = [];

before(() => {
  const files: Record<string, string> = {};
  for (let i = 0; i < HOMES; i++) {
    // Offsets apart, so the homes do not all share ports: the point here is the stream, not the conflicts.
    files[`wso2am-${i}/repository/conf/carbon.xml`] = carbonXml({ offset: String(i * 20) });
    files[`wso2am-${i}/repository/conf/user-mgt.xml`] = USER_MGT;
  }
  workspace = new TempWorkspace(files);
});

after(async () => {
  for (const server of running) await server.dispose();
  workspace?.remove();
});

/** `$/progress` never reaches the client's notification handlers (vscode-jsonrpc routes it by token): recorded here. */
const progressSeen = new Map<TestServer, { token: string | number; value: ProgressValue; at: number }[]>();

async function startServer(capabilities?: Parameters<TestServer['initialize']>[0]['capabilities']): Promise<TestServer> {
  const server = TestServer.start();
  running.push(server);
  const seen: { token: string | number; value: ProgressValue; at: number }[] = [];
  progressSeen.set(server, seen);
  // `at`: how many notifications came before it, to order progress among the publishes.
  server.connection.onUnhandledProgress((params) => void seen.push({ token: params.token, value: params.value as ProgressValue, at: server.notifications.length }));
  await server.initialize({ rootPath: workspace.root, ...(capabilities ? { capabilities } : {}) });
  return server;
}

type ProgressValue = { kind: 'begin' | 'report' | 'end'; percentage?: number; message?: string; cancellable?: boolean; title?: string };

function progressOf(server: TestServer, token: string | number): ProgressValue[] {
  return progressSeen.get(server)!.filter((p) => p.token === token).map((p) => p.value);
}

async function until(what: string, check: () => boolean, timeoutMs = DEFAULT_TIMEOUT_MS * 3): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('Validate Workspace reports progress on the client token and streams diagnostics between the reports', TEST_TIMEOUT, async () => {
  const server = await startServer();
  const result = await server.request<ValidateWorkspaceResult>('workspace/executeCommand', { command: ServerCommands.validateWorkspace, arguments: [], workDoneToken: 'validate-1' }, 60_000);
  assert.deepEqual(result, { files: HOMES * 2, findings: result.findings });
  assert.ok(result.findings >= HOMES, `a plaintext password per home at least (${result.findings})`);
  const progress = progressOf(server, 'validate-1');
  assert.equal(progress[0].kind, 'begin');
  assert.equal(progress[0].cancellable, true);
  assert.equal(progress.at(-1)!.kind, 'end');
  const reports = progress.filter((p) => p.kind === 'report');
  assert.equal(reports.length, HOMES, 'one report per home');
  const percentages = reports.map((r) => r.percentage ?? -1);
  assert.deepEqual(percentages, [...percentages].sort((a, b) => a - b), 'percentages never go back');
  // Streamed: diagnostics of closed files arrive between the first report and the end, not all after it.
  const at = (kind: string, last = false) => {
    const marks = progressSeen.get(server)!.filter((p) => p.token === 'validate-1' && p.value.kind === kind).map((p) => p.at);
    return last ? marks.at(-1)! : marks[0];
  };
  const publishesBetween = (from: number, to: number) => server.notifications.slice(from, to).filter((n) => n.method === 'textDocument/publishDiagnostics').length;
  assert.ok(publishesBetween(at('report'), at('report', true)) > 0, 'publishes between the reports');
  assert.ok(publishesBetween(at('report', true), at('end')) > 0, 'the last home published after its report, before the end');
});

test('cancelling the request stops Validate Workspace part way and says so', TEST_TIMEOUT, async () => {
  const server = await startServer();
  const source = new CancellationTokenSource();
  const answer = server.connection.sendRequest<ValidateWorkspaceResult>('workspace/executeCommand', { command: ServerCommands.validateWorkspace, arguments: [], workDoneToken: 'validate-2' }, source.token);
  await until('a first progress report', () => progressOf(server, 'validate-2').some((p) => p.kind === 'report'));
  source.cancel();
  const result = await withTimeout(answer, 60_000, 'cancelled validation');
  assert.equal(result.cancelled, true);
  assert.ok(result.files < HOMES * 2, `stopped part way (${result.files} of ${HOMES * 2} files)`);
  assert.equal(progressOf(server, 'validate-2').at(-1)?.kind, 'end', 'the progress is ended');
  // The server is still well: a second validation runs to the end.
  const again = await server.request<ValidateWorkspaceResult>('workspace/executeCommand', { command: ServerCommands.validateWorkspace, arguments: [] }, 60_000);
  assert.equal(again.files, HOMES * 2);
  assert.equal(again.cancelled, undefined);
});

test('a client with window.workDoneProgress gets a server-created progress it can cancel', TEST_TIMEOUT, async () => {
  const server = await startServer({
    window: { workDoneProgress: true },
    workspace: { configuration: true, workspaceFolders: true, didChangeWatchedFiles: { dynamicRegistration: true } },
  });
  const answer = server.request<ValidateWorkspaceResult>('workspace/executeCommand', { command: ServerCommands.validateWorkspace, arguments: [] }, 60_000);
  await until('the server creates a progress', () => server.serverRequests.some((r) => r.method === 'window/workDoneProgress/create'));
  const { token } = server.serverRequests.find((r) => r.method === 'window/workDoneProgress/create')!.params as { token: string };
  await until('a first progress report', () => progressOf(server, token).some((p) => p.kind === 'report'));
  assert.equal(progressOf(server, token)[0].cancellable, true);
  await server.connection.sendNotification('window/workDoneProgress/cancel', { token });
  const result = await answer;
  assert.equal(result.cancelled, true);
  assert.ok(result.files < HOMES * 2, `stopped part way (${result.files} of ${HOMES * 2} files)`);
});

test('a document opened during Validate Workspace gets its diagnostics before the validation ends', TEST_TIMEOUT, async () => {
  const server = await startServer();
  const answer = server.request<ValidateWorkspaceResult>('workspace/executeCommand', { command: ServerCommands.validateWorkspace, arguments: [], workDoneToken: 'validate-4' }, 60_000);
  await until('a first progress report', () => progressOf(server, 'validate-4').some((p) => p.kind === 'report'));
  const uri = workspace.uri('wso2am-0/repository/conf/user-mgt.xml');
  // Another version of the file than on disk: its diagnostics can only come from validating the open document.
  const published = server.waitForDiagnostics(uri, (p) => p.version === 7, { timeoutMs: 60_000 });
  await server.open(uri, USER_MGT.replace('<Password>admin</Password>', '<Password>admin</Password><Password>other</Password>'), 7);
  await published;
  const endedBefore = progressOf(server, 'validate-4').some((p) => p.kind === 'end');
  await answer;
  assert.equal(endedBefore, false, 'the open document did not wait for the validation to end');
});

test('Validate Workspace publishes each carbon.xml once, its port conflicts with every other home included', TEST_TIMEOUT, async () => {
  // 12 homes at offset 0: each carbon.xml names 10 of the other 11 and counts the last. The conflicts are computed
  // once every home's facts are known, and the file is published then, complete, not once without them and again.
  const files: Record<string, string> = {};
  for (let i = 0; i < 12; i++) files[`home-${String(i).padStart(2, '0')}/repository/conf/carbon.xml`] = carbonXml({ offset: '0' });
  const colliding = new TempWorkspace(files);
  const server = TestServer.start();
  running.push(server);
  try {
    await server.initialize({ rootPath: colliding.root });
    const result = await server.request<ValidateWorkspaceResult>('workspace/executeCommand', { command: ServerCommands.validateWorkspace, arguments: [] }, 60_000);
    assert.equal(result.files, 12);
    const publishes = server.notifications.filter((n) => n.method === 'textDocument/publishDiagnostics').map((n) => n.params as { uri: string; diagnostics: { code?: string | number; range: { start: { line: number } } }[] });
    for (let i = 0; i < 12; i++) {
      const mine = publishes.filter((p) => p.uri.endsWith(`/home-${String(i).padStart(2, '0')}/repository/conf/carbon.xml`));
      assert.equal(mine.length, 1, `home ${i}: published once`);
      const conflicts = mine[0].diagnostics.filter((d) => d.code === 'port-conflict');
      assert.equal(conflicts.length, 11, `home ${i}: 10 homes named, the 11th counted`);
      const lines = mine[0].diagnostics.map((d) => d.range.start.line);
      assert.deepEqual(lines, [...lines].sort((a, b) => a - b), 'in document order');
    }
    assert.ok(result.findings >= 12 * 11);
  } finally {
    colliding.remove();
  }
});
