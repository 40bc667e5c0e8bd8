import { test } from 'node:test';
import assert from 'node:assert/strict';
import picomatch from 'picomatch';
import { MemoryFileSource } from '../../helpers';
import { ChangeEvents, FileContent, FileSource, ProductHome, WorkspaceService, createService, mergeSettings } from '../../../server/src/service';
import { CATALINA, axis2Xml, carbonXml } from '../ports/fixtures';

/**
 * ServiceOptions.changeEvents 'watched' (a language server whose client registered file watchers): home facts, and
 * the look-ups they rest on, are trusted until invalidate() names a file they read; 'poll' checks versions (a stat)
 * at every use. The source counts every look-up, so "no stat" is measured, not assumed.
 */

/** A memory tree with versions (as the server's disk and open documents have), counting every look-up by path. */
class CountingSource implements FileSource {
  readonly asked: string[] = [];
  constructor(readonly inner: MemoryFileSource) {}
  read(path: string): Promise<FileContent | undefined> {
    this.asked.push(path);
    return this.inner.read(path);
  }
  exists(path: string): Promise<boolean> {
    this.asked.push(path);
    return this.inner.exists(path);
  }
  list(dir: string): Promise<string[]> {
    this.asked.push(dir);
    return this.inner.list(dir);
  }
  async version(path: string): Promise<string | undefined> {
    this.asked.push(path);
    return (await this.inner.read(path))?.version;
  }
  take(): string[] {
    return this.asked.splice(0);
  }
}

const settings = mergeSettings();
const A = '/ws/home-a';
const B = '/ws/home-b';
const T = '/ws/is-7.0.0';
const catalinaOfB = `${B}/repository/conf/tomcat/catalina-server.xml`;
const tomlOfT = `${T}/repository/conf/deployment.toml`;
const CATALINA_MOVED = CATALINA.replace('port="9443" SSLEnabled', 'port="19443" SSLEnabled');

function tree(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const home of [A, B]) {
    files[`${home}/repository/conf/carbon.xml`] = carbonXml({ offset: '0' });
    files[`${home}/repository/conf/tomcat/catalina-server.xml`] = CATALINA;
    files[`${home}/repository/conf/axis2/axis2.xml`] = axis2Xml('servlet');
  }
  // home-a is an Identity Server: its marker file decides the product, and its content no fact reads.
  files[`${A}/repository/conf/identity/identity.xml`] = '<Server xmlns="http://wso2.org/projects/carbon/carbon.xml"/>\n';
  files[`${A}/repository/conf/datasources/master-datasources.xml`] = '<datasources-configuration><datasources/></datasources-configuration>\n';
  return files;
}

function setUp(changeEvents: ChangeEvents, files = tree()) {
  const memory = new MemoryFileSource(files);
  const source = new CountingSource(memory);
  let homes: ProductHome[] = [];
  const service = createService({ files: source, knownHomes: () => homes, changeEvents: () => changeEvents });
  homes = memory.paths().flatMap((p) => {
    const home = service.recognise(p)?.home;
    return home && (p.endsWith('/carbon.xml') || p.endsWith('/deployment.toml')) ? [home] : [];
  });
  return { memory, source, service };
}

const carbonOfA = `${A}/repository/conf/carbon.xml`;

/** The homes carbon.xml of home-a shares ports with, and their ports, as port-conflict reports them. */
async function conflictsOfA(service: WorkspaceService, memory: MemoryFileSource): Promise<Map<string, string>> {
  // As the server analyses an open document: the content the source gives for the path, at the source's version.
  const result = await service.analyse({ path: carbonOfA, content: (await memory.read(carbonOfA))!, settings });
  const conflicts = new Map<string, string>();
  for (const f of result.findings) if (f.ruleId === 'port-conflict') conflicts.set(String(f.data?.otherHome), JSON.stringify(f.data?.ports));
  return conflicts;
}

