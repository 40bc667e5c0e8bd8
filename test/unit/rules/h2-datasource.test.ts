import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeIn, corpusDir, only } from '../../helpers';

const CONF = '/ws/apim/repository/conf';
const DATASOURCES = `${CONF}/datasources/master-datasources.xml`;

function datasource(name: string, jndi: string | undefined, url: string, driver: string): string {
  return [
    '        <datasource>',
    `            <name>${name}</name>`,
    ...(jndi ? ['            <jndiConfig>', `                <name>${jndi}</name>`, '            </jndiConfig>'] : []),
    '            <definition type="RDBMS">',
    '                <configuration>',
    `                    <url>${url}</url>`,
    '                    <username>wso2carbon</username>',
    `                    <driverClassName>${driver}</driverClassName>`,
    '                </configuration>',
    '            </definition>',
    '        </datasource>',
  ].join('\n');
}

function datasourcesFile(...entries: string[]): string {
  return ['<datasources-configuration xmlns:svns="http://org.wso2.securevault/configuration">', '    <datasources>', ...entries, '    </datasources>', '</datasources-configuration>', ''].join('\n');
}

const H2_CARBON = datasource('WSO2_CARBON_DB', 'jdbc/WSO2CarbonDB', 'jdbc:h2:repository/database/WSO2CARBON_DB;DB_CLOSE_ON_EXIT=FALSE', 'org.h2.Driver');
const MYSQL_AM = datasource('WSO2AM_DB', 'jdbc/WSO2AM_DB', 'jdbc:mysql://db.example.com:3306/apimgtdb?user=am&amp;password=s3cret', 'com.mysql.jdbc.Driver');

test('datasources: an H2 datasource is reported on its URL, without echoing the URL', async () => {
  const { findings } = await analyzeIn({ [DATASOURCES]: datasourcesFile(H2_CARBON, MYSQL_AM) }, DATASOURCES);
  const h2 = only(findings, 'h2-datasource');
  assert.equal(h2.length, 1);
  assert.equal(h2[0].line, 10);
  assert.equal(h2[0].covered, 'jdbc:h2:repository/database/WSO2CARBON_DB;DB_CLOSE_ON_EXIT=FALSE');
  assert.equal(h2[0].severity, 'warning');
  assert.match(h2[0].message, /WSO2_CARBON_DB/);
  assert.match(h2[0].message, /jdbc\/WSO2CarbonDB/);
  assert.match(h2[0].message, /shipped for evaluation/);
  assert.match(h2[0].message, /industry-standard RDBMS/);
  assert.ok(!h2[0].message.includes('repository/database'), 'the URL must not be echoed');
  assert.deepEqual(h2[0].finding.data, { datasource: 'WSO2_CARBON_DB', jndiName: 'jdbc/WSO2CarbonDB', detectedBy: 'url' });
});

test('datasources: only the driver says H2 → the finding covers the driver class', async () => {
  const driverOnly = datasource('LEGACY_DB', undefined, '${db.url}', 'org.h2.Driver');
  const { findings } = await analyzeIn({ [DATASOURCES]: datasourcesFile(driverOnly) }, DATASOURCES);
  const h2 = only(findings, 'h2-datasource');
  assert.equal(h2.length, 1);
  assert.equal(h2[0].line, 9);
  assert.equal(h2[0].covered, 'org.h2.Driver');
  assert.match(h2[0].message, /LEGACY_DB \(no JNDI name\)/);
  assert.equal((h2[0].finding.data as { detectedBy: string }).detectedBy, 'driver');
});

test('datasources: production databases and commented-out H2 datasources give nothing', async () => {
  const commented = `        <!--\n${H2_CARBON}\n        -->`;
  const { findings } = await analyzeIn({ [DATASOURCES]: datasourcesFile(MYSQL_AM, commented) }, DATASOURCES);
  assert.deepEqual(only(findings, 'h2-datasource'), []);
});

test('datasources: the severity setting applies', async () => {
  const { findings } = await analyzeIn({ [DATASOURCES]: datasourcesFile(H2_CARBON) }, DATASOURCES, { rules: { 'h2-datasource': 'error' } });
  assert.deepEqual(only(findings, 'h2-datasource').map((f) => f.severity), ['error']);
  const off = await analyzeIn({ [DATASOURCES]: datasourcesFile(H2_CARBON) }, DATASOURCES, { rules: { 'h2-datasource': 'off' } });
  assert.deepEqual(only(off.findings, 'h2-datasource'), []);
});

