import { parseTOML } from 'toml-eslint-parser';
import type { AST } from 'toml-eslint-parser';
import { LineIndex, TextSpan } from '../model/text';

/**
 * deployment.toml as written: tables, keys, values and comments with exact ranges, and the flat dotted keys the
 * config mapper builds from it (wso2/config-mapper v1.0.23 `TomlParser.java`: every leaf becomes a dotted key, `"`
 * in key segments becomes `'`, an array of tables stays one key whose elements are maps).
 *
 * Parsed with toml-eslint-parser as TOML 1.0.0. The runtime parses with cava-toml 0.5.0 (carbon-kernel
 * `parent/pom.xml` `version.cava-toml`), so a file valid here may still fail on the server (e.g. mixed-type arrays).
 * toml-eslint-parser stops at the first error; to keep the rules running on what parsed, the offending line (or,
 * for a table header, the whole table) is blanked out with spaces, keeping every offset, and the text is parsed
 * again, at most MAX_RECOVERIES times (so the work stays linear in the input).
 */

export type TomlScalar = string | number | boolean;
export type TomlValue = TomlScalar | TomlValue[] | { [key: string]: TomlValue };

export interface TomlSyntaxError {
  /** The parser's own words. */
  readonly message: string;
  readonly span: TextSpan;
}

export interface TomlTable {
  /** Header segments, unquoted (`["apim", "gateway", "environment"]`). */
  readonly path: readonly string[];
  /** Config-mapper spelling of the header: segments joined by `.`, a segment that needs quotes in `'…'`. */
  readonly name: string;
  readonly kind: 'standard' | 'array';
  /**
   * The array of tables this table is (`[[a.b]]`) or belongs to (`[a.b.sub]` after `[[a.b]]` is a table of the last
   * element), in config-mapper spelling; undefined outside arrays.
   */
  readonly arrayName: string | undefined;
  /** Index of the element in that array; 0 outside arrays. */
  readonly arrayIndex: number;
  /** For a table inside an array element, its path below the element (`["sub"]`); empty otherwise. */
  readonly pathInElement: readonly string[];
  /** `[a.b]` / `[[a.b]]`. */
  readonly headerSpan: TextSpan;
  /** The header line's raw text (the cipher tool compares `line.trim()` with exactly `[secrets]`). */
  readonly headerLine: string;
  /** From the header to the end of its last key/value (comments after it excluded). */
  readonly span: TextSpan;
  /** From the header to the start of the next table header (or the end of the file). */
  readonly sectionSpan: TextSpan;
}

export interface TomlEntry {
  /**
   * Config-mapper flat key. Inside an array of tables it is `<array>:<inner key>` (the key-mappings.json form for
   * fields of array elements, e.g. `transport.mail.sender:parameter.hostname`); `arrayIndex` says which element.
   */
  readonly key: string;
  /** For an entry of an array of tables, the array's name; otherwise undefined. */
  readonly arrayName?: string;
  readonly arrayIndex?: number;
  /** The key segments as written (unquoted), including the table's. */
  readonly segments: readonly string[];
  readonly value: TomlValue;
  readonly valueKind: 'string' | 'integer' | 'float' | 'boolean' | 'datetime' | 'array' | 'table';
  readonly keySpan: TextSpan;
  /** Exactly the value token (quotes included for strings). */
  readonly valueSpan: TextSpan;
  /** Undefined for keys above the first table. */
  readonly table: TomlTable | undefined;
  /** Per string element of an array value, its range (for diagnostics on one list item). */
  readonly elementSpans?: readonly (TextSpan | undefined)[];
}

export interface TomlComment {
  /** Text after the `#`. */
  readonly value: string;
  readonly span: TextSpan;
}

export interface TomlDocument {
  readonly text: string;
  readonly lines: LineIndex;
  readonly tables: readonly TomlTable[];
  readonly entries: readonly TomlEntry[];
  readonly comments: readonly TomlComment[];
  readonly errors: readonly TomlSyntaxError[];
  /** True when some of the text had to be skipped to recover from errors (rules saw only what parsed). */
  readonly partial: boolean;
  /** Text not analysed for a reason of ours, not a TOML error (a line too long for the parser, a parser failure). */
  readonly skipped: readonly TomlSyntaxError[];
}