test("watched: a cached home costs no look-up, and a change without its event is not seen", async () => {
  const { memory, source, service } = setUp('watched');
  const before = await conflictsOfA(service, memory);
  assert.ok(before.has(B), 'home-a and home-b share ports at offset 0');
  source.take();
  assert.deepEqual(await conflictsOfA(service, memory), before);
  assert.deepEqual(source.take(), [], 'the second analysis asked the source nothing');
  // home-b moves its HTTPS connector off 9443 on disk; no event: the facts stay as they were, and still no stat.
  memory.set(catalinaOfB, CATALINA.replace('port="9443" SSLEnabled', 'port="19443" SSLEnabled'));
  assert.deepEqual(await conflictsOfA(service, memory), before);
  assert.deepEqual(source.take(), []);
});

test('watched: the event of a file drops exactly the facts of the home that read it', async () => {
  const { memory, source, service } = setUp('watched');
  const before = await conflictsOfA(service, memory);
  memory.set(catalinaOfB, CATALINA.replace('port="9443" SSLEnabled', 'port="19443" SSLEnabled'));
  source.take();
  service.invalidate(catalinaOfB);
  const after = await conflictsOfA(service, memory);
  assert.notEqual(after.get(B), before.get(B), 'the conflict follows catalina-server.xml of home-b');
  assert.ok(!after.get(B)!.includes('9443'), after.get(B));
  const asked = source.take();
  assert.ok(asked.length > 0 && asked.every((p) => p.startsWith(`${B}/`)), `only home-b was looked up again: ${asked.join(', ')}`);
  // Only the changed file is read again: the others of home-b come from the parse cache at their known versions.
  assert.deepEqual(
    asked.filter((p) => p.endsWith('.xml')).sort(),
    [catalinaOfB, catalinaOfB],
    'catalina-server.xml: its version, then its content',
  );
});

test('watched: an edit of an open document drops the facts that read it, not those that only checked it exists', async () => {
  const { memory, source, service } = setUp('watched');
  await conflictsOfA(service, memory);
  source.take();
  service.invalidate(`${A}/repository/conf/identity/identity.xml`, 'content');
  await conflictsOfA(service, memory);
  assert.deepEqual(source.take(), [], 'identity.xml is a marker file: its content is no fact');
  // Opening, closing or deleting it changes what exists: home-a's facts are computed again (from memory, bar it).
  service.invalidate(`${A}/repository/conf/identity/identity.xml`);
  await conflictsOfA(service, memory);
  assert.deepEqual(source.take(), [`${A}/repository/conf/identity/identity.xml`]);
  // An edit of carbon.xml: its new version is asked, and nothing read (the analysis parsed that text already; the
  // other files of the home come from their parses at their known versions).
  memory.set(carbonOfA, carbonXml({ offset: '0' }).replace('<Ports>', '<Ports> '));
  service.invalidate(carbonOfA, 'content');
  await conflictsOfA(service, memory);
  assert.deepEqual(source.take(), [carbonOfA]);
});

test('watched: a new datasources file or a deleted home folder drops the facts of its home', async () => {
  const { memory, source, service } = setUp('watched');
  assert.ok((await conflictsOfA(service, memory)).has(B));
  const added = `${A}/repository/conf/datasources/other-datasources.xml`;
  memory.set(added, '<datasources-configuration><datasources/></datasources-configuration>\n');
  service.invalidate(added);
  await conflictsOfA(service, memory);
  assert.ok(source.take().includes(added), 'the new file is read');
  // The whole of home-b goes: one event for its folder.
  for (const path of memory.paths()) if (path.startsWith(`${B}/`)) memory.delete(path);
  service.invalidate(B);
  const after = await conflictsOfA(service, memory);
  assert.ok(!after.has(B), 'no port of the deleted home is left');
});

test('poll: without events a change on disk is seen, by a stat per file of every home', async () => {
  const { memory, source, service } = setUp('poll');
  const before = await conflictsOfA(service, memory);
  source.take();
  await conflictsOfA(service, memory);
  const stats = source.take();
  assert.ok(stats.some((p) => p.startsWith(`${B}/`)) && stats.some((p) => p.startsWith(`${A}/`)), 'every home is checked again');
  memory.set(catalinaOfB, CATALINA.replace('port="9443" SSLEnabled', 'port="19443" SSLEnabled'));
  const after = await conflictsOfA(service, memory);
  assert.notEqual(after.get(B), before.get(B));
});

const TOML_AT = (offset: number) => `[server]\nhostname = "localhost"\noffset = ${offset}\n`;

