import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';

/**
 * The extension as users install it (the packaged VSIX), driven through the real `vscode` API in an extension host,
 * on a copy of examples/ (the runner makes it, with a keystore in each product home). The tests run in order and
 * build on each other's state: the quick fix leaves one password encrypted, which the settings test accounts for.
 *
 * Expected findings come from examples/README.md ("Expected findings") and `wso2-config-lint examples`.
 */

const EXTENSION_ID = 'wso2-config.wso2-config';
const SOURCE = 'wso2-config';
const PASSWORD = 'plaintext-password';
const ENCRYPT_TITLE = 'Encrypt with Secure Vault';

/** API Manager's carbon.xml: `line:column severity rule` (1-based) of every diagnostic, and what each covers. */
const AM_CARBON_EXPECTED: readonly { at: string; covers: string | RegExp }[] = [
  { at: '62:17 warning port-conflict', covers: '0' },
  { at: '142:23 error plaintext-password', covers: 'wso2carbon' }, // Security/KeyStore/Password
  { at: '146:26 error plaintext-password', covers: 'wso2carbon' }, // Security/KeyStore/KeyPassword
  { at: '159:23 error plaintext-password', covers: 'wso2carbon' }, // Security/InternalKeyStore/Password
  { at: '163:26 error plaintext-password', covers: 'wso2carbon' }, // Security/InternalKeyStore/KeyPassword
  { at: '176:23 error plaintext-password', covers: 'wso2carbon' }, // Security/TrustStore/Password
  { at: '230:22 warning plaintext-password', covers: /^[^<>\s]+$/ }, // DeploymentSynchronizer/SvnPassword
];
/** 0-based line of the primary keystore password, which the quick fix encrypts. */
const KEYSTORE_PASSWORD_LINE = 141;
const KEYSTORE_ALIAS = 'Carbon.Security.KeyStore.Password';

const SEVERITY = ['error', 'warning', 'information', 'hint'];

function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite needs the copy of examples/ open as the workspace folder');
  return folder.uri.fsPath;
}
const amConf = () => path.join(workspaceDir(), 'wso2am-2.6.0', 'repository', 'conf');
/** The deployment.toml home (API Manager 4.2.0 at offset 5, examples/README.md). */
const am4Toml = () => path.join(workspaceDir(), 'wso2am-4.2.0', 'repository', 'conf', 'deployment.toml');
/** 0-based line of `password = "admin"` under [super_admin] in the toml home. */
const SUPER_ADMIN_PASSWORD_LINE = 11;
const isConf = () => path.join(workspaceDir(), 'wso2is-5.6.0', 'repository', 'conf');

function codeOf(d: vscode.Diagnostic): string | undefined {
  const code = d.code;
  if (code === undefined) return undefined;
  return typeof code === 'object' ? String(code.value) : String(code);
}

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

const summary = (d: vscode.Diagnostic) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${SEVERITY[d.severity]} ${codeOf(d)}`;

/** Polls `probe` until it returns a value; the failure message says what was awaited and what was seen last. */
async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000, lastSeen?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000}s waiting for ${what}${lastSeen ? `; last seen: ${lastSeen()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function open(file: string): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  await vscode.window.showTextDocument(document, { preview: false });
  return document;
}

function hoverText(hovers: vscode.Hover[] | undefined): string {
  return (hovers ?? [])
    .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : String(c))))
    .join('\n---\n');
}

