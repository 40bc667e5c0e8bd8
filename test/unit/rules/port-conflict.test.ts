import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeIn, only } from '../../helpers';

// Files resembling the shipped ones (wso2/carbon-kernel v4.4.35, wso2/product-apim v2.6.0, wso2/product-is v5.6.0): the kernel carbon.xml Ports block, the Tomcat connectors, and
// axis2.xml with PassThrough listeners (APIM, EI integrator) or servlet transports (EI business-process and broker).

function carbonXml(name: string, offset: string | undefined): string {
  return [
    '<?xml version="1.0" encoding="ISO-8859-1"?>',
    '<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">',
    `    <Name>${name}</Name>`,
    '    <Ports>',
    '        <!-- Ports offset -->',
    offset === undefined ? '        <!-- no offset -->' : `        <Offset>${offset}</Offset>`,
    '        <JMX>',
    '            <RMIRegistryPort>9999</RMIRegistryPort>',
    '            <RMIServerPort>11111</RMIServerPort>',
    '        </JMX>',
    '        <EmbeddedLDAP>',
    '            <LDAPServerPort>10389</LDAPServerPort>',
    '            <KDCServerPort>8000</KDCServerPort>',
    '        </EmbeddedLDAP>',
    '        <!--<JNDIProviderPort>2199</JNDIProviderPort>-->',
    '        <ThriftEntitlementReceivePort>10500</ThriftEntitlementReceivePort>',
    '    </Ports>',
    '    <!--H2DatabaseConfiguration>',
    '        <property name="webPort">8082</property>',
    '    </H2DatabaseConfiguration-->',
    '</Server>',
    '',
  ].join('\n');
}

const CATALINA = [
  '<Server port="8005" shutdown="SHUTDOWN">',
  '    <Service className="org.wso2.carbon.tomcat.ext.service.ExtendedStandardService" name="Catalina">',
  '        <Connector protocol="org.apache.coyote.http11.Http11NioProtocol" port="9763" redirectPort="9443"/>',
  '        <Connector protocol="org.apache.coyote.http11.Http11NioProtocol" port="9443" SSLEnabled="true" scheme="https" secure="true"/>',
  '    </Service>',
  '</Server>',
  '',
].join('\n');

function axis2Xml(listeners: 'passthru' | 'servlet'): string {
  const [http, https, httpPort, httpsPort] =
    listeners === 'passthru'
      ? ['org.apache.synapse.transport.passthru.PassThroughHttpListener', 'org.apache.synapse.transport.passthru.PassThroughHttpSSLListener', 8280, 8243]
      : ['org.wso2.carbon.core.transports.http.HttpTransportListener', 'org.wso2.carbon.core.transports.http.HttpsTransportListener', 9763, 9443];
  return [
    '<axisconfig name="AxisJava2.0">',
    `    <transportReceiver name="http" class="${http}">`,
    `        <parameter name="port" locked="false">${httpPort}</parameter>`,
    '    </transportReceiver>',
    `    <transportReceiver name="https" class="${https}">`,
    `        <parameter name="port" locked="false">${httpsPort}</parameter>`,
    '    </transportReceiver>',
    '</axisconfig>',
    '',
  ].join('\n');
}

/** A product home's files under `confDir`. */
function home(confDir: string, name: string, offset: string | undefined, listeners: 'passthru' | 'servlet'): Record<string, string> {
  return {
    [`${confDir}/carbon.xml`]: carbonXml(name, offset),
    [`${confDir}/tomcat/catalina-server.xml`]: CATALINA,
    [`${confDir}/axis2/axis2.xml`]: axis2Xml(listeners),
  };
}

const EI = '/ws/wso2ei-6.5.0';
const EI_HOMES = {
  integrator: `${EI}/conf/carbon.xml`,
  businessProcess: `${EI}/wso2/business-process/conf/carbon.xml`,
  broker: `${EI}/wso2/broker/conf/carbon.xml`,
};
const eiDistribution = {
  ...home(`${EI}/conf`, 'WSO2 Enterprise Integrator', '0', 'passthru'),
  ...home(`${EI}/wso2/business-process/conf`, 'WSO2 EI Business Process', '2', 'servlet'),
  ...home(`${EI}/wso2/broker/conf`, 'WSO2 EI Broker', '3', 'servlet'),
};

