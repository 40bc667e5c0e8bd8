import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hover, InitializeResult, InlayHint, MarkupContent } from 'vscode-languageserver-protocol';
import { StartOptions, TempWorkspace, TestServer, positionAt, rangeOf, textAt } from './client';
import { PortMapRequest, PortMapResult } from '../../server/src/protocol';
import { CATALINA, axis2Xml, carbonXml, enterpriseIntegrator, twoProductsAtZero, userMgtXml } from '../unit/ports/fixtures';

/**
 * Effective ports over real JSON-RPC: textDocument/hover, textDocument/inlayHint, wso2Config/effectivePorts and
 * wso2Config/portMap, on an EI 6.5.0 distribution (conf/ layout, profiles at offsets 0, 2 and 3) beside an APIM and an IS home
 * (repository/conf layout, both at offset 0).
 */

/** The bundled server (its main.ts starts the ports feature). */
function startPortsServer(options: StartOptions = {}): { server: TestServer; cleanup: () => void } {
  return { server: TestServer.start(options), cleanup: () => undefined };
}

const TEST_TIMEOUT = { timeout: 30_000 };
const EI = 'wso2ei-6.5.0';
const BPS = `${EI}/wso2/business-process/conf`;
const BROKER = `${EI}/wso2/broker/conf`;
const OFFSET_LINE = 8; // 1-based line of <Offset> in the fixtures' carbon.xml

