import { TextSpan } from '../model/text';
import { XmlComment, XmlDocument, XmlElement, walkElements } from '../model/xml';
import { collectSuppressions, parseDirective } from '../suppression';
import { RuleId } from '../types';
import { Fix } from './types';
import { lineBreakOf } from './tls';

/**
 * "Disable <rule> for this line" and "… for this file": the suppression comments of suppression.ts, written as a
 * person would write them. A line directive goes on its own line right above the finding's line, indented like it;
 * a file directive goes after the XML declaration (or at the top). An existing directive in the same place gets the
 * rule id appended instead of a second comment. Nothing else in the file changes.
 *
 * A comment is only inserted where XML allows one without changing what the runtime reads: between elements, never
 * inside a tag or inside an element's text. A finding in the middle of a multi-line start tag (a Tomcat connector's
 * attribute) has no such place above its line, so only the file directive is offered there.
 */

const LINE_DIRECTIVE = 'wso2-config-disable-next-line';
const FILE_DIRECTIVE = 'wso2-config-disable';
/** A rule id can go into a comment as is: no `--`, no leading or trailing `-` (XML forbids `--` and `--->` in comments). */
const SAFE_ID = /^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$/;

export function planDisableForLine(doc: XmlDocument, path: string, ruleId: RuleId, findingSpan: TextSpan): Fix | undefined {
  if (!SAFE_ID.test(ruleId)) return undefined;
  const suppressions = collectSuppressions(doc);
  const line = doc.lines.positionAt(findingSpan.start).line;
  const current = suppressions.byLine.get(line);
  if (covers(suppressions.wholeFile, ruleId) || covers(current, ruleId)) return undefined;
  const title = `Disable ${ruleId} for this line`;

  // A directive that already governs this line: add the id to it.
  const existing = [...doc.comments].reverse().find((c) => directiveOf(c)?.kind === 'disable-next-line' && doc.lines.positionAt(c.span.end).line + 1 === line);
  if (existing) return merge(doc, path, ruleId, existing, title);

  const lineStart = doc.lines.lineStart(line);
  if (!commentAllowedAt(doc, lineStart)) return undefined;
  const indent = /^[ \t]*/.exec(doc.text.slice(lineStart))![0];
  const eol = line > 0 ? lineBreakBefore(doc.text, lineStart) : lineBreakOf(doc.text);
  return {
    title,
    ruleId,
    changes: [{ kind: 'edit', path, baseText: doc.text, replacements: [{ span: { start: lineStart, end: lineStart }, newText: `${indent}<!-- ${LINE_DIRECTIVE} ${ruleId} -->${eol}` }] }],
  };
}

export function planDisableForFile(doc: XmlDocument, path: string, ruleId: RuleId): Fix | undefined {
  if (!SAFE_ID.test(ruleId)) return undefined;
  const suppressions = collectSuppressions(doc);
  if (covers(suppressions.wholeFile, ruleId)) return undefined;
  const title = `Disable ${ruleId} for this file`;
  const existing = doc.comments.find((c) => directiveOf(c)?.kind === 'disable');
  if (existing) return merge(doc, path, ruleId, existing, title);

  const text = doc.text;
  const eol = lineBreakOf(text);
  const comment = `<!-- ${FILE_DIRECTIVE} ${ruleId} -->`;
  const declaration = /^\uFEFF?<\?xml[\s?][^]*?\?>/.exec(text);
  const replacement = declaration
    ? { span: { start: declaration[0].length, end: declaration[0].length }, newText: `${eol}${comment}` }
    : (() => {
        const at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
        return { span: { start: at, end: at }, newText: `${comment}${eol}` };
      })();
  return { title, ruleId, changes: [{ kind: 'edit', path, baseText: text, replacements: [replacement] }] };
}

function covers(ids: Set<string> | 'all' | undefined, ruleId: string): boolean {
  return ids === 'all' || (ids !== undefined && ids.has(ruleId));
}

