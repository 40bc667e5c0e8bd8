import portTable from '../../../schemas/ports.json';
import { TextSpan } from './model/text';
import { XmlDocument, attribute, childAt, childElements, textSpan } from './model/xml';
import { LiteralUrlPort, MAX_PORT, PortFact, PortReference, literalUrlPortsIn, portReferencesIn, portsOf, readOffset, resolvePortReference } from './ports';
import { FileSource, HomeFacts, OffsetFact } from './workspace/facts';
import { ConfigFileKind, HOME_FILES, ProductHome, basename, confPathOf, joinPath, locateConfigFile } from './workspace/files';

/**
 * Effective ports for people: what a port value becomes once the offset is applied and how that was worked out
 * (hovers, inlay hints), every port of a product home (the `<Offset>` hover), and every home of a workspace with the
 * ports two homes would both open (the "Show Effective Ports" command and `wso2-config-lint ports`). The rules of
 * which values take the offset are ports.ts and schemas/ports.json (wso2-facts b); this module only explains them.
 */

// ---- product detection ---------------------------------------------------------------------------------------------

/** A default port of a product file this tool does not read (schemas/ports.json products). */
export interface ProductPort {
  readonly label: string;
  readonly default: number;
  readonly offset: boolean;
  /** Conf-relative file the port is configured in. */
  readonly file: string;
  readonly why?: string;
  readonly note?: string;
  /** Where the number comes from. */
  readonly source: string;
}

interface DetectCondition {
  readonly confFiles?: readonly string[];
  readonly distributionPaths?: readonly string[];
  readonly profile?: string;
  readonly main?: boolean;
  readonly serverKey?: string;
}

interface ProductEntry {
  readonly id: string;
  readonly name: string;
  readonly profile?: string;
  readonly detect: readonly DetectCondition[];
  readonly ports?: readonly ProductPort[];
  readonly portSets?: readonly string[];
}

const PRODUCTS: readonly ProductEntry[] = portTable.products;
const PORT_SETS: Readonly<Record<string, readonly ProductPort[]>> = portTable.portSets;

export interface ProductInfo {
  readonly id: string;
  /** e.g. "WSO2 Enterprise Integrator (broker profile)". */
  readonly name: string;
  readonly profile: string | undefined;
  /** What gave it away, e.g. "repository/conf/api-manager.xml". */
  readonly detectedBy: string;
  readonly ports: readonly ProductPort[];
}

/** What detection and the tables read besides HomeFacts; FactsProvider and any FileSource provide it. */
export interface PortSources {
  readonly files: Pick<FileSource, 'exists'>;
  /** A parsed configuration file with the expected root element, or undefined (FactsProvider.parsed). */
  parsed(path: string, kind: ConfigFileKind): Promise<XmlDocument | undefined>;
}

/**
 * The product a home belongs to, from the files present (conf/api-manager.xml, EI's and IoT Server's wso2/<profile>
 * folders, conf/broker.xml, conf/identity/identity.xml) and carbon.xml's `<ServerKey>`. The first product of
 * schemas/ports.json with a matching detect entry wins; undefined when none matches.
 */
export async function detectProduct(home: ProductHome, sources: PortSources, carbon?: XmlDocument): Promise<ProductInfo | undefined> {
  const carbonDoc = carbon ?? (await sources.parsed(confPathOf(home, HOME_FILES.carbon), 'carbon'));
  const serverKey = carbonDoc ? childAt(carbonDoc.root, 'ServerKey')?.text.trim() : undefined;
  const isMain = home.homeDir === home.distributionDir;
  const profile = isMain ? undefined : basename(home.homeDir);
  const confPrefix = home.confDir.slice(home.homeDir.length + 1);
  for (const product of PRODUCTS) {
    for (const condition of product.detect) {
      const evidence: string[] = [];
      if (condition.main !== undefined) {
        if (!isMain) continue;
      }
      if (condition.profile !== undefined) {
        if (profile !== condition.profile) continue;
        evidence.push(`profile folder wso2/${profile}`);
      }
      if (condition.serverKey !== undefined) {
        if (serverKey !== condition.serverKey) continue;
        evidence.push(`carbon.xml <ServerKey>${serverKey}</ServerKey>`);
      }
      if (condition.confFiles) {
        const found = await firstExisting(sources, condition.confFiles.map((f) => joinPath(home.confDir, f)));
        if (found === undefined) continue;
        evidence.push(`${confPrefix}/${condition.confFiles[found]}`);
      }
      if (condition.distributionPaths) {
        const present = await Promise.all(condition.distributionPaths.map((p) => sources.files.exists(joinPath(home.distributionDir, p))));
        if (present.includes(false)) continue;
        evidence.push(`${condition.distributionPaths.join(' and ')} in the distribution`);
      }
      const ports = [...(product.ports ?? []), ...(product.portSets ?? []).flatMap((name) => PORT_SETS[name] ?? [])];
      return {
        id: product.id,
        name: product.profile ? `${product.name} (${product.profile} profile)` : product.name,
        profile: product.profile,
        detectedBy: evidence.join(', ') || 'main folder',
        ports,
      };
    }
  }
  return undefined;
}

