import { TextSpan } from '../model/text';
import { TextReplacement } from './types';

/**
 * Java `.properties` files as java.util.Properties.load reads them, with the source range of every entry, so a fix
 * can replace one logical line and leave every other line, comment and line ending as it was.
 *
 * load() rules reproduced here: lines end at \n, \r or \r\n; leading blanks (space, tab, form feed) are skipped; a
 * line whose first non-blank character is `#` or `!` is a comment; a line ending in an odd number of backslashes
 * continues on the next one (whose leading blanks are dropped); the key ends at the first unescaped `=`, `:` or blank,
 * then blanks and at most one `=`/`:` are skipped; `\uXXXX`, `\t`, `\n`, `\r`, `\f` are decoded and any other escaped
 * character stands for itself. The last entry of a key wins.
 */

export interface PropertiesEntry {
  readonly key: string;
  readonly value: string;
  /** From the key's first character to the end of the entry's last physical line (line terminator excluded). */
  readonly span: TextSpan;
  /**
   * Where the value is written, one span per physical line: on the first line from the value's first character, on a
   * continuation line from its first non-blank character, each to the end of its line (a continuation backslash
   * included). A value that starts after a continuation (`key=\`, then the value's line) starts at that backslash.
   * No span where nothing of the value is written.
   */
  readonly valueSpans: readonly TextSpan[];
}

export interface ParsedProperties {
  readonly entries: readonly PropertiesEntry[];
  /** The first line terminator of the file; undefined for a file of one line. */
  readonly eol: string | undefined;
}

const BLANKS = new Set([' ', '\t', '\f']);

export function parseProperties(text: string): ParsedProperties {
  const entries: PropertiesEntry[] = [];
  let eol: string | undefined;
  let i = 0;
  const n = text.length;
  /** The physical line at `start`: [start, contentEnd) and where the next one starts. */
  const physical = (start: number): { contentEnd: number; next: number } => {
    let end = start;
    while (end < n && text[end] !== '\n' && text[end] !== '\r') end++;
    let next = end;
    if (next < n) {
      const terminator = text[next] === '\r' && text[next + 1] === '\n' ? '\r\n' : text[next];
      eol ??= terminator;
      next += terminator.length;
    }
    return { contentEnd: end, next };
  };
  while (i < n) {
    const { contentEnd, next } = physical(i);
    let start = i;
    while (start < contentEnd && BLANKS.has(text[start])) start++;
    i = next;
    if (start === contentEnd || text[start] === '#' || text[start] === '!') continue;
    // The physical lines of the logical line, continuation backslashes included; load() counts the backslashes of
    // each physical line on its own, which also keeps a long run of continued backslash lines linear.
    const lines: TextSpan[] = [{ start, end: contentEnd }];
    let end = contentEnd;
    while (endsWithOddBackslashes(text, lines[lines.length - 1])) {
      if (i >= n) break; // a trailing backslash at the end of the file is dropped
      const line = physical(i);
      let from = i;
      while (from < line.contentEnd && BLANKS.has(text[from])) from++;
      lines.push({ start: from, end: line.contentEnd });
      end = line.contentEnd;
      i = line.next;
    }
    const pieces = lines.map((line) => (endsWithOddBackslashes(text, line) ? { start: line.start, end: line.end - 1 } : line));
    const { key, value, valueStart } = splitEntry(pieces.map((piece) => text.slice(piece.start, piece.end)).join(''));
    entries.push({ key, value, span: { start, end }, valueSpans: valueSpansOf(lines, pieces, valueStart) });
  }
  return { entries, eol };
}

/** The value load() gives a key (the last entry wins), or undefined. */
export function propertyValue(parsed: ParsedProperties, key: string): string | undefined {
  for (let i = parsed.entries.length - 1; i >= 0; i--) if (parsed.entries[i].key === key) return parsed.entries[i].value;
  return undefined;
}

function endsWithOddBackslashes(s: string, within: TextSpan = { start: 0, end: s.length }): boolean {
  let count = 0;
  for (let i = within.end - 1; i >= within.start && s[i] === '\\'; i--) count++;
  return count % 2 === 1;
}

/**
 * The written spans of a value that starts at `valueStart` of the logical line made of `pieces` (the physical
 * `lines` without their continuation backslash). A value that starts where a continued line ends (nothing but the
 * separator and blanks before the backslash) starts at that backslash, so the line that announces it is part of it.
 */
function valueSpansOf(lines: readonly TextSpan[], pieces: readonly TextSpan[], valueStart: number): TextSpan[] {
  const spans: TextSpan[] = [];
  let logical = 0;
  let started = false;
  for (let k = 0; k < lines.length; k++) {
    const length = pieces[k].end - pieces[k].start;
    let from: number | undefined;
    if (started) from = lines[k].start;
    else if (valueStart < logical + length || (valueStart === logical + length && k < lines.length - 1)) {
      from = pieces[k].start + (valueStart - logical);
      started = true;
    }
    logical += length;
    if (from !== undefined && from < lines[k].end) spans.push({ start: from, end: lines[k].end });
  }
  return spans;
}

