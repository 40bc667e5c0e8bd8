import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { planDisableForFile, planDisableForLine } from '../../../server/src/service/fixes/suppress';
import { Fix, applyReplacements } from '../../../server/src/service/fixes/types';
import { parseXml } from '../../../server/src/service/model/xml';
import { RuleId } from '../../../server/src/service/types';
import { TestFinding, analyzeText, corpusDir, only } from '../../helpers';

const PASSWORD = 'plaintext-password';
const CARBON = 'carbon.xml';

const CARBON_XML = `<?xml version="1.0" encoding="UTF-8"?>
<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">
    <Security>
        <KeyStore>
            <Location>\${carbon.home}/repository/resources/security/wso2carbon.jks</Location>
            <Password>keystore-secret</Password>
        </KeyStore>
        <TrustStore>
            <Password>truststore-secret</Password>
        </TrustStore>
    </Security>
</Server>
`;

function apply(text: string, fix: Fix): string {
  assert.equal(fix.changes.length, 1);
  const change = fix.changes[0];
  if (change.kind !== 'edit') throw new Error('expected an edit');
  assert.equal(change.baseText, text);
  return applyReplacements(text, change.replacements);
}

async function analyse(confPath: string, text: string): Promise<{ doc: ReturnType<typeof parseXml>; findings: TestFinding[] }> {
  const { result, findings } = await analyzeText(confPath, text);
  return { doc: result.doc!, findings };
}

function lineFix(doc: ReturnType<typeof parseXml>, finding: TestFinding): Fix | undefined {
  return planDisableForLine(doc, '/p/carbon.xml', finding.ruleId as RuleId, finding.finding.span);
}

test('disable for this line: a directive above the line, indented like it; only that finding goes', async () => {
  const { doc, findings } = await analyse(CARBON, CARBON_XML);
  const keystore = only(findings, PASSWORD).find((f) => f.covered === 'keystore-secret')!;
  const fix = lineFix(doc, keystore)!;
  assert.equal(fix.title, 'Disable plaintext-password for this line');
  assert.equal(fix.ruleId, PASSWORD);
  const fixed = apply(CARBON_XML, fix);
  assert.equal(fixed, CARBON_XML.replace('            <Password>keystore', '            <!-- wso2-config-disable-next-line plaintext-password -->\n            <Password>keystore'));
  const after = only((await analyse(CARBON, fixed)).findings, PASSWORD);
  assert.deepEqual(after.map((f) => f.covered), ['truststore-secret']);
  assert.equal(parseXml(fixed).syntaxError, undefined);
});

test('disable for this line merges into the directive already above the line', async () => {
  const spaced = CARBON_XML.replace('            <Password>keystore', '            <!-- wso2-config-disable-next-line h2-datasource -->\n            <Password>keystore');
  const { doc, findings } = await analyse(CARBON, spaced);
  const fixed = apply(spaced, lineFix(doc, only(findings, PASSWORD)[0])!);
  assert.equal(fixed, spaced.replace('disable-next-line h2-datasource -->', 'disable-next-line h2-datasource plaintext-password -->'));
  assert.equal(only((await analyse(CARBON, fixed)).findings, PASSWORD).length, 1);

  const commas = CARBON_XML.replace('            <Password>keystore', '            <!--wso2-config-disable-next-line h2-datasource,port-offset-->\n            <Password>keystore');
  const parsed = await analyse(CARBON, commas);
  const merged = apply(commas, lineFix(parsed.doc, only(parsed.findings, PASSWORD)[0])!);
  assert.ok(merged.includes('<!--wso2-config-disable-next-line h2-datasource,port-offset, plaintext-password-->'));
  assert.equal(parseXml(merged).syntaxError, undefined);
  assert.equal(only((await analyse(CARBON, merged)).findings, PASSWORD).length, 1);
});

