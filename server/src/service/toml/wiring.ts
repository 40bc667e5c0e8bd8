import generatedXmlData from '../../../../schemas/toml/generated-xml.json';
import { EncryptedSecret, SecureVaultPlan, SkippedSecret } from '../fixes/secure-vault';
import { TextSpan } from '../model/text';
import { XmlDocument, XmlElement, elementPath } from '../model/xml';
import { HomeEncryptionOutcome, SecureVaultOutcome, explicitEncryptSettings } from '../securevault/planner';
import { Settings } from '../settings';
import { FileSource } from '../workspace/facts';
import { ConfigFileLocation, ProductHome, joinPath } from '../workspace/files';
import { isSecretKey } from './keys';
import { parseDeploymentToml } from './parse';
import { TomlEngineCore, TomlAnalysed, textOf } from './kind';
import { TOML_VAULT_TITLE_ALL, TomlVaultSkipCode } from './securevault';
import { TomlFinding } from './types';

/**
 * The deployment.toml pieces the facade calls beyond a kind's analyse/hover/fixes: Secure Vault for a file and a
 * home (the same outcomes the XML planner gives, so the fronts and `wso2-config-lint encrypt` do not change), and go
 * to definition from a generated XML file to the toml key that renders it.
 */

type EncryptionScope =
  | { readonly kind: 'finding'; readonly path: string; readonly content: import('../workspace/facts').FileContent; readonly span: TextSpan; readonly settings: Settings }
  | { readonly kind: 'file'; readonly path: string; readonly content: import('../workspace/facts').FileContent; readonly settings: Settings };

/** Findings an explicit encrypt acts on: plaintext passwords the user wrote, and `[secrets]` values still `[plaintext]`. */
export function encryptableFindings(analysed: TomlAnalysed): TomlFinding[] {
  return (analysed.findings as TomlFinding[]).filter(
    (f) => (f.ruleId === 'plaintext-password' && !Array.isArray(f.data?.inherited)) || (f.ruleId === 'secrets-table' && f.data?.problem === 'plaintext'),
  );
}

export async function tomlFileEncryption(core: TomlEngineCore, scope: EncryptionScope, settings: Settings, keystorePassword: string | undefined): Promise<SecureVaultOutcome> {
  const analysed = await core.analyse(scope.path, scope.content, settings);
  if (!analysed?.model) return { error: 'The file is not a deployment.toml this server can analyse.' };
  const candidates = encryptableFindings(analysed);
  if (scope.kind === 'file') {
    if (candidates.length === 0) return { error: 'This file has no plaintext password left to encrypt.' };
    const outcome = await core.encrypt(analysed.model, candidates, keystorePassword);
    return 'fix' in outcome ? { fix: { ...outcome.fix, title: TOML_VAULT_TITLE_ALL } } : outcome;
  }
  const finding = candidates.find((f) => f.span.start === scope.span.start && f.span.end === scope.span.end);
  if (!finding) return { error: 'The password is no longer where the action found it; run the action again.' };
  return core.encrypt(analysed.model, [finding], keystorePassword);
}

/**
 * A home configured by deployment.toml: every plaintext secret of it (its XML is regenerated at start, so the XML is
 * not touched). Undefined when the home has no deployment.toml: the XML planner's home.
 */
export async function homePlanOfToml(
  core: TomlEngineCore,
  files: FileSource,
  home: ProductHome,
  keystorePassword: string | undefined,
  settingsFor: (path: string) => Settings,
): Promise<HomeEncryptionOutcome | undefined> {
  const path = joinPath(home.confDir, 'deployment.toml');
  const content = await files.read(path);
  if (!content) return (await files.exists(path)) ? { error: `${path} exists but cannot be read.` } : undefined;
  const analysed = await core.analyse(path, content, explicitEncryptSettings(settingsFor(path)));
  if (!analysed) return undefined;
  if (!analysed.model) return { error: analysed.findings[0]?.message ?? 'deployment.toml could not be analysed.' };
  const model = analysed.model;
  const secretSpans = new Map<string, TextSpan[]>([[path, secretSpansOf(analysed)]]);
  const candidates = encryptableFindings(analysed);
  if (candidates.length === 0) {
    const empty: SecureVaultPlan = { fix: undefined, encrypted: [], skipped: [], notes: [] };
    return { plan: empty, report: `No plaintext password left in ${home.homeDir}.`, secretSpans, cipherTextPath: undefined, files: 0, unreadable: [] };
  }
  const { plan, asked } = await core.plan(model, candidates, keystorePassword);
  if (!plan.fix && asked && keystorePassword === undefined && plan.skipped.some((s) => s.code === 'keystore')) {
    return { needsPassword: { keystorePath: asked.keystorePath, reason: asked.reason } };
  }
  const encrypted: EncryptedSecret[] = plan.encrypted.map((e) => ({ path, line: e.line, alias: e.alias, target: 'toml-value' }));
  const skipped: SkippedSecret[] = plan.skipped.map((s) => ({ path, line: s.line, alias: undefined, code: XML_CODE[s.code], reason: s.reason }));
  const fix = plan.fix ? { title: TOML_VAULT_TITLE_ALL, ruleId: plan.fix.ruleId, changes: plan.fix.changes, isPreferred: true } : undefined;
  const vaultPlan: SecureVaultPlan = { fix, encrypted, skipped, notes: plan.notes };
  const relative = path.startsWith(`${home.homeDir}/`) ? path.slice(home.homeDir.length + 1) : path;
  const parts = [`Encrypted ${encrypted.length} password${encrypted.length === 1 ? '' : 's'} in ${relative}: ${encrypted.map((e) => `line ${e.line} (${e.alias})`).join(', ')}.`];
  if (skipped.length > 0) parts.push(`Skipped ${skipped.length}: ${skipped.map((s) => `line ${s.line} (${s.reason})`).join('; ')}.`);
  parts.push(...plan.notes);
  return { ...(fix ? { fix } : {}), plan: vaultPlan, report: parts.join(' '), secretSpans, cipherTextPath: undefined, files: 1, unreadable: [] };
}