test('watched: a deployment.toml home, and the resources/conf knowledge it reads, follow their events', async () => {
  const { memory, source, service } = setUp('watched', { ...tree(), [tomlOfT]: TOML_AT(0) });
  const before = await conflictsOfA(service, memory);
  assert.ok(before.has(T), `a toml home at offset 0 shares ports with home-a: ${[...before.keys()].join(', ')}`);
  memory.set(tomlOfT, TOML_AT(7));
  source.take();
  assert.deepEqual(await conflictsOfA(service, memory), before, 'no event, no change');
  assert.deepEqual(source.take(), []);
  service.invalidate(tomlOfT);
  const after = await conflictsOfA(service, memory);
  assert.ok(!after.has(T), 'at offset 7 the toml home is clear of home-a');
  assert.ok(source.take().every((p) => p.startsWith(`${T}/`)));
  // The home's default.json is what the toml's knowledge comes from: its event recomputes that home alone.
  service.invalidate(`${T}/repository/resources/conf/default.json`);
  await conflictsOfA(service, memory);
  const asked = source.take();
  assert.ok(asked.includes(`${T}/repository/resources/conf/default.json`) && asked.every((p) => p.startsWith(`${T}/`)), asked.join(', '));
});

test('watched globs cover every file and folder home facts read, check or list', async () => {
  const files = {
    ...tree(),
    [tomlOfT]: TOML_AT(0),
    // A distribution with a profile (the wso2/ listing) and a templated home (Carbon 4.5+ without deployment.toml).
    '/ws/ei/conf/carbon.xml': carbonXml(),
    '/ws/ei/conf/broker.xml': '<broker/>\n',
    '/ws/ei/wso2/broker/conf/carbon.xml': carbonXml({ offset: '3' }),
    '/ws/apim/repository/conf/carbon.xml': carbonXml(),
    '/ws/apim/repository/conf/api-manager.xml': '<APIManager/>\n',
    '/ws/apim/repository/resources/conf/templates/repository/conf/carbon.xml.j2': '',
  };
  const { memory, source, service } = setUp('poll', files);
  await conflictsOfA(service, memory);
  const globs = [...service.watchGlobs];
  const matches = picomatch(globs, { dot: true });
  const asked = [...new Set(source.take())];
  assert.ok(asked.some((p) => p.endsWith('/wso2')) && asked.some((p) => p.endsWith('/templates')) && asked.some((p) => p.endsWith('default.json')));
  const unwatched = asked.filter((p) => !matches(p.slice('/ws/'.length)));
  assert.deepEqual(unwatched, [], `globs: ${globs.join(' ')}`);
});

test("watched: a profile's file drops that profile's facts; a new profile drops its distribution's too", async () => {
  const EI = '/ws/ei';
  const files = {
    [`${EI}/conf/carbon.xml`]: carbonXml(),
    [`${EI}/conf/tomcat/catalina-server.xml`]: CATALINA,
    [`${EI}/wso2/broker/conf/carbon.xml`]: carbonXml({ offset: '3' }),
    [`${EI}/wso2/broker/conf/tomcat/catalina-server.xml`]: CATALINA,
  };
  const { memory, source, service } = setUp('watched', { ...tree(), ...files });
  await conflictsOfA(service, memory);
  const brokerCatalina = `${EI}/wso2/broker/conf/tomcat/catalina-server.xml`;
  memory.set(brokerCatalina, CATALINA_MOVED);
  source.take();
  service.invalidate(brokerCatalina);
  await conflictsOfA(service, memory);
  const asked = source.take();
  assert.ok(asked.includes(brokerCatalina), asked.join(', '));
  assert.ok(!asked.some((p) => p.startsWith(`${EI}/conf/`)), `the main home's facts stay: ${asked.join(', ')}`);
  // A profile copied in (its files announced, not its folder): the distribution's list of profiles changes.
  const added = `${EI}/wso2/business-process/conf/carbon.xml`;
  memory.set(added, carbonXml({ offset: '2' }));
  service.invalidate(added);
  await conflictsOfA(service, memory);
  assert.ok(source.take().includes(`${EI}/wso2`), 'the profiles are listed again');
});
