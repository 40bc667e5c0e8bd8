import { EffectiveValue, Resolution, TomlModel, describeOrigin, isScalar } from '../effective';
import { TOML_RULES_DATA } from '../knowledge';
import { Anchor, anchorFor, defaultCredentials, isSecretKey, productApplies } from '../keys';
import { TomlEntry } from '../parse';
import { TomlRule, TomlRuleContext } from '../types';

/**
 * Credentials in deployment.toml whose effective value is a literal. Not plaintext: `$secret{alias}` (Secure Vault),
 * `$env{VAR}` and `$sys{prop}` (resolved by the config mapper at start), `${…}` (Carbon runtime placeholders); a
 * `$ref{key}` takes the status of the key it names (wso2/config-mapper v1.0.23 `ReferenceResolver.java` l.53-58).
 * Defaults the user never wrote (default.json, infer.json) that reach a generated file as plaintext are reported once
 * per table, on its header, or on the first line when the table is absent. Messages never contain the value.
 */

const ENCRYPT_ADVICE =
  'Encrypt it with Secure Vault: add it to [secrets] and refer to it as "$secret{alias}" (WSO2 docs: "Encrypting Passwords with Cipher Tool"), or read it from "$env{VAR}" / "$sys{property}".';

export const plaintextPassword: TomlRule = {
  id: 'plaintext-password',
  defaultSeverity: 'warning',
  description: 'A credential in deployment.toml (written, or inherited from default.json/infer.json) is plaintext instead of a $secret{} alias, $env{} or $sys{}.',
  check(context) {
    const { model } = context;
    const product = model.home.product;
    for (const entry of model.doc.entries) {
      if (entry.table?.name === 'secrets') continue; // [secrets] holds the values to encrypt: secrets-table's concern.
      const internalKeys = internalKeysOf(model, entry);
      if (!isSecretKey(entry.key, product) && !internalKeys.some((k) => isSecretKey(k, product))) continue;
      checkWritten(context, entry);
    }
    checkInherited(context);
  },
};

function internalKeysOf(model: TomlModel, entry: TomlEntry): string[] {
  if (!Object.prototype.hasOwnProperty.call(model.knowledge.keyMappings, entry.key)) return [];
  const mapped = model.knowledge.keyMappings[entry.key];
  return Array.isArray(mapped) ? mapped.filter((k): k is string => typeof k === 'string') : typeof mapped === 'string' ? [mapped] : [];
}

function checkWritten({ model, report }: TomlRuleContext, entry: TomlEntry): void {
  if (!isScalar(entry.value)) return;
  const resolution = model.resolveValue(entry.value);
  if (!isPlaintext(resolution)) return;
  const literal = String(resolution.value);
  const isDefault = defaultCredentials().has(literal);
  const through = resolution.chain.length > 0 ? resolution.chain[resolution.chain.length - 1] : undefined;
  const via = through ? ` (through $ref{${through.key}}, ${describeOrigin(through.origin)})` : '';
  const where = entry.table ? `[${entry.table.kind === 'array' ? `[${entry.table.name}]` : entry.table.name}] ${entry.segments.slice(entry.table.path.length).join('.')}` : entry.key;
  const message = isDefault
    ? `Plaintext password in ${where}${via}, and it is a default credential shipped with WSO2 products: change it and ${lower(ENCRYPT_ADVICE)}`
    : `Plaintext password in ${where}${via}. ${ENCRYPT_ADVICE}`;
  report({
    span: entry.valueSpan,
    message,
    ...(isDefault ? { severity: 'error' as const } : {}),
    data: { key: entry.key, table: entry.table?.name ?? null, arrayIndex: entry.arrayIndex ?? null, defaultCredential: isDefault, via: through?.key ?? null },
  });
}

function isPlaintext(resolution: Resolution): boolean {
  if (resolution.references.length > 0 || resolution.unresolved.length > 0) return false;
  if (!isScalar(resolution.value)) return false;
  return String(resolution.value).length > 0;
}

interface Inherited {
  key: string;
  source: string;
  isDefault: boolean;
}

function checkInherited({ model, report }: TomlRuleContext): void {
  const groups = new Map<string, { anchor: Anchor; items: Inherited[] }>();
  for (const item of TOML_RULES_DATA.inheritedSecretKeys.keys as { key: string; table: string; field?: string; whenEnabled?: string; products?: string[] }[]) {
    if (!productApplies(item.products, model.home.product)) continue;
    const value = model.get(item.key);
    if (!value || value.origin.kind === 'user') continue;
    if (item.whenEnabled && String(model.resolve(item.whenEnabled)?.value) !== 'true') continue;
    const found = item.field ? inheritedField(model, value, item.field) : inheritedScalar(model, item.key);
    if (!found) continue;
    const anchor = anchorFor(model, value.origin.kind === 'inferred' && value.origin.trigger.table ? value.origin.trigger.table.name : item.table);
    const id = `${anchor.span.start}`;
    const group = groups.get(id) ?? { anchor, items: [] };
    group.items.push({ key: item.field ? `${item.key} (${item.field})` : item.key, source: found.source, isDefault: found.isDefault });
    groups.set(id, group);
  }
  for (const { anchor, items } of groups.values()) {
    const anyDefault = items.some((i) => i.isDefault);
    const list = items.map((i) => `${i.key}${i.isDefault ? ', a default credential,' : ''} (${i.source})`).join('; ');
    const place = anchor.table ? `table [${anchor.table.name}] does not set` : 'deployment.toml does not set';
    report({
      span: anchor.span,
      message: `Inherited plaintext password${items.length > 1 ? 's' : ''}: ${place} ${items.length > 1 ? 'these keys' : 'this key'}, so the generated configuration uses the plaintext default: ${list}. Set ${items.length > 1 ? 'them' : 'it'} in deployment.toml to "$secret{alias}" (or $env{}/$sys{}) with a new value.`,
      ...(anyDefault ? { severity: 'error' as const } : {}),
      data: { inherited: items.map((i) => ({ key: i.key, source: i.source, defaultCredential: i.isDefault })), table: anchor.table?.name ?? null },
    });
  }
}

function inheritedScalar(model: TomlModel, key: string): { source: string; isDefault: boolean } | undefined {
  const resolution = model.resolve(key);
  if (!resolution || !isPlaintext(resolution)) return undefined;
  // A $ref that ends at a key the user wrote is reported there, not here.
  if (resolution.chain.some((v) => v.origin.kind === 'user')) return undefined;
  const last = resolution.chain[resolution.chain.length - 1];
  return { source: describeOrigin(last.origin), isDefault: defaultCredentials().has(String(resolution.value)) };
}

function inheritedField(model: TomlModel, value: EffectiveValue, field: string): { source: string; isDefault: boolean } | undefined {
  if (!Array.isArray(value.value)) return undefined;
  let isDefault = false;
  let any = false;
  for (const element of value.value) {
    if (!element || typeof element !== 'object') continue;
    const raw = (element as Record<string, unknown>)[field];
    if (!isScalar(raw)) continue;
    const resolution = model.resolveValue(raw);
    if (!isPlaintext(resolution)) continue;
    any = true;
    if (defaultCredentials().has(String(resolution.value))) isDefault = true;
  }
  return any ? { source: describeOrigin(value.origin), isDefault } : undefined;
}

function lower(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

