import { LineIndex, TextSpan } from '../model/text';
import { Settings, portOffsetOverrideFor } from '../settings';
import { Finding, Severity } from '../types';
import { portConflictReports } from '../ports/conflicts';
import { HomeFacts } from '../workspace/facts';
import { DEFAULT_MAX_FILE_BYTES, decodeBytes } from '../workspace/decode';
import { ChangeEvents, ChangeKind, FileContent, FileSource } from '../workspace/facts';
import { ConfigFileLocation, basename, dirname, homeOfConfDir, joinPath, normalizePath } from '../workspace/files';
import { FixOffer } from '../rules/fixes';
import { applyReplacements } from '../fixes/types';
import { SecureVaultOutcome } from '../securevault/planner';
import { analyseDeploymentToml } from './analyse';
import { TOML_HOME_READS, readTomlHomeFiles } from './home-facts';
import { TomlModel, buildTomlModel, describeReference, protectionOf } from './effective';
import { tomlHomeOf } from './home';
import { isSecretKey } from './keys';
import { ConfigKnowledge, HomeFileReader, PRODUCT_NAMES, loadKnowledge } from './knowledge';
import { detectTomlHome } from './home';
import { TomlEntry } from './parse';
import { TomlOffset, TomlPort, explainTomlPort, tomlOffset, tomlPorts } from './ports';
import { planTomlFixes } from './fixes';
import { KeystorePasswordRequest, TOML_VAULT_TITLE_ONE, TomlVaultPlan, planTomlEnvReference, planTomlSecureVault } from './securevault';
import { TomlFinding } from './types';

/**
 * deployment.toml as a document kind of the facade (service/index.ts DocumentKind): recognised at
 * `<home>/repository/conf/deployment.toml` (API Manager, Identity Server, the kernel: carbon-kernel v4.9.26
 * `Main.java`) and `<home>/conf/deployment.toml` (Micro Integrator: product-micro-integrator v4.4.0
 * `micro-integrator.sh`). The engine reads the home's own `repository/resources/conf/{default,infer,key-mappings}.json`
 * and `bin/version.txt` through the service's FileSource (bundled knowledge otherwise) and answers analyse, fixes,
 * hovers and inlay hints with the same neutral values the XML engine gives.
 */

export const DEPLOYMENT_TOML = 'deployment.toml';
export const DEPLOYMENT_TOML_KIND_ID = 'deployment-toml';

/** Files of the home the model reads, relative to the home (knowledge.ts, home.ts). */
export function recogniseDeploymentToml(rawPath: string): ConfigFileLocation | undefined {
  const path = normalizePath(rawPath);
  if (basename(path) !== DEPLOYMENT_TOML || !tomlHomeOf(path)) return undefined;
  return { kind: 'deployment-toml', path, confRelativePath: DEPLOYMENT_TOML, home: homeOfConfDir(dirname(path)) };
}

export interface TomlAnalysed {
  readonly location: ConfigFileLocation;
  readonly text: string;
  readonly lines: LineIndex;
  readonly model: TomlModel | undefined;
  readonly findings: Finding[];
}

export interface TomlEngineOptions {
  readonly files: FileSource;
  readonly log?: (message: string) => void;
  readonly maxFileBytes?: number;
  /** How changes of a path become known (workspace/facts.ts ChangeEvents); 'poll' by default. */
  readonly changeEvents?: (path: string) => ChangeEvents;
}

/** Home files read once per home and per version of those files; knowledge parsed once per home state. */
interface HomeState {
  readonly stamp: string;
  /** Read under change events: valid until invalidate() names one of the files (no version check). */
  watched: boolean;
  readonly read: HomeFileReader;
  knowledge?: { product: string; version: string | undefined; value: ConfigKnowledge };
}

export function textOf(content: FileContent, maxFileBytes: number | undefined): { text: string } | { problem: string; severity: 'error' | 'information' } {
  if (content.kind === 'text') return { text: content.text };
  const decoded = decodeBytes(content.bytes, maxFileBytes);
  return decoded.ok ? { text: decoded.text } : { problem: decoded.problem.replace('not XML', 'not TOML'), severity: decoded.severity };
}

