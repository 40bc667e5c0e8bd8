import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import policy from '../../../schemas/tls-policy.json';
import { PartialSettings, TlsProfileName } from '../../../server/src/service/settings';
import { TestFinding, analyzeText, corpusDir, only } from '../../helpers';

const RULE = 'weak-tls-ciphers';

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

async function catalinaFindings(body: string, settings: PartialSettings = {}, rule = RULE): Promise<TestFinding[]> {
  return only((await analyzeText('tomcat/catalina-server.xml', catalina(body), settings)).findings, rule);
}

async function axis2Findings(body: string, settings: PartialSettings = {}, rule = RULE): Promise<TestFinding[]> {
  return only((await analyzeText('axis2/axis2.xml', axis2(body), settings)).findings, rule);
}

function summary(findings: TestFinding[]): [number, string, string][] {
  return findings.map((f) => [f.line, f.covered, f.severity]);
}

/** Covered token and the weak classes found in it. */
function classes(findings: TestFinding[]): [string, unknown][] {
  return findings.map((f) => [f.covered, f.finding.data?.classes]);
}

/** An SSL connector on line 4 whose ciphers attribute is on line 5. */
function sslConnector(ciphersAttribute: string): string {
  return `        <Connector port="9443" SSLEnabled="true" scheme="https" sslEnabledProtocols="TLSv1.2"\n                   ${ciphersAttribute}/>`;
}

// ---- missing or empty lists --------------------------------------------------------------------------------------------

test('no ciphers attribute: one finding on the SSLEnabled value quoting WSO2\'s guide', async () => {
  const findings = await catalinaFindings(`        <Connector port="9443"\n                   sslEnabledProtocols="TLSv1.2"\n                   SSLEnabled="true"/>`);
  assert.deepEqual(summary(findings), [[6, 'true', 'warning']]);
  assert.match(findings[0].message, /^No ciphers on this HTTPS connector: the JVM's default suites include weak ones \(WSO2's guide: without a cipher list "this will enable the weak ciphers"\)\. The intermediate TLS profile wants forward-secret AEAD suites/);
  assert.deepEqual(findings[0].finding.data, {
    reason: 'missing',
    settingKind: 'attribute',
    setting: 'ciphers',
    element: 'Connector',
    profile: 'intermediate',
    recommendedList: 'profiles.intermediate.recommendedCiphers',
    ...UNKNOWN_PRODUCT_DATA,
  });
});

test('no ciphers on a scheme="https" connector: covers the scheme value; the profile names its list', async () => {
  const findings = await catalinaFindings(`        <Connector port="8443" scheme="https"/>`, { tlsProfile: 'legacy' });
  assert.deepEqual(summary(findings), [[4, 'https', 'warning']]);
  assert.match(findings[0].message, /The legacy TLS profile wants no NULL, anonymous, EXPORT, RC4, DES, 3DES or MD5 suites\.$/);
  assert.equal(findings[0].finding.data?.recommendedList, 'profiles.legacy.recommendedCiphers');
});

test('an empty or blank ciphers attribute counts as missing and covers the attribute name', async () => {
  for (const value of ['', ' \n ', ' :, ']) {
    const findings = await catalinaFindings(sslConnector(`ciphers="${value}"`));
    assert.deepEqual(summary(findings), [[5, 'ciphers', 'warning']], `value ${JSON.stringify(value)}`);
    assert.match(findings[0].message, /^ciphers is empty on this HTTPS connector: /);
    assert.equal(findings[0].finding.data?.reason, 'empty');
  }
});

test('a non-SSL connector and a commented-out SSL connector give nothing', async () => {
  assert.deepEqual(await catalinaFindings(`        <Connector port="9763" redirectPort="9443" ciphers="SSL_RSA_WITH_RC4_128_MD5"/>`), []);
  assert.deepEqual(await catalinaFindings(`        <!-- <Connector port="9443" SSLEnabled="true" ciphers="SSL_RSA_WITH_RC4_128_MD5"/> -->`), []);
});

// ---- suites by profile ------------------------------------------------------------------------------------------------

