import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectRoot } from '../../helpers';
import { RULE_METADATA } from '../../../server/src/service';
import { sarifRules } from '../../../server/src/cli/sarif';
import { runPortsCommand } from '../../../server/src/cli/ports';
import { cli } from '../cli/support';
import { twoProductsAtZero } from '../ports/fixtures';

/**
 * The shape of the code: the fronts (server/src/lsp, server/src/cli) reach the core only through its facade
 * (server/src/service/index.ts), rule metadata lives in one registry that every generated list agrees with, and one
 * home discovery serves every command (a symlinked `conf` included).
 */

const SRC = path.join(projectRoot(), 'server', 'src');
const SERVICE = path.join(SRC, 'service');
const FACADE = path.join(SERVICE, 'index.ts');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** Every module specifier a file imports or requires (static, dynamic, type-only, re-exports). */
function specifiers(text: string): string[] {
  const found: string[] = [];
  const patterns = [/\bfrom\s+['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /^\s*import\s+['"]([^'"]+)['"]/gm];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.push(match[1]);
  return found;
}

/** Imports of `file` that resolve below server/src/service but not to the facade itself. */
function coreImportsBesidesFacade(file: string): string[] {
  return specifiers(fs.readFileSync(file, 'utf8')).filter((spec) => {
    if (!spec.startsWith('.')) return false;
    const resolved = path.resolve(path.dirname(file), spec);
    if (resolved !== SERVICE && !resolved.startsWith(`${SERVICE}${path.sep}`)) return false;
    return resolved !== SERVICE && resolved !== FACADE.replace(/\.ts$/, '') && resolved !== path.join(SERVICE, 'index');
  });
}

test('server/src/lsp and server/src/cli import the core only through service/index.ts', () => {
  const fronts = [...sourceFiles(path.join(SRC, 'lsp')), ...sourceFiles(path.join(SRC, 'cli'))];
  assert.ok(fronts.length >= 10, `found ${fronts.length} front modules`);
  const offending = fronts.flatMap((file) => coreImportsBesidesFacade(file).map((spec) => `${path.relative(SRC, file)}: ${spec}`));
  assert.deepEqual(offending, []);
  // The check itself can fail: a deep import is caught.
  const probe = path.join(SRC, 'lsp', 'probe.ts');
  assert.equal(
    specifiers("import { Analyzer } from '../service/analyzer';").filter((spec) => path.resolve(path.dirname(probe), spec).startsWith(`${SERVICE}${path.sep}`)).length,
    1,
  );
});

test('the client and the server share one protocol module, and the client holds no literal request or command name', () => {
  const client = fs.readFileSync(path.join(projectRoot(), 'client', 'src', 'extension.ts'), 'utf8');
  assert.ok(specifiers(client).includes('../../server/src/protocol'));
  assert.doesNotMatch(client, /['"]wso2Config\/[A-Za-z]+['"]/, 'a custom request name written as a literal');
  assert.doesNotMatch(client, /['"]wso2Config\.[A-Za-z.]+['"]\s*[,)]/, 'a command id written as a literal argument');
  const protocol = fs.readFileSync(path.join(SRC, 'protocol.ts'), 'utf8');
  assert.deepEqual(specifiers(protocol), [], 'the protocol module imports nothing (the client bundle must not pull server code)');
});

// ---- one rule registry -------------------------------------------------------------------------------------------

const ids = RULE_METADATA.map((r) => r.id);

test('package.json contributes wso2Config.rules with exactly the registry ids', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { properties?: Record<string, { enum: string[] }> }> } };
  };
  const rules = manifest.contributes.configuration.properties['wso2Config.rules'].properties!;
  assert.deepEqual(Object.keys(rules).sort(), [...ids].sort());
  for (const id of ids) assert.deepEqual(rules[id].enum, ['error', 'warning', 'information', 'hint', 'off'], id);
});

test('the settings schema lists exactly the registry ids', () => {
  const schema = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'schemas', 'settings.schema.json'), 'utf8')) as { properties: { rules: { propertyNames: { enum: string[] } } } };
  assert.deepEqual([...schema.properties.rules.propertyNames.enum].sort(), [...ids].sort());
});

test('SARIF rule metadata is the registry', () => {
  const rules = sarifRules();
  assert.deepEqual(
    rules.map((r) => [r.id, r.shortDescription.text, r.helpUri, r.properties.tags]),
    RULE_METADATA.map((r) => [r.id, r.description, r.docsUrl, [...r.tags]]),
  );
});

