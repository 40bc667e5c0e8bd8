import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeIn, only } from '../../helpers';

// APIM-like files (kernel carbon.xml Ports block, product catalina-server.xml and PassThrough axis2.xml, as wso2/carbon-kernel v4.4.35 and wso2/product-apim v2.6.0 ship them).

interface CarbonPorts {
  rmiRegistry?: string;
  rmiServer?: string;
}

function carbonXml(offset: string | undefined, ports: CarbonPorts = {}): string {
  return [
    '<?xml version="1.0" encoding="ISO-8859-1"?>',
    '<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">',
    '    <Name>WSO2 API Manager</Name>',
    '    <Ports>',
    '        <!-- Ports offset -->',
    offset === undefined ? '        <!-- no offset -->' : `        <Offset>${offset}</Offset>`,
    '        <JMX>',
    `            <RMIRegistryPort>${ports.rmiRegistry ?? '9999'}</RMIRegistryPort>`,
    `            <RMIServerPort>${ports.rmiServer ?? '11111'}</RMIServerPort>`,
    '        </JMX>',
    '        <EmbeddedLDAP>',
    '            <LDAPServerPort>10389</LDAPServerPort>',
    '            <KDCServerPort>8000</KDCServerPort>',
    '        </EmbeddedLDAP>',
    '        <!--<JNDIProviderPort>2199</JNDIProviderPort>-->',
    '        <ThriftEntitlementReceivePort>10500</ThriftEntitlementReceivePort>',
    '    </Ports>',
    '</Server>',
    '',
  ].join('\n');
}

function catalinaXml(http = '9763', https = '9443', redirect = '9443'): string {
  return [
    '<Server port="8005" shutdown="SHUTDOWN">',
    '    <Service className="org.wso2.carbon.tomcat.ext.service.ExtendedStandardService" name="Catalina">',
    '        <Connector protocol="org.apache.coyote.http11.Http11NioProtocol"',
    `                   port="${http}"`,
    `                   redirectPort="${redirect}"/>`,
    '        <Connector protocol="org.apache.coyote.http11.Http11NioProtocol"',
    `                   port="${https}"`,
    '                   SSLEnabled="true" scheme="https" secure="true"/>',
    '    </Service>',
    '</Server>',
    '',
  ].join('\n');
}

function axis2Xml(http = '8280', https = '8243'): string {
  return [
    '<axisconfig name="AxisJava2.0">',
    '    <transportReceiver name="http" class="org.apache.synapse.transport.passthru.PassThroughHttpListener">',
    `        <parameter name="port" locked="false">${http}</parameter>`,
    '    </transportReceiver>',
    '    <transportReceiver name="https" class="org.apache.synapse.transport.passthru.PassThroughHttpSSLListener">',
    `        <parameter name="port" locked="false">${https}</parameter>`,
    '    </transportReceiver>',
    '</axisconfig>',
    '',
  ].join('\n');
}

const HOME = '/ws/apim';
const CARBON = `${HOME}/repository/conf/carbon.xml`;
const CATALINA = `${HOME}/repository/conf/tomcat/catalina-server.xml`;
const AXIS2 = `${HOME}/repository/conf/axis2/axis2.xml`;

function apim(offset: string | undefined, overrides: Record<string, string> = {}): Record<string, string> {
  return { [CARBON]: carbonXml(offset), [CATALINA]: catalinaXml(), [AXIS2]: axis2Xml(), ...overrides };
}

test('offset 0 on a default APIM home: nothing to report in any file', async () => {
  const files = apim('0');
  for (const target of [CARBON, CATALINA, AXIS2]) {
    const { findings } = await analyzeIn(files, target);
    assert.deepEqual(only(findings, 'port-offset'), [], target);
  }
});