/** The fixtures' /ws/… paths, relative to a temporary workspace. */
function relative(files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([p, text]) => [p.replace(/^\/ws\//, ''), text]));
}

function markdownOf(hover: Hover | null): string {
  assert.ok(hover, 'a hover');
  const contents = hover.contents as MarkupContent;
  assert.equal(contents.kind, 'markdown');
  return contents.value;
}

async function waitFor<T>(what: string, probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('hover, inlay hints and the effective-ports request', () => {
  let workspace: TempWorkspace;
  let server: TestServer;
  let cleanup: () => void;
  let initializeResult: InitializeResult;

  before(async () => {
    workspace = new TempWorkspace(relative({ ...enterpriseIntegrator(), ...twoProductsAtZero() }));
    ({ server, cleanup } = startPortsServer());
    initializeResult = await server.initialize({ rootPath: workspace.root });
  });

  after(async () => {
    await server.dispose();
    cleanup();
    workspace.remove();
  });

  const hover = (uri: string, text: string, needle: string, part = needle, occurrence = 0) =>
    server.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: rangeOf(text, needle, part, occurrence).start });
  const hints = (uri: string, text: string) =>
    server.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: positionAt(text, text.length) } });

  test('the server declares hover and inlay hints', TEST_TIMEOUT, () => {
    assert.equal(initializeResult.capabilities.hoverProvider, true);
    assert.equal(initializeResult.capabilities.inlayHintProvider, true);
  });

  test('hover on a Tomcat connector port at offset 2: the effective port, how, and the exact range', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(`${BPS}/tomcat/catalina-server.xml`);
    await server.open(uri, CATALINA);
    const result = await hover(uri, CATALINA, 'port="9443" SSL', '9443');
    assert.equal(markdownOf(result), `**Tomcat connector (https)** · tomcat/catalina-server.xml\n\n**9445** = 9443 + offset 2 (carbon.xml line ${OFFSET_LINE}).`);
    assert.deepEqual(result!.range, rangeOf(CATALINA, 'port="9443" SSL', '9443'));
    const redirect = markdownOf(await hover(uri, CATALINA, 'redirectPort="9443"', '9443'));
    assert.match(redirect, /^\*\*redirect target of the http connector\*\* · tomcat\/catalina-server\.xml\n\n\*\*9443\*\*, used as written: CarbonTomcat adds the offset to the connector port only/);
    assert.equal(await hover(uri, CATALINA, 'Catalina'), null, 'no hover away from ports');
  });

  test('inlay hints after the offset ports of catalina-server.xml (offset 2), after the closing quote', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(`${BPS}/tomcat/catalina-server.xml`);
    await server.open(uri, CATALINA);
    const result = await hints(uri, CATALINA);
    assert.deepEqual(
      result.map((h) => [h.position, h.label, h.paddingLeft]),
      [
        [rangeOf(CATALINA, 'port="9763"').end, '→ 9765', true],
        [rangeOf(CATALINA, 'port="9443" SSL', 'port="9443"').end, '→ 9445', true],
      ],
    );
    assert.match((result[0].tooltip as MarkupContent).value, /^\*\*9765\*\* = 9763 \+ offset 2/);
  });

  test('offset 3 (broker profile): the servlet transports of axis2.xml take the Tomcat ports', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(`${BROKER}/axis2/axis2.xml`);
    const text = axis2Xml('servlet');
    await server.open(uri, text);
    const result = await hints(uri, text);
    assert.deepEqual(
      result.map((h) => [h.position, h.label]),
      [
        [rangeOf(text, '>9763<', '9763').end, '→ 9766'],
        [rangeOf(text, '>9443<', '9443').end, '→ 9446'],
      ],
    );
    assert.match(markdownOf(await hover(uri, text, '>9443<', '9443')), /\*\*9446\*\* = Tomcat https connector port 9443 \(catalina-server\.xml line 4\) \+ offset 3/);
  });

  test('${Ports.EmbeddedLDAP.LDAPServerPort} in user-mgt.xml: hover and hint give the carbon.xml value + offset', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(`${BPS}/user-mgt.xml`);
    const text = userMgtXml();
    await server.open(uri, text);
    const reference = '${Ports.EmbeddedLDAP.LDAPServerPort}';
    const result = await hover(uri, text, reference, 'LDAPServerPort');
    const markdown = markdownOf(result);
    assert.ok(markdown.startsWith('**`${Ports.EmbeddedLDAP.LDAPServerPort}`** · port reference\n\n**10391** = carbon.xml `Ports/EmbeddedLDAP/LDAPServerPort` 10389 (line 14) + offset 2 (carbon.xml line 8).'), markdown);
    assert.equal(textAt(text, result!.range!), reference);
    assert.deepEqual((await hints(uri, text)).map((h) => [h.position, h.label]), [[rangeOf(text, reference).end, '→ 10391']]);
    assert.equal(await hover(uri, text, '${Ports.JNDIProviderPort}', 'JNDI'), null, 'a commented-out reference is not analysed');
  });

  test('any XML below a conf folder: etc/jmx.xml references and a literal URL port', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(`${BPS}/etc/jmx.xml`);
    const text = '<JMX>\n    <StartRMIServer>true</StartRMIServer>\n    <RMIRegistryPort>${Ports.JMX.RMIRegistryPort}</RMIRegistryPort>\n    <Url>service:jmx:rmi://localhost:11111/jndi</Url>\n</JMX>\n';
    await server.open(uri, text);
    assert.match(markdownOf(await hover(uri, text, '${Ports.JMX.RMIRegistryPort}', 'RMIRegistryPort')), /\*\*10001\*\* = carbon\.xml `Ports\/JMX\/RMIRegistryPort` 9999 \(line 10\) \+ offset 2/);
    const literal = markdownOf(await hover(uri, text, 'localhost:11111', '11111')).split('\n\n');
    assert.equal(literal[0], '**Port in a URL**');
    assert.match(literal[1], /^\*\*11111\*\*, used as written/);
    assert.equal(literal[2], `With offset 2 (carbon.xml line ${OFFSET_LINE}) this server's JMX RMI server (carbon.xml) listens on 11113, not 11111.`);
    assert.deepEqual((await hints(uri, text)).map((h) => h.label), ['→ 10001']);
  });

  test('hover on <Offset>: the table of every port of the home, with the product defaults', TEST_TIMEOUT, async () => {
    const uri = workspace.uri(`${BROKER}/carbon.xml`);
    const text = carbonXml({ offset: '3' });
    await server.open(uri, text);
    const markdown = markdownOf(await hover(uri, text, '<Offset>3', '3'));
    const lines = markdown.split('\n');
    assert.match(lines[0], /^\*\*WSO2 Enterprise Integrator \(broker profile\)\*\* · `.*\/wso2ei-6\.5\.0\/wso2\/broker` · detected by profile folders wso2\/business-process in the distribution; home folder wso2\/broker$/);
    assert.equal(lines[2], `Port offset 3 (carbon.xml line ${OFFSET_LINE}).`);
    assert.ok(lines.includes('| Tomcat connector (https) | **9446** | 9443 | tomcat/catalina-server.xml:4 | + offset |'));
    assert.ok(lines.includes('| https transport receiver (not a listener) | 9446 | 9443 | axis2/axis2.xml:6 | Tomcat https port + offset |'));
    assert.ok(lines.includes('| AMQP (JMS) listener | **5675** | 5672 | broker.xml | default + offset | [1] |'));
  });

  test('an unsaved <Offset> edit changes the other files\' hovers at once', TEST_TIMEOUT, async () => {
    const carbonUri = workspace.uri(`${BPS}/carbon.xml`);
    const carbon = carbonXml({ offset: '2' });
    await server.open(carbonUri, carbon);
    await server.change(carbonUri, 2, [{ range: rangeOf(carbon, '<Offset>2', '2'), text: '5' }]);
    const uri = workspace.uri(`${BPS}/tomcat/catalina-server.xml`);
    await server.open(uri, CATALINA);
    assert.equal(markdownOf(await hover(uri, CATALINA, 'port="9763"', '9763')), `**Tomcat connector (http)** · tomcat/catalina-server.xml\n\n**9768** = 9763 + offset 5 (carbon.xml line ${OFFSET_LINE}).`);
    await server.change(carbonUri, 3, [{ range: rangeOf(carbon, '<Offset>2', '2'), text: '2' }]);
  });

  test('wso2Config/effectivePorts: every home, and the two products at offset 0 in conflict', TEST_TIMEOUT, async () => {
    const result = await server.request<{ markdown: string; text: string; report: { homes: { home: string; name: string }[]; conflicts: { homes: string[] }[] } }>('wso2Config/effectivePorts', null);
    assert.ok(result.markdown.startsWith('# Effective ports\n'));
    assert.deepEqual(
      result.report.homes.map((h) => [path.relative(workspace.root, h.home), h.name]),
      [
        ['wso2am-2.6.0', 'WSO2 API Manager'],
        ['wso2ei-6.5.0', 'WSO2 Enterprise Integrator (integrator profile)'],
        ['wso2ei-6.5.0/wso2/broker', 'WSO2 Enterprise Integrator (broker profile)'],
        ['wso2ei-6.5.0/wso2/business-process', 'WSO2 Enterprise Integrator (business-process profile)'],
        ['wso2is-5.6.0', 'WSO2 Identity Server'],
      ],
    );
    assert.deepEqual(
      result.report.conflicts.map((c) => c.homes.map((h) => path.relative(workspace.root, h))),
      [
        ['wso2am-2.6.0', 'wso2ei-6.5.0'],
        ['wso2am-2.6.0', 'wso2is-5.6.0'],
        ['wso2ei-6.5.0', 'wso2is-5.6.0'],
      ],
    );
    assert.ok(result.markdown.includes('## Conflicts\n\n- `'));
    assert.ok(result.text.includes('\nConflicts:\n'));
  });

  test('wso2Config/portMap: each port with the uri, line and columns of its value, conflicts and lowest free offsets', TEST_TIMEOUT, async () => {
    const map = await server.request<PortMapResult>(PortMapRequest.method, null);
    assert.deepEqual(
      map.conflicts.map((c) => c.homes.map((h) => path.relative(workspace.root, h))),
      [
        ['wso2am-2.6.0', 'wso2ei-6.5.0'],
        ['wso2am-2.6.0', 'wso2is-5.6.0'],
        ['wso2ei-6.5.0', 'wso2is-5.6.0'],
      ],
    );
    let ports = 0;
    for (const home of map.homes) {
      for (const port of home.ports) {
        assert.ok(port.location, `${port.label} of ${home.home} has a place`);
        const text = fs.readFileSync(fileURLToPath(port.location.uri), 'utf8').split('\n')[port.location.line - 1];
        assert.equal(text.slice(port.location.column - 1, port.location.endColumn - 1), String(port.written), `${port.file}:${port.location.line}`);
        ports++;
      }
    }
    assert.ok(ports > 20);
    const am = map.homes.find((h) => h.home.endsWith('/wso2am-2.6.0'))!;
    assert.equal(am.lowestFreeOffset, 1);
    assert.equal(am.offset.location?.line, OFFSET_LINE);
    assert.ok(am.ports.some((p) => p.effective === 9443 && p.conflictsWith.length === 2), 'API Manager shares 9443 with EI and IS');
    assert.equal(map.homes.find((h) => h.home.endsWith('/wso2/broker'))!.lowestFreeOffset, undefined, 'the broker profile is in no conflict');
  });
});

