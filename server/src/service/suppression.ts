import { XmlDocument } from './model/xml';
import { Finding } from './types';

/**
 * Suppression comments, as ESLint has them:
 *   <!-- wso2-config-disable-next-line plaintext-password -->   the line after the comment
 *   <!-- wso2-config-disable weak-tls-ciphers h2-datasource -->  the whole file
 * Without rule ids, every rule is disabled there. Ids may be separated by spaces or commas. (ESLint's `-- reason`
 * cannot be copied: XML forbids `--` inside a comment; a reason goes in a comment of its own.)
 */

const DIRECTIVE_WORD = 'wso2-config-disable';
const NEXT_LINE = '-next-line';

/** A directive comment's parts, offsets relative to the comment's value. */
export interface DirectiveParts {
  kind: 'disable' | 'disable-next-line';
  /** End of the directive word. */
  wordEnd: number;
  /** Start of the id list (after the blanks that follow the word). */
  listStart: number;
  /** The id list as written, without surrounding blanks; empty when none. */
  ids: string;
}

/**
 * Reads `<blanks>wso2-config-disable[-next-line][<blanks><ids>]<blanks>` by plain scanning: linear in the comment
 * whatever it holds (a regular expression with a lazy list and trailing blanks backtracked quadratically on long runs
 * of blanks). Blanks are JavaScript's white space, as `String.prototype.trim` has them.
 */
export function parseDirective(value: string): DirectiveParts | undefined {
  let i = 0;
  while (i < value.length && isBlank(value[i])) i++;
  if (!value.startsWith(DIRECTIVE_WORD, i)) return undefined;
  let wordEnd = i + DIRECTIVE_WORD.length;
  let kind: DirectiveParts['kind'] = 'disable';
  if (value.startsWith(NEXT_LINE, wordEnd)) {
    kind = 'disable-next-line';
    wordEnd += NEXT_LINE.length;
  }
  if (wordEnd < value.length && !isBlank(value[wordEnd])) return undefined;
  let listStart = wordEnd;
  while (listStart < value.length && isBlank(value[listStart])) listStart++;
  let listEnd = value.length;
  while (listEnd > listStart && isBlank(value[listEnd - 1])) listEnd--;
  return { kind, wordEnd, listStart, ids: value.slice(listStart, listEnd) };
}

function isBlank(c: string): boolean {
  return c.trim().length === 0;
}

interface Suppressions {
  wholeFile: Set<string> | 'all' | undefined;
  byLine: Map<number, Set<string> | 'all'>;
}

function parseIds(list: string | undefined): Set<string> | 'all' {
  const ids = (list ?? '').split(/[\s,]+/).filter((id) => id.length > 0);
  return ids.length === 0 ? 'all' : new Set(ids);
}

function union(a: Set<string> | 'all' | undefined, b: Set<string> | 'all'): Set<string> | 'all' {
  if (a === 'all' || b === 'all') return 'all';
  return a ? new Set([...a, ...b]) : b;
}

export function collectSuppressions(doc: XmlDocument): Suppressions {
  const result: Suppressions = { wholeFile: undefined, byLine: new Map() };
  for (const comment of doc.comments) {
    const directive = parseDirective(comment.value);
    if (!directive) continue;
    const ids = parseIds(directive.ids);
    if (directive.kind === 'disable') {
      result.wholeFile = union(result.wholeFile, ids);
    } else {
      const line = doc.lines.positionAt(comment.span.end).line + 1;
      result.byLine.set(line, union(result.byLine.get(line), ids));
    }
  }
  return result;
}

function covers(ids: Set<string> | 'all' | undefined, ruleId: string): boolean {
  return ids === 'all' || (ids !== undefined && ids.has(ruleId));
}

export function applySuppressions(doc: XmlDocument, findings: Finding[]): Finding[] {
  if (findings.length === 0 || doc.comments.length === 0 || !doc.text.includes('wso2-config-disable')) return findings;
  const suppressions = collectSuppressions(doc);
  if (!suppressions.wholeFile && suppressions.byLine.size === 0) return findings;
  return findings.filter((finding) => {
    if (covers(suppressions.wholeFile, finding.ruleId)) return false;
    const line = doc.lines.positionAt(finding.span.start).line;
    return !covers(suppressions.byLine.get(line), finding.ruleId);
  });
}
