import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSource, analyzeIn, only } from '../../helpers';
import { parseXml } from '../../../server/src/service/model/xml';
import {
  PortContext,
  PortSources,
  explainLiteral,
  explainPort,
  explainReference,
  findPortConflicts,
  homePortView,
  homeTableMarkdown,
  hoverMarkdown,
  lowestFreeOffset,
  markdownToPlain,
  offsetEdit,
  offsetInfoOfDocument,
  portContextOf,
  portEntries,
  portInlayHints,
  portTargetAt,
  productPortsOf,
  workspaceJson,
  workspaceMarkdown,
  workspacePortReport,
  workspaceText,
} from '../../../server/src/service/ports';
import { literalUrlPortsIn, portReferencesIn } from '../../../server/src/service/ports';
import { FactsProvider, HomeFacts, ParseCache } from '../../../server/src/service/workspace/facts';
import { ProductHome } from '../../../server/src/service/workspace/files';
import {
  APIM,
  CATALINA,
  EI,
  EI_BPS,
  EI_BROKER,
  IOTS,
  IOTS_ANALYTICS,
  IOTS_BROKER,
  IS,
  axis2Xml,
  carbonXml,
  enterpriseIntegrator,
  iotServer,
  lineOf,
  offsetOf,
  twoProductsAtZero,
  userMgtXml,
} from './fixtures';

/** A workspace in memory with what port-info reads: the facts of every home and a parse cache. */
class Workspace {
  readonly source: MemoryFileSource;
  readonly facts: FactsProvider;
  readonly sources: PortSources;

  constructor(files: Record<string, string>) {
    this.source = new MemoryFileSource(files);
    this.facts = new FactsProvider(this.source, new ParseCache());
    this.sources = { parsed: (path, kind) => this.facts.parsed(path, kind) };
  }

  home(homeDir: string): ProductHome {
    const home = this.source.homes().find((h) => h.homeDir === homeDir);
    if (!home) throw new Error(`no home ${homeDir}`);
    return home;
  }

  homeFacts(homeDir: string, portOffset: number | null = null): Promise<HomeFacts> {
    return this.facts.homeFacts(this.home(homeDir), portOffset);
  }

  async productPorts(homeDir: string) {
    return productPortsOf((await this.homeFacts(homeDir)).product);
  }

  async context(homeDir: string, portOffset: number | null = null): Promise<PortContext> {
    return portContextOf(await this.homeFacts(homeDir, portOffset), this.sources);
  }
}

const entryOf = (context: PortContext, file: string, label: string) => {
  const entry = context.entries.find((e) => e.fact.confRelativePath === file && e.fact.label === label);
  if (!entry) throw new Error(`no ${label} in ${file}: ${context.entries.map((e) => e.fact.label).join(', ')}`);
  return entry;
};

const OFFSET_LINE = lineOf(carbonXml(), '<Offset>');

