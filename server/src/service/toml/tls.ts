import policy from '../../../../schemas/tls-policy.json';
import { TextSpan } from '../model/text';
import { TlsProfileName } from '../settings';
import { EffectiveValue, TomlModel, describeOrigin } from './effective';
import { TOML_RULES_DATA } from './knowledge';
import { Anchor, anchorFor, productApplies } from './keys';
import { TomlEntry } from './parse';

/**
 * The TLS endpoints deployment.toml configures (schemas/toml/deployment-toml.json `tls.endpoints`), their effective
 * protocol and cipher lists and where each comes from: the user's key (either spelling, key-mappings.json), or a
 * default.json default, which in every shipped release enables TLSv1 and TLSv1.1 somewhere.
 */

export interface TlsEndpointSpec {
  readonly id: string;
  readonly label: string;
  readonly products: readonly string[];
  readonly table: string;
  readonly protocols: string;
  readonly ciphers?: string;
  readonly sslProtocol?: string;
  readonly protocolSyntax: 'tomcat' | 'comma' | 'list';
  readonly userTable?: string;
  readonly userProtocols?: string;
  readonly userCiphers?: string;
  readonly missingCiphersMeansJvmDefaults?: boolean;
}

export const TLS_ENDPOINTS = TOML_RULES_DATA.tls.endpoints as readonly TlsEndpointSpec[];

export interface ListItem {
  readonly name: string;
  /** Range of this item in the text when the user wrote the list; else undefined. */
  readonly span: TextSpan | undefined;
}

export interface TlsListSetting {
  /** Internal key, e.g. transport.https.sslHostConfig.properties.protocols. */
  readonly key: string;
  readonly value: EffectiveValue;
  /** The user's entry when written; undefined for a default or inferred value. */
  readonly entry: TomlEntry | undefined;
  readonly items: readonly ListItem[];
  /** The whole value as the runtime reads it, for messages; never a secret. */
  readonly source: string;
}

export function endpointsFor(model: TomlModel): TlsEndpointSpec[] {
  return TLS_ENDPOINTS.filter((e) => productApplies(e.products, model.home.product));
}

export function tlsList(model: TomlModel, key: string): TlsListSetting | undefined {
  const value = model.get(key);
  if (!value) return undefined;
  const resolution = model.resolve(key);
  const resolved = resolution?.value ?? value.value;
  const entry = value.origin.kind === 'user' ? value.origin.entry : undefined;
  const items: ListItem[] = [];
  if (Array.isArray(resolved)) {
    resolved.forEach((item, i) => {
      if (typeof item === 'string' && item.length <= 256) items.push({ name: item.trim(), span: entry?.elementSpans?.[i] });
    });
  } else if (typeof resolved === 'string') {
    const base = entry && entry.valueKind === 'string' && typeof entry.value === 'string' && entry.value === resolved ? entry.valueSpan.start + 1 : undefined;
    for (const token of tokens(resolved)) {
      const span = base !== undefined && !rawHasEscapes(model, entry!) ? { start: base + token.start, end: base + token.end } : entry?.valueSpan;
      items.push({ name: token.text, span });
    }
  }
  const source = Array.isArray(resolved) ? resolved.join(',') : String(resolved);
  return { key, value, entry, items, source };
}

function rawHasEscapes(model: TomlModel, entry: TomlEntry): boolean {
  return model.doc.text.slice(entry.valueSpan.start, entry.valueSpan.end).includes('\\') || model.doc.text.startsWith('"""', entry.valueSpan.start) || model.doc.text.startsWith("'''", entry.valueSpan.start);
}

/** Comma, blank or colon separated tokens with their offsets (linear scan, no regular expression on user text). */
function tokens(text: string): { text: string; start: number; end: number }[] {
  const out: { text: string; start: number; end: number }[] = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 44;
    const separator = c === 44 || c === 32 || c === 9 || c === 10 || c === 13 || c === 58;
    if (separator) {
      if (start >= 0 && i - start <= 256) out.push({ text: text.slice(start, i), start, end: i });
      start = -1;
    } else if (start < 0) start = i;
  }
  return out;
}

export type TlsProfile = (typeof policy.profiles)[TlsProfileName];

