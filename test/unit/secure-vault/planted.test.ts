import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../../helpers';
import { parseXml } from '../../../server/src/service/model/xml';
import { ProductHome, homeOfConfDir } from '../../../server/src/service/workspace/files';
import { verifyKeystore } from '../../../server/src/service/keystore';
import { SecureVaultKey, planSecureVault, resolveKeystore, secureVaultFiles, secureVaultKey } from '../../../server/src/service/fixes/secure-vault';
import { analyseFile, applyFixToDisk, copyTree, hasJava, keytoolGenerate, readText, tempDir, writeText } from './support';
import { cli } from '../cli/support';

/**
 * Planted passwords (issue 10, items 1 and 2): the value encrypted is exactly the value the runtime reads. Every case
 * is planted in carbon.xml, user-mgt.xml, catalina-server.xml, axis2.xml and master-datasources.xml (LF and CRLF
 * files), encrypted once by the quick fix (planSecureVault, one finding at a time, as a user clicking each
 * diagnostic) and once by CLI `encrypt`; then, in one JVM, the JDK decrypts every cipher-text.properties entry and a
 * JDK XML parser reads the ORIGINAL files (getTextContent() of the element, getAttribute() of the attribute): each
 * planted element of the fixed file names an alias whose decryption equals what the parser read from the original.
 */

const STORE_PASSWORD = 'Planted-Store-7';
const JAVA_CHECK = path.join(projectRoot(), 'test', 'java', 'SecureVaultCheck.java');

interface Case {
  readonly id: string;
  /** As written in the XML file (element content, or attribute value between its quotes). */
  readonly raw: string;
  readonly quote?: '"' | "'";
}

/** Element text: the failures of issue 10 items 1 and 2, then the cases that already passed. */
const ELEMENT_CASES: Case[] = [
  { id: 'E01', raw: 's3cret\u00a0' },
  { id: 'E02', raw: '\u3000s3cret' },
  { id: 'E03', raw: '\ufeffs3cret' },
  { id: 'E04', raw: '  spaced-s3cret  ' },
  { id: 'E05', raw: '\n        newline-s3cret\n    ' },
  { id: 'E06', raw: 'ab\r\ncd-crlf' },
  { id: 'E07', raw: 'ab\rcd-lonecr' },
  { id: 'E08', raw: 'Comm<!-- note -->entSecret2' },
  { id: 'E09', raw: 'Cdata<![CDATA[Split3]]>' },
  { id: 'E10', raw: '<?pi x?>PiSecret4' },
  { id: 'E11', raw: 'Esc&amp;aped&lt;x&gt;' },
  { id: 'E12', raw: '&#x41;&#66;&#x1F600;&#13;&#9;charref' },
  { id: 'E13', raw: '<![CDATA[Cd<a&ta]]>' },
  { id: 'E14', raw: 'p\u00e4ssw\u00f6rd-\u00f1-\u4e2d\u6587' },
  { id: 'E15', raw: 'astral-\u{1F600}-\u{10348}' },
  { id: 'E16', raw: 'say "hi" &quot;quoted&quot;' },
  { id: 'E17', raw: "it's 'single'" },
  { id: 'E18', raw: 'L'.repeat(245) },
  { id: 'E19', raw: '\u00e9'.repeat(122) + 'x' },
  { id: 'E20', raw: ' <![CDATA[ cdata-padded ]]> ' },
];

const ATTRIBUTE_CASES: Case[] = [
  { id: 'A01', raw: 'Tabq\tbedq' },
  { id: 'A02', raw: 'Lnfq\nfeedq' },
  { id: 'A03', raw: 'Crq1\r\nLfq1' },
  { id: 'A04', raw: 'Lonq\rCrq2' },
  { id: 'A05', raw: 'Refq&#9;Tabr&#10;Lfr1&#13;Crr1' },
  { id: 'A06', raw: 'Dqq1&quot;x' },
  { id: 'A07', raw: 'Sqq1"Insq', quote: "'" },
  { id: 'A08', raw: 'Apq1&apos;Osq1' },
  { id: 'A09', raw: 'nbsp-s3cret\u00a0' },
  { id: 'A10', raw: '  Padq-Atq1  ' },
  { id: 'A11', raw: '\u00e4-\u{1F600}' },
  { id: 'A12', raw: 'Ltq1&lt;Ampq&amp;Gtq1>' },
  { id: 'A13', raw: 'Q'.repeat(245) },
];