const USER_MGT = `${CONF}/user-mgt.xml`;
const userMgt = [
  '<UserManager>',
  '    <Realm>',
  '        <Configuration>',
  '            <AddAdmin>true</AddAdmin>',
  '            <Property name="dataSource">jdbc/WSO2CarbonDB</Property>',
  '        </Configuration>',
  '        <UserStoreManager class="org.wso2.carbon.user.core.jdbc.JDBCUserStoreManager">',
  '            <Property name="dataSource">jdbc/WSO2AM_DB</Property>',
  '        </UserStoreManager>',
  '        <UserStoreManager class="org.wso2.carbon.user.core.jdbc.JDBCUserStoreManager">',
  '            <Property name="dataSource">jdbc/Nowhere</Property>',
  '        </UserStoreManager>',
  '        <UserStoreManager class="com.example.SecondaryStore">',
  '            <Property name="dataSource">jdbc/ExtraH2</Property>',
  '        </UserStoreManager>',
  '        <!--UserStoreManager class="org.wso2.carbon.user.core.jdbc.JDBCUserStoreManager">',
  '            <Property name="dataSource">jdbc/WSO2CarbonDB</Property>',
  '        </UserStoreManager-->',
  '    </Realm>',
  '</UserManager>',
  '',
].join('\n');

test('user-mgt.xml: dataSource properties resolving to H2 datasources are reported, naming the datasource and its file', async () => {
  const extra = datasourcesFile(datasource('EXTRA_DB', 'jdbc/ExtraH2', 'jdbc:h2:./repository/database/EXTRA;AUTO_SERVER=TRUE', 'org.h2.Driver'));
  const files = {
    [USER_MGT]: userMgt,
    [DATASOURCES]: datasourcesFile(H2_CARBON, MYSQL_AM),
    [`${CONF}/datasources/extra-datasources.xml`]: extra,
  };
  const { findings } = await analyzeIn(files, USER_MGT);
  const h2 = only(findings, 'h2-datasource');
  assert.deepEqual(
    h2.map((f) => [f.line, f.covered]),
    [
      [5, 'jdbc/WSO2CarbonDB'],
      [14, 'jdbc/ExtraH2'],
    ],
  );
  assert.match(h2[0].message, /^The realm .* uses dataSource jdbc\/WSO2CarbonDB, which is datasource WSO2_CARBON_DB \(defined in datasources\/master-datasources\.xml\)/);
  assert.match(h2[1].message, /com\.example\.SecondaryStore/);
  assert.match(h2[1].message, /EXTRA_DB \(defined in datasources\/extra-datasources\.xml\)/);
  assert.equal((h2[1].finding.data as { definedIn: string }).definedIn, `${CONF}/datasources/extra-datasources.xml`);
});

test('user-mgt.xml: no datasources in the home → no finding (unresolvable references are not this rule’s business)', async () => {
  const { findings } = await analyzeIn({ [USER_MGT]: userMgt }, USER_MGT);
  assert.deepEqual(only(findings, 'h2-datasource'), []);
});

const REGISTRY = `${CONF}/registry.xml`;
const registry = [
  '<wso2registry>',
  '    <currentDBConfig>wso2registry</currentDBConfig>',
  '    <dbConfig name="wso2registry">',
  '        <dataSource>jdbc/WSO2CarbonDB</dataSource>',
  '    </dbConfig>',
  '    <dbConfig name="govregistry">',
  '        <dataSource>jdbc/WSO2CarbonDB</dataSource>',
  '    </dbConfig>',
  '    <dbConfig name="amregistry">',
  '        <dataSource>jdbc/WSO2AM_DB</dataSource>',
  '    </dbConfig>',
  '    <!--remoteInstance url="https://localhost:9443/registry">',
  '        <cacheId>wso2carbon@jdbc:h2:repository/database/WSO2CARBON_DB</cacheId>',
  '    </remoteInstance-->',
  '</wso2registry>',
  '',
].join('\n');

