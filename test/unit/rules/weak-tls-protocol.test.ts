import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PartialSettings } from '../../../server/src/service/settings';
import { TestFinding, analyzeText, corpusDir, only } from '../../helpers';

const RULE = 'weak-tls-protocol';

/** What the rules tell the fix about a home whose product is unknown (a test home has no carbon.xml). */
const UNKNOWN_PRODUCT_DATA = { jdks: ['7', '8'], product: 'this Carbon product (product and version unknown)', productKnown: false };

/** A catalina-server.xml whose `body` starts on line 4. */
function catalina(body: string): string {
  return `<?xml version='1.0' encoding='utf-8'?>\n<Server port="8005" shutdown="SHUTDOWN">\n    <Service name="Catalina">\n${body}\n    </Service>\n</Server>\n`;
}

/** An axis2.xml whose `body` starts on line 3. */
function axis2(body: string): string {
  return `<?xml version="1.0" encoding="ISO-8859-1"?>\n<axisconfig name="AxisJava2.0">\n${body}\n</axisconfig>\n`;
}

async function catalinaFindings(body: string, settings: PartialSettings = {}): Promise<TestFinding[]> {
  return only((await analyzeText('tomcat/catalina-server.xml', catalina(body), settings)).findings, RULE);
}

async function axis2Findings(body: string, settings: PartialSettings = {}): Promise<TestFinding[]> {
  return only((await analyzeText('axis2/axis2.xml', axis2(body), settings)).findings, RULE);
}

/** [line, covered text, severity] of each finding, for exact comparisons. */
function summary(findings: TestFinding[]): [number, string, string][] {
  return findings.map((f) => [f.line, f.covered, f.severity]);
}

function sslConnector(protocolsAttribute: string, extra = ''): string {
  return `        <Connector port="9443" SSLEnabled="true" scheme="https" secure="true"\n                   ${protocolsAttribute}\n                   ciphers="TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"${extra}/>`;
}

// ---- Tomcat connectors: sslEnabledProtocols --------------------------------------------------------------------

test('intermediate (default): TLSv1 and TLSv1.1 of the shipped list are reported, each on its own token', async () => {
  const findings = await catalinaFindings(sslConnector('sslEnabledProtocols="TLSv1,TLSv1.1,TLSv1.2"'));
  assert.deepEqual(summary(findings), [
    [5, 'TLSv1', 'warning'],
    [5, 'TLSv1.1', 'warning'],
  ]);
  assert.match(findings[0].message, /^TLSv1 is enabled on this HTTPS connector: .*RFC 8996.*The intermediate TLS profile allows TLSv1\.2, TLSv1\.3\.$/);
  assert.deepEqual(findings[1].finding.data, {
    reason: 'weak-protocol',
    protocols: ['TLSv1.1'],
    settingKind: 'attribute',
    setting: 'sslEnabledProtocols',
    element: 'Connector',
    profile: 'intermediate',
    recommendedList: 'profiles.intermediate.recommendedProtocols',
    ...UNKNOWN_PRODUCT_DATA,
  });
});

test('intermediate: TLSv1.2 and TLSv1.3 alone give nothing', async () => {
  assert.deepEqual(await catalinaFindings(sslConnector('sslEnabledProtocols="TLSv1.2,TLSv1.3"')), []);
});

test('modern: TLSv1.2 is reported too; TLSv1.3 alone gives nothing', async () => {
  const findings = await catalinaFindings(sslConnector('sslEnabledProtocols="TLSv1,TLSv1.1,TLSv1.2"'), { tlsProfile: 'modern' });
  assert.deepEqual(summary(findings), [
    [5, 'TLSv1', 'warning'],
    [5, 'TLSv1.1', 'warning'],
    [5, 'TLSv1.2', 'warning'],
  ]);
  assert.match(findings[2].message, /The modern TLS profile allows TLSv1\.3\.$/);
  assert.equal(findings[2].finding.data?.recommendedList, 'profiles.modern.recommendedProtocols');
  assert.deepEqual(await catalinaFindings(sslConnector('sslEnabledProtocols="TLSv1.3"'), { tlsProfile: 'modern' }), []);
});

