import { TextSpan } from '../model/text';
import { XmlAttribute, XmlElement, elementPath, elementText, firstChild, textSpan, walkElements } from '../model/xml';
import { Rule, RuleContext } from '../types';
import { ConfigFileKind } from '../workspace/files';
import locationsData from '../../../../schemas/password-locations.json';

/**
 * Reports every secret of a configuration file that Secure Vault does not protect.
 *
 * A secret sits in one of three places: the text of a leaf element named like a password (`<Password>`), an attribute
 * named like one (`keystorePass="…"`), or the text of a `Property`/`parameter` whose `name` is a password name. Known
 * locations (schemas/password-locations.json) give the message a human description; a name heuristic from the same
 * file catches the rest. Every finding carries what the Secure Vault fix needs, above all the alias the Carbon runtime
 * looks up, and never the value itself.
 */

/** What a location of the data may say beyond its place: see schemas/password-locations.json. */
interface LocationFacts {
  description: string;
  /** The value(s) WSO2 ships at this place, when they are not the well-known shipped defaults. */
  shippedDefaults?: string[];
  /** Which products ship the default value here (overrides the kind's). */
  shippedWith?: string;
  /** Key of `unresolvable.reasons`: the runtime reads this secret without Secure Vault. */
  unresolvable?: string;
}
interface KnownElement extends LocationFacts {
  path: string;
  alias?: string;
  /** The runtime appends this attribute's value to the alias (ExternalAPIStore `Password_<id>`). */
  aliasAppendAttribute?: string;
}
interface KnownAttribute {
  element: string;
  name: string;
  description: string;
}
interface KnownProperty extends LocationFacts {
  name: string;
  parent?: string;
  alias?: string;
}
/** An element whose text is a URL that may carry a password: `user:password@` (userinfo) or `password=` (parameter). */
interface KnownUrl {
  path: string;
  form: 'userinfo' | 'parameter';
  parameterNames?: string[];
  description: string;
  unresolvable?: string;
}
interface KindLocations {
  aliasFreeForm: boolean;
  /** How aliases are formed when no location fixes one: the dotted path below the root, or the Axis2 fixed names. */
  aliasRule?: 'pathBelowRoot' | 'axis2';
  /** The attribute naming Property/parameter elements in this file, when not `name`. */
  nameAttribute?: string;
  shippedWith?: string;
  /** Key of `unresolvable.reasons` for every secret of the file. */
  unresolvable?: string;
  elements: KnownElement[];
  attributes: KnownAttribute[];
  properties: KnownProperty[];
  urls?: KnownUrl[];
}
interface Unresolvable {
  reason: string;
  advice: string;
  until?: string;
}
interface PasswordLocations {
  shippedDefaults: { values: string[] };
  namedElements: { elements: string[]; nameAttribute: string };
  heuristic: { label: string; namePatterns: string[]; exclusions: string[]; notSecretValues: string[] };
  protection: {
    aliasAttribute: string;
    encryptedAttribute: string;
    encryptedValue: string;
    secretTokenOpen: string;
    secretTokenClose: string;
    aliasValuePrefix: string;
    placeholders: { open: string; close: string }[];
  };
  rsaLimit: { defaultKeyBits: number; paddingBytes: number };
  where: { labelAttributes: string[]; labelChildElements: string[] };
  unresolvable: { reasons: Record<string, Unresolvable> };
  aliases: {
    carbonPrefix: string;
    userMgtPropertyPrefixes: { parent: string; prefix: string }[];
    datasourcesPrefix: string;
    datasourceElement: string;
    datasourceNameElement: string;
    datasourceConfigurationElement: string;
    datasourceConfigurationSegment: string;
    axis2Prefix: string;
    axis2TransportRoles: Record<string, string>;
    axis2ParameterSegment: string;
    propertySegment: string;
  };
  // The XML kinds; the .properties kinds have their own data (schemas/properties-secrets.json).
  kinds: Partial<Record<ConfigFileKind, KindLocations>>;
}

