import portTable from '../../../../schemas/ports.json';
import { TextSpan } from '../model/text';
import { XmlDocument, attribute, childAt, childElements, textSpan } from '../model/xml';
import { LiteralUrlPort, MAX_PORT, PortFact, PortReference, literalUrlPortsIn, portReferencesIn, portsOf, readOffset, resolvePortReference } from './values';
import { HomeFacts } from '../workspace/facts';
import { ConfigFileKind, HOME_FILES, confPathOf, locateConfigFile } from '../workspace/files';
import { OffsetInfo, offsetInfo, offsetPhrase, overrideNote } from './offset';
import { PortSources } from './products';

/**
 * Why a value is the port it is: every port entry of a document with its effective port, hovers and inlay hints.
 */

export interface PortEntry {
  readonly fact: PortFact;
  /** 1-based line of the value. */
  readonly line: number;
  /** 1-based column of the value's first character (the port map opens the file there); absent when not computed. */
  readonly column?: number;
  /** For a servlet transport of axis2.xml: the scheme of the Tomcat connector whose port it takes. */
  readonly servletScheme: 'http' | 'https' | undefined;
}

const SERVLET_SCHEMES: Readonly<Record<string, 'http' | 'https'>> = portTable.axis2.servletSchemes as Record<string, 'http' | 'https'>;

/** The ports of one parsed file (portsOf) with their lines and, in axis2.xml, the servlet transports' schemes. */
export function portEntries(kind: ConfigFileKind, doc: XmlDocument, path: string, confRelativePath: string): PortEntry[] {
  const servletAt = new Map<number, 'http' | 'https'>();
  if (kind === 'axis2' && doc.root) {
    for (const receiver of childElements(doc.root)) {
      if (receiver.localName !== 'transportReceiver') continue;
      const scheme = SERVLET_SCHEMES[attribute(receiver, 'class')?.value.trim() ?? ''];
      const parameter = childElements(receiver).find((p) => p.localName === 'parameter' && attribute(p, 'name')?.value === 'port');
      const span = parameter && textSpan(doc, parameter);
      if (scheme && span) servletAt.set(span.start, scheme);
    }
  }
  return portsOf(kind, doc, path, confRelativePath).map((fact) => {
    const start = doc.lines.positionAt(fact.span.start);
    return {
      fact,
      line: start.line + 1,
      column: start.character + 1,
      servletScheme: servletAt.get(fact.span.start),
    };
  });
}

/** What the explanations of one home's ports need. */
export interface PortContext {
  /** Undefined for a file outside any product home: its offset cannot be known. */
  readonly offset: OffsetInfo | undefined;
  /** Every port of the home (carbon.xml, catalina-server.xml, axis2.xml, broker.xml). */
  readonly entries: readonly PortEntry[];
  /** The home's carbon.xml, which `${Ports.…}` references read. */
  readonly carbon: XmlDocument | undefined;
}

/**
 * The context of one home: `own` (the entries of a document being edited, fresher than the home's copy) replaces the
 * home's entries of that file; `sources` parses the others (cached by the caller's ParseCache).
 */
export async function portContextOf(facts: HomeFacts, sources: PortSources, own?: { path: string; entries: PortEntry[]; carbon?: XmlDocument }): Promise<PortContext> {
  const carbonPath = confPathOf(facts.home, HOME_FILES.carbon);
  const carbon = own?.path === carbonPath && own.carbon ? own.carbon : await sources.parsed(carbonPath, 'carbon');
  const byFile = new Map<string, PortFact[]>();
  for (const port of facts.ports) {
    if (port.path === own?.path) continue;
    const list = byFile.get(port.path);
    if (list) list.push(port);
    else byFile.set(port.path, [port]);
  }
  const entries: PortEntry[] = [...(own?.entries ?? [])];
  for (const [path, ports] of byFile) {
    const location = locateConfigFile(path);
    const doc = location && (await sources.parsed(path, location.kind));
    if (location && doc) entries.push(...portEntries(location.kind, doc, path, ports[0].confRelativePath));
  }
  entries.sort((a, b) => fileOrder(a.fact.confRelativePath) - fileOrder(b.fact.confRelativePath) || a.fact.span.start - b.fact.span.start);
  return { offset: offsetInfo(facts.offset, carbon), entries, carbon };
}

