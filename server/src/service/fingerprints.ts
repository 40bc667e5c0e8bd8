import { createHash } from 'node:crypto';
import { TextSpan } from './model/text';
import { XmlDocument, XmlElement, attribute } from './model/xml';
import { Finding, RuleId } from './types';

/**
 * Fingerprints of findings for CI reports (SARIF partialFingerprints, the JSON report): hashes of structure (rule,
 * file, element path, attribute), never of the covered text of a password, so they survive edits elsewhere.
 */

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
  const keys = new LocationKeys(doc);
  return fingerprintsByKey(relativePath, findings, (finding) => keys.keyOf(finding), relativize);
}

/** The same with the location keys given (a CrossHomeCheck took them from the document before letting it go). */
export function fingerprintsByKey(relativePath: string, findings: readonly Finding[], keyOf: (finding: Finding) => string, relativize: (p: string) => string = (p) => p): string[] {
  const seen = new Map<string, number>();
  return findings.map((finding) => {
    const key = keyOf(finding);
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