const LOCATIONS = locationsData as PasswordLocations;
const PROTECTION = LOCATIONS.protection;
const ALIASES = LOCATIONS.aliases;
const NAME_PATTERNS = LOCATIONS.heuristic.namePatterns.map((p) => new RegExp(p, 'i'));
const NAME_EXCLUSIONS = LOCATIONS.heuristic.exclusions.map((p) => new RegExp(p, 'i'));
const NOT_SECRET_VALUES = new Set(LOCATIONS.heuristic.notSecretValues.map((v) => v.toLowerCase()));
const SHIPPED_DEFAULTS = new Set(LOCATIONS.shippedDefaults.values);
const NAMED_ELEMENTS = new Set(LOCATIONS.namedElements.elements);

/** The data `plaintext-password` findings carry for the Secure Vault quick fix. Never holds the secret. */
export interface PlaintextPasswordData {
  target: 'element' | 'attribute';
  /** Local names from the root down to the element holding the secret (or carrying the attribute). */
  elementPath: string[];
  attributeName?: string;
  /** The `name` of a Property/parameter element whose text is the secret. */
  propertyName?: string;
  /** The Secure Vault alias the Carbon runtime looks up for this secret. */
  alias: string;
  /** Set when the element holds more than one secret: it can carry only one alias attribute. */
  aliasConflict?: true;
  /**
   * Set when the secret is part of the element's text (a password inside a JDBC or AMQP URL): an alias protects the
   * whole text, so the fix must encrypt all of it, not the covered range.
   */
  partOfText?: true;
  /**
   * Set when the value encrypted (the whole text for `partOfText`) is longer than RSA can encrypt with the 2048-bit
   * key WSO2 ships: the fix is refused under such a key, and the message says so for clients that hide refused fixes.
   */
  longerThanDefaultKeyLimit?: true;
}

/**
 * The data of a finding on a secret the runtime reads without Secure Vault: no alias, and `encryptable: false`, the
 * contract with the Secure Vault fix (it offers no Encrypt action for it).
 */
export interface UnencryptablePasswordData {
  target: 'element' | 'attribute';
  elementPath: string[];
  attributeName?: string;
  propertyName?: string;
  encryptable: false;
  /** Key of schemas/password-locations.json `unresolvable.reasons`. */
  unresolvable: string;
  partOfText?: true;
}

/** True when a name (element, attribute or property) denotes a password rather than a policy about passwords. */
export function isPasswordName(name: string): boolean {
  return NAME_PATTERNS.some((p) => p.test(name)) && !NAME_EXCLUSIONS.some((p) => p.test(name));
}

/** One place of an element that may hold a secret: its text or one of its attributes. */
interface Candidate {
  readonly element: XmlElement;
  readonly attribute?: XmlAttribute;
  readonly propertyName?: string;
  /** The name Secure Vault's alias would end with: attribute, property or element name. */
  readonly slotName: string;
  /** Exactly what the runtime reads (untrimmed; see elementText and XmlAttribute.value): what gets encrypted. */
  readonly value: string;
  readonly span: TextSpan;
  /** Description of a known location; undefined when only the name heuristic matched. */
  readonly known: (LocationFacts & { alias?: string }) | undefined;
  /** Set when the secret is a part of the element's text (a URL's password). */
  readonly partOfText?: true;
}

export const plaintextPassword: Rule = {
  id: 'plaintext-password',
  defaultSeverity: 'warning',
  description: 'A password stored in plain text instead of being encrypted with Secure Vault (an error when it is a default password WSO2 ships).',
  appliesTo: ['carbon', 'user-mgt', 'catalina-server', 'axis2', 'datasources', 'registry', 'api-manager', 'broker', 'identity', 'embedded-ldap', 'output-event-adapters', 'axis2-client'],
  check(context) {
    const locations = LOCATIONS.kinds[context.file.kind];
    if (!locations || !context.doc.root) return;
    const pending: { candidate: Candidate; all: Candidate[] }[] = [];
    // Aliases already in the file: a new free-form alias must not reuse one that names another secret.
    const usedAliases = new Set<string>();
    // Past the first syntax error the tree is sax's guess: `<Password>Canary<Bad15</Password>` opens an element named
    // after a piece of the secret, which would reach the message, the path and the alias of every finding below it.
    // The runtime reads nothing of a broken file; only elements wholly before the error are judged.
    const reliableEnd = context.doc.syntaxError?.span.start;
    for (const element of walkElements(context.doc.root)) {
      const aliasAttr = aliasAttributeOf(element);
      if (aliasAttr) usedAliases.add(aliasAttr.value.trim());
      if (reliableEnd !== undefined && element.span.end > reliableEnd) continue;
      const candidates = candidatesOf(context, element, locations).filter(needsProtection);
      if (candidates.length === 0) continue;
      for (const candidate of unprotectedOf(context, element, candidates)) pending.push({ candidate, all: candidates });
    }
    for (const { candidate, all } of pending) report(context, candidate, all, usedAliases, locations);
  },
};

