import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import policy from '../../../schemas/tls-policy.json';
import products from '../../../schemas/products.json';
import { fixText } from '../../../server/src/service/fixes/unattended';
import { DiskFileSource } from '../../../server/src/node/disk-source';
import { Analyzer } from '../../../server/src/service/analyzer';
import { planTlsFix, planTlsFixes } from '../../../server/src/service/fixes/tls';
import { Fix, applyReplacements } from '../../../server/src/service/fixes/types';
import { parseXml } from '../../../server/src/service/model/xml';
import { mergeSettings } from '../../../server/src/service/settings';
import { Finding, RuleId } from '../../../server/src/service/types';
import { FileSource } from '../../../server/src/service/workspace/facts';
import { locateConfigFile } from '../../../server/src/service/workspace/files';
import { MemoryFileSource, corpusDir, projectRoot } from '../../helpers';

/**
 * TLS advice and fixes that fit the product version (issue 14): no PreferredCiphers where the product's Synapse
 * ignores it; the default fix writes only names every JDK the product supports knows (PassThrough hands the names to
 * the JDK unchecked, and a JDK 8 without TLS 1.3 then fails every HTTPS connection); the TLS 1.3 list is a separate,
 * labelled action; an unknown product gets the conservative fix and is told so.
 */

const TLS_RULES = ['weak-tls-protocol', 'weak-tls-ciphers'];
/** Names a JDK 8 before 8u261 does not know: TLS 1.3 and its suites, and ChaCha20 (JDK 12). */
const NOT_IN_EVERY_JDK_8 = /TLSv1\.3|TLS_AES_|TLS_CHACHA20_|CHACHA20/;

interface Analysed {
  readonly text: string;
  readonly path: string;
  readonly findings: Finding[];
  readonly fixesOf: (finding: Finding) => Fix[];
}

async function analyse(files: FileSource, file: string): Promise<Analysed> {
  const analyzer = new Analyzer({ files, knownHomes: () => [], log: (m) => { throw new Error(m); } });
  const content = await files.read(file);
  assert.ok(content, file);
  const result = await analyzer.analyze(file, content, mergeSettings({}));
  const doc = result.doc!;
  const location = locateConfigFile(file)!;
  return {
    text: doc.text,
    path: file,
    findings: result.findings.filter((f) => TLS_RULES.includes(f.ruleId)),
    fixesOf: (finding) => planTlsFixes({ doc, path: file, kind: location.kind, ruleId: finding.ruleId as RuleId, span: finding.span, data: finding.data }),
  };
}

function applied(text: string, fix: Fix): string {
  assert.equal(fix.changes.length, 1);
  const change = fix.changes[0];
  if (change.kind !== 'edit') throw new Error('an edit');
  const fixed = applyReplacements(text, change.replacements);
  assert.equal(parseXml(fixed).syntaxError, undefined);
  return fixed;
}

/** The text a fix inserts (the new list values), to check what it writes and nothing else. */
function written(fix: Fix): string {
  const change = fix.changes[0];
  return change.kind === 'edit' ? change.replacements.map((r) => r.newText).join('\n') : '';
}

// ---- ESB 5.0.0: Synapse 2.1.7-wso2v7 ignores PreferredCiphers -----------------------------------------------------

const ESB_AXIS2 = `<?xml version="1.0" encoding="ISO-8859-1"?>
<axisconfig name="AxisJava2.0">
    <transportReceiver name="https" class="org.apache.synapse.transport.passthru.PassThroughHttpSSLListener">
        <parameter name="port" locked="false">8243</parameter>
        <parameter name="non-blocking" locked="false">true</parameter>
    </transportReceiver>
    <transportSender name="https" class="org.apache.synapse.transport.passthru.PassThroughHttpSSLSender">
        <parameter name="non-blocking" locked="false">true</parameter>
        <parameter name="PreferredCiphers">TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,SSL_RSA_WITH_RC4_128_MD5</parameter>
    </transportSender>
</axisconfig>
`;

