-- Neovim 0.7 as an LSP client of wso2-config-language-server --stdio (run by test/e2e/neovim.test.ts):
--   nvim --headless --clean -n -i NONE -u NONE -c 'luafile lsp-check.lua'
-- Environment: WSO2_E2E_WORKSPACE (a copy of examples/ with keystores), WSO2_E2E_SERVER (the server bin).
-- Prints one line per check; exits 0 after "NVIM PASSED", 1 after "NVIM FAIL: ...".
-- 0.7 has no vim.lsp.start: start_client + buf_attach_client.

local function out(s) io.stdout:write(s .. '\n') end
local function fail(msg)
  out('NVIM FAIL: ' .. msg)
  vim.cmd('cquit 1')
end

local workspace = os.getenv('WSO2_E2E_WORKSPACE')
local server = os.getenv('WSO2_E2E_SERVER')
if not workspace or not server then return fail('WSO2_E2E_WORKSPACE and WSO2_E2E_SERVER must be set') end
local carbon = workspace .. '/wso2am-2.6.0/repository/conf/carbon.xml'
local catalina = workspace .. '/wso2is-5.6.0/repository/conf/tomcat/catalina-server.xml'
local toml = workspace .. '/wso2am-4.2.0/repository/conf/deployment.toml'

local client_id = vim.lsp.start_client({
  name = 'wso2-config',
  cmd = { server, '--stdio' },
  root_dir = workspace,
  workspace_folders = { { uri = vim.uri_from_fname(workspace), name = 'workspace' } },
})
if not client_id then return fail('start_client returned nil') end

local function open(file)
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(bufnr, client_id)
  return bufnr
end

local function request(bufnr, method, params)
  local responses, err = vim.lsp.buf_request_sync(bufnr, method, params, 20000)
  if err then return nil, err end
  for _, r in pairs(responses or {}) do
    if r.err then return nil, vim.inspect(r.err) end
    return r.result
  end
  return nil, 'no response'
end

-- 1. diagnostics of API Manager's carbon.xml (published after didOpen)
local buf = open(carbon)
local function ours()
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.source == 'wso2-config' then table.insert(list, d) end
  end
  table.sort(list, function(a, b) return a.lnum < b.lnum end)
  return list