/** The Secure Vault alias attribute (`svns:secretAlias`, whatever the prefix) of an element. */
function aliasAttributeOf(element: XmlElement): XmlAttribute | undefined {
  return element.attributes.find((a) => a.localName === PROTECTION.aliasAttribute && a.prefix !== '' && a.prefix !== 'xmlns');
}

function candidatesOf(context: RuleContext, element: XmlElement, locations: KindLocations): Candidate[] {
  const candidates: Candidate[] = [];
  const url = locations.urls && !element.hasChildElements ? urlCandidate(context, element, locations.urls) : undefined;
  const text = url ?? textCandidate(context, element, locations);
  if (text) candidates.push(text);
  for (const attr of element.attributes) {
    if (attr.name === 'xmlns' || attr.prefix === 'xmlns') continue;
    const known = locations.attributes.find((a) => a.name === attr.localName && a.element === element.localName);
    if (!known && !isPasswordName(attr.localName)) continue;
    candidates.push({
      element,
      attribute: attr,
      slotName: attr.localName,
      value: attr.value,
      span: attr.valueSpan,
      known: known ? { description: known.description } : undefined,
    });
  }
  return candidates;
}

function textCandidate(context: RuleContext, element: XmlElement, locations: KindLocations): Candidate | undefined {
  if (element.hasChildElements) return undefined;
  // Names first, ranges and paths only for the few elements that qualify: this runs on every element of the file.
  let propertyName: string | undefined;
  let known: Candidate['known'];
  if (NAMED_ELEMENTS.has(element.localName)) {
    const nameAttribute = locations.nameAttribute ?? LOCATIONS.namedElements.nameAttribute;
    propertyName = element.attributes.find((a) => a.name === nameAttribute)?.value;
    if (propertyName === undefined) return undefined;
    const parentName = element.parent?.localName;
    const property = locations.properties.find((p) => p.name === propertyName && (!p.parent || p.parent === parentName));
    if (!property && !isPasswordName(propertyName)) return undefined;
    known = property;
  } else {
    const isKnownName = knownElementNames(locations).has(element.localName);
    if (!isKnownName && !isPasswordName(element.localName)) return undefined;
    const path = isKnownName ? elementPath(element) : undefined;
    const entry = path ? locations.elements.find((e) => pathMatches(path, e.path)) : undefined;
    known = entry ? { ...entry, alias: fixedAliasOf(element, entry) } : undefined;
  }
  // The runtime joins every text and CDATA piece (`Comm<!-- x -->ent`): the finding covers the first to the last.
  const text = elementText(context.doc, element);
  if (!text?.span) return undefined;
  return { element, propertyName, slotName: propertyName ?? element.localName, value: text.value, span: text.span, known };
}

/** A location's fixed alias; with `aliasAppendAttribute`, completed by that attribute of the element or an ancestor. */
function fixedAliasOf(element: XmlElement, entry: KnownElement): string | undefined {
  if (!entry.alias || !entry.aliasAppendAttribute) return entry.alias;
  for (let e: XmlElement | undefined = element; e; e = e.parent) {
    const value = e.attributes.find((a) => a.name === entry.aliasAppendAttribute)?.value.trim();
    if (value) return entry.alias + sanitizeAliasPart(value);
  }
  return undefined;
}