const BROKEN = [
  'TLS_RSA_WITH_NULL_SHA256',
  'TLS_DH_anon_WITH_AES_128_GCM_SHA256',
  'SSL_RSA_EXPORT_WITH_RC4_40_MD5',
  'TLS_ECDHE_RSA_WITH_RC4_128_SHA',
  'SSL_DHE_RSA_WITH_DES_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA',
  'SSL_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA',
];
const CBC_OR_STATIC = ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 'TLS_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384', 'TLS_DH_RSA_WITH_AES_128_GCM_SHA256'];
const GOOD = ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV'];

test('legacy: NULL, anon, EXPORT, RC4, DES, 3DES and MD5 suites are reported; CBC and static RSA are not', async () => {
  const findings = await catalinaFindings(sslConnector(`ciphers="${[...BROKEN, ...CBC_OR_STATIC, ...GOOD].join(',')}"`), { tlsProfile: 'legacy' });
  assert.deepEqual(classes(findings), [
    ['TLS_RSA_WITH_NULL_SHA256', ['null']],
    ['TLS_DH_anon_WITH_AES_128_GCM_SHA256', ['anon']],
    ['SSL_RSA_EXPORT_WITH_RC4_40_MD5', ['export', 'rc4', 'md5']],
    ['TLS_ECDHE_RSA_WITH_RC4_128_SHA', ['rc4']],
    ['SSL_DHE_RSA_WITH_DES_CBC_SHA', ['des']],
    ['TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA', ['3des']],
    ['SSL_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA', ['export', 'des']],
  ]);
  assert.ok(findings.every((f) => f.line === 5 && f.severity === 'warning'));
  assert.match(findings[2].message, /^SSL_RSA_EXPORT_WITH_RC4_40_MD5: export-grade keys, RC4 \(broken, RFC 7465\), MD5 MAC \(on this HTTPS connector\)\. The legacy TLS profile wants /);
  assert.deepEqual(findings[0].finding.data, {
    reason: 'weak-cipher',
    classes: ['null'],
    settingKind: 'attribute',
    setting: 'ciphers',
    element: 'Connector',
    profile: 'legacy',
    recommendedList: 'profiles.legacy.recommendedCiphers',
    ...UNKNOWN_PRODUCT_DATA,
  });
});

test('intermediate: CBC and non-forward-secret suites too; TLS 1.3, ECDHE/DHE AEAD suites and the SCSV are fine', async () => {
  const findings = await catalinaFindings(sslConnector(`ciphers="${[...BROKEN, ...CBC_OR_STATIC, ...GOOD].join(',')}"`));
  assert.deepEqual(classes(findings), [
    ['TLS_RSA_WITH_NULL_SHA256', ['null', 'static-key-exchange']],
    ['TLS_DH_anon_WITH_AES_128_GCM_SHA256', ['anon']],
    ['SSL_RSA_EXPORT_WITH_RC4_40_MD5', ['export', 'rc4', 'md5', 'static-key-exchange']],
    ['TLS_ECDHE_RSA_WITH_RC4_128_SHA', ['rc4']],
    ['SSL_DHE_RSA_WITH_DES_CBC_SHA', ['des', 'cbc']],
    ['TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA', ['3des', 'cbc']],
    ['SSL_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA', ['export', 'des', 'cbc']],
    ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', ['cbc']],
    ['TLS_RSA_WITH_AES_128_GCM_SHA256', ['static-key-exchange']],
    ['TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384', ['static-key-exchange']],
    ['TLS_DH_RSA_WITH_AES_128_GCM_SHA256', ['static-key-exchange']],
  ]);
  assert.match(findings[8].message, /^TLS_RSA_WITH_AES_128_GCM_SHA256: static key exchange \(no forward secrecy\) \(on this HTTPS connector\)\. The intermediate TLS profile wants forward-secret AEAD suites/);
});

test('modern: the same suite classes as intermediate are reported', async () => {
  const findings = await catalinaFindings(sslConnector(`ciphers="${[...CBC_OR_STATIC, ...GOOD].join(',')}"`), { tlsProfile: 'modern' });
  assert.deepEqual(
    findings.map((f) => f.covered),
    CBC_OR_STATIC,
  );
  assert.match(findings[0].message, /The modern TLS profile wants the TLS 1\.3 suites\.$/);
});