export class TomlEngineCore {
  private readonly homes = new Map<string, HomeState>();
  private readonly analyses = new Map<string, { key: string; value: TomlAnalysed }>();
  /**
   * Models per file, version and home state: a model does not depend on settings, and the home facts (ports, offset)
   * read the same model the analysis does, so an edit builds it once, not once for each.
   */
  private readonly models = new Map<string, { key: string; model: TomlModel }>();
  /** Counts invalidate() calls: a home state whose reading a change overtook is not trusted without a version check. */
  private changes = 0;

  constructor(private readonly options: TomlEngineOptions) {}

  /** A file changed: its analysis, and the home files read of any home that read it (or lay below it), are forgotten. */
  invalidate(rawPath: string, change: ChangeKind = 'file'): void {
    const path = normalizePath(rawPath);
    this.changes++;
    this.analyses.delete(path);
    this.models.delete(path);
    for (const homeDir of this.homes.keys()) {
      const below = change === 'file' && (homeDir === path || homeDir.startsWith(`${path}/`));
      if (below || TOML_HOME_READS.some((rel) => joinPath(homeDir, rel) === path)) this.homes.delete(homeDir);
    }
  }

  clear(): void {
    this.homes.clear();
    this.analyses.clear();
    this.models.clear();
  }

  private async homeState(homeDir: string): Promise<HomeState> {
    const files = this.options.files;
    const watched = this.options.changeEvents?.(homeDir) === 'watched';
    const known = this.homes.get(homeDir);
    if (watched && known?.watched) return known;
    const changesBefore = this.changes;
    const versions = await Promise.all(TOML_HOME_READS.map(async (rel) => (files.version ? await files.version(joinPath(homeDir, rel)) : undefined) ?? ''));
    const stamp = versions.join('\u0000');
    const cached = this.homes.get(homeDir);
    if (cached && files.version && cached.stamp === stamp) {
      cached.watched = watched && this.changes === changesBefore;
      return cached;
    }
    const state: HomeState = { stamp, watched: watched && this.changes === changesBefore, read: await readTomlHomeFiles(files, homeDir, this.options.maxFileBytes) };
    this.homes.set(homeDir, state);
    // Bounded: a workspace has a handful of homes; a CLI walk over many must not keep them all.
    if (this.homes.size > 32) this.homes.delete(this.homes.keys().next().value!);
    return state;
  }

  /** The analysis of one deployment.toml at this content and these settings (cached per version and settings). */
  async analyse(path: string, content: FileContent, settings: Settings): Promise<TomlAnalysed | undefined> {
    const location = recogniseDeploymentToml(path);
    if (!location) return undefined;
    const override = location.home ? portOffsetOverrideFor(settings, location.home.homeDir) : null;
    const key = [content.version, JSON.stringify(settings.rules), settings.tlsProfile, String(override)].join('\u0000');
    const cached = this.analyses.get(location.path);
    const homeDir = tomlHomeOf(location.path)?.homeDir ?? '';
    const state = await this.homeState(homeDir);
    if (cached && cached.key === `${key}\u0000${state.stamp}` && this.homes.get(homeDir) === state) return cached.value;
    const decoded = textOf(content, this.options.maxFileBytes);
    if (!('text' in decoded)) {
      const configured = settings.rules['file-not-analysed'];
      const findings: Finding[] = configured === 'off' ? [] : [{ ruleId: 'file-not-analysed', severity: configured ?? decoded.severity, message: decoded.problem, span: { start: 0, end: 0 } }];
      return { location, text: '', lines: new LineIndex(''), model: undefined, findings };
    }
    const text = decoded.text;
    const model = text.length > (this.options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES) || text.includes('\u0000') ? undefined : this.modelOf(location.path, text, content.version, state);
    const analysis = analyseDeploymentToml({
      path: location.path,
      text,
      readHomeFile: state.read,
      ...(model ? { model } : {}),
      rules: settings.rules,
      tlsProfile: settings.tlsProfile,
      ...(override !== null ? { portOffsetOverride: override } : {}),
      maxFileBytes: this.options.maxFileBytes,
      log: this.options.log,
    });
    const value: TomlAnalysed = {
      location,
      text,
      lines: analysis.model?.doc.lines ?? new LineIndex(text),
      model: analysis.model,
      findings: analysis.findings.map(toFinding),
    };
    this.analyses.set(location.path, { key: `${key}\u0000${state.stamp}`, value });
    if (this.analyses.size > 64) this.analyses.delete(this.analyses.keys().next().value!);
    return value;
  }

