import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attribute, childAt, elementPath, elementText, parseXml, splitList, textSpan, walkElements } from '../../../server/src/service/model/xml';

const slice = (text: string, span: { start: number; end: number } | undefined) => (span ? text.slice(span.start, span.end) : undefined);

test('attribute names and values get exact ranges, whatever the quoting and spacing', () => {
  const text = `<?xml version="1.0"?>\n<Server>\n  <Connector port="9443"\n     keystorePass = 'wso2carbon' SSLEnabled="true"/>\n</Server>\n`;
  const doc = parseXml(text);
  const connector = childAt(doc.root, 'Connector')!;
  assert.deepEqual(connector.attributes.map((a) => a.name), ['port', 'keystorePass', 'SSLEnabled']);
  const pass = attribute(connector, 'keystorePass')!;
  assert.equal(slice(text, pass.nameSpan), 'keystorePass');
  assert.equal(slice(text, pass.valueSpan), 'wso2carbon');
  assert.equal(pass.value, 'wso2carbon');
  assert.equal(doc.lines.positionAt(pass.valueSpan.start).line, 3);
  assert.equal(slice(text, attribute(connector, 'SSLEnabled')!.valueSpan), 'true');
  assert.equal(doc.syntaxError, undefined);
});

test('entity-encoded values are decoded while the range covers the source text', () => {
  const text = '<a><Password>a&amp;b&lt;c</Password><b x="1&quot;2"/></a>';
  const doc = parseXml(text);
  const password = childAt(doc.root, 'Password')!;
  assert.equal(password.text, 'a&b<c');
  assert.equal(slice(text, textSpan(doc, password)), 'a&amp;b&lt;c');
  const b = childAt(doc.root, 'b')!;
  assert.equal(attribute(b, 'x')!.value, '1"2');
  assert.equal(slice(text, attribute(b, 'x')!.valueSpan), '1&quot;2');
});

test('element text ranges are trimmed, and CDATA markers are excluded', () => {
  const text = '<a>\n  <P>\n     secret \n  </P>\n  <Q><![CDATA[s<e]]></Q>\n  <E></E><S/>\n</a>';
  const doc = parseXml(text);
  assert.equal(slice(text, textSpan(doc, childAt(doc.root, 'P')!)), 'secret');
  const q = childAt(doc.root, 'Q')!;
  assert.equal(q.text, 's<e');
  assert.equal(slice(text, textSpan(doc, q)), 's<e');
  assert.equal(textSpan(doc, childAt(doc.root, 'E')!), undefined);
  assert.equal(textSpan(doc, childAt(doc.root, 'S')!), undefined);
  assert.equal(textSpan(doc, doc.root!), undefined, 'an element with children has no text span');
});

test('commented-out elements are comments, not elements', () => {
  const text = '<a>\n<!-- <Password>admin</Password> -->\n<b/>\n</a>';
  const doc = parseXml(text);
  const names = [...walkElements(doc.root)].map((e) => e.localName);
  assert.deepEqual(names, ['a', 'b']);
  assert.equal(doc.comments.length, 1);
  assert.equal(slice(text, doc.comments[0].span), '<!-- <Password>admin</Password> -->');
});

test('namespaced names split into prefix and local name; paths use local names', () => {
  const doc = parseXml('<Server xmlns="urn:x" xmlns:svns="urn:sv"><Security><KeyStore><Password svns:secretAlias="A">password</Password></KeyStore></Security></Server>');
  const password = childAt(doc.root, 'Security/KeyStore/Password')!;
  assert.deepEqual(elementPath(password), ['Server', 'Security', 'KeyStore', 'Password']);
  const alias = password.attributes[0];
  assert.equal(alias.prefix, 'svns');
  assert.equal(alias.localName, 'secretAlias');
});

test('a malformed document reports its first fault and keeps what parsed', () => {
  const text = '<Server>\n  <Ports><Offset>1</Offset></Ports>\n  <Broken>\n  <Password>x</Password>\n</Server>\n';
  const doc = parseXml(text);
  assert.ok(doc.syntaxError, 'a syntax error is reported');
  assert.doesNotMatch(doc.syntaxError!.message, /Line:|Column:|Char:/, 'sax position suffix and offending character are stripped');
  assert.equal(childAt(doc.root, 'Ports/Offset')?.text, '1');
  assert.ok(doc.syntaxError!.span.start <= text.length);
});