async function firstExisting(sources: PortSources, paths: string[]): Promise<number | undefined> {
  for (let i = 0; i < paths.length; i++) if (await sources.files.exists(paths[i])) return i;
  return undefined;
}

/** carbon.xml's `<Name>` when it is a real name (the kernel file carries the `${product.name}` placeholder). */
export function carbonProductName(carbon: XmlDocument | undefined): string | undefined {
  const name = carbon ? childAt(carbon.root, 'Name')?.text.trim() : undefined;
  return name && !name.includes('${') ? name : undefined;
}

// ---- the offset and every port of a home ---------------------------------------------------------------------------

export interface OffsetInfo {
  /** The offset the server runs with; undefined when carbon.xml's does not parse and no setting overrides it. */
  readonly value: number | undefined;
  readonly source: 'setting' | 'carbon.xml' | 'default';
  /** carbon.xml's `<Offset>` as written, with its 1-based line. */
  readonly carbonXml: { readonly path: string; readonly raw: string; readonly value: number | undefined; readonly line: number | undefined } | undefined;
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

/** "offset 2 (carbon.xml line 127)", "offset 3 from the -DportOffset setting", "offset 0 (no `<Offset>` in carbon.xml)". */
export function offsetPhrase(offset: OffsetInfo): string {
  const value = offset.value ?? '?';
  switch (offset.source) {
    case 'setting':
      return `offset ${value} from the -DportOffset setting`;
    case 'carbon.xml':
      return offset.carbonXml?.line !== undefined ? `offset ${value} (carbon.xml line ${offset.carbonXml.line})` : `offset ${value} (carbon.xml)`;
    default:
      return `offset ${value} (no \`<Offset>\` in carbon.xml)`;
  }
}

/** A sentence for when the setting overrides carbon.xml, so nobody wonders why `<Offset>` says otherwise. */
function overrideNote(offset: OffsetInfo): string | undefined {
  if (offset.source !== 'setting' || !offset.carbonXml) return undefined;
  const where = offset.carbonXml.line !== undefined ? `carbon.xml line ${offset.carbonXml.line}` : 'carbon.xml';
  return `The portOffset setting (-DportOffset=${offset.value}) overrides the \`<Offset>\` of ${where}, which applies only when the server starts without -DportOffset.`;
}

/** A port of a home's files with what hovers and tables need besides the PortFact. */
export interface PortEntry {
  readonly fact: PortFact;
  /** 1-based line of the value. */
  readonly line: number;
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
  return portsOf(kind, doc, path, confRelativePath).map((fact) => ({
    fact,
    line: doc.lines.positionAt(fact.span.start).line + 1,
    servletScheme: servletAt.get(fact.span.start),
  }));
}

/** What the explanations of one home's ports need. */
export interface PortContext {
  /** Undefined for a file outside any product home: its offset cannot be known. */
  readonly offset: OffsetInfo | undefined;
  /** Every port of the home (carbon.xml, catalina-server.xml, axis2.xml). */
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

const FILE_ORDER: string[] = [HOME_FILES.carbon, HOME_FILES.catalina, HOME_FILES.axis2];
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

function offsetUnknown(offset: OffsetInfo | undefined): string {
  if (!offset) return 'the port offset of its product home, which is unknown: this file is not inside a product home';
  const where = offset.carbonXml?.line !== undefined ? ` (line ${offset.carbonXml.line})` : '';
  return `the port offset, which is unknown: carbon.xml's \`<Offset>\`${where} is not an integer, so the server does not start`;
}

export function explainPort(entry: PortEntry, context: PortContext): PortExplanation {
  const { fact } = entry;
  const offset = context.offset;
  if (fact.configured === undefined) {
    return { effective: undefined, differs: false, how: 'not a number', markdown: 'Not a port number: Carbon needs a plain integer here.' };
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
    return { effective: undefined, differs: false, how: '+ offset', markdown: `${fact.configured} + ${offsetUnknown(offset)}.` };
  }
  const effective = fact.configured + offset.value;
  const beyond = effective > MAX_PORT ? ` That is beyond ${MAX_PORT}: the port cannot be opened.` : '';
  return { effective, differs: offset.value !== 0, how: '+ offset', markdown: `**${effective}** = ${fact.configured} + ${offsetPhrase(offset)}.${beyond}` };
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

// ---- the port table of a home and of a workspace -------------------------------------------------------------------

export interface PortRow {
  readonly label: string;
  /** Conf-relative path. */
  readonly file: string;
  readonly line: number | undefined;
  readonly written: number | undefined;
  readonly effective: number | undefined;
  /** Short Markdown: "+ offset", "as written", "Tomcat https port + offset", "default + offset". */
  readonly how: string;
  readonly listening: boolean;
}

export interface ProductPortRow extends PortRow {
  readonly source: string;
  readonly note: string | undefined;
}

export interface HomePortView {
  readonly facts: HomeFacts;
  readonly home: ProductHome;
  /** The detected product; undefined when nothing matched. */
  readonly product: ProductInfo | undefined;
  /** What to call the home when no product was detected: carbon.xml's `<Name>`, else "Carbon product". */
  readonly name: string;
  readonly offset: OffsetInfo;
  /** Ports read from the home's files. */
  readonly rows: readonly PortRow[];
  /** The detected product's default ports (files this tool does not read). */
  readonly productRows: readonly ProductPortRow[];
}

/** Everything about one home's ports; `context` may be passed when the caller has one with fresher entries. */
export async function homePortView(facts: HomeFacts, sources: PortSources, context?: PortContext): Promise<HomePortView> {
  const ctx = context ?? (await portContextOf(facts, sources));
  const product = await detectProduct(facts.home, sources, ctx.carbon);
  const rows: PortRow[] = ctx.entries.map((entry) => {
    const explanation = explainPort(entry, ctx);
    return {
      label: entry.fact.label,
      file: entry.fact.confRelativePath,
      line: entry.line,
      written: entry.fact.configured,
      effective: explanation.effective,
      how: explanation.how,
      listening: entry.fact.listening,
    };
  });
  const offsetValue = ctx.offset?.value;
  const productRows: ProductPortRow[] = (product?.ports ?? []).map((port) => ({
    label: port.label,
    file: port.file,
    line: undefined,
    written: port.default,
    effective: port.offset ? (offsetValue === undefined ? undefined : port.default + offsetValue) : port.default,
    how: port.offset ? 'default + offset' : 'default, as written',
    listening: true,
    source: port.source,
    note: [port.note, port.why].filter((n): n is string => !!n).join('; ') || undefined,
  }));
  return {
    facts,
    home: facts.home,
    product,
    name: product?.name ?? carbonProductName(ctx.carbon) ?? 'Carbon product',
    offset: ctx.offset ?? offsetInfo(facts.offset, ctx.carbon),
    rows,
    productRows,
  };
}

export interface PortConflict {
  readonly a: HomeFacts;
  readonly b: HomeFacts;
  /** Shared effective ports, ascending, with what opens each in either home. */
  readonly ports: readonly { readonly port: number; readonly a: readonly PortFact[]; readonly b: readonly PortFact[] }[];
}

/** Effective listening ports of a home at an offset, each with what opens it (the port-conflict rule's computation). */
/** Home facts are cached per file versions, so each home's listening ports are computed once per offset. */
const listeningByHome = new WeakMap<HomeFacts, { offset: number; ports: Map<number, PortFact[]> }>();

export function listeningPorts(home: HomeFacts, offset: number): Map<number, PortFact[]> {
  const cached = listeningByHome.get(home);
  if (cached && cached.offset === offset) return cached.ports;
  const result = new Map<number, PortFact[]>();
  for (const port of home.ports) {
    if (!port.listening || port.configured === undefined) continue;
    const effective = port.offsetApplies ? port.configured + offset : port.configured;
    const list = result.get(effective);
    if (list) list.push(port);
    else result.set(effective, [port]);
  }
  listeningByHome.set(home, { offset, ports: result });
  return result;
}

/**
 * The smallest offset ≥ 0 at which `home` collides with none of `others` and keeps every port within range; null when
 * there is none. `others` must have known offsets.
 */
export function lowestFreeOffset(home: HomeFacts, others: readonly HomeFacts[]): number | null {
  const taken = new Set<number>();
  for (const other of others) for (const port of listeningPorts(other, other.offset.value!).keys()) taken.add(port);
  const fixed: number[] = [];
  const shifted: number[] = [];
  for (const port of home.ports) {
    if (!port.listening || port.configured === undefined) continue;
    (port.offsetApplies ? shifted : fixed).push(port.configured);
  }
  // Ports the offset does not move collide at every offset.
  if (fixed.some((p) => taken.has(p))) return null;
  const highest = Math.max(0, ...shifted);
  for (let offset = 0; highest + offset <= MAX_PORT; offset++) {
    if (!shifted.some((p) => taken.has(p + offset))) return offset;
  }
  return null;
}

/** Every pair of homes (with known offsets) that would open a same port, in input order. */
export function findPortConflicts(homes: readonly HomeFacts[]): PortConflict[] {
  const known = homes.filter((h) => h.offset.value !== undefined);
  const ports = known.map((h) => listeningPorts(h, h.offset.value!));
  const conflicts: PortConflict[] = [];
  for (let i = 0; i < known.length; i++) {
    for (let j = i + 1; j < known.length; j++) {
      const shared = [...ports[i].keys()].filter((p) => ports[j].has(p)).sort((x, y) => x - y);
      if (shared.length > 0) conflicts.push({ a: known[i], b: known[j], ports: shared.map((port) => ({ port, a: ports[i].get(port)!, b: ports[j].get(port)! })) });
    }
  }
  return conflicts;
}

export interface WorkspacePortReport {
  readonly views: readonly HomePortView[];
  readonly conflicts: readonly PortConflict[];
  /** For each home in a conflict: the lowest offset that collides with no other home (null: none does). */
  readonly lowestFree: ReadonlyMap<string, number | null>;
}

export function workspacePortReport(views: readonly HomePortView[]): WorkspacePortReport {
  const homes = views.map((v) => v.facts);
  const conflicts = findPortConflicts(homes);
  const lowestFree = new Map<string, number | null>();
  for (const conflict of conflicts) {
    for (const home of [conflict.a, conflict.b]) {
      if (lowestFree.has(home.home.homeDir)) continue;
      const others = homes.filter((h) => h.home.homeDir !== home.home.homeDir && h.offset.value !== undefined);
      lowestFree.set(home.home.homeDir, lowestFreeOffset(home, others));
    }
  }
  return { views, conflicts, lowestFree };
}

// ---- rendering -----------------------------------------------------------------------------------------------------

export interface RenderOptions {
  /** How to show a home folder (e.g. relative to the workspace or the current folder); default: as is. */
  readonly displayPath?: (homeDir: string) => string;
}

export function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>|])/g, '\\$1');
}

