import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HOMES, SKIP, buildHome, javaVault, modelOf, secretsOf } from '../toml/securevault-support';
import { cli } from './support';

/**
 * `wso2-config-lint` on deployment.toml homes (API Manager 4.2.0, Identity Server 7.1.0, Micro Integrator 4.4.0),
 * built in temp folders from the corpus files read in place: check (stylish, json, SARIF), ports, encrypt.
 */

test('check: toml homes are walked and reported in every format, with exit 1 on errors', { skip: SKIP }, async () => {
  const apim = buildHome('apim');
  const is = buildHome('is');
  const mi = buildHome('mi');
  // Three homes in three temp folders: run from the common parent of the first, naming the other two.
  const root = path.dirname(apim.dir);
  const stylish = await cli(['.', is.dir, mi.dir], root);
  assert.equal(stylish.code, 1, stylish.err);
  assert.match(stylish.out, /wso2am-4\.2\.0\/repository\/conf\/deployment\.toml/);
  assert.match(stylish.out, /wso2mi-4\.4\.0\/conf\/deployment\.toml/);
  assert.match(stylish.out, /plaintext-password/);
  assert.match(stylish.out, /in 3 configuration files of 3 product homes/);
  // APIM and IS at offset 0: port-conflict, on the toml side.
  assert.match(stylish.out, /port-conflict/);
  // Never a secret value: "admin"/"wso2carbon" only appear as key names, not quoted values.
  assert.doesNotMatch(stylish.out, /"wso2carbon"|= "admin"/);

  const json = await cli(['--format', 'json', '.', is.dir], root);
  const parsed = JSON.parse(json.out) as unknown;
  const text = JSON.stringify(parsed);
  assert.match(text, /deployment\.toml/);
  assert.match(text, /"plaintext-password"/);

  const sarif = await cli(['--format', 'sarif', '.'], root);
  const log = JSON.parse(sarif.out) as { runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }[] }[] };
  const ruleIds = log.runs[0].tool.driver.rules.map((r) => r.id);
  assert.ok(ruleIds.includes('secrets-table') && ruleIds.includes('toml-syntax'));
  const results = log.runs[0].results;
  assert.ok(results.length > 0);
  assert.ok(results.every((r) => r.locations[0].physicalLocation.artifactLocation.uri.endsWith('deployment.toml')));
  assert.ok(results.some((r) => r.ruleId === 'h2-datasource' && (r.locations[0].physicalLocation.region?.startLine ?? 0) > 1));
});

test('ports: toml homes with their effective ports (MI at its template default 10) and the conflict of two homes at 0', { skip: SKIP }, async () => {
  const apim = buildHome('apim');
  const is = buildHome('is');
  const mi = buildHome('mi');
  const run = await cli(['ports', apim.dir, is.dir, mi.dir, '--format', 'json'], path.dirname(apim.dir));
  assert.equal(run.code, 1, `a conflict exits 1: ${run.err}`);
  const report = JSON.parse(run.out) as { homes: { home: string; offset: { value: number; source: string }; ports: { label: string; effective: number }[] }[]; conflicts: unknown[] };
  const byHome = (dir: string) => report.homes.find((h) => h.home.endsWith(path.basename(dir)))!;
  assert.deepEqual(byHome(mi.dir).offset, { ...byHome(mi.dir).offset, value: 10, source: 'deployment.toml' });
  const miPorts = Object.fromEntries(byHome(mi.dir).ports.map((p) => [p.label, p.effective]));
  assert.equal(miPorts['PassThrough HTTP (transport.http.listener.parameter.port)'], 8290);
  assert.equal(miPorts['PassThrough HTTPS (transport.https.listener.parameter.port)'], 8253);
  assert.equal(miPorts["management API HTTPS (synapse_properties.'internal.https.api.port')"], 9164);
  const apimPorts = Object.fromEntries(byHome(apim.dir).ports.map((p) => [p.label, p.effective]));
  assert.equal(apimPorts['PassThrough HTTPS (gateway) (transport.passthru_https.listener.parameters.port)'], 8243);
  assert.equal(report.conflicts.length, 1);
});