test('legacy: WSO2 4.4 advice (TLSv1 to TLSv1.2) is accepted, SSLv3 is not', async () => {
  assert.deepEqual(await catalinaFindings(sslConnector('sslEnabledProtocols="TLSv1,TLSv1.1,TLSv1.2"'), { tlsProfile: 'legacy' }), []);
  const findings = await catalinaFindings(sslConnector('sslEnabledProtocols="SSLv3,TLSv1,TLSv1.1,TLSv1.2"'), { tlsProfile: 'legacy' });
  assert.deepEqual(summary(findings), [[5, 'SSLv3', 'error']]);
  assert.match(findings[0].message, /POODLE/);
  assert.match(findings[0].message, /The legacy TLS profile allows TLSv1, TLSv1\.1, TLSv1\.2, TLSv1\.3\.$/);
});

test('SSLv2 and SSLv3 are errors, SSLv2Hello a warning; blanks separate tokens too', async () => {
  const findings = await catalinaFindings(sslConnector('sslEnabledProtocols="SSLv2, SSLv2Hello SSLv3,TLSv1.2"'));
  assert.deepEqual(summary(findings), [
    [5, 'SSLv2', 'error'],
    [5, 'SSLv2Hello', 'warning'],
    [5, 'SSLv3', 'error'],
  ]);
  assert.match(findings[0].message, /DROWN/);
});

test('the attribute name is matched case-insensitively, as Tomcat does', async () => {
  const findings = await catalinaFindings(sslConnector('SSLEnabledProtocols="TLSv1.2,tlsv1.1"'));
  assert.deepEqual(summary(findings), [[5, 'tlsv1.1', 'warning']]);
  assert.equal(findings[0].finding.data?.setting, 'SSLEnabledProtocols');
});

test('a list spread over several lines: each token on its own line', async () => {
  const findings = await catalinaFindings(sslConnector('sslEnabledProtocols="TLSv1.2,\n                       TLSv1,\n                       TLSv1.1"'));
  assert.deepEqual(summary(findings), [
    [6, 'TLSv1', 'warning'],
    [7, 'TLSv1.1', 'warning'],
  ]);
});

test('unknown protocol names are ignored, not reported', async () => {
  assert.deepEqual(await catalinaFindings(sslConnector('sslEnabledProtocols="TLSv1.2,TLSv1.0,TLS,foo"')), []);
});

// ---- no list at all ---------------------------------------------------------------------------------------------