describe('product detection from the files present', () => {
  test('every home of APIM, IS, EI (3 profiles) and IoT Server (3 profiles) is recognised, with its evidence', async () => {
    const ws = new Workspace({ ...twoProductsAtZero(), ...enterpriseIntegrator(), ...iotServer() });
    const detected = async (homeDir: string) => {
      const product = await ws.productPorts(homeDir);
      return product && [product.id, product.name, product.detectedBy];
    };
    assert.deepEqual(await detected(APIM), ['apim', 'WSO2 API Manager', 'conf/api-manager.xml']);
    assert.deepEqual(await detected(IS), ['is', 'WSO2 Identity Server', 'conf/identity/identity.xml']);
    assert.deepEqual(await detected(EI), ['ei-integrator', 'WSO2 Enterprise Integrator (integrator profile)', 'profile folders wso2/business-process in the distribution']);
    assert.deepEqual(await detected(EI_BPS), ['ei-business-process', 'WSO2 Enterprise Integrator (business-process profile)', 'profile folders wso2/business-process in the distribution; home folder wso2/business-process']);
    assert.deepEqual(await detected(EI_BROKER), ['ei-broker', 'WSO2 Enterprise Integrator (broker profile)', 'profile folders wso2/business-process in the distribution; home folder wso2/broker']);
    assert.deepEqual(await detected(IOTS), ['iots-core', 'WSO2 IoT Server (core profile)', 'profile folders wso2/broker, wso2/analytics in the distribution']);
    assert.deepEqual(await detected(IOTS_BROKER), ['iots-broker', 'WSO2 IoT Server (broker profile)', 'profile folders wso2/broker, wso2/analytics in the distribution; home folder wso2/broker']);
    assert.deepEqual(await detected(IOTS_ANALYTICS), ['iots-analytics', 'WSO2 IoT Server (analytics profile)', 'profile folders wso2/broker, wso2/analytics in the distribution; home folder wso2/analytics']);
  });

  test('carbon.xml <ServerKey> identifies a product whose telltale files are absent; a placeholder does not', async () => {
    const ws = new Workspace({
      '/a/am/repository/conf/carbon.xml': carbonXml({ serverKey: 'AM' }),
      '/a/ei/conf/carbon.xml': carbonXml({ serverKey: 'EI' }),
      '/a/ei/wso2/broker/conf/carbon.xml': carbonXml({ serverKey: 'EI', offset: '3' }),
      '/a/kernel/repository/conf/carbon.xml': carbonXml(),
      '/a/mb/repository/conf/carbon.xml': carbonXml(),
      '/a/mb/repository/conf/broker.xml': '<broker/>',
    });
    assert.equal((await ws.productPorts('/a/am'))?.id, 'apim');
    assert.equal((await ws.productPorts('/a/am'))?.detectedBy, 'carbon.xml <ServerKey>AM</ServerKey>');
    assert.equal((await ws.productPorts('/a/ei'))?.id, 'ei-integrator');
    assert.equal((await ws.productPorts('/a/ei/wso2/broker'))?.id, 'ei-broker');
    assert.equal(await ws.productPorts('/a/kernel'), undefined);
    assert.equal((await ws.productPorts('/a/mb'))?.id, 'mb');
  });

  test('the port tables name the product the rest of the tool names (schemas/products.json): carbon.xml <Name> and <ServerKey> outrank marker files', async () => {
    const ws = new Workspace({
      // No ServerKey, no marker file: carbon.xml's <Name> alone (the old port-table detection did not read it).
      '/c/am/repository/conf/carbon.xml': carbonXml({ name: 'WSO2 API Manager' }),
      // An IS home that also holds an api-manager.xml: its carbon.xml says IS, as the TLS rules and hovers say.
      '/c/is/repository/conf/carbon.xml': carbonXml({ serverKey: 'IS' }),
      '/c/is/repository/conf/api-manager.xml': '<APIManager/>',
      // A product schemas/ports.json has no defaults for: no product rows, and carbon.xml's name for the home.
      '/c/esb/repository/conf/carbon.xml': carbonXml({ serverKey: 'ESB', name: 'WSO2 Enterprise Service Bus' }),
    });
    assert.deepEqual(await ws.productPorts('/c/am').then((p) => p && [p.id, p.detectedBy]), ['apim', 'carbon.xml <Name>WSO2 API Manager</Name>']);
    for (const homeDir of ['/c/am', '/c/is']) assert.equal((await ws.productPorts(homeDir))?.id, (await ws.homeFacts(homeDir)).product.id);
    assert.equal((await ws.productPorts('/c/is'))?.id, 'is');
    assert.equal((await ws.homeFacts('/c/esb')).product.id, 'esb');
    assert.equal(await ws.productPorts('/c/esb'), undefined);
    const view = await homePortView(await ws.homeFacts('/c/esb'), ws.sources);
    assert.deepEqual([view.name, view.productRows.length], ['WSO2 Enterprise Service Bus', 0]);
  });

  test('APIM ships broker.xml and identity/identity.xml too: api-manager.xml wins', async () => {
    const ws = new Workspace({
      '/b/am/repository/conf/carbon.xml': carbonXml(),
      '/b/am/repository/conf/api-manager.xml': '<APIManager/>',
      '/b/am/repository/conf/broker.xml': '<broker/>',
      '/b/am/repository/conf/identity/identity.xml': '<Server/>',
    });
    assert.equal((await ws.productPorts('/b/am'))?.id, 'apim');
  });
});