test('EI 6.5.0: the integrator, business-process and broker profiles (offsets 0, 2, 3) do not collide', async () => {
  for (const target of Object.values(EI_HOMES)) {
    const { result, findings } = await analyzeIn(eiDistribution, target);
    assert.ok(result.location?.home, `${target} is in a home`);
    assert.deepEqual(only(findings, 'port-conflict'), [], target);
  }
});

test('EI 6.5.0: forcing the business-process profile to offset 0 makes it collide with the integrator only', async () => {
  const settings = { portOffset: { 'wso2/business-process': 0 } };
  const bp = only((await analyzeIn(eiDistribution, EI_HOMES.businessProcess, settings)).findings, 'port-conflict');
  assert.equal(bp.length, 1);
  assert.equal(bp[0].line, 6);
  assert.equal(bp[0].covered, '2');
  assert.match(bp[0].message, /offset 0 from the portOffset setting/);
  assert.match(bp[0].message, new RegExp(`product home ${EI} \\(offset 0 from carbon\\.xml\\)`));
  const data = bp[0].finding.data as { otherHome: string; ports: { port: number }[]; lowestFreeOffset: number };
  assert.equal(data.otherHome, EI);
  // The servlet transports of axis2.xml open nothing of their own, so 9763/9443 collide through Tomcat only.
  assert.deepEqual(
    data.ports.map((p) => p.port),
    [8000, 9443, 9763, 9999, 10389, 10500, 11111],
  );
  // 1 collides with nothing (integrator at 0, broker at 3): 10000, 11112, … are free.
  assert.equal(data.lowestFreeOffset, 1);
  const integrator = only((await analyzeIn(eiDistribution, EI_HOMES.integrator, settings)).findings, 'port-conflict');
  assert.deepEqual(integrator.map((f) => [f.line, f.covered, (f.finding.data as { otherHome: string }).otherHome]), [[6, '0', `${EI}/wso2/business-process`]]);
  assert.deepEqual(only((await analyzeIn(eiDistribution, EI_HOMES.broker, settings)).findings, 'port-conflict'), []);
});

const APIM_A = '/ws/apim-a';
const APIM_B = '/ws/apim-b';
const twoApims = {
  ...home(`${APIM_A}/repository/conf`, 'WSO2 API Manager', '0', 'passthru'),
  ...home(`${APIM_B}/repository/conf`, 'WSO2 API Manager', '0', 'passthru'),
};

test('two APIM homes at offset 0: a warning on each Offset, naming the other home and the ports', async () => {
  for (const [self, other] of [
    [APIM_A, APIM_B],
    [APIM_B, APIM_A],
  ]) {
    const found = only((await analyzeIn(twoApims, `${self}/repository/conf/carbon.xml`)).findings, 'port-conflict');
    assert.deepEqual(found.map((f) => [f.line, f.covered, f.severity]), [[6, '0', 'warning']]);
    const message = found[0].message;
    assert.match(message, new RegExp(`product home ${other} `));
    assert.ok(!message.includes(`product home ${self} `));
    assert.match(message, /9443 \(Tomcat connector \(https\) in tomcat\/catalina-server\.xml\)/);
    assert.match(message, /8280 \(http transport receiver in axis2\/axis2\.xml\)/);
    assert.match(message, /9999 \(JMX RMI registry in carbon\.xml\)/);
    assert.match(message, /Offset 1 is the lowest/);
    const data = found[0].finding.data as { otherHome: string; ports: { port: number; here: string; there: string }[]; lowestFreeOffset: number };
    assert.equal(data.otherHome, other);
    // The shutdown port 8005 and redirectPort 9443 are not listening ports; 9443 is there through the https connector.
    assert.deepEqual(
      data.ports.map((p) => p.port),
      [8000, 8243, 8280, 9443, 9763, 9999, 10389, 10500, 11111],
    );
    assert.deepEqual(data.ports[3], { port: 9443, here: 'Tomcat connector (https) in tomcat/catalina-server.xml', there: 'Tomcat connector (https) in tomcat/catalina-server.xml' });
    assert.equal(data.lowestFreeOffset, 1);
  }
});

test('-DportOffset: a number for every home keeps them colliding; a per-home map separates them', async () => {
  const same = only((await analyzeIn(twoApims, `${APIM_A}/repository/conf/carbon.xml`, { portOffset: 3 })).findings, 'port-conflict');
  assert.equal(same.length, 1);
  assert.match(same[0].message, /offset 3 from the portOffset setting/);
  assert.deepEqual((same[0].finding.data as { ports: { port: number }[] }).ports.map((p) => p.port), [8003, 8246, 8283, 9446, 9766, 10002, 10392, 10503, 11114]);
  const map = { portOffset: { 'apim-b': 3 } };
  for (const self of [APIM_A, APIM_B]) {
    assert.deepEqual(only((await analyzeIn(twoApims, `${self}/repository/conf/carbon.xml`, map)).findings, 'port-conflict'), [], self);
  }
});

