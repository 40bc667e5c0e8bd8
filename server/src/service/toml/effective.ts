import { ConfigKnowledge, HomeFileReader, TOML_RULES_DATA, TomlProduct, loadKnowledge } from './knowledge';
import { TomlHome, detectTomlHome } from './home';
import { TomlDocument, TomlEntry, TomlValue, parseDeploymentToml } from './parse';

/**
 * The config mapper's effective values, statically (wso2/config-mapper v1.0.23 `ConfigParser.parse` l.263-278):
 *   1. the user's flat keys (TomlParser),
 *   2. renamed by key-mappings.json (KeyMapper: an exact key match is renamed, to one key or to several),
 *   3. infer.json applied to the user's keys only, `$1` matching one `\w+` segment (ValueInferrer; user values win),
 *   4. default.json for every key still absent (DefaultParser),
 *   5. `$ref{key}` resolved textually, a whole-value `$ref` taking the referenced value as is (ReferenceResolver).
 * Template fallbacks (`{{server.offset | default('0')}}`) are added for the keys the rules need.
 * `$secret{}`, `$env{}`, `$sys{}` and `${…}` are references resolved at start (or at run time), not values.
 */

export type ValueOrigin =
  | { readonly kind: 'user'; readonly entry: TomlEntry; /** The user's flat key before key-mappings. */ readonly writtenKey: string }
  | { readonly kind: 'inferred'; readonly trigger: TomlEntry; readonly triggerKey: string; readonly triggerValue: string; readonly source: string }
  | { readonly kind: 'default'; readonly source: string }
  | { readonly kind: 'template'; readonly source: string };

export interface EffectiveValue {
  readonly key: string;
  readonly value: unknown;
  readonly origin: ValueOrigin;
}

export type ReferenceKind = 'secret' | 'env' | 'sys' | 'placeholder';

export interface Resolution {
  /** The value after `$ref{}` resolution (a string with other references left in place). */
  readonly value: unknown;
  /** The values visited: the key itself first, then each whole-value `$ref` target. */
  readonly chain: readonly EffectiveValue[];
  /** The references left in the value; empty for a literal. */
  readonly references: readonly ReferenceKind[];
  /** A `$ref{}` that names no key (config-mapper: "References can't be resolved for …"). */
  readonly unresolved: readonly string[];
}

export interface TomlModel {
  readonly path: string;
  readonly doc: TomlDocument;
  readonly home: TomlHome;
  readonly knowledge: ConfigKnowledge;
  /** Every effective value that is not inside an array of tables, by internal key. */
  readonly values: ReadonlyMap<string, EffectiveValue>;
  /** Entries of arrays of tables, with their key after key-mappings (`<array>:<field>`). */
  readonly arrayEntries: readonly { readonly key: string; readonly entry: TomlEntry }[];
  /** The user's entries by internal key (more than one: the same key written through two spellings). */
  readonly userEntries: ReadonlyMap<string, readonly TomlEntry[]>;
  get(key: string): EffectiveValue | undefined;
  resolve(key: string): Resolution | undefined;
  /** `$ref{}` resolution of a value that is not itself a key's (an array element's field, say). */
  resolveValue(value: unknown): Resolution;
}

const MAX_REF_DEPTH = 16;
const MAX_INFER_ROUNDS = 4;

export interface BuildModelOptions {
  readonly path: string;
  readonly text: string;
  /** Reads a file relative to the product home (repository/resources/conf/default.json, bin/version.txt). */
  readonly readHomeFile?: HomeFileReader;
  /** Overrides detection (tests, or a front that knows better). */
  readonly product?: TomlProduct;
  readonly version?: string;
  /** Knowledge the caller already loaded for this home (a facade caching it per home); else loaded here. */
  readonly knowledge?: ConfigKnowledge;
}

export function buildTomlModel(options: BuildModelOptions): TomlModel {
  const doc = parseDeploymentToml(options.text);
  const detected = detectTomlHome(options.path, doc, options.readHomeFile);
  const home: TomlHome = options.product
    ? { ...detected, product: options.product, version: options.version ?? detected.version, detectedBy: 'the caller' }
    : detected;
  const knowledge = options.knowledge ?? loadKnowledge(home.product, home.version, options.readHomeFile);
  return modelOf(options.path, doc, home, knowledge);
}