function splitEntry(line: string): { key: string; value: string; valueStart: number } {
  let keyEnd = 0;
  let valueStart = line.length;
  let hasSeparator = false;
  let escaped = false;
  while (keyEnd < line.length) {
    const c = line[keyEnd];
    if ((c === '=' || c === ':') && !escaped) {
      valueStart = keyEnd + 1;
      hasSeparator = true;
      break;
    }
    if (BLANKS.has(c) && !escaped) {
      valueStart = keyEnd + 1;
      break;
    }
    escaped = c === '\\' ? !escaped : false;
    keyEnd++;
  }
  while (valueStart < line.length) {
    const c = line[valueStart];
    if (!BLANKS.has(c)) {
      if (!hasSeparator && (c === '=' || c === ':')) hasSeparator = true;
      else break;
    }
    valueStart++;
  }
  return { key: unescape(line.slice(0, keyEnd)), value: unescape(line.slice(valueStart)), valueStart };
}

function unescape(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const e = s[++i];
    if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 1, i + 5))) {
      out += String.fromCharCode(parseInt(s.slice(i + 1, i + 5), 16));
      i += 4;
    } else if (e === 't') out += '\t';
    else if (e === 'n') out += '\n';
    else if (e === 'r') out += '\r';
    else if (e === 'f') out += '\f';
    else out += e;
  }
  return out;
}

function escapeCommon(c: string): string | undefined {
  switch (c) {
    case '\\':
      return '\\\\';
    case '\t':
      return '\\t';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\f':
      return '\\f';
    default: {
      const code = c.charCodeAt(0);
      // load(InputStream) reads ISO-8859-1: anything outside printable ASCII is written as \uXXXX.
      return code < 0x20 || code > 0x7e ? `\\u${code.toString(16).toUpperCase().padStart(4, '0')}` : undefined;
    }
  }
}

/** A key as Properties.store writes it: separators, blanks and comment starters escaped. */
export function escapePropertyKey(key: string): string {
  let out = '';
  // By UTF-16 unit: \uXXXX escapes code units, so a character outside the BMP becomes two escapes.
  for (let i = 0; i < key.length; i++) {
    const c = key[i];
    const common = escapeCommon(c);
    if (common !== undefined) out += common;
    else if (c === ' ' || c === '=' || c === ':' || c === '#' || c === '!') out += `\\${c}`;
    else out += c;
  }
  return out;
}

/**
 * A value with only the escapes load() needs: backslashes, control and non-ASCII characters, a leading blank.
 * `=`, `:`, `#` and `!` inside a value are literal for load(), so Base64 padding and XPath predicates stay readable
 * (Properties.store would write `\=`; both load to the same value).
 */
export function escapePropertyValue(value: string): string {
  let out = '';
  let first = true;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    const common = escapeCommon(c);
    if (common !== undefined) out += common;
    else if (first && c === ' ') out += '\\ ';
    else out += c;
    first = false;
  }
  return out;
}

export function propertyLine(key: string, value: string): string {
  return `${escapePropertyKey(key)}=${escapePropertyValue(value)}`;
}

export interface PropertyUpdate {
  readonly key: string;
  readonly value: string;
  /** 'set' replaces every entry of the key (or adds one); 'add-if-missing' leaves an existing entry alone. */
  readonly mode: 'set' | 'add-if-missing';
}

/**
 * Replacements that give each key its value: an existing entry is rewritten in place (its line only); missing keys
 * are added together after the last entry, or at the end of a file without entries. Nothing else changes.
 */
export function updateProperties(text: string, updates: readonly PropertyUpdate[], fallbackEol: string): TextReplacement[] {
  const parsed = parseProperties(text);
  const eol = parsed.eol ?? fallbackEol;
  const replacements: TextReplacement[] = [];
  const added: string[] = [];
  const seen = new Set<string>();
  for (const update of updates) {
    if (seen.has(update.key)) continue;
    seen.add(update.key);
    const existing = parsed.entries.filter((e) => e.key === update.key);
    const line = propertyLine(update.key, update.value);
    if (existing.length === 0) added.push(line);
    else if (update.mode === 'set') for (const entry of existing) replacements.push({ span: entry.span, newText: line });
  }
  if (added.length > 0) {
    const last = parsed.entries[parsed.entries.length - 1];
    if (last) {
      // `Other.Key=keepme\` at the very end: load() drops a backslash at the end of the file, but before a line break it
      // continues the entry into the next line, which would swallow the first added entry. An empty line first ends
      // the continuation, so the old entry keeps the value load() reads today and its line stays as it is.
      const dangling = endsWithOddBackslashes(text.slice(last.span.start, last.span.end));
      replacements.push({ span: { start: last.span.end, end: last.span.end }, newText: (dangling ? eol : '') + added.map((l) => eol + l).join('') });
    } else {
      const needsBreak = text.length > 0 && !text.endsWith('\n') && !text.endsWith('\r');
      replacements.push({ span: { start: text.length, end: text.length }, newText: (needsBreak ? eol : '') + added.map((l) => l + eol).join('') });
    }
  }
  return replacements;
}
