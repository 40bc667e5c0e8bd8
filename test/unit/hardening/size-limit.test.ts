import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSource } from '../../helpers';
import { FileContent, createService, mergeSettings } from '../../../server/src/service';
import { DEFAULT_MAX_FILE_BYTES } from '../../../server/src/service/workspace/decode';
import { CATALINA, carbonXml, offsetOf } from '../ports/fixtures';

/**
 * Hover, inlay hints, definition and code actions honour the size limit diagnostics honour (16 MB): a file over it is
 * answered empty without being decoded or parsed. Each request is first shown to answer on the same file under the
 * limit, so an empty answer over it means the limit, not a file the request has nothing to say about.
 */

const CONF = '/ws/wso2is-5.6.0/repository/conf';
const NS = 'xmlns:svns="http://org.wso2.securevault/configuration"';
const USER_MGT = [
  `<UserManager ${NS}>`,
  '    <Realm>',
  '        <Configuration>',
  '            <AdminUser><UserName>admin</UserName><Password svns:secretAlias="UserManager.AdminUser.Password">password</Password></AdminUser>',
  '        </Configuration>',
  '        <UserStoreManager class="org.wso2.carbon.user.core.ldap.ReadWriteLDAPUserStoreManager">',
  '            <Property name="ConnectionURL">ldap://localhost:${Ports.EmbeddedLDAP.LDAPServerPort}</Property>',
  '            <Property name="ConnectionPassword">admin</Property>',
  '        </UserStoreManager>',
  '    </Realm>',
  '</UserManager>',
  '',
].join('\n');
/** etc/jmx.xml as the Carbon kernel ships it (wso2/carbon-kernel v4.4.x): no rule covers it, its ports have hovers. */
const JMX = '<JMX xmlns="http://wso2.org/projects/carbon/jmx.xml">\n    <RMIRegistryPort>${Ports.JMX.RMIRegistryPort}</RMIRegistryPort>\n</JMX>\n';

const settings = mergeSettings();
/** Offset 2: the hints show the effective ports. */
const CARBON = carbonXml({ offset: '2' });

function setup() {
  const files = new MemoryFileSource({
    [`${CONF}/carbon.xml`]: CARBON,
    [`${CONF}/tomcat/catalina-server.xml`]: CATALINA,
    [`${CONF}/user-mgt.xml`]: USER_MGT,
    [`${CONF}/etc/jmx.xml`]: JMX,
    [`${CONF}/security/cipher-text.properties`]: 'UserManager.AdminUser.Password=[password]\n',
  });
  return { files, service: createService({ files }) };
}

/** Content of more than the limit whose bytes cannot be read at all: any decode or parse of it throws. */
function untouchableOversized(): FileContent {
  const bytes = new Proxy(new Uint8Array(0), {
    get(_target, key) {
      if (key === 'length' || key === 'byteLength') return DEFAULT_MAX_FILE_BYTES + 1;
      throw new Error(`the oversized content was read (${String(key)})`);
    },
  });
  return { kind: 'bytes', bytes, version: 'oversized' };
}

/** The same file as text over the limit: its own content, padded by a comment. */
function paddedText(text: string): FileContent {
  return { kind: 'text', text: `${text}<!--${' '.repeat(DEFAULT_MAX_FILE_BYTES)}-->\n`, version: 'padded' };
}

async function read(files: MemoryFileSource, path: string): Promise<FileContent> {
  return (await files.read(path))!;
}

test('hover: answers under the limit; over it, nothing, without reading the content', async () => {
  const { files, service } = setup();
  const path = `${CONF}/carbon.xml`;
  const offset = offsetOf(CARBON, '<Offset>2</Offset>', '2');
  assert.match((await service.hover({ path, content: await read(files, path), settings, offset }))?.markdown ?? '', /9445/);
  assert.equal(await service.hover({ path, content: untouchableOversized(), settings, offset }), undefined);
  assert.equal(await service.hover({ path, content: paddedText(CARBON), settings, offset }), undefined);
});

test('hover on an XML file the rules do not cover (ports of etc/jmx.xml): the same limit', async () => {
  const { files, service } = setup();
  const path = `${CONF}/etc/jmx.xml`;
  const offset = offsetOf(JMX, '${Ports.JMX.RMIRegistryPort}', 'RMIRegistryPort');
  assert.match((await service.hover({ path, content: await read(files, path), settings, offset }))?.markdown ?? '', /10001/);
  assert.equal(await service.hover({ path, content: untouchableOversized(), settings, offset }), undefined);
  assert.equal(await service.hover({ path, content: paddedText(JMX), settings, offset }), undefined);
});

test('inlay hints: answer under the limit; over it, none, without reading the content', async () => {
  const { files, service } = setup();
  const path = `${CONF}/tomcat/catalina-server.xml`;
  const range = { from: 0, to: DEFAULT_MAX_FILE_BYTES * 2 };
  assert.ok((await service.inlayHints({ path, content: await read(files, path), settings, ...range })).length > 0);
  assert.deepEqual(await service.inlayHints({ path, content: untouchableOversized(), settings, ...range }), []);
  assert.deepEqual(await service.inlayHints({ path, content: paddedText(CATALINA), settings, ...range }), []);
});

test('definition: answers under the limit; over it, nothing, without reading the content', async () => {
  const { files, service } = setup();
  const path = `${CONF}/user-mgt.xml`;
  const offset = offsetOf(USER_MGT, 'svns:secretAlias=', 'secretAlias');
  assert.equal((await service.definition({ path, content: await read(files, path), settings, offset }))?.path, `${CONF}/security/cipher-text.properties`);
  assert.equal(await service.definition({ path, content: untouchableOversized(), settings, offset }), undefined);
  assert.equal(await service.definition({ path, content: paddedText(USER_MGT), settings, offset }), undefined);
});

test('code actions (fixes of a finding): offered under the limit; over it, none, without reading the content', async () => {
  const { files, service } = setup();
  const path = `${CONF}/user-mgt.xml`;
  const content = await read(files, path);
  const { findings } = await service.analyse({ path, content, settings });
  const finding = findings.find((f) => f.ruleId === 'plaintext-password');
  assert.ok(finding, 'the ConnectionPassword is found');
  assert.ok((await service.fixesFor({ path, content, settings, finding })).length > 0);
  assert.deepEqual(await service.fixesFor({ path, content: untouchableOversized(), settings, finding }), []);
  assert.deepEqual(await service.fixesFor({ path, content: paddedText(USER_MGT), settings, finding }), []);
  assert.equal(service.parse(path, untouchableOversized()), undefined);
});