export function modelOf(path: string, doc: TomlDocument, home: TomlHome, knowledge: ConfigKnowledge): TomlModel {
  const values = new Map<string, EffectiveValue>();
  const userEntries = new Map<string, TomlEntry[]>();
  const arrayEntries: { key: string; entry: TomlEntry }[] = [];

  // 1-2. User keys, renamed by key-mappings. A later spelling of the same key wins (LinkedHashMap put order).
  for (const entry of doc.entries) {
    const targets = mappedKeys(entry.key, knowledge);
    for (const key of targets) {
      if (entry.arrayName !== undefined) {
        arrayEntries.push({ key, entry });
        continue;
      }
      values.set(key, { key, value: entry.value, origin: { kind: 'user', entry, writtenKey: entry.key } });
      const list = userEntries.get(key);
      if (list) list.push(entry);
      else userEntries.set(key, [entry]);
    }
  }

  // An array of tables is one key whose value is the list of its elements (TomlParser), so the user's array replaces
  // a default list of the same name (MI's internal_apis.users, say).
  const arrays = new Map<string, { first: TomlEntry; elements: Map<number, Record<string, unknown>> }>();
  for (const { key, entry } of arrayEntries) {
    const name = entry.arrayName!;
    const array = arrays.get(name) ?? { first: entry, elements: new Map() };
    const element = array.elements.get(entry.arrayIndex ?? 0) ?? {};
    element[key.slice(name.length + 1)] = entry.value;
    array.elements.set(entry.arrayIndex ?? 0, element);
    arrays.set(name, array);
  }
  for (const [name, array] of arrays) {
    if (!values.has(name)) values.set(name, { key: name, value: [...array.elements.values()], origin: { kind: 'user', entry: array.first, writtenKey: name } });
  }

  // 3. Infer from user keys (and, recursively, from what they imply); user values are never overridden.
  let frontier = [...values.values()];
  for (let round = 0; round < MAX_INFER_ROUNDS && frontier.length > 0; round++) {
    const added: EffectiveValue[] = [];
    for (const value of frontier) {
      const trigger = value.origin.kind === 'user' ? value.origin.entry : value.origin.kind === 'inferred' ? value.origin.trigger : undefined;
      if (!trigger || typeof value.value === 'object') continue;
      for (const implied of inferFrom(value.key, String(value.value), knowledge)) {
        if (values.has(implied.key)) continue;
        const inferred: EffectiveValue = {
          key: implied.key,
          value: implied.value,
          origin: { kind: 'inferred', trigger, triggerKey: value.key, triggerValue: String(value.value), source: `infer.json (${knowledge.label})` },
        };
        values.set(implied.key, inferred);
        added.push(inferred);
      }
    }
    frontier = added;
  }

  // 4. Defaults.
  for (const [key, value] of Object.entries(knowledge.defaults)) {
    if (!values.has(key)) values.set(key, { key, value, origin: { kind: 'default', source: knowledge.label } });
  }

  // Template fallbacks the rules need.
  if (!values.has('server.offset')) {
    const offsets = TOML_RULES_DATA.offset;
    values.set('server.offset', {
      key: 'server.offset',
      value: offsets.templateDefault[home.product],
      origin: { kind: 'template', source: offsets.templateSource[home.product] },
    });
  }

  const memo = new Map<string, Resolution>();
  const resolveValue = (value: unknown, depth = 0, seen: ReadonlySet<string> = new Set()): Resolution => resolveWith(value, depth, seen);
  function resolveKey(key: string, depth: number, seen: ReadonlySet<string>): Resolution | undefined {
    const cached = memo.get(key);
    if (cached) return cached;
    const own = values.get(key);
    if (!own) return undefined;
    if (seen.has(key) || depth > MAX_REF_DEPTH) return { value: own.value, chain: [own], references: [], unresolved: [key] };
    const next = new Set(seen).add(key);
    const inner = resolveWith(own.value, depth + 1, next);
    const result: Resolution = { ...inner, chain: [own, ...inner.chain] };
    memo.set(key, result);
    return result;
  }
  function resolveWith(value: unknown, depth: number, seen: ReadonlySet<string>): Resolution {
    if (typeof value !== 'string') return { value, chain: [], references: [], unresolved: [] };
    const whole = wholeRef(value);
    if (whole !== undefined) {
      const target = resolveKey(whole, depth, seen);
      return target ?? { value, chain: [], references: referencesIn(value), unresolved: [whole] };
    }
    if (!value.includes('$ref{')) return { value, chain: [], references: referencesIn(value), unresolved: [] };
    // Textual substitution of every $ref{} inside a longer string.
    const unresolved: string[] = [];
    let out = '';
    let i = 0;
    while (i < value.length) {
      const at = value.indexOf('$ref{', i);
      const close = at < 0 ? -1 : value.indexOf('}', at + 5);
      if (at < 0 || close < 0) {
        out += value.slice(i);
        break;
      }
      out += value.slice(i, at);
      const name = value.slice(at + 5, close);
      const target = resolveKey(name, depth, seen);
      if (target === undefined || target.unresolved.length > 0) unresolved.push(name);
      out += target === undefined ? value.slice(at, close + 1) : String(target.value);
      i = close + 1;
    }
    return { value: out, chain: [], references: referencesIn(out), unresolved };
  }

  return {
    path,
    doc,
    home,
    knowledge,
    values,
    arrayEntries,
    userEntries,
    get: (key) => values.get(key),
    resolve: (key) => resolveKey(key, 0, new Set()),
    resolveValue: (value) => resolveValue(value),
  };
}

