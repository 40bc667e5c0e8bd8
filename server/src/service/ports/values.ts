import portTable from '../../../../schemas/ports.json';
import { TextSpan } from '../model/text';
import { XmlDocument, XmlElement, attribute, childAt, childElements, elementPath, textSpan, walkElements } from '../model/xml';
import { ConfigFileKind } from '../workspace/files';

/**
 * Which values of a product's files are ports, and what they become once the offset is added. The knowledge lives in
 * schemas/ports.json; this module only walks documents with it.
 */

export interface PortFact {
  /** Path of the file the port is written in. */
  readonly path: string;
  readonly confRelativePath: string;
  /** The number as written. */
  readonly span: TextSpan;
  /** What the port is, e.g. "Tomcat connector (https)". */
  readonly label: string;
  /** The configured value, undefined when it is not a plain integer (e.g. a `${…}` placeholder). */
  readonly configured: number | undefined;
  readonly offsetApplies: boolean;
  /** True for ports the server opens, which are what two products on one host can collide on. */
  readonly listening: boolean;
  /** Why no offset applies, for hovers and messages. */
  readonly noOffsetReason?: string;
  /** Why a port of a listener is not opened (a disabled transport, a clustering-only port), for hovers. */
  readonly notListeningReason?: string;
  /** Where the configured value comes from when the file does not simply write it there (deployment.toml: a key, a default of the config mapper). */
  readonly source?: string;
  /** True when whether the runtime adds the offset was not checked in its code (some deployment.toml ports). */
  readonly offsetUnverified?: boolean;
}

export interface OffsetValue {
  readonly raw: string;
  readonly span: TextSpan | undefined;
  /** The integer Carbon would parse, undefined when `Integer.parseInt` would fail. */
  readonly value: number | undefined;
}

const INT32_MAX = 2147483647;
export const MAX_PORT = 65535;
export const PRIVILEGED_PORT_LIMIT = 1024;

/** Parses like Java's Integer.parseInt after the trim Carbon's configuration reader does. */
export function parseJavaInt(raw: string): number | undefined {
  const trimmed = raw.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return value > INT32_MAX || value < -INT32_MAX - 1 ? undefined : value;
}

function parsePort(raw: string): number | undefined {
  const trimmed = raw.trim();
  return /^\d+$/.test(trimmed) ? Number(trimmed) : undefined;
}

export function readOffset(doc: XmlDocument): OffsetValue | undefined {
  const element = childAt(doc.root, portTable.carbon.offset);
  if (!element) return undefined;
  const span = textSpan(doc, element) ?? element.contentSpan;
  return { raw: element.text, span, value: parseJavaInt(element.text) };
}

export function effectivePort(port: PortFact, offset: number): number | undefined {
  if (port.configured === undefined) return undefined;
  return port.offsetApplies ? port.configured + offset : port.configured;
}

/** Home facts and the port rules ask for the ports of the same parse: find them once per document and path. */
const portsByDocument = new WeakMap<XmlDocument, { path: string; ports: PortFact[] }>();

export function portsOf(kind: ConfigFileKind, doc: XmlDocument, path: string, confRelativePath: string): PortFact[] {
  const cached = portsByDocument.get(doc);
  if (cached && cached.path === path) return cached.ports;
  const ports = findPorts(kind, doc, path, confRelativePath);
  portsByDocument.set(doc, { path, ports });
  return ports;
}

function findPorts(kind: ConfigFileKind, doc: XmlDocument, path: string, confRelativePath: string): PortFact[] {
  switch (kind) {
    case 'carbon':
      return carbonPorts(doc, path, confRelativePath);
    case 'catalina-server':
      return catalinaPorts(doc, path, confRelativePath);
    case 'axis2':
      return axis2Ports(doc, path, confRelativePath);
    case 'broker':
      return brokerPorts(doc, path, confRelativePath);
    default:
      return [];
  }
}

