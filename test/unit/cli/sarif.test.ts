import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { ENGINE_FINDINGS, RULES, ruleDocsUrl } from '../../../server/src/service/rules/registry';
import { TOML_RULES } from '../../../server/src/service/toml/analyse';
import { FINGERPRINT_KEY, SRCROOT } from '../../../server/src/cli/sarif';
import { projectRoot } from '../../helpers';
import { carbonXml, catalinaXml, cli, keystoreBlock, tempDir, write } from './support';

/**
 * SARIF 2.1.0 output: valid against the OASIS schema, rules with descriptions and documentation links, results with
 * exact physical locations, fingerprints that survive moved lines, and no snippet (no secret) anywhere.
 */

const SCHEMA = path.resolve(projectRoot(), '..', 'shared', 'schemas', 'sarif-schema-2.1.0.json');

interface SarifLog {
  $schema: string;
  version: string;
  runs: {
    tool: { driver: { name: string; rules: { id: string; shortDescription: { text: string }; helpUri: string }[] } };
    originalUriBaseIds: Record<string, { uri: string }>;
    invocations: { executionSuccessful: boolean; toolExecutionNotifications?: { message: { text: string } }[] }[];
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region?: { startLine: number; startColumn: number; endLine: number; endColumn: number; snippet?: unknown } } }[];
      partialFingerprints: Record<string, string>;
    }[];
  }[];
}

/**
 * The OASIS schema is draft-04 (`id`, not `$id`), which Ajv 8 does not load as such; its keywords are otherwise the
 * draft-07 subset Ajv knows (no boolean exclusiveMinimum), so the root id is renamed and `$schema` dropped. The three
 * formats it uses are checked here rather than through another dependency.
 */