test('every rule has a docs page, listed in the docs index; no page without a rule', () => {
  const docs = path.join(projectRoot(), 'docs', 'rules');
  const index = fs.readFileSync(path.join(docs, 'README.md'), 'utf8');
  const missing = ids.filter((id) => !fs.existsSync(path.join(docs, `${id}.md`)));
  assert.deepEqual(missing, [], 'rules without a docs page');
  const unlisted = ids.filter((id) => !index.includes(`| [${id}](${id}.md) |`));
  assert.deepEqual(unlisted, [], 'rules missing from docs/rules/README.md');
  const pages = fs.readdirSync(docs).filter((n) => n.endsWith('.md') && n !== 'README.md').map((n) => n.slice(0, -3));
  assert.deepEqual(pages.filter((p) => !ids.includes(p as (typeof ids)[number])), [], 'docs pages of no rule');
  for (const rule of RULE_METADATA) assert.ok(rule.docsUrl.endsWith(`/docs/rules/${rule.id}.md`), rule.docsUrl);
});

// ---- one home discovery, symbolic links alike --------------------------------------------------------------------

let dir: string;

before(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'wso2-config-facade-')));
  // Two products at offset 0; the second one's conf folder lives elsewhere and is reached through a symbolic link.
  for (const [absolute, text] of Object.entries(twoProductsAtZero())) {
    const file = path.join(dir, 'ws', absolute.replace(/^\/ws\//, ''));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  const linked = fs.readdirSync(path.join(dir, 'ws')).sort()[1];
  const conf = path.join(dir, 'ws', linked, 'repository', 'conf');
  fs.renameSync(conf, path.join(dir, 'store-conf'));
  fs.symlinkSync(path.join(dir, 'store-conf'), conf, 'dir');
});

after(() => fs.rmSync(dir, { recursive: true, force: true }));

async function ports(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const previous = process.cwd();
  process.chdir(dir);
  try {
    const code = await runPortsCommand(args, (s) => (out += s), (s) => (err += s));
    return { code, out, err };
  } finally {
    process.chdir(previous);
  }
}

test('a home whose conf is a symbolic link is seen by check and by ports alike', async () => {
  const linked = fs.readdirSync(path.join(dir, 'ws')).sort()[1];
  const check = await cli(['--format', 'json', 'ws'], dir);
  const conflicts = (JSON.parse(check.out) as { findings: { ruleId: string; path: string }[] }).findings.filter((f) => f.ruleId === 'port-conflict');
  assert.ok(conflicts.some((f) => f.path.startsWith(`ws/${linked}/`)), `check reports the linked home's conflict: ${JSON.stringify(conflicts)}`);
  const table = await ports(['ws']);
  assert.equal(table.code, 1, table.out + table.err);
  assert.match(table.out, new RegExp(`ws/${linked.replace(/\./g, '\\.')}`), 'ports lists the linked home');
  assert.doesNotMatch(table.out, /No conflicts/);
});

test('no code, schema or user-visible text cites the session fact sheet (a document maintainers do not have)', () => {
  const roots = ['server/src', 'client/src', 'schemas', 'docs', 'test'].map((r) => path.join(projectRoot(), r));
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : /\.(ts|json|md)$/.test(e.name) ? [path.join(dir, e.name)] : []));
  const files = roots.flatMap(walk);
  files.push(path.join(projectRoot(), 'README.md'));
  const needle = ['wso2', 'facts'].join('-');
  assert.deepEqual(files.filter((f) => fs.readFileSync(f, 'utf8').includes(needle)).map((f) => path.relative(projectRoot(), f)), []);
});

