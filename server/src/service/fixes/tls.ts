import policy from '../../../../schemas/tls-policy.json';
import { TextSpan } from '../model/text';
import { XmlAttribute, XmlDocument, XmlElement, attribute, childElements, textSpan } from '../model/xml';
import { weakTlsCiphers } from '../rules/weak-tls-ciphers';
import { weakTlsProtocol } from '../rules/weak-tls-protocol';
import { TlsProfileName, mergeSettings } from '../settings';
import { TlsEndpoint, TlsProfile, TlsSetting, tlsEndpoints, tlsProfile } from '../tls';
import { Rule, RuleId } from '../types';
import { ConfigFileKind } from '../workspace/files';
import { JdkId, UNKNOWN_NAMES_HAZARD, UNKNOWN_PRODUCT, cipherUnknownBecause, isJdkId, jdkLabels, jdkOnlyFor, newerJdks, protocolKnownToAll } from '../workspace/product';
import { Fix, TextReplacement } from './types';

/**
 * Quick fixes of weak-tls-protocol and weak-tls-ciphers: write the TLS profile's recommended protocol list
 * (`sslEnabledProtocols`, SSLHostConfig `protocols`, Synapse `HttpsProtocols`) or cipher suites (`ciphers`,
 * `PreferredCiphers`) where the finding points. Only the list itself changes, or one attribute / one parameter line is
 * added in the element's own formatting; every other byte stays as it was.
 *
 * In axis2.xml WSO2's guide sets the list on both the https transportReceiver and transportSender, so the fix covers
 * every PassThrough SSL transport of the file that has a finding of the same rule (a compliant one is left alone).
 */

export interface TlsFixRequest {
  readonly doc: XmlDocument;
  readonly path: string;
  readonly kind: ConfigFileKind;
  readonly ruleId: RuleId;
  /** The finding's range in `doc.text`. */
  readonly span: TextSpan;
  /** The finding's data (profile, recommendedList, …). */
  readonly data?: Record<string, unknown>;
  /** The profile of the settings, used when the data names none. */
  readonly profile?: TlsProfileName;
}

type ListKind = 'protocols' | 'ciphers';

const RULE_LISTS: Partial<Record<RuleId, { list: ListKind; rule: Rule }>> = {
  'weak-tls-protocol': { list: 'protocols', rule: weakTlsProtocol },
  'weak-tls-ciphers': { list: 'ciphers', rule: weakTlsCiphers },
};

/** Where the list goes: an existing setting to overwrite, or an endpoint that has none. */
type Target = { readonly endpoint: TlsEndpoint; readonly setting: TlsSetting } | { readonly endpoint: TlsEndpoint; readonly setting: undefined };

export function isTlsRule(ruleId: string): boolean {
  return Object.prototype.hasOwnProperty.call(RULE_LISTS, ruleId);
}

/**
 * The fix `--fix` may apply: the profile's list, keeping only names every JDK the product supports accepts (the
 * finding's `jdks`; every JDK a Carbon 4.4 product may run on when the product is unknown). Undefined when no name
 * is left, or when the product cannot use the setting at all (`noFix`: a Synapse that ignores PreferredCiphers).
 */
export function planTlsFix(request: TlsFixRequest): Fix | undefined {
  return planTlsFixes(request).find((f) => f.isPreferred);
}

/**
 * Every TLS fix of the finding: the safe one first (preferred), then the profile's list for newer JDKs only, each a
 * separate, labelled, never preferred action (the TLS 1.3 variant among them): PassThrough hands unknown names to the
 * JDK, which then fails every HTTPS connection, and Tomcat drops them, failing every handshake when none is left.
 */
