import { test } from 'node:test';
import assert from 'node:assert/strict';
// The module object itself, so the spy below replaces what every caller uses (compiled to CommonJS).
import xml = require('../../../server/src/service/model/xml');
import { CATALINA, axis2Xml, carbonXml, userMgtXml } from '../ports/fixtures';
import { cli, tempDir, write } from './support';
import { portConflict } from '../../../server/src/service/rules/port-conflict';

/**
 * A lint run parses each file once, whatever the number of homes: each home's facts come from the parses of its own
 * files' analysis, and the findings that compare a home with every other (port-conflict) are computed at the end,
 * from the facts, without keeping any tree (before, carbon.xml files were analysed last and the bounded parse cache
 * held only the last 128 homes' ones: past 128 homes, every other carbon.xml was parsed twice). The report keeps the
 * walk's order.
 */

function spyOnParses(): { parsed: number[]; restore(): void } {
  const parsed: number[] = [];
  const original = xml.parseXml;
  (xml as { parseXml: typeof xml.parseXml }).parseXml = (text: string) => {
    parsed.push(text.length);
    return original(text);
  };
  return { parsed, restore: () => ((xml as { parseXml: typeof xml.parseXml }).parseXml = original) };
}

test('the CLI parses each file of 150 homes once (more than the parse cache holds), and reports in the walk order', async () => {
  const root = tempDir('parse-once');
  const homes = 150;
  for (let i = 0; i < homes; i++) {
    const conf = `home-${String(i).padStart(2, '0')}/repository/conf`;
    write(root, `${conf}/carbon.xml`, carbonXml({ offset: String(i % 2 === 0 ? 0 : i * 7) }));
    write(root, `${conf}/tomcat/catalina-server.xml`, CATALINA);
    write(root, `${conf}/axis2/axis2.xml`, axis2Xml('passthru'));
    write(root, `${conf}/user-mgt.xml`, userMgtXml());
  }
  const spy = spyOnParses();
  let run;
  try {
    run = await cli(['--format', 'json', root], root);
  } finally {
    spy.restore();
  }
  assert.equal(spy.parsed.length, homes * 4, `${spy.parsed.length} parses for ${homes * 4} files`);
  const report = JSON.parse(run.out) as { findings: { ruleId: string; path: string; line: number; message: string }[] };
  const conflicts = report.findings.filter((f) => f.ruleId === 'port-conflict');
  // 75 even homes at offset 0: each names 10 of the other 74 and counts the rest in one more finding.
  const even = conflicts.filter((f) => /home-\d*[02468]\//.test(f.path));
  assert.equal(even.length, 75 * 11);
  assert.ok(conflicts.every((f) => f.path.endsWith('/carbon.xml')));
  const paths = report.findings.map((f) => f.path);
  assert.deepEqual(paths, [...paths].sort(), 'findings in the walk order (sorted paths), carbon.xml in its place');
  // Within a file, the deferred findings sit among the others by position.
  const first = report.findings.filter((f) => f.path === conflicts[0].path).map((f) => f.line);
  assert.deepEqual(first, [...first].sort((a, b) => a - b));
});

test('deferred port conflicts: the same findings, fingerprints and suppressions as a check of carbon.xml alone', async () => {
  const root = tempDir('deferred');
  for (const name of ['a', 'b', 'c']) {
    write(root, `${name}/repository/conf/carbon.xml`, carbonXml({ offset: '0' }));
    write(root, `${name}/repository/conf/tomcat/catalina-server.xml`, CATALINA);
  }
  // b says its conflicts are known: a suppression comment above <Offset>, where port-conflict reports.
  const suppressed = carbonXml({ offset: '0' }).replace('<Offset>0</Offset>', '<!-- wso2-config-disable-next-line port-conflict -->\n        <Offset>0</Offset>');
  write(root, 'b/repository/conf/carbon.xml', suppressed);
  const whole = JSON.parse((await cli(['--format', 'json', '.'], root)).out) as { findings: { ruleId: string; path: string; fingerprint: string; message: string }[] };
  const conflicts = whole.findings.filter((f) => f.ruleId === 'port-conflict');
  assert.deepEqual(conflicts.map((f) => f.path).sort(), ['a/repository/conf/carbon.xml', 'a/repository/conf/carbon.xml', 'c/repository/conf/carbon.xml', 'c/repository/conf/carbon.xml']);
  // A run naming one carbon.xml (the other homes known by discovery of the folder) computes them at once: the same.
  const alone = JSON.parse((await cli(['--format', 'json', 'a/repository/conf/carbon.xml', '.'], root)).out) as typeof whole;
  const fromA = (report: typeof whole) => report.findings.filter((f) => f.path === 'a/repository/conf/carbon.xml');
  assert.deepEqual(fromA(alone), fromA(whole));
  assert.equal(new Set(conflicts.map((f) => f.fingerprint)).size, 4, 'one fingerprint per pair of homes');
});

test('--fix then deferred port conflicts: a home never conflicts with itself', async () => {
  const root = tempDir('deferred-fix');
  for (const name of ['a', 'b']) {
    write(root, `${name}/repository/conf/carbon.xml`, carbonXml({ offset: name === 'a' ? '0' : '1' }));
    // A TLS fix to apply: --fix rewrites this file and clears the run's caches in the middle of the walk.
    write(root, `${name}/repository/conf/tomcat/catalina-server.xml`, CATALINA.replace('secure="true"/>', 'secure="true" sslEnabledProtocols="TLSv1,TLSv1.2"/>'));
  }
  const run = await cli(['--fix', '--format', 'json', '.'], root);
  const report = JSON.parse(run.out) as { findings: { ruleId: string; message: string }[] };
  assert.match(run.err, /fixed/);
  assert.deepEqual(report.findings.filter((f) => f.ruleId === 'port-conflict'), [], 'offsets 0 and 1 do not collide, and no home is compared with itself');
});

test('deployment.toml homes: port conflicts through the same index and wording, 10 homes named and the rest counted', async () => {
  const root = tempDir('toml-conflicts');
  for (let i = 0; i < 12; i++) write(root, `h${String(i).padStart(2, '0')}/repository/conf/deployment.toml`, '[server]\nhostname = "localhost"\n');
  const report = JSON.parse((await cli(['--format', 'json', '.'], root)).out) as { findings: { ruleId: string; path: string; line: number; message: string }[] };
  const conflicts = report.findings.filter((f) => f.ruleId === 'port-conflict');
  // Before, each toml home compared itself with every other (pairs of homes) and named at most 5, counting none.
  assert.equal(conflicts.length, 12 * 11);
  const first = conflicts.filter((f) => f.path === 'h00/repository/conf/deployment.toml');
  assert.equal(first.length, 11);
  assert.ok(first.every((f) => f.line === 1), 'on the [server] header');
  assert.match(first[0].message, /product home .*h01 .*9443.*\[server\] offset = \d+ is the lowest/);
  assert.match(first[10].message, /^1 more product home of the workspace/);
});

test('a deferred port-conflict check that fails is logged and skipped, as a failing rule is, not a crashed run', async () => {
  const root = tempDir('deferred-throws');
  for (const name of ['a', 'b']) write(root, `${name}/repository/conf/carbon.xml`, carbonXml({ offset: '0' }));
  const crossHome = portConflict.crossHome as { check: NonNullable<typeof portConflict.crossHome>['check'] };
  const original = crossHome.check;
  crossHome.check = () => {
    // A message that quotes the document, as a parser's can: it must not reach the log.
    throw new TypeError('unexpected Secret-Canary-42');
  };
  let run;
  try {
    run = await cli(['--format', 'json', '.'], root);
  } finally {
    crossHome.check = original;
  }
  assert.equal(run.code, 0, run.err);
  assert.match(run.err, /rule port-conflict failed on carbon\.xml: TypeError at /);
  assert.doesNotMatch(run.err, /Canary/);
  const report = JSON.parse(run.out) as { findings: { ruleId: string }[]; filesChecked: number };
  assert.equal(report.filesChecked, 2);
  assert.deepEqual(report.findings.filter((f) => f.ruleId === 'port-conflict'), []);
});