describe('explaining one port', () => {
  test('a Tomcat connector at offset 2 (EI business-process): default + offset, with the carbon.xml line', async () => {
    const ws = new Workspace(enterpriseIntegrator());
    const context = await ws.context(EI_BPS);
    const https = explainPort(entryOf(context, 'tomcat/catalina-server.xml', 'Tomcat connector (https)'), context);
    assert.equal(https.effective, 9445);
    assert.equal(https.differs, true);
    assert.equal(https.markdown, `**9445** = 9443 + offset 2 (carbon.xml line ${OFFSET_LINE}).`);
    const ldap = explainPort(entryOf(context, 'carbon.xml', 'embedded LDAP server'), context);
    assert.equal(ldap.markdown, `**10391** = 10389 + offset 2 (carbon.xml line ${OFFSET_LINE}).`);
  });

  test('offset 3 (EI broker): a servlet transport takes the Tomcat connector port plus the offset, not its own value', async () => {
    const ws = new Workspace(enterpriseIntegrator());
    const context = await ws.context(EI_BROKER);
    const entry = entryOf(context, 'axis2/axis2.xml', 'https transport receiver');
    assert.equal(entry.servletScheme, 'https');
    const explained = explainPort(entry, context);
    assert.equal(explained.effective, 9446);
    assert.equal(explained.differs, true);
    assert.match(explained.markdown, /^\*\*9446\*\* = Tomcat https connector port 9443 \(catalina-server\.xml line 4\) \+ offset 3 \(carbon\.xml line \d+\)\. This 9443 is not used: a servlet transport/);
  });

  test('a servlet transport whose Tomcat port differs is shown even at offset 0', async () => {
    const files = enterpriseIntegrator();
    files[`${EI_BPS}/conf/carbon.xml`] = carbonXml({ offset: '0' });
    files[`${EI_BPS}/conf/tomcat/catalina-server.xml`] = CATALINA.replace('port="9443" SSLEnabled', 'port="9543" SSLEnabled');
    const ws = new Workspace(files);
    const context = await ws.context(EI_BPS);
    const https = explainPort(entryOf(context, 'axis2/axis2.xml', 'https transport receiver'), context);
    assert.deepEqual([https.effective, https.differs], [9543, true]);
    const http = explainPort(entryOf(context, 'axis2/axis2.xml', 'http transport receiver'), context);
    assert.deepEqual([http.effective, http.differs], [9763, false]);
  });

  test('redirectPort, proxyPort and the shutdown port are used as written, and say why', async () => {
    const files = enterpriseIntegrator();
    files[`${EI_BPS}/conf/tomcat/catalina-server.xml`] = CATALINA.replace('redirectPort="9443"', 'redirectPort="9443" proxyPort="80"');
    const ws = new Workspace(files);
    const context = await ws.context(EI_BPS);
    const redirect = explainPort(entryOf(context, 'tomcat/catalina-server.xml', 'redirect target of the http connector'), context);
    assert.equal(redirect.effective, 9443);
    assert.equal(redirect.differs, false);
    assert.equal(
      redirect.markdown,
      `**9443**, used as written: CarbonTomcat adds the offset to the connector port only; redirectPort is used as written.\n\nWith offset 2 (carbon.xml line ${OFFSET_LINE}) the Tomcat connector (https) listens on 9445, while redirects still go to 9443.`,
    );
    const proxy = explainPort(entryOf(context, 'tomcat/catalina-server.xml', 'proxy port of the http connector'), context);
    assert.deepEqual([proxy.effective, proxy.differs], [80, false]);
    assert.match(proxy.markdown, /^\*\*80\*\*, used as written: the port clients reach through the proxy/);
    const shutdown = explainPort(entryOf(context, 'tomcat/catalina-server.xml', 'Tomcat shutdown port'), context);
    assert.equal(shutdown.markdown, "**8005**, used as written: Carbon's embedded Tomcat never opens the shutdown port and no offset is added to it.");
  });

  test('the -DportOffset setting overrides <Offset>, and the hover says so', async () => {
    const ws = new Workspace(twoProductsAtZero());
    const context = await ws.context(APIM, 3);
    const entry = entryOf(context, 'tomcat/catalina-server.xml', 'Tomcat connector (https)');
    assert.equal(explainPort(entry, context).markdown, '**9446** = 9443 + offset 3 from the portOffset setting (-DportOffset).');
    const hover = hoverMarkdown({ kind: 'port', span: entry.fact.span, entry }, context);
    assert.equal(
      hover,
      [
        '**Tomcat connector (https)** · tomcat/catalina-server.xml',
        '**9446** = 9443 + offset 3 from the portOffset setting (-DportOffset).',
        `The portOffset setting (-DportOffset=3) overrides the \`<Offset>\` of carbon.xml line ${OFFSET_LINE}, which applies only when the server starts without -DportOffset.`,
      ].join('\n\n'),
    );
  });

  test('an offset that is not an integer: no effective port, and why', async () => {
    const files = twoProductsAtZero();
    files[`${APIM}/repository/conf/carbon.xml`] = carbonXml({ offset: 'two' });
    const ws = new Workspace(files);
    const context = await ws.context(APIM);
    const explained = explainPort(entryOf(context, 'tomcat/catalina-server.xml', 'Tomcat connector (http)'), context);
    assert.equal(explained.effective, undefined);
    assert.equal(explained.markdown, `9763 + the port offset, which is unknown: carbon.xml's \`<Offset>\` (line ${OFFSET_LINE}) is not an integer, so the server does not start.`);
  });

  test('a home without <Offset> runs at offset 0, and says where that comes from', async () => {
    const files = twoProductsAtZero();
    files[`${APIM}/repository/conf/carbon.xml`] = carbonXml().replace(/ *<Offset>0<\/Offset>\n/, '');
    const ws = new Workspace(files);
    const context = await ws.context(APIM);
    const explained = explainPort(entryOf(context, 'tomcat/catalina-server.xml', 'Tomcat connector (http)'), context);
    assert.deepEqual([explained.effective, explained.differs], [9763, false]);
    assert.equal(explained.markdown, '**9763** = 9763 + offset 0 (no `<Offset>` in carbon.xml).');
  });
});

