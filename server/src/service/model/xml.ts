import * as sax from 'sax';
import { LineIndex, TextSpan } from './text';

/**
 * An XML element tree built on sax with exact source ranges.
 *
 * sax reports only where tags end, so the ranges of attribute names and values are recovered by scanning the raw
 * start-tag text, and the range of an element's text by trimming the source between its start and end tags. Comments
 * are kept as nodes (suppression comments live there; fixes must preserve them) but rules never look inside them,
 * which is what keeps the sample passwords of commented-out blocks out of the findings.
 */

export interface XmlAttribute {
  /** Qualified name as written, e.g. `svns:secretAlias`. */
  readonly name: string;
  readonly localName: string;
  readonly prefix: string;
  /**
   * The value an XML parser reports (DOM `getAttribute`, Axiom `getAttributeValue`): references decoded and
   * attribute-value normalised (XML 1.0 §3.3.3: CRLF, CR, LF and tab written literally each become one space; the
   * same characters written as references stay). No trimming: every attribute is CDATA without a DTD.
   */
  readonly value: string;
  readonly nameSpan: TextSpan;
  /** The value between the quotes. */
  readonly valueSpan: TextSpan;
}

export interface XmlElement {
  readonly type: 'element';
  readonly name: string;
  readonly localName: string;
  readonly prefix: string;
  readonly attributes: XmlAttribute[];
  readonly parent: XmlElement | undefined;
  /** Child elements and comments in document order. */
  readonly children: XmlChild[];
  /** From `<` of the start tag to the end of the end tag (or of the start tag when self-closing). */
  readonly span: TextSpan;
  /** The element name inside the start tag. */
  readonly nameSpan: TextSpan;
  /** Offset just after the start tag's `>`. */
  readonly startTagEnd: number;
  /** Source between the start and end tag; undefined for `<x/>`. */
  readonly contentSpan: TextSpan | undefined;
  /**
   * Decoded text and CDATA of a leaf element as sax reports them (line ends as written); '' for elements that have
   * child elements. For the exact value the runtime reads use `elementText`.
   */
  readonly text: string;
  readonly hasChildElements: boolean;
  readonly hasCData: boolean;
  readonly selfClosing: boolean;
  /** False when the document ended (or broke) before the end tag. */
  readonly closed: boolean;
}

/*
 * The model is built for every keystroke's validation and for files of many megabytes, so it allocates little:
 * elements and attributes keep plain offsets and hand out span objects on demand, and leaves share one empty
 * children array.
 */
const NO_CHILDREN: XmlChild[] = [];

class Element implements XmlElement {
  readonly type = 'element' as const;
  children: XmlChild[] = NO_CHILDREN;
  text = '';
  hasChildElements = false;
  hasCData = false;
  closed: boolean;
  end: number;
  /** Start of the end tag; -1 while open or when self-closing. */
  contentEnd = -1;

  constructor(
    readonly name: string,
    readonly localName: string,
    readonly prefix: string,
    readonly attributes: XmlAttribute[],
    readonly parent: Element | undefined,
    readonly start: number,
    readonly startTagEnd: number,
    readonly selfClosing: boolean,
  ) {
    this.end = startTagEnd;
    this.closed = selfClosing;
  }

  get span(): TextSpan {
    return { start: this.start, end: this.end };
  }

  get nameSpan(): TextSpan {
    return { start: this.start + 1, end: this.start + 1 + this.name.length };
  }

  get contentSpan(): TextSpan | undefined {
    return this.contentEnd < 0 ? undefined : { start: this.startTagEnd, end: this.contentEnd };
  }

  addChild(child: XmlChild): void {
    if (this.children === NO_CHILDREN) this.children = [];
    this.children.push(child);
  }
}

class Attribute implements XmlAttribute {
  constructor(
    readonly name: string,
    readonly localName: string,
    readonly prefix: string,
    readonly value: string,
    private readonly nameStart: number,
    private readonly valueStart: number,
    private readonly valueEnd: number,
  ) {}

  get nameSpan(): TextSpan {
    return { start: this.nameStart, end: this.nameStart + this.name.length };
  }

  get valueSpan(): TextSpan {
    return { start: this.valueStart, end: this.valueEnd };
  }
}

export interface XmlComment {
  readonly type: 'comment';
  /** From `<!--` to `-->` inclusive. */
  readonly span: TextSpan;
  readonly value: string;
}

