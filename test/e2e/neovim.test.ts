import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { IN_CI, ROOT, VSIX, missing, newRun, prepareWorkspace, runGroup, unpackVsix } from './harness';

/**
 * Neovim 0.7's built-in LSP client against the bundled server, taken out of the packaged VSIX (bin/ + dist/server.js)
 * and started as `wso2-config-language-server --stdio`: diagnostics, a hover, and the Secure Vault code action applied
 * with vim.lsp.util.apply_workspace_edit (test/e2e/nvim/lsp-check.lua), then the files checked on disk.
 */

const SCRIPT = path.join(ROOT, 'test', 'e2e', 'nvim', 'lsp-check.lua');
const ALIAS = 'Carbon.Security.KeyStore.Password';

test('Neovim: diagnostics, hover and the Secure Vault code action over --stdio, and a deployment.toml home', { timeout: 180_000 }, async (t) => {
  const reason = missing({ vsix: true, nvim: true, keytool: true });
  if (reason) {
    if (IN_CI) assert.fail(reason);
    t.skip(reason);
    return;
  }
  const run = newRun('nvim');
  const workspace = await prepareWorkspace(run);
  const extension = unpackVsix(VSIX, path.join(run.dir, 'extension'));
  const server = path.join(extension, 'bin', 'wso2-config-language-server');
  fs.chmodSync(server, 0o755);
  const logFile = path.join(run.artefacts, 'nvim.out');
  const code = await runGroup('nvim', ['--headless', '--clean', '-n', '-i', 'NONE', '-u', 'NONE', '-c', `luafile ${SCRIPT}`], {
    env: { ...run.env, WSO2_E2E_WORKSPACE: workspace, WSO2_E2E_SERVER: server },
    cwd: workspace,
    logFile,
    timeoutMs: 150_000,
  });
  const output = fs.readFileSync(logFile, 'utf8');
  for (const line of output.split('\n').filter((l) => l.trim())) t.diagnostic(line.replace(/\r/g, ''));
  assert.equal(code, 0, `nvim exited with ${code}: ${output.split('\n').find((l) => l.includes('NVIM FAIL')) ?? output.slice(-2000)}`);
  assert.ok(output.includes('NVIM PASSED'));
  assert.ok(output.includes('diagnostic: 142:23 error plaintext-password'), 'the keystore password diagnostic, 1-based line:column');
  assert.ok(output.includes('diagnostic: 62:17 warning port-conflict'));

  assert.ok(output.includes('toml diagnostic: 12:12 error plaintext-password'), 'the [super_admin] password diagnostic on its value');
  assert.ok(output.includes('toml diagnostic: 1:1 warning weak-tls-protocol'), 'the default TLS protocols');
  const toml = fs.readFileSync(path.join(workspace, 'wso2am-4.2.0', 'repository', 'conf', 'deployment.toml'), 'utf8');
  assert.match(toml, /^\[transport\.https\.sslHostConfig\.properties\]\r?\n(?:(?!\[).*\r?\n)*?protocols\s*=\s*\[?\s*"TLSv1\.2/m, 'deployment.toml written by Neovim has the TLS protocols');
  assert.ok(toml.includes('\n[super_admin]\nusername = "admin"\npassword = "admin"\n'), 'the rest of deployment.toml is kept');

  const conf = path.join(workspace, 'wso2am-2.6.0', 'repository', 'conf');
  const xml = fs.readFileSync(path.join(conf, 'carbon.xml'), 'utf8').split('\n')[141];
  assert.equal(xml.trim(), `<Password svns:secretAlias="${ALIAS}">password</Password>`, 'carbon.xml written by Neovim');
  const value = new RegExp(`^${ALIAS.replace(/\./g, '\\.')}=(.*)$`, 'm').exec(fs.readFileSync(path.join(conf, 'security', 'cipher-text.properties'), 'latin1'))?.[1]?.trim();
  assert.ok(value && /^[A-Za-z0-9+/]+={0,2}$/.test(value), `cipher-text.properties has a Base64 value for ${ALIAS}`);
  assert.equal(Buffer.from(value, 'base64').length, 256);
  assert.match(fs.readFileSync(path.join(conf, 'security', 'secret-conf.properties'), 'latin1'), /^secretRepositories=/m);
});