describe('${Ports.…} references and literal ports in URLs', () => {
  test('user-mgt.xml ConnectionURL ${Ports.EmbeddedLDAP.LDAPServerPort} at offset 2 → the carbon.xml value + offset', async () => {
    const ws = new Workspace(enterpriseIntegrator());
    const context = await ws.context(EI_BPS);
    const doc = parseXml(userMgtXml());
    const references = portReferencesIn(doc);
    assert.equal(references.length, 1, 'the commented-out ${Ports.JNDIProviderPort} is not a reference');
    assert.equal(doc.text.slice(references[0].span.start, references[0].span.end), '${Ports.EmbeddedLDAP.LDAPServerPort}');
    const explained = explainReference(references[0], context);
    assert.equal(explained.effective, 10391);
    assert.equal(explained.differs, true);
    assert.equal(
      explained.markdown,
      `**10391** = carbon.xml \`Ports/EmbeddedLDAP/LDAPServerPort\` 10389 (line ${lineOf(carbonXml(), '<LDAPServerPort>')}) + offset 2 (carbon.xml line ${OFFSET_LINE}). A \${Ports.…} reference resolves to the carbon.xml value it names plus the port offset (CarbonUtils.getPortFromServerConfig, wso2/carbon-kernel v4.4.35 l.884-912).`,
    );
  });

  test('at offset 0 a reference still shows its number; a reference to a commented-out port says it resolves to nothing', async () => {
    const ws = new Workspace(twoProductsAtZero());
    const context = await ws.context(IS);
    const [reference] = portReferencesIn(parseXml(userMgtXml()));
    assert.deepEqual([explainReference(reference, context).effective, explainReference(reference, context).differs], [10389, true]);
    const [missing] = portReferencesIn(parseXml(userMgtXml('ldap://localhost:${Ports.JNDIProviderPort}')));
    const explained = explainReference(missing, context);
    assert.equal(explained.effective, undefined);
    assert.match(explained.markdown, /^`Ports\/JNDIProviderPort`: carbon\.xml has no such element under <Ports> \(or it is commented out\)/);
  });

  test('a literal ldap://localhost:10389 at offset 2 is used as written and misses the LDAP server on 10391', async () => {
    const ws = new Workspace(enterpriseIntegrator());
    const context = await ws.context(EI_BPS);
    const [literal] = literalUrlPortsIn(parseXml(userMgtXml('ldap://localhost:10389')));
    const explained = explainLiteral(literal, context);
    assert.deepEqual([explained.effective, explained.differs], [10389, false]);
    const parts = explained.markdown.split('\n\n');
    assert.match(parts[0], /^\*\*10389\*\*, used as written: A literal port in a URL is used as written/);
    assert.equal(parts[1], `With offset 2 (carbon.xml line ${OFFSET_LINE}) this server's embedded LDAP server (carbon.xml) listens on 10391, not 10389.`);
    assert.match(parts[2], /write one to make the port follow the offset/);
    // At offset 0 there is nothing to miss.
    const atZero = explainLiteral(literal, await new Workspace(twoProductsAtZero()).context(IS));
    assert.equal(atZero.markdown.split('\n\n').length, 1);
  });

  test('references in attribute values and several in one text (etc/jmx.xml style), but not other ${…} templates', () => {
    const text = '<JMX a="${Ports.JMX.RMIServerPort}">\n  <Url>service:jmx:rmi://localhost:${Ports.JMX.RMIServerPort}/jndi/rmi://localhost:${Ports.JMX.RMIRegistryPort}/jmxrmi</Url>\n  <Home>${carbon.home}</Home>\n</JMX>';
    const doc = parseXml(text);
    assert.deepEqual(
      portReferencesIn(doc).map((r) => [r.key, r.elementPath, text.slice(r.span.start, r.span.end)]),
      [
        ['Ports.JMX.RMIServerPort', 'Ports/JMX/RMIServerPort', '${Ports.JMX.RMIServerPort}'],
        ['Ports.JMX.RMIServerPort', 'Ports/JMX/RMIServerPort', '${Ports.JMX.RMIServerPort}'],
        ['Ports.JMX.RMIRegistryPort', 'Ports/JMX/RMIRegistryPort', '${Ports.JMX.RMIRegistryPort}'],
      ],
    );
    assert.deepEqual(literalUrlPortsIn(doc), [], 'a ${Ports.…} port is not a literal one');
  });

  test('URL ports: digits after the host only; a password written as user:1234@host is not a port; comments are skipped', () => {
    const doc = parseXml(
      [
        '<x a="jdbc:mysql://db.example.com:3306/carbon?useSSL=true">',
        '  <u>ldap://admin:1234@ldap.example.com:10389</u>',
        '  <v>tcp://${carbon.local.ip}:5672</v>',
        '  <!-- <w>http://localhost:9999/</w> -->',
        '  <y>http://localhost/no-port and https://[::1]:8243/x</y>',
        '</x>',
      ].join('\n'),
    );
    const ports = literalUrlPortsIn(doc).map((p) => [p.port, doc.text.slice(p.span.start, p.span.end)]);
    assert.deepEqual(ports, [
      [3306, '3306'],
      [10389, '10389'],
      [5672, '5672'],
      [8243, '8243'],
    ]);
  });
});