const FILE_ORDER: string[] = [HOME_FILES.carbon, HOME_FILES.catalina, HOME_FILES.axis2, HOME_FILES.broker];
function fileOrder(confRelativePath: string): number {
  const index = FILE_ORDER.indexOf(confRelativePath);
  return index < 0 ? FILE_ORDER.length : index;
}

// ---- explanations --------------------------------------------------------------------------------------------------

export interface PortExplanation {
  /** The port the server uses; undefined when it cannot be known. */
  readonly effective: number | undefined;
  /** Markdown: "**9445** = 9443 + offset 2 (carbon.xml line 127)", then why, where it helps. */
  readonly markdown: string;
  /** True when the effective port is known and is not the text written there: the inlay hint shows it. */
  readonly differs: boolean;
  /** Short Markdown for a table's "how" column. */
  readonly how: string;
}

const CONNECTOR = portTable['catalina-server'].connector;

function connectorOf(context: PortContext, scheme: string): PortEntry | undefined {
  const label = `${CONNECTOR.port.label} (${scheme})`.toLowerCase();
  return context.entries.find((e) => e.fact.confRelativePath === HOME_FILES.catalina && e.fact.label.toLowerCase() === label);
}

export function offsetUnknown(offset: OffsetInfo | undefined): string {
  if (!offset) return 'the port offset of its product home, which is unknown: this file is not inside a product home';
  if (offset.explanation) return `the port offset, which is unknown: ${offset.explanation}`;
  const where = offset.carbonXml?.line !== undefined ? ` (line ${offset.carbonXml.line})` : '';
  return `the port offset, which is unknown: carbon.xml's \`<Offset>\`${where} is not an integer, so the server does not start`;
}

export function explainPort(entry: PortEntry, context: PortContext): PortExplanation {
  const { fact } = entry;
  const offset = context.offset;
  // Where the number comes from, when it is not simply written here (a deployment.toml key or default).
  const from = fact.source ? ` Base from ${fact.source}.` : '';
  const unverified = fact.offsetUnverified ? ' Whether the runtime adds the offset to this port was not verified.' : '';
  if (fact.configured === undefined) {
    return { effective: undefined, differs: false, how: 'not a number', markdown: `Not a port number: Carbon needs a plain integer here.${from}` };
  }
  if (entry.servletScheme) {
    const scheme = entry.servletScheme;
    const tomcat = connectorOf(context, scheme);
    const why = `This ${fact.configured} is not used: ${portTable.axis2.servletWhy}`;
    if (!tomcat || tomcat.fact.configured === undefined) {
      return { effective: undefined, differs: false, how: `Tomcat ${scheme} port (not found)`, markdown: `Takes the port of the Tomcat ${scheme} connector, which catalina-server.xml does not define. ${why}` };
    }
    const tomcatWhere = `Tomcat ${scheme} connector port ${tomcat.fact.configured} (catalina-server.xml line ${tomcat.line})`;
    if (!offset || offset.value === undefined) {
      return { effective: undefined, differs: false, how: `Tomcat ${scheme} port + offset`, markdown: `${tomcatWhere} + ${offsetUnknown(offset)}. ${why}` };
    }
    const effective = tomcat.fact.configured + offset.value;
    return {
      effective,
      differs: effective !== fact.configured,
      how: `Tomcat ${scheme} port + offset`,
      markdown: `**${effective}** = ${tomcatWhere} + ${offsetPhrase(offset)}. ${why}`,
    };
  }
  if (!fact.offsetApplies) {
    const notes = [`**${fact.configured}**, used as written: ${fact.noOffsetReason ?? 'the port offset does not apply to it.'}`];
    const redirect = redirectNote(entry, context);
    if (redirect) notes.push(redirect);
    return { effective: fact.configured, differs: false, how: 'as written', markdown: notes.join('\n\n') };
  }
  if (!offset || offset.value === undefined) {
    return { effective: undefined, differs: false, how: '+ offset', markdown: `${fact.configured} + ${offsetUnknown(offset)}.${from}${unverified}` };
  }
  const effective = fact.configured + offset.value;
  const beyond = effective > MAX_PORT ? ` That is beyond ${MAX_PORT}: the port cannot be opened.` : '';
  const notListening = fact.notListeningReason ? `\n\nNot opened: ${fact.notListeningReason}` : '';
  return { effective, differs: offset.value !== 0, how: '+ offset', markdown: `**${effective}** = ${fact.configured} + ${offsetPhrase(offset)}.${beyond}${from}${unverified}${notListening}` };
}

