import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../../helpers';

/**
 * The extension's manifest is ready for the Visual Studio Marketplace and Open VSX: categories the marketplaces know,
 * keywords within vsce's limit, a PNG icon of at least 128×128, license and repository (Open VSX requires both), the
 * workspace-trust and virtual-workspace capabilities declared with their reasons, and a CHANGELOG entry for the
 * version. And the VSIX stays the VS Code extension: none of the npm package's, pre-commit's or CI's files in it.
 */

// https://code.visualstudio.com/api/references/extension-manifest (categories)
const MARKETPLACE_CATEGORIES = new Set([
  'AI', 'Azure', 'Chat', 'Data Science', 'Debuggers', 'Education', 'Extension Packs', 'Formatters', 'Keymaps', 'Language Packs',
  'Linters', 'Machine Learning', 'Notebooks', 'Programming Languages', 'SCM Providers', 'Snippets', 'Testing', 'Themes',
  'Visualization', 'Other',
]);
// vsce refuses more (src/package.ts of microsoft/vscode-vsce: "You exceeded the number of allowed tags (30)").
const MAX_KEYWORDS = 30;

const manifest = () => JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8'));

test('categories, keywords, icon, license and repository suit both marketplaces', () => {
  const m = manifest();
  assert.ok(m.categories.length > 0);
  for (const category of m.categories) assert.ok(MARKETPLACE_CATEGORIES.has(category), `known category ${category}`);
  assert.ok(m.keywords.length > 0 && m.keywords.length <= MAX_KEYWORDS);
  assert.equal(new Set(m.keywords).size, m.keywords.length, 'no keyword twice');
  assert.ok(m.publisher && m.license && m.repository?.url && m.engines?.vscode);
  assert.ok(fs.existsSync(path.join(projectRoot(), 'LICENSE')));

  const icon = fs.readFileSync(path.join(projectRoot(), m.icon));
  assert.deepEqual([...icon.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG (the marketplace rejects SVG icons)');
  // IHDR: width and height, big-endian, at bytes 16 and 20.
  assert.ok(icon.readUInt32BE(16) >= 128 && icon.readUInt32BE(20) >= 128, 'at least 128×128');
});

test('workspace trust and virtual workspaces are declared with their reasons', () => {
  const { untrustedWorkspaces, virtualWorkspaces } = manifest().capabilities;
  for (const [name, capability] of [['untrustedWorkspaces', untrustedWorkspaces], ['virtualWorkspaces', virtualWorkspaces]] as const) {
    assert.equal(typeof capability, 'object', `${name} is an object with a reason`);
    assert.ok([true, false, 'limited'].includes(capability.supported), `${name}.supported`);
    assert.ok(typeof capability.description === 'string' && capability.description.length > 20, `${name}.description says why`);
  }
});

test('CHANGELOG.md has an entry for the manifest\'s version, saying what changed', () => {
  const changelog = fs.readFileSync(path.join(projectRoot(), 'CHANGELOG.md'), 'utf8');
  const version = manifest().version.replace(/\./g, '\\.');
  const entry = new RegExp(`^## ${version}\\b.*\\n([\\s\\S]*?)(?=^## |$(?![\\s\\S]))`, 'm').exec(changelog);
  assert.ok(entry, `a "## ${manifest().version}" section`);
  assert.ok((entry[1].match(/^- /gm) ?? []).length >= 5, 'items saying what the version changed');
});

test('the VSIX holds the extension only: none of the npm package, pre-commit or CI files', { timeout: 60_000 }, () => {
  const vsce = path.join(projectRoot(), 'node_modules', '.bin', 'vsce');
  const files = execFileSync(vsce, ['ls', '--no-dependencies'], { cwd: projectRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n');
  assert.ok(files.includes('package.json') && files.includes('dist/client.js'));
  assert.deepEqual(files.filter((f) => /^(packages|scripts|docs|test)\/|pre-commit|\.ya?ml$|\.tgz$/.test(f)), []);
});