function sarifValidator(): ((log: unknown) => string[]) | undefined {
  if (!fs.existsSync(SCHEMA)) return undefined;
  const schema = JSON.parse(fs.readFileSync(SCHEMA, 'utf8')) as Record<string, unknown>;
  schema.$id = schema.id;
  delete schema.id;
  delete schema.$schema;
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('uri', (value: string) => {
    try {
      return !!new URL(value).protocol;
    } catch {
      return false;
    }
  });
  ajv.addFormat('uri-reference', (value: string) => {
    try {
      return !!new URL(value, 'file:///base/');
    } catch {
      return false;
    }
  });
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  const validate = ajv.compile(schema);
  return (log) => (validate(log) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
}

const PASSWORD = 'Sarif-Planted-9q7x';
const CIPHERS = 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_RC4_128_SHA';

function home(dir: string, name: string, carbonBody: string): void {
  write(dir, `${name}/repository/conf/carbon.xml`, carbonXml(carbonBody));
  write(dir, `${name}/repository/conf/tomcat/catalina-server.xml`, catalinaXml('TLSv1,TLSv1.2', CIPHERS));
}

async function sarifOf(dir: string, args: string[] = ['.']): Promise<{ log: SarifLog; text: string; code: number; err: string }> {
  const run = await cli(['--format', 'sarif', ...args], dir);
  return { log: JSON.parse(run.out) as SarifLog, text: run.out, code: run.code, err: run.err };
}

test('the SARIF log validates against the OASIS 2.1.0 schema', async (t) => {
  const validate = sarifValidator();
  if (!validate) return t.skip(`the SARIF schema is not at ${SCHEMA}`);
  const dir = tempDir('sarif-valid');
  home(dir, 'product', keystoreBlock(PASSWORD, 'wso2carbon'));
  write(dir, 'space dir/repository/conf/carbon.xml', carbonXml(keystoreBlock('x')).replace('</Server>', '<Broken>'));
  write(dir, 'binary/repository/conf/carbon.xml', Buffer.from([0x3c, 0x53, 0, 0, 1, 2]));
  const { log, code } = await sarifOf(dir);
  assert.equal(code, 1);
  assert.deepEqual(validate(log), []);
  // The validator does reject: a level SARIF does not know, a region starting at column 0.
  const broken = structuredClone(log);
  broken.runs[0].results[0].level = 'fatal';
  assert.ok(validate(broken).some((e) => e.includes('/level')));
  const zero = structuredClone(log);
  zero.runs[0].results.find((r) => r.locations[0].physicalLocation.region)!.locations[0].physicalLocation.region!.startColumn = 0;
  assert.ok(validate(zero).some((e) => e.includes('startColumn')));
  // A clean run (no results) validates too.
  const clean = tempDir('sarif-clean');
  write(clean, 'p/repository/conf/carbon.xml', carbonXml());
  const empty = await sarifOf(clean);
  assert.equal(empty.log.runs[0].results.length, 0);
  assert.deepEqual(validate(empty.log), []);
});

test('tool.driver lists every rule with its description and documentation link', async () => {
  const dir = tempDir('sarif-rules');
  write(dir, 'p/repository/conf/carbon.xml', carbonXml());
  const { log } = await sarifOf(dir);
  const driver = log.runs[0].tool.driver;
  assert.equal(log.version, '2.1.0');
  assert.equal(driver.name, 'wso2-config-lint');
  // The XML rules, deployment.toml's own rules (toml/analyse.ts TOML_RULES), then the engine's own findings.
  const tomlOnly = TOML_RULES.map((r) => r.id).filter((id) => !RULES.some((r) => r.id === id));
  assert.deepEqual(tomlOnly, ['toml-syntax', 'secrets-table']);
  assert.deepEqual(driver.rules.map((r) => r.id), [...RULES.map((r) => r.id), ...tomlOnly, ...Object.keys(ENGINE_FINDINGS)]);
  for (const rule of driver.rules) {
    assert.equal(rule.helpUri, ruleDocsUrl(rule.id as never));
    assert.ok(rule.shortDescription.text.length > 10, rule.id);
  }
  assert.equal(driver.rules.find((r) => r.id === 'plaintext-password')!.shortDescription.text, RULES.find((r) => r.id === 'plaintext-password')!.description);
});

test('results carry rule id, level, message and an exact physical location relative to %SRCROOT%', async () => {
  const dir = tempDir('sarif-results');
  home(dir, 'my product', keystoreBlock(PASSWORD, 'wso2carbon'));
  const { log } = await sarifOf(dir);
  const run = log.runs[0];
  assert.equal(run.originalUriBaseIds[SRCROOT].uri, `file://${dir}/`.replace(/ /g, '%20'));
  const passwords = run.results.filter((r) => r.ruleId === 'plaintext-password' && r.locations[0].physicalLocation.artifactLocation.uri.endsWith('carbon.xml'));
  assert.equal(passwords.length, 2);
  const [user, shipped] = passwords;
  assert.equal(user.level, 'warning');
  assert.equal(shipped.level, 'error', 'a shipped default password is an error');
  const location = user.locations[0].physicalLocation;
  assert.deepEqual(location.artifactLocation, { uri: 'my%20product/repository/conf/carbon.xml', uriBaseId: SRCROOT });
  // Line 10 is `      <Password>Sarif-Planted-9q7x</Password>`: the region covers exactly the password.
  const line = carbonXml(keystoreBlock(PASSWORD, 'wso2carbon')).split('\n')[9];
  const startColumn = line.indexOf(PASSWORD) + 1;
  assert.deepEqual(location.region, { startLine: 10, startColumn, endLine: 10, endColumn: startColumn + PASSWORD.length });
  assert.equal(log.runs[0].tool.driver.rules[user.ruleIndex].id, 'plaintext-password');
  const tls = run.results.filter((r) => r.ruleId === 'weak-tls-protocol' || r.ruleId === 'weak-tls-ciphers');
  assert.ok(tls.length >= 2);
  assert.ok(tls.every((r) => r.locations[0].physicalLocation.artifactLocation.uri === 'my%20product/repository/conf/tomcat/catalina-server.xml'));
});

test('a file that could not be analysed is reported on the whole file, without a region', async () => {
  const dir = tempDir('sarif-binary');
  write(dir, 'p/repository/conf/carbon.xml', Buffer.from([0x3c, 0x53, 0x00, 0x01]));
  const { log } = await sarifOf(dir);
  const [result] = log.runs[0].results;
  assert.equal(result.ruleId, 'file-not-analysed');
  assert.equal(result.locations[0].physicalLocation.region, undefined);
});

test('fingerprints ignore line numbers, tell findings apart, and never hash the password', async () => {
  const dir = tempDir('sarif-fingerprints');
  home(dir, 'p', keystoreBlock(PASSWORD, 'another-secret'));
  const first = await sarifOf(dir);
  const prints = (log: SarifLog) => log.runs[0].results.map((r) => `${r.ruleId} ${r.partialFingerprints[FINGERPRINT_KEY]}`).sort();
  const before = prints(first.log);
  assert.ok(first.log.runs[0].results.every((r) => /^[0-9a-f]{64}$/.test(r.partialFingerprints[FINGERPRINT_KEY])));
  assert.equal(new Set(before).size, before.length, 'every finding has its own fingerprint');

  // Lines inserted above, and a different password in the same place: the same fingerprints.
  const moved = carbonXml(`  <!-- a comment\n  over three lines -->\n${keystoreBlock('Changed-Value-1', 'another-secret')}`);
  write(dir, 'p/repository/conf/carbon.xml', moved);
  write(dir, 'p/repository/conf/tomcat/catalina-server.xml', catalinaXml('TLSv1,TLSv1.2', CIPHERS).replace('\n', '\n<!-- moved -->\n\n'));
  const second = await sarifOf(dir);
  assert.deepEqual(prints(second.log), before);
  const lines = (log: SarifLog) => log.runs[0].results.map((r) => r.locations[0].physicalLocation.region?.startLine);
  assert.notDeepEqual(lines(second.log), lines(first.log), 'the findings did move');

  // Another file path: other fingerprints.
  fs.renameSync(path.join(dir, 'p'), path.join(dir, 'q'));
  const renamed = await sarifOf(dir);
  assert.equal(prints(renamed.log).filter((p) => before.includes(p)).length, 0);
});

test('no snippet, no context region and no secret anywhere in the log', async () => {
  const dir = tempDir('sarif-secret');
  home(dir, 'p', keystoreBlock(PASSWORD, 'Second-Planted-7k'));
  write(dir, 'p/repository/conf/user-mgt.xml', `<UserManager><Realm><Configuration><AdminUser><UserName>admin</UserName><Password>Third-Planted-3m</Password></AdminUser></Configuration></Realm></UserManager>\n`);
  const { text, log } = await sarifOf(dir);
  assert.ok(log.runs[0].results.some((r) => r.ruleId === 'plaintext-password'));
  for (const secret of [PASSWORD, 'Second-Planted-7k', 'Third-Planted-3m']) assert.ok(!text.includes(secret), secret);
  assert.ok(!text.includes('"snippet"') && !text.includes('contextRegion'));
});

test('problems met while walking become tool execution notifications', async () => {
  const dir = tempDir('sarif-notifications');
  write(dir, 'p/repository/conf/carbon.xml', carbonXml());
  fs.symlinkSync('missing-target.xml', path.join(dir, 'p/repository/conf/user-mgt.xml'));
  const { log, err } = await sarifOf(dir);
  const notes = log.runs[0].invocations[0].toolExecutionNotifications ?? [];
  assert.equal(notes.length, 1);
  assert.match(notes[0].message.text, /user-mgt\.xml: broken symbolic link/);
  assert.match(err, /user-mgt\.xml: broken symbolic link/);
});

test('port conflicts: one fingerprint per other home, unchanged when a further home appears', async () => {
  const dir = tempDir('sarif-ports');
  const homeAt = (name: string) => {
    write(dir, `${name}/repository/conf/carbon.xml`, carbonXml());
    write(dir, `${name}/repository/conf/tomcat/catalina-server.xml`, catalinaXml('TLSv1.2', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'));
  };
  for (const name of ['a', 'b', 'c']) homeAt(name);
  const conflictsOfA = async () =>
    (await sarifOf(dir)).log.runs[0].results
      .filter((r) => r.ruleId === 'port-conflict' && r.locations[0].physicalLocation.artifactLocation.uri === 'a/repository/conf/carbon.xml')
      .map((r) => ({ other: /product home \S*\/([a-z])(?: |$)/.exec(r.message.text)?.[1], print: r.partialFingerprints[FINGERPRINT_KEY] }));
  const before = await conflictsOfA();
  assert.deepEqual(before.map((c) => c.other).sort(), ['b', 'c']);
  assert.notEqual(before[0].print, before[1].print);
  // A home that sorts first would shift an ordinal; the other home's path keeps the fingerprints.
  homeAt('0');
  const after = await conflictsOfA();
  assert.equal(after.length, 3);
  for (const c of before) assert.equal(after.find((a) => a.other === c.other)?.print, c.print, `conflict with ${c.other}`);
});