export type XmlChild = XmlElement | XmlComment;

export interface XmlSyntaxError {
  /** sax's message without its position suffix and without the offending character (it may belong to a secret). */
  readonly message: string;
  readonly span: TextSpan;
}

export interface XmlDocument {
  readonly text: string;
  readonly root: XmlElement | undefined;
  /** Every comment, in document order, including those inside elements. */
  readonly comments: XmlComment[];
  /** The first well-formedness fault; parsing continues past it so rules can still run on what parsed. */
  readonly syntaxError: XmlSyntaxError | undefined;
  readonly lines: LineIndex;
}

const MAX_RECOVERED_ERRORS = 1000;

/**
 * The state of one parse. sax calls its handlers as methods of the parser (`parser.onopentag(tag)`), so the handlers
 * below are module functions reading this state from `this.tree`, not closures over a parse's variables. Closures made
 * per parse cost more than their allocation: V8's scavenger keeps whatever an old-space object still points to, and
 * per-parse handler closures (reached through sax's call sites) kept every document's text and tree alive past the
 * next young-generation collection, which then copied and promoted them (measured on the corpus tree: 48.7 MB
 * promoted for 15.9 MB of XML with closures; 0.4 MB for the same parse written this way, in a sax-only trial).
 */
class TreeBuilder {
  readonly comments: XmlComment[] = [];
  readonly stack: Element[] = [];
  root: Element | undefined;
  syntaxError: XmlSyntaxError | undefined;
  errorCount = 0;
  abandoned = false;
  /**
   * sax reports `<x/>` as an open tag followed at once by a close tag; that close tag belongs to the element that was
   * never pushed, not to an open element of the same name (`<a><a/><b/></a>`).
   */
  selfClosedPending = false;

  constructor(readonly text: string) {}

  /** A fault sax does not see itself (it is lenient about a few well-formedness constraints). */
  fault(message: string, at: number): void {
    if (!this.syntaxError) this.syntaxError = { message, span: { start: at, end: Math.min(at + 1, this.text.length) } };
  }
}

/** sax's parser as the handlers see it: `this` in a handler, with the parse's state attached. */
type BuildingParser = sax.SAXParser & { tree: TreeBuilder | undefined };

function onError(this: BuildingParser, error: Error): void {
  const tree = this.tree!;
  tree.errorCount++;
  if (!tree.syntaxError) {
    const at = Math.max(0, Math.min(this.position - 1, tree.text.length));
    tree.syntaxError = { message: cleanSaxMessage(error.message), span: { start: at, end: Math.min(at + 1, tree.text.length) } };
  }
  // sax keeps going after a strict-mode error once it is cleared; past a point the rest is noise.
  (this as unknown as { error: Error | null }).error = null;
  if (tree.errorCount > MAX_RECOVERED_ERRORS) tree.abandoned = true;
}

function onProcessingInstruction(this: BuildingParser, instruction: { name: string; body: string }): void {
  if (instruction.name.toLowerCase() !== 'xml') return;
  const tree = this.tree!;
  const start = tree.text.lastIndexOf('<?', this.position);
  // The XML declaration must be the very first thing in the document (a BOM aside).
  if (start > 0 && !(start === 1 && tree.text.charCodeAt(0) === 0xfeff)) tree.fault('The XML declaration is allowed only at the start of the document', Math.max(0, start));
}

function onOpenTag(this: BuildingParser, tag: sax.Tag): void {
  const tree = this.tree!;
  if (tree.abandoned) return;
  const text = tree.text;
  const stack = tree.stack;
  const tagEnd = this.position;
  const tagStart = this.startTagPosition - 1;
  const parent = stack[stack.length - 1];
  // Strings sax builds character by character are ropes; keeping them would keep thousands of fragments alive
  // for the GC to trace. Slices of the source are flat and cheap, so every string kept is taken from the source.
  const name = text.slice(tagStart + 1, tagStart + 1 + tag.name.length);
  const { prefix, localName } = splitName(name);
  const element = new Element(name, localName, prefix, scanAttributes(text, tagStart, tagEnd, tag), parent, tagStart, tagEnd, tag.isSelfClosing);
  if (parent) {
    parent.addChild(element);
    parent.hasChildElements = true;
    parent.text = '';
  } else if (!tree.root) {
    tree.root = element;
  } else {
    tree.fault('Only one root element is allowed', tagStart);
  }
  // A second root is a syntax error sax reports; it is still parsed so its content is not silently dropped.
  if (!tag.isSelfClosing) stack.push(element);
  else tree.selfClosedPending = true;
}

