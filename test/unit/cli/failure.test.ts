import { test } from 'node:test';
import assert from 'node:assert/strict';
// The module object itself, so the stub below replaces what every caller uses (compiled to CommonJS).
import xml = require('../../../server/src/service/model/xml');
import { carbonXml, cli, tempDir, write } from './support';

/**
 * An unexpected error ends a run with exit 2 and one line on stderr. A system error keeps its message (a path and a
 * code); any other is named by class and throwing frame: a parser's or a bug's message can quote the document.
 */

test('an unexpected error quoting the document: exit 2, its class and place on stderr, not its message', async () => {
  const root = tempDir('failure');
  write(root, 'h/repository/conf/carbon.xml', carbonXml());
  const original = xml.parseXml;
  (xml as { parseXml: typeof xml.parseXml }).parseXml = () => {
    throw new SyntaxError('Unexpected token in "Canary-Secret-77"');
  };
  let run;
  try {
    run = await cli(['.'], root);
  } finally {
    (xml as { parseXml: typeof xml.parseXml }).parseXml = original;
  }
  assert.equal(run.code, 2);
  assert.match(run.err, /^wso2-config-lint: SyntaxError at /);
  assert.doesNotMatch(run.err + run.out, /Canary/);
});