/** Markdown to plain text: the few constructs this module writes. */
export function markdownToPlain(markdown: string): string {
  return markdown.replace(/\*\*(.*?)\*\*/g, '$1').replace(/`([^`]*)`/g, '$1').replace(/\\([\\`*_[\]<>|])/g, '$1');
}

function offsetSummary(view: HomePortView): string {
  const { offset } = view;
  if (offset.value === undefined) return `offset unknown: ${offsetUnknown(offset)}`;
  const note = overrideNote(offset);
  return `Port ${offsetPhrase(offset)}${note ? `. ${note}` : ''}`;
}

function detection(view: HomePortView): string {
  return view.product ? `detected by ${view.product.detectedBy}` : 'product not recognised';
}

const cell = (value: number | undefined) => (value === undefined ? '?' : String(value));
const where = (row: PortRow) => (row.line !== undefined ? `${row.file}:${row.line}` : row.file);

/** The table of one home (the `<Offset>` hover): its offset, every port of its files, the product's default ports. */
export function homeTableMarkdown(view: HomePortView, options: RenderOptions = {}): string {
  const path = options.displayPath?.(view.home.homeDir) ?? view.home.homeDir;
  const lines = [`**${escapeMarkdown(view.name)}** · \`${path}\` · ${escapeMarkdown(detection(view))}`, '', `${offsetSummary(view)}.`, ''];
  lines.push('| Port | Effective | Written | Where | How |', '|---|---:|---:|---|---|');
  for (const row of view.rows) {
    const effective = row.effective === undefined ? '?' : row.listening ? `**${row.effective}**` : String(row.effective);
    lines.push(`| ${escapeMarkdown(row.label)}${row.listening ? '' : ' (not a listener)'} | ${effective} | ${cell(row.written)} | ${escapeMarkdown(where(row))} | ${escapeMarkdown(row.how)} |`);
  }
  if (view.rows.length === 0) lines.push('| (no ports in carbon.xml, catalina-server.xml or axis2.xml) | | | | |');
  if (view.productRows.length > 0) {
    const { sources, notes } = productFootnotes(view);
    lines.push('', `Default ports of ${escapeMarkdown(view.product!.name)} in files this tool does not read (as shipped: edits there are not seen):`, '');
    lines.push('| Port | Effective | Default | File | How | Source |', '|---|---:|---:|---|---|---|');
    for (const row of view.productRows) {
      lines.push(`| ${escapeMarkdown(row.label)} | **${cell(row.effective)}** | ${cell(row.written)} | ${escapeMarkdown(row.file)} | ${escapeMarkdown(row.how)} | [${sources.indexOf(row.source) + 1}] |`);
    }
    lines.push('');
    for (const note of notes) lines.push(`- ${escapeMarkdown(note)}`);
    sources.forEach((source, i) => lines.push(`- [${i + 1}] ${escapeMarkdown(source)}`));
  }
  return lines.join('\n');
}