/** Every value of deployment.toml a masked diff hides: each secret key's value and every `[secrets]` value. */
function secretSpansOf(analysed: TomlAnalysed): TextSpan[] {
  const model = analysed.model!;
  // Written values only: an inherited default is reported on a table header or the file top, which holds no secret.
  const spans: TextSpan[] = analysed.findings.filter((f) => f.ruleId === 'plaintext-password' && !Array.isArray(f.data?.inherited)).map((f) => f.span);
  for (const entry of model.doc.entries) {
    if (entry.table?.name === 'secrets' || isSecretKey(entry.key, model.home.product)) spans.push(entry.valueSpan);
  }
  return spans;
}

/** The toml planner's reasons in the XML planner's vocabulary (the reason text says the rest). */
const XML_CODE: Record<TomlVaultSkipCode, SkippedSecret['code']> = {
  'no-home': 'no-home',
  'toml-syntax': 'xml-syntax',
  'not-written': 'not-encryptable',
  'finding-not-found': 'finding-not-found',
  'not-a-string': 'not-encryptable',
  'secret-too-long': 'secret-too-long',
  keystore: 'no-keystore-config',
  'secret-conf': 'no-keystore-config',
  'secrets-layout': 'alias-conflict',
  'would-break-file': 'encryption-failed',
  'encryption-failed': 'encryption-failed',
};

const GENERATED = (generatedXmlData as { elements: { file: string; path: string; key: string }[] }).elements;

/**
 * Go to definition in a generated XML file of a deployment.toml home: the toml entry that renders the element under
 * the cursor (schemas/toml/generated-xml.json), else the top of deployment.toml. Undefined outside such homes.
 */
export async function generatedXmlDefinition(
  files: FileSource,
  location: ConfigFileLocation,
  doc: XmlDocument,
  offset: number,
): Promise<{ path: string; line: number; startCharacter: number; endCharacter: number } | undefined> {
  const home = location.home;
  if (!home) return undefined;
  const tomlPath = joinPath(home.confDir, 'deployment.toml');
  const content = await files.read(tomlPath);
  if (!content) return undefined;
  const decoded = textOf(content, undefined);
  if (!('text' in decoded)) return { path: tomlPath, line: 0, startCharacter: 0, endCharacter: 0 };
  const element = innermostAt(doc.root, offset);
  const path = element ? elementPath(element).join('/') : undefined;
  const mapped = path ? GENERATED.find((g) => g.file === location.confRelativePath && g.path === path) : undefined;
  if (mapped) {
    const parsed = parseDeploymentToml(decoded.text);
    const entry = parsed.entries.find((e) => e.key === mapped.key);
    const table = parsed.tables.find((t) => mapped.key.startsWith(`${t.name}.`) && !mapped.key.slice(t.name.length + 1).includes('.'));
    const span = entry?.keySpan ?? table?.headerSpan;
    if (span) {
      const start = parsed.lines.positionAt(span.start);
      const end = parsed.lines.positionAt(span.end);
      return { path: tomlPath, line: start.line, startCharacter: start.character, endCharacter: end.line === start.line ? end.character : start.character };
    }
  }
  return { path: tomlPath, line: 0, startCharacter: 0, endCharacter: 0 };
}

function innermostAt(root: XmlElement | undefined, offset: number): XmlElement | undefined {
  let current = root && offset >= root.span.start && offset <= root.span.end ? root : undefined;
  while (current) {
    let next: XmlElement | undefined;
    for (const child of current.children) {
      if (child.type === 'element' && offset >= child.span.start && offset <= child.span.end) next = child;
    }
    if (!next) return current;
    current = next;
  }
  return undefined;
}