/** A redirectPort that names a connector's written port sends clients where that connector no longer listens. */
function redirectNote(entry: PortEntry, context: PortContext): string | undefined {
  const offset = context.offset?.value;
  if (!offset || !entry.fact.label.startsWith(CONNECTOR.redirectPort.label) || entry.fact.confRelativePath !== HOME_FILES.catalina) return undefined;
  const target = context.entries.find(
    (e) => e.fact.confRelativePath === HOME_FILES.catalina && e.fact.offsetApplies && e.fact.label.startsWith(CONNECTOR.port.label) && e.fact.configured === entry.fact.configured,
  );
  if (!target) return undefined;
  return `With ${offsetPhrase(context.offset!)} the ${target.fact.label} listens on ${entry.fact.configured! + offset}, while redirects still go to ${entry.fact.configured}.`;
}

export function explainReference(reference: PortReference, context: PortContext): PortExplanation {
  const name = `\`${reference.elementPath}\``;
  if (!context.carbon) {
    return { effective: undefined, differs: false, how: 'carbon.xml + offset', markdown: `Reads ${name} from carbon.xml, which this file's product home does not have. ${portTable.references.why}` };
  }
  const resolved = resolvePortReference(context.carbon, reference);
  if (!resolved) return { effective: undefined, differs: false, how: 'carbon.xml + offset', markdown: `${name}: ${portTable.references.missingWhy}` };
  const line = context.carbon.lines.positionAt((resolved.span ?? resolved.element.span).start).line + 1;
  if (resolved.configured === undefined) {
    return { effective: undefined, differs: false, how: 'carbon.xml + offset', markdown: `carbon.xml ${name} (line ${line}) is not a port number. ${portTable.references.why}` };
  }
  const source = `carbon.xml ${name} ${resolved.configured} (line ${line})`;
  const offset = context.offset;
  if (!offset || offset.value === undefined) {
    return { effective: undefined, differs: false, how: 'carbon.xml + offset', markdown: `${source} + ${offsetUnknown(offset)}. ${portTable.references.why}` };
  }
  const effective = resolved.configured + offset.value;
  return {
    effective,
    differs: true,
    how: 'carbon.xml + offset',
    markdown: `**${effective}** = ${source} + ${offsetPhrase(offset)}. ${portTable.references.why}`,
  };
}

export function explainLiteral(literal: LiteralUrlPort, context: PortContext): PortExplanation {
  const notes = [`**${literal.port}**, used as written: ${portTable.literalUrlPorts.why}`];
  const offset = context.offset;
  if (offset?.value) {
    // The same number as one of this server's own offset ports: most likely meant to reach it, and now misses it.
    const own = context.entries.find((e) => e.fact.listening && e.fact.offsetApplies && e.fact.configured === literal.port);
    if (own) {
      notes.push(`With ${offsetPhrase(offset)} this server's ${own.fact.label} (${own.fact.confRelativePath}) listens on ${literal.port + offset.value}, not ${literal.port}.`);
      if (own.fact.confRelativePath === HOME_FILES.carbon) notes.push(portTable.literalUrlPorts.suggestReference);
    }
  }
  return { effective: literal.port, differs: false, how: 'as written', markdown: notes.join('\n\n') };
}

// ---- what is under the cursor, hovers and inlay hints --------------------------------------------------------------

export type PortTarget =
  | { readonly kind: 'offset'; readonly span: TextSpan }
  | { readonly kind: 'port'; readonly span: TextSpan; readonly entry: PortEntry }
  | { readonly kind: 'reference'; readonly span: TextSpan; readonly reference: PortReference }
  | { readonly kind: 'literal'; readonly span: TextSpan; readonly literal: LiteralUrlPort };

const contains = (span: TextSpan, offset: number) => span.start <= offset && offset <= span.end;

