import { createHash } from 'node:crypto';
import { TextSpan } from '../service/model/text';
import { XmlDocument, XmlElement, attribute } from '../service/model/xml';
import { ruleDocsUrl } from '../service/rules/registry';
import { Finding, RuleId, Severity } from '../service/types';

/**
 * What the CLI reports per finding, and the stylish and JSON reports. Nothing here quotes document text: messages
 * come from the rules (which never hold a secret), positions are numbers, and fingerprints are hashes of structure
 * (rule, file, element path, attribute), never of the covered text of a password.
 */

export interface CliFinding {
  readonly ruleId: RuleId;
  readonly severity: Severity;
  readonly message: string;
  /** As shown: relative to the current folder when below it, else absolute. */
  readonly path: string;
  /** Absolute, forward slashes. */
  readonly absolutePath: string;
  /** 1-based; columns in UTF-16 code units (what editors and SARIF's default columnKind count). */
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  /** 1-based column just after the last character (exclusive end, as SARIF's endColumn). */
  readonly endColumn: number;
  /** False when the finding is about the whole file (a file that could not be analysed). */
  readonly hasRegion: boolean;
  /** Stable across edits that move the finding: see fingerprintOf. */
  readonly fingerprint: string;
}

/** Rules whose covered text is a token worth telling apart (a cipher suite, a protocol); never a secret. */
const TOKEN_RULES = new Set<RuleId>(['weak-tls-protocol', 'weak-tls-ciphers']);

/**
 * Where a finding is, in terms that survive edits elsewhere in the file: the element path from the root (siblings
 * of one name told apart by their `name` attribute when they have one, else by position), then `@attribute` or
 * `#text`. Line numbers are not part of it, and neither is any text the finding covers, except for the TLS rules,
 * whose covered text is a protocol or cipher name. One instance per document: steps are computed once per element,
 * and the descent is a binary search, so an element with 50 000 children costs no more than a small one.
 */
export class LocationKeys {
  private readonly steps = new Map<XmlElement, string>();

  constructor(private readonly doc: XmlDocument | undefined) {}

  keyOf(finding: Finding): string {
    const root = this.doc?.root;
    if (!root) return '';
    const span = finding.span;
    if (!contains(root.span, span)) return '';
    let element: XmlElement = root;
    for (let inner = childContaining(element, span); inner; inner = childContaining(element, span)) element = inner;
    const path: string[] = [];
    for (let e: XmlElement | undefined = element; e; e = e.parent) path.push(this.stepOf(e));
    path.reverse();
    let slot = '';
    const attr = element.attributes.find((a) => contains(a.valueSpan, span) || contains(a.nameSpan, span));
    if (attr) slot = `@${attr.name}`;
    else if (element.contentSpan && contains(element.contentSpan, span)) slot = '#text';
    const token = TOKEN_RULES.has(finding.ruleId) ? `=${this.doc!.text.slice(span.start, span.end)}` : '';
    return `/${path.join('/')}${slot}${token}`;
  }

  private stepOf(element: XmlElement): string {
    let step = this.steps.get(element);
    if (step === undefined) {
      const parent = element.parent;
      if (!parent) {
        step = element.localName;
        this.steps.set(element, step);
      } else {
        // Every child of the parent at once: position among same-named siblings, or the name attribute.
        const counts = new Map<string, number>();
        for (const child of parent.children) if (child.type === 'element') counts.set(child.localName, (counts.get(child.localName) ?? 0) + 1);
        const seen = new Map<string, number>();
        for (const child of parent.children) {
          if (child.type !== 'element') continue;
          const index = (seen.get(child.localName) ?? 0) + 1;
          seen.set(child.localName, index);
          const name = attribute(child, 'name')?.value;
          this.steps.set(child, name !== undefined ? `${child.localName}[@name=${JSON.stringify(name)}]` : counts.get(child.localName)! > 1 ? `${child.localName}[${index}]` : child.localName);
        }
        step = this.steps.get(element)!;
      }
    }
    return step;
  }
}