describe('what is under the cursor', () => {
  test('each kind of target in carbon.xml, catalina-server.xml and user-mgt.xml', async () => {
    const carbon = carbonXml({ offset: '2' });
    const carbonDoc = parseXml(carbon);
    const carbonEntries = portEntries('carbon', carbonDoc, `${EI_BPS}/conf/carbon.xml`, 'carbon.xml');
    assert.deepEqual(portTargetAt(carbonDoc, 'carbon', carbonEntries, offsetOf(carbon, '<Offset>2', '2'))?.kind, 'offset');
    assert.deepEqual(portTargetAt(carbonDoc, 'carbon', carbonEntries, offsetOf(carbon, '<Offset>', 'Offset'))?.kind, 'offset');
    const rmi = portTargetAt(carbonDoc, 'carbon', carbonEntries, offsetOf(carbon, '11111'));
    assert.equal(rmi?.kind === 'port' && rmi.entry.fact.label, 'JMX RMI server');
    assert.equal(portTargetAt(carbonDoc, 'carbon', carbonEntries, offsetOf(carbon, '2199')), undefined, 'inside a comment');
    assert.equal(portTargetAt(carbonDoc, 'carbon', carbonEntries, offsetOf(carbon, '<Name>')), undefined);

    const catalinaDoc = parseXml(CATALINA);
    const catalinaEntries = portEntries('catalina-server', catalinaDoc, '/x/conf/tomcat/catalina-server.xml', 'tomcat/catalina-server.xml');
    const redirect = portTargetAt(catalinaDoc, 'catalina-server', catalinaEntries, offsetOf(CATALINA, 'redirectPort="9443"', '9443'));
    assert.equal(redirect?.kind === 'port' && redirect.entry.fact.label, 'redirect target of the http connector');
    assert.equal(portTargetAt(catalinaDoc, 'catalina-server', catalinaEntries, offsetOf(CATALINA, 'proxyPort="443"', '443')), undefined, 'inside a comment');

    const userMgt = userMgtXml();
    const userMgtDoc = parseXml(userMgt);
    const reference = portTargetAt(userMgtDoc, 'user-mgt', [], offsetOf(userMgt, 'LDAPServerPort}'));
    assert.equal(reference?.kind, 'reference');
    assert.equal(reference && userMgt.slice(reference.span.start, reference.span.end), '${Ports.EmbeddedLDAP.LDAPServerPort}');
    assert.equal(portTargetAt(userMgtDoc, 'user-mgt', [], offsetOf(userMgt, '${Ports.JNDIProviderPort}', 'JNDI')), undefined);
  });
});