test('WSO2\'s JDK 8 list: fine under legacy, its six CBC suites reported under intermediate', async () => {
  const list = policy.profiles.legacy.recommendedCiphers;
  const body = `        <Connector port="9443" SSLEnabled="true" sslEnabledProtocols="TLSv1.2"\n                   ciphers="${list.join(',\n                            ')}"/>`;
  assert.deepEqual(await catalinaFindings(body, { tlsProfile: 'legacy' }), []);
  const findings = await catalinaFindings(body);
  assert.deepEqual(summary(findings), [
    [5, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 'warning'],
    [6, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 'warning'],
    [7, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256', 'warning'],
    [8, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'warning'],
    [9, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'warning'],
    [10, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA', 'warning'],
  ]);
});

for (const profile of Object.keys(policy.profiles) as TlsProfileName[]) {
  test(`${profile}: its own recommended protocols and ciphers give no finding from either TLS rule`, async () => {
    const p = policy.profiles[profile];
    const body = `        <Connector port="9443" SSLEnabled="true" sslEnabledProtocols="${p.recommendedProtocols.join(',')}" ciphers="${p.recommendedCiphers.join(',')}"/>`;
    assert.deepEqual(await catalinaFindings(body, { tlsProfile: profile }), []);
    assert.deepEqual(await catalinaFindings(body, { tlsProfile: profile }, 'weak-tls-protocol'), []);
  });
}

// ---- separators and OpenSSL syntax -----------------------------------------------------------------------------------

test('commas, colons and blanks all separate suites; lines are exact', async () => {
  const findings = await catalinaFindings(sslConnector(`ciphers="TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:SSL_RSA_WITH_RC4_128_MD5\n                            TLS_RSA_WITH_3DES_EDE_CBC_SHA , TLS_AES_256_GCM_SHA384"`), { tlsProfile: 'legacy' });
  assert.deepEqual(summary(findings), [
    [5, 'SSL_RSA_WITH_RC4_128_MD5', 'warning'],
    [6, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'warning'],
  ]);
});

test('OpenSSL aggregate keywords and exclusions are not reported: HIGH:!aNULL:!MD5, DEFAULT, ALL, @STRENGTH', async () => {
  for (const value of ['HIGH:!aNULL:!MD5', 'DEFAULT:@STRENGTH', 'ALL:!EXPORT:!LOW', 'ECDHE+AESGCM:EDH+AESGCM', '!RC4,!TLS_RSA_WITH_NULL_SHA', 'nonsense,TLSv1.2,FOO_BAR,-']) {
    assert.deepEqual(await catalinaFindings(sslConnector(`ciphers="${value}"`)), [], value);
  }
});

test('OpenSSL class keywords used positively are reported; excluded ones are not', async () => {
  const findings = await catalinaFindings(sslConnector('ciphers="HIGH:RC4:EXPORT:aNULL:eNULL:!3DES:3DES"'), { tlsProfile: 'legacy' });
  assert.deepEqual(classes(findings), [
    ['RC4', ['rc4']],
    ['EXPORT', ['export']],
    ['aNULL', ['anon']],
    ['eNULL', ['null']],
  ]);
  assert.match(findings[0].message, /^"RC4" adds suites with RC4 \(broken, RFC 7465\) \(on this HTTPS connector\)\./);
});

test('OpenSSL suite names are classified like JSSE names', async () => {
  const value = 'ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-CHACHA20-POLY1305:AES128-SHA:DES-CBC3-SHA:EDH-RSA-DES-CBC-SHA:ADH-AES128-GCM-SHA256:EXP-RC4-MD5:ECDH-RSA-AES128-GCM-SHA256';
  assert.deepEqual(classes(await catalinaFindings(sslConnector(`ciphers="${value}"`))), [
    ['AES128-SHA', ['cbc', 'static-key-exchange']],
    ['DES-CBC3-SHA', ['3des', 'cbc', 'static-key-exchange']],
    ['EDH-RSA-DES-CBC-SHA', ['des', 'cbc']],
    ['ADH-AES128-GCM-SHA256', ['anon']],
    ['EXP-RC4-MD5', ['export', 'rc4', 'md5', 'static-key-exchange']],
    ['ECDH-RSA-AES128-GCM-SHA256', ['static-key-exchange']],
  ]);
});

test('! removes a suite wherever it stands; - removes only what came before it', async () => {
  const legacy = { tlsProfile: 'legacy' } as const;
  assert.deepEqual(await catalinaFindings(sslConnector('ciphers="SSL_RSA_WITH_RC4_128_MD5:!RC4"'), legacy), []);
  assert.deepEqual(await catalinaFindings(sslConnector('ciphers="!ssl_rsa_with_rc4_128_md5,SSL_RSA_WITH_RC4_128_MD5"'), legacy), []);
  assert.deepEqual(await catalinaFindings(sslConnector('ciphers="RC4-MD5:-RC4-MD5"'), legacy), []);
  assert.deepEqual(summary(await catalinaFindings(sslConnector('ciphers="-RC4-MD5:RC4-MD5"'), legacy)), [[5, 'RC4-MD5', 'warning']]);
  // !MD5 takes the MD5 suite out altogether, so its RC4 does not matter either.
  assert.deepEqual(await catalinaFindings(sslConnector('ciphers="SSL_RSA_WITH_RC4_128_MD5,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:!MD5"'), legacy), []);
});

// ---- SSLHostConfig --------------------------------------------------------------------------------------------------------

test('SSLHostConfig: its own ciphers are checked; without any, one finding on its hostName', async () => {
  const body = `        <Connector port="9443" SSLEnabled="true">\n            <SSLHostConfig hostName="a.example.com" protocols="TLSv1.2" ciphers="TLS_RSA_WITH_AES_128_CBC_SHA"/>\n            <SSLHostConfig hostName="b.example.com" protocols="TLSv1.2"/>\n        </Connector>`;
  const findings = await catalinaFindings(body);
  assert.deepEqual(summary(findings), [
    [5, 'TLS_RSA_WITH_AES_128_CBC_SHA', 'warning'],
    [6, 'b.example.com', 'warning'],
  ]);
  assert.match(findings[0].message, /\(on the SSLHostConfig of a\.example\.com\)/);
  assert.equal(findings[0].finding.data?.element, 'SSLHostConfig');
  assert.match(findings[1].message, /^No ciphers on the SSLHostConfig of b\.example\.com: /);
});

test('SSLHostConfig inherits the connector ciphers: checked once where written', async () => {
  const body = `        <Connector port="9443" SSLEnabled="true" ciphers="TLS_RSA_WITH_RC4_128_SHA">\n            <SSLHostConfig hostName="a.example.com" protocols="TLSv1.2"/>\n            <SSLHostConfig hostName="b.example.com" protocols="TLSv1.2"/>\n        </Connector>`;
  const findings = await catalinaFindings(body, { tlsProfile: 'legacy' });
  assert.deepEqual(summary(findings), [[4, 'TLS_RSA_WITH_RC4_128_SHA', 'warning']]);
  assert.equal(findings[0].finding.data?.element, 'Connector');
});

// ---- axis2.xml ------------------------------------------------------------------------------------------------------------

test('axis2 PreferredCiphers on receiver and sender: weak suites reported in each', async () => {
  const param = (value: string) => `        <parameter name="HttpsProtocols">TLSv1.2</parameter>\n        <parameter name="PreferredCiphers">${value}</parameter>`;
  const body = [
    `    <transportReceiver name="https" class="org.apache.synapse.transport.passthru.PassThroughHttpSSLListener">`,
    param('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_128_CBC_SHA'),
    `    </transportReceiver>`,
    `    <transportSender name="https" class="org.apache.synapse.transport.passthru.PassThroughHttpSSLSender">`,
    param('\n            SSL_RSA_WITH_3DES_EDE_CBC_SHA,\n            TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\n        '),
    `    </transportSender>`,
  ].join('\n');
  const findings = await axis2Findings(body);
  assert.deepEqual(summary(findings), [
    [5, 'TLS_RSA_WITH_AES_128_CBC_SHA', 'warning'],
    [10, 'SSL_RSA_WITH_3DES_EDE_CBC_SHA', 'warning'],
  ]);
  assert.match(findings[0].message, /\(on the https transport receiver\)/);
  assert.match(findings[1].message, /\(on the https transport sender\)/);
  assert.deepEqual(findings[1].finding.data, {
    reason: 'weak-cipher',
    classes: ['3des', 'cbc', 'static-key-exchange'],
    settingKind: 'parameter',
    setting: 'PreferredCiphers',
    element: 'transportSender',
    profile: 'intermediate',
    recommendedList: 'profiles.intermediate.recommendedCiphers',
    ...UNKNOWN_PRODUCT_DATA,
  });
});

test('axis2 without PreferredCiphers: finding on the transport name; empty: on the parameter name', async () => {
  const body = [
    `    <transportReceiver name="https" class="org.apache.synapse.transport.nhttp.HttpCoreNIOSSLListener">`,
    `        <parameter name="HttpsProtocols">TLSv1.2</parameter>`,
    `    </transportReceiver>`,
    `    <transportSender name="https" class="org.apache.synapse.transport.nhttp.HttpCoreNIOSSLSender">`,
    `        <parameter name="PreferredCiphers"/>`,
    `    </transportSender>`,
  ].join('\n');
  const findings = await axis2Findings(body);
  assert.deepEqual(summary(findings), [
    [3, 'https', 'warning'],
    [7, 'PreferredCiphers', 'warning'],
  ]);
  assert.match(findings[0].message, /^No PreferredCiphers on the https transport receiver: /);
  assert.deepEqual(
    findings.map((f) => [f.finding.data?.reason, f.finding.data?.element]),
    [
      ['missing', 'transportReceiver'],
      ['empty', 'transportSender'],
    ],
  );
});

test('axis2: the servlet HttpsTransportListener and plain HTTP transports give nothing', async () => {
  const body = [
    `    <transportReceiver name="https" class="org.wso2.carbon.core.transports.http.HttpsTransportListener"/>`,
    `    <transportReceiver name="http" class="org.apache.synapse.transport.passthru.PassThroughHttpListener"/>`,
    `    <transportSender name="http" class="org.apache.synapse.transport.passthru.PassThroughHttpSender"/>`,
  ].join('\n');
  assert.deepEqual(await axis2Findings(body), []);
});

// ---- the real corpus ----------------------------------------------------------------------------------------------------------

function corpusFile(relative: string): string | undefined {
  const dir = corpusDir();
  const file = dir && path.join(dir, relative);
  return file && fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}

test('corpus apim-2.6.0 catalina-server.xml: the HTTPS connector has no ciphers', async (t) => {
  const text = corpusFile('apim-2.6.0/repository/conf/tomcat/catalina-server.xml');
  if (!text) return t.skip('corpus not found (../shared/corpus)');
  const findings = only((await analyzeText('tomcat/catalina-server.xml', text)).findings, RULE);
  assert.deepEqual(summary(findings), [[72, 'true', 'warning']]);
  assert.equal(findings[0].finding.data?.reason, 'missing');
});

test('corpus apim-2.6.0 axis2.xml: the https receiver and sender have no PreferredCiphers', async (t) => {
  const text = corpusFile('apim-2.6.0/repository/conf/axis2/axis2.xml');
  if (!text) return t.skip('corpus not found (../shared/corpus)');
  const findings = only((await analyzeText('axis2/axis2.xml', text)).findings, RULE);
  assert.deepEqual(summary(findings), [
    [309, 'https', 'warning'],
    [534, 'https', 'warning'],
  ]);
  assert.deepEqual(
    findings.map((f) => [f.finding.data?.reason, f.finding.data?.element]),
    [
      ['missing', 'transportReceiver'],
      ['missing', 'transportSender'],
    ],
  );
});