function mappedKeys(key: string, knowledge: ConfigKnowledge): string[] {
  const target = Object.prototype.hasOwnProperty.call(knowledge.keyMappings, key) ? knowledge.keyMappings[key] : undefined;
  if (typeof target === 'string') return [target];
  // A home's key-mappings.json is user data: anything but a string or a list of strings leaves the key as written.
  const targets = Array.isArray(target) ? target.filter((t): t is string => typeof t === 'string') : [];
  return targets.length > 0 ? targets : [key];
}

const WILDCARD_SEGMENT = /^\w+$/;

/** The keys infer.json implies from one key's value, `$N` wildcards matched on whole `\w+` segments. */
function inferFrom(key: string, value: string, knowledge: ConfigKnowledge): { key: string; value: unknown }[] {
  const out: { key: string; value: unknown }[] = [];
  const segments = key.split('.');
  for (const [trigger, cases] of Object.entries(knowledge.infer)) {
    if (!cases || typeof cases !== 'object' || !Object.prototype.hasOwnProperty.call(cases, value)) continue;
    const pattern = trigger.split('.');
    if (pattern.length !== segments.length) continue;
    const bound = new Map<string, string>();
    let matches = true;
    for (let i = 0; i < pattern.length && matches; i++) {
      if (/^\$\d+$/.test(pattern[i])) {
        if (!WILDCARD_SEGMENT.test(segments[i])) matches = false;
        else bound.set(pattern[i], segments[i]);
      } else if (pattern[i] !== segments[i]) matches = false;
    }
    if (!matches) continue;
    const implied = cases[value];
    if (!implied || typeof implied !== 'object' || Array.isArray(implied)) continue;
    for (const [impliedKey, impliedValue] of Object.entries(implied)) {
      out.push({ key: substitute(impliedKey, bound), value: typeof impliedValue === 'string' ? substitute(impliedValue, bound) : impliedValue });
    }
  }
  return out;
}

function substitute(text: string, bound: ReadonlyMap<string, string>): string {
  if (bound.size === 0 || !text.includes('$')) return text;
  return text.replace(/\$(\d+)/g, (whole) => bound.get(whole) ?? whole);
}

function wholeRef(value: string): string | undefined {
  if (!value.startsWith('$ref{') || !value.endsWith('}')) return undefined;
  const name = value.slice(5, -1);
  return name.includes('}') || name.includes('{') ? undefined : name;
}

/** The references a string still holds after `$ref` resolution; a plain literal has none. */
export function referencesIn(value: string): ReferenceKind[] {
  const kinds: ReferenceKind[] = [];
  if (value.includes('$secret{')) kinds.push('secret');
  if (value.includes('$env{')) kinds.push('env');
  if (value.includes('$sys{')) kinds.push('sys');
  if (value.includes('${')) kinds.push('placeholder');
  return kinds;
}

export function describeReference(kind: ReferenceKind): string {
  switch (kind) {
    case 'secret':
      return 'a Secure Vault alias ($secret{…})';
    case 'env':
      return 'an environment variable ($env{…})';
    case 'sys':
      return 'a Java system property ($sys{…})';
    case 'placeholder':
      return 'a Carbon runtime placeholder (${…})';
  }
}

/** Human wording of where a value comes from, without the value. */
export function describeOrigin(origin: ValueOrigin): string {
  switch (origin.kind) {
    case 'user':
      return `deployment.toml key ${origin.writtenKey}`;
    case 'inferred':
      return `inferred from ${origin.triggerKey} = "${origin.triggerValue}" by ${origin.source}`;
    case 'default':
      return origin.source;
    case 'template':
      return origin.source;
  }
}

export function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

export type { TomlValue };

export type Protection =
  | { readonly status: 'plaintext'; /** Keys visited through whole-value $ref (the last one holds the literal). */ readonly via: readonly string[] }
  | { readonly status: 'reference'; readonly references: readonly ReferenceKind[]; readonly via: readonly string[] }
  | { readonly status: 'unresolved'; readonly unresolved: readonly string[] }
  | { readonly status: 'empty' | 'not-a-string' };

/** Whether a value (a key's, or a field's) is protected and by what, for hovers on secret keys. Never the value itself. */
export function protectionOf(model: TomlModel, value: unknown): Protection {
  const resolution = model.resolveValue(value);
  const via = resolution.chain.map((v) => v.key);
  if (resolution.unresolved.length > 0) return { status: 'unresolved', unresolved: resolution.unresolved };
  if (resolution.references.length > 0) return { status: 'reference', references: resolution.references, via };
  if (!isScalar(resolution.value)) return { status: 'not-a-string' };
  if (String(resolution.value).length === 0) return { status: 'empty' };
  return { status: 'plaintext', via };
}