test('an Offset Integer.parseInt rejects is an error on its text', async () => {
  for (const raw of ['abc', '3.5', '0x10', '99999999999']) {
    const { findings } = await analyzeIn(apim(raw), CARBON);
    const found = only(findings, 'port-offset');
    assert.equal(found.length, 1, raw);
    assert.equal(found[0].line, 6);
    assert.equal(found[0].covered, raw);
    assert.equal(found[0].severity, 'error');
    assert.match(found[0].message, /not an integer/);
    assert.match(found[0].message, /will not start/);
  }
});

test('an empty Offset is an error too, and whitespace or a plus sign around an integer is fine', async () => {
  const empty = only((await analyzeIn(apim(''), CARBON)).findings, 'port-offset');
  assert.equal(empty.length, 1);
  assert.equal(empty[0].line, 6);
  assert.match(empty[0].message, /is empty/);
  for (const raw of [' 2 ', '+2', '\n            2\n        ']) {
    assert.deepEqual(only((await analyzeIn(apim(raw), CARBON)).findings, 'port-offset'), [], JSON.stringify(raw));
  }
});

test('a negative offset is an error', async () => {
  const { findings } = await analyzeIn(apim('-1'), CARBON);
  const found = only(findings, 'port-offset');
  assert.deepEqual(found.map((f) => [f.line, f.covered, f.severity]), [[6, '-1', 'error']]);
  assert.match(found[0].message, /negative/);
});

test('an offset pushing ports beyond 65535: one error on the Offset listing them; no double report in carbon.xml', async () => {
  const { findings } = await analyzeIn(apim('56000'), CARBON);
  const found = only(findings, 'port-offset');
  assert.deepEqual(found.map((f) => [f.line, f.covered, f.severity]), [[6, '56000', 'error']]);
  const message = found[0].message;
  assert.match(message, /offset 56000 from carbon\.xml/);
  assert.match(message, /JMX RMI registry in carbon\.xml: 9999 → 65999/);
  assert.match(message, /JMX RMI server in carbon\.xml: 11111 → 67111/);
  assert.match(message, /embedded LDAP server in carbon\.xml: 10389 → 66389/);
  assert.match(message, /Thrift entitlement receiver in carbon\.xml: 10500 → 66500/);
  assert.match(message, /Tomcat connector \(http\) in tomcat\/catalina-server\.xml: 9763 → 65763/);
  // 8000 → 64000, 9443 → 65443, 8280 → 64280 and 8243 → 64243 still fit; redirectPort and 8005 take no offset.
  assert.doesNotMatch(message, /8000 →|9443 →|8280 →|8243 →|8005/);
  const ports = (found[0].finding.data as { ports: { label: string; configured: number; effective: number }[] }).ports;
  assert.equal(ports.length, 5);
  assert.deepEqual(ports.find((p) => p.label === 'Tomcat connector (http)'), { label: 'Tomcat connector (http)', file: CATALINA, configured: 9763, effective: 65763 });
});

test('in catalina-server.xml and axis2.xml the ports pushed beyond 65535 are errors on the numbers', async () => {
  const catalina = only((await analyzeIn(apim('57300'), CATALINA)).findings, 'port-offset');
  // 9763 → 67063 and 9443 → 66743; redirectPort 9443 and the shutdown port 8005 take no offset.
  assert.deepEqual(
    catalina.map((f) => [f.line, f.covered, f.severity]),
    [
      [4, '9763', 'error'],
      [7, '9443', 'error'],
    ],
  );
  assert.match(catalina[0].message, /becomes 67063 \(9763 \+ offset 57300 from carbon\.xml\)/);
  const axis2 = only((await analyzeIn(apim('57300'), AXIS2)).findings, 'port-offset');
  // 8280 → 65580 is out, 8243 → 65543 is out as well.
  assert.deepEqual(
    axis2.map((f) => [f.line, f.covered]),
    [
      [3, '8280'],
      [6, '8243'],
    ],
  );
  const fits = only((await analyzeIn(apim('57000'), AXIS2)).findings, 'port-offset');
  assert.deepEqual(fits, []);
});

