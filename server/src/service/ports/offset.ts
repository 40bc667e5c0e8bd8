import portTable from '../../../../schemas/ports.json';
import { TextSpan } from '../model/text';
import { XmlDocument, childAt } from '../model/xml';
import { readOffset } from './values';
import { OffsetFact } from '../workspace/facts';

/**
 * The port offset: where it comes from, how to word it, and the edit that sets it.
 */

// ---- the offset and every port of a home ---------------------------------------------------------------------------

export interface OffsetInfo {
  /** The offset the server runs with; undefined when carbon.xml's does not parse and no setting overrides it. */
  readonly value: number | undefined;
  readonly source: OffsetSource;
  /** carbon.xml's `<Offset>` as written, with its 1-based line. */
  readonly carbonXml: { readonly path: string; readonly raw: string; readonly value: number | undefined; readonly line: number | undefined } | undefined;
  /** Where the offset comes from, when the source alone does not say (deployment.toml: written, template default, override). */
  readonly explanation?: string;
}

/** OffsetInfo from a home's OffsetFact; `carbon` (the parsed carbon.xml) gives the line. */
export function offsetInfo(fact: OffsetFact, carbon: XmlDocument | undefined): OffsetInfo {
  return {
    value: fact.value,
    source: fact.source,
    carbonXml: fact.carbonXml && { path: fact.carbonXml.path, raw: fact.carbonXml.raw, value: fact.carbonXml.value, line: offsetLine(carbon) },
  };
}

/** The offset of a carbon.xml that belongs to no product home: it speaks for itself. */
export function offsetInfoOfDocument(carbon: XmlDocument, path: string): OffsetInfo {
  const own = readOffset(carbon);
  if (!own) return { value: 0, source: 'default', carbonXml: undefined };
  return { value: own.value, source: 'carbon.xml', carbonXml: { path, raw: own.raw, value: own.value, line: offsetLine(carbon) } };
}

function offsetLine(carbon: XmlDocument | undefined): number | undefined {
  const element = carbon && childAt(carbon.root, portTable.carbon.offset);
  return element && carbon ? carbon.lines.positionAt(element.span.start).line + 1 : undefined;
}

// ---- the offset's wording: findings (rules/port-offset.ts, rules/port-conflict.ts, toml/kind.ts), hovers and tables --

export type OffsetSource = 'setting' | 'carbon.xml' | 'default' | 'deployment.toml';

/** The setting that stands for the start script's `-DportOffset` (it overrides `<Offset>`), named one way everywhere. */
export const OFFSET_SETTING = 'the portOffset setting (-DportOffset)';

/** "offset 3 from the portOffset setting (-DportOffset)", "offset 2 from carbon.xml", "offset 0": findings. */
export function describeOffset(value: number | string, source: OffsetSource | undefined): string {
  switch (source) {
    case 'setting':
      return `offset ${value} from ${OFFSET_SETTING}`;
    case 'carbon.xml':
    case 'deployment.toml':
      return `offset ${value} from ${source}`;
    default:
      return `offset ${value}`;
  }
}

/** The same with the line it is written on, for hovers and tables: "offset 2 (carbon.xml line 127)", "offset 0 (no `<Offset>` in carbon.xml)". */
export function offsetPhrase(offset: OffsetInfo): string {
  const value = offset.value ?? '?';
  if (offset.explanation) return `offset ${value} from ${offset.explanation}`;
  switch (offset.source) {
    case 'setting':
      return describeOffset(value, 'setting');
    case 'carbon.xml':
    case 'deployment.toml':
      return offset.carbonXml?.line !== undefined ? `offset ${value} (${offset.source} line ${offset.carbonXml.line})` : `offset ${value} (${offset.source})`;
    default:
      return `offset ${value} (no \`<Offset>\` in carbon.xml)`;
  }
}

/** A sentence for when the setting overrides what `where` names (an `<Offset>`), so nobody wonders why it says otherwise. */
export function settingOverridesOffset(value: number, where: string): string {
  return `The portOffset setting (-DportOffset=${value}) overrides ${where}, which applies only when the server starts without -DportOffset.`;
}

/** The override sentence of a home's offset, when the setting overrides carbon.xml. */
export function overrideNote(offset: OffsetInfo): string | undefined {
  if (offset.source !== 'setting' || !offset.carbonXml || offset.value === undefined) return undefined;
  const where = offset.carbonXml.line !== undefined ? `carbon.xml line ${offset.carbonXml.line}` : 'carbon.xml';
  return settingOverridesOffset(offset.value, `the \`<Offset>\` of ${where}`);
}

/** A port of a home's files with what hovers and tables need besides the PortFact. */
export function offsetEdit(carbon: XmlDocument, offset: number): { span: TextSpan; newText: string } | undefined {
  const element = childAt(carbon.root, portTable.carbon.offset);
  if (!element) return undefined;
  const value = readOffset(carbon)?.span;
  if (value) return { span: value, newText: String(offset) };
  if (element.selfClosing) return { span: element.span, newText: `<${element.name}>${offset}</${element.name}>` };
  return element.contentSpan ? { span: element.contentSpan, newText: String(offset) } : undefined;
}