test('encrypt: --dry-run masks, the run writes [secrets] as the last table, the JDK decrypts it, a second run has nothing to do', { skip: SKIP }, async () => {
  const home = buildHome('apim');
  const original = fs.readFileSync(home.tomlPath, 'utf8');
  const cwd = path.dirname(home.dir);
  const dry = await cli(['encrypt', '--dry-run', path.basename(home.dir)], cwd, { env: {} });
  assert.equal(dry.code, 0, dry.err);
  assert.match(dry.out, /Would encrypt \d+ passwords? in wso2am-4\.2\.0/);
  assert.match(dry.out, /^-password = \*{8}$/m);
  assert.match(dry.out, /^\+password = "\$secret\{[a-z_]+\}"$/m);
  // Usernames and key aliases stay readable; no password value does, on either side of the diff.
  assert.doesNotMatch(dry.out, /^[ +-]\s*\w*password\s*=\s*"(?!\$secret\{)(?![A-Za-z0-9+/]{300,}={0,2}"$)/im, 'no plaintext password in a dry run');
  assert.ok(dry.out.includes('username = "admin"'), 'context lines that are no secret are shown');
  assert.equal(fs.readFileSync(home.tomlPath, 'utf8'), original, 'a dry run changes nothing');

  const run = await cli(['encrypt', path.basename(home.dir)], cwd, { env: {} });
  assert.equal(run.code, 0, run.err);
  assert.match(run.out, /Encrypted \d+ passwords? in wso2am-4\.2\.0/);
  assert.doesNotMatch(run.out + run.err, /"(wso2carbon|admin)"|= ?(wso2carbon|admin)\b/, 'the report names lines, aliases and files only');
  const model = modelOf(home);
  assert.deepEqual(model.doc.errors, []);
  assert.equal(model.doc.tables[model.doc.tables.length - 1].name, 'secrets');
  const secrets = secretsOf(model);
  assert.ok(secrets.size >= 3);
  const java = javaVault(home, secrets, [HOMES.apim.transformation]);
  for (const [alias] of secrets) assert.doesNotMatch(java.decrypted.get(HOMES.apim.transformation)!.get(alias)!, /^!/, alias);
  assert.ok(!fs.existsSync(home.secretConfPath.replace('secret-conf', 'cipher-text')), 'never cipher-text.properties');

  const again = await cli(['encrypt', path.basename(home.dir)], cwd, { env: {} });
  assert.equal(again.code, 0);
  assert.match(again.out, /No plaintext passwords to encrypt in wso2am-4\.2\.0/);
});

test('encrypt: a PKCS#12 keystore whose password deployment.toml does not hold needs WSO2_KEYSTORE_PASSWORD (exit 2 without it)', { skip: SKIP }, async () => {
  const home = buildHome('is', (corpus) => corpus.replace(/(\[keystore\.primary\][^[]*?password\s*=\s*)"wso2carbon"/, '$1"$env{KS_PW}"'));
  const cwd = path.dirname(home.dir);
  const without = await cli(['encrypt', path.basename(home.dir)], cwd, { env: {} });
  assert.equal(without.code, 2, without.out);
  assert.match(without.err, /WSO2_KEYSTORE_PASSWORD/);
  const withEnv = await cli(['encrypt', path.basename(home.dir)], cwd, { env: { WSO2_KEYSTORE_PASSWORD: 'wso2carbon' } });
  assert.equal(withEnv.code, 0, withEnv.err);
  const secrets = secretsOf(modelOf(home));
  const java = javaVault(home, secrets, [HOMES.is.transformation]);
  assert.equal(java.decrypted.get(HOMES.is.transformation)!.get('super_admin_password'), 'admin');
});