test('nothing to do when a directive already covers the finding', async () => {
  const { doc } = await analyse(CARBON, CARBON_XML);
  const start = CARBON_XML.indexOf('keystore-secret');
  const covered = CARBON_XML.replace('            <Password>keystore', '            <!-- wso2-config-disable-next-line -->\n            <Password>keystore');
  const coveredDoc = parseXml(covered);
  const coveredStart = covered.indexOf('keystore-secret');
  assert.equal(planDisableForLine(coveredDoc, '/p', PASSWORD, { start: coveredStart, end: coveredStart + 15 }), undefined, 'an id-less directive covers every rule');
  const wholeFile = parseXml(CARBON_XML.replace('<Server', '<!-- wso2-config-disable plaintext-password -->\n<Server'));
  assert.equal(planDisableForFile(wholeFile, '/p', PASSWORD), undefined);
  assert.equal(planDisableForLine(wholeFile, '/p', PASSWORD, { start, end: start + 15 }), undefined);
  assert.ok(planDisableForLine(doc, '/p', PASSWORD, { start, end: start + 15 }));
});

test('no line directive inside a multi-line start tag or inside an element text; the file directive still works', async () => {
  const catalina = `<?xml version='1.0' encoding='utf-8'?>
<Server port="8005" shutdown="SHUTDOWN">
    <Service name="Catalina">
        <Connector port="9443"
                   SSLEnabled="true"
                   keystorePass="connector-secret"
                   URIEncoding="UTF-8"/>
    </Service>
</Server>
`;
  const { doc, findings } = await analyse('tomcat/catalina-server.xml', catalina);
  const password = only(findings, PASSWORD)[0];
  assert.equal(password.covered, 'connector-secret');
  assert.equal(planDisableForLine(doc, '/p', PASSWORD, password.finding.span), undefined);
  const fix = planDisableForFile(doc, '/p', PASSWORD)!;
  assert.equal(fix.title, 'Disable plaintext-password for this file');
  const fixed = apply(catalina, fix);
  assert.equal(fixed, catalina.replace(`<?xml version='1.0' encoding='utf-8'?>\n`, `<?xml version='1.0' encoding='utf-8'?>\n<!-- wso2-config-disable plaintext-password -->\n`));
  assert.deepEqual(only((await analyse('tomcat/catalina-server.xml', fixed)).findings, PASSWORD), []);

  const leaf = CARBON_XML.replace('<Password>keystore-secret</Password>', '<Password>\n                keystore-secret\n            </Password>');
  const parsed = await analyse(CARBON, leaf);
  const inText = only(parsed.findings, PASSWORD).find((f) => f.covered === 'keystore-secret')!;
  assert.equal(lineFix(parsed.doc, inText), undefined, 'a comment there would become part of the password element');
});

test('disable for this file: at the top without a declaration, after a BOM, merged into an existing file directive', async () => {
  const bare = CARBON_XML.replace('<?xml version="1.0" encoding="UTF-8"?>\n', '');
  const parsedBare = await analyse(CARBON, bare);
  const top = apply(bare, planDisableForFile(parsedBare.doc, '/p', PASSWORD)!);
  assert.equal(top, `<!-- wso2-config-disable plaintext-password -->\n${bare}`);
  assert.deepEqual(only((await analyse(CARBON, top)).findings, PASSWORD), []);

  const bom = `\uFEFF${bare}`;
  const withBom = apply(bom, planDisableForFile(parseXml(bom), '/p', PASSWORD)!);
  assert.equal(withBom, `\uFEFF<!-- wso2-config-disable plaintext-password -->\n${bare}`);

  const existing = CARBON_XML.replace('<Server', '<!-- wso2-config-disable h2-datasource -->\n<Server');
  const merged = apply(existing, planDisableForFile(parseXml(existing), '/p', PASSWORD)!);
  assert.equal(merged, existing.replace('disable h2-datasource -->', 'disable h2-datasource plaintext-password -->'));
  assert.deepEqual(only((await analyse(CARBON, merged)).findings, PASSWORD), []);
});