/**
 * The password inside a URL-valued element: `scheme://user:password@host…` or `…;password=…` / `?password=…&…`.
 * The covered range is the password alone; an alias can only protect the whole text (DataSourceUtils.secureLoadElement
 * replaces the element's text), which `partOfText` tells the fix. Scans the text once, left to right.
 */
function urlCandidate(context: RuleContext, element: XmlElement, urls: KnownUrl[]): Candidate | undefined {
  // Names first (the last two steps of each pattern), the full path only for the few elements that qualify.
  const parentName = element.parent?.localName;
  const named = urls.filter((u) => {
    const steps = stepsOf(u.path);
    const last = steps[steps.length - 1];
    return (last === '*' || last === element.localName) && steps[steps.length - 2] === parentName;
  });
  if (named.length === 0) return undefined;
  const path = elementPath(element);
  const url = named.find((u) => pathMatches(path, u.path));
  if (!url) return undefined;
  const span = textSpan(context.doc, element);
  if (!span) return undefined;
  const text = context.doc.text.slice(span.start, span.end);
  const found = url.form === 'userinfo' ? userinfoPassword(text) : parameterPassword(text, url.parameterNames ?? []);
  if (!found || found.end <= found.start) return undefined;
  return {
    element,
    slotName: element.localName,
    value: text.slice(found.start, found.end),
    span: { start: span.start + found.start, end: span.start + found.end },
    known: { description: url.description, unresolvable: url.unresolvable },
    partOfText: true,
  };
}

/** `scheme://user:password@…`: the password of the authority's userinfo. */
function userinfoPassword(text: string): { start: number; end: number } | undefined {
  const scheme = text.indexOf('://');
  if (scheme < 0) return undefined;
  const authorityStart = scheme + 3;
  let authorityEnd = text.length;
  for (let i = authorityStart; i < text.length; i++) {
    const c = text[i];
    if (c === '/' || c === '?' || c === '#') {
      authorityEnd = i;
      break;
    }
  }
  const at = text.lastIndexOf('@', authorityEnd - 1);
  if (at < authorityStart) return undefined;
  const colon = text.indexOf(':', authorityStart);
  if (colon < 0 || colon > at) return undefined;
  return { start: colon + 1, end: at };
}

/** `password=<value>` as a URL parameter (after `;`, `?`, `&` or `:`), any case; the value ends at `;` or `&`. */
function parameterPassword(text: string, names: string[]): { start: number; end: number } | undefined {
  const lower = text.toLowerCase();
  for (const name of names) {
    const key = `${name.toLowerCase()}=`;
    for (let at = lower.indexOf(key); at >= 0; at = lower.indexOf(key, at + key.length)) {
      const before = at > 0 ? lower[at - 1] : '';
      if (before !== ';' && before !== '?' && before !== '&' && before !== ':') continue;
      const start = at + key.length;
      let end = start;
      while (end < text.length && text[end] !== ';' && text[end] !== '&') end++;
      return { start, end };
    }
  }
  return undefined;
}

const KNOWN_ELEMENT_NAMES = new Map<KindLocations, Set<string>>();

/** Last steps of the known element paths of a kind, so most elements are dismissed by one set lookup. */
function knownElementNames(locations: KindLocations): Set<string> {
  let names = KNOWN_ELEMENT_NAMES.get(locations);
  if (!names) {
    names = new Set(locations.elements.map((e) => e.path.slice(e.path.lastIndexOf('/') + 1)));
    KNOWN_ELEMENT_NAMES.set(locations, names);
  }
  return names;
}

const PATTERN_STEPS = new Map<string, string[]>();

function stepsOf(pattern: string): string[] {
  let steps = PATTERN_STEPS.get(pattern);
  if (!steps) PATTERN_STEPS.set(pattern, (steps = pattern.split('/')));
  return steps;
}

function pathMatches(path: string[], pattern: string): boolean {
  const steps = stepsOf(pattern);
  return steps.length === path.length && steps.every((step, i) => step === '*' || step === path[i]);
}

