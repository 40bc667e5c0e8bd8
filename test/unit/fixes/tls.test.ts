import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import policy from '../../../schemas/tls-policy.json';
import { planTlsFix, planTlsFixes } from '../../../server/src/service/fixes/tls';
import { Fix, applyReplacements } from '../../../server/src/service/fixes/types';
import { parseXml } from '../../../server/src/service/model/xml';
import { PartialSettings } from '../../../server/src/service/settings';
import { RuleId } from '../../../server/src/service/types';
import { TestFinding, analyzeText, corpusDir, only } from '../../helpers';

const PROTOCOL = 'weak-tls-protocol';
const CIPHERS = 'weak-tls-ciphers';
const CATALINA = 'tomcat/catalina-server.xml';
const AXIS2 = 'axis2/axis2.xml';
/**
 * The fixes below run in an API Manager 2.6.0 home (carbon.xml says so), which supports Java 8 only: the default fix
 * writes what every Java 8 accepts, so no TLS 1.3 (JDK 8 has it only from 8u261) and no ChaCha20 (JDK 12).
 */
const HOME = {
  '/test/product/repository/conf/carbon.xml': `<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">\n    <Name>WSO2 API Manager</Name>\n    <ServerKey>AM</ServerKey>\n    <Version>2.6.0</Version>\n</Server>\n`,
};
const INTERMEDIATE_CIPHERS = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384',
].join(',');
const INTERMEDIATE_COUNT = `${INTERMEDIATE_CIPHERS.split(',').length} of ${policy.profiles.intermediate.recommendedCiphers.length}`;

function catalina(body: string): string {
  return `<?xml version='1.0' encoding='utf-8'?>\n<Server port="8005" shutdown="SHUTDOWN">\n    <Service name="Catalina">\n${body}\n    </Service>\n</Server>\n`;
}

function axis2(body: string): string {
  return `<?xml version="1.0" encoding="ISO-8859-1"?>\n<axisconfig name="AxisJava2.0">\n${body}\n</axisconfig>\n`;
}

async function findingsOf(confPath: string, text: string, ruleId: string, settings: PartialSettings = {}): Promise<TestFinding[]> {
  return only((await analyzeText(confPath, text, settings, HOME)).findings, ruleId);
}

/** Plans the fix of `finding` in `text`. */
async function fixOf(confPath: string, text: string, finding: TestFinding, settings: PartialSettings = {}): Promise<Fix | undefined> {
  const { result } = await analyzeText(confPath, text, settings, HOME);
  const kind = confPath === CATALINA ? 'catalina-server' : 'axis2';
  return planTlsFix({
    doc: result.doc!,
    path: `/test/product/repository/conf/${confPath}`,
    kind,
    ruleId: finding.ruleId as RuleId,
    span: finding.finding.span,
    data: finding.finding.data,
    profile: settings.tlsProfile,
  });
}

function apply(text: string, fix: Fix): string {
  assert.equal(fix.changes.length, 1);
  const change = fix.changes[0];
  assert.equal(change.kind, 'edit');
  if (change.kind !== 'edit') throw new Error('unreachable');
  assert.equal(change.baseText, text);
  return applyReplacements(text, change.replacements);
}

/** Fixes the first finding of `ruleId`, checks the result is well-formed and has no finding of the rule left, and that fixing again changes nothing. */
async function fixFirst(confPath: string, text: string, ruleId: string, settings: PartialSettings = {}): Promise<{ fix: Fix; fixed: string }> {
  const findings = await findingsOf(confPath, text, ruleId, settings);
  assert.ok(findings.length > 0, `expected ${ruleId} findings`);
  const fix = await fixOf(confPath, text, findings[0], settings);
  assert.ok(fix, 'expected a fix');
  const fixed = apply(text, fix);
  assert.equal(parseXml(fixed).syntaxError, undefined, 'the fixed document is well-formed');
  assert.deepEqual(await findingsOf(confPath, fixed, ruleId, settings), [], 're-analysis has no such finding');
  return { fix, fixed };
}

/** Removed and added lines by a longest common subsequence of lines. */
function lcsLineDiff(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  const table = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
  const removed: string[] = [];
  const added: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < b.length && (i === a.length || table[i][j + 1] >= table[i + 1][j])) added.push(b[j++]);
    else removed.push(a[i++]);
  }
  return { removed, added };
}

