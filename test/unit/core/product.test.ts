import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import Ajv from 'ajv';
import products from '../../../schemas/products.json';
import productsSchema from '../../../schemas/products.schema.json';
import { DiskFileSource } from '../../../server/src/node/disk-source';
import { FactsProvider, FileSource, ParseCache } from '../../../server/src/service/workspace/facts';
import { homeOfConfDir } from '../../../server/src/service/workspace/files';
import { ProductFacts, detectProductVersion, honoursPreferredCiphers } from '../../../server/src/service/workspace/product';
import { MemoryFileSource, corpusDir } from '../../helpers';

/**
 * Product and version of a home, from its files: carbon.xml's Name/ServerKey/Version, the marker files and the
 * profile folders. The corpus homes are read in place; EI, ESB and IoT Server homes are fixtures written here.
 */

async function productOf(files: FileSource, confDir: string): Promise<ProductFacts> {
  const home = homeOfConfDir(confDir);
  assert.ok(home, `${confDir} is a conf folder`);
  return (await new FactsProvider(files, new ParseCache()).homeFacts(home, null)).product;
}

function carbonXml(name: string, key: string, version: string): string {
  return `<?xml version="1.0" encoding="ISO-8859-1"?>\n<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">\n    <Name>${name}</Name>\n    <ServerKey>${key}</ServerKey>\n    <Version>${version}</Version>\n    <Ports><Offset>0</Offset></Ports>\n</Server>\n`;
}

const SUMMARY = (p: ProductFacts) => ({ id: p.id, label: p.label, versionKnown: p.versionKnown, jdks: p.jdks, preferredCiphers: p.preferredCiphers });

// ---- the corpus homes, read in place -------------------------------------------------------------------------------

const corpus = corpusDir();
const SKIP = corpus ? false : 'corpus not found beside the project (../shared/corpus)';

test('corpus apim-2.6.0: API Manager by conf/api-manager.xml; the kernel carbon.xml has no version, so it is unknown', { skip: SKIP }, async () => {
  const product = await productOf(new DiskFileSource(), path.join(corpus!, 'apim-2.6.0/repository/conf'));
  assert.deepEqual(SUMMARY(product), {
    id: 'apim',
    label: 'WSO2 API Manager (version unknown)',
    versionKnown: false,
    // 2.0.0 and 2.1.0 support Java 7; 2.0.0's Synapse ignores PreferredCiphers, later ones read it.
    jdks: ['7', '8'],
    preferredCiphers: undefined,
  });
  assert.deepEqual(product.detectedBy, ['conf/api-manager.xml']);
});

test('corpus is-5.6.0: Identity Server by conf/identity/identity.xml, Java 8, no PassThrough', { skip: SKIP }, async () => {
  const product = await productOf(new DiskFileSource(), path.join(corpus!, 'is-5.6.0/repository/conf'));
  assert.deepEqual(SUMMARY(product), { id: 'is', label: 'WSO2 Identity Server (version unknown)', versionKnown: false, jdks: ['8'], preferredCiphers: undefined });
  assert.deepEqual(product.detectedBy, ['conf/identity/identity.xml']);
});

for (const kernel of ['kernel-4.4.7', 'kernel-4.4.35']) {
  test(`corpus ${kernel}: no product, so the conservative assumptions (Java 7 and 8, PreferredCiphers unknown)`, { skip: SKIP }, async () => {
    const product = await productOf(new DiskFileSource(), path.join(corpus!, kernel, 'repository/conf'));
    assert.deepEqual(SUMMARY(product), { id: undefined, label: 'this Carbon product (product and version unknown)', versionKnown: false, jdks: ['7', '8'], preferredCiphers: undefined });
    assert.deepEqual(product.detectedBy, []);
  });
}

// ---- fixtures ------------------------------------------------------------------------------------------------------

/** An EI 6.x distribution: the integrator in conf/, three profiles under wso2/ (broker ships broker.xml, as MB does). */
function eiDistribution(version: string | undefined): MemoryFileSource {
  const carbon = version ? carbonXml('WSO2 Enterprise Integrator', 'EI', version) : carbonXml('${product.name}', '${product.key}', '${product.version}');
  return new MemoryFileSource({
    '/ei/conf/carbon.xml': carbon,
    '/ei/conf/axis2/axis2.xml': '<axisconfig name="AxisJava2.0"/>',
    '/ei/wso2/business-process/conf/carbon.xml': carbon,
    '/ei/wso2/broker/conf/carbon.xml': carbon,
    '/ei/wso2/broker/conf/broker.xml': '<broker/>',
    '/ei/wso2/analytics/conf/carbon.xml': carbon,
    '/ei/wso2/components/plugins/readme.txt': '',
  });
}