function onCloseTag(this: BuildingParser, name: string): void {
  const tree = this.tree!;
  if (tree.abandoned) return;
  if (tree.selfClosedPending) {
    tree.selfClosedPending = false;
    return;
  }
  const stack = tree.stack;
  const top = stack[stack.length - 1];
  if (!top || top.name !== name) return; // an unmatched end tag sax reported
  stack.pop();
  const end = this.position;
  top.contentEnd = Math.max(top.startTagEnd, tree.text.lastIndexOf('</', end - 1));
  top.end = end;
  top.closed = true;
}

function onText(this: BuildingParser, value: string): void {
  const stack = this.tree!.stack;
  const top = stack[stack.length - 1];
  if (top && !top.hasChildElements) top.text += value;
}

function onCData(this: BuildingParser, value: string): void {
  const stack = this.tree!.stack;
  const top = stack[stack.length - 1];
  if (top) {
    top.hasCData = true;
    if (!top.hasChildElements) top.text += value;
  }
}

function onComment(this: BuildingParser, value: string): void {
  const tree = this.tree!;
  if (tree.abandoned) return;
  const text = tree.text;
  // sax emits the comment before it counts the final '>', so find the terminator near its position.
  const terminator = text.indexOf('-->', Math.max(0, this.position - 3));
  const end = terminator < 0 ? this.position : terminator + 3;
  let start = end - value.length - 7;
  if (start < 0 || !text.startsWith('<!--', start)) start = Math.max(0, text.lastIndexOf('<!--', end - 3));
  const comment: XmlComment = { type: 'comment', span: { start, end }, value: text.slice(start + 4, Math.max(start + 4, end - 3)) };
  tree.comments.push(comment);
  const top = tree.stack[tree.stack.length - 1];
  if (top) top.addChild(comment);
}

export function parseXml(text: string): XmlDocument {
  const parser = sax.parser(true, { position: true, trim: false, normalize: false, xmlns: false }) as BuildingParser;
  const tree = new TreeBuilder(text);
  parser.tree = tree;
  parser.onerror = onError;
  parser.onprocessinginstruction = onProcessingInstruction;
  parser.onopentag = onOpenTag;
  parser.onclosetag = onCloseTag;
  parser.ontext = onText;
  parser.oncdata = onCData;
  parser.oncomment = onComment;
  try {
    parser.write(text).close();
  } catch (error) {
    // sax throws only for misuse; keep whatever parsed and report the document as broken.
    if (!tree.syntaxError) tree.syntaxError = { message: cleanSaxMessage(String((error as Error).message)), span: { start: 0, end: 0 } };
  }
  parser.tree = undefined;

  if (!tree.root) tree.fault(text.trim().length === 0 ? 'The document is empty: a root element is required' : 'The document has no root element', 0);

  // Elements left open at the end of a broken document extend to its end, so their content stays analysable.
  for (const open of tree.stack) {
    open.contentEnd = text.length;
    open.end = text.length;
  }
  return new ParsedXml(text, tree.root, tree.comments, tree.syntaxError);
}

class ParsedXml implements XmlDocument {
  private lineIndex: LineIndex | undefined;

  constructor(
    readonly text: string,
    readonly root: XmlElement | undefined,
    readonly comments: XmlComment[],
    readonly syntaxError: XmlSyntaxError | undefined,
  ) {}

  /** Built on first use: the language server maps positions with its own TextDocument. */
  get lines(): LineIndex {
    return (this.lineIndex ??= new LineIndex(this.text));
  }
}

function cleanSaxMessage(message: string): string {
  // sax appends "\nLine: n\nColumn: n\nChar: c", and a few messages quote document text after a colon ("Unmatched
  // closing tag: <name>"): either may be part of a password. Keep sax's own words only; the range shows the place.
  const firstLine = message.split('\n')[0].split(':')[0].trim().replace(/\.$/, '');
  return firstLine.length > 0 ? firstLine : 'XML syntax error';
}