/** Lines of `after` that are not in `before` at the same place, by a longest-common-prefix/suffix diff. */
function lineDiff(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  return { removed: a.slice(head, a.length - tail), added: b.slice(head, b.length - tail) };
}

// ---- Tomcat ---------------------------------------------------------------------------------------------------

const MULTI_LINE_CONNECTOR = `        <Connector protocol="org.apache.coyote.http11.Http11NioProtocol"
                   port="9443"
                   sslProtocol="TLS"
                   sslEnabledProtocols="TLSv1,TLSv1.1,TLSv1.2"
                   SSLEnabled="true"
                   keystorePass="secret-keystore-pass"
                   URIEncoding="UTF-8"/>`;

test('weak protocols on a connector: the value becomes the profile list, nothing else changes', async () => {
  const text = catalina(MULTI_LINE_CONNECTOR);
  const { fix, fixed } = await fixFirst(CATALINA, text, PROTOCOL);
  assert.equal(fix.title, 'Set sslEnabledProtocols to TLSv1.2 (what Java 8 can use)');
  assert.equal(fix.isPreferred, true);
  assert.equal(fix.ruleId, PROTOCOL);
  assert.deepEqual(lineDiff(text, fixed), {
    removed: ['                   sslEnabledProtocols="TLSv1,TLSv1.1,TLSv1.2"'],
    added: ['                   sslEnabledProtocols="TLSv1.2"'],
  });
});

test('every weak protocol finding of a list gives the same fix', async () => {
  const text = catalina(MULTI_LINE_CONNECTOR);
  const findings = await findingsOf(CATALINA, text, PROTOCOL);
  assert.deepEqual(findings.map((f) => f.covered), ['TLSv1', 'TLSv1.1']);
  const results = await Promise.all(findings.map(async (f) => apply(text, (await fixOf(CATALINA, text, f))!)));
  assert.equal(results[0], results[1]);
});

test('fixing again is a no-op: the fixed list needs no change', async () => {
  const text = catalina(MULTI_LINE_CONNECTOR);
  const { fixed } = await fixFirst(CATALINA, text, PROTOCOL);
  const start = fixed.indexOf('"TLSv1.2"') + 1;
  const { result } = await analyzeText(CATALINA, fixed);
  const again = planTlsFix({ doc: result.doc!, path: '/x/conf/tomcat/catalina-server.xml', kind: 'catalina-server', ruleId: PROTOCOL, span: { start, end: start + 7 } });
  assert.equal(again, undefined);
});

test('a missing cipher list is added after the last attribute, on its own line aligned with the others', async () => {
  const text = catalina(MULTI_LINE_CONNECTOR.replace('TLSv1,TLSv1.1,TLSv1.2', 'TLSv1.2'));
  const { fix, fixed } = await fixFirst(CATALINA, text, CIPHERS);
  assert.equal(fix.title, `Set ciphers to the intermediate profile's ${INTERMEDIATE_COUNT} cipher suites (what Java 8 can use)`);
  assert.deepEqual(lineDiff(text, fixed), {
    removed: ['                   URIEncoding="UTF-8"/>'],
    added: ['                   URIEncoding="UTF-8"', `                   ciphers="${INTERMEDIATE_CIPHERS}"/>`],
  });
});

test('a missing protocol list on a one-line connector is added on the same line', async () => {
  const line = `        <Connector port="9443" SSLEnabled="true" scheme="https" secure="true" ciphers="TLS_AES_128_GCM_SHA256"/>`;
  const text = catalina(line);
  const { fixed } = await fixFirst(CATALINA, text, PROTOCOL);
  assert.deepEqual(lineDiff(text, fixed), {
    removed: [line],
    added: [`        <Connector port="9443" SSLEnabled="true" scheme="https" secure="true" ciphers="TLS_AES_128_GCM_SHA256" sslEnabledProtocols="TLSv1.2"/>`],
  });
});