/** Distinct sources (numbered in tables) and the notes of a home's product ports. */
function productFootnotes(view: HomePortView): { sources: string[]; notes: string[] } {
  const sources = [...new Set(view.productRows.map((r) => r.source))];
  const notes = view.productRows.filter((r) => r.note).map((r) => `${r.label}: ${r.note}`);
  return { sources, notes };
}

function conflictLines(report: WorkspacePortReport, display: (homeDir: string) => string, markdown: boolean): string[] {
  const code = (s: string) => (markdown ? `\`${s}\`` : s);
  const text = (s: string) => (markdown ? escapeMarkdown(s) : s);
  const lines: string[] = [];
  for (const conflict of report.conflicts) {
    const listed = conflict.ports
      .map((p) => `${p.port} (${text(labels(p.a))}${labels(p.a) === labels(p.b) ? '' : ` / ${text(labels(p.b))}`})`)
      .join(', ');
    lines.push(`- ${code(display(conflict.a.home.homeDir))} (offset ${conflict.a.offset.value}) and ${code(display(conflict.b.home.homeDir))} (offset ${conflict.b.offset.value}) both open ${listed}.`);
  }
  for (const [homeDir, free] of report.lowestFree) {
    lines.push(free === null ? `- No offset frees ${code(display(homeDir))} from every other home.` : `- Lowest offset for ${code(display(homeDir))} that collides with no other home: ${free}.`);
  }
  return lines;
}