test('the offending character of a syntax error never reaches the message', () => {
  const doc = parseXml('<a><Password>Zq9<x</Password></a>');
  assert.ok(doc.syntaxError);
  assert.doesNotMatch(doc.syntaxError!.message, /Zq9/);
});

test('offsets are UTF-16 code units, as LSP positions are, with CRLF and astral characters', () => {
  const text = '<a>\r\n  <b x="\u{1F600}">\u00e9t\u00e9</b>\r\n  <c>z</c>\r\n</a>';
  const doc = parseXml(text);
  const c = childAt(doc.root, 'c')!;
  const span = textSpan(doc, c)!;
  assert.equal(text.slice(span.start, span.end), 'z');
  assert.deepEqual(doc.lines.positionAt(span.start), { line: 2, character: 5 });
  const b = childAt(doc.root, 'b')!;
  assert.equal(slice(text, attribute(b, 'x')!.valueSpan), '\u{1F600}');
  assert.equal(slice(text, textSpan(doc, b)), '\u00e9t\u00e9');
});

test('entities declared in a DOCTYPE are never expanded (no billion laughs)', () => {
  const lol = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>';
  const doc = parseXml(`${lol}<a><b>&lol2;</b></a>`);
  const b = childAt(doc.root, 'b')!;
  assert.ok(b.text.length < 100, 'the entity is not expanded');
});

test('an unclosed document keeps its open elements up to the end', () => {
  const text = '<a><b><Password>x</Password>';
  const doc = parseXml(text);
  assert.ok(doc.syntaxError);
  const password = childAt(doc.root, 'b/Password')!;
  assert.equal(slice(text, textSpan(doc, password)), 'x');
  assert.equal(doc.root!.span.end, text.length);
});

test('splitList gives each token its range', () => {
  const text = 'TLSv1, TLSv1.1 ,TLSv1.2';
  const tokens = splitList(text, { start: 0, end: text.length });
  assert.deepEqual(tokens.map((t) => [t.token, text.slice(t.span.start, t.span.end)]), [
    ['TLSv1', 'TLSv1'],
    ['TLSv1.1', 'TLSv1.1'],
    ['TLSv1.2', 'TLSv1.2'],
  ]);
});

test('faults sax is lenient about are still reported: no root, two roots, a late XML declaration', () => {
  assert.match(parseXml('').syntaxError!.message, /empty/);
  assert.match(parseXml('<!-- only a comment -->').syntaxError!.message, /no root element/);
  const twoRoots = parseXml('<a/>\n<b/>');
  assert.match(twoRoots.syntaxError!.message, /one root/);
  assert.equal(twoRoots.syntaxError!.span.start, 5);
  assert.match(parseXml(' <?xml version="1.0"?><a/>').syntaxError!.message, /XML declaration/);
  assert.equal(parseXml('\ufeff<?xml version="1.0"?><a/>').syntaxError, undefined, 'a BOM may precede the declaration');
  assert.equal(parseXml('<?xml version="1.0"?>\n<a/>').syntaxError, undefined);
});

test('a malformed comment (-- inside) is a syntax error', () => {
  assert.match(parseXml('<a><!-- x -- y --></a>').syntaxError!.message, /comment/i);
});

test('a bare & in a password: the syntax error is reported and no text range spans the end tag', () => {
  const text = '<Server><KeyStore><Password>Zq9-planted&S3cret</Password><KeyAlias>x</KeyAlias></KeyStore></Server>';
  const doc = parseXml(text);
  assert.ok(doc.syntaxError);
  const password = childAt(doc.root, 'KeyStore/Password');
  const span = password && textSpan(doc, password);
  if (span) assert.ok(!text.slice(span.start, span.end).includes('<'), 'a text range never covers markup');
});

test('syntax error messages never quote document text', () => {
  const doc = parseXml('<a></a>\n</Zq9-planted-S3cret>');
  assert.ok(doc.syntaxError);
  assert.doesNotMatch(doc.syntaxError!.message, /Zq9/);
});

// ---- issue 11: a self-closing child named like its parent ------------------------------------------------------

test('a self-closing child with the name of its open parent does not close the parent', () => {
  const text = '<a><a/><b>x</b></a>';
  const doc = parseXml(text);
  assert.equal(doc.syntaxError, undefined, 'no false "Only one root element"');
  const root = doc.root!;
  assert.deepEqual(root.children.map((c) => (c.type === 'element' ? c.name : c.type)), ['a', 'b']);
  assert.equal(childAt(root, 'b')!.text, 'x');
  assert.deepEqual(root.span, { start: 0, end: text.length });
  assert.equal(root.closed, true);
  // Deeper and repeated: every self-closing twin is a leaf, the open ones nest.
  const nested = parseXml('<r><p><p/><p><p/></p><q/></p></r>');
  assert.equal(nested.syntaxError, undefined);
  assert.deepEqual(walkElements(nested.root).map((e) => elementPath(e).join('/')), ['r', 'r/p', 'r/p/p', 'r/p/p', 'r/p/p/p', 'r/p/q']);
});

