import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MemoryFileSource, analyzeIn, projectRoot } from '../../helpers';
import { createService } from '../../../server/src/service';
import { DEFAULT_SETTINGS } from '../../../server/src/service/settings';

/**
 * Issue 14: `${admin.password}` in api-manager.xml is a reference (APIUtil.replaceSystemProperty, carbon-apimgt v6.4.50),
 * not plain text: no finding, and the hover says what it resolves to and in what state that value is in this home,
 * without ever showing the value.
 */

const CORPUS = path.join(projectRoot(), '..', 'shared', 'corpus', 'apim-2.6.0', 'repository', 'conf');
const HAVE_CORPUS = fs.existsSync(path.join(CORPUS, 'api-manager.xml'));
const CONF = '/ws/wso2am-2.6.0/repository/conf';
const API_MANAGER = `${CONF}/api-manager.xml`;

async function hoverAt(files: MemoryFileSource, needle: string, occurrence = 0) {
  const service = createService({ files });
  const content = (await files.read(API_MANAGER))!;
  const text = content.kind === 'text' ? content.text : Buffer.from(content.bytes).toString('utf8');
  let at = -1;
  for (let i = 0; i <= occurrence; i++) at = text.indexOf(needle, at + 1);
  assert.ok(at >= 0, needle);
  const hover = await service.hover({ path: API_MANAGER, content, settings: DEFAULT_SETTINGS, offset: at + 3 });
  return { hover, text, at };
}

test('${admin.password} in api-manager.xml: no finding; the hover names user-mgt.xml and whether the password there is protected', { skip: !HAVE_CORPUS && 'no corpus' }, async () => {
  const apiManager = fs.readFileSync(path.join(CORPUS, 'api-manager.xml'), 'utf8');
  const userMgt = fs.readFileSync(path.join(CORPUS, 'user-mgt.xml'), 'utf8');
  const files = new MemoryFileSource({ [API_MANAGER]: apiManager, [`${CONF}/user-mgt.xml`]: userMgt, [`${CONF}/carbon.xml`]: fs.readFileSync(path.join(CORPUS, 'carbon.xml'), 'utf8') });
  const { findings } = await analyzeIn(files, API_MANAGER);
  assert.deepEqual(findings.filter((f) => f.ruleId === 'plaintext-password' && f.covered.includes('${admin.password}')), [], 'a reference is not plain text');

  const userMgtLine = userMgt.split('\n').findIndex((l) => l.includes('<Password>admin</Password>')) + 1;
  assert.ok(userMgtLine > 0);
  const plain = await hoverAt(files, '${admin.password}');
  assert.ok(plain.hover, 'a hover on line 23');
  assert.equal(plain.text.slice(plain.hover.span!.start, plain.hover.span!.end), '${admin.password}');
  assert.equal(plain.text.slice(0, plain.at).split('\n').length, 23);
  const markdown = plain.hover.markdown;
  assert.match(markdown, /^\*\*`\$\{admin\.password\}`\*\* is a reference, not a value written here/);
  assert.match(markdown, /system property `admin\.password`/);
  assert.match(markdown, /user-mgt\.xml \(`UserManager\/Realm\/Configuration\/AdminUser\/Password`\), read through the Secure Vault alias `UserManager\.AdminUser\.Password`/);
  assert.ok(markdown.includes(`user-mgt.xml line ${userMgtLine} holds it in plain text`), markdown);
  assert.match(markdown, /carbon-apimgt v6\.4\.50/);
  assert.ok(!/\badmin<|>admin\b|`admin`/.test(markdown), 'never the value');

  // Inside the AMQP URL of JMSConnectionParameters (line 597), the second reference of the line.
  const url = await hoverAt(files, '${admin.password}@clientid');
  assert.equal(url.text.slice(0, url.at).split('\n').length, 597);
  assert.equal(url.text.slice(url.hover!.span!.start, url.hover!.span!.end), '${admin.password}');
  const username = await hoverAt(files, '${admin.username}');
  assert.match(username.hover!.markdown, /the admin user's name from user-mgt\.xml/);
  assert.match(username.hover!.markdown, /In this home: user-mgt\.xml line \d+\./);

  // Once user-mgt.xml's password is behind Secure Vault, the hover says so.
  files.set(`${CONF}/user-mgt.xml`, userMgt.replace('<Password>admin</Password>', '<Password xmlns:svns="http://org.wso2.securevault/configuration" svns:secretAlias="UserManager.AdminUser.Password">password</Password>'));
  const protectedHover = await hoverAt(files, '${admin.password}');
  assert.match(protectedHover.hover!.markdown, /In this home it is protected: user-mgt\.xml line \d+ carries `svns:secretAlias="UserManager\.AdminUser\.Password"`/);

  // An unknown placeholder gets no reference hover.
  files.set(API_MANAGER, apiManager.replace('<Password>${admin.password}</Password>', '<Password>${other.thing}</Password>'));
  assert.equal((await hoverAt(files, '${other.thing}')).hover, undefined);
});