/** Flattens a rope string so the fragments it was built from can be collected. */
function flat(value: string): string {
  return value.length < 64 ? (' ' + value).slice(1) : value;
}

export function splitName(name: string): { prefix: string; localName: string } {
  const colon = name.indexOf(':');
  return colon < 0 ? { prefix: '', localName: name } : { prefix: name.slice(0, colon), localName: name.slice(colon + 1) };
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0d;
}

function isNameEnd(code: number): boolean {
  return isWhitespace(code) || code === 0x3d /* = */ || code === 0x3e /* > */ || code === 0x2f /* / */;
}

/** Recovers attribute name and value ranges from the raw start tag `text[start, end)`. */
const NO_ATTRIBUTES: XmlAttribute[] = [];

function scanAttributes(text: string, start: number, end: number, tag: sax.Tag): XmlAttribute[] {
  const decoded = tag.attributes as Record<string, string>;
  let attributes = NO_ATTRIBUTES;
  let i = start + 1 + tag.name.length;
  while (i < end) {
    while (i < end && isWhitespace(text.charCodeAt(i))) i++;
    const code = text.charCodeAt(i);
    if (i >= end || code === 0x3e || code === 0x2f) break;
    const nameStart = i;
    while (i < end && !isNameEnd(text.charCodeAt(i))) i++;
    const nameEnd = i;
    if (nameEnd === nameStart) {
      i++;
      continue;
    }
    while (i < end && isWhitespace(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) !== 0x3d) continue; // attribute without value: sax reported it
    i++;
    while (i < end && isWhitespace(text.charCodeAt(i))) i++;
    const quote = text[i];
    if (quote !== '"' && quote !== "'") continue;
    const valueStart = i + 1;
    const closing = text.indexOf(quote, valueStart);
    const valueEnd = closing < 0 || closing > end ? end : closing;
    i = valueEnd + 1;
    const name = text.slice(nameStart, nameEnd);
    const { prefix, localName } = splitName(name);
    const raw = text.slice(valueStart, valueEnd);
    // Only values with references or literal tabs and line ends differ from their source text; the others keep the
    // flat source slice. sax neither normalises line ends nor attribute whitespace, so the value is decoded here.
    const value = ATTRIBUTE_NEEDS_DECODING.test(raw) && Object.prototype.hasOwnProperty.call(decoded, name) ? flat(decodeReferences(text, valueStart, valueEnd, true)) : raw;
    if (attributes === NO_ATTRIBUTES) attributes = [];
    attributes.push(new Attribute(name, localName, prefix, value, nameStart, valueStart, valueEnd));
  }
  return attributes;
}

// ---- navigation helpers used by rules -------------------------------------------------------------------------

export function childElements(element: XmlElement): XmlElement[] {
  const result: XmlElement[] = [];
  for (const child of element.children) if (child.type === 'element') result.push(child);
  return result;
}

export function firstChild(element: XmlElement, localName: string): XmlElement | undefined {
  for (const child of element.children) if (child.type === 'element' && child.localName === localName) return child;
  return undefined;
}

/** Follows a `/`-separated path of local names below `element`. */
export function childAt(element: XmlElement | undefined, path: string): XmlElement | undefined {
  let current = element;
  for (const step of path.split('/')) {
    if (!current) return undefined;
    current = firstChild(current, step);
  }
  return current;
}

export function attribute(element: XmlElement, name: string): XmlAttribute | undefined {
  for (const attr of element.attributes) if (attr.name === name) return attr;
  return undefined;
}

/** Case-insensitive lookup: Tomcat accepts `sslEnabledProtocols` and `SSLEnabledProtocols` alike. */
export function attributeIgnoreCase(element: XmlElement, name: string): XmlAttribute | undefined {
  const wanted = name.toLowerCase();
  for (const attr of element.attributes) if (attr.name.toLowerCase() === wanted) return attr;
  return undefined;
}

/** Local names from the root down to `element`, e.g. `['Server', 'Security', 'KeyStore', 'Password']`. */
export function elementPath(element: XmlElement): string[] {
  const path: string[] = [];
  for (let current: XmlElement | undefined = element; current; current = current.parent) path.push(current.localName);
  return path.reverse();
}