// ---- runtime values: what Axiom / the DOM report -------------------------------------------------------------

test('elementText: every text and CDATA piece joined, comments and PIs skipped, nothing trimmed, line ends normalised', () => {
  const cases: [string, string, string | undefined][] = [
    // [content, runtime value, visible span text]
    ['  s3cret \n', '  s3cret \n', 's3cret'],
    ['s3cret\u00a0', 's3cret\u00a0', 's3cret\u00a0'],
    ['\u3000s3cret', '\u3000s3cret', '\u3000s3cret'],
    ['\ufeffs3cret', '\ufeffs3cret', '\ufeffs3cret'],
    ['ab\r\ncd\ref', 'ab\ncd\nef', 'ab\r\ncd\ref'],
    ['a&#13;b&#x9;c&amp;&lt;&gt;&quot;&apos;', 'a\rb\tc&<>"\'', 'a&#13;b&#x9;c&amp;&lt;&gt;&quot;&apos;'],
    ['Comm<!-- note -->entSecret2', 'CommentSecret2', 'Comm<!-- note -->entSecret2'],
    ['Cdata<![CDATA[Split3]]>', 'CdataSplit3', 'Cdata<![CDATA[Split3'],
    ['<?pi x?>PiSecret4', 'PiSecret4', 'PiSecret4'],
    [' <![CDATA[ a<b\r\n ]]> ', '  a<b\n  ', 'a<b'],
    ['&#x1F600;x', '\u{1F600}x', '&#x1F600;x'],
    ['   ', '   ', undefined],
    ['<!-- only a comment -->', '', undefined],
  ];
  for (const [content, value, visible] of cases) {
    const text = `<a><P>${content}</P></a>`;
    const doc = parseXml(text);
    assert.equal(doc.syntaxError, undefined, content);
    const p = childAt(doc.root, 'P')!;
    const t = elementText(doc, p)!;
    assert.equal(t.value, value, JSON.stringify(content));
    assert.equal(slice(text, t.span), visible, JSON.stringify(content));
    assert.equal(slice(text, t.contentSpan), content);
  }
  const doc = parseXml('<a><P/><Q>x<r/>y</Q></a>');
  assert.equal(elementText(doc, childAt(doc.root, 'P')!), undefined, 'self-closing');
  assert.equal(elementText(doc, childAt(doc.root, 'Q')!), undefined, 'mixed content');
});

test('elementText is undefined where sax recovered from stray markup inside the content', () => {
  const doc = parseXml('<a><P>Canary<Bad15</P></a>');
  assert.ok(doc.syntaxError);
  for (const e of walkElements(doc.root)) if (e.localName === 'P') assert.equal(elementText(doc, e), undefined);
});

test('attribute values are normalised as an XML parser does: literal tab, CR, LF and CRLF each become one space', () => {
  const text = '<a x="a\tb" y="a\nb" z="a\r\nb" w="a\rb" r="a&#9;b&#10;c&#13;d" q=\'say &quot;hi&quot;\' p="  pad  "/>';
  const a = parseXml(text).root!;
  const value = (name: string) => attribute(a, name)!.value;
  assert.equal(value('x'), 'a b');
  assert.equal(value('y'), 'a b');
  assert.equal(value('z'), 'a b');
  assert.equal(value('w'), 'a b');
  assert.equal(value('r'), 'a\tb\nc\rd');
  assert.equal(value('q'), 'say "hi"');
  assert.equal(value('p'), '  pad  ');
});

test('text with many bare ampersands (sax recovers) decodes in linear time', () => {
  // Under sax's limit of recovered errors, and far apart: a search for each `;` to the end of the text would be quadratic.
  const body = `a& ${'x'.repeat(2000)}`.repeat(900);
  const text = `<a><P>${body}</P></a>`;
  const doc = parseXml(text);
  const p = childAt(doc.root, 'P')!;
  const started = process.hrtime.bigint();
  assert.equal(elementText(doc, p)!.value, body, 'a bare & is kept as written');
  assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 2000);
});