function labels(ports: readonly PortFact[]): string {
  return [...new Set(ports.map((p) => `${p.label} in ${p.confRelativePath}`))].join(' and ');
}

/** Every home of the workspace with its ports, then the conflicts ("WSO2: Show Effective Ports"). */
export function workspaceMarkdown(report: WorkspacePortReport, options: RenderOptions = {}): string {
  const display = options.displayPath ?? ((p: string) => p);
  const parts = ['# Effective ports', ''];
  if (report.views.length === 0) {
    parts.push('No product home (a folder with `repository/conf/carbon.xml` or `conf/carbon.xml`) in the workspace.');
    return parts.join('\n');
  }
  parts.push('| Home | Product | Offset | Listening ports |', '|---|---|---:|---|');
  for (const view of report.views) {
    const listening = [...new Set(view.rows.filter((r) => r.listening && r.effective !== undefined).map((r) => r.effective!))].sort((a, b) => a - b);
    parts.push(`| \`${display(view.home.homeDir)}\` | ${escapeMarkdown(view.name)} | ${view.offset.value ?? '?'} (${view.offset.source}) | ${listening.join(', ')} |`);
  }
  parts.push('', '## Conflicts', '');
  if (report.conflicts.length === 0) parts.push('None: no two homes open the same port.');
  else parts.push(...conflictLines(report, display, true));
  for (const view of report.views) parts.push('', `## ${escapeMarkdown(view.name)}`, '', homeTableMarkdown(view, options));
  return `${parts.join('\n')}\n`;
}

