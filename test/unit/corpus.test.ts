import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Analyzer } from '../../server/src/service/analyzer';
import { mergeSettings } from '../../server/src/service/settings';
import { DiskFileSource } from '../../server/src/node/disk-source';
import { ProductHome, locateConfigFile, normalizePath } from '../../server/src/service/workspace/files';
import { TestFinding, corpusDir, describe, projectRoot } from '../helpers';

/**
 * Every XML file of ../shared/corpus, analysed in place with default settings, must produce exactly the (rule id, line)
 * pairs of test/corpus-expectations.json. The expectations were written by reading the files, not by running the
 * engine, so this is an independent check of the rules. Each file is analysed in a workspace that knows only the
 * file's own product home: the corpus holds four homes that all run at offset 0, and their port conflicts are the
 * subject of the second test alone.
 */

type Expected = [string, number][];

const CORPUS = corpusDir();
const SKIP = CORPUS === undefined ? 'the corpus (../shared/corpus beside the project) is not available' : false;
const EXPECTATIONS_FILE = path.join(projectRoot(), 'test', 'corpus-expectations.json');

/** carbon.xml files of corpus homes and the line of their `<Offset>` (read from the files: all at offset 0). */
const OFFSET_LINES: Record<string, number> = {
  'kernel-4.4.7/repository/conf/carbon.xml': 127,
  'kernel-4.4.35/repository/conf/carbon.xml': 127,
  'apim-2.6.0/repository/conf/carbon.xml': 127,
  'is-5.6.0/repository/conf/carbon.xml': 127,
};

/**
 * What the findings of the corpus cover (design.md, ranges): a secret's exact text (the corpus only holds the shipped
 * defaults and the SvnPassword sample `password`), one protocol token or, for a transport without a list, the
 * SSLEnabled value of a connector or the `name` of an axis2 transport; a JDBC URL or a JNDI name for H2.
 */
const COVERED: Record<string, (covered: string, relative: string) => boolean> = {
  'plaintext-password': (c) => ['wso2carbon', 'admin', 'password', 'secret', 'randall', 'axis2', 'xxxx'].includes(c),
  'weak-tls-protocol': (c, file) => (file.endsWith('axis2.xml') ? c === 'https' : ['TLSv1', 'TLSv1.1'].includes(c)),
  'weak-tls-ciphers': (c, file) => (file.endsWith('axis2.xml') ? c === 'https' : c === 'true'),
  'h2-datasource': (c) => c.startsWith('jdbc:h2:') || c === 'jdbc/WSO2CarbonDB',
};

const SHIPPED_DEFAULTS = ['wso2carbon', 'admin'];

/** carbon.xml copies outside any `conf` folder: no home, so nothing to collide with. */
const HOMELESS_CARBON = ['ciphertool-run/before-conf/carbon.xml', 'ciphertool-run/after-conf/carbon.xml'];

function xmlFilesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...xmlFilesUnder(full));
    else if (entry.isFile() && entry.name.endsWith('.xml')) found.push(full);
  }
  return found;
}

function relativeToCorpus(file: string): string {
  return path.relative(CORPUS!, file).split(path.sep).join('/');
}

function readExpectations(): Record<string, Expected> {
  return JSON.parse(fs.readFileSync(EXPECTATIONS_FILE, 'utf8')) as Record<string, Expected>;
}

function pairs(findings: TestFinding[]): Expected {
  return findings.map((f): [string, number] => [f.ruleId, f.line]).sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
}

interface Run {
  findings: TestFinding[];
  recognised: boolean;
  logged: string[];
}

async function analyzeOnDisk(file: string, knownHomes: (home: ProductHome | undefined) => readonly ProductHome[]): Promise<Run> {
  const files = new DiskFileSource();
  const location = locateConfigFile(normalizePath(file));
  const logged: string[] = [];
  const analyzer = new Analyzer({ files, knownHomes: () => knownHomes(location?.home), log: (m) => logged.push(m) });
  const content = await files.read(file);
  assert.ok(content, `cannot read ${file}`);
  const result = await analyzer.analyze(normalizePath(file), content, mergeSettings());
  return { findings: describe(result), recognised: result.location !== undefined, logged };
}

const corpusFiles = CORPUS ? xmlFilesUnder(CORPUS).sort() : [];

