import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBytes, checkText } from '../../../server/src/service/workspace/decode';

test('UTF-8 with and without BOM', () => {
  const plain = decodeBytes(Buffer.from('<a>\u00e9</a>', 'utf8'));
  assert.equal(plain.ok && plain.text, '<a>\u00e9</a>');
  const bom = decodeBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<a/>')]));
  assert.equal(bom.ok && bom.text, '<a/>', 'the BOM is not part of the text');
});

test('the declared ISO-8859-1 encoding (axis2.xml declares it) is honoured', () => {
  const bytes = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a>'), Buffer.from([0xe9]), Buffer.from('</a>')]);
  const decoded = decodeBytes(bytes);
  assert.ok(decoded.ok);
  assert.match(decoded.ok ? decoded.text : '', /<a>\u00e9<\/a>/);
});

test('UTF-16 with a BOM, both byte orders', () => {
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<a>x</a>', 'utf16le')]);
  assert.equal((decodeBytes(le) as { text: string }).text, '<a>x</a>');
  const be = Buffer.from(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('<a>x</a>', 'utf16le').swap16()]));
  assert.equal((decodeBytes(be) as { text: string }).text, '<a>x</a>');
});

test('binary content, unknown encodings, invalid bytes and huge files get a message instead of text', () => {
  const binary = decodeBytes(Buffer.from([0x3c, 0x61, 0x00, 0x01, 0x02]));
  assert.equal(binary.ok, false);
  assert.match(!binary.ok ? binary.problem : '', /binary/);
  const unknown = decodeBytes(Buffer.from('<?xml version="1.0" encoding="X-MARTIAN-7"?><a/>'));
  assert.equal(unknown.ok, false);
  assert.match(!unknown.ok ? unknown.problem : '', /x-martian-7.*not supported/i);
  const invalid = decodeBytes(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0xfe, 0xfd, 0x3c, 0x2f, 0x61, 0x3e]).subarray(0));
  assert.equal(invalid.ok, false);
  assert.match(!invalid.ok ? invalid.problem : '', /not valid UTF-8/);
  const huge = decodeBytes(Buffer.alloc(2048, 0x20), 1024);
  assert.equal(huge.ok, false);
  assert.match(!huge.ok ? huge.problem : '', /limit/);
  assert.equal(checkText('x'.repeat(2048), 1024).ok, false);
  assert.equal(checkText('<a>\u0000</a>').ok, false);
});
