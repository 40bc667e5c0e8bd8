import { TextSpan } from '../model/text';
import { parseProperties } from '../fixes/properties';

/**
 * A linear model of a Java .properties file with exact ranges: every entry as java.util.Properties.load reads it
 * (fixes/properties.ts), with the span of its key and, where the value is written as read (one physical line, no
 * escape), the exact span of its value; and the comment lines, for suppression comments.
 */

export interface PropertyEntry {
  readonly key: string;
  readonly value: string;
  /** The whole entry, key to the end of its last physical line. */
  readonly span: TextSpan;
  /** Where the value's characters are written; undefined when escapes or continuation lines make it differ. */
  readonly valueSpan: TextSpan | undefined;
  /** 0-based line of the entry's first character. */
  readonly line: number;
}

export interface PropertyComment {
  /** The text after `#` or `!`. */
  readonly text: string;
  readonly span: TextSpan;
  readonly line: number;
}

export interface PropertiesModel {
  readonly text: string;
  readonly entries: readonly PropertyEntry[];
  readonly comments: readonly PropertyComment[];
  /** The first line terminator, or "\n". */
  readonly eol: string;
  /** Offsets of the start of every line. */
  readonly lineStarts: readonly number[];
}

export function parsePropertiesModel(text: string): PropertiesModel {
  const parsed = parseProperties(text);
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) lineStarts.push(i + 1);
  }
  const lineOf = (offset: number) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (lineStarts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  };
  const entries: PropertyEntry[] = parsed.entries.map((entry) => {
    const written = text.slice(entry.span.start, entry.span.end);
    // Written as read: the raw text ends with the decoded value, on one line, with no backslash in it.
    const valueStart = entry.span.end - entry.value.length;
    const exact = entry.value.length > 0 && !written.includes('\\') && !/[\r\n]/.test(written) && text.slice(valueStart, entry.span.end) === entry.value;
    return { key: entry.key, value: entry.value, span: entry.span, valueSpan: exact ? { start: valueStart, end: entry.span.end } : undefined, line: lineOf(entry.span.start) };
  });
  // Comment lines: a line whose first non-blank character is # or !, outside every entry (continuation lines).
  const comments: PropertyComment[] = [];
  let next = 0;
  for (let line = 0; line < lineStarts.length; line++) {
    const start = lineStarts[line];
    while (next < entries.length && entries[next].span.end < start) next++;
    if (next < entries.length && entries[next].span.start <= start && start <= entries[next].span.end) continue;
    let i = start;
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\f')) i++;
    if (text[i] !== '#' && text[i] !== '!') continue;
    let end = i;
    while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
    comments.push({ text: text.slice(i + 1, end), span: { start: i, end }, line });
  }
  return { text, entries, comments, eol: parsed.eol ?? '\n', lineStarts };
}

const SUPPRESS = 'wso2-config-disable';

/**
 * Suppression comments, as in the XML and TOML files: `# wso2-config-disable-next-line <rule…>` (the next line),
 * `# wso2-config-disable <rule…>` (the whole file); without ids every rule.
 */
export function suppressedBy(model: PropertiesModel): (ruleId: string, line: number) => boolean {
  let wholeFile: Set<string> | 'all' | undefined;
  const byLine = new Map<number, Set<string> | 'all'>();
  const idsOf = (rest: string): Set<string> | 'all' => {
    const reason = rest.indexOf('--');
    const ids = (reason >= 0 ? rest.slice(0, reason) : rest).split(/[\s,]+/).filter((s) => s.length > 0);
    return ids.length === 0 ? 'all' : new Set(ids);
  };
  const merge = (a: Set<string> | 'all' | undefined, b: Set<string> | 'all') => (a === 'all' || b === 'all' ? 'all' : a ? new Set([...a, ...b]) : b);
  for (const comment of model.comments) {
    const text = comment.text.trim();
    if (!text.startsWith(SUPPRESS)) continue;
    const rest = text.slice(SUPPRESS.length);
    if (rest.startsWith('-next-line') && (rest.length === 10 || /\s/.test(rest[10]))) byLine.set(comment.line + 1, merge(byLine.get(comment.line + 1), idsOf(rest.slice(10))));
    else if (rest.length === 0 || /\s/.test(rest[0])) wholeFile = merge(wholeFile, idsOf(rest));
  }
  const covers = (ids: Set<string> | 'all' | undefined, ruleId: string) => ids === 'all' || (ids !== undefined && ids.has(ruleId));
  return (ruleId, line) => covers(wholeFile, ruleId) || covers(byLine.get(line), ruleId);
}

/** Whether secret-conf.properties names a secret repository: without one the runtime resolves no alias of the .properties files. */
export function vaultSwitchedOn(secretConf: string | undefined): boolean {
  return secretConf !== undefined && parsePropertiesModel(secretConf).entries.some((e) => e.key === 'secretRepositories' && e.value.trim().length > 0);
}
