import { XmlDocument } from './model/xml';
import { Finding } from './types';

/**
 * Suppression comments, as ESLint has them:
 *   <!-- wso2-config-disable-next-line plaintext-password -->   the line after the comment
 *   <!-- wso2-config-disable weak-tls-ciphers h2-datasource -->  the whole file
 * Without rule ids, every rule is disabled there. Ids may be separated by spaces or commas. (ESLint's `-- reason`
 * cannot be copied: XML forbids `--` inside a comment; a reason goes in a comment of its own.)
 */

const DIRECTIVE = /^\s*wso2-config-(disable-next-line|disable)(?:\s+([^]*?))?\s*$/;

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
    const match = DIRECTIVE.exec(comment.value);
    if (!match) continue;
    const ids = parseIds(match[2]);
    if (match[1] === 'disable') {
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