/** The same report as plain text for a terminal (`wso2-config-lint ports`). */
export function workspaceText(report: WorkspacePortReport, options: RenderOptions = {}): string {
  const display = options.displayPath ?? ((p: string) => p);
  if (report.views.length === 0) return 'No product home (a folder with repository/conf/carbon.xml or conf/carbon.xml) found.\n';
  const out: string[] = [];
  for (const view of report.views) {
    out.push(`${view.name}  ${display(view.home.homeDir)}`);
    out.push(`  ${markdownToPlain(offsetSummary(view))}; ${detection(view)}`);
    const rows = view.rows.map((r) => [r.label + (r.listening ? '' : ' (not a listener)'), cell(r.effective), cell(r.written), where(r), r.how]);
    out.push(...textTable(['PORT', 'EFFECTIVE', 'WRITTEN', 'WHERE', 'HOW'], rows).map((l) => `  ${l}`));
    if (view.productRows.length > 0) {
      const { sources, notes } = productFootnotes(view);
      out.push(`  Default ports of ${view.product!.name} in files not read (as shipped):`);
      const productRows = view.productRows.map((r) => [r.label, cell(r.effective), cell(r.written), r.file, r.how, `[${sources.indexOf(r.source) + 1}]`]);
      out.push(...textTable(['PORT', 'EFFECTIVE', 'DEFAULT', 'FILE', 'HOW', 'SOURCE'], productRows).map((l) => `  ${l}`));
      for (const note of notes) out.push(`  - ${note}`);
      sources.forEach((source, i) => out.push(`  [${i + 1}] ${source}`));
    }
    out.push('');
  }
  out.push(report.conflicts.length === 0 ? 'No conflicts: no two homes open the same port.' : 'Conflicts:');
  out.push(...conflictLines(report, display, false).map((l) => `  ${l.slice(2)}`));
  return `${out.join('\n')}\n`;
}

function textTable(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** A JSON form of the report, for the LSP request and `--format json`. */
export function workspaceJson(report: WorkspacePortReport, options: RenderOptions = {}): unknown {
  const display = options.displayPath ?? ((p: string) => p);
  return {
    homes: report.views.map((view) => ({
      home: display(view.home.homeDir),
      product: view.product ? { id: view.product.id, name: view.product.name, detectedBy: view.product.detectedBy } : null,
      name: view.name,
      offset: { value: view.offset.value ?? null, source: view.offset.source, carbonXmlLine: view.offset.carbonXml?.line ?? null },
      ports: view.rows.map((r) => ({ label: r.label, file: r.file, line: r.line ?? null, written: r.written ?? null, effective: r.effective ?? null, how: r.how, listening: r.listening })),
      productPorts: view.productRows.map((r) => ({ label: r.label, file: r.file, default: r.written ?? null, effective: r.effective ?? null, how: r.how, source: r.source, note: r.note ?? null })),
      lowestFreeOffset: report.lowestFree.has(view.home.homeDir) ? report.lowestFree.get(view.home.homeDir) : undefined,
    })),
    conflicts: report.conflicts.map((c) => ({
      homes: [display(c.a.home.homeDir), display(c.b.home.homeDir)],
      ports: c.ports.map((p) => ({ port: p.port, first: labels(p.a), second: labels(p.b) })),
    })),
  };
}

/** The edit a port-conflict quick fix makes: the `<Offset>` value (or an empty `<Offset/>`'s content) becomes `offset`. */
export function offsetEdit(carbon: XmlDocument, offset: number): { span: TextSpan; newText: string } | undefined {
  const element = childAt(carbon.root, portTable.carbon.offset);
  if (!element) return undefined;
  const value = readOffset(carbon)?.span;
  if (value) return { span: value, newText: String(offset) };
  if (element.selfClosing) return { span: element.span, newText: `<${element.name}>${offset}</${element.name}>` };
  return element.contentSpan ? { span: element.contentSpan, newText: String(offset) } : undefined;
}