export function planTlsFixes(request: TlsFixRequest): Fix[] {
  const entry = RULE_LISTS[request.ruleId];
  if (!entry || (request.kind !== 'catalina-server' && request.kind !== 'axis2')) return [];
  if (request.data?.noFix === true) return [];
  const profileName = profileNameOf(request);
  const { profile } = tlsProfile(profileName);
  const values = recommendedValues(request.data, profile, entry.list);
  if (values.length === 0) return [];
  const jdks = jdksOf(request.data);
  const productKnown = request.data?.productKnown === true;
  const accepted = (floor: readonly JdkId[]) => values.filter((v) => (entry.list === 'protocols' ? protocolKnownToAll(v, floor) : !cipherUnknownBecause(v, floor)));

  const fixes: Fix[] = [];
  const safe = accepted(jdks);
  if (safe.length > 0) {
    const filtered = safe.length < values.length;
    const qualifier = !productKnown
      ? ` (what ${jdkLabels(jdks)} can use: the product version is unknown)`
      : filtered
        ? ` (what ${jdkLabels(jdks)} can use)`
        : '';
    const fix = planList(request, entry, profileName, safe, values.length, true, (title) => `${title}${qualifier}`);
    if (fix) fixes.push(fix);
  }
  // The labelled variants: the list as newer JDKs accept it, one action per distinct list.
  let previous = safe.join(',');
  for (const floor of newerJdks(jdks)) {
    const list = accepted([floor]);
    if (list.length === 0 || list.join(',') === previous) continue;
    previous = list.join(',');
    const hazard = request.kind === 'axis2' ? UNKNOWN_NAMES_HAZARD.parameter : UNKNOWN_NAMES_HAZARD.attribute;
    const fix = planList(request, entry, profileName, list, values.length, false, (title) => `${jdkOnlyFor(floor)}: ${lowerFirst(title)}. ${hazard}`);
    if (fix) fixes.push(fix);
  }
  return fixes;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** The finding's `jdks` (set by the rules from the home's product), else the conservative default. */
function jdksOf(data: Record<string, unknown> | undefined): JdkId[] {
  const listed = data?.jdks;
  if (Array.isArray(listed) && listed.length > 0 && listed.every(isJdkId)) return listed;
  return [...UNKNOWN_PRODUCT.jdks];
}

function planList(
  request: TlsFixRequest,
  entry: { list: ListKind; rule: Rule },
  profileName: TlsProfileName,
  values: string[],
  profileCount: number,
  isPreferred: boolean,
  label: (title: string) => string,
): Fix | undefined {
  const listText = values.join(',');
  const endpoints = tlsEndpoints(request.doc, request.kind);
  const pick = (e: TlsEndpoint) => (entry.list === 'protocols' ? e.protocols : e.ciphers);
  const first = targetAt(endpoints, pick, request.span);
  if (!first) return undefined;
  const targets: Target[] = [first];
  if (request.kind === 'axis2') {
    // Both directions of the PassThrough transport, as WSO2's guide has it: every SSL transport the rule flags.
    for (const span of findingSpans(request, entry.rule, profileName)) {
      const target = targetAt(endpoints, pick, span);
      if (target && !targets.some((t) => sameTarget(t, target))) targets.push(target);
    }
  }

  const eol = lineBreakOf(request.doc.text);
  const replacements: TextReplacement[] = [];
  for (const target of targets) {
    const replacement = target.setting
      ? overwrite(request.doc, target.endpoint, target.setting, listText)
      : add(request.doc, target.endpoint, entry.list, listText, eol);
    if (replacement && request.doc.text.slice(replacement.span.start, replacement.span.end) !== replacement.newText) replacements.push(replacement);
  }
  if (replacements.length === 0) return undefined;

  const settingName = targets[0].setting?.name ?? (entry.list === 'protocols' ? targets[0].endpoint.protocolsName : targets[0].endpoint.ciphersName);
  const count = values.length === profileCount ? `${values.length}` : `${values.length} of ${profileCount}`;
  const what = entry.list === 'protocols' ? listText : `the ${profileName} profile's ${count} cipher suites`;
  const where = targets.length > 1 ? ` on ${joinLabels(targets.map((t) => t.endpoint.label))}` : '';
  return {
    title: label(`Set ${settingName} to ${what}${where}`),
    ruleId: request.ruleId,
    isPreferred,
    changes: [{ kind: 'edit', path: request.path, baseText: request.doc.text, replacements }],
  };
}

function profileNameOf(request: TlsFixRequest): TlsProfileName {
  const named = request.data?.profile;
  if (typeof named === 'string' && Object.prototype.hasOwnProperty.call(policy.profiles, named)) return named as TlsProfileName;
  return tlsProfile(request.profile).name;
}

/** The finding's `recommendedList` points into tls-policy.json; the profile's own list when it does not resolve. */
function recommendedValues(data: Record<string, unknown> | undefined, profile: TlsProfile, list: ListKind): string[] {
  const pointer = data?.recommendedList;
  if (typeof pointer === 'string') {
    let node: unknown = policy;
    for (const step of pointer.split('.')) {
      node = node && typeof node === 'object' && Object.prototype.hasOwnProperty.call(node, step) ? (node as Record<string, unknown>)[step] : undefined;
    }
    if (Array.isArray(node) && node.length > 0 && node.every((v) => typeof v === 'string' && /^[A-Za-z0-9_.+-]+$/.test(v))) return node as string[];
  }
  return list === 'protocols' ? [...profile.recommendedProtocols] : [...profile.recommendedCiphers];
}