function carbonPorts(doc: XmlDocument, path: string, confRelativePath: string): PortFact[] {
  const ports: PortFact[] = [];
  const container = childAt(doc.root, portTable.carbon.otherPortsUnder);
  if (!container) return ports;
  const offsetElement = childAt(doc.root, portTable.carbon.offset);
  const known = new Map(portTable.carbon.ports.map((p) => [p.path, p]));
  for (const element of walkElements(container)) {
    if (element === container || element === offsetElement || element.hasChildElements) continue;
    const relative = elementPath(element).slice(1).join('/');
    const entry = known.get(relative);
    const span = textSpan(doc, element);
    if (!span) continue;
    const configured = parsePort(element.text);
    if (!entry && configured === undefined) continue;
    ports.push({
      path,
      confRelativePath,
      span,
      label: entry?.label ?? relative.replace(/^Ports\//, '').replace(/\//g, ' '),
      configured,
      offsetApplies: entry?.offset ?? portTable.carbon.otherPortsOffset,
      listening: entry?.listening ?? true,
    });
  }
  return ports;
}

function catalinaPorts(doc: XmlDocument, path: string, confRelativePath: string): PortFact[] {
  const ports: PortFact[] = [];
  const root = doc.root;
  if (!root) return ports;
  const shutdown = attribute(root, 'port');
  const shutdownInfo = portTable['catalina-server'].serverShutdownPort;
  if (shutdown) {
    ports.push({
      path,
      confRelativePath,
      span: shutdown.valueSpan,
      label: shutdownInfo.label,
      configured: parsePort(shutdown.value),
      offsetApplies: shutdownInfo.offset,
      listening: shutdownInfo.listening,
      noOffsetReason: shutdownInfo.why,
    });
  }
  const connectorInfo = portTable['catalina-server'].connector;
  for (const element of walkElements(root)) {
    if (element.localName !== 'Connector') continue;
    const scheme = attribute(element, 'scheme')?.value ?? (isSslConnector(element) ? 'https' : 'http');
    for (const [name, info] of Object.entries(connectorInfo) as [string, { label: string; offset: boolean; listening: boolean; why?: string }][]) {
      const attr = attribute(element, name);
      if (!attr) continue;
      ports.push({
        path,
        confRelativePath,
        span: attr.valueSpan,
        label: name === 'port' ? `${info.label} (${scheme})` : `${info.label} of the ${scheme} connector`,
        configured: parsePort(attr.value),
        offsetApplies: info.offset,
        listening: info.listening,
        noOffsetReason: info.why,
      });
    }
  }
  return ports;
}

export function isSslConnector(connector: XmlElement): boolean {
  const sslEnabled = attribute(connector, 'SSLEnabled')?.value.trim().toLowerCase();
  const scheme = attribute(connector, 'scheme')?.value.trim().toLowerCase();
  return sslEnabled === 'true' || scheme === 'https';
}

function axis2Ports(doc: XmlDocument, path: string, confRelativePath: string): PortFact[] {
  const ports: PortFact[] = [];
  const root = doc.root;
  if (!root) return ports;
  const table = portTable.axis2;
  for (const receiver of childElements(root)) {
    if (receiver.localName !== 'transportReceiver') continue;
    const className = attribute(receiver, 'class')?.value.trim() ?? '';
    const transport = attribute(receiver, 'name')?.value ?? '';
    const portParameter = childElements(receiver).find((p) => p.localName === 'parameter' && attribute(p, 'name')?.value === 'port');
    const span = portParameter && textSpan(doc, portParameter);
    if (!portParameter || !span) continue;
    const servlet = table.servletListeners.includes(className);
    ports.push({
      path,
      confRelativePath,
      span,
      label: `${transport} transport receiver`,
      configured: parsePort(portParameter.text),
      // Unknown listener classes are assumed to behave like Synapse's, which add the offset.
      offsetApplies: !servlet,
      listening: !servlet,
      noOffsetReason: servlet ? table.servletWhy : undefined,
    });
  }
  return ports;
}

/**
 * broker.xml (andes): AMQP, AMQP over SSL, MQTT, MQTT over SSL and the Thrift coordination port, all offset. A
 * connection or transport with enabled="false" opens nothing, so it is not counted for conflicts.
 */
function brokerPorts(doc: XmlDocument, path: string, confRelativePath: string): PortFact[] {
  const ports: PortFact[] = [];
  const table = portTable.broker;
  for (const entry of table.ports as readonly { path: string; attribute?: string; label: string; offset: boolean; listening: boolean; why?: string }[]) {
    const element = childAt(doc.root, entry.path);
    if (!element) continue;
    const attr = entry.attribute ? attribute(element, entry.attribute) : undefined;
    const span = entry.attribute ? attr?.valueSpan : textSpan(doc, element);
    if (!span) continue;
    const disabled = disabledOnTheWay(doc.root, entry.path);
    ports.push({
      path,
      confRelativePath,
      span,
      label: entry.label,
      configured: parsePort(attr ? attr.value : element.text),
      offsetApplies: entry.offset,
      listening: entry.listening && !disabled,
      ...(disabled ? { notListeningReason: table.disabledWhy } : entry.why ? { notListeningReason: entry.why } : {}),
    });
  }
  return ports.sort((a, b) => a.span.start - b.span.start);
}

/** An element on the path (below the root) with enabled="false". */
function disabledOnTheWay(root: XmlElement | undefined, elementPath: string): boolean {
  const names = elementPath.split('/');
  for (let i = 1; i <= names.length; i++) {
    const element = childAt(root, names.slice(0, i).join('/'));
    if (element && attribute(element, 'enabled')?.value.trim().toLowerCase() === 'false') return true;
  }
  return false;
}

// ---- ${Ports.…} references and literal ports in URLs (hovers and inlay hints) ---------------------------------------

/** A `${Ports.…}` template in element text or an attribute value, which Carbon resolves to a carbon.xml port + offset. */
export interface PortReference {
  /** The whole `${…}`. */
  readonly span: TextSpan;
  /** The configuration key between the braces, e.g. `Ports.EmbeddedLDAP.LDAPServerPort`. */
  readonly key: string;
  /** The carbon.xml element path the key names, e.g. `Ports/EmbeddedLDAP/LDAPServerPort`. */
  readonly elementPath: string;
}

/** A port written as digits in a URL (`ldap://localhost:10389`): used as written, the offset never touches it. */
export interface LiteralUrlPort {
  /** The digits. */
  readonly span: TextSpan;
  readonly port: number;
}

const REFERENCE_OPEN = `\${${portTable.references.prefix}.`;

/**
 * `${Ports.A.B}` references in `source` (offsets relative to it), by plain scanning: each character is looked at a
 * bounded number of times, whatever the text (no regular expression that could backtrack on a long value).
 */
export function findPortReferences(source: string): { start: number; end: number; key: string }[] {
  const found: { start: number; end: number; key: string }[] = [];
  for (let start = source.indexOf(REFERENCE_OPEN); start >= 0; start = source.indexOf(REFERENCE_OPEN, start + 1)) {
    // Key segments are [A-Za-z0-9_-]+ separated by single dots, closed by `}`.
    let i = start + REFERENCE_OPEN.length;
    let segmentLength = 0;
    for (; i < source.length; i++) {
      const c = source.charCodeAt(i);
      if (isKeyChar(c)) segmentLength++;
      else if (c === DOT && segmentLength > 0) segmentLength = 0;
      else break;
    }
    if (segmentLength > 0 && source.charCodeAt(i) === CLOSE_BRACE) {
      found.push({ start, end: i + 1, key: source.slice(start + 2, i) });
      start = i;
    }
  }
  return found;
}

/**
 * Ports written as digits in a URL (`scheme://[userinfo@]host:port` followed by the end of the authority), offsets of
 * the digits relative to `source`. Requiring the end of the authority keeps a password written as `user:1234@host`
 * from passing for a port. Plain scanning from each `://`: every scan stops at a `/`, so the whole is linear.
 */
export function findLiteralUrlPorts(source: string): { start: number; end: number; port: number }[] {
  const found: { start: number; end: number; port: number }[] = [];
  let searchFrom = 0; // a match never starts inside the previous one
  for (let sep = source.indexOf('://'); sep >= 0; sep = source.indexOf('://', sep + 1)) {
    // The scheme: [A-Za-z][A-Za-z0-9+.-]* right before `://`.
    let schemeStart = sep;
    while (schemeStart > searchFrom && isSchemeChar(source.charCodeAt(schemeStart - 1))) schemeStart--;
    while (schemeStart < sep && !isLetter(source.charCodeAt(schemeStart))) schemeStart++;
    if (schemeStart === sep) continue;
    const authority = sep + 3;
    // With the userinfo (when the authority has an `@` before any end of it), else without.
    let userinfoEnd = authority;
    while (userinfoEnd < source.length && !USERINFO_STOP.has(source.charCodeAt(userinfoEnd))) userinfoEnd++;
    const port = (source.charCodeAt(userinfoEnd) === AT ? portAfterHost(source, userinfoEnd + 1) : undefined) ?? portAfterHost(source, authority);
    if (!port) continue;
    found.push(port);
    searchFrom = port.end;
    sep = port.end - 1;
  }
  return found;
}

/** `host:port` at `at` (a bracketed IPv6 address or a host name), the port followed by the end of the authority. */
function portAfterHost(source: string, at: number): { start: number; end: number; port: number } | undefined {
  let i = at;
  if (source.charCodeAt(i) === OPEN_BRACKET) {
    i++;
    while (i < source.length && isIpv6Char(source.charCodeAt(i))) i++;
    if (i === at + 1 || source.charCodeAt(i) !== CLOSE_BRACKET) return undefined;
    i++;
  } else {
    while (i < source.length && !HOST_STOP.has(source.charCodeAt(i))) i++;
    if (i === at) return undefined;
  }
  if (source.charCodeAt(i) !== COLON) return undefined;
  const start = i + 1;
  let end = start;
  while (end < source.length && end - start < 5 && isDigit(source.charCodeAt(end))) end++;
  if (end === start || (end < source.length && !AUTHORITY_END.has(source.charCodeAt(end)))) return undefined;
  return { start, end, port: Number(source.slice(start, end)) };
}

const DOT = 0x2e;
const CLOSE_BRACE = 0x7d;
const AT = 0x40;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const codes = (chars: string) => new Set([...chars].map((c) => c.charCodeAt(0)));
/** JavaScript's `\s`: the white space and line terminators of ECMA-262. */
const WHITE_SPACE = codes('\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff');
const withSpace = (chars: string) => new Set([...WHITE_SPACE, ...codes(chars)]);
const USERINFO_STOP = withSpace('/@\'"<>');
const HOST_STOP = withSpace('/:@\'"<>?#[]');
const AUTHORITY_END = withSpace('/?#;,)\'"<]');
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isLetter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isSchemeChar = (c: number) => isLetter(c) || isDigit(c) || c === 0x2b || c === 0x2e || c === 0x2d;
const isKeyChar = (c: number) => isLetter(c) || isDigit(c) || c === 0x5f || c === 0x2d;
const isIpv6Char = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66) || c === COLON || c === DOT;

