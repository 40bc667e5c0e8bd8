import { XmlDocument } from '../model/xml';
import { offsetEdit } from '../ports/offset';
import { Fix } from './types';

/**
 * The port-conflict quick fix: set carbon.xml's <Offset> to the lowest offset that collides with no other product
 * home of the workspace (computed by the rule, carried in the finding's data).
 */
export function planOffsetFix(doc: XmlDocument, path: string, data: Record<string, unknown> | undefined): Fix | undefined {
  const offset = data?.lowestFreeOffset;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) return undefined;
  const edit = offsetEdit(doc, offset);
  if (!edit || doc.text.slice(edit.span.start, edit.span.end) === edit.newText) return undefined;
  return {
    title: `Set the port offset to ${offset} (the lowest that clears every port conflict)`,
    ruleId: 'port-conflict',
    isPreferred: true,
    changes: [{ kind: 'edit', path, baseText: doc.text, replacements: [edit] }],
  };
}
