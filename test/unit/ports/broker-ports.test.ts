import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MemoryFileSource, analyzeIn, only, projectRoot } from '../../helpers';
import { explainPort, findPortConflicts, homePortView, portContextOf, PortSources } from '../../../server/src/service/ports';
import { FactsProvider, ParseCache } from '../../../server/src/service/workspace/facts';
import { EI_BROKER, EI, carbonXml, enterpriseIntegrator } from './fixtures';

/**
 * Issue 14: broker.xml's ports in the port model. andes adds Carbon's offset to all five (AMQP 5672, AMQP over SSL
 * 8672, MQTT 1883, MQTT over SSL 8883, Thrift 7611: andes v3.2.55 AndesConfigurationManager.readPortValue); a disabled
 * transport opens nothing (API Manager 2.x ships MQTT disabled) and Thrift is opened only by clustered brokers. An API
 * Manager 2.6.0 home and a broker profile at the same offset collide on 5672 and 8672, and andes then exits the JVM.
 */

const CORPUS = path.join(projectRoot(), '..', 'shared', 'corpus', 'apim-2.6.0', 'repository', 'conf');
const HAVE_CORPUS = fs.existsSync(path.join(CORPUS, 'broker.xml'));
const APIM = '/ws/wso2am-2.6.0';
const read = (relative: string) => fs.readFileSync(path.join(CORPUS, relative), 'utf8');

/** The real APIM 2.6.0 files (offset 0 as shipped) and an EI broker profile whose offset was set to 0 too. */
function workspace(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const relative of ['carbon.xml', 'broker.xml', 'api-manager.xml', 'tomcat/catalina-server.xml', 'axis2/axis2.xml']) files[`${APIM}/repository/conf/${relative}`] = read(relative);
  // The corpus broker.xml is the andes feature file; the APIM build switches MQTT off (product-apim v2.6.0
  // modules/distribution/product/pom.xml l.493-529: transports/mqtt/@enabled true -> false).
  const brokerXml = `${APIM}/repository/conf/broker.xml`;
  assert.equal(files[brokerXml].split('<mqtt enabled="true">').length, 2);
  files[brokerXml] = files[brokerXml].replace('<mqtt enabled="true">', '<mqtt enabled="false">');
  const ei = enterpriseIntegrator();
  ei[`${EI_BROKER}/conf/carbon.xml`] = carbonXml({ offset: '0' });
  ei[`${EI_BROKER}/conf/broker.xml`] = `<broker xmlns="http://wso2.org/andes">
    <coordination>
        <thriftServerPort>7611</thriftServerPort>
    </coordination>
    <transports>
        <amqp enabled="true">
            <defaultConnection enabled="true" port="5672" />
            <sslConnection enabled="true" port="8672"/>
        </amqp>
        <mqtt enabled="true">
            <defaultConnection enabled="true" port="1883" />
            <sslConnection enabled="true" port="8883"/>
        </mqtt>
    </transports>
</broker>
`;
  for (const key of Object.keys(ei)) if (!key.startsWith(EI_BROKER)) delete ei[key];
  // The distribution's other profile folder, so the broker home is recognised as EI's broker profile.
  ei[`${EI}/wso2/business-process/conf/carbon.xml`] = carbonXml({ offset: '2' });
  return { ...files, ...ei };
}

function provider(files: Record<string, string>) {
  const source = new MemoryFileSource(files);
  const facts = new FactsProvider(source, new ParseCache());
  const sources: PortSources = { parsed: (p, kind) => facts.parsed(p, kind) };
  const home = (dir: string) => source.homes().find((h) => h.homeDir === dir)!;
  return { source, facts, sources, home };
}