test('EI 6.5.0: every profile is EI 6.5.0 (Java 8, Synapse 2.1.7-wso2v111 reads PreferredCiphers), the broker is not MB', async () => {
  const files = eiDistribution('6.5.0');
  const integrator = await productOf(files, '/ei/conf');
  assert.deepEqual(SUMMARY(integrator), { id: 'ei', label: 'WSO2 Enterprise Integrator 6.5.0', versionKnown: true, jdks: ['8'], preferredCiphers: true });
  assert.equal(integrator.synapse, '2.1.7-wso2v111');
  assert.equal(integrator.tomcat, '7.0.93');
  for (const profile of ['business-process', 'broker', 'analytics']) {
    const product = await productOf(files, `/ei/wso2/${profile}/conf`);
    assert.equal(product.id, 'ei', profile);
    assert.equal(product.profile, profile);
    assert.equal(product.label, `WSO2 Enterprise Integrator 6.5.0 (${profile} profile)`);
  }
});

test('EI 6.4.0: Java 7 and 8 (no README statement, the start script accepts both), PreferredCiphers read', async () => {
  const product = await productOf(eiDistribution('6.4.0'), '/ei/conf');
  assert.deepEqual(SUMMARY(product), { id: 'ei', label: 'WSO2 Enterprise Integrator 6.4.0', versionKnown: true, jdks: ['7', '8'], preferredCiphers: true });
});

test('EI profiles without a product carbon.xml: recognised by the distribution\'s profile folders, version unknown', async () => {
  const files = eiDistribution(undefined);
  const broker = await productOf(files, '/ei/wso2/broker/conf');
  assert.equal(broker.id, 'ei', 'broker.xml alone would say Message Broker');
  assert.equal(broker.label, 'WSO2 Enterprise Integrator (broker profile) (version unknown)');
  assert.deepEqual(broker.detectedBy, ['profile folders wso2/business-process in the distribution']);
  assert.deepEqual(broker.jdks, ['7', '8']);
  assert.equal(broker.preferredCiphers, true, 'every EI version listed reads PreferredCiphers');
  assert.equal((await productOf(files, '/ei/conf')).id, 'ei');
});

test('an EI version not in the table: the product is known, the version is said to be unknown', async () => {
  const product = await productOf(eiDistribution('6.1.1'), '/ei/conf');
  assert.equal(product.versionKnown, false);
  assert.equal(product.label, 'WSO2 Enterprise Integrator (version 6.1.1, not one this tool knows)');
  assert.deepEqual(product.jdks, ['7', '8']);
});

test('IoT Server 3.1.0 core and profiles (broker and analytics, no business-process)', async () => {
  const files = new MemoryFileSource({
    '/iot/conf/carbon.xml': carbonXml('${product.name}', '${product.key}', '${product.version}'),
    '/iot/wso2/broker/conf/carbon.xml': carbonXml('${product.name}', '${product.key}', '${product.version}'),
    '/iot/wso2/broker/conf/broker.xml': '<broker/>',
    '/iot/wso2/analytics/conf/carbon.xml': carbonXml('${product.name}', '${product.key}', '${product.version}'),
  });
  assert.equal((await productOf(files, '/iot/conf')).id, 'iots');
  assert.equal((await productOf(files, '/iot/wso2/broker/conf')).id, 'iots');
  const versioned = new MemoryFileSource({ '/iot/conf/carbon.xml': carbonXml('WSO2 IoT Server', 'IOTS', '3.1.0') });
  assert.deepEqual(SUMMARY(await productOf(versioned, '/iot/conf')), { id: 'iots', label: 'WSO2 IoT Server 3.1.0', versionKnown: true, jdks: ['7', '8'], preferredCiphers: true });
});