/** Every `${Ports.…}` reference of the document's element texts and attribute values (comments excluded). */
export function portReferencesIn(doc: XmlDocument): PortReference[] {
  return scanValues(doc, findPortReferences, (found, offset) => ({
    span: { start: offset + found.start, end: offset + found.end },
    key: found.key,
    elementPath: found.key.split('.').join('/'),
  }));
}

/** Every literal port of a URL in the document's element texts and attribute values (comments excluded). */
export function literalUrlPortsIn(doc: XmlDocument): LiteralUrlPort[] {
  return scanValues(doc, findLiteralUrlPorts, (found, offset) => ({ span: { start: offset + found.start, end: offset + found.end }, port: found.port }));
}

/**
 * What a reference resolves to in carbon.xml (CarbonUtils.getPortFromServerConfig reads the element the key names);
 * undefined when carbon.xml has no such element.
 */
export function resolvePortReference(carbon: XmlDocument, reference: Pick<PortReference, 'elementPath'>): { element: XmlElement; span: TextSpan | undefined; configured: number | undefined } | undefined {
  const element = childAt(carbon.root, reference.elementPath);
  if (!element || element.hasChildElements) return undefined;
  return { element, span: textSpan(carbon, element), configured: parsePort(element.text) };
}

function scanValues<F extends { start: number; end: number }, T>(doc: XmlDocument, find: (source: string) => F[], make: (found: F, offset: number) => T): T[] {
  const found: T[] = [];
  const comments = doc.comments; // in document order
  const scan = (span: TextSpan | undefined) => {
    if (!span || span.end <= span.start) return;
    const matches = find(doc.text.slice(span.start, span.end));
    if (matches.length === 0) return;
    // The first comment that could overlap the span, by binary search: no scan of every comment per match.
    let c = firstCommentEndingAfter(comments, span.start);
    for (const match of matches) {
      const start = span.start + match.start;
      const end = span.start + match.end;
      while (c < comments.length && comments[c].span.end <= start) c++;
      if (!(c < comments.length && comments[c].span.start < end)) found.push(make(match, span.start));
    }
  };
  for (const element of walkElements(doc.root)) {
    for (const attr of element.attributes) scan(attr.valueSpan);
    if (!element.hasChildElements) scan(element.contentSpan);
  }
  return found;
}

function firstCommentEndingAfter(comments: readonly { span: TextSpan }[], offset: number): number {
  let low = 0;
  let high = comments.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (comments[mid].span.end <= offset) low = mid + 1;
    else high = mid;
  }
  return low;
}