  /**
   * The model of a deployment.toml at this content (its effective values, product, knowledge), built once per version
   * and home state; undefined when it is not one or cannot be read as text (the analysis says why).
   */
  async model(path: string, content: FileContent): Promise<TomlModel | undefined> {
    const location = recogniseDeploymentToml(path);
    if (!location) return undefined;
    const decoded = textOf(content, this.options.maxFileBytes);
    if (!('text' in decoded) || decoded.text.includes('\u0000')) return undefined;
    const state = await this.homeState(tomlHomeOf(location.path)?.homeDir ?? '');
    return this.modelOf(location.path, decoded.text, content.version, state);
  }

  private modelOf(path: string, text: string, version: string, state: HomeState): TomlModel {
    const key = `${version}\u0000${state.stamp}`;
    const cached = this.models.get(path);
    if (cached && cached.key === key && this.homes.get(tomlHomeOf(path)?.homeDir ?? '') === state) return cached.model;
    const detected = detectTomlHome(path, undefined, state.read);
    let knowledge = state.knowledge;
    if (!knowledge || knowledge.product !== detected.product || knowledge.version !== detected.version) {
      knowledge = { product: detected.product, version: detected.version, value: loadKnowledge(detected.product, detected.version, state.read) };
      state.knowledge = knowledge;
    }
    const model = buildTomlModel({ path, text, readHomeFile: state.read, knowledge: knowledge.value });
    this.models.delete(path);
    this.models.set(path, { key, model });
    if (this.models.size > 64) this.models.delete(this.models.keys().next().value!);
    return model;
  }

  /** Quick fixes of one finding: Secure Vault and `$env{}` for a written password, TLS, then the suppression comment. */
  async fixesFor(analysed: TomlAnalysed, finding: Finding, settings: Settings): Promise<FixOffer[]> {
    const model = analysed.model;
    if (!model) return [];
    const offers: FixOffer[] = [];
    const tomlFinding = finding as TomlFinding;
    const encryptable = (finding.ruleId === 'plaintext-password' && !Array.isArray(finding.data?.inherited)) || (finding.ruleId === 'secrets-table' && finding.data?.problem === 'plaintext');
    if (encryptable) {
      const outcome = await this.encrypt(model, [tomlFinding], undefined);
      offers.push({ title: TOML_VAULT_TITLE_ONE, ruleId: finding.ruleId, isPreferred: true, ...('fix' in outcome ? { fix: { ...outcome.fix, title: TOML_VAULT_TITLE_ONE } } : outcome) });
      const env = planTomlEnvReference(model, tomlFinding);
      if (env) offers.push({ title: env.title, ruleId: finding.ruleId, fix: { title: env.title, ruleId: finding.ruleId, changes: [{ kind: 'edit', path: model.path, baseText: model.doc.text, replacements: env.replacements }] } });
    }
    for (const fix of planTomlFixes(model, tomlFinding, settings.tlsProfile)) {
      const suppression = fix.title.startsWith('Disable ');
      offers.push({
        title: fix.title,
        ruleId: finding.ruleId,
        ...(suppression ? { suppression: true as const, sharedByFindings: true as const } : {}),
        fix: { title: fix.title, ruleId: fix.ruleId, changes: [{ kind: 'edit', path: model.path, baseText: model.doc.text, replacements: fix.replacements }] },
      });
    }
    return offers;
  }

  /**
   * Secure Vault for some findings of the file (or every one): the planner of toml/securevault.ts. The keystore
   * password, when the plan needs one and none is given, comes back as `needsPassword` (the facade asks and plans again).
   */
  async encrypt(model: TomlModel, findings: readonly TomlFinding[] | 'all', keystorePassword: string | undefined): Promise<SecureVaultOutcome> {
    const { plan, asked } = await this.plan(model, findings, keystorePassword);
    if (plan.fix) return { fix: { title: plan.fix.title, ruleId: plan.fix.ruleId, changes: plan.fix.changes, isPreferred: true } };
    if (asked && keystorePassword === undefined && plan.skipped.some((s) => s.code === 'keystore')) return { needsPassword: { keystorePath: asked.keystorePath, reason: asked.reason } };
    return { error: plan.skipped[0]?.reason ?? 'This file has no plaintext password left to encrypt.' };
  }

