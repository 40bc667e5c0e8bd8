import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
// The modules themselves (not namespace copies), so the spies below replace what every caller uses.
import fs = require('node:fs');
import http = require('node:http');
import net = require('node:net');
import * as path from 'node:path';
import { AddressInfo } from 'node:net';
import { Analyzer } from '../../../server/src/service/analyzer';
import { mergeSettings } from '../../../server/src/service/settings';
import { FileContent } from '../../../server/src/service/workspace/facts';
import { MemoryFileSource, TestFinding, analyzeIn, corpusDir, describe } from '../../helpers';
import { CARBON_NS, cli, tempDir, write } from '../cli/support';

/**
 * Hostile XML: entity expansion, external entities, huge files, deep nesting, NUL bytes, UTF-16, ISO-8859-1, BOMs
 * and CRLF. Each gets a clear message (or exact ranges) in bounded time and memory, and never a fetch or a read of
 * what an entity points at: the parser (sax, strict) does not expand DOCTYPE entities at all.
 */

const HOME = '/hostile/product/repository/conf';
const settings = mergeSettings();

async function analyzeContent(confRelativePath: string, content: FileContent, extra: Record<string, string> = {}) {
  const target = `${HOME}/${confRelativePath}`;
  const source = new MemoryFileSource({ [`${HOME}/carbon.xml`]: `<Server xmlns="${CARBON_NS}"/>`, ...extra });
  const logged: string[] = [];
  const analyzer = new Analyzer({ files: source, knownHomes: () => source.homes(), log: (m) => logged.push(m) });
  const result = await analyzer.analyze(target, content, settings);
  assert.deepEqual(logged, [], 'no rule failed');
  return { result, findings: describe(result) };
}

function timed<T>(what: string, limitMs: number, run: () => Promise<T>): Promise<T> {
  const started = process.hrtime.bigint();
  return run().then((value) => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < limitMs, `${what} took ${ms.toFixed(0)} ms (limit ${limitMs} ms)`);
    return value;
  });
}

const LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE Server [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Server xmlns="${CARBON_NS}">
  <Security><KeyStore><Password>&lol9;</Password></KeyStore></Security>
  <Name>&lol9;</Name>
</Server>
`;

test('billion laughs: nothing is expanded; an undefined-entity syntax error, in bounded time and memory', async () => {
  const heapBefore = process.memoryUsage().heapUsed;
  const { result, findings } = await timed('billion laughs', 2000, () => analyzeContent('carbon.xml', { kind: 'text', text: LAUGHS, version: '1' }));
  const grown = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
  assert.ok(grown < 64, `heap grew by ${grown.toFixed(1)} MB`);
  const syntax = findings.filter((f) => f.ruleId === 'xml-syntax');
  assert.equal(syntax.length, 1);
  assert.equal(syntax[0].message, 'Not well-formed XML: Invalid character entity. The server will fail to read this file.');
  assert.equal(syntax[0].line, 15, 'at the first use of the entity');
  // No element text anywhere holds an expansion.
  assert.ok(result.doc!.text.length === LAUGHS.length);
  assert.ok(findings.every((f) => !f.message.includes('lollol')));
});

test('an external entity is never resolved: /etc/passwd is not read, an http URL is not fetched, nothing shows', async (t) => {
  // A local server that counts requests: the entity points at it.
  let hits = 0;
  const server = http.createServer((_, res) => {
    hits++;
    res.end('FETCHED-ENTITY-BODY');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const xxe = `<?xml version="1.0"?>
<!DOCTYPE Server [
  <!ENTITY file SYSTEM "file:///etc/passwd">
  <!ENTITY remote SYSTEM "http://127.0.0.1:${port}/entity">
  <!ENTITY % param SYSTEM "http://127.0.0.1:${port}/param.dtd">
  %param;
]>
<Server xmlns="${CARBON_NS}">
  <Security><KeyStore><Password>&file;</Password><KeyPassword>&remote;</KeyPassword></KeyStore></Security>
</Server>
`;
  const dir = tempDir('xxe');
  write(dir, 'p/repository/conf/carbon.xml', xxe);

  // Every file the CLI opens, and every connection it tries, is recorded.
  const opened: string[] = [];
  for (const method of ['readFile', 'open', 'stat', 'lstat', 'access', 'readdir', 'realpath'] as const) {
    const original = fs.promises[method] as (...args: unknown[]) => unknown;
    mock.method(fs.promises, method, function (this: unknown, ...args: unknown[]) {
      opened.push(String(args[0]));
      return original.apply(this, args);
    });
  }
  for (const method of ['readFileSync', 'openSync'] as const) {
    const original = fs[method] as (...args: unknown[]) => unknown;
    mock.method(fs, method, function (this: unknown, ...args: unknown[]) {
      opened.push(String(args[0]));
      return original.apply(this, args);
    });
  }
  const connect = mock.method(net.Socket.prototype, 'connect');
  const request = mock.method(http, 'request');
  let outputs = '';
  try {
    for (const format of ['stylish', 'json', 'sarif']) {
      const run = await cli(['--format', format, '.'], dir);
      assert.equal(run.code, 1);
      outputs += run.out + run.err;
    }
  } finally {
    mock.restoreAll();
  }
  assert.equal(hits, 0, 'the entity URL was never fetched');
  assert.equal(connect.mock.callCount(), 0, 'no socket was opened');
  assert.equal(request.mock.callCount(), 0);
  assert.ok(!opened.some((p) => p.includes('/etc/passwd')), 'the file the entity names was never touched');
  assert.ok(opened.some((p) => p.endsWith('carbon.xml')), 'the spy did see the reads');
  const passwd = fs.existsSync('/etc/passwd') ? fs.readFileSync('/etc/passwd', 'utf8').split('\n')[0] : 'root:x:0:0';
  assert.ok(!outputs.includes(passwd) && !outputs.includes('root:'), 'no content of /etc/passwd in any output');
  assert.ok(!outputs.includes('FETCHED-ENTITY-BODY'));
  assert.match(outputs, /xml-syntax/);
});

test('a 50 MB file is not analysed: a clear message, in bounded time, on disk and as an open document', async () => {
  const body = `<Server xmlns="${CARBON_NS}">\n<!--${'x'.repeat(50 * 1024 * 1024)}-->\n<Security><KeyStore><Password>Huge-Planted-1</Password></KeyStore></Security>\n</Server>\n`;
  const dir = tempDir('huge');
  write(dir, 'p/repository/conf/carbon.xml', body);
  const run = await timed('CLI on a 50 MB file', 5000, () => cli(['--format', 'json', '.'], dir));
  const report = JSON.parse(run.out) as { findings: { ruleId: string; severity: string; message: string; line: number }[] };
  assert.deepEqual(report.findings.map((f) => [f.ruleId, f.severity, f.line]), [['file-not-analysed', 'information', 1]]);
  assert.equal(report.findings[0].message, 'File not analysed: 50.0 MB is more than the 16.0 MB limit for configuration files.');
  assert.equal(run.code, 0);
  const { findings } = await timed('analyzer on a 50 MB text', 2000, () => analyzeContent('carbon.xml', { kind: 'text', text: body, version: '1' }));
  assert.deepEqual(findings.map((f) => f.ruleId), ['file-not-analysed']);
  assert.match(findings[0].message, /^File not analysed: 50\.0 MB is more than the 16\.0 MB limit/);
});

test('100 000 levels of nesting: no stack overflow in the model, the rules or the CLI', async () => {
  const depth = 100_000;
  const deep = (inner: string) => `${'<a>'.repeat(depth)}${inner}${'</a>'.repeat(depth)}`;
  const cases: [string, string][] = [
    ['carbon.xml', `<Server xmlns="${CARBON_NS}">${deep('<Password>Deep-Planted-1</Password>')}<Security><KeyStore><Password>Shallow-1</Password></KeyStore></Security></Server>`],
    ['user-mgt.xml', `<UserManager>${deep('<Property name="password">Deep-2</Property>')}</UserManager>`],
    ['tomcat/catalina-server.xml', `<Server port="8005">${deep('<Connector port="9443" SSLEnabled="true"/>')}</Server>`],
    ['axis2/axis2.xml', `<axisconfig>${deep('<transportReceiver name="https" class="org.apache.synapse.transport.passthru.PassThroughHttpSSLListener"/>')}</axisconfig>`],
    ['datasources/master-datasources.xml', `<datasources-configuration><datasources>${deep('<datasource/>')}</datasources></datasources-configuration>`],
    ['registry.xml', `<wso2registry>${deep('<dbConfig name="x"/>')}</wso2registry>`],
  ];
  for (const [file, text] of cases) {
    const { findings } = await timed(`${file} at depth ${depth}`, 10_000, () => analyzeContent(file, { kind: 'text', text, version: '1' }));
    assert.ok(findings.every((f) => f.ruleId !== 'xml-syntax'), `${file}: well-formed`);
    if (file === 'carbon.xml') assert.ok(findings.some((f) => f.covered === 'Shallow-1'), 'the rules still run around the deep part');
  }
  // Unclosed: the document ends 100 000 elements deep.
  const open = await timed('unclosed at depth', 10_000, () => analyzeContent('carbon.xml', { kind: 'text', text: `<Server xmlns="${CARBON_NS}">${'<a>'.repeat(depth)}`, version: '2' }));
  assert.deepEqual(open.findings.map((f) => f.ruleId), ['xml-syntax']);
  // The CLI (walk, fingerprints of the element path, SARIF) on a deep file.
  const dir = tempDir('deep');
  write(dir, 'p/repository/conf/carbon.xml', cases[0][1]);
  const run = await timed('CLI on a deep file', 15_000, () => cli(['--format', 'sarif', '.'], dir));
  assert.equal(run.err, '');
  assert.ok((JSON.parse(run.out) as { runs: { results: unknown[] }[] }).runs[0].results.length >= 1);
});

test('NUL bytes: the file is binary, not XML; at the start, after the sniffed head, and in an open document', async () => {
  const head = Buffer.from(`<Server xmlns="${CARBON_NS}">\u0000</Server>`);
  const late = Buffer.concat([Buffer.from(`<Server xmlns="${CARBON_NS}"><!--${'x'.repeat(10_000)}-->`), Buffer.from([0]), Buffer.from('</Server>')]);
  for (const [label, content] of [
    ['head', { kind: 'bytes', bytes: head, version: '1' }],
    ['late', { kind: 'bytes', bytes: late, version: '1' }],
    ['text', { kind: 'text', text: `<Server xmlns="${CARBON_NS}">\u0000</Server>`, version: '1' }],
  ] as [string, FileContent][]) {
    const { findings } = await analyzeContent('carbon.xml', content);
    assert.deepEqual(findings.map((f) => [f.ruleId, f.severity, f.message]), [['file-not-analysed', 'error', 'File not analysed: it contains NUL bytes, so it is binary, not XML.']], label);
  }
});

const PASSWORD_DOC = `<?xml version="1.0" encoding="ENCODING"?>
<Server xmlns="${CARBON_NS}">
  <!-- Caf\u00e9 -->
  <Security>
    <KeyStore>
      <Password>p\u00e4ssw\u00f6rd-planted</Password>
      <KeyPassword>wso2carbon</KeyPassword>
    </KeyStore>
  </Security>
</Server>
`;

function summary(findings: TestFinding[]): string[] {
  return findings.map((f) => `${f.ruleId}@${f.line}:${f.covered}:${f.finding.span.start}-${f.finding.span.end}`);
}

test('UTF-16 LE and BE with a BOM, UTF-16 without one, ISO-8859-1 and a UTF-8 BOM: the same findings, exact ranges', async () => {
  const utf8 = PASSWORD_DOC.replace('ENCODING', 'UTF-8');
  const reference = await analyzeContent('carbon.xml', { kind: 'bytes', bytes: Buffer.from(utf8, 'utf8'), version: '1' });
  const expected = summary(reference.findings);
  assert.deepEqual(
    reference.findings.map((f) => [f.ruleId, f.line, f.covered]),
    [
      ['plaintext-password', 6, 'p\u00e4ssw\u00f6rd-planted'],
      ['plaintext-password', 7, 'wso2carbon'],
    ],
  );
  const utf16 = PASSWORD_DOC.replace('ENCODING', 'UTF-16');
  const le = Buffer.from(utf16, 'utf16le');
  const be = Buffer.from(le).swap16();
  const variants: [string, Buffer][] = [
    ['UTF-16LE with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), le])],
    ['UTF-16BE with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), be])],
    ['UTF-16LE without BOM', le],
    ['UTF-16BE without BOM', be],
    ['ISO-8859-1', Buffer.from(PASSWORD_DOC.replace('ENCODING', 'ISO-8859-1'), 'latin1')],
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(utf8, 'utf8')])],
  ];
  for (const [label, bytes] of variants) {
    const { findings, result } = await analyzeContent('carbon.xml', { kind: 'bytes', bytes, version: label });
    // The declaration differs in length between variants; compare what the findings cover and where, from the end.
    assert.deepEqual(
      findings.map((f) => [f.ruleId, f.line, f.covered, result.doc!.text.length - f.finding.span.start]),
      reference.findings.map((f) => [f.ruleId, f.line, f.covered, reference.result.doc!.text.length - f.finding.span.start]),
      label,
    );
    assert.ok(findings.every((f) => f.ruleId !== 'xml-syntax'), `${label}: no syntax error (the BOM is not content)`);
  }
  // An editor's text may start with U+FEFF: still no syntax error, same ranges shifted by one.
  const bomText = await analyzeContent('carbon.xml', { kind: 'text', text: `\ufeff${utf8}`, version: '3' });
  assert.deepEqual(summary(bomText.findings).map((s) => s.replace(/:\d+-\d+$/, '')), expected.map((s) => s.replace(/:\d+-\d+$/, '')));
  // A declared encoding whose bytes are wrong for it gets a clear message.
  const wrong = await analyzeContent('carbon.xml', { kind: 'bytes', bytes: Buffer.concat([Buffer.from(utf8.replace('p\u00e4ss', 'p'), 'utf8'), Buffer.from([0xc3, 0x28])]), version: '4' });
  assert.deepEqual(wrong.findings.map((f) => f.message), ['File not analysed: its bytes are not valid UTF-8 (the encoding it declares or, without a declaration, UTF-8).']);
});

test('the CLI reports ISO-8859-1 and UTF-16 files with columns in characters, not bytes', async () => {
  const dir = tempDir('encodings-cli');
  const line = '      <Password>p\u00e4ssw\u00f6rd-planted</Password>';
  const column = line.indexOf('p\u00e4ss') + 1;
  write(dir, 'latin/repository/conf/carbon.xml', Buffer.from(PASSWORD_DOC.replace('ENCODING', 'ISO-8859-1').replace('<!-- Caf\u00e9 -->', '<!-- \u00e9 --><Name>\u00e9\u00e9</Name>'), 'latin1'));
  write(dir, 'wide/repository/conf/carbon.xml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(PASSWORD_DOC.replace('ENCODING', 'UTF-16'), 'utf16le')]));
  const run = await cli(['--format', 'json', '.'], dir);
  const findings = (JSON.parse(run.out) as { findings: { path: string; line: number; column: number; endColumn: number }[] }).findings;
  for (const home of ['latin', 'wide']) {
    const f = findings.find((x) => x.path.startsWith(`${home}/`) && x.line === 6)!;
    assert.deepEqual([f.column, f.endColumn], [column, column + 'p\u00e4ssw\u00f6rd-planted'.length], home);
  }
});

test('CRLF and CR line endings: the same findings on the same lines, ranges exact (real corpus files when present)', async () => {
  const corpus = corpusDir();
  const sources: [string, string][] = [['carbon.xml', PASSWORD_DOC.replace('ENCODING', 'UTF-8')]];
  if (corpus) {
    for (const file of ['carbon.xml', 'tomcat/catalina-server.xml', 'axis2/axis2.xml', 'user-mgt.xml', 'datasources/master-datasources.xml', 'registry.xml']) {
      sources.push([file, fs.readFileSync(path.join(corpus, 'apim-2.6.0/repository/conf', file), 'latin1')]);
    }
  }
  for (const [file, lf] of sources) {
    const target = `${HOME}/${file}`;
    const base = await analyzeIn({ [`${HOME}/carbon.xml`]: `<Server xmlns="${CARBON_NS}"/>`, [target]: lf }, target);
    for (const [label, eol] of [['CRLF', '\r\n'], ['CR', '\r']] as const) {
      const converted = lf.replace(/\r?\n/g, eol);
      const other = await analyzeIn({ [`${HOME}/carbon.xml`]: `<Server xmlns="${CARBON_NS}"/>`, [target]: converted }, target);
      assert.deepEqual(
        other.findings.map((f) => [f.ruleId, f.line, f.covered.replace(/\r\n?/g, '\n')]),
        base.findings.map((f) => [f.ruleId, f.line, f.covered]),
        `${file} with ${label}`,
      );
      for (const f of other.findings) assert.ok(!/^\s|\s$/.test(f.covered) || f.ruleId === 'xml-syntax', `${file} ${label}: ${f.ruleId} covers no line break`);
    }
  }
});
