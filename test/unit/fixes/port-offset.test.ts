import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planOffsetFix } from '../../../server/src/service/fixes/port-offset';
import { applyReplacements } from '../../../server/src/service/fixes/types';
import { MemoryFileSource, analyzeIn, only } from '../../helpers';

const CARBON_NS = 'http://wso2.org/projects/carbon/carbon.xml';
const carbon = (offset: string) => `<Server xmlns="${CARBON_NS}">\n  <Ports>\n    <!-- the offset -->\n    <Offset>${offset}</Offset>\n    <JMX><RMIRegistryPort>9999</RMIRegistryPort></JMX>\n  </Ports>\n</Server>\n`;
const catalina = '<Server port="8005">\n  <Service name="Catalina">\n    <Connector port="9443" SSLEnabled="true" sslEnabledProtocols="TLSv1.2" ciphers="TLS_AES_128_GCM_SHA256"/>\n  </Service>\n</Server>\n';

function workspace(): MemoryFileSource {
  return new MemoryFileSource({
    '/ws/a/repository/conf/carbon.xml': carbon('0'),
    '/ws/a/repository/conf/tomcat/catalina-server.xml': catalina,
    '/ws/b/repository/conf/carbon.xml': carbon('0'),
    '/ws/b/repository/conf/tomcat/catalina-server.xml': catalina,
    '/ws/c/repository/conf/carbon.xml': carbon('1'),
    '/ws/c/repository/conf/tomcat/catalina-server.xml': catalina,
  });
}

test('port-conflict fix: sets <Offset> to the lowest free offset, only there, and the conflict is gone', async () => {
  const files = workspace();
  const target = '/ws/a/repository/conf/carbon.xml';
  const [conflict] = only((await analyzeIn(files, target)).findings, 'port-conflict');
  assert.ok(conflict, 'a and b collide at offset 0');
  const fix = planOffsetFix((await analyzeIn(files, target)).result.doc!, target, conflict.finding.data)!;
  assert.equal(fix.title, 'Set the port offset to 2 (the lowest that clears every port conflict)', 'offset 1 is taken by c');
  assert.equal(fix.isPreferred, true);
  const change = fix.changes[0];
  assert.ok(change.kind === 'edit');
  const fixed = applyReplacements(change.baseText, change.replacements);
  assert.equal(fixed, carbon('2'), 'only the number changed; the comment and layout stay');
  files.set(target, fixed);
  assert.deepEqual(only((await analyzeIn(files, target)).findings, 'port-conflict'), []);
  assert.equal(planOffsetFix((await analyzeIn(files, target)).result.doc!, target, { lowestFreeOffset: 2 }), undefined, 'applying twice is a no-op');
});

test('port-conflict fix: nothing to offer without a free offset', async () => {
  const files = workspace();
  const doc = (await analyzeIn(files, '/ws/a/repository/conf/carbon.xml')).result.doc!;
  assert.equal(planOffsetFix(doc, '/ws/a/repository/conf/carbon.xml', { lowestFreeOffset: null }), undefined);
  assert.equal(planOffsetFix(doc, '/ws/a/repository/conf/carbon.xml', undefined), undefined);
});