test('corpus: the expectations cover every XML file of the corpus and nothing else', { skip: SKIP }, () => {
  const expectations = readExpectations();
  const onDisk = corpusFiles.map(relativeToCorpus);
  assert.deepEqual(onDisk.filter((f) => !(f in expectations)), [], 'corpus XML files without an entry in test/corpus-expectations.json');
  assert.deepEqual(Object.keys(expectations).filter((f) => !onDisk.includes(f)), [], 'entries for files the corpus does not have');
  assert.equal(onDisk.length, 40, 'the corpus as described in issue 14 has 40 XML files');
  for (const [file, list] of Object.entries(expectations)) {
    assert.deepEqual(list, [...list].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])), `${file}: expectations must be sorted by line then rule`);
  }
});

for (const file of corpusFiles) {
  const relative = CORPUS ? relativeToCorpus(file) : file;
  test(`corpus: ${relative}`, { skip: SKIP }, async () => {
    const expected = readExpectations()[relative];
    assert.ok(expected, `no entry for ${relative} in test/corpus-expectations.json: read the file and write its (rule id, line) list`);
    const run = await analyzeOnDisk(file, (home) => (home ? [home] : []));
    assert.ok(run.recognised, `${relative} is a configuration file this tool covers`);
    assert.deepEqual(run.logged, [], 'no rule failed');
    assert.deepEqual(pairs(run.findings), expected);
    for (const finding of run.findings) {
      const where = `${relative}:${finding.line} ${finding.ruleId}`;
      const allowed = COVERED[finding.ruleId];
      if (allowed) assert.ok(allowed(finding.covered, relative), `${where}: unexpected covered text ${JSON.stringify(finding.covered)}`);
      if (finding.ruleId === 'plaintext-password') {
        // `admin` and `password` are also ordinary words of a message ("super admin password"); look for them quoted.
        const leaks = finding.covered === 'wso2carbon' ? [finding.covered] : ['"', "'", '`'].map((q) => `${q}${finding.covered}${q}`);
        for (const leak of leaks) {
          assert.ok(!finding.message.includes(leak), `${where}: the message must not contain the secret`);
          assert.ok(!JSON.stringify(finding.finding.data ?? {}).includes(leak.replace(/"/g, '\\"')), `${where}: the data must not contain the secret`);
        }
        // The issue: error when the value is a shipped default.
        if (SHIPPED_DEFAULTS.includes(finding.covered)) assert.equal(finding.severity, 'error', `${where}: a shipped default password is an error`);
      }
    }
  });
}

test('corpus: with every corpus home in one workspace, each carbon.xml Offset reports the port conflict', { skip: SKIP }, async () => {
  const homes = new Map<string, ProductHome>();
  for (const file of corpusFiles) {
    if (path.basename(file) !== 'carbon.xml') continue;
    const home = locateConfigFile(normalizePath(file))?.home;
    if (home) homes.set(home.homeDir, home);
  }
  const homeDirs = [...homes.keys()].map((d) => path.posix.basename(d)).sort();
  assert.deepEqual(homeDirs, ['apim-2.6.0', 'is-5.6.0', 'kernel-4.4.35', 'kernel-4.4.7']);
  const expectations = readExpectations();

  for (const [relative, offsetLine] of Object.entries(OFFSET_LINES)) {
    const run = await analyzeOnDisk(path.join(CORPUS!, relative), () => [...homes.values()]);
    assert.deepEqual(run.logged, [], 'no rule failed');
    const conflicts = run.findings.filter((f) => f.ruleId === 'port-conflict');
    assert.ok(conflicts.length > 0, `${relative}: port-conflict expected (all four homes run at offset 0 and share 9443, 9763, 9999, …)`);
    for (const conflict of conflicts) {
      assert.equal(conflict.line, offsetLine, `${relative}: port-conflict sits on the <Offset> line`);
      assert.equal(conflict.covered, '0', `${relative}: port-conflict covers the offset number`);
      assert.equal(conflict.severity, 'warning');
    }
    const own = relative.split('/')[0];
    for (const other of homeDirs.filter((h) => h !== own)) {
      assert.ok(conflicts.some((c) => c.message.includes(other)), `${relative}: a port-conflict message names the other home ${other}`);
    }
    // The other rules only look at the file's own home: the rest is unchanged.
    assert.deepEqual(pairs(run.findings.filter((f) => f.ruleId !== 'port-conflict')), expectations[relative]);
  }

  for (const relative of HOMELESS_CARBON) {
    const run = await analyzeOnDisk(path.join(CORPUS!, relative), () => [...homes.values()]);
    assert.deepEqual(run.logged, [], 'no rule failed');
    assert.deepEqual(pairs(run.findings), expectations[relative], `${relative}: a carbon.xml outside any home has nothing to collide with`);
  }
});
