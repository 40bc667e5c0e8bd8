import { TextSpan } from '../../model/text';
import { TomlModel } from '../effective';
import { TOML_RULES_DATA, TomlProduct } from '../knowledge';
import { TomlEntry, TomlTable } from '../parse';
import { TomlRule, TomlRuleContext } from '../types';

/**
 * Hygiene of deployment.toml's `[secrets]` table (the Secure Vault of the toml era):
 * - a value still `[plaintext]`: the config mapper stops the server, "Secret references can't be plain text for x"
 *   (wso2/config-mapper v1.0.23 `ReferenceResolver.java` l.232-279), unless -DencryptSecrets=true;
 * - `$secret{x}` with no `x` in `[secrets]`: "Secret references can't be resolved for x" (same file), unless
 *   `[runtime_secrets] enable = true` (`TomlParser.processSecrets` l.125-135);
 * - `[secrets]` not the last table, or with comments inside: `ciphertool.sh -Dconfigure` of cipher-tool v1.1.3-v1.1.9
 *   and v1.1.19-v1.1.28 never ends the section (`line.matches("[.+]")`) and truncates the file at the first such
 *   line (`CipherTool.java`; wso2/product-is#15689, wso2/api-manager#4561); WSO2 docs: "The [secrets] configuration
 *   section should be added at the very end of the deployment.toml file";
 * - a header the cipher tool does not recognise: it looks for a line whose trim() is exactly `[secrets]`;
 * - an inline comment on a `[secrets]` line: the tool rebuilds the line as `key = "value"`, losing it.
 * Aliases are names, not secrets; values are never quoted.
 */

const TRUNCATING = TOML_RULES_DATA.cipherTool.truncating as Record<TomlProduct, string[]>;

export const secretsTable: TomlRule = {
  id: 'secrets-table',
  defaultSeverity: 'warning',
  description: 'deployment.toml [secrets] problems: a value still [plaintext], a $secret{alias} with no alias, or a layout ciphertool -Dconfigure truncates.',
  check(context) {
    const { model } = context;
    const secretsTables = model.doc.tables.filter((t) => t.name === 'secrets');
    const aliases = new Set(model.doc.entries.filter((e) => e.table?.name === 'secrets').map((e) => e.segments.slice(1).join('.')));
    for (const table of secretsTables) checkTable(context, table);
    checkReferences(context, aliases);
  },
};

function checkTable(context: TomlRuleContext, table: TomlTable): void {
  const { model, report } = context;
  if (table.kind === 'array') {
    report({ span: table.headerSpan, severity: 'error', message: '[[secrets]] is an array of tables; Secure Vault reads a plain [secrets] table.', data: { problem: 'array' } });
    return;
  }
  if (table.headerLine.trim() !== '[secrets]') {
    report({
      span: table.headerSpan,
      message: `The cipher tool finds the secrets section only on a line that is exactly "[secrets]"; this header line is not, so "ciphertool.sh -Dconfigure" encrypts nothing here and the server then refuses the plaintext values.`,
      data: { problem: 'header' },
    });
  }
  for (const entry of model.doc.entries) {
    if (entry.table !== table) continue;
    const alias = entry.segments.slice(1).join('.');
    if (typeof entry.value === 'string' && isBracketed(entry.value)) {
      report({
        span: entry.valueSpan,
        severity: 'error',
        message: `[secrets] ${alias} is still in [plaintext] form: the server refuses to start ("Secret references can't be plain text for ${alias}") until "ciphertool.sh -Dconfigure" encrypts it.`,
        data: { problem: 'plaintext', alias },
      });
    }
    const inline = inlineComment(model, entry);
    if (inline) {
      report({
        span: inline,
        message: `"ciphertool.sh -Dconfigure" rewrites every [secrets] line as key = "value": this comment would be lost. Put it above the [secrets] table.`,
        severity: 'information',
        data: { problem: 'inline-comment', alias },
      });
    }
  }
  const verdict = truncation(model);
  if (verdict === 'safe') return;
  const later = model.doc.tables.find((t) => t.headerSpan.start > table.headerSpan.start);
  const comment = model.doc.comments.find((c) => c.span.start > table.headerSpan.end && c.span.start < table.sectionSpan.end && startsLine(model, c.span.start));
  const firstProblem = [later?.headerSpan, comment?.span].filter((s): s is TextSpan => s !== undefined).sort((a, b) => a.start - b.start)[0];
  if (!firstProblem) return;
  const line = model.doc.lines.positionAt(firstProblem.start).line + 1;
  const what = later && later.headerSpan === firstProblem ? `[secrets] is not the last table ([${later.name}] follows)` : 'a comment line sits inside [secrets]';
  const which =
    verdict === 'truncating'
      ? `The cipher tool of ${productLabel(model)} truncates the file there`
      : `Cipher tool versions v1.1.19 to v1.1.28 (IS 5.11-7.2, APIM 4.2-4.5, MI 4.3) truncate the file there`;
  report({
    span: table.headerSpan,
    severity: verdict === 'truncating' ? 'error' : 'warning',
    message: `${what}. ${which} when "ciphertool.sh -Dconfigure" runs: everything from line ${line} on is lost. Move [secrets] to the very end of deployment.toml, without comments inside (WSO2 docs: "Encrypting Passwords with Cipher Tool").`,
    data: { problem: later && later.headerSpan === firstProblem ? 'not-last' : 'comment', line },
  });
}

