import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DiagnosticsDependencies, DiagnosticsPublisher } from '../../server/src/lsp/handlers/diagnostics';
import { AnalysisResult, Finding, mergeSettings } from '../../server/src/service';

/**
 * Validate Workspace publishes a closed file whose port conflicts were deferred at the end of the pass. A file the user
 * opened meanwhile is the editor's: its own validation (of the editor's text, with its version) publishes it, and the
 * pass must not overwrite that with findings of the saved file.
 */

const path = '/ws/a/repository/conf/carbon.xml';
const uri = pathToFileURL(path).toString();
const finding = (ruleId: Finding['ruleId'], start: number): Finding => ({ ruleId, severity: 'warning', message: ruleId, span: { start, end: start + 1 } });

test('a file opened during Validate Workspace is not published again as a closed file when its deferred findings come', async () => {
  const open = new Map<string, TextDocument>();
  const sent: { uri: string; version?: number; codes: unknown[] }[] = [];
  const home = { homeDir: '/ws/a', distributionDir: '/ws/a', confDir: '/ws/a/repository/conf' };
  const result = {
    location: { path, home, kind: 'carbon', confRelativePath: 'carbon.xml' },
    doc: undefined,
    text: '<Server/>\n',
    findings: [finding('plaintext-password', 1)],
    crossHome: {
      // The user opens the file while the pass compares homes.
      findings: async () => {
        open.set(uri, TextDocument.create(uri, 'xml', 3, '<Server/>\n'));
        return [finding('port-conflict', 0)];
      },
      fingerprints: () => [],
    },
  } as unknown as AnalysisResult;
  const deps = {
    connection: { sendDiagnostics: async (params: { uri: string; version?: number; diagnostics: { code?: unknown }[] }) => void sent.push({ uri: params.uri, version: params.version, codes: params.diagnostics.map((d) => d.code) }) },
    documents: { get: (u: string) => open.get(u), all: () => [...open.values()] },
    service: {
      inPass: <T>(work: () => Promise<T>) => work(),
      homeFiles: async () => [path],
      passOrder: (paths: readonly string[]) => paths.map((_, i) => i),
      analyse: async () => result,
      kinds: [],
      dependsOn: () => false,
    },
    files: { read: async () => ({ kind: 'text', text: '<Server/>\n', version: 'disk:1' }) },
    settingsFor: () => mergeSettings(),
    roots: () => ['/ws'],
    knownHomes: () => [home],
    rescanHomes: async () => undefined,
    contentOf: (document: TextDocument) => ({ kind: 'text', text: document.getText(), version: `open:${document.version}` }),
    safe: (_name: string, handler: (...args: unknown[]) => unknown) => async (...args: unknown[]) => handler(...args),
  } as unknown as DiagnosticsDependencies;
  const publisher = new DiagnosticsPublisher(deps);
  const answer = await publisher.validateWorkspace();
  assert.equal(answer.files, 1);
  assert.deepEqual(
    sent.filter((s) => s.uri === uri && s.version === undefined),
    [],
    'no closed-file diagnostics for a file open in the editor',
  );
});