test('a port that is itself beyond 65535 is an error on the number, whatever the offset', async () => {
  const files = apim('0', { [CATALINA]: catalinaXml('70000', '9443', '80000'), [CARBON]: carbonXml('0', { rmiServer: '65536' }) });
  const catalina = only((await analyzeIn(files, CATALINA)).findings, 'port-offset');
  assert.deepEqual(
    catalina.map((f) => [f.line, f.covered, f.severity]),
    [
      [4, '70000', 'error'],
      [5, '80000', 'error'],
    ],
  );
  assert.match(catalina[0].message, /Tomcat connector \(http\) port 70000 is beyond 65535/);
  const carbon = only((await analyzeIn(files, CARBON)).findings, 'port-offset');
  assert.deepEqual(carbon.map((f) => [f.line, f.covered]), [[9, '65536']]);
});

test('listening ports below 1024 are warnings; redirect targets are not listening ports', async () => {
  const files = apim('0', { [CATALINA]: catalinaXml('80', '443', '443'), [AXIS2]: axis2Xml('280', '8243'), [CARBON]: carbonXml('0', { rmiRegistry: '999' }) });
  const catalina = only((await analyzeIn(files, CATALINA)).findings, 'port-offset');
  assert.deepEqual(
    catalina.map((f) => [f.line, f.covered, f.severity]),
    [
      [4, '80', 'warning'],
      [7, '443', 'warning'],
    ],
  );
  assert.match(catalina[0].message, /privileged/);
  assert.match(catalina[0].message, /root or with CAP_NET_BIND_SERVICE/);
  const axis2 = only((await analyzeIn(files, AXIS2)).findings, 'port-offset');
  assert.deepEqual(axis2.map((f) => [f.line, f.covered, f.severity]), [[3, '280', 'warning']]);
  const carbon = only((await analyzeIn(files, CARBON)).findings, 'port-offset');
  assert.deepEqual(carbon.map((f) => [f.line, f.covered, f.severity]), [[8, '999', 'warning']]);
});

test('an offset that lifts a low port to 1024 or more removes the privileged warning', async () => {
  const files = apim('1000', { [CATALINA]: catalinaXml('80', '443', '443') });
  assert.deepEqual(only((await analyzeIn(files, CATALINA)).findings, 'port-offset'), []);
  const notEnough = apim('900', { [CATALINA]: catalinaXml('80', '9443', '443') });
  const found = only((await analyzeIn(notEnough, CATALINA)).findings, 'port-offset');
  assert.deepEqual(found.map((f) => [f.line, f.covered]), [[4, '80']]);
  assert.match(found[0].message, /listens on port 980 \(80 \+ offset 900 from carbon\.xml\)/);
});

test('${…} placeholders in ports are not judged', async () => {
  const files = apim('0', { [CATALINA]: catalinaXml('${http.nio.port}', '9443'), [CARBON]: carbonXml('0', { rmiServer: '${jmx.rmi.port}' }) });
  assert.deepEqual(only((await analyzeIn(files, CATALINA)).findings, 'port-offset'), []);
  assert.deepEqual(only((await analyzeIn(files, CARBON)).findings, 'port-offset'), []);
});