export const MAX_RECOVERIES = 20;
/**
 * toml-eslint-parser 1.0.3 overflows the stack on a string token of about a million characters; lines longer than
 * this are skipped (and said so) before parsing. No real deployment.toml value comes near it.
 */
export const MAX_LINE_LENGTH = 100_000;
const BARE_SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Config-mapper spelling of one key segment. */
export function flatSegment(segment: string): string {
  return BARE_SEGMENT.test(segment) ? segment : `'${segment}'`;
}

export function flatKeyOf(segments: readonly (string | number)[]): string {
  return segments.map((s) => flatSegment(String(s))).join('.');
}

export function parseDeploymentToml(text: string): TomlDocument {
  const lines = new LineIndex(text);
  const errors: TomlSyntaxError[] = [];
  const skipped: TomlSyntaxError[] = [];
  let current = text;
  for (let line = 0; line < lines.lineCount; line++) {
    const start = lines.lineStart(line);
    const end = endOfLine(text, start);
    if (end - start <= MAX_LINE_LENGTH) continue;
    skipped.push({ message: `Line not analysed: ${end - start} characters is more than the ${MAX_LINE_LENGTH} the TOML parser can take`, span: { start, end: start } });
    current = current.slice(0, start) + ' '.repeat(end - start) + current.slice(end);
  }
  let ast: AST.TOMLProgram | undefined;
  let lastErrorStart = -1;
  for (let attempt = 0; attempt <= MAX_RECOVERIES && !ast; attempt++) {
    try {
      ast = parseTOML(current, { tomlVersion: '1.0.0' });
    } catch (error) {
      if (!isParseError(error)) {
        // Not a TOML error but the parser failing (a stack overflow on a huge token): nothing to locate or retry.
        skipped.push({ message: `File not analysed: the TOML parser failed (${error instanceof Error ? error.name : 'error'})`, span: { start: 0, end: 0 } });
        break;
      }
      const located = locateError(error, current);
      errors.push({ message: located.message, span: located.span });
      lastErrorStart = located.span.start;
      if (attempt === MAX_RECOVERIES) break;
      const next = blankOut(current, located.span.start);
      if (next === current) break; // nothing left to skip: give up on the rest
      current = next;
    }
  }
  if (!ast && lastErrorStart >= 0 && skipped.length === 0) {
    // Too many errors to step over one by one: keep what comes before the last one, or else before the first.
    const firstErrorStart = Math.min(...errors.map((e) => e.span.start));
    for (const prefix of [current.slice(0, startOfLine(current, lastErrorStart)), text.slice(0, startOfLine(text, firstErrorStart))]) {
      try {
        ast = parseTOML(prefix, { tomlVersion: '1.0.0' });
        break;
      } catch {
        ast = undefined;
      }
    }
  }
  if (!ast) return { text, lines, tables: [], entries: [], comments: [], errors, partial: true, skipped };
  const tables: TomlTable[] = [];
  const entries: TomlEntry[] = [];
  const top = ast.body[0];
  const headers = top.body.filter((n): n is AST.TOMLTable => n.type === 'TOMLTable');
  headers.forEach((node, i) => {
    const path = node.key.keys.map(keyName);
    const name = flatKeyOf(path);
    // resolvedKey holds the element index of every array of tables on the way (["datasource", 0, "pool_options"]).
    const firstIndex = node.resolvedKey.findIndex((k) => typeof k === 'number');
    const arrayName = firstIndex >= 0 ? flatKeyOf(node.resolvedKey.slice(0, firstIndex)) : undefined;
    const arrayIndex = firstIndex >= 0 ? (node.resolvedKey[firstIndex] as number) : 0;
    const pathInElement = firstIndex >= 0 ? node.resolvedKey.slice(firstIndex + 1).filter((k): k is string => typeof k === 'string') : [];
    const headerEnd = headerEndOffset(text, node.key.range[1]);
    const lineStart = lines.lineStart(lines.positionAt(node.range[0]).line);
    const lineEnd = endOfLine(text, node.range[0]);
    const nextStart = i + 1 < headers.length ? lines.lineStart(lines.positionAt(headers[i + 1].range[0]).line) : text.length;
    const table: TomlTable = {
      path,
      name,
      kind: node.kind,
      arrayName,
      arrayIndex,
      pathInElement,
      headerSpan: { start: node.range[0], end: headerEnd },
      headerLine: text.slice(lineStart, lineEnd),
      span: { start: node.range[0], end: node.range[1] },
      sectionSpan: { start: lineStart, end: nextStart },
    };
    tables.push(table);
  });
  let tableIndex = 0;
  for (const node of top.body) {
    if (node.type === 'TOMLKeyValue') {
      collectEntries(node, [], undefined, entries);
    } else {
      const table = tables[tableIndex++];
      for (const kv of node.body) collectEntries(kv, table.path, table, entries);
    }
  }
  const comments = ast.comments.map((c) => ({ value: c.value, span: { start: c.range[0], end: c.range[1] } }));
  return { text, lines, tables, entries, comments, errors, partial: errors.length > 0 || skipped.length > 0, skipped };
}

