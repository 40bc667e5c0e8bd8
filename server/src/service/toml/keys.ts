import { TextSpan } from '../model/text';
import { TomlModel } from './effective';
import { TOML_RULES_DATA, TomlProduct } from './knowledge';
import { TomlTable } from './parse';

/** Helpers shared by the deployment.toml rules: key patterns, where an inherited default is reported. */

/** Splits a flat key on the dots that separate segments (a `'quoted.segment'` stays whole). */
export function splitFlatKey(key: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < key.length; i++) {
    const c = key[i];
    if (c === "'") quoted = !quoted;
    if (c === '.' && !quoted) {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out;
}

interface CompiledPattern {
  readonly array: string[] | undefined;
  readonly field: string[];
}

function compile(pattern: string): CompiledPattern {
  const colon = pattern.indexOf(':');
  return colon < 0
    ? { array: undefined, field: splitFlatKey(pattern) }
    : { array: splitFlatKey(pattern.slice(0, colon)), field: splitFlatKey(pattern.slice(colon + 1)) };
}

function segmentsMatch(pattern: readonly string[], segments: readonly string[]): boolean {
  if (pattern.length !== segments.length) return false;
  for (let i = 0; i < pattern.length; i++) if (pattern[i] !== '*' && pattern[i] !== segments[i]) return false;
  return true;
}

const SECRET_PATTERNS: Record<TomlProduct, CompiledPattern[]> = (() => {
  const data = TOML_RULES_DATA.secretKeys;
  const common = data.common.map(compile);
  return {
    apim: [...common, ...data.apim.map(compile)],
    is: [...common, ...data.is.map(compile)],
    mi: [...common, ...data.mi.map(compile)],
    carbon: common,
  };
})();

const GENERIC_SECRET = new RegExp(TOML_RULES_DATA.secretKeys.genericLastSegment);

/** Whether a flat key (`a.b.c` or `array:field`) holds a credential for this product. */
export function isSecretKey(key: string, product: TomlProduct): boolean {
  const colon = arrayColon(key);
  const array = colon < 0 ? undefined : splitFlatKey(key.slice(0, colon));
  const field = splitFlatKey(colon < 0 ? key : key.slice(colon + 1));
  for (const pattern of SECRET_PATTERNS[product]) {
    if ((pattern.array === undefined) !== (array === undefined)) continue;
    if (pattern.array && array && !segmentsMatch(pattern.array, array)) continue;
    if (segmentsMatch(pattern.field, field)) return true;
  }
  const last = field[field.length - 1] ?? '';
  return last.length <= 64 && GENERIC_SECRET.test(last.replace(/^'|'$/g, ''));
}

/** Index of the `:` separating an array of tables from its field, outside quotes; -1 when none. */
function arrayColon(key: string): number {
  let quoted = false;
  for (let i = 0; i < key.length; i++) {
    const c = key[i];
    if (c === "'") quoted = !quoted;
    else if (c === ':' && !quoted) return i;
  }
  return -1;
}

export interface Anchor {
  readonly span: TextSpan;
  /** The table whose header carries the finding; undefined for the top of the file. */
  readonly table: TomlTable | undefined;
}

/**
 * Where a finding about a key the user never wrote goes: the header of the first table named `tableName` (or, failing
 * that, of its closest written parent table, `[user_store]` for `user_store.properties`), else the file's first line.
 */
export function anchorFor(model: TomlModel, tableName: string): Anchor {
  const segments = splitFlatKey(tableName);
  for (let n = segments.length; n > 0; n--) {
    const name = segments.slice(0, n).join('.');
    const table = model.doc.tables.find((t) => t.name === name);
    if (table) return { span: table.headerSpan, table };
  }
  return { span: topOfFile(model), table: undefined };
}

export function topOfFile(model: TomlModel): TextSpan {
  const text = model.doc.text;
  let end = text.indexOf('\n');
  if (end < 0) end = text.length;
  if (end > 0 && text.charCodeAt(end - 1) === 13) end--;
  return { start: 0, end: Math.min(end, 200) };
}

export function defaultCredentials(): ReadonlySet<string> {
  return DEFAULT_CREDENTIALS;
}
const DEFAULT_CREDENTIALS: ReadonlySet<string> = new Set(TOML_RULES_DATA.defaultCredentials);

export function productApplies(products: readonly string[] | undefined, product: TomlProduct): boolean {
  return !products || products.includes(product);
}
