import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml } from '../../../server/src/service/model/xml';
import { locateConfigFile, matchesRoot } from '../../../server/src/service/workspace/files';

test('repository/conf layout: home is the folder above repository/conf', () => {
  const location = locateConfigFile('/opt/wso2am-2.6.0/repository/conf/tomcat/catalina-server.xml')!;
  assert.equal(location.kind, 'catalina-server');
  assert.equal(location.confRelativePath, 'tomcat/catalina-server.xml');
  assert.deepEqual(location.home, { homeDir: '/opt/wso2am-2.6.0', confDir: '/opt/wso2am-2.6.0/repository/conf', layout: 'repository/conf', distributionDir: '/opt/wso2am-2.6.0' });
});

test('conf layout, including EI/IoT profiles under wso2/<profile>/conf', () => {
  const main = locateConfigFile('/opt/wso2ei-6.5.0/conf/carbon.xml')!;
  assert.equal(main.home?.homeDir, '/opt/wso2ei-6.5.0');
  assert.equal(main.home?.layout, 'conf');
  const broker = locateConfigFile('/opt/wso2ei-6.5.0/wso2/broker/conf/datasources/master-datasources.xml')!;
  assert.equal(broker.kind, 'datasources');
  assert.equal(broker.home?.homeDir, '/opt/wso2ei-6.5.0/wso2/broker');
  assert.equal(broker.home?.distributionDir, '/opt/wso2ei-6.5.0');
});

test('Windows paths are normalised', () => {
  const location = locateConfigFile('C:\\wso2\\is\\repository\\conf\\user-mgt.xml')!;
  assert.equal(location.kind, 'user-mgt');
  assert.equal(location.home?.homeDir, 'c:/wso2/is');
});

test('files are identified by their place, not their name alone', () => {
  assert.equal(locateConfigFile('/x/repository/conf/catalina-server.xml'), undefined, 'catalina-server.xml lives in tomcat/');
  // identity/identity.xml is a kind of its own (issue 14), never carbon.xml; identity.xml elsewhere is nothing.
  assert.equal(locateConfigFile('/x/repository/conf/identity/identity.xml')?.kind, 'identity');
  assert.equal(locateConfigFile('/x/repository/conf/identity.xml'), undefined);
  assert.equal(locateConfigFile('/x/repository/conf/datasources/notes.xml'), undefined);
  assert.equal(locateConfigFile('/x/repository/conf/datasources/analytics-datasources.xml')?.kind, 'datasources');
  const lone = locateConfigFile('/tmp/carbon.xml')!;
  assert.equal(lone.kind, 'carbon');
  assert.equal(lone.home, undefined, 'a lone copy has no product home');
});

test('and by their root element: identity.xml-like roots and catalina roots do not pass as carbon.xml', () => {
  const carbon = parseXml('<Server xmlns="http://wso2.org/projects/carbon/carbon.xml"/>');
  const catalina = parseXml('<Server port="8005"/>');
  const other = parseXml('<Server xmlns="urn:other"/>');
  assert.equal(matchesRoot('carbon', carbon.root), true);
  assert.equal(matchesRoot('catalina-server', carbon.root), false);
  assert.equal(matchesRoot('catalina-server', catalina.root), true);
  assert.equal(matchesRoot('carbon', other.root), false);
  assert.equal(matchesRoot('axis2', parseXml('<axisconfig name="AxisJava2.0"/>').root), true);
  assert.equal(matchesRoot('user-mgt', parseXml('<UserManager/>').root), true);
  assert.equal(matchesRoot('registry', parseXml('<wso2registry/>').root), true);
  assert.equal(matchesRoot('datasources', parseXml('<datasources-configuration/>').root), true);
  assert.equal(matchesRoot('datasources', parseXml('<beans/>').root), false);
});
