import { TextReplacement, applyReplacements } from '../fixes/types';
import { TlsProfileName } from '../settings';
import { TomlModel } from './effective';
import { flatKeyOf, parseDeploymentToml, TomlEntry } from './parse';
import { TLS_ENDPOINTS, TlsEndpointSpec, profileOf } from './tls';
import { TomlFinding, TomlRuleId } from './types';

/**
 * Fixes for deployment.toml as range edits on the current text (no re-serialisation: comments, order and formatting
 * stay except at the edit):
 * - TLS: write the profile's protocol (and cipher) list into the endpoint's table, replacing the value the user wrote,
 *   adding a line to the table when it exists, or creating the table before `[secrets]` (which must stay the last
 *   table, cipher-tool `-Dconfigure`) or at the end of the file;
 * - suppression: a `# wso2-config-disable-next-line <rule>` line above the finding.
 */

export interface TomlFix {
  readonly title: string;
  readonly ruleId: TomlRuleId;
  readonly replacements: readonly TextReplacement[];
}

export type TlsFixTarget = 'protocols' | 'ciphers' | 'sslProtocol';

export function planTomlTlsFix(model: TomlModel, endpointId: string, which: TlsFixTarget, profileName: TlsProfileName | undefined): TomlFix | undefined {
  const fix = planTls(model, endpointId, which, profileName);
  // A fix never makes the file worse: one that would add a TOML error (a table already defined by dotted keys, say)
  // is not offered.
  if (!fix) return undefined;
  const after = parseDeploymentToml(applyReplacements(model.doc.text, fix.replacements));
  return after.errors.length > model.doc.errors.length ? undefined : fix;
}

function planTls(model: TomlModel, endpointId: string, which: TlsFixTarget, profileName: TlsProfileName | undefined): TomlFix | undefined {
  const endpoint = TLS_ENDPOINTS.find((e) => e.id === endpointId);
  if (!endpoint) return undefined;
  const { name, profile } = profileOf(profileName);
  const field = which === 'protocols' ? endpoint.protocols : which === 'ciphers' ? endpoint.ciphers : endpoint.sslProtocol;
  if (!field) return undefined;
  // sslProtocol names the SSLContext; "TLS" is the JSSE name that enables every TLS version the protocols list allows.
  const value = which === 'sslProtocol' ? '"TLS"' : renderList(endpoint, which === 'protocols' ? profile.recommendedProtocols : profile.recommendedCiphers);
  const internalKey = `${endpoint.table}.${field}`;
  const title =
    which === 'sslProtocol'
      ? `Set the SSLContext protocol of ${endpoint.label} to "TLS"`
      : `Set ${which === 'protocols' ? 'the TLS protocols' : 'the cipher suites'} of ${endpoint.label} to the "${name}" profile`;
  const ruleId: TomlRuleId = which === 'ciphers' ? 'weak-tls-ciphers' : 'weak-tls-protocol';

  // 1. The user wrote it (either spelling): replace the value token.
  const written = model.userEntries.get(internalKey);
  if (written && written.length > 0) {
    return { title, ruleId, replacements: written.map((entry) => ({ span: entry.valueSpan, newText: value })) };
  }
  // 2. A table (or dotted keys) the value belongs in already exists: add one line after its last entry there.
  const userTable = endpoint.userTable ?? endpoint.table;
  const userField = which === 'protocols' ? endpoint.userProtocols ?? field : which === 'ciphers' ? endpoint.userCiphers ?? field : field;
  const eol = lineBreakOf(model.doc.text);
  for (const [tableName, fieldName] of [
    [endpoint.table, field],
    [userTable, userField],
  ] as const) {
    const host = lastEntryUnder(model, tableName);
    if (!host) continue;
    const relative = host.segments.slice(host.table ? host.table.path.length : 0);
    const prefixSegments = relative.slice(0, Math.max(0, relative.length - 1));
    const key = [...prefixSegments.map((s) => flatKeyOf([s])), fieldName].join('.');
    const at = endOfLine(model.doc.text, host.valueSpan.end);
    return { title, ruleId, replacements: [{ span: { start: at, end: at }, newText: `${eol}${indentOf(model.doc.text, host.keySpan.start)}${key} = ${value}` }] };
  }
  // 3. Create the table: before [secrets] when present (it must stay last), else at the end of the file.
  const block = `[${userTable}]${eol}${userField} = ${value}${eol}`;
  const secrets = model.doc.tables.find((t) => t.name === 'secrets');
  if (secrets) {
    const at = secrets.sectionSpan.start;
    return { title, ruleId, replacements: [{ span: { start: at, end: at }, newText: `${block}${eol}` }] };
  }
  const text = model.doc.text;
  const needsBreak = text.length > 0 && !text.endsWith('\n');
  const separator = text.length === 0 ? '' : needsBreak ? `${eol}${eol}` : text.endsWith(`${eol}${eol}`) || text.endsWith('\n\n') ? '' : eol;
  return { title, ruleId, replacements: [{ span: { start: text.length, end: text.length }, newText: `${separator}${block}` }] };
}