/** False for values that hold no secret: empty, a template placeholder, a Secure Vault reference, a heuristic flag. */
function needsProtection(candidate: Candidate): boolean {
  // Judged on the value without surrounding spaces (` ${x} ` is still a placeholder); the untrimmed value is encrypted.
  const value = candidate.value.trim();
  if (value.length === 0) return false;
  if (PROTECTION.placeholders.some((p) => isWrapped(value, p.open, p.close))) return false;
  if (isOnlySecretTokens(value)) return false;
  if (value.startsWith(PROTECTION.aliasValuePrefix) && value.length > PROTECTION.aliasValuePrefix.length) return false;
  if (!candidate.known && NOT_SECRET_VALUES.has(value.toLowerCase())) return false;
  return true;
}

/** `${…}` / `{{…}}` as the whole value, with no second placeholder inside (`${a}x${b}` is not one placeholder). */
function isWrapped(value: string, open: string, close: string): boolean {
  if (!value.startsWith(open) || !value.endsWith(close) || value.length < open.length + close.length) return false;
  const inner = value.slice(open.length, value.length - close.length);
  return !inner.includes(close) && !inner.includes(open);
}

/** The value is one or more `$secret{alias}` tokens and nothing else (Carbon 4.5+ resolves them inline). */
function isOnlySecretTokens(value: string): boolean {
  let rest = value;
  let tokens = 0;
  for (;;) {
    rest = rest.trimStart();
    if (rest.length === 0) return tokens > 0;
    if (!rest.startsWith(PROTECTION.secretTokenOpen)) return false;
    const close = rest.indexOf(PROTECTION.secretTokenClose, PROTECTION.secretTokenOpen.length);
    if (close < 0) return false;
    rest = rest.slice(close + PROTECTION.secretTokenClose.length);
    tokens++;
  }
}

/**
 * Which candidates of one element Secure Vault leaves in plain text. An element carries at most one alias attribute:
 * with a single secret on the element, the alias protects it; with several, it protects the one it names (the
 * runtime matches the alias against `<path>.<attribute>`), and the others stay plain.
 */
function unprotectedOf(context: RuleContext, element: XmlElement, candidates: Candidate[]): Candidate[] {
  const encrypted = element.attributes.some((a) => a.localName === PROTECTION.encryptedAttribute && a.prefix === '' && a.value.trim().toLowerCase() === PROTECTION.encryptedValue);
  // Carbon's CryptoUtil decrypts the element text of an encrypted="true" datasource element; attributes are untouched.
  let remaining = encrypted ? candidates.filter((c) => c.attribute) : candidates;
  const aliasAttr = aliasAttributeOf(element);
  if (!aliasAttr) return remaining;
  const alias = aliasAttr.value.trim();
  if (candidates.length === 1) return [];
  const lastSegment = alias.slice(alias.lastIndexOf('.') + 1);
  remaining = remaining.filter((c) => !(c.slotName === lastSegment || aliasOf(context, c, undefined) === alias));
  return remaining;
}