/** Every element of the subtree, in document order (an array, not a generator: rules walk big documents). */
export function walkElements(root: XmlElement | undefined): XmlElement[] {
  const result: XmlElement[] = [];
  if (!root) return result;
  const pending: XmlElement[] = [root];
  while (pending.length > 0) {
    const element = pending.pop()!;
    result.push(element);
    const children = element.children;
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child.type === 'element') pending.push(child);
    }
  }
  return result;
}

/**
 * The source range of a leaf element's text, trimmed of surrounding whitespace and CDATA markers: exactly what a
 * fix replaces. Undefined for self-closing, empty and mixed-content elements.
 */
export function textSpan(doc: XmlDocument, element: XmlElement): TextSpan | undefined {
  const content = element.contentSpan;
  if (!content || element.hasChildElements) return undefined;
  let start = content.start;
  let end = content.end;
  const source = doc.text;
  while (start < end && isWhitespace(source.charCodeAt(start))) start++;
  while (end > start && isWhitespace(source.charCodeAt(end - 1))) end--;
  if (source.startsWith('<![CDATA[', start) && source.startsWith(']]>', end - 3) && end - start >= 12) {
    start += 9;
    end -= 3;
  } else {
    // Markup inside a leaf's content means sax recovered from an error (a bare '&' swallows the end tag): the
    // content is not the element's text, and a fix there would rewrite tags.
    const markup = source.indexOf('<', start);
    if (markup >= 0 && markup < end) return undefined;
  }
  return end > start ? { start, end } : undefined;
}

const ATTRIBUTE_NEEDS_DECODING = /[&\t\n\r]/;

/** `&#x0010FFFF;` with room for leading zeros; longer is no reference sax accepts in practice. */
const MAX_REFERENCE_LENGTH = 40;

const PREDEFINED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Decodes `source[start, end)` (text between markup, or an attribute value between its quotes) the way an XML
 * parser does: line ends normalised first (XML 1.0 §2.11: CRLF and a lone CR become LF), then the five predefined
 * entities and character references expanded; in an attribute value (§3.3.3) a literal tab or line end becomes a
 * space. A reference the parser would reject (an unknown entity, a bad number) is kept as written: sax reported it.
 * One pass, linear in the length.
 */
function decodeReferences(source: string, start: number, end: number, attributeValue: boolean): string {
  let out = '';
  let runStart = start;
  let i = start;
  while (i < end) {
    const code = source.charCodeAt(i);
    if (code === 0x0d /* \r */ || (attributeValue && (code === 0x0a || code === 0x09))) {
      out += source.slice(runStart, i) + (attributeValue ? ' ' : '\n');
      i += code === 0x0d && i + 1 < end && source.charCodeAt(i + 1) === 0x0a ? 2 : 1;
      runStart = i;
    } else if (code === 0x26 /* & */) {
      // References are short: look for the `;` a bounded way, so text full of bare `&` stays linear.
      let semicolon = -1;
      for (let j = i + 1; j < end && j <= i + MAX_REFERENCE_LENGTH; j++) {
        if (source.charCodeAt(j) === 0x3b /* ; */) {
          semicolon = j;
          break;
        }
      }
      const decoded = semicolon > i + 1 ? referenceValue(source.slice(i + 1, semicolon)) : undefined;
      if (decoded === undefined) {
        i++;
        continue;
      }
      out += source.slice(runStart, i) + decoded;
      i = semicolon + 1;
      runStart = i;
    } else {
      i++;
    }
  }
  return out + source.slice(runStart, end);
}

function referenceValue(name: string): string | undefined {
  if (name.charCodeAt(0) !== 0x23 /* # */) return Object.prototype.hasOwnProperty.call(PREDEFINED_ENTITIES, name) ? PREDEFINED_ENTITIES[name] : undefined;
  const hex = name[1] === 'x';
  const digits = name.slice(hex ? 2 : 1);
  if (digits.length === 0 || !(hex ? /^[0-9A-Fa-f]+$/ : /^[0-9]+$/).test(digits)) return undefined;
  const codePoint = parseInt(digits, hex ? 16 : 10);
  return codePoint > 0 && codePoint <= 0x10ffff && !(codePoint >= 0xd800 && codePoint <= 0xdfff) ? String.fromCodePoint(codePoint) : undefined;
}