interface Planted {
  /** conf-relative path. */
  readonly file: string;
  readonly text: string;
  /** JDK read requests: id, XPath, attribute name ('-' for the element's text). */
  readonly requests: { id: string; xpath: string; attribute: string }[];
}

const attrName = (c: Case) => `${c.id.toLowerCase()}Pass`;
const attrOf = (c: Case) => `${attrName(c)}=${c.quote ?? '"'}${c.raw}${c.quote ?? '"'}`;
const attributeRequests = (prefix: string) => ATTRIBUTE_CASES.map((c) => ({ id: c.id, xpath: `${prefix}/${c.id}`, attribute: attrName(c) }));

function plantedFiles(): Planted[] {
  const carbon: Planted = {
    file: 'carbon.xml',
    text: [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">',
      '    <Security>',
      '        <KeyStore>',
      '            <Location>${carbon.home}/repository/resources/security/wso2carbon.jks</Location>',
      '            <Type>JKS</Type>',
      `            <Password>${STORE_PASSWORD}</Password>`,
      '            <KeyAlias>wso2carbon</KeyAlias>',
      `            <KeyPassword>${STORE_PASSWORD}</KeyPassword>`,
      '        </KeyStore>',
      '        <TrustStore>',
      '            <Location>${carbon.home}/repository/resources/security/client-truststore.jks</Location>',
      '            <Type>JKS</Type>',
      '            <Password>\n                Trq9<!-- split -->stq9-s3cret\u00a0\n            </Password>',
      '        </TrustStore>',
      '    </Security>',
      '    <Planted>',
      ...ELEMENT_CASES.map((c) => `        <${c.id}Password>${c.raw}</${c.id}Password>`),
      ...ATTRIBUTE_CASES.map((c) => `        <${c.id} ${attrOf(c)}/>`),
      '    </Planted>',
      '</Server>',
      '',
    ].join('\n'),
    requests: [
      { id: 'TRUST', xpath: '/Server/Security/TrustStore/Password', attribute: '-' },
      ...ELEMENT_CASES.map((c) => ({ id: c.id, xpath: `/Server/Planted/${c.id}Password`, attribute: '-' })),
      ...attributeRequests('/Server/Planted'),
    ],
  };
  // user-mgt.xml: the admin password (a fixed runtime alias), user store properties, attributes below the realm.
  const [admin, ...properties] = ELEMENT_CASES;
  const userMgt: Planted = {
    file: 'user-mgt.xml',
    text: [
      '<UserManager>',
      '    <Realm>',
      '        <Configuration>',
      '            <AdminUser>',
      '                <UserName>admin</UserName>',
      `                <Password>${admin.raw}</Password>`,
      '            </AdminUser>',
      '        </Configuration>',
      '        <UserStoreManager class="org.wso2.carbon.user.core.jdbc.JDBCUserStoreManager">',
      ...properties.map((c) => `            <Property name="${c.id}Password">${c.raw}</Property>`),
      '        </UserStoreManager>',
      '        <Planted>',
      ...ATTRIBUTE_CASES.map((c) => `            <${c.id} ${attrOf(c)}/>`),
      '        </Planted>',
      '    </Realm>',
      '</UserManager>',
      '',
    ].join('\n'),
    requests: [
      { id: admin.id, xpath: '/UserManager/Realm/Configuration/AdminUser/Password', attribute: '-' },
      ...properties.map((c) => ({ id: c.id, xpath: `/UserManager/Realm/UserStoreManager/Property[@name='${c.id}Password']`, attribute: '-' })),
      ...attributeRequests('/UserManager/Realm/Planted'),
    ],
  };
  // catalina-server.xml: the HTTPS connector's keystorePass (a fixed runtime alias), then planted places.
  const [connector, ...otherAttributes] = ATTRIBUTE_CASES;
  const catalina: Planted = {
    file: 'tomcat/catalina-server.xml',
    text: [
      '<Server port="8005" shutdown="SHUTDOWN">',
      '    <Service name="Catalina">',
      `        <Connector port="9443" SSLEnabled="true" keystorePass="${connector.raw}"/>`,
      ...ELEMENT_CASES.map((c) => `        <${c.id}Password>${c.raw}</${c.id}Password>`),
      ...otherAttributes.map((c) => `        <${c.id} ${attrOf(c)}/>`),
      '    </Service>',
      '</Server>',
      '',
    ].join('\n'),
    requests: [
      { id: connector.id, xpath: '/Server/Service/Connector', attribute: 'keystorePass' },
      ...ELEMENT_CASES.map((c) => ({ id: c.id, xpath: `/Server/Service/${c.id}Password`, attribute: '-' })),
      ...otherAttributes.map((c) => ({ id: c.id, xpath: `/Server/Service/${c.id}`, attribute: attrName(c) })),
    ],
  };
  const axis2: Planted = {
    file: 'axis2/axis2.xml',
    text: [
      '<axisconfig name="AxisJava2.0">',
      '    <transportReceiver name="https" class="org.apache.synapse.transport.passthru.PassThroughHttpSSLListener">',
      '        <parameter name="keystore" locked="false">',
      '            <KeyStore>',
      '                <Location>repository/resources/security/wso2carbon.jks</Location>',
      '                <Type>JKS</Type>',
      '                <Password> Axis<![CDATA[Https-s3cret]]>\r\n </Password>',
      '            </KeyStore>',
      '        </parameter>',
      '    </transportReceiver>',
      ...ELEMENT_CASES.map((c) => `    <parameter name="${c.id}Password">${c.raw}</parameter>`),
      ...ATTRIBUTE_CASES.map((c) => `    <${c.id} ${attrOf(c)}/>`),
      '</axisconfig>',
      '',
    ].join('\n'),
    requests: [
      { id: 'HTTPS', xpath: "/axisconfig/transportReceiver[@name='https']/parameter[@name='keystore']/KeyStore/Password", attribute: '-' },
      ...ELEMENT_CASES.map((c) => ({ id: c.id, xpath: `/axisconfig/parameter[@name='${c.id}Password']`, attribute: '-' })),
      ...attributeRequests('/axisconfig'),
    ],
  };
  const datasources: Planted = {
    file: 'datasources/master-datasources.xml',
    text: [
      '<datasources-configuration xmlns:svns="http://org.wso2.securevault/configuration">',
      '    <datasources>',
      ...ELEMENT_CASES.flatMap((c) => [
        '        <datasource>',
        `            <name>DS_${c.id}</name>`,
        '            <definition type="RDBMS">',
        '                <configuration>',
        `                    <url>jdbc:mysql://db.example.com:3306/${c.id}</url>`,
        `                    <password>${c.raw}</password>`,
        '                </configuration>',
        '            </definition>',
        '        </datasource>',
      ]),
      '    </datasources>',
      '    <Planted>',
      ...ATTRIBUTE_CASES.map((c) => `        <${c.id} ${attrOf(c)}/>`),
      '    </Planted>',
      '</datasources-configuration>',
      '',
    ].join('\n'),
    requests: [
      ...ELEMENT_CASES.map((c) => ({ id: c.id, xpath: `//datasource[name='DS_${c.id}']/definition/configuration/password`, attribute: '-' })),
      ...attributeRequests('/datasources-configuration/Planted'),
    ],
  };
  return [carbon, userMgt, catalina, axis2, datasources];
}