export function profileOf(name: TlsProfileName | undefined): { name: TlsProfileName; profile: TlsProfile } {
  const chosen = (name && name in policy.profiles ? name : policy.defaultProfile) as TlsProfileName;
  return { name: chosen, profile: policy.profiles[chosen] };
}

const KNOWN_PROTOCOLS = new Map(policy.protocols.known.map((p) => [p.name.toLowerCase(), p]));

export interface ProtocolVerdict {
  readonly name: string;
  readonly why: string;
  readonly severity: 'error' | 'warning';
  readonly span: TextSpan | undefined;
}

/** The enabled protocols the profile does not allow. Tomcat's `+`/`-` prefixes and `all` are honoured. */
export function weakProtocols(setting: TlsListSetting, syntax: TlsEndpointSpec['protocolSyntax'], profile: TlsProfile): ProtocolVerdict[] {
  const enabled = new Map<string, TextSpan | undefined>();
  for (const item of setting.items) {
    let name = item.name;
    let remove = false;
    if (syntax === 'tomcat' && (name.startsWith('+') || name.startsWith('-') || name.startsWith('!'))) {
      remove = name[0] !== '+';
      name = name.slice(1);
    }
    const expanded = syntax === 'tomcat' && name.toLowerCase() === policy.protocols.tomcatAllKeyword ? policy.protocols.tomcatAll : [name];
    for (const protocol of expanded) {
      const known = KNOWN_PROTOCOLS.get(protocol.toLowerCase());
      const canonical = known?.name ?? protocol;
      if (remove) enabled.delete(canonical);
      else enabled.set(canonical, item.span);
    }
  }
  const allowed = new Set(profile.allowedProtocols);
  const out: ProtocolVerdict[] = [];
  for (const [name, span] of enabled) {
    const known = KNOWN_PROTOCOLS.get(name.toLowerCase());
    if (!known || allowed.has(known.name)) continue;
    out.push({ name: known.name, why: known.why, severity: known.severity === 'error' ? 'error' : 'warning', span });
  }
  return out;
}

const CIPHER_CLASSES = policy.cipherClasses as Record<string, { label: string; jsse: string }>;
const CIPHER_PATTERNS = new Map(Object.entries(CIPHER_CLASSES).map(([id, c]) => [id, new RegExp(c.jsse)]));

export interface CipherVerdict {
  readonly name: string;
  readonly classes: readonly string[];
  readonly span: TextSpan | undefined;
}

/** Suites of the list in a class the profile forbids (JSSE names; the patterns are schemas/tls-policy.json's). */
export function weakCiphers(setting: TlsListSetting, profile: TlsProfile): CipherVerdict[] {
  const out: CipherVerdict[] = [];
  for (const item of setting.items) {
    const name = item.name.toUpperCase();
    if (name.startsWith('-') || name.startsWith('!')) continue;
    const classes = profile.forbiddenCipherClasses.filter((id) => CIPHER_PATTERNS.get(id)?.test(name));
    if (classes.length > 0) out.push({ name: item.name, classes: classes.map((id) => CIPHER_CLASSES[id].label), span: item.span });
  }
  return out;
}

/** Where a finding about a default goes: the user's table for this endpoint if written, else the top of the file. */
export function endpointAnchor(model: TomlModel, endpoint: TlsEndpointSpec): Anchor {
  const userTable = endpoint.userTable ?? endpoint.table;
  const own = anchorFor(model, endpoint.table);
  if (own.table && own.table.name === endpoint.table) return own;
  const user = anchorFor(model, userTable);
  if (user.table && user.table.name === userTable) return user;
  return { span: anchorFor(model, '').span, table: undefined };
}

export function userKeyOf(endpoint: TlsEndpointSpec, which: 'protocols' | 'ciphers'): string {
  const field = which === 'protocols' ? endpoint.userProtocols ?? endpoint.protocols : endpoint.userCiphers ?? endpoint.ciphers ?? 'ciphers';
  return `[${endpoint.userTable ?? endpoint.table}] ${field}`;
}

export function originText(setting: TlsListSetting): string {
  return describeOrigin(setting.value.origin);
}