test('single quotes and tabs are kept as the element has them', async () => {
  const text = catalina(`\t<Connector port='9443'\n\t           SSLEnabled='true'\n\t           sslEnabledProtocols='TLSv1.2'>\n\t</Connector>`);
  const { fixed } = await fixFirst(CATALINA, text, CIPHERS);
  assert.deepEqual(lineDiff(text, fixed), {
    removed: [`\t           sslEnabledProtocols='TLSv1.2'>`],
    added: [`\t           sslEnabledProtocols='TLSv1.2'`, `\t           ciphers='${INTERMEDIATE_CIPHERS}'>`],
  });
});

test('weak ciphers are replaced by the profile suites; an empty list is filled', async () => {
  const weak = catalina(`        <Connector port="9443" SSLEnabled="true" sslEnabledProtocols="TLSv1.2" ciphers="TLS_RSA_WITH_3DES_EDE_CBC_SHA, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"/>`);
  const { fixed } = await fixFirst(CATALINA, weak, CIPHERS);
  assert.ok(fixed.includes(` ciphers="${INTERMEDIATE_CIPHERS}"/>`));
  const empty = catalina(`        <Connector port="9443" SSLEnabled="true" sslEnabledProtocols="TLSv1.2" ciphers=""/>`);
  const { fixed: filled } = await fixFirst(CATALINA, empty, CIPHERS);
  assert.equal(filled, empty.replace('ciphers=""', `ciphers="${INTERMEDIATE_CIPHERS}"`));
});

test('SSLHostConfig: its own protocols attribute is replaced, a missing one added to it', async () => {
  const own = catalina(`        <Connector port="9443" SSLEnabled="true" ciphers="TLS_AES_128_GCM_SHA256">
            <SSLHostConfig hostName="api.example.com" protocols="+TLSv1,+TLSv1.1,+TLSv1.2"/>
        </Connector>`);
  const { fixed } = await fixFirst(CATALINA, own, PROTOCOL);
  assert.ok(fixed.includes('<SSLHostConfig hostName="api.example.com" protocols="TLSv1.2"/>'));

  const missing = catalina(`        <Connector port="9443" SSLEnabled="true" ciphers="TLS_AES_128_GCM_SHA256">
            <SSLHostConfig hostName="api.example.com"/>
        </Connector>`);
  const { fixed: added } = await fixFirst(CATALINA, missing, PROTOCOL);
  assert.ok(added.includes('<SSLHostConfig hostName="api.example.com" protocols="TLSv1.2"/>'));
  assert.ok(added.includes('<Connector port="9443" SSLEnabled="true" ciphers="TLS_AES_128_GCM_SHA256">'), 'the connector is left alone');
});

test('a connector list inherited by its SSLHostConfigs is fixed where it is written', async () => {
  const text = catalina(`        <Connector port="9443" SSLEnabled="true" sslEnabledProtocols="SSLv3,TLSv1.2" ciphers="TLS_AES_128_GCM_SHA256">
            <SSLHostConfig hostName="a.example.com"/>
            <SSLHostConfig hostName="b.example.com"/>
        </Connector>`);
  const { fixed } = await fixFirst(CATALINA, text, PROTOCOL);
  assert.deepEqual(lineDiff(text, fixed).added, [`        <Connector port="9443" SSLEnabled="true" sslEnabledProtocols="TLSv1.2" ciphers="TLS_AES_128_GCM_SHA256">`]);
});

test('a value written with entities is replaced as a whole', async () => {
  const text = catalina(`        <Connector port="9443" SSLEnabled="true" sslEnabledProtocols="TLSv1&#44;TLSv1.2" ciphers="TLS_AES_128_GCM_SHA256"/>`);
  const { fixed } = await fixFirst(CATALINA, text, PROTOCOL);
  assert.ok(fixed.includes(' sslEnabledProtocols="TLSv1.2" '));
});

