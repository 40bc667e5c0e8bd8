import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../../helpers';
import { parseXml } from '../../../server/src/service/model/xml';
import { homeOfConfDir } from '../../../server/src/service/workspace/files';
import { verifyKeystore } from '../../../server/src/service/keystore';
import { planSecureVault, resolveKeystore, secureVaultFiles, secureVaultKey } from '../../../server/src/service/fixes/secure-vault';
import { analyseFile, applyFixToDisk, copyTree, datasourcesXml, hasJava, keytoolGenerate, readText, tempDir, writeText } from './support';
import { cli } from '../cli/support';

/**
 * A password inside a JDBC URL of master-datasources.xml (a MySQL query string's `&amp;password=`, an H2 URL's
 * `;PASSWORD=`): DataSourceUtils.secureLoadElement (carbon-kernel v4.4.35, core/org.wso2.carbon.ndatasource.core/
 * src/main/java/org/wso2/carbon/ndatasource/core/utils/DataSourceUtils.java) replaces the whole text of an element
 * carrying svns:secretAlias, so the whole URL is encrypted and `<url>` becomes `password`. The JDK decrypts each
 * ciphertext to exactly what a JDK XML parser reads as the `<url>` text of the original file, by the quick fix and by
 * CLI `encrypt`.
 */

const STORE_PASSWORD = 'Url-Store-3';
const JAVA_CHECK = path.join(projectRoot(), 'test', 'java', 'SecureVaultCheck.java');
const SECRETS = ['Secret-1', 'H2-Secret-2'];

const DATASOURCES = datasourcesXml([
  { name: 'MYSQL_DB', configuration: ['<url>jdbc:mysql://h/db?user=u&amp;password=Secret-1</url>', '<driverClassName>com.mysql.jdbc.Driver</driverClassName>'] },
  {
    name: 'H2_DB',
    configuration: ['<url>jdbc:h2:./repository/database/WSO2CARBON_DB;DB_CLOSE_ON_EXIT=FALSE;USER=wso2;PASSWORD=H2-Secret-2</url>', '<driverClassName>org.h2.Driver</driverClassName>'],
  },
]);

const CARBON = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">',
  '    <Security>',
  '        <KeyStore>',
  '            <Location>${carbon.home}/repository/resources/security/wso2carbon.jks</Location>',
  '            <Type>JKS</Type>',
  `            <Password svns:secretAlias="Carbon.Security.KeyStore.Password" xmlns:svns="http://org.wso2.securevault/configuration">password</Password>`,
  '            <KeyAlias>wso2carbon</KeyAlias>',
  '        </KeyStore>',
  '    </Security>',
  '</Server>',
  '',
].join('\n');

const REQUESTS = [
  { id: 'MYSQL', xpath: "//datasource[name='MYSQL_DB']/definition/configuration/url" },
  { id: 'H2', xpath: "//datasource[name='H2_DB']/definition/configuration/url" },
];

function makeHome(label: string) {
  const dir = tempDir(`jdbc-${label}`);
  const homeDir = path.join(dir, 'wso2am-2.6.0');
  const conf = path.join(homeDir, 'repository', 'conf');
  keytoolGenerate(path.join(homeDir, 'repository', 'resources', 'security'), 'wso2carbon.jks', { type: 'JKS', alias: 'wso2carbon', storePassword: STORE_PASSWORD });
  // carbon.xml's own password is protected already: only the URLs are plaintext passwords.
  writeText(path.join(conf, 'carbon.xml'), CARBON);
  writeText(path.join(conf, 'datasources', 'master-datasources.xml'), DATASOURCES);
  const original = path.join(dir, 'original-conf');
  copyTree(conf, original);
  const home = homeOfConfDir(conf.replace(/\\/g, '/'));
  assert.ok(home);
  return { label, dir, homeDir, conf, original, home };
}