interface Home {
  readonly label: string;
  readonly dir: string;
  readonly home: ProductHome;
  readonly homeDir: string;
  readonly conf: string;
  /** A copy of the conf folder before any fix: what the JDK parser reads the planted values from. */
  readonly original: string;
}

function makeHome(label: string, eol: '\n' | '\r\n'): Home {
  const dir = tempDir(`planted-${label}`);
  const homeDir = path.join(dir, 'wso2am-2.6.0');
  const conf = path.join(homeDir, 'repository', 'conf');
  keytoolGenerate(path.join(homeDir, 'repository', 'resources', 'security'), 'wso2carbon.jks', { type: 'JKS', alias: 'wso2carbon', storePassword: STORE_PASSWORD });
  for (const planted of plantedFiles()) {
    // Every line end of the file in the file's style; lone CRs planted in values stay as they are.
    writeText(path.join(conf, planted.file), eol === '\n' ? planted.text : planted.text.replace(/\r?\n/g, '\r\n'));
  }
  const original = path.join(dir, 'original-conf');
  copyTree(conf, original);
  const home = homeOfConfDir(conf.replace(/\\/g, '/'));
  assert.ok(home);
  return { label, dir, home, homeDir, conf, original };
}

function keyOf(home: ProductHome): SecureVaultKey {
  const files = secureVaultFiles(home);
  const carbonText = readText(files.carbonXml);
  const keystore = resolveKeystore({ home, secretConf: readText(files.secretConf), carbonXml: carbonText ? parseXml(carbonText) : undefined });
  if (!keystore.ok) assert.fail(keystore.error.message);
  const certificate = verifyKeystore({
    bytes: fs.readFileSync(keystore.value.path),
    type: keystore.value.type,
    alias: keystore.value.alias,
    storePassword: keystore.value.passwordFromCarbonXml,
    label: keystore.value.path,
  });
  if (!certificate.ok) assert.fail(certificate.error.message);
  return secureVaultKey(keystore.value, certificate.value);
}