test('ESB 5.0.0 and API Manager 2.0.0 ship a Synapse that ignores PreferredCiphers; API Manager 2.1.0 and 2.6.0 read it', async () => {
  const esb = await productOf(new MemoryFileSource({ '/esb/repository/conf/carbon.xml': carbonXml('WSO2 Enterprise Service Bus', 'ESB', '5.0.0') }), '/esb/repository/conf');
  assert.deepEqual(SUMMARY(esb), { id: 'esb', label: 'WSO2 Enterprise Service Bus 5.0.0', versionKnown: true, jdks: ['7', '8'], preferredCiphers: false });
  assert.equal(esb.synapse, '2.1.7-wso2v7');
  const apim = async (version: string) =>
    productOf(new MemoryFileSource({ '/am/repository/conf/carbon.xml': carbonXml('WSO2 API Manager', 'AM', version), '/am/repository/conf/api-manager.xml': '<APIManager/>' }), '/am/repository/conf');
  assert.deepEqual(SUMMARY(await apim('2.0.0')), { id: 'apim', label: 'WSO2 API Manager 2.0.0', versionKnown: true, jdks: ['7', '8'], preferredCiphers: false });
  assert.equal((await apim('2.0.0')).tomcat, '7.0.69');
  assert.equal((await apim('2.1.0')).preferredCiphers, true);
  assert.deepEqual(SUMMARY(await apim('2.6.0')), { id: 'apim', label: 'WSO2 API Manager 2.6.0', versionKnown: true, jdks: ['8'], preferredCiphers: true });
});

test('carbon.xml outranks the layout; an unlisted product is named from carbon.xml and treated conservatively', () => {
  // An APIM home ships broker.xml too; its ServerKey says what it is.
  const apim = detectProductVersion({ carbonServerKey: 'AM', carbonVersion: '2.6.0', confFiles: ['broker.xml'], distributionProfiles: [] });
  assert.equal(apim.id, 'apim');
  const mb = detectProductVersion({ confFiles: ['broker.xml'], distributionProfiles: [] });
  assert.equal(mb.id, 'mb');
  const other = detectProductVersion({ carbonName: 'WSO2 Stream Processor', carbonServerKey: 'SP', carbonVersion: '4.0.0', confFiles: [], distributionProfiles: [] });
  assert.deepEqual(SUMMARY(other), { id: undefined, label: 'WSO2 Stream Processor 4.0.0 (a product this tool does not know)', versionKnown: false, jdks: ['7', '8'], preferredCiphers: undefined });
});

test('Synapse reads PreferredCiphers from 2.1.7-wso2v8 (commit 2f43a179) on', () => {
  assert.deepEqual(
    ['2.1.7-wso2v3', '2.1.7-wso2v7', '2.1.7-wso2v8', '2.1.7-wso2v10', '2.1.7-wso2v111', '2.1.6-wso2v99', '3.0.0-wso2v1', 'nonsense'].map(honoursPreferredCiphers),
    [false, false, true, true, true, false, true, false],
  );
});

// ---- the data ------------------------------------------------------------------------------------------------------

test('products.json satisfies products.schema.json, and the schema rejects what would break detection', () => {
  const validate = new Ajv({ allErrors: true, strict: true }).compile(productsSchema);
  const errorsOf = (data: unknown) => (validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
  assert.deepEqual(errorsOf(products), []);
  const copy = () => structuredClone(products) as unknown as Record<string, any>;
  const badSynapse = copy();
  badSynapse.products[0].versions[0].synapse = '2.1.7';
  assert.deepEqual(errorsOf(badSynapse), ['/products/0/versions/0/synapse must match pattern "^[0-9]+\\.[0-9]+\\.[0-9]+-wso2v[0-9]+$"']);
  const noJdks = copy();
  delete noJdks.products[0].versions[0].jdks;
  assert.deepEqual(errorsOf(noJdks), ["/products/0/versions/0 must have required property 'jdks'"]);
  const unsourced = copy();
  delete unsourced.products[0].versions[0].jdkSource;
  assert.deepEqual(errorsOf(unsourced), ["/products/0/versions/0 must have required property 'jdkSource'"]);
});

test('every JDK a product version names is in the JDK table, and every kernel a version names is in the kernel table', () => {
  for (const product of products.products) {
    for (const version of product.versions as { version: string; jdks: string[]; kernel?: string }[]) {
      for (const jdk of version.jdks) assert.ok(jdk in products.jdks, `${product.id} ${version.version}: JDK ${jdk}`);
      if (version.kernel) assert.ok(version.kernel in products.kernels, `${product.id} ${version.version}: kernel ${version.kernel}`);
    }
  }
});