test('a single shared port is named with what opens it on each side', async () => {
  // 8000 + 280 = 8280: the other home's Kerberos KDC lands on this home's PassThrough http port.
  const files = { ...home(`${APIM_A}/repository/conf`, 'A', '0', 'passthru'), ...home(`${APIM_B}/repository/conf`, 'B', '280', 'passthru') };
  const found = only((await analyzeIn(files, `${APIM_A}/repository/conf/carbon.xml`)).findings, 'port-conflict');
  assert.equal(found.length, 1);
  assert.match(found[0].message, /same port: 8280 \(http transport receiver in axis2\/axis2\.xml here, embedded Kerberos KDC in carbon\.xml there\)/);
  assert.match(found[0].message, /offset 280 from carbon\.xml/);
  const fromB = only((await analyzeIn(files, `${APIM_B}/repository/conf/carbon.xml`)).findings, 'port-conflict');
  assert.deepEqual(fromB.map((f) => [f.covered, (f.finding.data as { lowestFreeOffset: number }).lowestFreeOffset]), [['280', 1]]);
});

test('lowestFreeOffset skips offsets that collide with any other home', async () => {
  const files = {
    ...home('/ws/a/repository/conf', 'A', '0', 'passthru'),
    ...home('/ws/b/repository/conf', 'B', '0', 'passthru'),
    ...home('/ws/c/repository/conf', 'C', '1', 'passthru'),
  };
  const found = only((await analyzeIn(files, '/ws/a/repository/conf/carbon.xml')).findings, 'port-conflict');
  // Only b collides at offset 0; c at offset 1 takes 10000, 11112, … which a does not use.
  assert.deepEqual(found.map((f) => (f.finding.data as { otherHome: string }).otherHome), ['/ws/b']);
  assert.equal((found[0].finding.data as { lowestFreeOffset: number }).lowestFreeOffset, 2);
  assert.match(found[0].message, /Offset 2 is the lowest/);
});

test('no conflict finding when either offset is unknown', async () => {
  const files = { ...home(`${APIM_A}/repository/conf`, 'A', '0', 'passthru'), ...home(`${APIM_B}/repository/conf`, 'B', 'abc', 'passthru') };
  assert.deepEqual(only((await analyzeIn(files, `${APIM_A}/repository/conf/carbon.xml`)).findings, 'port-conflict'), []);
  assert.deepEqual(only((await analyzeIn(files, `${APIM_B}/repository/conf/carbon.xml`)).findings, 'port-conflict'), []);
});

test('without an Offset element the warning sits on <Ports>', async () => {
  const files = { ...home(`${APIM_A}/repository/conf`, 'A', undefined, 'passthru'), ...home(`${APIM_B}/repository/conf`, 'B', '0', 'passthru') };
  const found = only((await analyzeIn(files, `${APIM_A}/repository/conf/carbon.xml`)).findings, 'port-conflict');
  assert.deepEqual(found.map((f) => [f.line, f.covered]), [[4, 'Ports']]);
  assert.match(found[0].message, /This home \(offset 0\)/);
});

test('a lone home has nothing to collide with', async () => {
  const files = home(`${APIM_A}/repository/conf`, 'A', '0', 'passthru');
  assert.deepEqual(only((await analyzeIn(files, `${APIM_A}/repository/conf/carbon.xml`)).findings, 'port-conflict'), []);
});

test('a workspace of many copies names the first ten homes and counts the rest in one finding', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 13; i++) Object.assign(files, home(`/ws/copy-${String(i).padStart(2, '0')}/repository/conf`, 'WSO2 API Manager', '0', 'passthru'));
  const found = only((await analyzeIn(files, '/ws/copy-00/repository/conf/carbon.xml')).findings, 'port-conflict');
  assert.equal(found.length, 11);
  assert.equal(found.filter((f) => /^This home/.test(f.message)).length, 10);
  assert.match(found[10].message, /^2 more product homes of the workspace open ports this home opens too/);
  assert.deepEqual(found[10].finding.data, { moreHomes: 2, lowestFreeOffset: 1 }, "every other copy sits at offset 0, so 1 clears them all");
});