test('a JDBC URL password (MySQL &amp;password=, H2 ;PASSWORD=) round-trips as the whole <url> text, quick fix and CLI', { skip: hasJava() ? false : 'no JDK' }, async () => {
  const quick = makeHome('quick');
  const file = path.join(quick.conf, 'datasources', 'master-datasources.xml').replace(/\\/g, '/');
  const files = secureVaultFiles(quick.home);
  const carbonText = readText(files.carbonXml)!;
  const keystore = resolveKeystore({ home: quick.home, secretConf: undefined, carbonXml: parseXml(carbonText) });
  if (!keystore.ok) assert.fail(keystore.error.message);
  const certificate = verifyKeystore({ bytes: fs.readFileSync(keystore.value.path), type: 'JKS', alias: 'wso2carbon', storePassword: STORE_PASSWORD, label: keystore.value.path });
  if (!certificate.ok) assert.fail(certificate.error.message);
  const key = secureVaultKey(keystore.value, certificate.value);

  const first = await analyseFile(file);
  assert.equal(first.passwords.length, 2);
  assert.ok(first.passwords.every((f) => (f.data as { partOfText?: boolean }).partOfText === true));
  assert.deepEqual(first.passwords.map((f) => first.doc.text.slice(f.span.start, f.span.end)), SECRETS, 'the finding covers the password only');
  for (let fixes = 0; ; fixes++) {
    const analysed = await analyseFile(file);
    if (analysed.passwords.length === 0) break;
    assert.ok(fixes < 2);
    const outcome = planSecureVault({
      file: { location: analysed.location, doc: analysed.doc, findings: analysed.passwords },
      finding: analysed.passwords[0],
      security: { cipherText: readText(files.cipherText), cipherTool: readText(files.cipherTool), secretConf: readText(files.secretConf) },
      key,
    });
    if (!outcome.ok) assert.fail(outcome.error.message);
    for (const note of outcome.value.notes) for (const secret of SECRETS) assert.ok(!note.includes(secret));
    applyFixToDisk(outcome.value.fix!);
  }

  const viaCli = makeHome('cli');
  const run = await cli(['encrypt', 'wso2am-2.6.0'], viaCli.dir, { env: { WSO2_KEYSTORE_PASSWORD: STORE_PASSWORD } });
  assert.equal(run.code, 0, run.err);
  assert.match(run.out, /^Encrypted 2 passwords/);
  for (const secret of SECRETS) assert.ok(!(run.out + run.err).includes(secret));

  const homes = [quick, viaCli];
  const requests: string[] = [];
  for (const h of homes) {
    for (const r of REQUESTS) {
      requests.push([`${h.label}/${r.id}/original`, path.join(h.original, 'datasources', 'master-datasources.xml'), r.xpath, '-'].join('\t'));
      requests.push([`${h.label}/${r.id}/fixed`, path.join(h.conf, 'datasources', 'master-datasources.xml'), r.xpath, '-'].join('\t'));
    }
  }
  const requestFile = path.join(quick.dir, 'requests.tsv');
  fs.writeFileSync(requestFile, requests.join('\n') + '\n', 'utf8');
  const args = [JAVA_CHECK];
  for (const h of homes) args.push('mark', h.label, '--', 'check', h.conf, h.homeDir, STORE_PASSWORD, STORE_PASSWORD, '--');
  args.push('read', requestFile);
  const out = execFileSync('java', args, { stdio: 'pipe' }).toString();
  const decrypted = new Map<string, Map<string, string>>();
  const reads = new Map<string, { count: number; value: string; alias: string }>();
  let current: Map<string, string> | undefined;
  for (const line of out.split('\n')) {
    const cells = line.split('\t');
    if (cells[0] === 'mark') decrypted.set(cells[1], (current = new Map()));
    else if (cells[0] === 'decrypt') current!.set(cells[1], cells[2].startsWith('!') ? cells[2] : Buffer.from(cells[2], 'base64').toString('utf8'));
    else if (cells[0] === 'read') reads.set(cells[1], { count: Number(cells[2]), value: cells[3] === '-' ? '-' : Buffer.from(cells[3], 'base64').toString('utf8'), alias: cells[4] });
  }
  for (const h of homes) {
    for (const r of REQUESTS) {
      const where = `${h.label} ${r.id}`;
      const original = reads.get(`${h.label}/${r.id}/original`)!;
      const fixed = reads.get(`${h.label}/${r.id}/fixed`)!;
      assert.equal(original.count, 1, where);
      assert.ok(SECRETS.some((s) => original.value.includes(s)) && original.value.startsWith('jdbc:'), `${where}: the parser reads the whole URL`);
      assert.equal(fixed.value, 'password', `${where}: the whole <url> text became \`password\``);
      assert.notEqual(fixed.alias, '-', `${where}: <url> carries the alias`);
      assert.equal(decrypted.get(h.label)!.get(fixed.alias), original.value, `${where}: the JDK decrypts exactly the URL the parser read`);
    }
  }
  assert.equal(reads.get('quick/MYSQL/original')!.value, 'jdbc:mysql://h/db?user=u&password=Secret-1', '&amp; is read as &');
});
