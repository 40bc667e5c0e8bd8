import { TomlDocument } from './parse';
import { TomlFinding } from './types';

/**
 * Suppression comments in deployment.toml, as ESLint has them (design.md "Contracts"):
 *   # wso2-config-disable-next-line plaintext-password   the line after the comment
 *   # wso2-config-disable weak-tls-ciphers h2-datasource  the whole file
 * Without ids, every rule is disabled there. Ids may be separated by spaces or commas; `-- reason` ends the list.
 */

const PREFIX = 'wso2-config-disable';

type Ids = Set<string> | 'all';

function parseIds(list: string): Ids {
  const reason = list.indexOf('--');
  const ids = (reason >= 0 ? list.slice(0, reason) : list).split(/[\s,]+/).filter((id) => id.length > 0);
  return ids.length === 0 ? 'all' : new Set(ids);
}

function union(a: Ids | undefined, b: Ids): Ids {
  if (a === 'all' || b === 'all') return 'all';
  return a ? new Set([...a, ...b]) : b;
}

function covers(ids: Ids | undefined, ruleId: string): boolean {
  return ids === 'all' || (ids !== undefined && ids.has(ruleId));
}

export function applyTomlSuppressions(doc: TomlDocument, findings: TomlFinding[]): TomlFinding[] {
  if (findings.length === 0 || !doc.text.includes(PREFIX)) return findings;
  let wholeFile: Ids | undefined;
  const byLine = new Map<number, Ids>();
  for (const comment of doc.comments) {
    const text = comment.value.trim();
    if (!text.startsWith(PREFIX)) continue;
    const rest = text.slice(PREFIX.length);
    if (rest.startsWith('-next-line') && (rest.length === 10 || /\s/.test(rest[10]))) {
      const line = doc.lines.positionAt(comment.span.start).line + 1;
      byLine.set(line, union(byLine.get(line), parseIds(rest.slice(10))));
    } else if (rest.length === 0 || /\s/.test(rest[0])) {
      wholeFile = union(wholeFile, parseIds(rest));
    }
  }
  if (!wholeFile && byLine.size === 0) return findings;
  return findings.filter((f) => !covers(wholeFile, f.ruleId) && !covers(byLine.get(doc.lines.positionAt(f.span.start).line), f.ruleId));
}