test('registry.xml: each dbConfig dataSource resolving to H2, saying whether it is the currentDBConfig', async () => {
  const { findings } = await analyzeIn({ [REGISTRY]: registry, [DATASOURCES]: datasourcesFile(H2_CARBON, MYSQL_AM) }, REGISTRY);
  const h2 = only(findings, 'h2-datasource');
  assert.deepEqual(
    h2.map((f) => [f.line, f.covered]),
    [
      [4, 'jdbc/WSO2CarbonDB'],
      [7, 'jdbc/WSO2CarbonDB'],
    ],
  );
  assert.match(h2[0].message, /dbConfig "wso2registry", the currentDBConfig/);
  assert.match(h2[0].message, /WSO2_CARBON_DB \(defined in datasources\/master-datasources\.xml\)/);
  assert.match(h2[1].message, /"govregistry" \(not the currentDBConfig/);
  assert.equal((h2[0].finding.data as { isCurrentDBConfig: boolean }).isCurrentDBConfig, true);
  assert.equal((h2[1].finding.data as { isCurrentDBConfig: boolean }).isCurrentDBConfig, false);
});

test('registry.xml: a registry on a production database gives nothing', async () => {
  const onMysql = registry.replace(/jdbc\/WSO2CarbonDB/g, 'jdbc/WSO2AM_DB');
  const { findings } = await analyzeIn({ [REGISTRY]: onMysql, [DATASOURCES]: datasourcesFile(H2_CARBON, MYSQL_AM) }, REGISTRY);
  assert.deepEqual(only(findings, 'h2-datasource'), []);
});

const CARBON = `${CONF}/carbon.xml`;
function carbonWith(h2Block: string): string {
  return [
    '<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">',
    '    <Ports>',
    '        <Offset>0</Offset>',
    '    </Ports>',
    h2Block,
    '</Server>',
    '',
  ].join('\n');
}

test('carbon.xml: an active H2DatabaseConfiguration reports the web console and the TCP server', async () => {
  const block = [
    '    <H2DatabaseConfiguration>',
    '        <property name="web" />',
    '        <property name="webPort">8083</property>',
    '        <property name="webAllowOthers" />',
    '        <property name="tcp" />',
    '        <property name="trace" />',
    '    </H2DatabaseConfiguration>',
  ].join('\n');
  const { findings } = await analyzeIn({ [CARBON]: carbonWith(block) }, CARBON);
  const h2 = only(findings, 'h2-datasource');
  assert.deepEqual(
    h2.map((f) => [f.line, f.covered, f.severity]),
    [
      [6, 'web', 'warning'],
      [9, 'tcp', 'warning'],
    ],
  );
  assert.match(h2[0].message, /web console/);
  assert.match(h2[0].message, /webAllowOthers is set, so any host that reaches port 8083 can connect/);
  assert.match(h2[1].message, /TCP server/);
  assert.match(h2[1].message, /listens on port 9092/);
});

test('carbon.xml: the PostgreSQL server is reported too', async () => {
  const block = '    <H2DatabaseConfiguration>\n        <property name="pg"/>\n    </H2DatabaseConfiguration>';
  const { findings } = await analyzeIn({ [CARBON]: carbonWith(block) }, CARBON);
  assert.deepEqual(only(findings, 'h2-datasource').map((f) => [f.line, f.covered]), [[6, 'pg']]);
});

test('carbon.xml: the shipped commented-out H2DatabaseConfiguration, and one without server flags, give nothing', async () => {
  const commented = ['    <!--H2DatabaseConfiguration>', '        <property name="web" />', '        <property name="tcp" />', '    </H2DatabaseConfiguration-->'].join('\n');
  const noServers = '    <H2DatabaseConfiguration>\n        <property name="baseDir">${carbon.home}</property>\n    </H2DatabaseConfiguration>';
  for (const block of [commented, noServers]) {
    const { findings } = await analyzeIn({ [CARBON]: carbonWith(block) }, CARBON);
    assert.deepEqual(only(findings, 'h2-datasource'), []);
  }
});

test('corpus: APIM 2.6.0 master-datasources.xml has four H2 datasources', async (t) => {
  const corpus = corpusDir();
  if (!corpus) {
    t.skip('corpus not found beside the project (../shared/corpus)');
    return;
  }
  const file = path.join(corpus, 'apim-2.6.0/repository/conf/datasources/master-datasources.xml');
  const target = '/corpus/apim-2.6.0/repository/conf/datasources/master-datasources.xml';
  const { findings } = await analyzeIn({ [target]: fs.readFileSync(file) }, target);
  const h2 = only(findings, 'h2-datasource');
  assert.deepEqual(
    h2.map((f) => [f.line, f.covered.startsWith('jdbc:h2:'), (f.finding.data as { datasource: string }).datasource]),
    [
      [17, true, 'WSO2_CARBON_DB'],
      [39, true, 'WSO2AM_DB'],
      [61, true, 'WSO2AM_STATS_DB'],
      [83, true, 'WSO2_MB_STORE_DB'],
    ],
  );
  assert.match(h2[3].message, /WSO2_MB_STORE_DB \(JNDI name WSO2MBStoreDB\)/);
  for (const f of h2) assert.ok(!f.message.includes(f.covered), 'the URL must not be echoed');
});