test('the profile of the finding decides the list (modern: TLSv1.3 and its suites, only as the labelled TLS 1.3 action)', async () => {
  const text = catalina(MULTI_LINE_CONNECTOR);
  const findings = await findingsOf(CATALINA, text, PROTOCOL, { tlsProfile: 'modern' });
  // TLSv1.3 alone on a Java 8 without it: Tomcat drops it and every handshake fails. No default fix.
  assert.equal(await fixOf(CATALINA, text, findings[0], { tlsProfile: 'modern' }), undefined);
  const { result } = await analyzeText(CATALINA, text, { tlsProfile: 'modern' }, HOME);
  const request = { doc: result.doc!, path: '/test/product/repository/conf/tomcat/catalina-server.xml', kind: 'catalina-server' as const, span: findings[0].finding.span, profile: 'modern' as const };
  const [tls13, ...others] = planTlsFixes({ ...request, ruleId: PROTOCOL, data: findings[0].finding.data });
  assert.deepEqual(others, []);
  assert.equal(tls13.isPreferred, false);
  assert.match(tls13.title, /^TLS 1\.3, Java 11 and later \(or 8u261 and later\) only: set sslEnabledProtocols to TLSv1\.3\. Tomcat drops the names the JDK lacks/);
  const fixed = apply(text, tls13);
  assert.ok(fixed.includes('sslEnabledProtocols="TLSv1.3"'));
  const cipherFinding = (await findingsOf(CATALINA, fixed, CIPHERS, { tlsProfile: 'modern' }))[0];
  const cipherFixes = planTlsFixes({ ...request, doc: parseXml(fixed), ruleId: CIPHERS, span: cipherFinding.finding.span, data: cipherFinding.finding.data });
  assert.deepEqual(cipherFixes.map((f) => f.isPreferred), [false, false], 'TLS 1.3 suites, then with ChaCha20 (JDK 12): never the default');
  assert.ok(apply(fixed, cipherFixes[0]).includes('ciphers="TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384"/>'));
  assert.ok(apply(fixed, cipherFixes[1]).includes(`ciphers="${policy.profiles.modern.recommendedCiphers.join(',')}"/>`));
});

test('CRLF documents keep CRLF in the added line', async () => {
  const text = catalina(MULTI_LINE_CONNECTOR.replace('TLSv1,TLSv1.1,TLSv1.2', 'TLSv1.2')).replace(/\n/g, '\r\n');
  const { fixed } = await fixFirst(CATALINA, text, CIPHERS);
  assert.ok(fixed.includes(`URIEncoding="UTF-8"\r\n                   ciphers="`));
  assert.equal(fixed.replace(/\r\n/g, '').includes('\n'), false, 'no bare LF');
});

test('a plain HTTP connector or a finding of another rule gets no TLS fix', async () => {
  const text = catalina(MULTI_LINE_CONNECTOR);
  const { result } = await analyzeText(CATALINA, text);
  const port = text.indexOf('8005');
  assert.equal(planTlsFix({ doc: result.doc!, path: '/p', kind: 'catalina-server', ruleId: PROTOCOL, span: { start: port, end: port + 4 } }), undefined);
  const token = text.indexOf('TLSv1,');
  assert.equal(planTlsFix({ doc: result.doc!, path: '/p', kind: 'catalina-server', ruleId: 'port-offset', span: { start: token, end: token + 5 } }), undefined);
});

// ---- axis2.xml ------------------------------------------------------------------------------------------------

const AXIS2_TRANSPORTS = `   <transportReceiver name="https" class="org.apache.synapse.transport.passthru.PassThroughHttpSSLListener">
        <parameter name="port" locked="false">8243</parameter>
        <parameter name="keystore" locked="false">
            <KeyStore>
                <Location>repository/resources/security/wso2carbon.jks</Location>
            </KeyStore>
        </parameter>
        <!--<parameter name="SSLVerifyClient">require</parameter>
            supports optional|require or defaults to none -->
    </transportReceiver>
    <transportSender name="http" class="org.apache.synapse.transport.passthru.PassThroughHttpSender">
        <parameter name="non-blocking" locked="false">true</parameter>
    </transportSender>
    <transportSender name="https" class="org.apache.synapse.transport.passthru.PassThroughHttpSSLSender">
        <parameter name="non-blocking" locked="false">true</parameter>
        <!--<parameter name="HostnameVerifier">DefaultAndLocalhost</parameter>-->
    </transportSender>`;

