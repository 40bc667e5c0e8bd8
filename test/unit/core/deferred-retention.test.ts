import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { MemoryFileSource } from '../../helpers';
import { FileContent, ProductHome, createService, mergeSettings } from '../../../server/src/service';
import { CATALINA, carbonXml } from '../ports/fixtures';

/**
 * A deferred cross-home check (AnalyseRequest.deferCrossHome) waits for the end of a pass over thousands of files: it
 * must keep where its findings go, not the file. These tests let go of everything but the check, collect garbage, and
 * look whether the document (XML) or the request's content (deployment.toml) is still alive.
 */

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const settings = mergeSettings();

function setUp(files: Record<string, string>) {
  const memory = new MemoryFileSource(files);
  let homes: ProductHome[] = [];
  // As the CLI has it: stable files, each file let go of (invalidate) after its analysis.
  const service = createService({ files: memory, knownHomes: () => homes, stableFiles: true });
  homes = memory.paths().flatMap((p) => (p.endsWith('/carbon.xml') || p.endsWith('/deployment.toml') ? [service.recognise(p)!.home!] : []));
  return { memory, service };
}

async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 3 && ref.deref() !== undefined; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  return ref.deref() === undefined;
}

test('a deferred port-conflict check of carbon.xml does not keep the document', async () => {
  const files: Record<string, string> = {};
  for (const home of ['/ws/a', '/ws/b']) {
    files[`${home}/repository/conf/carbon.xml`] = carbonXml({ offset: '0' });
    files[`${home}/repository/conf/tomcat/catalina-server.xml`] = CATALINA;
  }
  const { memory, service } = setUp(files);
  const path = '/ws/a/repository/conf/carbon.xml';
  const analyse = async () => {
    const result = await service.analyse({ path, content: (await memory.read(path))!, settings, deferCrossHome: true });
    service.invalidate(path);
    return { check: result.crossHome!, doc: new WeakRef(result.doc as object) };
  };
  const { check, doc } = await analyse();
  assert.ok(await collected(doc), 'the document outlived its analysis');
  const findings = await check.findings();
  assert.deepEqual(findings.map((f) => [f.ruleId, f.data?.otherHome]), [['port-conflict', '/ws/b']]);
});

test('a deferred port-conflict check of deployment.toml does not keep the file content', async () => {
  const files: Record<string, string> = {};
  for (const home of ['/ws/a', '/ws/b']) files[`${home}/repository/conf/deployment.toml`] = '[server]\nhostname = "localhost"\n';
  const { memory, service } = setUp(files);
  const path = '/ws/a/repository/conf/deployment.toml';
  const analyse = async () => {
    const content: FileContent = { ...(await memory.read(path))! };
    const result = await service.analyse({ path, content, settings, deferCrossHome: true });
    service.invalidate(path);
    return { check: result.crossHome!, content: new WeakRef(content) };
  };
  const { check, content } = await analyse();
  assert.ok(check, 'a toml home with another home to compare has a deferred check');
  assert.ok(await collected(content), 'the content outlived its analysis');
  const findings = await check.findings();
  assert.deepEqual(findings.map((f) => [f.ruleId, f.data?.otherHome]), [['port-conflict', '/ws/b']]);
});