function report(context: RuleContext, candidate: Candidate, all: Candidate[], usedAliases: Set<string>, locations: KindLocations): void {
  // Trimmed: the shorter core makes the "a label never contains the secret" checks below stricter.
  const secret = candidate.value.trim();
  const unresolvableKey = candidate.known?.unresolvable ?? locations.unresolvable;
  const unresolvable = unresolvableKey !== undefined ? LOCATIONS.unresolvable.reasons[unresolvableKey] : undefined;
  if (unresolvable) return reportUnresolvable(context, candidate, unresolvableKey!, unresolvable, locations);
  const conflict = all.length > 1;
  let alias = aliasOf(context, candidate, secret);
  if (locations.aliasFreeForm) {
    // Free-form aliases must still be unique in the file, or two secrets would share one cipher-text entry.
    let unique = alias;
    for (let n = 2; usedAliases.has(unique); n++) unique = `${alias}.${n}`;
    alias = unique;
  }
  usedAliases.add(alias);

  const where = whereOf(candidate, secret);
  const description = candidate.known?.description ?? LOCATIONS.heuristic.label;
  const shipped = shippedDefaultNote(candidate, locations);
  const isDefault = shipped !== undefined;
  const protect = candidate.partOfText ? `encrypt it with Secure Vault (the alias protects the whole ${candidate.element.localName}, so the whole text is encrypted), or move it out of the URL into the datasource's password element` : 'encrypt it with Secure Vault';
  let message = isDefault
    ? `Plaintext password in ${where} (${description}), and it is ${shipped}: change it and ${protect}.`
    : `Plaintext password in ${where} (${description}): ${protect}.`;
  if (conflict) {
    const names = all.map((c) => (c.attribute ? c.attribute.name : 'its text')).join(', ');
    message += ` Secure Vault can protect only one of the ${all.length} passwords on this element (${names}): one alias attribute per element.`;
  }
  const encrypted = candidate.partOfText ? elementText(context.doc, candidate.element)?.value ?? candidate.value : candidate.value;
  const limit = LOCATIONS.rsaLimit.defaultKeyBits / 8 - LOCATIONS.rsaLimit.paddingBytes;
  const tooLong = new TextEncoder().encode(encrypted).length > limit;
  if (tooLong) {
    message += ` It is longer than the ${limit} bytes Secure Vault's RSA encryption takes with the ${LOCATIONS.rsaLimit.defaultKeyBits}-bit key WSO2 ships (wso2carbon.jks), so with such a key it cannot be encrypted: shorten it, or encrypt with a keystore whose RSA key is larger.`;
  }

  const data: PlaintextPasswordData = {
    target: candidate.attribute ? 'attribute' : 'element',
    elementPath: elementPath(candidate.element),
    ...(candidate.attribute ? { attributeName: candidate.attribute.name } : {}),
    ...(candidate.propertyName !== undefined ? { propertyName: candidate.propertyName } : {}),
    alias,
    ...(conflict ? { aliasConflict: true as const } : {}),
    ...(candidate.partOfText ? { partOfText: true as const } : {}),
    ...(tooLong ? { longerThanDefaultKeyLimit: true as const } : {}),
  };
  context.report({ span: candidate.span, message, severity: isDefault ? 'error' : undefined, data: data as unknown as Record<string, unknown> });
}

/**
 * "a default password shipped with <products>" when the value is the one WSO2 ships at this place, "a well-known WSO2
 * default password" when it is one of the well-known defaults at a place where none is shipped; undefined otherwise.
 */
function shippedDefaultNote(candidate: Candidate, locations: KindLocations): string | undefined {
  const secret = candidate.value;
  const placeDefaults = candidate.known?.shippedDefaults;
  // A password inside a URL is never where WSO2 ships a default: only the well-known values are named.
  const shippedWith = candidate.known?.shippedWith ?? (candidate.partOfText ? undefined : locations.shippedWith);
  if (placeDefaults?.includes(secret) || (SHIPPED_DEFAULTS.has(secret) && candidate.known && shippedWith)) {
    return `a default password shipped with ${shippedWith ?? 'WSO2 products'}`;
  }
  return SHIPPED_DEFAULTS.has(secret) ? 'a well-known WSO2 default password' : undefined;
}

/** A secret the runtime reads without Secure Vault: say so and what to do instead; no alias, no Encrypt fix. */
function reportUnresolvable(context: RuleContext, candidate: Candidate, key: string, unresolvable: Unresolvable, locations: KindLocations): void {
  const where = whereOf(candidate, candidate.value.trim());
  const description = candidate.known?.description ?? LOCATIONS.heuristic.label;
  const shipped = shippedDefaultNote(candidate, locations);
  const message =
    `Plaintext password in ${where} (${description})${shipped ? `, and it is ${shipped}` : ''}: ${unresolvable.reason}. ` + unresolvable.advice;
  const data: UnencryptablePasswordData = {
    target: candidate.attribute ? 'attribute' : 'element',
    elementPath: elementPath(candidate.element),
    ...(candidate.attribute ? { attributeName: candidate.attribute.name } : {}),
    ...(candidate.propertyName !== undefined ? { propertyName: candidate.propertyName } : {}),
    encryptable: false,
    unresolvable: key,
    ...(candidate.partOfText ? { partOfText: true as const } : {}),
  };
  context.report({ span: candidate.span, message, severity: shipped ? 'error' : undefined, data: data as unknown as Record<string, unknown> });
}