test('axis2: HttpsProtocols is added to both the https receiver and sender, indented like their parameters', async () => {
  const text = axis2(AXIS2_TRANSPORTS);
  const findings = await findingsOf(AXIS2, text, PROTOCOL);
  assert.equal(findings.length, 2);
  const { fix, fixed } = await fixFirst(AXIS2, text, PROTOCOL);
  assert.equal(fix.title, 'Set HttpsProtocols to TLSv1.2 on the https transport receiver and the https transport sender (what Java 8 can use)');
  const lines = fixed.split('\n');
  const added = lines.filter((l) => l.includes('HttpsProtocols'));
  assert.deepEqual(added, ['        <parameter name="HttpsProtocols">TLSv1.2</parameter>', '        <parameter name="HttpsProtocols">TLSv1.2</parameter>']);
  // After the last parameter of each transport, before the comments that follow it.
  assert.equal(lines[lines.indexOf('        </parameter>') + 1], added[0]);
  assert.equal(lines[lines.indexOf('        <parameter name="non-blocking" locked="false">true</parameter>', lines.indexOf('    <transportSender name="https" class="org.apache.synapse.transport.passthru.PassThroughHttpSSLSender">')) + 1], added[1]);
  assert.equal(fixed.split('\n').length, text.split('\n').length + 2, 'two lines added, none removed');
  assert.equal(fixed.replace(/\n *<parameter name="HttpsProtocols">TLSv1\.2<\/parameter>/g, ''), text);
});

test('axis2: fixing from the sender finding covers the receiver too; an existing weak list is overwritten', async () => {
  const text = axis2(AXIS2_TRANSPORTS.replace('<parameter name="port" locked="false">8243</parameter>', '<parameter name="port" locked="false">8243</parameter>\n        <parameter name="HttpsProtocols">TLSv1,TLSv1.1,TLSv1.2</parameter>'));
  const findings = await findingsOf(AXIS2, text, PROTOCOL);
  const senderFinding = findings.find((f) => f.covered === 'https' && f.line > 10)!;
  assert.ok(senderFinding, 'the sender has no HttpsProtocols');
  const fix = (await fixOf(AXIS2, text, senderFinding))!;
  const fixed = apply(text, fix);
  assert.ok(fixed.includes('<parameter name="HttpsProtocols">TLSv1.2</parameter>\n        <parameter name="keystore"'));
  assert.equal(fixed.match(/HttpsProtocols/g)!.length, 2);
  assert.deepEqual(await findingsOf(AXIS2, fixed, PROTOCOL), []);
});

test('axis2: a compliant transport is left alone', async () => {
  const text = axis2(AXIS2_TRANSPORTS.replace('<parameter name="port" locked="false">8243</parameter>', '<parameter name="port" locked="false">8243</parameter>\n        <parameter name="HttpsProtocols">TLSv1.3</parameter>'));
  const { fixed } = await fixFirst(AXIS2, text, PROTOCOL);
  assert.ok(fixed.includes('<parameter name="HttpsProtocols">TLSv1.3</parameter>'), 'the receiver keeps its stricter list');
  assert.equal(fixed.match(/HttpsProtocols/g)!.length, 2);
});

test('axis2: PreferredCiphers is added to both transports; an empty self-closing parameter gets content', async () => {
  const text = axis2(AXIS2_TRANSPORTS);
  const { fixed } = await fixFirst(AXIS2, text, CIPHERS);
  assert.equal(fixed.match(new RegExp(`<parameter name="PreferredCiphers">${INTERMEDIATE_CIPHERS}</parameter>`, 'g'))!.length, 2);

  const selfClosing = axis2(AXIS2_TRANSPORTS.replace('<parameter name="port" locked="false">8243</parameter>', '<parameter name="port" locked="false">8243</parameter>\n        <parameter name="PreferredCiphers"/>'));
  const { fixed: filled } = await fixFirst(AXIS2, selfClosing, CIPHERS);
  assert.ok(filled.includes(`<parameter name="PreferredCiphers">${INTERMEDIATE_CIPHERS}</parameter>\n        <parameter name="keystore"`));
});

test('axis2: a transport without parameters gets one on a new line inside it', async () => {
  const text = axis2(`    <transportReceiver name="https" class="org.apache.synapse.transport.passthru.PassThroughHttpSSLListener">
    </transportReceiver>`);
  const { fixed } = await fixFirst(AXIS2, text, PROTOCOL);
  assert.ok(fixed.includes(`PassThroughHttpSSLListener">\n        <parameter name="HttpsProtocols">TLSv1.2</parameter>\n    </transportReceiver>`));
  const selfClosing = axis2(`    <transportReceiver name="https" class="org.apache.synapse.transport.passthru.PassThroughHttpSSLListener"/>`);
  const { fixed: opened } = await fixFirst(AXIS2, selfClosing, PROTOCOL);
  assert.ok(opened.includes(`PassThroughHttpSSLListener">\n        <parameter name="HttpsProtocols">TLSv1.2</parameter>\n    </transportReceiver>`));
});