function keyName(node: AST.TOMLBare | AST.TOMLQuoted): string {
  return node.type === 'TOMLBare' ? node.name : node.value;
}

function collectEntries(kv: AST.TOMLKeyValue, prefix: readonly string[], table: TomlTable | undefined, out: TomlEntry[]): void {
  const segments = [...prefix, ...kv.key.keys.map(keyName)];
  if (kv.value.type === 'TOMLInlineTable') {
    // Inline tables are tables: the config mapper sees their leaves as dotted keys like any other.
    for (const inner of kv.value.body) collectEntries(inner, segments, table, out);
    return;
  }
  const arrayName = table?.arrayName;
  const innerSegments = arrayName !== undefined ? [...table!.pathInElement, ...segments.slice(table!.path.length)] : segments;
  const key = arrayName !== undefined ? `${arrayName}:${flatKeyOf(innerSegments)}` : flatKeyOf(segments);
  const { value, kind } = valueOf(kv.value);
  const elementSpans =
    kv.value.type === 'TOMLArray' ? kv.value.elements.map((e) => (e.type === 'TOMLValue' ? { start: e.range[0], end: e.range[1] } : undefined)) : undefined;
  out.push({
    key,
    arrayName,
    arrayIndex: arrayName !== undefined ? table!.arrayIndex : undefined,
    segments,
    value,
    valueKind: kind,
    keySpan: { start: kv.key.range[0], end: kv.key.range[1] },
    valueSpan: { start: kv.value.range[0], end: kv.value.range[1] },
    table,
    ...(elementSpans ? { elementSpans } : {}),
  });
}

function valueOf(node: AST.TOMLContentNode): { value: TomlValue; kind: TomlEntry['valueKind'] } {
  switch (node.type) {
    case 'TOMLArray':
      return { value: node.elements.map((e) => valueOf(e).value), kind: 'array' };
    case 'TOMLInlineTable': {
      const table: { [key: string]: TomlValue } = {};
      for (const kv of node.body) table[flatKeyOf(kv.key.keys.map(keyName))] = valueOf(kv.value).value;
      return { value: table, kind: 'table' };
    }
    default:
      switch (node.kind) {
        case 'string':
          return { value: node.value, kind: 'string' };
        case 'integer':
          // Beyond 2^53 the number is inexact; a port or offset that large is wrong anyway, keep the digits as written.
          return { value: Number.isSafeInteger(node.value) ? node.value : node.number, kind: 'integer' };
        case 'float':
          return { value: node.value, kind: 'float' };
        case 'boolean':
          return { value: node.value, kind: 'boolean' };
        default:
          return { value: node.datetime ?? String(node.value), kind: 'datetime' };
      }
  }
}

