import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseProperties, propertyLine, propertyValue, updateProperties } from '../../../server/src/service/fixes/properties';
import { applyReplacements } from '../../../server/src/service/fixes/types';
import { javaProperties, tempDir } from './support';

/** What load() keeps: the last entry of each key. */
function asMap(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const e of parseProperties(text).entries) map.set(e.key, e.value);
  return new Map([...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function sortedJava(file: string): Map<string, string> {
  return new Map([...javaProperties(file).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const TRICKY = [
  '# comment = not an entry',
  '   ! bang comment',
  '',
  'plain=value',
  '  indented : colon separated  ',
  'spaced   value after blanks',
  'both =  = starts with an equals sign',
  'escaped\\=key\\:x=v\\=\\:',
  'unicode=caf\\u00e9 \\t tab',
  'base64=QUJD\\=\\=',
  'base64raw=QUJD==',
  'empty=',
  'lonely',
  'continued=first \\',
  '     second \\',
  '   # not a comment inside a continuation',
  'even\\\\=backslashes\\\\',
  'dup=one',
  'dup=two',
  'xpath=repository/conf/datasources/master-datasources.xml//datasources-configuration/datasources/datasource[name=\'WSO2_CARBON_DB\']/definition[@type=\'RDBMS\']/configuration/password,false',
].join('\r\n') + '\rcr=only\nlast=trailing backslash \\';

test('parseProperties reads what java.util.Properties.load reads (separators, escapes, continuations, comments, line ends)', () => {
  const dir = tempDir('props');
  const file = path.join(dir, 'tricky.properties');
  fs.writeFileSync(file, Buffer.from(TRICKY, 'latin1'));
  const ours = asMap(TRICKY);
  assert.deepEqual(ours, sortedJava(file));
  // Spot checks, so a shared misreading cannot hide behind the comparison.
  assert.equal(ours.get('indented'), 'colon separated  ');
  assert.equal(ours.get('both'), '= starts with an equals sign');
  assert.equal(ours.get('escaped=key:x'), 'v=:');
  assert.equal(ours.get('base64'), 'QUJD==');
  assert.equal(ours.get('base64raw'), 'QUJD==');
  assert.equal(ours.get('continued'), 'first second # not a comment inside a continuation');
  assert.equal(ours.get('lonely'), '');
  assert.equal(ours.get('dup'), 'two');
  assert.equal(ours.get('last'), 'trailing backslash ');
  assert.equal(propertyValue(parseProperties(TRICKY), 'dup'), 'two');
  assert.equal(parseProperties(TRICKY).eol, '\r\n');
});

test('entry spans cover the logical line from its key, continuation lines included', () => {
  const text = 'a=1\n  b = 2 \\\n   more\n#c=3\nd=4';
  const entries = parseProperties(text).entries;
  assert.deepEqual(entries.map((e) => text.slice(e.span.start, e.span.end)), ['a=1', 'b = 2 \\\n   more', 'd=4']);
});

test('propertyLine escapes what load() needs, and Java reads every value back unchanged', () => {
  const samples: [string, string][] = [
    ['Datasources.WSO2_CARBON_DB.Configuration.Password', 'DAPjyXHkT/VhWN+vZ0UlEhE5sw=='],
    ['key with spaces', ' leading blank and trailing '],
    ['k=:#!', '#!=: not a comment'],
    ['back\\slash', 'C:\\wso2\\conf'],
    ['multi', 'line one\nline two\ttab\rcr\fff'],
    ['café', 'naïve ☃ 🔑'],
    ['#starts', '!value'],
  ];
  const text = samples.map(([k, v]) => propertyLine(k, v)).join('\n') + '\n';
  assert.ok(/^[\x20-\x7e\n]*$/.test(text), 'only printable ASCII: load(InputStream) reads ISO-8859-1');
  assert.ok(text.includes('Password=DAPjyXHkT/VhWN+vZ0UlEhE5sw==\n'), 'Base64 padding stays readable');
  const dir = tempDir('escape');
  const file = path.join(dir, 'escaped.properties');
  fs.writeFileSync(file, text, 'latin1');
  const java = javaProperties(file);
  for (const [k, v] of samples) assert.equal(java.get(k), v, k);
  assert.deepEqual(asMap(text), new Map([...java.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
});

test('updateProperties rewrites only the lines of the keys it sets and adds missing keys after the last entry', () => {
  const text = ['# header', 'a=[old]', 'b=keep', '  a = second \\', '      continuation', '#a=commented', '', '# tail comment', ''].join('\r\n');
  const out = applyReplacements(
    text,
    updateProperties(
      text,
      [
        { key: 'a', value: 'NEW==', mode: 'set' },
        { key: 'b', value: 'ignored', mode: 'add-if-missing' },
        { key: 'c', value: 'added', mode: 'add-if-missing' },
        { key: 'd', value: 'set new', mode: 'set' },
      ],
      '\n',
    ),
  );
  assert.equal(out, ['# header', 'a=NEW==', 'b=keep', '  a=NEW==', 'c=added', 'd=set new', '#a=commented', '', '# tail comment', ''].join('\r\n'));
});

test('updateProperties on a file of comments only, and on an empty file, appends at the end with the file\'s line ending', () => {
  const commented = '#x=1\r\n#y=2';
  assert.equal(applyReplacements(commented, updateProperties(commented, [{ key: 'x', value: '3', mode: 'set' }], '\n')), '#x=1\r\n#y=2\r\nx=3\r\n');
  assert.equal(applyReplacements('', updateProperties('', [{ key: 'x', value: '3', mode: 'set' }], '\n')), 'x=3\n');
  const noEol = 'only=1';
  assert.equal(applyReplacements(noEol, updateProperties(noEol, [{ key: 'two', value: '2', mode: 'set' }], '\r\n')), 'only=1\r\ntwo=2');
  assert.deepEqual(updateProperties('k=v\n', [{ key: 'k', value: 'x', mode: 'add-if-missing' }], '\n'), [], 'nothing to do');
});