function checkReferences({ model, report }: TomlRuleContext, aliases: ReadonlySet<string>): void {
  if (String(model.resolve('runtime_secrets.enable')?.value) === 'true') return;
  for (const entry of model.doc.entries) {
    if (typeof entry.value !== 'string' || !entry.value.includes('$secret{')) continue;
    for (const alias of secretAliases(entry.value)) {
      if (aliases.has(alias)) continue;
      report({
        span: entry.valueSpan,
        severity: 'error',
        message: `$secret{${alias}} has no "${alias}" in [secrets]: the server refuses to start ("Secret references can't be resolved for ${alias}"). Add ${alias} to [secrets] and encrypt it.`,
        data: { problem: 'missing-alias', alias },
      });
    }
  }
}

function secretAliases(value: string): string[] {
  const out: string[] = [];
  let i = value.indexOf('$secret{');
  while (i >= 0) {
    const close = value.indexOf('}', i + 8);
    if (close < 0) break;
    const alias = value.slice(i + 8, close);
    if (alias.length <= 200) out.push(alias);
    i = value.indexOf('$secret{', close + 1);
  }
  return out;
}

function isBracketed(value: string): boolean {
  const open = value.indexOf('[');
  return open >= 0 && value.lastIndexOf(']') > open;
}

function inlineComment(model: TomlModel, entry: TomlEntry): TextSpan | undefined {
  const text = model.doc.text;
  const lineEnd = text.indexOf('\n', entry.valueSpan.end);
  const end = lineEnd < 0 ? text.length : lineEnd;
  const comment = model.doc.comments.find((c) => c.span.start >= entry.valueSpan.end && c.span.start < end);
  return comment?.span;
}

function startsLine(model: TomlModel, offset: number): boolean {
  const text = model.doc.text;
  for (let i = offset - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 10) return true;
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

function truncation(model: TomlModel): 'truncating' | 'safe' | 'unknown' {
  const version = model.home.version;
  if (!version) return 'unknown';
  const minor = version.split('.').slice(0, 2).join('.');
  if (TRUNCATING[model.home.product]?.includes(minor)) return 'truncating';
  const safe = (TOML_RULES_DATA.cipherTool as { safe?: Record<string, string[]> }).safe?.[model.home.product];
  return safe?.includes(minor) ? 'safe' : 'unknown';
}

function productLabel(model: TomlModel): string {
  const names: Record<TomlProduct, string> = { apim: 'API Manager', is: 'Identity Server', mi: 'Micro Integrator', carbon: 'this Carbon kernel' };
  return `${names[model.home.product]} ${model.home.version ?? ''}`.trim();
}