function contains(outer: TextSpan | undefined, inner: TextSpan): boolean {
  return !!outer && inner.start >= outer.start && inner.end <= outer.end;
}

function sameSpan(a: TextSpan, b: TextSpan): boolean {
  return a.start === b.start && a.end === b.end;
}

/** The list a finding at `span` is about: a token or the name of a written list, or the anchor of an endpoint without one. */
function targetAt(endpoints: TlsEndpoint[], pick: (e: TlsEndpoint) => TlsSetting | undefined, span: TextSpan): Target | undefined {
  for (const endpoint of endpoints) {
    const setting = pick(endpoint);
    if (setting && (contains(setting.valueSpan, span) || sameSpan(setting.nameSpan, span))) return { endpoint, setting };
  }
  for (const endpoint of endpoints) {
    if (!pick(endpoint) && sameSpan(endpoint.anchor, span)) return { endpoint, setting: undefined };
  }
  return undefined;
}

function sameTarget(a: Target, b: Target): boolean {
  if (a.setting && b.setting) return sameSpan(a.setting.nameSpan, b.setting.nameSpan);
  return !a.setting && !b.setting && a.endpoint.element === b.endpoint.element;
}

/** Spans of the findings `rule` reports on the document under the profile: the other endpoints that need the fix. */
function findingSpans(request: TlsFixRequest, rule: Rule, profile: TlsProfileName): TextSpan[] {
  const spans: TextSpan[] = [];
  rule.check({
    doc: request.doc,
    file: { kind: request.kind, path: request.path, confRelativePath: '', home: undefined },
    settings: mergeSettings({ tlsProfile: profile }),
    home: undefined,
    workspace: { homes: [] },
    report: (finding) => spans.push(finding.span),
  });
  return spans;
}

function joinLabels(labels: string[]): string {
  const distinct = [...new Set(labels)];
  return distinct.length <= 1 ? distinct.join('') : `${distinct.slice(0, -1).join(', ')} and ${distinct[distinct.length - 1]}`;
}

// ---- edits ---------------------------------------------------------------------------------------------------

/** Replaces the whole value of a written list: the attribute value between its quotes, or the parameter's text. */
function overwrite(doc: XmlDocument, endpoint: TlsEndpoint, setting: TlsSetting, listText: string): TextReplacement | undefined {
  if (setting.kind === 'attribute') {
    const attr = attributeAt(endpoint.element, setting.nameSpan);
    return attr ? { span: attr.valueSpan, newText: listText } : undefined;
  }
  const parameter = parameterNamedAt(endpoint.element, setting.nameSpan);
  if (!parameter) return undefined;
  const text = textSpan(doc, parameter);
  if (text) return { span: text, newText: listText };
  if (parameter.hasChildElements) return undefined;
  if (parameter.contentSpan) return { span: parameter.contentSpan, newText: listText };
  // `<parameter name="HttpsProtocols"/>`: give it content.
  const slash = doc.text.lastIndexOf('/', parameter.startTagEnd - 1);
  if (slash < parameter.span.start) return undefined;
  return { span: { start: slash, end: parameter.startTagEnd }, newText: `>${listText}</${parameter.name}>` };
}

/** The attribute whose name is at `nameSpan`: on the element, or on its Connector when an SSLHostConfig inherits the list. */
function attributeAt(element: XmlElement, nameSpan: TextSpan): XmlAttribute | undefined {
  for (const e of [element, element.parent]) {
    const found = e?.attributes.find((a) => sameSpan(a.nameSpan, nameSpan));
    if (found) return found;
  }
  return undefined;
}

function parameterNamedAt(transport: XmlElement, nameValueSpan: TextSpan): XmlElement | undefined {
  return childElements(transport).find((child) => {
    const name = attribute(child, 'name');
    return !!name && sameSpan(name.valueSpan, nameValueSpan);
  });
}

function add(doc: XmlDocument, endpoint: TlsEndpoint, list: ListKind, listText: string, eol: string): TextReplacement | undefined {
  const name = list === 'protocols' ? endpoint.protocolsName : endpoint.ciphersName;
  return endpoint.settingKind === 'attribute' ? addAttribute(doc, endpoint.element, name, listText) : addParameter(doc, endpoint.element, name, listText, eol);
}