/**
 * The port-bearing value at `offset` (a UTF-16 offset into doc.text): a `${Ports.…}` reference, a literal URL port,
 * carbon.xml's `<Offset>` (value or tag name), or a port value of carbon.xml, catalina-server.xml or axis2.xml.
 * `ownEntries` are portEntries of this document (empty for other files).
 */
export function portTargetAt(doc: XmlDocument, kind: ConfigFileKind | undefined, ownEntries: readonly PortEntry[], offset: number): PortTarget | undefined {
  const reference = portReferencesIn(doc).find((r) => contains(r.span, offset));
  if (reference) return { kind: 'reference', span: reference.span, reference };
  const literal = literalUrlPortsIn(doc).find((l) => contains(l.span, offset));
  if (literal) return { kind: 'literal', span: literal.span, literal };
  if (kind === 'carbon') {
    const element = childAt(doc.root, portTable.carbon.offset);
    const value = element && readOffset(doc);
    if (element && (contains(element.nameSpan, offset) || (value?.span && contains(value.span, offset)))) {
      return { kind: 'offset', span: value?.span && contains(value.span, offset) ? value.span : element.nameSpan };
    }
  }
  const entry = ownEntries.find((e) => contains(e.fact.span, offset));
  return entry ? { kind: 'port', span: entry.fact.span, entry } : undefined;
}

/** Hover Markdown for a target other than `<Offset>` (whose hover is homeTableMarkdown). */
export function hoverMarkdown(target: Exclude<PortTarget, { kind: 'offset' }>, context: PortContext): string {
  let title: string;
  let explanation: PortExplanation;
  switch (target.kind) {
    case 'port':
      title = `**${escapeMarkdown(target.entry.fact.label)}** · ${target.entry.fact.confRelativePath}`;
      explanation = explainPort(target.entry, context);
      break;
    case 'reference':
      title = `**\`\${${target.reference.key}}\`** · port reference`;
      explanation = explainReference(target.reference, context);
      break;
    case 'literal':
      title = '**Port in a URL**';
      explanation = explainLiteral(target.literal, context);
      break;
  }
  const parts = [title, explanation.markdown];
  const note = context.offset && target.kind !== 'literal' && explanation.effective !== undefined && explanation.differs ? overrideNote(context.offset) : undefined;
  if (note) parts.push(note);
  return parts.join('\n\n');
}

export interface PortHint {
  /** Where the hint goes (UTF-16 offset): after the value, after the closing quote of an attribute value. */
  readonly offset: number;
  /** "→ 9445" */
  readonly label: string;
  /** Markdown: how the number was obtained. */
  readonly tooltip: string;
}

/**
 * Inlay hints for one document: after each value whose effective port differs from what is written (an offset port
 * with a non-zero offset, a servlet transport taking the Tomcat port, a `${Ports.…}` reference).
 */
export function portInlayHints(doc: XmlDocument, ownEntries: readonly PortEntry[], context: PortContext): PortHint[] {
  const hints: PortHint[] = [];
  const add = (span: TextSpan, explanation: PortExplanation) => {
    if (!explanation.differs || explanation.effective === undefined) return;
    const quote = doc.text[span.end];
    const offset = quote === '"' || quote === "'" ? span.end + 1 : span.end;
    hints.push({ offset, label: `→ ${explanation.effective}`, tooltip: explanation.markdown });
  };
  const references = portReferencesIn(doc);
  for (const entry of ownEntries) {
    // A port value written as a reference gets the reference's hint instead.
    if (references.some((r) => r.span.start >= entry.fact.span.start && r.span.end <= entry.fact.span.end)) continue;
    add(entry.fact.span, explainPort(entry, context));
  }
  for (const reference of references) add(reference.span, explainReference(reference, context));
  return hints.sort((a, b) => a.offset - b.offset);
}

export function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>|])/g, '\\$1');
}

/** Markdown to plain text: the few constructs this module writes. */
export function markdownToPlain(markdown: string): string {
  return markdown.replace(/\*\*(.*?)\*\*/g, '$1').replace(/`([^`]*)`/g, '$1').replace(/\\([\\`*_[\]<>|])/g, '$1');
}