function isParseError(error: unknown): boolean {
  return typeof (error as { index?: unknown })?.index === 'number';
}

function locateError(error: unknown, text: string): { message: string; span: TextSpan } {
  const e = error as { message?: unknown; index?: unknown };
  const message = typeof e?.message === 'string' ? e.message : 'Invalid TOML';
  const index = typeof e?.index === 'number' && e.index >= 0 ? Math.min(e.index, text.length) : 0;
  // Underline to the end of the line: the parser names a position, the line is what the user must look at. A value
  // missing after `key =` is reported by the parser at the next line; the dangling line is the one to show.
  const lineStart = startOfLine(text, index);
  if (isBlank(text, lineStart, index) && previousContentEndsWithEquals(text, lineStart)) {
    let i = lineStart - 1;
    while (i >= 0 && isWhitespace(text.charCodeAt(i))) i--;
    const start = startOfLine(text, i);
    return { message, span: { start: start + leadingBlanks(text, start), end: i + 1 } };
  }
  const end = Math.max(endOfLine(text, index), Math.min(index + 1, text.length));
  return { message, span: { start: index, end } };
}

function endOfLine(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  const end = newline < 0 ? text.length : newline;
  return end > offset && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
}

function startOfLine(text: string, offset: number): number {
  return text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
}

/**
 * Replaces the line holding `offset` with spaces (newlines kept, so every other offset stays). On a table header
 * line the whole table is dropped up to the next header: its keys belong to a table that did not parse (and would
 * otherwise land in the previous table).
 */
function blankOut(text: string, at: number): string {
  let offset = Math.min(at, text.length);
  // An error on a blank line or at the end of the file (an unclosed bracket, say), or at the start of a line that
  // follows a dangling `key =` ("The key, equals sign, and value must be on the same line"), belongs to the last line
  // with content before it.
  const lineStart = startOfLine(text, offset);
  if (isBlank(text, lineStart, endOfLine(text, offset)) || (isBlank(text, lineStart, offset) && previousContentEndsWithEquals(text, lineStart))) {
    let i = startOfLine(text, offset) - 1;
    while (i >= 0 && isWhitespace(text.charCodeAt(i))) i--;
    if (i < 0) return text;
    offset = i;
  }
  const start = startOfLine(text, offset);
  let end = endOfLine(text, offset);
  if (text.charCodeAt(start + leadingBlanks(text, start)) === 91 /* [ */) {
    let next = end;
    while (next < text.length) {
      const lineStart = next + 1;
      if (lineStart >= text.length) {
        next = text.length;
        break;
      }
      if (text.charCodeAt(lineStart + leadingBlanks(text, lineStart)) === 91) break;
      next = endOfLine(text, lineStart);
    }
    end = Math.min(next, text.length);
  }
  let replaced = '';
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    replaced += c === 10 || c === 13 ? text[i] : ' ';
  }
  return text.slice(0, start) + replaced + text.slice(end);
}

function previousContentEndsWithEquals(text: string, lineStart: number): boolean {
  let i = lineStart - 1;
  while (i >= 0 && isWhitespace(text.charCodeAt(i))) i--;
  return i >= 0 && text.charCodeAt(i) === 61 /* = */;
}

function isWhitespace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isWhitespace(text.charCodeAt(i))) return false;
  return true;
}

function leadingBlanks(text: string, from: number): number {
  let i = from;
  while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  return i - from;
}

/** The end of `[a.b]` or `[[a.b]]`: the key's end plus the closing brackets (and blanks between). */
function headerEndOffset(text: string, keyEnd: number): number {
  let i = keyEnd;
  let brackets = 0;
  while (i < text.length && brackets < 2) {
    const c = text.charCodeAt(i);
    if (c === 93 /* ] */) {
      brackets++;
      i++;
      if (text.charCodeAt(i) !== 93) break;
    } else if (c === 32 || c === 9) i++;
    else break;
  }
  return i;
}