// ---- the real files ---------------------------------------------------------------------------------------------

/** The shipped files that have TLS findings (IS 5.6.0's and the kernel's axis2.xml have no PassThrough SSL transport). */
const CORPUS_FILES = [
  'apim-2.6.0/repository/conf/tomcat/catalina-server.xml',
  'apim-2.6.0/repository/conf/axis2/axis2.xml',
  'is-5.6.0/repository/conf/tomcat/catalina-server.xml',
  'kernel-4.4.35/repository/conf/tomcat/catalina-server.xml',
  'kernel-4.4.7/repository/conf/tomcat/catalina-server.xml',
  'ciphertool-run/after-conf/tomcat/catalina-server.xml',
];

for (const file of CORPUS_FILES) {
  test(`corpus ${file}: every TLS fix keeps the file well-formed, changes only its lines, clears the rule and is idempotent`, async (t) => {
    const corpus = corpusDir();
    if (!corpus) return t.skip('corpus not available (../shared/corpus)');
    const full = path.join(corpus, file);
    if (!fs.existsSync(full)) return t.skip(`${file} not in the corpus`);
    const text = fs.readFileSync(full, 'utf8');
    const confPath = file.includes('/tomcat/') ? CATALINA : AXIS2;
    let fixedSomething = 0;
    for (const ruleId of [PROTOCOL, CIPHERS]) {
      const findings = await findingsOf(confPath, text, ruleId);
      for (const finding of findings) {
        const fix = await fixOf(confPath, text, finding);
        assert.ok(fix, `a fix for ${ruleId} line ${finding.line}`);
        const fixed = apply(text, fix);
        fixedSomething++;
        assert.equal(parseXml(fixed).syntaxError, undefined);
        const diff = lcsLineDiff(text, fixed);
        const name = ruleId === PROTOCOL ? /sslEnabledProtocols=|HttpsProtocols|protocols=/ : /ciphers=|PreferredCiphers/;
        assert.ok(diff.added.some((l) => name.test(l)), 'the list line is among the changed ones');
        // Without the list (attribute or parameter line) the changed lines are the same text: nothing else moved.
        const attr = ruleId === PROTOCOL ? /\s*(sslEnabledProtocols|protocols)=("[^"]*"|'[^']*')/g : /\s*ciphers=("[^"]*"|'[^']*')/g;
        const strip = (lines: string[]) => lines.filter((l) => !/^\s*<parameter name="(HttpsProtocols|PreferredCiphers)">[^<]*<\/parameter>$/.test(l)).map((l) => l.replace(attr, '')).join('');
        assert.equal(strip(diff.added), strip(diff.removed));
        const remaining = await findingsOf(confPath, fixed, ruleId);
        // One connector per finding in Tomcat; axis2 fixes every flagged transport at once.
        if (confPath === AXIS2) assert.deepEqual(remaining.map((f) => f.line), []);
        else assert.ok(remaining.length < findings.length, 'the finding is gone');
        // Applying the same fix twice: on the fixed text nothing is left to change where this one wrote.
        const { result } = await analyzeText(confPath, fixed, {}, HOME);
        const written = ruleId === PROTOCOL ? 'TLSv1.2' : INTERMEDIATE_CIPHERS;
        // Where the fix wrote: a whole attribute value or parameter text equal to the list.
        const wholeValue = new RegExp(`(?<=["'>])${written.replace(/\./g, '\\.')}(?=["'<])`, 'g');
        for (const match of fixed.matchAll(wholeValue)) {
          const at = match.index!;
          const again = planTlsFix({ doc: result.doc!, path: '/p', kind: confPath === CATALINA ? 'catalina-server' : 'axis2', ruleId: ruleId as RuleId, span: { start: at, end: at + 7 }, data: { jdks: ['8'], productKnown: true } });
          assert.equal(again, undefined, 'no change left to make');
        }
      }
    }
    assert.ok(fixedSomething > 0, 'the shipped file has TLS findings to fix');
  });
}