test('no sslEnabledProtocols: one finding on the SSLEnabled value explaining the JVM default and sslProtocol', async () => {
  const findings = await catalinaFindings(`        <Connector port="9443"\n                   sslProtocol="TLS"\n                   SSLEnabled="true"\n                   scheme="https"/>`);
  assert.deepEqual(summary(findings), [[6, 'true', 'warning']]);
  const message = findings[0].message;
  assert.match(message, /^No sslEnabledProtocols on this HTTPS connector, so the enabled protocols are left to the JVM default: /);
  assert.match(message, /JDK 8, whose defaults before 8u291 include TLSv1 and TLSv1\.1/);
  assert.match(message, /sslProtocol="TLS" only selects the SSLContext and, per WSO2's guide, enables all TLS and SSL versions/);
  assert.match(message, /The intermediate TLS profile recommends TLSv1\.2,TLSv1\.3\.$/);
  assert.deepEqual(findings[0].finding.data, {
    reason: 'missing',
    settingKind: 'attribute',
    setting: 'sslEnabledProtocols',
    element: 'Connector',
    profile: 'intermediate',
    recommendedList: 'profiles.intermediate.recommendedProtocols',
    ...UNKNOWN_PRODUCT_DATA,
  });
});

test('no sslEnabledProtocols and no sslProtocol: the message does not mention sslProtocol', async () => {
  const findings = await catalinaFindings(`        <Connector port="9443" SSLEnabled="true"/>`);
  assert.deepEqual(summary(findings), [[4, 'true', 'warning']]);
  assert.doesNotMatch(findings[0].message, /sslProtocol/);
});

test('no sslEnabledProtocols on a scheme="https" connector without SSLEnabled: the finding covers the scheme value', async () => {
  const findings = await catalinaFindings(`        <Connector port="8443" proxyPort="443"\n                   scheme="https" secure="true"/>`);
  assert.deepEqual(summary(findings), [[5, 'https', 'warning']]);
});

test('an empty or blank sslEnabledProtocols counts as missing and covers the attribute name', async () => {
  for (const value of ['', '   ']) {
    const findings = await catalinaFindings(sslConnector(`sslEnabledProtocols="${value}"`));
    assert.deepEqual(summary(findings), [[5, 'sslEnabledProtocols', 'warning']], `value ${JSON.stringify(value)}`);
    assert.match(findings[0].message, /^sslEnabledProtocols is empty on this HTTPS connector/);
    assert.equal(findings[0].finding.data?.reason, 'empty');
  }
});

test('a list of separators only counts as empty', async () => {
  const findings = await catalinaFindings(sslConnector('sslEnabledProtocols=", ,+"'));
  assert.deepEqual(summary(findings), [[5, 'sslEnabledProtocols', 'warning']]);
});

test('a list written with character references is judged on its decoded text and covers the whole value', async () => {
  const findings = await catalinaFindings(sslConnector('sslEnabledProtocols="TLSv1.2&#44;TLSv1"'));
  assert.deepEqual(summary(findings), [[5, 'TLSv1.2&#44;TLSv1', 'warning']]);
  assert.deepEqual(findings[0].finding.data?.protocols, ['TLSv1']);
});

test('modern profile: the missing-list finding recommends TLSv1.3', async () => {
  const findings = await catalinaFindings(`        <Connector port="9443" SSLEnabled="true"/>`, { tlsProfile: 'modern' });
  assert.match(findings[0].message, /The modern TLS profile recommends TLSv1\.3\.$/);
  assert.equal(findings[0].finding.data?.recommendedList, 'profiles.modern.recommendedProtocols');
});

// ---- connectors that are not analysed ------------------------------------------------------------------------------

test('a non-SSL connector gives nothing, even with weak protocols written on it', async () => {
  assert.deepEqual(await catalinaFindings(`        <Connector port="9763" redirectPort="9443" sslEnabledProtocols="SSLv3,TLSv1"/>`), []);
  assert.deepEqual(await catalinaFindings(`        <Connector port="9763" SSLEnabled="false" scheme="http"/>`), []);
});

test('a commented-out SSL connector gives nothing', async () => {
  const body = `        <!--\n        <Connector port="9443" SSLEnabled="true" sslEnabledProtocols="SSLv3,TLSv1"/>\n        <Connector port="9444" SSLEnabled="true"/>\n        -->`;
  assert.deepEqual(await catalinaFindings(body), []);
});

// ---- Tomcat 8.5 syntax and SSLHostConfig ---------------------------------------------------------------------------

function hostConfigConnector(hostConfigs: string, connectorAttributes = ''): string {
  return `        <Connector port="9443" SSLEnabled="true"${connectorAttributes}>\n${hostConfigs}\n        </Connector>`;
}

test('SSLHostConfig protocols with + prefixes: the weak tokens are covered sign included', async () => {
  const findings = await catalinaFindings(hostConfigConnector(`            <SSLHostConfig protocols="+TLSv1,+TLSv1.1,+TLSv1.2" ciphers="HIGH"/>`));
  assert.deepEqual(summary(findings), [
    [5, '+TLSv1', 'warning'],
    [5, '+TLSv1.1', 'warning'],
  ]);
  assert.equal(findings[0].finding.data?.setting, 'protocols');
  assert.equal(findings[0].finding.data?.element, 'SSLHostConfig');
});

test('a - token disables: +TLSv1 then -TLSv1 leaves nothing to report, -TLSv1 alone is fine', async () => {
  assert.deepEqual(await catalinaFindings(hostConfigConnector(`            <SSLHostConfig protocols="+TLSv1,+TLSv1.2,-TLSv1" ciphers="HIGH"/>`)), []);
  assert.deepEqual(await catalinaFindings(hostConfigConnector(`            <SSLHostConfig protocols="TLSv1.2,-TLSv1,-SSLv3" ciphers="HIGH"/>`)), []);
});

test('signs without commas (TLSv1.2+TLSv1.3, all-TLSv1-TLSv1.1-SSLv2Hello) are split as Tomcat does', async () => {
  assert.deepEqual(await catalinaFindings(hostConfigConnector(`            <SSLHostConfig protocols="TLSv1.2+TLSv1.3" ciphers="HIGH"/>`)), []);
  assert.deepEqual(await catalinaFindings(hostConfigConnector(`            <SSLHostConfig protocols="all-TLSv1-TLSv1.1-SSLv2Hello" ciphers="HIGH"/>`)), []);
  const findings = await catalinaFindings(hostConfigConnector(`            <SSLHostConfig protocols="TLSv1.2+TLSv1.1" ciphers="HIGH"/>`));
  assert.deepEqual(summary(findings), [[5, '+TLSv1.1', 'warning']]);
});

test('all enables everything: one finding on the all token naming what is still enabled', async () => {
  const findings = await catalinaFindings(hostConfigConnector(`            <SSLHostConfig protocols="all,-TLSv1" ciphers="HIGH"/>`));
  assert.deepEqual(summary(findings), [[5, 'all', 'warning']]);
  assert.match(findings[0].message, /^"all" enables SSLv2Hello, TLSv1\.1 on this SSLHostConfig: /);
  assert.deepEqual(findings[0].finding.data?.protocols, ['SSLv2Hello', 'TLSv1.1']);

  const modern = await catalinaFindings(hostConfigConnector(`            <SSLHostConfig protocols="+ALL" ciphers="HIGH"/>`), { tlsProfile: 'modern' });
  assert.deepEqual(summary(modern), [[5, '+ALL', 'warning']]);
  assert.deepEqual(modern[0].finding.data?.protocols, ['SSLv2Hello', 'TLSv1', 'TLSv1.1', 'TLSv1.2']);
});

test('a protocol re-enabled after all is reported on the later token, not on all', async () => {
  const findings = await catalinaFindings(hostConfigConnector(`            <SSLHostConfig protocols="all,-TLSv1,-TLSv1.1,-SSLv2Hello,+TLSv1" ciphers="HIGH"/>`));
  assert.deepEqual(summary(findings), [[5, '+TLSv1', 'warning']]);
});

test('a sign separated from its name by a blank still belongs to it', async () => {
  const findings = await catalinaFindings(hostConfigConnector(`            <SSLHostConfig protocols="+TLSv1.2, + TLSv1.1, - TLSv1.2" ciphers="HIGH"/>`));
  assert.deepEqual(summary(findings), [[5, '+ TLSv1.1', 'warning']]);
});

test('SSLHostConfig without protocols: finding on its hostName, or its name when there is none', async () => {
  const named = await catalinaFindings(hostConfigConnector(`            <SSLHostConfig hostName="api.example.com" ciphers="HIGH"/>`));
  assert.deepEqual(summary(named), [[5, 'api.example.com', 'warning']]);
  assert.match(named[0].message, /^No protocols on the SSLHostConfig of api\.example\.com, so the enabled protocols are left to the Tomcat and JVM defaults: .*Tomcat 8\.5's default for protocols is 'all'/);
  assert.equal(named[0].finding.data?.setting, 'protocols');
  assert.equal(named[0].finding.data?.element, 'SSLHostConfig');

  const unnamed = await catalinaFindings(hostConfigConnector(`            <SSLHostConfig ciphers="HIGH">\n                <Certificate certificateKeystoreFile="x.jks"/>\n            </SSLHostConfig>`));
  assert.deepEqual(summary(unnamed), [[5, 'SSLHostConfig', 'warning']]);
});

test('SSLHostConfig inherits the connector list: checked once where written, no missing finding', async () => {
  const hostConfigs = `            <SSLHostConfig hostName="a.example.com"/>\n            <SSLHostConfig hostName="b.example.com"/>`;
  const findings = await catalinaFindings(hostConfigConnector(hostConfigs, ' sslEnabledProtocols="TLSv1,TLSv1.2"'));
  assert.deepEqual(summary(findings), [[4, 'TLSv1', 'warning']]);
  assert.match(findings[0].message, /on this HTTPS connector/);
  assert.equal(findings[0].finding.data?.element, 'Connector');
  assert.deepEqual(await catalinaFindings(hostConfigConnector(hostConfigs, ' sslEnabledProtocols="TLSv1.2"')), []);
});

// ---- axis2.xml PassThrough / NHTTP transports -----------------------------------------------------------------------

function transport(element: 'transportReceiver' | 'transportSender', className: string, parameters: string): string {
  return `    <${element} name="https" class="${className}">\n        <parameter name="non-blocking" locked="false">true</parameter>\n${parameters}\n    </${element}>`;
}
const PASSTHRU_LISTENER = 'org.apache.synapse.transport.passthru.PassThroughHttpSSLListener';
const PASSTHRU_SENDER = 'org.apache.synapse.transport.passthru.PassThroughHttpSSLSender';
const CIPHERS = '        <parameter name="PreferredCiphers">TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256</parameter>';

test('axis2 receiver and sender HttpsProtocols: weak tokens reported in each', async () => {
  const protocols = '        <parameter name="HttpsProtocols">TLSv1,TLSv1.1,TLSv1.2</parameter>';
  const body = `${transport('transportReceiver', PASSTHRU_LISTENER, `${protocols}\n${CIPHERS}`)}\n${transport('transportSender', PASSTHRU_SENDER, `${protocols}\n${CIPHERS}`)}`;
  const findings = await axis2Findings(body);
  assert.deepEqual(summary(findings), [
    [5, 'TLSv1', 'warning'],
    [5, 'TLSv1.1', 'warning'],
    [10, 'TLSv1', 'warning'],
    [10, 'TLSv1.1', 'warning'],
  ]);
  assert.match(findings[0].message, /^TLSv1 is enabled on the https transport receiver: /);
  assert.match(findings[2].message, /^TLSv1 is enabled on the https transport sender: /);
  assert.deepEqual(findings[2].finding.data, {
    reason: 'weak-protocol',
    protocols: ['TLSv1'],
    settingKind: 'parameter',
    setting: 'HttpsProtocols',
    element: 'transportSender',
    profile: 'intermediate',
    recommendedList: 'profiles.intermediate.recommendedProtocols',
    ...UNKNOWN_PRODUCT_DATA,
  });
});

test('axis2 HttpsProtocols TLSv1.2 only: nothing under intermediate, TLSv1.2 under modern', async () => {
  const body = transport('transportReceiver', PASSTHRU_LISTENER, `        <parameter name="HttpsProtocols">TLSv1.2</parameter>\n${CIPHERS}`);
  assert.deepEqual(await axis2Findings(body), []);
  assert.deepEqual(summary(await axis2Findings(body, { tlsProfile: 'modern' })), [[5, 'TLSv1.2', 'warning']]);
});

test('axis2 without HttpsProtocols: one finding on the transport name, receiver and sender alike', async () => {
  const body = `${transport('transportReceiver', 'org.apache.synapse.transport.nhttp.HttpCoreNIOSSLListener', CIPHERS)}\n${transport('transportSender', 'org.apache.synapse.transport.nhttp.HttpCoreNIOSSLSender', CIPHERS)}`;
  const findings = await axis2Findings(body);
  assert.deepEqual(summary(findings), [
    [3, 'https', 'warning'],
    [7, 'https', 'warning'],
  ]);
  assert.match(findings[0].message, /^No HttpsProtocols on the https transport receiver, so the enabled protocols are left to the JVM default: .*8u291/);
  assert.deepEqual(findings[1].finding.data, {
    reason: 'missing',
    settingKind: 'parameter',
    setting: 'HttpsProtocols',
    element: 'transportSender',
    profile: 'intermediate',
    recommendedList: 'profiles.intermediate.recommendedProtocols',
    ...UNKNOWN_PRODUCT_DATA,
  });
});

test('axis2 empty HttpsProtocols covers the parameter name', async () => {
  const findings = await axis2Findings(transport('transportReceiver', PASSTHRU_LISTENER, `        <parameter name="HttpsProtocols">  </parameter>\n${CIPHERS}`));
  assert.deepEqual(summary(findings), [[5, 'HttpsProtocols', 'warning']]);
  assert.equal(findings[0].finding.data?.reason, 'empty');
});

test('axis2: "all" is not Tomcat syntax there and is not expanded', async () => {
  assert.deepEqual(await axis2Findings(transport('transportReceiver', PASSTHRU_LISTENER, `        <parameter name="HttpsProtocols">all,TLSv1.2</parameter>\n${CIPHERS}`)), []);
});

test('axis2: plain HTTP, local and servlet HTTPS transports, and commented SSL ones, give nothing', async () => {
  const body = [
    `    <transportReceiver name="http" class="org.apache.synapse.transport.passthru.PassThroughHttpListener"/>`,
    `    <transportReceiver name="https" class="org.wso2.carbon.core.transports.http.HttpsTransportListener">`,
    `        <parameter name="port">9443</parameter>`,
    `    </transportReceiver>`,
    `    <transportSender name="local" class="org.wso2.carbon.core.transports.local.CarbonLocalTransportSender"/>`,
    `    <!--transportReceiver name="https" class="org.apache.synapse.transport.nhttp.HttpCoreNIOSSLListener">`,
    `        <parameter name="HttpsProtocols">SSLv3</parameter>`,
    `    </transportReceiver-->`,
  ].join('\n');
  assert.deepEqual(await axis2Findings(body), []);
});

// ---- the real corpus --------------------------------------------------------------------------------------------------

function corpusFile(relative: string): string | undefined {
  const dir = corpusDir();
  const file = dir && path.join(dir, relative);
  return file && fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}

test('corpus apim-2.6.0 catalina-server.xml: TLSv1 and TLSv1.1 of the HTTPS connector', async (t) => {
  const text = corpusFile('apim-2.6.0/repository/conf/tomcat/catalina-server.xml');
  if (!text) return t.skip('corpus not found (../shared/corpus)');
  const findings = only((await analyzeText('tomcat/catalina-server.xml', text)).findings, RULE);
  assert.deepEqual(summary(findings), [
    [57, 'TLSv1', 'warning'],
    [57, 'TLSv1.1', 'warning'],
  ]);
  const legacy = only((await analyzeText('tomcat/catalina-server.xml', text, { tlsProfile: 'legacy' })).findings, RULE);
  assert.deepEqual(legacy, []);
});

test('corpus apim-2.6.0 axis2.xml: the https receiver and sender leave protocols to the JVM', async (t) => {
  const text = corpusFile('apim-2.6.0/repository/conf/axis2/axis2.xml');
  if (!text) return t.skip('corpus not found (../shared/corpus)');
  const findings = only((await analyzeText('axis2/axis2.xml', text)).findings, RULE);
  assert.deepEqual(summary(findings), [
    [309, 'https', 'warning'],
    [534, 'https', 'warning'],
  ]);
  assert.deepEqual(
    findings.map((f) => f.finding.data?.element),
    ['transportReceiver', 'transportSender'],
  );
});
