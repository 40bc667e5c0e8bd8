import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSource } from '../../helpers';
import { FileContent, FileSource, ProductHome, createService, mergeSettings } from '../../../server/src/service';
import { CATALINA, axis2Xml, carbonXml } from '../ports/fixtures';

/**
 * A CLI run (stableFiles) computes each home's facts once per pass: the file look-ups grow with the homes, not with
 * homes × carbon.xml files as when every carbon.xml rechecked every home's versions; and the findings are the same.
 */

class CountingSource implements FileSource {
  calls = 0;
  constructor(readonly inner: MemoryFileSource) {}
  read(path: string): Promise<FileContent | undefined> {
    this.calls++;
    return this.inner.read(path);
  }
  exists(path: string): Promise<boolean> {
    this.calls++;
    return this.inner.exists(path);
  }
  list(dir: string): Promise<string[]> {
    this.calls++;
    return this.inner.list(dir);
  }
}

const settings = mergeSettings();

async function lintAll(homeCount: number, mode: 'stable' | 'recheck' | 'pass') {
  const files: Record<string, string> = {};
  for (let i = 0; i < homeCount; i++) {
    const conf = `/ws/home-${i}/repository/conf`;
    // Every third home at offset 0 with the one before: conflicts to report, and homes clear of them.
    files[`${conf}/carbon.xml`] = carbonXml({ offset: String(i % 3 === 0 ? 0 : i * 10) });
    files[`${conf}/tomcat/catalina-server.xml`] = CATALINA;
    files[`${conf}/axis2/axis2.xml`] = axis2Xml('passthru');
  }
  const source = new CountingSource(new MemoryFileSource(files));
  const service = createService({ files: source, stableFiles: mode === 'stable', knownHomes: () => homes });
  const homes: ProductHome[] = Object.keys(files)
    .filter((p) => p.endsWith('/carbon.xml'))
    .map((p) => service.recognise(p)!.home!);
  const findings: string[] = [];
  const lint = async () => {
    for (const path of Object.keys(files)) {
      const content = (await source.read(path))!;
      const result = await service.analyse({ path, content, settings });
      for (const f of result.findings) findings.push(`${path}: ${f.ruleId}: ${f.message}`);
    }
  };
  if (mode === 'pass') await service.inPass(lint);
  else await lint();
  return { calls: source.calls, findings, service, memory: source };
}

test('with stable files, each home is looked up once per pass, and the findings do not change', async () => {
  const small = await lintAll(20, 'stable');
  const large = await lintAll(40, 'stable');
  const recheck = await lintAll(40, 'recheck');
  assert.deepEqual(large.findings, recheck.findings);
  assert.ok(large.findings.some((f) => f.includes('port-conflict')), 'port conflicts are found');
  // Twice the homes, twice the look-ups (give or take the files' own reads); rechecking grows with the square.
  assert.ok(large.calls <= small.calls * 2.2, `20 homes: ${small.calls} look-ups, 40 homes: ${large.calls}`);
  assert.ok(recheck.calls > large.calls * 4, `rechecking: ${recheck.calls} look-ups, stable: ${large.calls}`);
});

test('a validation pass of the server (inPass) looks each home up once; after it, changed files are seen again', async () => {
  const small = await lintAll(20, 'pass');
  const large = await lintAll(40, 'pass');
  const recheck = await lintAll(40, 'recheck');
  assert.deepEqual(large.findings, recheck.findings);
  assert.ok(large.calls <= small.calls * 2.2, `20 homes: ${small.calls} look-ups, 40 homes: ${large.calls}`);
  // After the pass, facts follow the files' versions again: home-1 moves to offset 0 and now collides too.
  const { service } = large;
  const path = '/ws/home-1/repository/conf/carbon.xml';
  const conflictsOfHome0 = async () => {
    const home0 = '/ws/home-0/repository/conf/carbon.xml';
    const result = await service.analyse({ path: home0, content: { kind: 'text', text: carbonXml({ offset: '0' }), version: 'v0' }, settings });
    return result.findings.filter((f) => f.ruleId === 'port-conflict' && String(f.data?.otherHome) === '/ws/home-1').length;
  };
  assert.equal(await conflictsOfHome0(), 0);
  large.memory.inner.set(path, carbonXml({ offset: '0' }));
  assert.equal(await conflictsOfHome0(), 1);
});