  async plan(model: TomlModel, findings: readonly TomlFinding[] | 'all', keystorePassword: string | undefined): Promise<{ plan: TomlVaultPlan; asked: KeystorePasswordRequest | undefined }> {
    let asked: KeystorePasswordRequest | undefined;
    const plan = await planTomlSecureVault({
      model,
      findings,
      files: this.options.files,
      askPassword: async (request) => {
        asked = request;
        return keystorePassword;
      },
    });
    return { plan, asked };
  }

  /**
   * `--fix`: the TLS fixes (marked unattended for XML too: no secret, no choice), one finding at a time, each planned
   * on the text the previous one produced; stops at a TOML syntax error (an edit could not be checked).
   */
  async fixUnattended(path: string, text: string, settings: Settings): Promise<{ text: string | undefined; applied: string[]; skippedBecause?: string }> {
    const applied: string[] = [];
    let current = text;
    for (let round = 0; round < 32; round++) {
      const analysed = await this.analyse(path, { kind: 'text', text: current, version: `fix-${round}-${current.length}` }, settings);
      this.invalidate(path);
      if (!analysed?.model) break;
      if (analysed.model.doc.errors.length > 0) {
        if (round === 0) return { text: undefined, applied, skippedBecause: 'deployment.toml has a TOML syntax error' };
        break;
      }
      const finding = analysed.findings.find((f) => (f.ruleId === 'weak-tls-protocol' || f.ruleId === 'weak-tls-ciphers') && typeof f.data?.endpoint === 'string');
      const fix = finding && planTomlFixes(analysed.model, finding as TomlFinding, settings.tlsProfile).find((f) => f.ruleId === finding.ruleId && !f.title.startsWith('Disable '));
      if (!fix) break;
      const next = applyReplacements(current, fix.replacements);
      if (next === current) break;
      current = next;
      applied.push(fix.title);
    }
    return { text: current === text ? undefined : current, applied };
  }

  /** Hover: the port sum on a port key or `[server] offset`, the protection of a secret key. */
  hover(analysed: TomlAnalysed, offset: number, settings: Settings): { markdown: string; span: TextSpan } | undefined {
    const model = analysed.model;
    if (!model) return undefined;
    const override = analysed.location.home ? portOffsetOverrideFor(settings, analysed.location.home.homeDir) : null;
    const { offset: offsetInfo, ports } = tomlPorts(model, override ?? undefined);
    const entry = entryAt(model, offset);
    if (!entry) {
      // The `[server]` header: the offset the home runs with (written or the template default) and its ports.
      const server = model.doc.tables.find((t) => t.name === 'server' && offset >= t.headerSpan.start && offset <= t.headerSpan.end);
      return server ? { markdown: offsetMarkdown(model, offsetInfo, ports), span: server.headerSpan } : undefined;
    }
    const span = { start: entry.keySpan.start, end: entry.valueSpan.end };
    if (offsetInfo.entry === entry) return { markdown: offsetMarkdown(model, offsetInfo, ports), span };
    const port = ports.find((p) => p.entry === entry);
    if (port) return { markdown: `**${port.label}** · deployment.toml\n\n${explainTomlPort(port, offsetInfo, model.path).markdown}\n\n${knowledgeLine(model)}`, span };
    if (entry.table?.name !== 'secrets' && isSecretKey(entry.key, model.home.product)) return { markdown: secretMarkdown(model, entry), span };
    return undefined;
  }

  inlayHints(analysed: TomlAnalysed, settings: Settings, from: number, to: number): { offset: number; label: string; tooltip: string }[] {
    const model = analysed.model;
    if (!model) return [];
    const override = analysed.location.home ? portOffsetOverrideFor(settings, analysed.location.home.homeDir) : null;
    const { offset, ports } = tomlPorts(model, override ?? undefined);
    const hints: { offset: number; label: string; tooltip: string }[] = [];
    for (const port of ports) {
      if (!port.span || port.effective === undefined) continue;
      hints.push({ offset: port.span.end, label: `\u2192 ${port.effective}`, tooltip: explainTomlPort(port, offset, model.path).markdown });
    }
    if (offset.entry && offset.value !== undefined) {
      // The port people connect to first: the first HTTPS one (servlet HTTPS, MI's PassThrough HTTPS), else the first.
      const http = ports.find((p) => p.effective !== undefined && p.label.includes('HTTPS')) ?? ports.find((p) => p.effective !== undefined);
      hints.push({
        offset: offset.entry.valueSpan.end,
        label: http ? `${http.label} \u2192 ${http.effective}` : `offset ${offset.value}`,
        tooltip: offsetMarkdown(model, offset, ports),
      });
    }
    return hints.filter((h) => h.offset >= from && h.offset <= to).sort((a, b) => a.offset - b.offset);
  }
}