test('-DportOffset (a number for every home) overrides <Offset>, and carbon.xml’s own text is still checked', async () => {
  // The setting is what the server runs with: 3 is harmless, but "abc" in carbon.xml still breaks a plain start.
  const bad = only((await analyzeIn(apim('abc'), CARBON, { portOffset: 3 })).findings, 'port-offset');
  assert.equal(bad.length, 1);
  assert.equal(bad[0].covered, 'abc');
  assert.match(bad[0].message, /not an integer/);
  // The hover's override sentence (ports/offset.ts settingOverridesOffset), about this <Offset>.
  assert.match(bad[0].message, /portOffset setting \(-DportOffset=3\) overrides this `<Offset>`, which applies only when the server starts without -DportOffset\./);

  // A harmless carbon.xml offset, but the setting pushes ports out.
  const pushed = only((await analyzeIn(apim('0'), CARBON, { portOffset: 56000 })).findings, 'port-offset');
  assert.deepEqual(pushed.map((f) => [f.line, f.covered]), [[6, '0']]);
  assert.match(pushed[0].message, /offset 56000 from the portOffset setting \(-DportOffset\)/);
  const catalina = only((await analyzeIn(apim('0'), CATALINA, { portOffset: 57300 })).findings, 'port-offset');
  assert.deepEqual(catalina.map((f) => f.covered), ['9763', '9443']);
  assert.match(catalina[0].message, /offset 57300 from the portOffset setting/);

  // And the other way round: a carbon.xml offset that would overflow is not what runs.
  assert.deepEqual(only((await analyzeIn(apim('56000'), CARBON, { portOffset: 3 })).findings, 'port-offset'), []);
  assert.deepEqual(only((await analyzeIn(apim('57300'), CATALINA, { portOffset: 3 })).findings, 'port-offset'), []);
});

test('-DportOffset as a per-home map applies to the named home only', async () => {
  const other = '/ws/other/repository/conf';
  const files = { ...apim('0'), [`${other}/carbon.xml`]: carbonXml('0'), [`${other}/tomcat/catalina-server.xml`]: catalinaXml() };
  const settings = { portOffset: { apim: 57300 } };
  assert.deepEqual(only((await analyzeIn(files, CATALINA, settings)).findings, 'port-offset').map((f) => f.covered), ['9763', '9443']);
  assert.deepEqual(only((await analyzeIn(files, `${other}/tomcat/catalina-server.xml`, settings)).findings, 'port-offset'), []);
  const carbon = only((await analyzeIn(files, CARBON, settings)).findings, 'port-offset');
  assert.equal(carbon.length, 1);
  assert.match(carbon[0].message, /offset 57300 from the portOffset setting/);
});

test('a negative -DportOffset is an error on the Offset, or on <Ports> when carbon.xml has no Offset', async () => {
  const withOffset = only((await analyzeIn(apim('0'), CARBON, { portOffset: -5 })).findings, 'port-offset');
  assert.deepEqual(withOffset.map((f) => [f.line, f.covered, f.severity]), [[6, '0', 'error']]);
  assert.match(withOffset[0].message, /-5 comes from the portOffset setting/);
  const withoutOffset = only((await analyzeIn(apim(undefined), CARBON, { portOffset: -5 })).findings, 'port-offset');
  assert.deepEqual(withoutOffset.map((f) => [f.line, f.covered]), [[4, 'Ports']]);
});

test('files outside any product home: carbon.xml uses its own Offset, other files offset 0', async () => {
  const loose = '/downloads/carbon.xml';
  const found = only((await analyzeIn({ [loose]: carbonXml('56000') }, loose)).findings, 'port-offset');
  assert.deepEqual(found.map((f) => [f.line, f.covered]), [[6, '56000']]);
  assert.match(found[0].message, /JMX RMI registry in carbon\.xml: 9999 → 65999/);
  const looseCatalina = '/downloads/tomcat/catalina-server.xml';
  const catalina = only((await analyzeIn({ [looseCatalina]: catalinaXml('80', '70000') }, looseCatalina)).findings, 'port-offset');
  assert.deepEqual(
    catalina.map((f) => [f.covered, f.severity]),
    [
      ['80', 'warning'],
      ['70000', 'error'],
    ],
  );
});

test('severity settings override the rule’s severities', async () => {
  const found = only((await analyzeIn(apim('abc'), CARBON, { rules: { 'port-offset': 'warning' } })).findings, 'port-offset');
  assert.deepEqual(found.map((f) => f.severity), ['warning']);
});