// ---- where: the element path below the root, steps labelled by their name -------------------------------------

function whereOf(candidate: Candidate, secret: string): string {
  const chain: XmlElement[] = [];
  for (let e: XmlElement | undefined = candidate.element; e?.parent; e = e.parent) chain.unshift(e);
  if (chain.length === 0) chain.push(candidate.element);
  const steps = chain.map((e) => e.localName + labelOf(e, secret));
  return steps.join('/') + (candidate.attribute ? `@${candidate.attribute.name}` : '');
}

function labelOf(element: XmlElement, secret: string): string {
  let label: string | undefined;
  for (const name of LOCATIONS.where.labelAttributes) {
    const attr = element.attributes.find((a) => a.name === name);
    if (attr && attr.value.trim()) {
      label = name === LOCATIONS.namedElements.nameAttribute ? attr.value.trim() : `${name}=${attr.value.trim()}`;
      break;
    }
  }
  if (label === undefined) label = labelChildText(element);
  // A label is a name, never a secret; should a name happen to contain the password, leave it out.
  return label && !label.includes(secret) ? `[${label}]` : '';
}

/** Labels of ancestors are asked once per finding below them: remember them, or wide elements cost O(n²). */
const childLabels = new WeakMap<XmlElement, string | undefined>();

function labelChildText(element: XmlElement): string | undefined {
  if (childLabels.has(element)) return childLabels.get(element);
  let label: string | undefined;
  for (const name of LOCATIONS.where.labelChildElements) {
    const child = firstChild(element, name);
    const text = child && !child.hasChildElements ? child.text.trim() : '';
    if (text) {
      label = text;
      break;
    }
  }
  childLabels.set(element, label);
  return label;
}

// ---- aliases: what the Carbon runtime looks up (wso2/carbon-kernel v4.4.35 ServerConfiguration.java, RealmConfigXMLProcessor.java; org.wso2.securevault SecretResolverFactory) --------------------------------------------------

/** The alias for a candidate; `secret` (when given) keeps free-form name parts that contain it out of the alias. */
function aliasOf(context: RuleContext, candidate: Candidate, secret: string | undefined): string {
  if (candidate.known?.alias) return candidate.known.alias;
  const path = elementPath(candidate.element);
  const attrSuffix = candidate.attribute ? [candidate.attribute.localName] : [];
  const rule = LOCATIONS.kinds[context.file.kind]?.aliasRule;
  if (rule === 'pathBelowRoot') {
    // APIManagerConfiguration, IdentityConfigParser, andes AndesConfigurationManager: local names below the root
    // joined by '.' (andes: the XPath with '/' → '.').
    return [...path.slice(1), ...(candidate.propertyName !== undefined && !candidate.attribute ? [candidate.propertyName] : []), ...attrSuffix].join('.');
  }
  if (rule === 'axis2') {
    const alias = axis2Alias(candidate);
    if (alias) return alias;
  }
  switch (context.file.kind) {
    case 'carbon':
      // ServerConfiguration: "Carbon." + dotted element path below <Server>.
      return [ALIASES.carbonPrefix, ...path.slice(1), ...attrSuffix].join('.');
    case 'catalina-server':
      // ServerManager.resolveSecuredConfig: element names from the root joined by '.', then the attribute name.
      return [...path, ...attrSuffix].join('.');
    case 'user-mgt': {
      if (candidate.propertyName !== undefined && !candidate.attribute) {
        const parent = candidate.element.parent?.localName;
        const rule = ALIASES.userMgtPropertyPrefixes.find((p) => p.parent === parent);
        if (rule) return rule.prefix + candidate.propertyName;
      }
      break;
    }
    case 'datasources': {
      const alias = datasourceAlias(candidate, secret);
      if (alias) return alias;
      break;
    }
    case 'axis2': {
      const alias = axis2Alias(candidate);
      if (alias) return alias;
      break;
    }
    default:
      break;
  }
  return [...path, ...(candidate.propertyName !== undefined && !candidate.attribute ? [candidate.propertyName] : []), ...attrSuffix].join('.');
}

