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
    let logical = text.slice(start, contentEnd);
    let end = contentEnd;
    while (endsWithOddBackslashes(logical)) {
      logical = logical.slice(0, -1);
      if (i >= n) break; // a trailing backslash at the end of the file is dropped
      const line = physical(i);
      let from = i;
      while (from < line.contentEnd && BLANKS.has(text[from])) from++;
      logical += text.slice(from, line.contentEnd);
      end = line.contentEnd;
      i = line.next;
    }
    const { key, value } = splitEntry(logical);
    entries.push({ key, value, span: { start, end } });
  }
  return { entries, eol };
}

/** The value load() gives a key (the last entry wins), or undefined. */
export function propertyValue(parsed: ParsedProperties, key: string): string | undefined {
  for (let i = parsed.entries.length - 1; i >= 0; i--) if (parsed.entries[i].key === key) return parsed.entries[i].value;
  return undefined;
}

function endsWithOddBackslashes(s: string): boolean {
  let count = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === '\\'; i--) count++;
  return count % 2 === 1;
}

function splitEntry(line: string): { key: string; value: string } {
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
  return { key: unescape(line.slice(0, keyEnd)), value: unescape(line.slice(valueStart)) };
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