test('APIM 2.6.0 broker.xml: five ports with the offset; MQTT disabled and Thrift unclustered are not listening', { skip: !HAVE_CORPUS && 'no corpus' }, async () => {
  const ws = provider(workspace());
  const facts = await ws.facts.homeFacts(ws.home(APIM), 2);
  const broker = facts.ports.filter((p) => p.confRelativePath === 'broker.xml');
  assert.deepEqual(
    broker.map((p) => [p.label, p.configured, p.offsetApplies, p.listening]),
    [
      ['Thrift slot coordination (clustered brokers)', 7611, true, false],
      ['AMQP listener', 5672, true, true],
      ['AMQP over SSL listener', 8672, true, true],
      ['MQTT listener', 1883, true, false],
      ['MQTT over SSL listener', 8883, true, false],
    ],
  );
  const text = workspace()[`${APIM}/repository/conf/broker.xml`];
  const lineOfPort = (p: (typeof broker)[number]) => text.slice(0, p.span.start).split('\n').length;
  assert.deepEqual(broker.map(lineOfPort), [37, 79, 81, 103, 105], 'the lines of broker.xml that hold them');
  assert.deepEqual(broker.map((p) => text.slice(p.span.start, p.span.end)), ['7611', '5672', '8672', '1883', '8883'], 'each span is exactly the number');

  // Hover (-DportOffset=2, as in product-apim issue #4809's log: "AMQP ... Port : 5674").
  const context = await portContextOf(facts, ws.sources);
  const entry = (label: string) => context.entries.find((e) => e.fact.confRelativePath === 'broker.xml' && e.fact.label === label)!;
  const amqp = explainPort(entry('AMQP listener'), context);
  assert.equal(amqp.effective, 5674);
  assert.equal(amqp.differs, true, 'an inlay hint shows 5674');
  assert.match(amqp.markdown, /^\*\*5674\*\* = 5672 \+ .*offset.*2/);
  const mqtt = explainPort(entry('MQTT listener'), context);
  assert.equal(mqtt.effective, 1885);
  assert.match(mqtt.markdown, /Not opened: the transport or connection is switched off/);
  assert.match(explainPort(entry('Thrift slot coordination (clustered brokers)'), context).markdown, /only when clustering is on/);

  // The port table lists broker.xml's ports once: the product default of the same port gives way to the file's.
  const view = await homePortView(facts, ws.sources);
  assert.deepEqual(
    view.rows.filter((r) => r.file === 'broker.xml').map((r) => [r.label, r.effective, r.line, r.listening]),
    [
      ['Thrift slot coordination (clustered brokers)', 7613, 37, false],
      ['AMQP listener', 5674, 79, true],
      ['AMQP over SSL listener', 8674, 81, true],
      ['MQTT listener', 1885, 103, false],
      ['MQTT over SSL listener', 8885, 105, false],
    ],
  );
  assert.ok(!view.productRows.some((r) => r.file === 'broker.xml'), JSON.stringify(view.productRows.map((r) => r.label)));
});

test('port conflict: APIM 2.6.0 and an EI broker profile at the same offset collide on 5672 and 8672', { skip: !HAVE_CORPUS && 'no corpus' }, async () => {
  const files = workspace();
  const ws = provider(files);
  const apim = await ws.facts.homeFacts(ws.home(APIM), null);
  const broker = await ws.facts.homeFacts(ws.home(EI_BROKER), null);
  const [conflict] = findPortConflicts([apim, broker]);
  assert.ok(conflict, 'a conflict');
  const shared = conflict.ports.map((p) => p.port);
  assert.ok(shared.includes(5672) && shared.includes(8672), JSON.stringify(shared));
  assert.ok(!shared.includes(1883) && !shared.includes(8883), 'the APIM build switches MQTT off: no MQTT conflict');
  assert.ok(!shared.includes(7611), 'Thrift is opened only by clustered brokers');

  const findings = only((await analyzeIn(files, `${APIM}/repository/conf/carbon.xml`)).findings, 'port-conflict');
  assert.equal(findings.length, 1);
  assert.match(findings[0].message, /5672 \(AMQP listener in broker\.xml\)/);
  assert.match(findings[0].message, /8672 \(AMQP over SSL listener in broker\.xml\)/);
  assert.match(findings[0].message, new RegExp(EI_BROKER.replace(/\//g, '\\/')));

  // At the EI broker profile's shipped offset 3 the broker ports no longer collide.
  files[`${EI_BROKER}/conf/carbon.xml`] = carbonXml({ offset: '3' });
  const apart = provider(files);
  const again = findPortConflicts([await apart.facts.homeFacts(apart.home(APIM), null), await apart.facts.homeFacts(apart.home(EI_BROKER), null)]);
  assert.ok(again.every((c) => c.ports.every((p) => ![5672, 8672].includes(p.port))), JSON.stringify(again.map((c) => c.ports.map((p) => p.port))));
});
