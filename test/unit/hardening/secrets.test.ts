import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Analyzer } from '../../../server/src/service/analyzer';
import { mergeSettings } from '../../../server/src/service/settings';
import { normalizePath } from '../../../server/src/service/workspace/files';
import { DiskFileSource } from '../../../server/src/node/disk-source';
import { walkTargets } from '../../../server/src/cli/walk';
import { corpusDir } from '../../helpers';
import { CARBON_NS, cli, copyTree, examplesDir, tempDir, write } from '../cli/support';

/**
 * No secret in any output of the CLI. Sample product homes (examples/, and the corpus homes when present, copied to
 * a temp folder) get a unique password in every place the plaintext-password rule finds one, plus the places a
 * secret hides elsewhere: a JDBC URL, a commented-out block, a file broken inside a password, an attribute whose
 * password holds an invalid entity, a binary file, a pending cipher-text.properties entry and a settings file. Then
 * every output (stylish, json, sarif, --fix, --quiet, ports, stderr of each) is searched for each password and for
 * every 8-character piece of it, so a partial echo is caught too.
 */

const planted: string[] = [];
function plant(): string {
  const value = `Pl4nt-${planted.length}-Zq7`;
  planted.push(value);
  return value;
}

async function plantEverywhere(root: string): Promise<number> {
  const disk = new DiskFileSource();
  const { files } = await walkTargets([root]);
  const analyzer = new Analyzer({ files: disk });
  let count = 0;
  for (const file of files) {
    const p = normalizePath(file);
    const content = await disk.read(p);
    if (!content) continue;
    const result = await analyzer.analyze(p, content, mergeSettings());
    if (!result.doc) continue;
    const spans = result.findings.filter((f) => f.ruleId === 'plaintext-password').map((f) => f.span).sort((a, b) => b.start - a.start);
    if (spans.length === 0) continue;
    let text = result.doc.text;
    for (const span of spans) text = text.slice(0, span.start) + plant() + text.slice(span.end);
    count += spans.length;
    // Written as UTF-8 without the declaration's other encodings: the planted values are ASCII either way.
    fs.writeFileSync(file, text.replace(/encoding="ISO-8859-1"/, 'encoding="UTF-8"'));
  }
  return count;
}

test('no planted password shows in any output of the CLI', { timeout: 120_000 }, async () => {
  const dir = tempDir('secrets');
  for (const home of fs.readdirSync(examplesDir(), { withFileTypes: true }).filter((e) => e.isDirectory())) copyTree(path.join(examplesDir(), home.name), path.join(dir, 'examples', home.name));
  const corpus = corpusDir();
  if (corpus) for (const home of ['apim-2.6.0', 'is-5.6.0', 'kernel-4.4.35']) copyTree(path.join(corpus, home, 'repository', 'conf'), path.join(dir, 'corpus', home, 'repository', 'conf'));
  const inPlaces = await plantEverywhere(dir);
  assert.ok(inPlaces >= 10, `passwords planted in ${inPlaces} places`);

  // Where secrets hide besides the places the rule reports.
  const extra = 'extra/repository/conf';
  const url = plant();
  write(dir, `${extra}/datasources/master-datasources.xml`, `<datasources-configuration><providers><provider>org.wso2.carbon.ndatasource.rdbms.RDBMSDataSourceReader</provider></providers><datasources><datasource><name>WSO2_CARBON_DB</name><jndiConfig><name>jdbc/WSO2CarbonDB</name></jndiConfig><definition type="RDBMS"><configuration><url>jdbc:h2:./repository/database/WSO2CARBON_DB;USER=sa;PASSWORD=${url}</url><username>sa</username><password>${plant()}</password><driverClassName>org.h2.Driver</driverClassName></configuration></definition></datasource></datasources></datasources-configuration>\n`);
  write(dir, `${extra}/carbon.xml`, `<Server xmlns="${CARBON_NS}">\n  <!-- <Security><KeyStore><Password>${plant()}</Password></KeyStore></Security> -->\n  <Security><KeyStore><Password>${plant()}</Password></KeyStore></Security>\n</Server>\n`);
  write(dir, `${extra}/user-mgt.xml`, `<UserManager><Realm><Configuration><AdminUser><Password>${plant()}<</Password></AdminUser></Configuration></Realm></UserManager>\n`);
  write(dir, `${extra}/tomcat/catalina-server.xml`, `<Server port="8005"><Service><Connector port="9443" SSLEnabled="true" sslEnabledProtocols="TLSv1" keystorePass="${plant()}&amp" truststorePass="${plant()}"/></Service></Server>\n`);
  write(dir, `${extra}/registry.xml`, Buffer.concat([Buffer.from('<wso2registry><dbConfig name="x"><password>'), Buffer.from([0, 1]), Buffer.from(`${plant()}</password></dbConfig></wso2registry>\n`)]));
  write(dir, `${extra}/axis2/axis2.xml`, `<axisconfig><transportReceiver name="https" class="org.apache.synapse.transport.passthru.PassThroughHttpSSLListener"><parameter name="keystore"><KeyStore><Password>${plant()}</Password></KeyStore></parameter><parameter name="mail.smtp.password">${plant()}</paramter></transportReceiver></axisconfig>\n`);
  write(dir, `${extra}/security/cipher-text.properties`, `Some.Alias=[${plant()}]\n`);
  // An unescaped `<` inside a password (issue 10 item 8): sax recovers by opening an element named after the rest of
  // the secret, which must not reach the path, the message or the alias of the passwords after it.
  write(dir, 'broken/repository/conf/carbon.xml', `<Server xmlns="${CARBON_NS}">\n  <Security>\n    <KeyStore>\n      <Password>${plant()}<${plant()}</Password>\n      <KeyAlias>wso2carbon</KeyAlias>\n      <KeyPassword>${plant()}</KeyPassword>\n    </KeyStore>\n    <TrustStore><Password>${plant()}</Password></TrustStore>\n  </Security>\n</Server>\n`);
  const badSettings = write(dir, 'bad-settings.json', JSON.stringify({ tlsProfile: plant(), portOffset: plant(), rules: { 'plaintext-password': plant() } }));

  const runs = [
    await cli(['.'], dir),
    await cli(['--format', 'json', '.'], dir),
    await cli(['--format', 'sarif', '.'], dir),
    await cli(['--quiet', '--format', 'json', '.'], dir),
    await cli(['--config', badSettings, '.'], dir),
    await cli(['ports', '.'], dir),
    await cli(['ports', '--format', 'json', '.'], dir),
    await cli(['ports', '--format', 'markdown', '.'], dir),
    await cli(['--fix', '--format', 'sarif', '.'], dir),
    await cli(['encrypt', '--dry-run', 'broken'], dir, { env: {} }),
  ];
  const report = JSON.parse(runs[1].out) as { findings: { ruleId: string }[] };
  assert.ok(report.findings.filter((f) => f.ruleId === 'plaintext-password').length >= inPlaces, 'the findings are there; only the values are not');
  assert.equal(runs[4].code, 2, 'the bad settings file is a usage error');
  assert.match(runs[8].err, /fixed /, '--fix did run');

  const outputs = runs.map((r, i) => ({ i, text: `${r.out}\n${r.err}` }));
  for (const secret of planted) {
    for (const { i, text } of outputs) {
      assert.ok(!text.includes(secret), `run ${i} prints the planted password ${secret}`);
      for (let k = 0; k + 8 <= secret.length; k++) {
        const piece = secret.slice(k, k + 8);
        assert.ok(!text.includes(piece), `run ${i} prints a piece (${piece}) of ${secret}`);
      }
    }
  }
});