test('a second document kind plugs in as a parser plus rules, behind the same service answers', async () => {
  const { createService, LineIndex } = await import('../../../server/src/service');
  const { DEFAULT_SETTINGS } = await import('../../../server/src/service/settings');
  const { homeOfConfDir } = await import('../../../server/src/service/workspace/files');
  const texts = new Map<string, string>([['/h/repository/conf/demo.conf', 'a = 1\npassword = hunter2\n']]);
  const files = {
    read: async (p: string) => (texts.has(p) ? { kind: 'text' as const, text: texts.get(p)!, version: 'v1' } : undefined),
    exists: async (p: string) => texts.has(p),
    list: async () => [],
  };
  const demo = {
    id: 'demo',
    languageId: 'properties',
    watchGlobs: ['**/demo.conf'],
    recognise: (p: string) => (p.endsWith('/demo.conf') ? { kind: 'carbon' as const, path: p, confRelativePath: 'demo.conf', home: homeOfConfDir(p.slice(0, p.lastIndexOf('/'))) } : undefined),
    createEngine: () => ({
      parse: (path: string, content: { kind: string; text?: string }) => {
        const text = content.text ?? '';
        return { kind: demo, location: demo.recognise(path)!, text, lines: new LineIndex(text) };
      },
      analyse: async ({ path, content }: { path: string; content: { kind: string; text?: string } }) => {
        const text = content.text ?? '';
        const start = text.indexOf('hunter2');
        const findings = start < 0 ? [] : [{ ruleId: 'plaintext-password' as const, severity: 'warning' as const, message: 'a password in plain text', span: { start, end: start + 7 } }];
        return { location: demo.recognise(path), doc: undefined, text, lines: new LineIndex(text), findings };
      },
      fixesFor: async ({ path, finding }: { path: string; finding: { span: { start: number; end: number } } }) => [
        { title: 'Use $secret{demo}', ruleId: 'plaintext-password' as const, fix: { title: 'Use $secret{demo}', ruleId: 'plaintext-password' as const, changes: [{ kind: 'edit' as const, path, baseText: texts.get(path)!, replacements: [{ span: finding.span, newText: '$secret{demo}' }] }] } },
      ],
      hover: async ({ offset }: { offset: number }) => ({ markdown: `demo hover at ${offset}`, span: { start: offset, end: offset } }),
    }),
  };
  const service = createService({ files, kinds: [demo] });
  const path0 = '/h/repository/conf/demo.conf';
  const content = (await files.read(path0))!;
  const request = { path: path0, content, settings: DEFAULT_SETTINGS };
  const result = await service.analyse(request);
  assert.deepEqual(result.findings.map((f) => [f.ruleId, content.text.slice(f.span.start, f.span.end)]), [['plaintext-password', 'hunter2']]);
  assert.equal(result.lines?.positionAt(result.findings[0].span.start).line, 1);
  const offers = await service.fixesFor({ ...request, finding: result.findings[0] });
  assert.deepEqual(offers.map((o) => o.title), ['Use $secret{demo}']);
  assert.equal((await service.hover({ ...request, offset: 3 }))?.markdown, 'demo hover at 3');
  assert.equal(service.parse(path0, content)?.kind.id, 'demo');
  assert.equal(service.recognise('/h/repository/conf/carbon.xml')?.kind, 'carbon', 'the XML kind still answers its paths');
});

test('package.json contributes exactly the client commands of the shared protocol module', async () => {
  const { ClientCommands } = await import('../../../server/src/protocol');
  const manifest = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
  assert.deepEqual(manifest.contributes.commands.map((c) => c.command).sort(), Object.values(ClientCommands).sort());
});

test('rules and fixes depend only on ports/values, ports/offset and ports/conflicts', () => {
  const allowed = new Set(['values', 'offset', 'conflicts'].map((m) => path.join(SERVICE, 'ports', m)));
  const offending = [...sourceFiles(path.join(SERVICE, 'rules')), ...sourceFiles(path.join(SERVICE, 'fixes'))].flatMap((file) =>
    specifiers(fs.readFileSync(file, 'utf8'))
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => path.resolve(path.dirname(file), spec))
      .filter((resolved) => (resolved === path.join(SERVICE, 'ports') || resolved.startsWith(path.join(SERVICE, 'ports') + path.sep)) && !allowed.has(resolved))
      .map((resolved) => `${path.relative(SRC, file)} -> ${path.relative(SRC, resolved)}`),
  );
  assert.deepEqual(offending, []);
});

test('a plaintext-password finding marked encryptable: false gets no Encrypt action, only the suppressions', async () => {
  const { createService } = await import('../../../server/src/service');
  const { DEFAULT_SETTINGS } = await import('../../../server/src/service/settings');
  const text = '<UserManager><Realm><Configuration><AdminUser><Password>Xy-42-secret</Password></AdminUser></Configuration></Realm></UserManager>\n';
  const file = '/h/repository/conf/user-mgt.xml';
  const files = { read: async (p: string) => (p === file ? { kind: 'text' as const, text, version: 'v1' } : undefined), exists: async (p: string) => p === file, list: async () => [] };
  let planned = 0;
  const planner = {
    planForFinding: async () => {
      planned++;
      return { error: 'planned' };
    },
    planForFile: async () => ({ error: 'planned' }),
  };
  const service = createService({ files, secureVault: () => planner });
  const request = { path: file, content: (await files.read(file))!, settings: DEFAULT_SETTINGS };
  const [finding] = (await service.analyse(request)).findings.filter((f) => f.ruleId === 'plaintext-password');
  assert.ok(finding);
  assert.deepEqual((await service.fixesFor({ ...request, finding })).map((o) => o.title), ['Encrypt with Secure Vault', 'Disable plaintext-password for this line', 'Disable plaintext-password for this file']);
  assert.equal(planned, 1);
  const marked = { ...finding, data: { ...finding.data, encryptable: false } };
  assert.deepEqual((await service.fixesFor({ ...request, finding: marked })).map((o) => o.title), ['Disable plaintext-password for this line', 'Disable plaintext-password for this file']);
  assert.equal(planned, 1, 'the planner is not even asked');
});