function esbHome(): MemoryFileSource {
  return new MemoryFileSource({
    '/esb/repository/conf/carbon.xml': `<?xml version="1.0" encoding="ISO-8859-1"?>\n<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">\n    <Name>WSO2 Enterprise Service Bus</Name>\n    <ServerKey>ESB</ServerKey>\n    <Version>5.0.0</Version>\n</Server>\n`,
    '/esb/repository/conf/axis2/axis2.xml': ESB_AXIS2,
  });
}

test('ESB 5.0.0: weak-tls-ciphers says PassThrough cannot restrict ciphers there and what can; no cipher fix', async () => {
  const esb = await analyse(esbHome(), '/esb/repository/conf/axis2/axis2.xml');
  const ciphers = esb.findings.filter((f) => f.ruleId === 'weak-tls-ciphers');
  // One per transport, none on the suites of the ignored list (RC4 would be reported in a product that reads it).
  assert.deepEqual(ciphers.map((f) => [esb.text.slice(f.span.start, f.span.end), f.data?.reason, f.data?.noFix]), [
    ['https', 'ignored', true],
    ['PreferredCiphers', 'ignored', true],
  ]);
  assert.equal(
    ciphers[0].message,
    "No cipher restriction is possible on the https transport receiver: WSO2 Enterprise Service Bus 5.0.0 ships wso2-synapse 2.1.7-wso2v7, which does not read PreferredCiphers (Synapse reads it from 2.1.7-wso2v8 on, commit 2f43a179), so the https transport receiver uses the JVM's default suites, which include weak ones. This product cannot restrict the PassThrough ciphers in axis2.xml; what can: an upgrade to a version whose Synapse reads PreferredCiphers (API Manager 2.1.0 or later, Enterprise Integrator 6.x), or disabling the weak suites for the whole JVM with jdk.tls.disabledAlgorithms in the JDK's java.security.",
  );
  assert.match(ciphers[1].message, /^PreferredCiphers on the https transport sender has no effect: /);
  for (const finding of ciphers) assert.deepEqual(esb.fixesOf(finding), [], 'no PreferredCiphers fix, not even a labelled one');
});

test('ESB 5.0.0: --fix writes the Java 7/8 protocol list and no PreferredCiphers', async () => {
  const files = esbHome();
  const analyzer = new Analyzer({ files, knownHomes: () => [], log: (m) => { throw new Error(m); } });
  const result = await fixText(analyzer, '/esb/repository/conf/axis2/axis2.xml', ESB_AXIS2, mergeSettings({}));
  assert.deepEqual(result.applied, ['Set HttpsProtocols to TLSv1.2 on the https transport receiver and the https transport sender (what Java 7 and Java 8 can use)']);
  assert.equal(result.text!.match(/PreferredCiphers/g)!.length, 1, 'the sender keeps its one (ignored) list; nothing is added');
  assert.equal(result.text!.match(/<parameter name="HttpsProtocols">TLSv1\.2<\/parameter>/g)!.length, 2);
});

test('the same axis2.xml in a product whose Synapse reads PreferredCiphers (EI 6.5.0) gets the weak suites and the fix', async () => {
  const files = new MemoryFileSource({
    '/ei/conf/carbon.xml': `<Server xmlns="http://wso2.org/projects/carbon/carbon.xml"><Name>WSO2 Enterprise Integrator</Name><ServerKey>EI</ServerKey><Version>6.5.0</Version></Server>`,
    '/ei/conf/axis2/axis2.xml': ESB_AXIS2,
  });
  const ei = await analyse(files, '/ei/conf/axis2/axis2.xml');
  const ciphers = ei.findings.filter((f) => f.ruleId === 'weak-tls-ciphers');
  assert.deepEqual(ciphers.map((f) => [ei.text.slice(f.span.start, f.span.end), f.data?.reason]), [
    ['https', 'missing'],
    ['SSL_RSA_WITH_RC4_128_MD5', 'weak-cipher'],
  ]);
  const [safe, ...variants] = ei.fixesOf(ciphers[1]);
  assert.equal(safe.isPreferred, true);
  assert.doesNotMatch(written(safe), NOT_IN_EVERY_JDK_8);
  assert.equal(safe.title, "Set PreferredCiphers to the intermediate profile's 6 of 12 cipher suites on the https transport sender and the https transport receiver (what Java 8 can use)");
  assert.deepEqual(variants.map((v) => v.isPreferred), [false, false]);
});

