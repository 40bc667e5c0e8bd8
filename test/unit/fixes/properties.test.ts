import { test } from 'node:test';
import assert from 'node:assert/strict';
import { locatedEntries } from '../../../server/src/service/securevault/aliases';

test('properties: entries located for hovers and go-to-definition, read as java.util.Properties reads them', () => {
  const text = [
    '# a comment',
    '! another comment',
    '',
    'plain=value',
    '  indented : with colon',
    'blank separated value',
    'escaped\\=key=a\\=b\\=\\=',
    'continued=first, \\',
    '    second',
    'unicode=\\u0041\\tB',
    'empty=',
    'last',
  ].join('\r\n');
  assert.deepEqual(
    locatedEntries(text).map((e) => [e.key, e.value, e.line, e.keyStart, e.keyEnd]),
    [
      ['plain', 'value', 3, 0, 5],
      ['indented', 'with colon', 4, 2, 10],
      ['blank', 'separated value', 5, 0, 5],
      ['escaped=key', 'a=b==', 6, 0, 12],
      ['continued', 'first, second', 7, 0, 9],
      ['unicode', 'A\tB', 9, 0, 7],
      ['empty', '', 10, 0, 5],
      ['last', '', 11, 0, 4],
    ],
  );
});

test('properties: an entirely commented file has no entries', () => {
  assert.deepEqual(locatedEntries('#secretRepositories=file\n#keystore.identity.type=JKS\n\n'), []);
});