/**
 * A new attribute after the element's last one, in the element's style: on a line of its own aligned with the last
 * attribute when that one starts its line (Tomcat connectors are written one attribute per line), else after a space.
 */
function addAttribute(doc: XmlDocument, element: XmlElement, name: string, value: string): TextReplacement | undefined {
  const text = doc.text;
  const last = element.attributes[element.attributes.length - 1];
  if (!last) return { span: { start: element.nameSpan.end, end: element.nameSpan.end }, newText: ` ${name}="${value}"` };
  const quote = text[last.valueSpan.end] === "'" ? "'" : '"';
  const at = last.valueSpan.end + 1;
  const lineStart = startOfLine(text, last.nameSpan.start);
  const before = text.slice(lineStart, last.nameSpan.start);
  const separator = lineStart > element.span.start && /^[ \t]*$/.test(before) ? `${lineBreakBefore(text, lineStart)}${before}` : ' ';
  return { span: { start: at, end: at }, newText: `${separator}${name}=${quote}${value}${quote}` };
}

/** A new `<parameter name="…">…</parameter>` line after the transport's last parameter, indented like it. */
function addParameter(doc: XmlDocument, transport: XmlElement, name: string, value: string, eol: string): TextReplacement | undefined {
  const text = doc.text;
  const children = childElements(transport);
  const parameters = children.filter((c) => c.localName === 'parameter');
  const anchor = parameters[parameters.length - 1] ?? children[children.length - 1];
  const transportIndent = indentOf(text, transport.span.start);
  if (anchor) {
    const lineStart = startOfLine(text, anchor.span.start);
    const before = text.slice(lineStart, anchor.span.start);
    const indent = /^[ \t]*$/.test(before) ? before : transportIndent + indentUnit(text, transport);
    const tag = anchor.localName === 'parameter' ? anchor.name : 'parameter';
    return { span: { start: anchor.span.end, end: anchor.span.end }, newText: `${eol}${indent}<${tag} name="${name}">${value}</${tag}>` };
  }
  const indent = transportIndent + indentUnit(text, transport);
  const line = `<parameter name="${name}">${value}</parameter>`;
  if (transport.selfClosing) {
    const slash = text.lastIndexOf('/', transport.startTagEnd - 1);
    if (slash < transport.span.start) return undefined;
    return { span: { start: slash, end: transport.startTagEnd }, newText: `>${eol}${indent}${line}${eol}${transportIndent}</${transport.name}>` };
  }
  const content = transport.contentSpan;
  if (!content) return undefined;
  // Only blanks (or comments) inside: the new line goes before the end tag, which keeps its own line.
  const closeLineStart = startOfLine(text, content.end);
  const endTagStartsLine = closeLineStart > content.start && /^[ \t]*$/.test(text.slice(closeLineStart, content.end));
  if (endTagStartsLine) return { span: { start: closeLineStart, end: closeLineStart }, newText: `${indent}${line}${eol}` };
  return { span: { start: content.end, end: content.end }, newText: `${eol}${indent}${line}${eol}${transportIndent}` };
}

function startOfLine(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
}

function indentOf(text: string, offset: number): string {
  const lineStart = startOfLine(text, offset);
  return /^[ \t]*/.exec(text.slice(lineStart, offset))![0];
}

/** The indentation step the file uses inside `element`: a child's extra indentation, or four spaces. */
function indentUnit(text: string, element: XmlElement): string {
  const own = indentOf(text, element.span.start);
  for (const child of element.children) {
    const lineStart = startOfLine(text, child.span.start);
    const before = text.slice(lineStart, child.span.start);
    if (lineStart > element.span.start && /^[ \t]*$/.test(before) && before.startsWith(own) && before.length > own.length) return before.slice(own.length);
  }
  return own.includes('\t') ? '\t' : '    ';
}

/** The line break that ends the line before `lineStart`. */
function lineBreakBefore(text: string, lineStart: number): string {
  if (text[lineStart - 1] === '\n') return text[lineStart - 2] === '\r' ? '\r\n' : '\n';
  return text[lineStart - 1] === '\r' ? '\r' : '\n';
}

/** The document's line break: the first one it has, `\n` when it has none. */
export function lineBreakOf(text: string): string {
  const match = /\r\n|\n|\r/.exec(text);
  return match ? match[0] : '\n';
}