describe('inlay hints', () => {
  test('offset 3: after every offset port (after the closing quote of attributes), none for redirect or shutdown ports', async () => {
    const ws = new Workspace(enterpriseIntegrator());
    const context = await ws.context(EI_BROKER);
    const doc = parseXml(CATALINA);
    const entries = portEntries('catalina-server', doc, `${EI_BROKER}/conf/tomcat/catalina-server.xml`, 'tomcat/catalina-server.xml');
    const hints = portInlayHints(doc, entries, context);
    assert.deepEqual(
      hints.map((h) => [h.offset, h.label]),
      [
        [offsetOf(CATALINA, 'port="9763"') + 'port="9763"'.length, '→ 9766'],
        [offsetOf(CATALINA, 'port="9443" SSL') + 'port="9443"'.length, '→ 9446'],
      ],
    );
    assert.match(hints[0].tooltip, /^\*\*9766\*\* = 9763 \+ offset 3/);

    const axis2 = axis2Xml('servlet');
    const axis2Doc = parseXml(axis2);
    const axis2Hints = portInlayHints(axis2Doc, portEntries('axis2', axis2Doc, `${EI_BROKER}/conf/axis2/axis2.xml`, 'axis2/axis2.xml'), context);
    assert.deepEqual(
      axis2Hints.map((h) => [h.offset, h.label]),
      [
        [offsetOf(axis2, '>9763<', '<'), '→ 9766'],
        [offsetOf(axis2, '>9443<', '<'), '→ 9446'],
      ],
    );
  });

  test('offset 0: no hints for ports, one for a ${Ports.…} reference (its text is not a number)', async () => {
    const ws = new Workspace(twoProductsAtZero());
    const context = await ws.context(APIM);
    const doc = parseXml(CATALINA);
    assert.deepEqual(portInlayHints(doc, portEntries('catalina-server', doc, `${APIM}/repository/conf/tomcat/catalina-server.xml`, 'tomcat/catalina-server.xml'), context), []);
    const userMgt = userMgtXml();
    const hints = portInlayHints(parseXml(userMgt), [], await ws.context(IS));
    assert.deepEqual(hints.map((h) => [h.offset, h.label]), [[offsetOf(userMgt, 'LDAPServerPort}', '}') + 1, '→ 10389']]);
  });

  test('a file outside any product home has no offset to go by: no hints', () => {
    const doc = parseXml(CATALINA);
    const entries = portEntries('catalina-server', doc, '/lone/catalina-server.xml', 'catalina-server.xml');
    assert.deepEqual(portInlayHints(doc, entries, { offset: undefined, entries, carbon: undefined }), []);
    const explained = explainPort(entries.find((e) => e.fact.label === 'Tomcat connector (http)')!, { offset: undefined, entries, carbon: undefined });
    assert.equal(explained.markdown, '9763 + the port offset of its product home, which is unknown: this file is not inside a product home.');
    const lone = carbonXml({ offset: '4' });
    assert.equal(offsetInfoOfDocument(parseXml(lone), '/lone/carbon.xml').value, 4);
  });
});

