import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyseDeploymentToml } from '../../../server/src/service/toml/analyse';
import { TomlProduct } from '../../../server/src/service/toml/knowledge';
import { corpusDir, projectRoot } from '../../helpers';

/**
 * Every deployment.toml of ../shared/corpus (homes and samples) must produce exactly the (rule id, line) pairs of
 * test/toml-corpus-expectations.json, which were written by reading the files and their homes' config-mapper JSON
 * files, not by running the engine. A toml file added to the corpus without expectations fails the test.
 */

interface Expectation {
  home: string;
  product?: TomlProduct;
  version?: string;
  findings: [string, number][];
}

const CORPUS = corpusDir();
const SKIP = CORPUS === undefined ? 'the corpus (../shared/corpus beside the project) is not available' : false;
const TOML_HOMES = ['apim-4.2.0', 'is-7.1.0', 'mi-4.4.0', 'kernel-4.9.26', 'kernel-4.6.0'];
const EXPECTATIONS: Record<string, Expectation> = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'test', 'toml-corpus-expectations.json'), 'utf8')).files;

/** Literal secrets of the corpus files: none may appear in any message. */
const SECRETS = ['wso2carbon', 'shareduser', 'apimuser', 'testPassword', 'mailpassword', 'pwd-1', 'pwd-2', 'KEY_STORE_PASSWORD', 'SECRET_KEY', '229E09ED15D5DBB6605FAEF188274946', '66cd9688a2ae', 'password_2', 'qQM/xV1y'];

function tomlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'templates') out.push(...tomlFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.toml')) out.push(full);
  }
  return out;
}

function reader(home: string): (relative: string) => string | undefined {
  return (relative) => {
    try {
      return fs.readFileSync(path.join(home, relative), 'utf8');
    } catch {
      return undefined;
    }
  };
}

const sortPairs = (pairs: [string, number][]) => [...pairs].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));

test('every corpus deployment.toml gives exactly the expected findings', { skip: SKIP }, () => {
  const files = TOML_HOMES.flatMap((h) => tomlFiles(path.join(CORPUS!, h))).map((f) => path.relative(CORPUS!, f).split(path.sep).join('/'));
  assert.ok(files.length >= 14, `expected the corpus toml files, found ${files.length}`);
  assert.deepEqual(files.filter((f) => !(f in EXPECTATIONS)), [], 'toml files without expectations');
  for (const relative of files) {
    const expected = EXPECTATIONS[relative];
    const file = path.join(CORPUS!, relative);
    const text = fs.readFileSync(file, 'utf8');
    const { model, findings } = analyseDeploymentToml({
      path: file,
      text,
      readHomeFile: reader(path.join(CORPUS!, expected.home)),
      product: expected.product,
      version: expected.version,
    });
    assert.ok(model, relative);
    const actual = findings.map((f) => [f.ruleId, model.doc.lines.positionAt(f.span.start).line + 1] as [string, number]);
    assert.deepEqual(sortPairs(actual), sortPairs(expected.findings), relative);
    for (const finding of findings) {
      for (const secret of SECRETS) assert.ok(!finding.message.includes(secret) && !JSON.stringify(finding.data ?? {}).includes(secret), `${relative}: a message quotes a secret`);
      assert.ok(finding.span.start >= 0 && finding.span.end <= text.length && finding.span.start <= finding.span.end, `${relative}: range inside the file`);
      // A finding on what the user wrote covers exactly the value token (design.md "Ranges").
      if (finding.ruleId === 'plaintext-password' && !(finding.data as { inherited?: unknown }).inherited) {
        const covered = text.slice(finding.span.start, finding.span.end);
        assert.match(covered, /^"[^"\n]*"$/, `${relative}: plaintext-password covers a quoted value, got ${covered.length} chars`);
      }
    }
  }
});

test('homes are recognised from their layout and folder name', { skip: SKIP }, () => {
  const cases: [string, TomlProduct, string][] = [
    ['apim-4.2.0/repository/conf/deployment.toml', 'apim', '4.2.0'],
    ['is-7.1.0/repository/conf/deployment.toml', 'is', '7.1.0'],
    ['mi-4.4.0/conf/deployment.toml', 'mi', '4.4.0'],
    ['kernel-4.9.26/repository/conf/deployment.toml', 'carbon', '4.9.26'],
  ];
  for (const [relative, product, version] of cases) {
    const file = path.join(CORPUS!, relative);
    const { model } = analyseDeploymentToml({ path: file, text: fs.readFileSync(file, 'utf8'), readHomeFile: reader(path.join(CORPUS!, relative.split('/')[0])) });
    assert.equal(model?.home.product, product, relative);
    assert.equal(model?.home.version, version, relative);
  }
  // The MI and kernel homes carry their own default.json; APIM and IS corpus homes do not, so the snapshot is used.
  const mi = path.join(CORPUS!, 'mi-4.4.0/conf/deployment.toml');
  assert.equal(analyseDeploymentToml({ path: mi, text: fs.readFileSync(mi, 'utf8'), readHomeFile: reader(path.join(CORPUS!, 'mi-4.4.0')) }).model?.knowledge.origin, 'home');
  const apim = path.join(CORPUS!, 'apim-4.2.0/repository/conf/deployment.toml');
  const apimModel = analyseDeploymentToml({ path: apim, text: fs.readFileSync(apim, 'utf8'), readHomeFile: reader(path.join(CORPUS!, 'apim-4.2.0')) }).model!;
  assert.equal(apimModel.knowledge.origin, 'bundled');
  assert.match(apimModel.knowledge.label, /bundled default of WSO2 API Manager 4\.2\.0/);
});
