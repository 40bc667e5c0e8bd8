import { test } from 'node:test';
import assert from 'node:assert/strict';
// The module object itself, so the spy below replaces what every caller uses (compiled to CommonJS).
import xml = require('../../../server/src/service/model/xml');
import { CATALINA, axis2Xml, carbonXml, userMgtXml } from '../ports/fixtures';
import { cli, tempDir, write } from './support';

/**
 * A lint run parses each file once: each home's facts come from the parses of its own files' analysis, and carbon.xml
 * files, which compare their home with every other, are checked once every home's facts are known (before, the first
 * carbon.xml parsed the facts files of every home and the bounded parse cache had let them go by the time their turn
 * came). The report keeps the walk's order.
 */

test('the CLI parses each file of 60 homes once, and reports in the walk order', async () => {
  const root = tempDir('parse-once');
  const homes = 60;
  for (let i = 0; i < homes; i++) {
    const conf = `home-${String(i).padStart(2, '0')}/repository/conf`;
    write(root, `${conf}/carbon.xml`, carbonXml({ offset: String(i % 2 === 0 ? 0 : i * 7) }));
    write(root, `${conf}/tomcat/catalina-server.xml`, CATALINA);
    write(root, `${conf}/axis2/axis2.xml`, axis2Xml('passthru'));
    write(root, `${conf}/user-mgt.xml`, userMgtXml());
  }
  const parsed: number[] = [];
  const original = xml.parseXml;
  (xml as { parseXml: typeof xml.parseXml }).parseXml = (text: string) => {
    parsed.push(text.length);
    return original(text);
  };
  let run;
  try {
    run = await cli(['--format', 'json', root], root);
  } finally {
    (xml as { parseXml: typeof xml.parseXml }).parseXml = original;
  }
  assert.equal(parsed.length, homes * 4, `${parsed.length} parses for ${homes * 4} files`);
  const report = JSON.parse(run.out) as { findings: { ruleId: string; path: string }[] };
  assert.ok(report.findings.some((f) => f.ruleId === 'port-conflict'), 'the even homes collide at offset 0');
  const paths = report.findings.map((f) => f.path);
  assert.deepEqual(paths, [...paths].sort(), 'findings in the walk order (sorted paths), carbon.xml in its place');
});
