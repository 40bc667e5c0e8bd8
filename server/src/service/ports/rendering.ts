import { PortFact } from './values';
import { HomeFacts } from '../workspace/facts';
import { ProductHome } from '../workspace/files';
import { OffsetInfo, offsetInfo, offsetPhrase, overrideNote } from './offset';
import { PortSources, ProductInfo, productPortsOf } from './products';
import { carbonIdentity } from '../workspace/product';
import { PortConflict, PortIndex, findPortConflicts } from './conflicts';
import { PortContext, escapeMarkdown, explainPort, markdownToPlain, offsetUnknown, portContextOf } from './explanations';

/**
 * The port table of a home and of a workspace, as Markdown, text and JSON.
 */

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
  /** The port as read from the home's files: its file path, and the value's place there (the port map opens it). */
  readonly fact?: PortFact;
  /** 1-based column of the value in `line`. */
  readonly column?: number;
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
  const product = productPortsOf(facts.product);
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
      fact: entry.fact,
      column: entry.column,
    };
  });
  const offsetValue = ctx.offset?.value;
  // A product default of a file whose ports were read (broker.xml) would be a second row for the same port.
  const readFiles = new Set(rows.map((r) => r.file));
  const productRows: ProductPortRow[] = (product?.ports ?? []).filter((port) => !readFiles.has(port.file)).map((port) => ({
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
    name: product?.name ?? carbonIdentity(ctx.carbon).carbonName ?? 'Carbon product',
    offset: ctx.offset ?? offsetInfo(facts.offset, ctx.carbon),
    rows,
    productRows,
  };
}

export interface WorkspacePortReport {
  readonly views: readonly HomePortView[];
  readonly conflicts: readonly PortConflict[];
  /** For each home in a conflict: the lowest offset that collides with no other home (null: none does). */
  readonly lowestFree: ReadonlyMap<string, number | null>;
}

export function workspacePortReport(views: readonly HomePortView[]): WorkspacePortReport {
  const homes = views.map((v) => v.facts);
  const index = new PortIndex(homes);
  const conflicts = findPortConflicts(homes, index);
  const lowestFree = new Map<string, number | null>();
  for (const conflict of conflicts) {
    for (const home of [conflict.a, conflict.b]) {
      if (!lowestFree.has(home.home.homeDir)) lowestFree.set(home.home.homeDir, index.lowestFreeOffset(home));
    }
  }
  return { views, conflicts, lowestFree };
}

// ---- rendering -----------------------------------------------------------------------------------------------------

export interface RenderOptions {
  /** How to show a home folder (e.g. relative to the workspace or the current folder); default: as is. */
  readonly displayPath?: (homeDir: string) => string;
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

/** A port of a home's files in the JSON form. */
export interface PortJson {
  readonly label: string;
  /** Conf-relative path. */
  readonly file: string;
  readonly line: number | null;
  readonly written: number | null;
  readonly effective: number | null;
  readonly how: string;
  readonly listening: boolean;
  /** The file's path (through `displayPath`), where a viewer opens it. */
  readonly path: string | null;
  /** 1-based columns of the value on `line`: [column, endColumn). */
  readonly column: number | null;
  readonly endColumn: number | null;
  /** Homes (through `displayPath`) that open the same effective port: a conflict. */
  readonly conflictsWith: readonly string[];
}

/** A home in the JSON form. */
export interface HomePortsJson {
  readonly home: string;
  readonly product: { readonly id: string; readonly name: string; readonly detectedBy: string } | null;
  readonly name: string;
  readonly offset: { readonly value: number | null; readonly source: string; readonly carbonXmlLine: number | null; readonly carbonXmlPath: string | null };
  readonly ports: PortJson[];
  readonly productPorts: { label: string; file: string; default: number | null; effective: number | null; how: string; source: string; note: string | null }[];
  /** Only for a home in a conflict: the lowest offset that collides with no other home (null: none does). */
  readonly lowestFreeOffset?: number | null;
}

export interface WorkspacePortsJson {
  // Mutable arrays: callers (tests) may narrow the JSON to the fields they read.
  readonly homes: HomePortsJson[];
  readonly conflicts: { readonly homes: [string, string]; readonly ports: { port: number; first: string; second: string }[] }[];
}

/** For each port fact in a conflict, the homes on the other side. */
function conflictPartners(report: WorkspacePortReport, display: (homeDir: string) => string): Map<PortFact, string[]> {
  const partners = new Map<PortFact, string[]>();
  const add = (facts: readonly PortFact[], other: string) => {
    for (const fact of facts) {
      const list = partners.get(fact);
      if (!list) partners.set(fact, [other]);
      else if (!list.includes(other)) list.push(other);
    }
  };
  for (const conflict of report.conflicts) {
    for (const port of conflict.ports) {
      add(port.a, display(conflict.b.home.homeDir));
      add(port.b, display(conflict.a.home.homeDir));
    }
  }
  return partners;
}

/** A JSON form of the report, for the LSP requests and `--format json`. */
export function workspaceJson(report: WorkspacePortReport, options: RenderOptions = {}): WorkspacePortsJson {
  const display = options.displayPath ?? ((p: string) => p);
  const partners = conflictPartners(report, display);
  return {
    homes: report.views.map((view) => ({
      home: display(view.home.homeDir),
      product: view.product ? { id: view.product.id, name: view.product.name, detectedBy: view.product.detectedBy } : null,
      name: view.name,
      offset: {
        value: view.offset.value ?? null,
        source: view.offset.source,
        carbonXmlLine: view.offset.carbonXml?.line ?? null,
        carbonXmlPath: view.offset.carbonXml ? display(view.offset.carbonXml.path) : null,
      },
      ports: view.rows.map((r) => ({
        label: r.label,
        file: r.file,
        line: r.line ?? null,
        written: r.written ?? null,
        effective: r.effective ?? null,
        how: r.how,
        listening: r.listening,
        path: r.fact ? display(r.fact.path) : null,
        column: r.column ?? null,
        endColumn: r.column !== undefined && r.fact ? r.column + (r.fact.span.end - r.fact.span.start) : null,
        conflictsWith: (r.fact && partners.get(r.fact)) ?? [],
      })),
      productPorts: view.productRows.map((r) => ({ label: r.label, file: r.file, default: r.written ?? null, effective: r.effective ?? null, how: r.how, source: r.source, note: r.note ?? null })),
      lowestFreeOffset: report.lowestFree.has(view.home.homeDir) ? report.lowestFree.get(view.home.homeDir) : undefined,
    })),
    conflicts: report.conflicts.map((c) => ({
      homes: [display(c.a.home.homeDir), display(c.b.home.homeDir)] as [string, string],
      ports: c.ports.map((p) => ({ port: p.port, first: labels(p.a), second: labels(p.b) })),
    })),
  };
}

/** The edit a port-conflict quick fix makes: the `<Offset>` value (or an empty `<Offset/>`'s content) becomes `offset`. */