/** The suppression comment fix for any toml finding. */
export function planTomlSuppression(model: TomlModel, finding: Pick<TomlFinding, 'ruleId' | 'span'>): TomlFix {
  const text = model.doc.text;
  const lineStart = text.lastIndexOf('\n', Math.max(0, finding.span.start - 1)) + 1;
  const indent = indentOf(text, lineStart);
  return {
    title: `Disable ${finding.ruleId} for this line`,
    ruleId: finding.ruleId,
    replacements: [{ span: { start: lineStart, end: lineStart }, newText: `${indent}# wso2-config-disable-next-line ${finding.ruleId}${lineBreakOf(text)}` }],
  };
}

function renderList(endpoint: TlsEndpointSpec, list: readonly string[]): string {
  if (endpoint.protocolSyntax === 'list') return `[${list.map((p) => JSON.stringify(p)).join(', ')}]`;
  return JSON.stringify(list.join(','));
}

/**
 * Every fix for a deployment.toml finding: the TLS rewrite its data points at (when it can be made without breaking
 * the file), then the suppression comment.
 */
export function planTomlFixes(model: TomlModel, finding: TomlFinding, profileName: TlsProfileName | undefined): TomlFix[] {
  const fixes: TomlFix[] = [];
  const endpoint = typeof finding.data?.endpoint === 'string' ? finding.data.endpoint : undefined;
  if (endpoint && (finding.ruleId === 'weak-tls-protocol' || finding.ruleId === 'weak-tls-ciphers')) {
    const which: TlsFixTarget = finding.ruleId === 'weak-tls-ciphers' ? 'ciphers' : finding.data?.sslProtocol === true ? 'sslProtocol' : 'protocols';
    const tls = planTomlTlsFix(model, endpoint, which, profileName);
    if (tls) fixes.push(tls);
  }
  if (finding.ruleId !== 'toml-syntax' && finding.ruleId !== 'file-not-analysed') fixes.push(planTomlSuppression(model, finding));
  return fixes;
}

/** The last user entry whose internal key lies under `tableName` (written as a table or as dotted keys). */
function lastEntryUnder(model: TomlModel, tableName: string): TomlEntry | undefined {
  let found: TomlEntry | undefined;
  for (const entry of model.doc.entries) {
    if (entry.arrayName !== undefined) continue;
    if (!entry.key.startsWith(`${tableName}.`)) continue;
    // Only a direct field of the table: deeper keys would need their own prefix.
    if (splitCount(entry.key) !== splitCount(tableName) + 1) continue;
    if (!found || entry.valueSpan.end > found.valueSpan.end) found = entry;
  }
  if (found) return found;
  // A table header with no entry yet.
  const table = model.doc.tables.find((t) => t.name === tableName && t.kind === 'standard');
  return table ? ({ segments: table.path, table, keySpan: { start: table.headerSpan.start, end: table.headerSpan.start }, valueSpan: table.headerSpan } as unknown as TomlEntry) : undefined;
}

function splitCount(key: string): number {
  let n = 1;
  let quoted = false;
  for (const c of key) {
    if (c === "'") quoted = !quoted;
    else if (c === '.' && !quoted) n++;
  }
  return n;
}

function endOfLine(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  const end = newline < 0 ? text.length : newline;
  return end > offset && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
}

function indentOf(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
  let i = lineStart;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return text.slice(lineStart, i);
}

function lineBreakOf(text: string): string {
  const newline = text.indexOf('\n');
  return newline > 0 && text.charCodeAt(newline - 1) === 13 ? '\r\n' : '\n';
}