/** What the runtime reads as the text of a leaf element, and where it stands in the source. */
export interface XmlTextValue {
  /**
   * The value Carbon reads (Axiom `getText()`, DOM `getTextContent()`): every text and CDATA piece joined in order,
   * comments and processing instructions skipped, references decoded, line ends normalised, nothing trimmed
   * (`ServerConfiguration.readChildElements` stores `element.getText()` as is: carbon-kernel v4.4.35,
   * core/org.wso2.carbon.base/src/main/java/org/wso2/carbon/base/ServerConfiguration.java lines 265-282).
   */
  readonly value: string;
  /**
   * From the first to the last character of the pieces that is not XML whitespace (CDATA markers excluded when they
   * are outermost): where a finding on the value is shown. Undefined when the text is empty or only whitespace.
   */
  readonly span: TextSpan | undefined;
  /** Everything between the start and end tag: what a fix that replaces the value replaces. */
  readonly contentSpan: TextSpan;
}

/**
 * The runtime text of a leaf element (see XmlTextValue). Undefined for a self-closing element, an element with
 * child elements, and one whose content holds other markup (sax recovered from an error there: the content is not
 * the element's text). Computed on demand from the source, in one pass over the content; the parse pays nothing.
 */
export function elementText(doc: XmlDocument, element: XmlElement): XmlTextValue | undefined {
  const content = element.contentSpan;
  if (!content || element.hasChildElements) return undefined;
  const source = doc.text;
  let value = '';
  let first = -1;
  let last = -1;
  /** Adds the piece `source[start, end)` and moves the visible span's ends to its first and last non-space. */
  const piece = (start: number, end: number, cdata: boolean) => {
    if (start >= end) return;
    value += cdata ? decodeLineEnds(source, start, end) : decodeReferences(source, start, end, false);
    let a = start;
    while (a < end && isWhitespace(source.charCodeAt(a))) a++;
    if (a === end) return;
    let b = end;
    while (b > a && isWhitespace(source.charCodeAt(b - 1))) b--;
    if (first < 0) first = a;
    last = b;
  };
  let i = content.start;
  while (i < content.end) {
    let markup = source.indexOf('<', i);
    if (markup < 0 || markup > content.end) markup = content.end;
    piece(i, markup, false);
    if (markup >= content.end) break;
    if (source.startsWith('<!--', markup)) {
      const close = source.indexOf('-->', markup + 4);
      if (close < 0 || close + 3 > content.end) return undefined;
      i = close + 3;
    } else if (source.startsWith('<![CDATA[', markup)) {
      const close = source.indexOf(']]>', markup + 9);
      if (close < 0 || close + 3 > content.end) return undefined;
      piece(markup + 9, close, true);
      i = close + 3;
    } else if (source.startsWith('<?', markup)) {
      const close = source.indexOf('?>', markup + 2);
      if (close < 0 || close + 2 > content.end) return undefined;
      i = close + 2;
    } else {
      return undefined;
    }
  }
  return { value, span: first < 0 ? undefined : { start: first, end: last }, contentSpan: content };
}

/** CDATA content: only line ends change. */
function decodeLineEnds(source: string, start: number, end: number): string {
  const raw = source.slice(start, end);
  return raw.includes('\r') ? raw.replace(/\r\n?/g, '\n') : raw;
}

/** The namespace URI bound to `prefix` where `element` stands ('' prefix = default namespace). */
export function namespaceOf(element: XmlElement, prefix: string): string | undefined {
  const attrName = prefix ? `xmlns:${prefix}` : 'xmlns';
  for (let current: XmlElement | undefined = element; current; current = current.parent) {
    const binding = attribute(current, attrName);
    if (binding) return binding.value;
  }
  return undefined;
}

/** Spans of the comma-separated tokens of an attribute value or element text, trimmed; empty tokens skipped. */
export function splitList(source: string, span: TextSpan, separators = /[,\s]/): { token: string; span: TextSpan }[] {
  const tokens: { token: string; span: TextSpan }[] = [];
  let tokenStart = -1;
  for (let i = span.start; i <= span.end; i++) {
    const atEnd = i === span.end || separators.test(source[i]);
    if (atEnd) {
      if (tokenStart >= 0) tokens.push({ token: source.slice(tokenStart, i), span: { start: tokenStart, end: i } });
      tokenStart = -1;
    } else if (tokenStart < 0) {
      tokenStart = i;
    }
  }
  return tokens;
}
