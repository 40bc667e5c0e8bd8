import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeSettings, portOffsetOverrideFor, readEditorSettings, readSettingsFile } from '../../../server/src/service/settings';

test('a valid settings file is read, with or without the wso2Config. prefix', () => {
  const { settings, problems } = readSettingsFile('{ "rules": { "h2-datasource": "off" }, "wso2Config.tlsProfile": "modern", "portOffset": 2 }');
  assert.deepEqual(problems, []);
  assert.deepEqual(settings, { rules: { 'h2-datasource': 'off' }, tlsProfile: 'modern', portOffset: 2 });
});

test('comments and trailing commas are accepted (the file is JSONC like VS Code settings)', () => {
  const { settings, problems } = readSettingsFile('{\n // shared with CI\n "tlsProfile": "legacy",\n}');
  assert.deepEqual(problems, []);
  assert.equal(settings.tlsProfile, 'legacy');
});

test('a bad entry is reported at its range and dropped, the rest still applies', () => {
  const text = '{\n  "rules": { "plaintext-pasword": "off", "h2-datasource": "loud" },\n  "tlsProfile": "modern"\n}';
  const { settings, problems } = readSettingsFile(text);
  assert.equal(settings.tlsProfile, 'modern');
  const messages = problems.map((p) => p.message);
  assert.ok(messages.some((m) => /Unknown rule id "plaintext-pasword"/.test(m)), messages.join('; '));
  assert.ok(messages.some((m) => /rules.h2-datasource must be one of/.test(m)), messages.join('; '));
  const typo = problems.find((p) => /plaintext-pasword/.test(p.message))!;
  assert.equal(text.slice(typo.span!.start, typo.span!.end), '"plaintext-pasword"');
});

test('invalid JSON and a non-object give one clear problem each', () => {
  const broken = readSettingsFile('{ "rules": ');
  assert.equal(broken.problems.length, 1);
  assert.match(broken.problems[0].message, /not valid JSON/);
  assert.match(readSettingsFile('[1]').problems[0].message, /must contain a JSON object/);
});

test('unknown settings are named', () => {
  const { problems } = readSettingsFile('{ "tlsProfle": "modern" }');
  assert.match(problems[0].message, /Unknown setting "tlsProfle"/);
});

test('editor settings: unset values (null) mean "not set"; trace is the client\'s business', () => {
  const { settings, problems } = readEditorSettings({ rules: {}, tlsProfile: null, include: null, trace: { server: 'off' }, portOffset: null });
  assert.deepEqual(problems, []);
  assert.deepEqual(mergeSettings(settings).tlsProfile, 'intermediate');
  assert.equal(mergeSettings(settings).portOffset, null);
});

test('layers merge: the settings file overrides the editor, rule by rule', () => {
  const merged = mergeSettings({ rules: { 'h2-datasource': 'off', 'port-offset': 'warning' }, tlsProfile: 'legacy' }, { rules: { 'h2-datasource': 'error' } });
  assert.deepEqual(merged.rules, { 'h2-datasource': 'error', 'port-offset': 'warning' });
  assert.equal(merged.tlsProfile, 'legacy');
});

test('the port offset override applies to every home, or per home folder', () => {
  assert.equal(portOffsetOverrideFor(mergeSettings({ portOffset: 3 }), '/w/apim'), 3);
  const perHome = mergeSettings({ portOffset: { apim: 1, 'ei/wso2/broker': 3 } });
  assert.equal(portOffsetOverrideFor(perHome, '/w/apim'), 1);
  assert.equal(portOffsetOverrideFor(perHome, '/w/ei/wso2/broker'), 3);
  assert.equal(portOffsetOverrideFor(perHome, '/w/is'), null);
  assert.equal(portOffsetOverrideFor(mergeSettings({}), '/w/is'), null);
});