function toFinding(finding: TomlFinding): Finding {
  return { ruleId: finding.ruleId, severity: finding.severity, message: finding.message, span: finding.span, ...(finding.data ? { data: finding.data } : {}) };
}

/** The user's entry whose key or value holds the offset (linear in the entries). */
export function entryAt(model: TomlModel, offset: number): TomlEntry | undefined {
  for (const entry of model.doc.entries) {
    if (offset >= entry.keySpan.start && offset <= entry.valueSpan.end) return entry;
  }
  return undefined;
}

function knowledgeLine(model: TomlModel): string {
  const k = model.knowledge;
  const product = `${PRODUCT_NAMES[model.home.product]}${model.home.version ? ` ${model.home.version}` : ''}`;
  return k.origin === 'home'
    ? `Defaults: ${k.label} (${product}, detected by ${model.home.detectedBy}).`
    : `Defaults: ${k.label}: this home has no repository/resources/conf/default.json (${product}, detected by ${model.home.detectedBy}).`;
}

export function offsetMarkdown(model: TomlModel, offset: TomlOffset, ports: readonly TomlPort[]): string {
  const head = offset.value !== undefined ? `**Port offset ${offset.value}**` : `**Port offset unusable** (${offset.problem ?? 'unknown'})`;
  const rows = ports.map((p) => `| ${p.label} | \`${p.key}\` | ${p.base ?? '?'} | ${p.effective ?? '?'} |`);
  return [
    head,
    '',
    `Offset from ${offset.explanation}.`,
    '',
    '| port | key | base | effective |',
    '|---|---|---|---|',
    ...rows,
    '',
    knowledgeLine(model),
  ].join('\n');
}

function secretMarkdown(model: TomlModel, entry: TomlEntry): string {
  const protection = protectionOf(model, entry.value);
  const name = `\`${entry.key}\``;
  switch (protection.status) {
    case 'plaintext':
      return `${name} is **not protected**: the value is plain text in deployment.toml${protection.via.length > 1 ? ` (through $ref{} ${protection.via.slice(1).join(' \u2192 ')})` : ''}. Use "Encrypt with Secure Vault" ($secret{alias} in [secrets]) or $env{VAR}.`;
    case 'reference':
      return `${name} is **protected** by ${protection.references.map(describeReference).join(' and ')}; the value is resolved when the server starts.`;
    case 'unresolved':
      return `${name} refers to ${protection.unresolved.map((k) => `\`${k}\``).join(', ')}, which deployment.toml does not define: the server stops with "References can't be resolved".`;
    case 'empty':
      return `${name} is empty.`;
    case 'not-a-string':
      return `${name} is not a string value.`;
  }
}

/**
 * `port-conflict` for a deployment.toml home: the XML rule's computation and wording (ports/conflicts.ts) over the
 * home facts of the workspace, toml and XML homes alike (`homes`: the file's own included, as the XML rule gets them),
 * reported at `span` (tomlPortConflictSpan).
 */
export function tomlPortConflicts(span: TextSpan, own: HomeFacts, homes: readonly HomeFacts[], severity: Severity): Finding[] {
  return portConflictReports(own, homes, span, (lowestFree) => `[server] offset = ${lowestFree} is the lowest that collides with no other home of the workspace.`).map((report) => ({
    ruleId: 'port-conflict',
    severity,
    span: report.span,
    message: report.message,
    data: report.data,
  }));
}

/** Where a deployment.toml's port conflicts are reported: `[server] offset` (the value to change), else the `[server]` header, else the top of the file. */
export function tomlPortConflictSpan(model: TomlModel): TextSpan {
  const entry = tomlOffset(model).entry;
  const server = model.doc.tables.find((t) => t.name === 'server');
  return entry?.valueSpan ?? server?.headerSpan ?? { start: 0, end: 0 };
}