interface Directive {
  kind: 'disable-next-line' | 'disable';
  /** Offset in the document just after the last id (or after the directive word when there is none). */
  listEnd: number;
  ids: string | undefined;
  separator: string | undefined;
}

function directiveOf(comment: XmlComment): Directive | undefined {
  // Same grammar as suppression.ts: the directive word, then ids separated by blanks or commas.
  const parts = parseDirective(comment.value);
  if (!parts) return undefined;
  const valueStart = comment.span.start + 4;
  const ids = parts.ids.length > 0 ? parts.ids : undefined;
  const listEnd = valueStart + (ids ? parts.listStart + ids.length : parts.wordEnd);
  return { kind: parts.kind, listEnd, ids, separator: ids ? (ids.includes(',') ? ', ' : ' ') : undefined };
}

/** Appends the id to an existing directive's list, in the list's own style (commas or blanks). */
function merge(doc: XmlDocument, path: string, ruleId: string, comment: XmlComment, title: string): Fix | undefined {
  const directive = directiveOf(comment)!;
  // A directive without ids already disables every rule.
  if (!directive.ids) return undefined;
  const insertion = `${directive.separator}${ruleId}`;
  const updated = doc.text.slice(comment.span.start, directive.listEnd) + insertion + doc.text.slice(directive.listEnd, comment.span.end);
  const body = updated.slice(4, -3);
  if (body.includes('--') || body.endsWith('-')) return undefined;
  return {
    title,
    ruleId: ruleId as RuleId,
    changes: [{ kind: 'edit', path, baseText: doc.text, replacements: [{ span: { start: directive.listEnd, end: directive.listEnd }, newText: insertion }] }],
  };
}

/**
 * True when a comment can be inserted at `offset` without changing the document's meaning: outside every tag,
 * comment, CDATA section and processing instruction, and not inside an element's text (only blanks between the
 * previous node and the next one).
 */
export function commentAllowedAt(doc: XmlDocument, offset: number): boolean {
  const text = doc.text;
  if (!doc.root) return false;
  for (const comment of doc.comments) if (comment.span.start < offset && offset < comment.span.end) return false;
  if (offset <= doc.root.span.start || offset >= doc.root.span.end) {
    // Before the root: after the XML declaration and not inside a processing instruction or DOCTYPE.
    const prolog = offset <= doc.root.span.start ? text.slice(0, offset) : '';
    const openPi = prolog.lastIndexOf('<?');
    if (openPi >= 0 && prolog.indexOf('?>', openPi) < 0) return false;
    const openDoctype = prolog.lastIndexOf('<!DOCTYPE');
    if (openDoctype >= 0 && prolog.indexOf('>', openDoctype) < 0) return false;
    return offset > 0 || !/^\uFEFF?<\?xml[\s?]/.test(text);
  }
  // The innermost element whose content holds the offset.
  let parent: XmlElement | undefined;
  for (const element of walkElements(doc.root)) {
    if (element.span.start < offset && offset < element.span.end) {
      if (offset < element.startTagEnd) return false; // inside a start tag
      const content = element.contentSpan;
      if (!content || offset > content.end) return false; // inside an end tag
      if (!parent || element.span.start >= parent.span.start) parent = element;
    }
  }
  if (!parent || !parent.contentSpan) return false;
  let previousEnd = parent.contentSpan.start;
  let nextStart = parent.contentSpan.end;
  for (const child of parent.children) {
    if (child.span.end <= offset) previousEnd = Math.max(previousEnd, child.span.end);
    else if (child.span.start >= offset) nextStart = Math.min(nextStart, child.span.start);
    else return false;
  }
  return /^\s*$/.test(text.slice(previousEnd, offset)) && /^\s*$/.test(text.slice(offset, nextStart));
}

function lineBreakBefore(text: string, lineStart: number): string {
  if (text[lineStart - 1] === '\n') return text[lineStart - 2] === '\r' ? '\r\n' : '\n';
  return text[lineStart - 1] === '\r' ? '\r' : '\n';
}