/** The quick fix, one finding at a time, re-analysing the file and re-reading the properties files in between. */
async function quickFixEverything(h: Home): Promise<number> {
  const key = keyOf(h.home);
  const files = secureVaultFiles(h.home);
  let fixes = 0;
  for (const planted of plantedFiles()) {
    const file = path.join(h.conf, planted.file).replace(/\\/g, '/');
    for (;;) {
      const analysed = await analyseFile(file);
      if (analysed.passwords.length === 0) break;
      assert.ok(fixes < 500, 'the fixes converge');
      const outcome = planSecureVault({
        file: { location: analysed.location, doc: analysed.doc, findings: analysed.passwords },
        finding: analysed.passwords[0],
        security: { cipherText: readText(files.cipherText), cipherTool: readText(files.cipherTool), secretConf: readText(files.secretConf) },
        key,
      });
      if (!outcome.ok) assert.fail(`${planted.file}: ${outcome.error.code}: ${outcome.error.message}`);
      assert.ok(outcome.value.fix);
      applyFixToDisk(outcome.value.fix);
      fixes++;
    }
  }
  return fixes;
}

/** Distinctive pieces of every planted value (letters and digits, 4 or more): none may reach any output. */
function fragments(): string[] {
  const all = new Set<string>();
  for (const c of [...ELEMENT_CASES, ...ATTRIBUTE_CASES]) {
    const text = c.raw.replace(/<!--.*?-->|<\?.*?\?>|<!\[CDATA\[|\]\]>|&[#\w]+;/g, ' ');
    for (const m of text.match(/[A-Za-z0-9]{4,}/g) ?? []) if (!/^(Pass|password)$/i.test(m)) all.add(m);
  }
  for (const extra of ['entSecret2', 'CommentSecret2', 'Trq9', 'stq9-s3cret', 'Trq9stq9', 'Https-s3cret', 'AxisHttps']) all.add(extra);
  return [...all];
}

function assertNoFragment(output: string, where: string): void {
  for (const fragment of fragments()) assert.ok(!output.includes(fragment), `${where} contains "${fragment}", a fragment of a planted secret`);
}

interface JavaResults {
  decrypted: Map<string, Map<string, string>>;
  reads: Map<string, { count: number; value: string; alias: string }>;
}

/** One JVM: `check` (decrypt cipher-text.properties) for every home, then every read request. */
function runJava(homes: Home[], requests: string[]): JavaResults {
  const requestFile = path.join(homes[0].dir, 'requests.tsv');
  fs.writeFileSync(requestFile, requests.join('\n') + '\n', 'utf8');
  const args = [JAVA_CHECK];
  for (const h of homes) args.push('mark', h.label, '--', 'check', h.conf, h.homeDir, STORE_PASSWORD, STORE_PASSWORD, '--');
  args.push('read', requestFile);
  const out = execFileSync('java', args, { stdio: 'pipe', maxBuffer: 64 * 1024 * 1024 }).toString();
  const results: JavaResults = { decrypted: new Map(), reads: new Map() };
  let current: Map<string, string> | undefined;
  for (const line of out.split('\n')) {
    const cells = line.split('\t');
    if (cells[0] === 'mark') results.decrypted.set(cells[1], (current = new Map()));
    else if (cells[0] === 'decrypt') current!.set(cells[1], cells[2].startsWith('!') ? cells[2] : Buffer.from(cells[2], 'base64').toString('utf8'));
    else if (cells[0] === 'read') results.reads.set(cells[1], { count: Number(cells[2]), value: cells[3] === '-' ? '-' : Buffer.from(cells[3], 'base64').toString('utf8'), alias: cells[4] });
  }
  return results;
}

test('planted passwords: the quick fix and CLI encrypt encrypt exactly what a JDK XML parser reads, in LF and CRLF files', { skip: hasJava() ? false : 'no JDK' }, async () => {
  const homes = [makeHome('quick-lf', '\n'), makeHome('quick-crlf', '\r\n'), makeHome('cli-lf', '\n'), makeHome('cli-crlf', '\r\n')];
  const plantedCount = plantedFiles().reduce((n, p) => n + p.requests.length, 0);

  // Every planted place is a finding, and no message or data holds a fragment of it.
  for (const planted of plantedFiles()) {
    const analysed = await analyseFile(path.join(homes[1].conf, planted.file).replace(/\\/g, '/'));
    const extra = planted.file === 'carbon.xml' ? 2 : 0; // the keystore's own Password and KeyPassword
    assert.equal(analysed.passwords.length, planted.requests.length + extra, `${planted.file}: one finding per planted password`);
    assertNoFragment(JSON.stringify(analysed.findings), `${planted.file} findings`);
  }

  for (const h of homes.slice(0, 2)) assert.ok((await quickFixEverything(h)) >= plantedCount);
  for (const h of homes.slice(2)) {
    const dry = await cli(['encrypt', '--dry-run', 'wso2am-2.6.0'], h.dir, { env: {} });
    assert.equal(dry.code, 0, dry.err);
    assertNoFragment(dry.out + dry.err, 'encrypt --dry-run');
    const run = await cli(['encrypt', 'wso2am-2.6.0'], h.dir, { env: {} });
    assert.equal(run.code, 0, run.err);
    assertNoFragment(run.out + run.err, 'encrypt');
  }

  const requests: string[] = [];
  for (const h of homes) {
    for (const planted of plantedFiles()) {
      for (const r of planted.requests) {
        requests.push([`${h.label}/${planted.file}/${r.id}/original`, path.join(h.original, planted.file), r.xpath, r.attribute].join('\t'));
        requests.push([`${h.label}/${planted.file}/${r.id}/fixed`, path.join(h.conf, planted.file), r.xpath, r.attribute].join('\t'));
      }
    }
  }
  const java = runJava(homes, requests);
  let checked = 0;
  for (const h of homes) {
    const decrypted = java.decrypted.get(h.label);
    assert.ok(decrypted, `${h.label}: the JDK read the home`);
    for (const planted of plantedFiles()) {
      for (const r of planted.requests) {
        const where = `${h.label} ${planted.file} ${r.id}`;
        const original = java.reads.get(`${h.label}/${planted.file}/${r.id}/original`);
        const fixed = java.reads.get(`${h.label}/${planted.file}/${r.id}/fixed`);
        assert.ok(original && fixed, where);
        assert.equal(original.count, 1, `${where}: planted once`);
        assert.equal(fixed.count, 1, `${where}: still there after the fix`);
        assert.equal(fixed.value, 'password', `${where}: the whole value became \`password\``);
        assert.notEqual(fixed.alias, '-', `${where}: the element carries its alias`);
        const plain = decrypted.get(fixed.alias);
        assert.ok(plain !== undefined && !plain.startsWith('!'), `${where}: the JDK decrypts ${fixed.alias}`);
        assert.equal(plain, original.value, `${where}: the ciphertext is what the JDK parser reads from the original file`);
        checked++;
      }
    }
  }
  assert.equal(checked, plantedCount * homes.length);
});
