import { TextSpan } from '../model/text';
import { XmlDocument } from '../model/xml';
import { isPasswordName } from '../rules/plaintext-password';

/**
 * Passwords the rule does not report but a diff's context lines would show: the `PASSWORD=`/`password=` parameter
 * of a JDBC URL (H2's `;PASSWORD=…`, a query string's `&password=…`), and inside comments (commented-out blocks keep
 * real passwords) the text of an element named like a password (or whose `name` attribute is one) and the value of
 * an attribute named like one. Plain scans and regular expressions without nested repetition: linear in the text.
 */
export function hiddenPasswordSpans(doc: XmlDocument): TextSpan[] {
  const text = doc.text;
  const spans: TextSpan[] = [];
  for (const m of text.matchAll(/password=([^;&<>"'\s]+)/gi)) {
    const start = m.index + m[0].length - m[1].length;
    spans.push({ start, end: start + m[1].length });
  }
  for (const comment of doc.comments) {
    const from = comment.span.start + 4;
    const body = text.slice(from, Math.max(from, comment.span.end - 3));
    // A name must be followed by a space or `>`, so a long run of name characters cannot be split two ways.
    for (const tag of body.matchAll(/<([A-Za-z_][\w.:-]*)(\s[^<>]*)?>/g)) {
      const attributesAt = tag.index + 1 + tag[1].length;
      let named = isPasswordName(tag[1].slice(tag[1].lastIndexOf(':') + 1));
      for (const attr of commentAttributes(tag[2] ?? '')) {
        if (attr.name === 'name' && isPasswordName(attr.value)) named = true;
        if (isPasswordName(attr.name.slice(attr.name.lastIndexOf(':') + 1)) && attr.value.trim()) {
          spans.push({ start: from + attributesAt + attr.valueStart, end: from + attributesAt + attr.valueStart + attr.value.length });
        }
      }
      if (!named || (tag[2] ?? '').endsWith('/')) continue;
      const tagEnd = tag.index + tag[0].length;
      const next = body.indexOf('<', tagEnd);
      const end = next < 0 ? body.length : next;
      if (body.slice(tagEnd, end).trim()) spans.push({ start: from + tagEnd, end: from + end });
    }
  }
  return spans;
}

/** `name="value"` pairs of a start tag's attribute text (commented out: sax never saw it), by a plain scan. */
function commentAttributes(source: string): { name: string; value: string; valueStart: number }[] {
  const result: { name: string; value: string; valueStart: number }[] = [];
  const isNameChar = (c: string) => /[\w.:-]/.test(c);
  let i = 0;
  while (i < source.length) {
    if (!isNameChar(source[i])) {
      i++;
      continue;
    }
    const nameStart = i;
    while (i < source.length && isNameChar(source[i])) i++;
    const name = source.slice(nameStart, i);
    while (i < source.length && /\s/.test(source[i])) i++;
    if (source[i] !== '=') continue;
    i++;
    while (i < source.length && /\s/.test(source[i])) i++;
    const quote = source[i];
    if (quote !== '"' && quote !== "'") continue;
    const close = source.indexOf(quote, i + 1);
    if (close < 0) break;
    result.push({ name, value: source.slice(i + 1, close), valueStart: i + 1 });
    i = close + 1;
  }
  return result;
}