suite('wso2-config in VS Code', () => {
  let extension: vscode.Extension<unknown>;

  suiteSetup(async () => {
    const found = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(found, `extension ${EXTENSION_ID} is not installed`);
    extension = found;
  });

  test('the packaged extension activates on a workspace holding product homes', async () => {
    // workspaceContains:**/repository/conf/carbon.xml activates it at startup, before any file is opened.
    await waitFor('the extension to activate', () => extension.isActive, 30_000);
    const root = extension.extensionPath;
    assert.ok(fs.existsSync(path.join(root, 'dist', 'server.js')), 'dist/server.js is in the extension');
    assert.ok(fs.existsSync(path.join(root, 'dist', 'client.js')), 'dist/client.js is in the extension');
    // The VSIX carries bundles, not sources or dependencies.
    for (const absent of ['node_modules', 'server', 'client', 'test', 'tsconfig.json']) {
      assert.ok(!fs.existsSync(path.join(root, absent)), `${absent} should not be in the packaged extension (${root})`);
    }
  });

  test('opening carbon.xml shows its diagnostics, the same as wso2-config-lint finds', async () => {
    const file = path.join(amConf(), 'carbon.xml');
    const document = await open(file);
    const expected = AM_CARBON_EXPECTED.map((e) => e.at);
    const diagnostics = await waitFor(
      `the ${expected.length} diagnostics of wso2am-2.6.0 carbon.xml`,
      () => {
        const d = ours(document.uri);
        return d.length >= expected.length ? d : undefined;
      },
      30_000,
      () => JSON.stringify(ours(document.uri).map(summary)),
    );
    const sorted = [...diagnostics].sort((a, b) => a.range.start.compareTo(b.range.start));
    assert.deepEqual(sorted.map(summary), expected);
    for (const [i, d] of sorted.entries()) {
      const covered = document.getText(d.range);
      const want = AM_CARBON_EXPECTED[i].covers;
      if (typeof want === 'string') assert.equal(covered, want, `${summary(d)} covers the value`);
      else assert.match(covered, want, `${summary(d)} covers the value`);
      // (The SVN sample value is the word "password", which messages legitimately contain.)
      if (covered === 'wso2carbon') assert.ok(!d.message.includes(covered), `${summary(d)}: the message must not contain the password`);
      assert.ok(typeof d.code === 'object' && d.code.target.toString().includes(`${codeOf(d)}.md`), `${summary(d)} links its rule's documentation`);
    }

    // The CLI packaged in the same VSIX, run over the same workspace, reports exactly these.
    const cli = spawnSync(process.execPath, [path.join(extension.extensionPath, 'dist', 'cli.js'), '--format', 'json', '.'], {
      cwd: workspaceDir(),
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    const report = JSON.parse(cli.stdout) as { findings: { path: string; line: number; column: number; severity: string; ruleId: string }[] };
    const fromCli = report.findings
      .filter((f) => f.path === 'wso2am-2.6.0/repository/conf/carbon.xml')
      .map((f) => `${f.line}:${f.column} ${f.severity} ${f.ruleId}`)
      .sort((a, b) => parseInt(a) - parseInt(b));
    assert.deepEqual(fromCli, expected);
  });

  test('hovering a connector port shows its effective port', async () => {
    const file = path.join(isConf(), 'tomcat', 'catalina-server.xml');
    const document = await open(file);
    // The HTTPS connector's port="9443"; wso2is-5.6.0 runs at offset 1. (redirectPort="9443" is another attribute.)
    const index = document.getText().search(/\bport="9443"/);
    assert.ok(index >= 0, 'port="9443" in wso2is-5.6.0 catalina-server.xml');
    const position = document.positionAt(index + 'port="'.length + 2);
    let last = '';
    const text = await waitFor(
      'a hover with the effective port 9444 (9443 + offset 1) on the HTTPS connector port; is the ports hover feature registered in the server?',
      async () => {
        last = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position));
        return /\*\*9444\*\*/.test(last) ? last : undefined;
      },
      30_000,
      () => JSON.stringify(last),
    );
    assert.match(text, /\*\*9444\*\* = 9443 \+ .*offset.*1/i);
  });

  test('the Secure Vault quick fix encrypts the keystore password through executeCodeActionProvider + its command', async () => {
    const file = path.join(amConf(), 'carbon.xml');
    const document = await open(file);
    const diagnostic = await waitFor('the plaintext-password diagnostic of Security/KeyStore/Password', () =>
      ours(document.uri).find((d) => codeOf(d) === PASSWORD && d.range.start.line === KEYSTORE_PASSWORD_LINE),
    );
    let titles: string[] = [];
    const action = await waitFor(
      `a "${ENCRYPT_TITLE}" quick fix carrying its command; is the Secure Vault code action registered in the server?`,
      async () => {
        const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
          'vscode.executeCodeActionProvider',
          document.uri,
          diagnostic.range,
          vscode.CodeActionKind.QuickFix.value,
        );
        titles = (actions ?? []).map((a) => a.title);
        return (actions ?? []).find((a): a is vscode.CodeAction => a.title === ENCRYPT_TITLE && 'command' in a && !!a.command);
      },
      30_000,
      () => JSON.stringify(titles),
    );
    assert.ok(action.isPreferred, 'the Secure Vault fix is the preferred quick fix');
    // cipher-text.properties is not open: the action runs the server's command, which checks the files it was planned
    // on and applies one workspace edit (one undo), as choosing the quick fix in the light bulb does.
    assert.equal(action.edit, undefined, 'no unversioned edit in the action');
    const command = action.command as vscode.Command;
    const result = await vscode.commands.executeCommand<{ applied: boolean }>(command.command, ...(command.arguments ?? []));
    assert.equal(result?.applied, true, `the command applied the edit: ${JSON.stringify(result)}`);

    const line = document.lineAt(KEYSTORE_PASSWORD_LINE).text;
    assert.equal(line.trim(), `<Password svns:secretAlias="${KEYSTORE_ALIAS}">password</Password>`);
    assert.match(document.getText(), /<Server [^>]*xmlns:svns="http:\/\/org\.wso2\.securevault\/configuration"/);

    // The edit leaves every file it touched dirty; the properties files have no editor, which workspace.saveAll
    // ignores: save each document.
    for (const edited of vscode.workspace.textDocuments.filter((d) => d.isDirty)) assert.ok(await edited.save(), `${edited.uri.fsPath} saved`);
    const security = path.join(amConf(), 'security');
    const onDisk = fs.readFileSync(file, 'utf8');
    assert.ok(onDisk.includes(`<Password svns:secretAlias="${KEYSTORE_ALIAS}">password</Password>`), 'carbon.xml on disk has the alias');
    assert.ok(!onDisk.split('\n')[KEYSTORE_PASSWORD_LINE].includes('wso2carbon'), 'the password left carbon.xml');
    const cipherText = fs.readFileSync(path.join(security, 'cipher-text.properties'), 'latin1');
    const value = new RegExp(`^${KEYSTORE_ALIAS.replace(/\./g, '\\.')}=(.*)$`, 'm').exec(cipherText)?.[1]?.trim();
    const state = () =>
      `documents: ${JSON.stringify(vscode.workspace.textDocuments.map((d) => `${path.basename(d.uri.fsPath)}${d.isDirty ? ' (dirty)' : ''}`))}`;
    assert.ok(value, `cipher-text.properties has ${KEYSTORE_ALIAS}; ${state()}`);
    assert.match(value, /^[A-Za-z0-9+/]+={0,2}$/, `the value in cipher-text.properties on disk is Base64; ${state()}`);
    assert.equal(Buffer.from(value, 'base64').length, 256, 'one RSA-2048 block (the keystore the runner made)');
    assert.ok(cipherText.startsWith('# Sample written for the wso2-config demo'), 'the rest of cipher-text.properties is kept');
    const secretConf = fs.readFileSync(path.join(security, 'secret-conf.properties'), 'latin1');
    assert.match(secretConf, /^secretRepositories=/m, 'secret-conf.properties switches Secure Vault on');

    await waitFor(
      'the diagnostic of the encrypted password to go',
      () => !ours(document.uri).some((d) => d.range.start.line === KEYSTORE_PASSWORD_LINE && codeOf(d) === PASSWORD),
      30_000,
      () => JSON.stringify(ours(document.uri).map(summary)),
    );
  });

  test('a setting change takes effect: wso2Config.rules turns plaintext-password off and back on', async () => {
    const document = await open(path.join(amConf(), 'carbon.xml'));
    // Six plaintext passwords, or five when the quick fix test encrypted the keystore's.
    const passwords = document.lineAt(KEYSTORE_PASSWORD_LINE).text.includes('secretAlias') ? 5 : 6;
    await waitFor(
      `the ${passwords} plaintext-password diagnostics of carbon.xml`,
      () => ours(document.uri).filter((x) => codeOf(x) === PASSWORD).length === passwords,
      30_000,
      () => JSON.stringify(ours(document.uri).map(summary)),
    );
    const config = vscode.workspace.getConfiguration('wso2Config');
    await config.update('rules', { [PASSWORD]: 'off' }, vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor(
        'the plaintext-password diagnostics to go while port-conflict stays',
        () => {
          const d = ours(document.uri);
          return !d.some((x) => codeOf(x) === PASSWORD) && d.some((x) => codeOf(x) === 'port-conflict');
        },
        30_000,
        () => JSON.stringify(ours(document.uri).map(summary)),
      );
    } finally {
      await config.update('rules', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor(
      `the ${passwords} plaintext-password diagnostics to come back`,
      () => ours(document.uri).filter((x) => codeOf(x) === PASSWORD).length === passwords,
      30_000,
      () => JSON.stringify(ours(document.uri).map(summary)),
    );
  });
  test('deployment.toml: the plaintext [super_admin] password on its value and the default TLS protocols', async () => {
    const document = await open(am4Toml());
    assert.equal(document.lineAt(SUPER_ADMIN_PASSWORD_LINE).text, 'password = "admin"');
    const diagnostics = await waitFor(
      'the plaintext-password and weak-tls-protocol diagnostics of deployment.toml',
      () => {
        const d = ours(document.uri);
        return d.some((x) => codeOf(x) === PASSWORD && x.range.start.line === SUPER_ADMIN_PASSWORD_LINE) && d.some((x) => codeOf(x) === 'weak-tls-protocol') ? d : undefined;
      },
      30_000,
      () => JSON.stringify(ours(document.uri).map(summary)),
    );
    const admin = diagnostics.find((d) => codeOf(d) === PASSWORD && d.range.start.line === SUPER_ADMIN_PASSWORD_LINE)!;
    assert.equal(summary(admin), '12:12 error plaintext-password');
    assert.equal(document.getText(admin.range), '"admin"', 'the diagnostic covers the value');
    assert.ok(!admin.message.includes('"admin"'), 'the message does not quote the password');
    // The sample sets no TLS key: each finding names the table to set, on line 1, as the product's defaults apply.
    const tls = diagnostics.filter((d) => codeOf(d) === 'weak-tls-protocol');
    assert.equal(tls.length, 6, JSON.stringify(tls.map((d) => d.message)));
    assert.ok(tls.every((d) => summary(d) === '1:1 warning weak-tls-protocol'));
    assert.ok(tls.some((d) => d.message.includes('[transport.https.sslHostConfig.properties] protocols')));
  });

  test('deployment.toml: hovering [server] offset shows the effective ports', async () => {
    const document = await open(am4Toml());
    const line = document.getText().split('\n').findIndex((l) => l.startsWith('offset = 5'));
    assert.ok(line >= 0, 'offset = 5 in deployment.toml');
    let last = '';
    const text = await waitFor(
      'a hover with the port offset and the effective HTTPS port 9448 on [server] offset',
      async () => {
        last = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(line, 1)));
        return /9448/.test(last) ? last : undefined;
      },
      30_000,
      () => JSON.stringify(last),
    );
    assert.match(text, /\*\*Port offset 5\*\*/);
    assert.match(text, /\| servlet HTTPS \(Tomcat\) \| `transport\.https\.properties\.port` \| 9443 \| 9448 \|/);
  });

  test('deployment.toml: the TLS quick fix writes the protocols of the servlet transport', async () => {
    const document = await open(am4Toml());
    const diagnostic = await waitFor('the weak-tls-protocol diagnostic of the servlet transport', () =>
      ours(document.uri).find((d) => codeOf(d) === 'weak-tls-protocol' && d.message.includes('[transport.https.sslHostConfig.properties] protocols')),
    );
    let titles: string[] = [];
    const action = await waitFor(
      'a TLS protocols quick fix with an edit',
      async () => {
        const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>('vscode.executeCodeActionProvider', document.uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
        titles = (actions ?? []).map((a) => a.title);
        return (actions ?? []).find((a): a is vscode.CodeAction => /TLS protocols of .*Tomcat/.test(a.title) && 'edit' in a && !!a.edit);
      },
      30_000,
      () => JSON.stringify(titles),
    );
    assert.ok(await vscode.workspace.applyEdit(action.edit!), 'the edit applies');
    assert.ok(await document.save(), 'deployment.toml saved');
    const onDisk = fs.readFileSync(am4Toml(), 'utf8');
    const table = /^\[transport\.https\.sslHostConfig\.properties\]\r?\n((?:(?!\[).*\r?\n?)*)/m.exec(onDisk);
    assert.ok(table, `the table is in deployment.toml:\n${onDisk}`);
    assert.match(table[1], /^protocols\s*=\s*\[?\s*"TLSv1\.2/m);
    assert.ok(onDisk.includes('password = "admin"\n') && onDisk.startsWith('# Sample written for the wso2-config demo'), 'the rest of the file is kept');
    await waitFor(
      'the servlet transport\'s weak-tls-protocol diagnostic to go',
      () => !ours(document.uri).some((d) => codeOf(d) === 'weak-tls-protocol' && d.message.includes('[transport.https.sslHostConfig.properties] protocols')) && ours(document.uri).filter((d) => codeOf(d) === 'weak-tls-protocol').length === 5,
      30_000,
      () => JSON.stringify(ours(document.uri).map((d) => `${summary(d)} ${d.message.slice(0, 80)}`)),
    );
  });

  test('deployment.toml: Encrypt with Secure Vault moves the [super_admin] password to [secrets] through its command', async () => {
    const document = await open(am4Toml());
    const diagnostic = await waitFor('the plaintext-password diagnostic of [super_admin] password', () =>
      ours(document.uri).find((d) => codeOf(d) === PASSWORD && d.range.start.line === SUPER_ADMIN_PASSWORD_LINE),
    );
    let titles: string[] = [];
    const action = await waitFor(
      `a "${ENCRYPT_TITLE}" quick fix carrying its command`,
      async () => {
        const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>('vscode.executeCodeActionProvider', document.uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
        titles = (actions ?? []).map((a) => a.title);
        return (actions ?? []).find((a): a is vscode.CodeAction => a.title === ENCRYPT_TITLE && 'command' in a && !!a.command);
      },
      30_000,
      () => JSON.stringify(titles),
    );
    assert.equal(action.edit, undefined, 'no unversioned edit in the action');
    const command = action.command as vscode.Command;
    const result = await vscode.commands.executeCommand<{ applied: boolean }>(command.command, ...(command.arguments ?? []));
    assert.equal(result?.applied, true, `the command applied the edit: ${JSON.stringify(result)}`);
    for (const edited of vscode.workspace.textDocuments.filter((d) => d.isDirty)) assert.ok(await edited.save(), `${edited.uri.fsPath} saved`);
    const onDisk = fs.readFileSync(am4Toml(), 'utf8');
    const alias = /^\[super_admin\]\r?\n(?:(?!\[).*\r?\n)*?password\s*=\s*"\$secret\{([A-Za-z0-9_.-]+)\}"/m.exec(onDisk)?.[1];
    assert.ok(alias, `[super_admin] password refers to a secret:\n${onDisk}`);
    assert.ok(!/^password = "admin"/m.test(onDisk), 'the plain password left deployment.toml');
    // [secrets] is the last table (the cipher tool reads it to the end of the file) and holds the cipher text.
    const secrets = /^\[secrets\]\r?\n([^]*)$/m.exec(onDisk)?.[1];
    assert.ok(secrets !== undefined && !secrets.includes('\n['), `[secrets] is the last table:\n${onDisk}`);
    const value = new RegExp(`^${alias.replace(/\./g, '\\.')}\\s*=\\s*"([^"]*)"`, 'm').exec(secrets)?.[1];
    assert.ok(value && /^[A-Za-z0-9+/]+={0,2}$/.test(value), `[secrets] ${alias} is Base64: ${JSON.stringify(value?.slice(0, 12))}`);
    // The runner made the home's default keystore (repository/resources/security/wso2carbon.jks, RSA 2048): the cipher
    // text is one RSA block, possibly inside the cipher tool's self-contained JSON envelope.
    const bytes = Buffer.from(value, 'base64');
    assert.ok(bytes.length === 256 || bytes.toString('latin1').startsWith('{'), `one RSA-2048 block or an envelope (${bytes.length} bytes)`);
    await waitFor(
      'the diagnostic of the encrypted password to go',
      () => !ours(document.uri).some((d) => codeOf(d) === PASSWORD && d.range.start.line === SUPER_ADMIN_PASSWORD_LINE),
      30_000,
      () => JSON.stringify(ours(document.uri).map(summary)),
    );
  });
});