// ---- API Manager 2.6.0 and the kernels, read in place ----------------------------------------------------------------

const corpus = corpusDir();
const SKIP = corpus ? false : 'corpus not found beside the project (../shared/corpus)';

for (const file of ['apim-2.6.0/repository/conf/tomcat/catalina-server.xml', 'apim-2.6.0/repository/conf/axis2/axis2.xml']) {
  test(`corpus ${file}: no default TLS fix writes a TLS 1.3 or ChaCha20 name; the TLS 1.3 list is a separate, labelled action`, { skip: SKIP }, async () => {
    const home = await analyse(new DiskFileSource(), path.join(corpus!, file));
    const protocolFindings = home.findings.filter((f) => f.ruleId === 'weak-tls-protocol');
    assert.ok(protocolFindings.length > 0 && home.findings.length > protocolFindings.length, 'protocol and cipher findings');
    let tls13Actions = 0;
    for (const finding of home.findings) {
      const fixes = home.fixesOf(finding);
      const preferred = fixes.filter((f) => f.isPreferred);
      // The version of API Manager is unknown (carbon.xml keeps ${product.version}): 2.0.0/2.1.0 support Java 7,
      // which knows no AES-GCM suite, so the intermediate cipher list has no default fix there.
      if (finding.ruleId === 'weak-tls-protocol') {
        assert.equal(preferred.length, 1);
        assert.match(preferred[0].title, /^Set (sslEnabledProtocols|HttpsProtocols) to TLSv1\.2\b.*\(what Java 7 and Java 8 can use: the product version is unknown\)$/);
      } else {
        assert.equal(preferred.length, 0, `${finding.message}`);
        if (file.includes('axis2')) {
          assert.ok(
            finding.message.endsWith(" Synapse's PassThrough reads PreferredCiphers from wso2-synapse 2.1.7-wso2v8 on (ESB 5.0.0 and API Manager 2.0.0 ignore it): whether WSO2 API Manager (version unknown) reads it is not known."),
            finding.message,
          );
        } else assert.doesNotMatch(finding.message, /Synapse/, 'Tomcat is not Synapse');
      }
      assert.deepEqual(fixes.slice(0, preferred.length), preferred, 'the safe fix comes first');
      for (const fix of preferred) assert.doesNotMatch(written(fix), NOT_IN_EVERY_JDK_8, fix.title);
      for (const fix of fixes) applied(home.text, fix);
      const tls13 = fixes.filter((f) => /TLSv1\.3|TLS_AES_/.test(written(f)));
      for (const fix of tls13) {
        assert.equal(fix.isPreferred, false);
        assert.match(fix.title, /^TLS 1\.3(, | and ChaCha20-Poly1305, )Java 1[12] and later (\(or 8u261 and later\) )?only: /);
        assert.match(fix.title, file.includes('axis2') ? /PassThrough hands the names to the JDK unchecked/ : /Tomcat drops the names the JDK lacks/);
      }
      tls13Actions += tls13.length;
      const planned = planTlsFix({ doc: parseXml(home.text), path: home.path, kind: file.includes('axis2') ? 'axis2' : 'catalina-server', ruleId: finding.ruleId as RuleId, span: finding.span, data: finding.data });
      assert.equal(planned?.title, preferred[0]?.title, 'planTlsFix (the CLI\'s --fix) is the safe fix');
    }
    assert.ok(tls13Actions > 0, 'the TLS 1.3 variant is offered');
  });
}