test('CRLF documents get CRLF; a root on the first line gets its directive above it', async () => {
  const crlf = CARBON_XML.replace(/\n/g, '\r\n');
  const { doc, findings } = await analyse(CARBON, crlf);
  const fixed = apply(crlf, lineFix(doc, only(findings, PASSWORD)[0])!);
  assert.ok(fixed.includes('            <!-- wso2-config-disable-next-line plaintext-password -->\r\n            <Password>keystore'));
  const file = apply(crlf, planDisableForFile(doc, '/p', PASSWORD)!);
  assert.ok(file.startsWith('<?xml version="1.0" encoding="UTF-8"?>\r\n<!-- wso2-config-disable plaintext-password -->\r\n<Server'));

  const oneLine = '<UserManager><Realm><Configuration><AdminUser><UserName>admin</UserName><Password>admin-secret</Password></AdminUser></Configuration></Realm></UserManager>\n';
  const parsed = await analyse('user-mgt.xml', oneLine);
  const finding = only(parsed.findings, PASSWORD)[0];
  const above = apply(oneLine, planDisableForLine(parsed.doc, '/p', PASSWORD, finding.finding.span)!);
  assert.equal(above, `<!-- wso2-config-disable-next-line plaintext-password -->\n${oneLine}`);
  assert.deepEqual(only((await analyse('user-mgt.xml', above)).findings, PASSWORD), []);
});

test('an id that cannot go into an XML comment is refused', () => {
  const doc = parseXml(CARBON_XML);
  const start = CARBON_XML.indexOf('keystore-secret');
  assert.equal(planDisableForLine(doc, '/p', 'bad--id' as RuleId, { start, end: start + 1 }), undefined);
  assert.equal(planDisableForFile(doc, '/p', 'trailing-' as RuleId), undefined);
});

// ---- the real files: every finding of every rule ------------------------------------------------------------------

const CORPUS_FILES: [string, string][] = [
  ['apim-2.6.0/repository/conf/carbon.xml', 'carbon.xml'],
  ['apim-2.6.0/repository/conf/user-mgt.xml', 'user-mgt.xml'],
  ['apim-2.6.0/repository/conf/datasources/master-datasources.xml', 'datasources/master-datasources.xml'],
  ['apim-2.6.0/repository/conf/tomcat/catalina-server.xml', 'tomcat/catalina-server.xml'],
  ['apim-2.6.0/repository/conf/axis2/axis2.xml', 'axis2/axis2.xml'],
];

for (const [file, confPath] of CORPUS_FILES) {
  test(`corpus ${file}: each suppression fix silences what it says, adds one line or merges, keeps the XML well-formed`, async (t) => {
    const corpus = corpusDir();
    if (!corpus) return t.skip('corpus not available (../shared/corpus)');
    const full = path.join(corpus, file);
    if (!fs.existsSync(full)) return t.skip(`${file} not in the corpus`);
    const text = fs.readFileSync(full, 'utf8');
    const { doc, findings } = await analyse(confPath, text);
    assert.ok(findings.length > 0, 'the shipped file has findings');
    let lineFixes = 0;
    for (const finding of findings) {
      const ruleId = finding.ruleId as RuleId;
      const line = planDisableForLine(doc, '/p', ruleId, finding.finding.span);
      if (line) {
        lineFixes++;
        const fixed = apply(text, line);
        assert.equal(parseXml(fixed).syntaxError, undefined);
        assert.equal(fixed.split('\n').length, text.split('\n').length + 1, 'one line added');
        const after = (await analyse(confPath, fixed)).findings;
        // The finding's line moved down by one; nothing of that rule is left on it, everything else is unchanged.
        assert.deepEqual(after.filter((f) => f.ruleId === ruleId && f.line === finding.line + 1), []);
        const untouched = (f: TestFinding, shift: number) => !(f.ruleId === ruleId && f.line === finding.line + shift);
        assert.deepEqual(
          after.filter((f) => untouched(f, 1)).map((f) => [f.ruleId, f.covered]),
          findings.filter((f) => untouched(f, 0)).map((f) => [f.ruleId, f.covered]),
        );
      }
      const whole = planDisableForFile(doc, '/p', ruleId)!;
      const fixed = apply(text, whole);
      assert.equal(parseXml(fixed).syntaxError, undefined);
      const after = (await analyse(confPath, fixed)).findings;
      assert.deepEqual(only(after, ruleId), []);
      assert.equal(after.length, findings.filter((f) => f.ruleId !== ruleId).length);
    }
    if (confPath !== 'tomcat/catalina-server.xml') assert.ok(lineFixes > 0, 'line fixes are offered');
  });
}