describe('a port report asked for right after initialized', () => {
  let workspace: TempWorkspace;
  let server: TestServer;

  before(() => {
    workspace = new TempWorkspace(relative({ ...enterpriseIntegrator(), ...twoProductsAtZero() }));
    server = TestServer.start();
  });

  after(async () => {
    await server.dispose();
    workspace.remove();
  });

  test('waits for the first scan of the workspace: every home, not only the known ones', TEST_TIMEOUT, async () => {
    await server.initialize({ rootPath: workspace.root });
    const map = await server.request<PortMapResult>(PortMapRequest.method, null);
    assert.equal(map.homes.length, 5);
    assert.equal(map.conflicts.length, 3);
  });
});

describe('the -DportOffset setting', () => {
  let workspace: TempWorkspace;
  let server: TestServer;
  let cleanup: () => void;

  before(async () => {
    workspace = new TempWorkspace(relative(twoProductsAtZero()));
    ({ server, cleanup } = startPortsServer({ configuration: { portOffset: 3 } }));
    await server.initialize({ rootPath: workspace.root });
  });

  after(async () => {
    await server.dispose();
    cleanup();
    workspace.remove();
  });

  test('overrides <Offset> in hovers and hints, and follows a settings change', TEST_TIMEOUT, async () => {
    const uri = workspace.uri('wso2am-2.6.0/repository/conf/tomcat/catalina-server.xml');
    await server.open(uri, CATALINA);
    const position = rangeOf(CATALINA, 'port="9443" SSL', '9443').start;
    const hoverAt = () => server.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position });
    // Settings arrive with the server's workspace/configuration pull after `initialized`.
    const first = await waitFor('the portOffset setting', hoverAt, (h) => !!h && markdownOf(h).includes('9446'));
    assert.equal(
      markdownOf(first),
      [
        '**Tomcat connector (https)** · tomcat/catalina-server.xml',
        '**9446** = 9443 + offset 3 from the portOffset setting (-DportOffset).',
        `The portOffset setting (-DportOffset=3) overrides the \`<Offset>\` of carbon.xml line ${OFFSET_LINE}, which applies only when the server starts without -DportOffset.`,
      ].join('\n\n'),
    );
    const result = await server.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: positionAt(CATALINA, CATALINA.length) } });
    assert.deepEqual(result.map((h) => h.label), ['→ 9766', '→ 9446']);

    server.configuration = { portOffset: null };
    await server.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const after = await waitFor('the setting to be cleared', hoverAt, (h) => !!h && markdownOf(h).includes('**9443**'));
    assert.equal(markdownOf(after), `**Tomcat connector (https)** · tomcat/catalina-server.xml\n\n**9443** = 9443 + offset 0 (carbon.xml line ${OFFSET_LINE}).`);
    assert.deepEqual(await server.request('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: positionAt(CATALINA, CATALINA.length) } }), []);
  });
});