test('corpus apim-2.6.0 axis2.xml: --fix writes no TLS 1.3 name', { skip: SKIP }, async () => {
  const files = new DiskFileSource();
  const file = path.join(corpus!, 'apim-2.6.0/repository/conf/axis2/axis2.xml');
  const analyzer = new Analyzer({ files, knownHomes: () => [], log: (m) => { throw new Error(m); } });
  const original = (await analyse(files, file)).text;
  const result = await fixText(analyzer, file, original, mergeSettings({}));
  assert.ok(result.text, 'something was fixed');
  assert.doesNotMatch(result.text!, NOT_IN_EVERY_JDK_8);
  assert.deepEqual(result.applied, ['Set HttpsProtocols to TLSv1.2 on the https transport receiver and the https transport sender (what Java 7 and Java 8 can use: the product version is unknown)']);
});

for (const kernel of ['kernel-4.4.7', 'kernel-4.4.35']) {
  test(`corpus ${kernel} (product unknown): the conservative fix, and the title says why`, { skip: SKIP }, async () => {
    const home = await analyse(new DiskFileSource(), path.join(corpus!, kernel, 'repository/conf/tomcat/catalina-server.xml'));
    const protocol = home.findings.find((f) => f.ruleId === 'weak-tls-protocol')!;
    const [safe, tls13, ...rest] = home.fixesOf(protocol);
    assert.deepEqual(rest, []);
    assert.equal(safe.title, 'Set sslEnabledProtocols to TLSv1.2 (what Java 7 and Java 8 can use: the product version is unknown)');
    assert.ok(applied(home.text, safe).includes('sslEnabledProtocols="TLSv1.2"'));
    assert.equal(tls13.isPreferred, false);
    assert.ok(applied(home.text, tls13).includes('sslEnabledProtocols="TLSv1.2,TLSv1.3"'));

    const cipher = home.findings.find((f) => f.ruleId === 'weak-tls-ciphers')!;
    const cipherFixes = home.fixesOf(cipher);
    // Java 7 knows none of the intermediate suites (AES-GCM arrived in JDK 8): no default; a list per newer JDK.
    assert.deepEqual(cipherFixes.map((f) => [f.isPreferred, f.title.split(':')[0]]), [
      [false, 'Java 8 and later only (Java 7 lacks the AES-GCM suites)'],
      [false, 'TLS 1.3, Java 11 and later (or 8u261 and later) only'],
      [false, 'TLS 1.3 and ChaCha20-Poly1305, Java 12 and later only'],
    ]);
    assert.doesNotMatch(written(cipherFixes[0]), NOT_IN_EVERY_JDK_8);
    assert.doesNotMatch(written(cipherFixes[1]), /CHACHA20/);
  });
}

// ---- the JDK checks the names --------------------------------------------------------------------------------------

test('JDK 17 (the independent check) supports every name a TLS fix can write, as the JDK table says of it', () => {
  let out: string;
  try {
    out = execFileSync('java', [path.join(projectRoot(), 'test', 'java', 'TlsNames.java')], { stdio: 'pipe' }).toString();
  } catch {
    assert.fail('java is needed for this check');
  }
  const supported = new Set(out.split('\n').filter((l) => l.startsWith('protocol\t') || l.startsWith('cipher\t')).map((l) => l.split('\t')[1]));
  const version = Number(/^version\t(\d+)/m.exec(out)![1]);
  assert.ok(version >= 12, `a JDK 12 or later checks the full lists (this is ${version})`);
  for (const [name, profile] of Object.entries(policy.profiles)) {
    for (const value of [...profile.recommendedProtocols, ...profile.recommendedCiphers]) assert.ok(supported.has(value), `${name}: ${value} is a name a JDK knows`);
  }
  // The table says JDK 12 lacks none of these names and JDK 11 lacks only ChaCha20: what a newer JDK supports must
  // include what the table claims for it.
  for (const protocol of products.jdks['12'].protocols) assert.ok(supported.has(protocol), protocol);
  assert.deepEqual(products.jdks['12'].unknownCiphers, []);
});