/** The child element whose span contains `span` (children are in document order and do not overlap). */
function childContaining(element: XmlElement, span: TextSpan): XmlElement | undefined {
  const children = element.children;
  let low = 0;
  let high = children.length - 1;
  let candidate = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (children[mid].span.start <= span.start) {
      candidate = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  // A zero-length span at a boundary may sit at the end of one child and the start of the next: look at both.
  for (const i of [candidate, candidate - 1]) {
    const child = children[i];
    if (child && child.type === 'element' && contains(child.span, span)) return child;
  }
  return undefined;
}

function contains(outer: TextSpan, inner: TextSpan): boolean {
  return outer.start <= inner.start && inner.end <= outer.end;
}

/**
 * sha-256 of the rule id, the path relative to the report's base, the location key, and what tells apart findings
 * of one rule at one place: the other home for port-conflict, else the ordinal among them.
 */
export function fingerprintOf(ruleId: RuleId, relativePath: string, key: string, discriminator: string): string {
  return createHash('sha256').update(`${ruleId}\u0000${relativePath}\u0000${key}\u0000${discriminator}`).digest('hex');
}

/** Fingerprints of a file's findings, in order. `relativize` turns an absolute path of the finding's data relative. */
export function fingerprintsOf(relativePath: string, doc: XmlDocument | undefined, findings: readonly Finding[], relativize: (p: string) => string = (p) => p): string[] {
  const seen = new Map<string, number>();
  const keys = new LocationKeys(doc);
  return findings.map((finding) => {
    const key = keys.keyOf(finding);
    const otherHome = finding.ruleId === 'port-conflict' ? finding.data?.otherHome : undefined;
    let discriminator: string;
    if (typeof otherHome === 'string') {
      discriminator = `home:${relativize(otherHome)}`;
    } else {
      const id = `${finding.ruleId}\u0000${key}`;
      const ordinal = seen.get(id) ?? 0;
      seen.set(id, ordinal + 1);
      discriminator = String(ordinal);
    }
    return fingerprintOf(finding.ruleId, relativePath, key, discriminator);
  });
}

export interface ReportSummary {
  readonly filesChecked: number;
  readonly homes: number;
}

export function counts(findings: readonly CliFinding[]): { errors: number; warnings: number; infos: number } {
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  for (const f of findings) {
    if (f.severity === 'error') errors++;
    else if (f.severity === 'warning') warnings++;
    else infos++;
  }
  return { errors, warnings, infos };
}

/** The JSON report, in pieces: a tree with many findings makes a report of hundreds of megabytes. */
export function* formatJson(findings: readonly CliFinding[], summary: ReportSummary): Generator<string> {
  const { errors, warnings, infos } = counts(findings);
  const head = { filesChecked: summary.filesChecked, productHomes: summary.homes, errorCount: errors, warningCount: warnings, infoCount: infos };
  yield `${JSON.stringify(head, null, 2).slice(0, -2)},\n  "findings": [`;
  for (const [i, f] of findings.entries()) {
    const entry = {
      path: f.path,
      line: f.line,
      column: f.column,
      endLine: f.endLine,
      endColumn: f.endColumn,
      severity: f.severity,
      ruleId: f.ruleId,
      message: f.message,
      docs: ruleDocsUrl(f.ruleId),
      fingerprint: f.fingerprint,
    };
    yield `${i === 0 ? '' : ','}\n    ${JSON.stringify(entry, null, 2).replace(/\n/g, '\n    ')}`;
  }
  yield findings.length === 0 ? ']\n}\n' : '\n  ]\n}\n';
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function* formatStylish(findings: readonly CliFinding[], summary: ReportSummary): Generator<string> {
  let current: string | undefined;
  for (const f of findings) {
    if (f.path !== current) {
      yield `${current === undefined ? '' : '\n'}${f.path}\n`;
      current = f.path;
    }
    yield `  ${`${f.line}:${f.column}`.padEnd(8)} ${f.severity.padEnd(11)} ${f.message}  ${f.ruleId}\n`;
  }
  const { errors, warnings, infos } = counts(findings);
  const where = `${plural(summary.filesChecked, 'configuration file')}${summary.homes > 0 ? ` of ${plural(summary.homes, 'product home')}` : ''}`;
  yield findings.length === 0
    ? `No problems in ${where}.\n`
    : `\n${plural(findings.length, 'problem')} (${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${plural(infos, 'info')}) in ${where}.\n`;
}