/** `Datasources.<name>.Configuration.Password`; any alias works here, this is the one the cipher tool's list uses. */
function datasourceAlias(candidate: Candidate, secret: string | undefined): string | undefined {
  const chain = ancestorsAndSelf(candidate.element);
  const datasourceAt = chain.findIndex((e) => e.localName === ALIASES.datasourceElement);
  const configurationAt = chain.findIndex((e, i) => i > datasourceAt && e.localName === ALIASES.datasourceConfigurationElement);
  if (datasourceAt < 0 || configurationAt < 0) return undefined;
  const nameElement = firstChild(chain[datasourceAt], ALIASES.datasourceNameElement);
  const rawName = nameElement && !nameElement.hasChildElements ? nameElement.text.trim() : '';
  const name = rawName && (secret === undefined || !rawName.includes(secret)) ? sanitizeAliasPart(rawName) : '';
  const below = chain.slice(configurationAt + 1).map((e) => capitalize(e.localName));
  return [
    ALIASES.datasourcesPrefix,
    ...(name ? [name] : []),
    ALIASES.datasourceConfigurationSegment,
    ...below,
    ...(candidate.propertyName !== undefined && !candidate.attribute ? [candidate.propertyName] : []),
    ...(candidate.attribute ? [candidate.attribute.localName] : []),
  ].join('.');
}

/**
 * `Axis2.<Transport>.<Listener|Sender>.<path below the parameter>` (e.g. `Axis2.Https.Listener.KeyStore.Password`);
 * a secret parameter of a transport itself becomes `Axis2.<Transport>.Parameter.<Last name part>` as in the
 * cipher-tool list (`Axis2.Mailto.Parameter.Password` for mail.smtp.password).
 */
function axis2Alias(candidate: Candidate): string | undefined {
  const chain = ancestorsAndSelf(candidate.element);
  const transportAt = chain.findIndex((e) => Object.prototype.hasOwnProperty.call(ALIASES.axis2TransportRoles, e.localName));
  if (transportAt < 0) return undefined;
  const transport = chain[transportAt];
  const transportName = transport.attributes.find((a) => a.name === LOCATIONS.namedElements.nameAttribute)?.value.trim();
  if (!transportName) return undefined;
  const transportPart = capitalize(sanitizeAliasPart(transportName));
  const isProperty = candidate.propertyName !== undefined && !candidate.attribute;
  if (isProperty && transportAt === chain.length - 2) {
    const lastPart = candidate.propertyName!.slice(candidate.propertyName!.lastIndexOf('.') + 1);
    return [ALIASES.axis2Prefix, transportPart, ALIASES.axis2ParameterSegment, capitalize(sanitizeAliasPart(lastPart))].join('.');
  }
  const role = ALIASES.axis2TransportRoles[transport.localName];
  // The transport's <parameter name="keystore"> wrapper is not part of the alias: KeyStore/Password is.
  const firstBelow = chain[transportAt + 1];
  const skip = firstBelow && NAMED_ELEMENTS.has(firstBelow.localName) && firstBelow !== candidate.element ? 2 : 1;
  const below = chain.slice(transportAt + skip).map((e) => e.localName);
  if (isProperty) below.push(candidate.propertyName!);
  if (candidate.attribute) below.push(candidate.attribute.localName);
  return [ALIASES.axis2Prefix, transportPart, role, ...below].join('.');
}

function ancestorsAndSelf(element: XmlElement): XmlElement[] {
  const chain: XmlElement[] = [];
  for (let e: XmlElement | undefined = element; e; e = e.parent) chain.unshift(e);
  return chain;
}

function capitalize(s: string): string {
  return s.length === 0 ? s : s[0].toUpperCase() + s.slice(1);
}

/** Properties-file keys cannot hold whitespace, `=`, `:` or `#`: replace them so the alias is usable as written. */
function sanitizeAliasPart(s: string): string {
  return s.replace(/[\s=:#!\\]+/g, '_');
}