describe('the port table of a home', () => {
  test('IoT Server analytics (offset 2): its files\' ports and the analytics defaults, with sources', async () => {
    const ws = new Workspace(iotServer());
    const view = await homePortView(await ws.homeFacts(IOTS_ANALYTICS), ws.sources);
    assert.equal(view.name, 'WSO2 IoT Server (analytics profile)');
    assert.deepEqual(
      view.rows.map((r) => [r.label, r.file, r.written, r.effective, r.how]),
      [
        ['JMX RMI registry', 'carbon.xml', 9999, 10001, '+ offset'],
        ['JMX RMI server', 'carbon.xml', 11111, 11113, '+ offset'],
        ['embedded LDAP server', 'carbon.xml', 10389, 10391, '+ offset'],
        ['embedded Kerberos KDC', 'carbon.xml', 8000, 8002, '+ offset'],
        ['Thrift entitlement receiver', 'carbon.xml', 10500, 10502, '+ offset'],
        ['Tomcat shutdown port', 'tomcat/catalina-server.xml', 8005, 8005, 'as written'],
        ['Tomcat connector (http)', 'tomcat/catalina-server.xml', 9763, 9765, '+ offset'],
        ['redirect target of the http connector', 'tomcat/catalina-server.xml', 9443, 9443, 'as written'],
        ['Tomcat connector (https)', 'tomcat/catalina-server.xml', 9443, 9445, '+ offset'],
        ['http transport receiver', 'axis2/axis2.xml', 9763, 9765, 'Tomcat http port + offset'],
        ['https transport receiver', 'axis2/axis2.xml', 9443, 9445, 'Tomcat https port + offset'],
      ],
    );
    assert.deepEqual(
      view.productRows.map((r) => [r.label, r.written, r.effective, r.source]),
      [
        ['Thrift event receiver', 7611, 7613, 'WSO2 default ports page (not verified against product code)'],
        ['Thrift event receiver (SSL)', 7711, 7713, 'WSO2 default ports page (not verified against product code)'],
      ],
    );
    const markdown = homeTableMarkdown(view);
    assert.match(markdown, /^\*\*WSO2 IoT Server \(analytics profile\)\*\* · `\/ws\/wso2iot-3\.1\.0\/wso2\/analytics` · detected by profile folders wso2\/broker, wso2\/analytics in the distribution; home folder wso2\/analytics$/m);
    assert.ok(markdown.includes(`Port offset 2 (carbon.xml line ${OFFSET_LINE}).`));
    assert.ok(markdown.includes('| Tomcat connector (https) | **9445** | 9443 | tomcat/catalina-server.xml:4 | + offset |'));
    assert.ok(markdown.includes('| redirect target of the http connector (not a listener) | 9443 | 9443 | tomcat/catalina-server.xml:3 | as written |'));
    assert.ok(markdown.includes('| Thrift event receiver | **7613** | 7611 | data-bridge/data-bridge-config.xml | default + offset | [1] |'));
    assert.ok(markdown.includes('- [1] WSO2 default ports page (not verified against product code)'));
  });

  test('APIM: the WebSocket inbound endpoint keeps 9099 whatever the offset; Thrift 10397 follows it', async () => {
    const ws = new Workspace(twoProductsAtZero());
    const view = await homePortView(await ws.homeFacts(APIM, 2), ws.sources);
    const product = Object.fromEntries(view.productRows.map((r) => [r.label, [r.written, r.effective]]));
    assert.deepEqual(product['WebSocket inbound endpoint'], [9099, 9099]);
    assert.deepEqual(product['Thrift key validation (client and server)'], [10397, 10399]);
    assert.deepEqual(product['Traffic Manager JMS broker (AMQP)'], [5672, 5674]);
  });

  test('EI broker profile (offset 3): AMQP 5675 and MQTT 1886', async () => {
    const ws = new Workspace(enterpriseIntegrator());
    const view = await homePortView(await ws.homeFacts(EI_BROKER), ws.sources);
    assert.deepEqual(
      view.productRows.map((r) => [r.label, r.effective]),
      [
        ['AMQP (JMS) listener', 5675],
        ['AMQP over SSL listener', 8675],
        ['MQTT listener', 1886],
      ],
    );
  });
});