end
if not vim.wait(30000, function() return #ours() >= 7 end, 50) then
  return fail('expected 7 diagnostics on carbon.xml within 30s, got ' .. #ours())
end
local severity = { [vim.diagnostic.severity.ERROR] = 'error', [vim.diagnostic.severity.WARN] = 'warning',
  [vim.diagnostic.severity.INFO] = 'information', [vim.diagnostic.severity.HINT] = 'hint' }
for _, d in ipairs(ours()) do
  local code = d.user_data and d.user_data.lsp and d.user_data.lsp.code or d.code
  out(string.format('diagnostic: %d:%d %s %s', d.lnum + 1, d.col + 1, severity[d.severity], tostring(code)))
end

-- 2. hover on the HTTPS connector port of Identity Server (offset 1)
local cbuf = open(catalina)
local port_line
for i, line in ipairs(vim.api.nvim_buf_get_lines(cbuf, 0, -1, false)) do
  if line:match('^%s*port="9443"') then port_line = i - 1 break end
end
if not port_line then return fail('port="9443" not found in ' .. catalina) end
local col = vim.api.nvim_buf_get_lines(cbuf, port_line, port_line + 1, false)[1]:find('9443', 1, true) + 1
local hover, herr
vim.wait(30000, function()
  hover, herr = request(cbuf, 'textDocument/hover', { textDocument = { uri = vim.uri_from_bufnr(cbuf) }, position = { line = port_line, character = col } })
  return hover ~= nil and hover.contents ~= nil and (hover.contents.value or ''):find('9444', 1, true) ~= nil
end, 500)
local hover_text = hover and hover.contents and (hover.contents.value or vim.inspect(hover.contents)) or tostring(herr)
out('hover: ' .. hover_text:gsub('\n', ' '))
if not hover_text:find('**9444** = 9443 +', 1, true) then return fail('no hover with the effective port 9444 (is the ports hover feature in the server?)') end

-- 3. the Secure Vault code action on the keystore password: its command (0.7 has no codeAction/resolve) runs on the
-- server, which checks the files the action was planned on and sends the edit back through workspace/applyEdit
vim.cmd('buffer ' .. buf)
local target
for _, d in ipairs(ours()) do
  if d.lnum == 141 then target = d end
end
if not target then return fail('no diagnostic on carbon.xml line 142') end
-- 0.7 keeps only code, data and tags of the LSP diagnostic in user_data.lsp: rebuild it.
local lsp = target.user_data and target.user_data.lsp or {}
local diagnostic = {
  range = { start = { line = target.lnum, character = target.col }, ['end'] = { line = target.end_lnum, character = target.end_col } },
  message = target.message, severity = target.severity, source = target.source, code = lsp.code or target.code, data = lsp.data,
}
local action, titles
vim.wait(30000, function()
  local actions = request(buf, 'textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(buf) }, range = diagnostic.range,
    context = { diagnostics = { diagnostic }, only = { 'quickfix' } },
  }) or {}
  titles = {}
  for _, a in ipairs(actions) do
    table.insert(titles, a.title)
    if a.title == 'Encrypt with Secure Vault' and a.command then action = a end
  end
  return action ~= nil
end, 500)
out('code actions: ' .. table.concat(titles or {}, ' | '))
if not action then return fail('no "Encrypt with Secure Vault" action with a command (is the Secure Vault code action in the server?)') end
if action.edit then return fail('the Secure Vault action carries an unversioned edit') end
local executed = request(buf, 'workspace/executeCommand', action.command)
out('command result: ' .. vim.inspect(executed):gsub('\n', ' '))
if not executed or executed.applied ~= true then return fail('the encrypt command did not apply its edit') end
local line = vim.api.nvim_buf_get_lines(buf, 141, 142, false)[1]
out('line 142 after fix: ' .. vim.trim(line))
if not line:find('svns:secretAlias="Carbon.Security.KeyStore.Password">password</Password>', 1, true) then
  return fail('edit not applied to carbon.xml')
end
-- The edit loaded the properties files into buffers: write every modified one.
for _, b in ipairs(vim.api.nvim_list_bufs()) do
  if vim.api.nvim_buf_is_loaded(b) and vim.bo[b].modified then
    vim.api.nvim_buf_call(b, function() vim.cmd('silent write') end)
    out('wrote ' .. vim.api.nvim_buf_get_name(b))
  end
end

-- 4. the server revalidates the edited buffer: the encrypted password's diagnostic goes
if not vim.wait(30000, function()
  for _, d in ipairs(ours()) do if d.lnum == 141 then return false end end
  return #ours() == 6
end, 50) then
  return fail('the diagnostic on line 142 did not go after the fix')
end
out('diagnostics after fix: ' .. #ours())

-- 5. deployment.toml of the API Manager 4.2.0 home (offset 5): diagnostics, the offset hover, the TLS quick fix
local tbuf = open(toml)
local function ours_in(b)
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(b)) do
    if d.source == 'wso2-config' then table.insert(list, d) end
  end
  return list
end
local function code_of(d) return d.user_data and d.user_data.lsp and d.user_data.lsp.code or d.code end
local function tls_of_servlet()
  for _, d in ipairs(ours_in(tbuf)) do
    if code_of(d) == 'weak-tls-protocol' and d.message:find('[transport.https.sslHostConfig.properties] protocols', 1, true) then return d end
  end
end
if not vim.wait(30000, function()
  local password = false
  for _, d in ipairs(ours_in(tbuf)) do
    if code_of(d) == 'plaintext-password' and d.lnum == 11 then password = true end
  end
  return password and tls_of_servlet() ~= nil
end, 50) then
  return fail('expected plaintext-password on deployment.toml line 12 and weak-tls-protocol on the servlet transport within 30s, got ' .. #ours_in(tbuf))
end
local toml_tls = 0
for _, d in ipairs(ours_in(tbuf)) do
  local code = code_of(d)
  if code == 'plaintext-password' or code == 'weak-tls-protocol' then
    out(string.format('toml diagnostic: %d:%d %s %s', d.lnum + 1, d.col + 1, severity[d.severity], tostring(code)))
  end
  if code == 'weak-tls-protocol' then toml_tls = toml_tls + 1 end
end

local offset_line
for i, line in ipairs(vim.api.nvim_buf_get_lines(tbuf, 0, -1, false)) do
  if line:match('^offset = 5') then offset_line = i - 1 break end
end
if not offset_line then return fail('offset = 5 not found in ' .. toml) end
local thover
vim.wait(30000, function()
  thover, herr = request(tbuf, 'textDocument/hover', { textDocument = { uri = vim.uri_from_bufnr(tbuf) }, position = { line = offset_line, character = 1 } })
  return thover ~= nil and thover.contents ~= nil and (thover.contents.value or ''):find('9448', 1, true) ~= nil
end, 500)
local thover_text = thover and thover.contents and (thover.contents.value or vim.inspect(thover.contents)) or tostring(herr)
out('toml hover: ' .. thover_text:gsub('\n', ' '))
if not thover_text:find('**Port offset 5**', 1, true) or not thover_text:find('| servlet HTTPS (Tomcat) | `transport.https.properties.port` | 9443 | 9448 |', 1, true) then
  return fail('no hover on [server] offset with the effective HTTPS port 9448')
end

local tls = tls_of_servlet()
local tlsp = tls.user_data and tls.user_data.lsp or {}
local tls_diagnostic = {
  range = { start = { line = tls.lnum, character = tls.col }, ['end'] = { line = tls.end_lnum, character = tls.end_col } },
  message = tls.message, severity = tls.severity, source = tls.source, code = tlsp.code or tls.code, data = tlsp.data,
}
local fix
vim.wait(30000, function()
  local actions = request(tbuf, 'textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(tbuf) }, range = tls_diagnostic.range,
    context = { diagnostics = { tls_diagnostic }, only = { 'quickfix' } },
  }) or {}
  titles = {}
  for _, a in ipairs(actions) do
    table.insert(titles, a.title)
    if a.title:find('TLS protocols of', 1, true) and a.title:find('Tomcat', 1, true) and a.edit then fix = a end
  end
  return fix ~= nil
end, 500)
out('toml code actions: ' .. table.concat(titles or {}, ' | '))
if not fix then return fail('no TLS protocols quick fix with an edit on deployment.toml') end
vim.lsp.util.apply_workspace_edit(fix.edit, 'utf-16')
local text = table.concat(vim.api.nvim_buf_get_lines(tbuf, 0, -1, false), '\n')
local protocols = text:match('%[transport%.https%.sslHostConfig%.properties%]\n[^%[]-protocols%s*=%s*%[?%s*"([^"]*)"')
out('toml protocols after fix: ' .. tostring(protocols))
if not protocols or not protocols:find('^TLSv1%.2') then return fail('the TLS fix did not write the protocols into deployment.toml') end
vim.api.nvim_buf_call(tbuf, function() vim.cmd('silent write') end)
if not vim.wait(30000, function()
  local n = 0
  for _, d in ipairs(ours_in(tbuf)) do if code_of(d) == 'weak-tls-protocol' then n = n + 1 end end
  return tls_of_servlet() == nil and n == toml_tls - 1
end, 50) then
  return fail('the servlet transport\'s weak-tls-protocol diagnostic did not go after the fix')
end
out('toml weak-tls-protocol after fix: ' .. (toml_tls - 1))

vim.lsp.stop_client(client_id, true)
out('NVIM PASSED')
vim.cmd('qall!')