describe('the workspace table and its conflicts', () => {
  test('two products at offset 0 collide; the lowest free offset is the port-conflict rule\'s', async () => {
    const files = twoProductsAtZero();
    const ws = new Workspace(files);
    const apim = await ws.homeFacts(APIM);
    const is = await ws.homeFacts(IS);
    const conflicts = findPortConflicts([apim, is]);
    assert.equal(conflicts.length, 1);
    assert.deepEqual(
      conflicts[0].ports.map((p) => p.port),
      [8000, 9443, 9763, 9999, 10389, 10500, 11111],
      'the servlet transports of IS take the Tomcat ports and the PassThrough ports of APIM are its own',
    );
    assert.equal(lowestFreeOffset(apim, [is]), 1);

    const rule = only((await analyzeIn(files, `${APIM}/repository/conf/carbon.xml`)).findings, 'port-conflict');
    assert.equal(rule.length, 1);
    assert.equal(rule[0].finding.data?.lowestFreeOffset, lowestFreeOffset(apim, [is]));
    assert.deepEqual((rule[0].finding.data?.ports as { port: number }[]).map((p) => p.port), conflicts[0].ports.map((p) => p.port));

    const report = workspacePortReport([await homePortView(apim, ws.sources), await homePortView(is, ws.sources)]);
    const display = (p: string) => p.replace('/ws/', '');
    const markdown = workspaceMarkdown(report, { displayPath: display });
    assert.ok(markdown.startsWith('# Effective ports\n\n| Home | Product | Offset | Listening ports |\n|---|---|---:|---|\n'));
    assert.ok(markdown.includes('| `wso2am-2.6.0` | WSO2 API Manager | 0 (carbon.xml) | 8000, 8243, 8280, 9443, 9763, 9999, 10389, 10500, 11111 |'));
    assert.ok(markdown.includes('- `wso2am-2.6.0` (offset 0) and `wso2is-5.6.0` (offset 0) both open 8000 (embedded Kerberos KDC in carbon.xml), 9443 (Tomcat connector (https) in tomcat/catalina-server.xml)'));
    assert.ok(markdown.includes('- Lowest offset for `wso2am-2.6.0` that collides with no other home: 1.'));
    assert.ok(markdown.includes('## WSO2 Identity Server'));
    const text = workspaceText(report, { displayPath: display });
    assert.ok(text.startsWith('WSO2 API Manager  wso2am-2.6.0\n  Port offset 0 (carbon.xml line 8); detected by conf/api-manager.xml\n'));
    assert.ok(text.includes('\nConflicts:\n  wso2am-2.6.0 (offset 0) and wso2is-5.6.0 (offset 0) both open 8000'));
    assert.ok(!text.includes('**') && !text.includes('`'), 'plain text has no Markdown');
    const json = workspaceJson(report, { displayPath: display }) as { homes: { home: string; lowestFreeOffset?: number }[]; conflicts: { homes: string[] }[] };
    assert.deepEqual(json.conflicts[0].homes, ['wso2am-2.6.0', 'wso2is-5.6.0']);
    assert.equal(json.homes[0].lowestFreeOffset, 1);
  });

  test('EI\'s and IoT Server\'s shipped offsets 0/2/3 keep their profiles apart; the two integrators collide', async () => {
    const ws = new Workspace({ ...enterpriseIntegrator(), ...iotServer() });
    const ei = await Promise.all([EI, EI_BPS, EI_BROKER].map((h) => ws.homeFacts(h)));
    assert.deepEqual(findPortConflicts(ei), []);
    const iots = await Promise.all([IOTS, IOTS_ANALYTICS, IOTS_BROKER].map((h) => ws.homeFacts(h)));
    assert.deepEqual(findPortConflicts(iots), []);
    assert.equal(lowestFreeOffset(ei[0], [iots[2]]), 0, 'nothing at offset 3 stops the integrator from staying at 0');
    assert.equal(lowestFreeOffset(ei[1], [ei[0], ei[2]]), 1, 'offset 1 fits between the integrator (0) and the broker (3)');
    const all = findPortConflicts([...ei, ...iots]);
    assert.deepEqual(
      all.map((c) => [c.a.home.homeDir, c.b.home.homeDir]),
      [
        [EI, IOTS],
        [EI_BPS, IOTS_ANALYTICS],
        [EI_BROKER, IOTS_BROKER],
      ],
    );
  });

  test('the -DportOffset override moves every home: with one value for all, both still collide', async () => {
    const ws = new Workspace(twoProductsAtZero());
    const conflicts = findPortConflicts([await ws.homeFacts(APIM, 3), await ws.homeFacts(IS, 3)]);
    assert.deepEqual(conflicts[0].ports.map((p) => p.port), [8003, 9446, 9766, 10002, 10392, 10503, 11114]);
  });
});

test('offsetEdit replaces the <Offset> value (the port-conflict quick fix)', () => {
  const text = carbonXml({ offset: '0' });
  const edit = offsetEdit(parseXml(text), 2);
  assert.deepEqual(edit, { span: { start: offsetOf(text, '<Offset>0', '0'), end: offsetOf(text, '<Offset>0', '0') + 1 }, newText: '2' });
  const selfClosing = carbonXml().replace('<Offset>0</Offset>', '<Offset/>');
  const replaced = offsetEdit(parseXml(selfClosing), 5)!;
  assert.equal(selfClosing.slice(0, replaced.span.start) + replaced.newText + selfClosing.slice(replaced.span.end), carbonXml({ offset: '5' }));
  assert.equal(offsetEdit(parseXml('<Server xmlns="http://wso2.org/projects/carbon/carbon.xml"/>'), 1), undefined);
});

test('markdownToPlain drops the emphasis, code marks and escapes this module writes', () => {
  assert.equal(markdownToPlain('**9445** = `Ports/X` \\<Offset\\>'), '9445 = Ports/X <Offset>');
});
