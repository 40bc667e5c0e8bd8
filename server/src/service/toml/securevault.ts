import { KeyObject, constants, publicEncrypt } from 'node:crypto';
import { VerifiedKeystore, verifyKeystore } from '../keystore';
import { FileSource } from '../workspace/facts';
import { parseProperties, propertyLine, propertyValue, updateProperties, PropertyUpdate } from '../fixes/properties';
import { propertiesText } from '../fixes/secure-vault-session';
import { FileChange, TextReplacement, applyReplacements } from '../fixes/types';
import { TomlModel, isScalar } from './effective';
import { tomlHomeOf } from './home';
import { PRODUCT_NAMES, TOML_RULES_DATA, TomlProduct } from './knowledge';
import { TomlEntry, parseDeploymentToml } from './parse';
import { plaintextPassword } from './rules/plaintext-password';
import { TomlFinding, TomlRuleId } from './types';
import secureVaultData from '../../../../schemas/secure-vault.json';
import tomlVaultData from '../../../../schemas/toml/secure-vault-toml.json';

/**
 * "Encrypt with Secure Vault" for deployment.toml (Carbon 4.5+), done as the product's own cipher tool does it
 * (`ciphertool.sh -Dconfigure`, toml flow: wso2/cipher-tool `CipherTool.java` / `utils/Utils.java` v1.1.26, v1.2.5),
 * but by range edits instead of the tool's line-by-line rewrite:
 *   - the secret's value becomes `"$secret{alias}"`;
 *   - `alias = "<Base64>"` joins `[secrets]` (created as the last table of the file: cipher-tool v1.1.19-v1.1.28
 *     truncates the file after a `[secrets]` that is not last, WSO2 docs "Encrypting Passwords with Cipher Tool");
 *   - the ciphertext is RSA over the UTF-8 bytes of the value the config mapper reads (the parser's decoded string)
 *     under the certificate of the keystore the tool picks, with the padding of the product's ciphertool.sh;
 *   - `security/secret-conf.properties` is configured for that keystore when it is not (Utils.writeToSecureConfPropertyFile);
 *     `cipher-text.properties` is never written: the config mapper regenerates it from `[secrets]` at every start
 *     (kernel v4.9.26 `templates/repository/conf/security/cipher-text.properties.j2`).
 * A `[secrets]` entry still in `[plaintext]` form is encrypted in place (the text between the first `[` and the last
 * `]`, cipher-tool v1.1.10+ `getUnEncryptedValue`).
 *
 * Pure: files come through a FileSource, the keystore password through a callback. Nothing here logs; messages name
 * keys, aliases and files, never a secret.
 */

const SV = secureVaultData as { secretConf: { entries: { key: string; value: string }[]; header: string[]; identity: { location: string; alias: string; type: string } } };
const TV = tomlVaultData as {
  transformations: Record<TomlProduct, { name: string; padding: 'pkcs1' | 'oaep-sha1'; writeAlgorithm: boolean }>;
  pkcs1Names: string[];
  confDirs: Record<'repository-conf' | 'mi-conf', string>;
  securityFiles: { secretConf: string; cipherText: string };
  algorithmKey: string;
  keystore: { internal: string; primary: string; securityDir: string; carbonHomeToken: string };
  envPrefix: string;
};

export const TOML_VAULT_TITLE_ONE = 'Encrypt with Secure Vault';
export const TOML_VAULT_TITLE_ALL = 'Encrypt all plaintext passwords of deployment.toml with Secure Vault';

export type TomlVaultSkipCode =
  | 'no-home'
  | 'toml-syntax'
  | 'not-written'
  | 'finding-not-found'
  | 'not-a-string'
  | 'secret-too-long'
  | 'keystore'
  | 'secret-conf'
  | 'secrets-layout'
  | 'would-break-file'
  | 'encryption-failed';

export interface TomlVaultSkipped {
  /** 1-based line of the finding. */
  readonly line: number;
  /** The toml key (or `secrets.<alias>`); never a value. */
  readonly key: string | undefined;
  readonly code: TomlVaultSkipCode;
  readonly reason: string;
}

export interface TomlVaultEncrypted {
  readonly line: number;
  readonly key: string;
  readonly alias: string;
  /** 'reference': the value became `$secret{alias}`; 'in-place': a `[secrets]` entry in `[plaintext]` form. */
  readonly kind: 'reference' | 'in-place';
}

export interface TomlVaultFix {
  readonly title: string;
  readonly ruleId: TomlRuleId;
  readonly changes: readonly FileChange[];
  readonly isPreferred?: boolean;
}

export interface TomlVaultPlan {
  /** Undefined when there is nothing to do (or nothing could be done: see skipped). */
  readonly fix: TomlVaultFix | undefined;
  readonly encrypted: readonly TomlVaultEncrypted[];
  readonly skipped: readonly TomlVaultSkipped[];
  /** What the user should know; no secrets. */
  readonly notes: readonly string[];
}

export interface KeystorePasswordRequest {
  /** Absolute path of the keystore. */
  readonly keystorePath: string;
  /** 'needs-password': none known; 'wrong-password': the one deployment.toml holds does not open it. */
  readonly reason: 'needs-password' | 'wrong-password';
}

export interface TomlVaultInput {
  /** deployment.toml as it is now (open document or disk), with its home; `model.path` is absolute. */
  readonly model: TomlModel;
  /** plaintext-password / secrets-table findings of this text to fix, or 'all' for every one. */
  readonly findings: readonly TomlFinding[] | 'all';
  /** Reads the keystore (bytes), secret-conf.properties and cipher-text.properties of the home. */
  readonly files: Pick<FileSource, 'read'>;
  /**
   * Asked when deployment.toml holds no plaintext password that opens the keystore. Undefined (or a callback that
   * returns undefined): a JKS is used unverified (with a note), a PKCS#12 keystore is refused.
   */
  readonly askPassword?: (request: KeystorePasswordRequest) => Promise<string | undefined>;
}

/** One secret to encrypt: the entry whose value changes and the string the runtime reads. */
interface Target {
  readonly entry: TomlEntry;
  readonly plaintext: string;
  readonly kind: 'reference' | 'in-place';
  /** Alias of an in-place `[secrets]` entry. */
  readonly alias?: string;
}

export async function planTomlSecureVault(input: TomlVaultInput): Promise<TomlVaultPlan> {
  const { model } = input;
  const text = model.doc.text;
  const skipped: TomlVaultSkipped[] = [];
  const notes: string[] = [];
  const lineOf = (offset: number) => model.doc.lines.positionAt(offset).line + 1;
  const nothing = (): TomlVaultPlan => ({ fix: undefined, encrypted: [], skipped, notes });

  // 1. What to encrypt.
  const findings = input.findings === 'all' ? allFindings(model) : input.findings;
  // Findings are matched to entries by their value's range (one lookup each: linear in the file).
  const byValueStart = new Map<number, TomlEntry>();
  for (const e of model.doc.entries) byValueStart.set(e.valueSpan.start, e);
  const entryAt = (span: { start: number; end: number }) => {
    const e = byValueStart.get(span.start);
    return e && e.valueSpan.end === span.end ? e : undefined;
  };
  const targets: Target[] = [];
  const seen = new Set<number>();
  const add = (target: Target) => {
    if (seen.has(target.entry.valueSpan.start)) return;
    seen.add(target.entry.valueSpan.start);
    targets.push(target);
  };
  for (const finding of findings) {
    const line = lineOf(finding.span.start);
    if (finding.ruleId === 'secrets-table') {
      if (finding.data?.problem !== 'plaintext') continue;
      const found = entryAt(finding.span);
      const entry = found?.table?.name === 'secrets' ? found : undefined;
      const pending = entry && typeof entry.value === 'string' ? bracketed(entry.value) : undefined;
      if (!entry || pending === undefined) {
        skipped.push({ line, key: undefined, code: 'finding-not-found', reason: 'The finding no longer matches deployment.toml; re-run the analysis.' });
        continue;
      }
      add({ entry, plaintext: pending, kind: 'in-place', alias: entry.segments.slice(1).join('.') });
      continue;
    }
    if (finding.ruleId !== 'plaintext-password') continue;
    if (Array.isArray(finding.data?.inherited)) {
      skipped.push({ line, key: undefined, code: 'not-written', reason: inheritedAdvice(model, finding) });
      continue;
    }
    const entry = entryAt(finding.span);
    if (!entry || (typeof finding.data?.key === 'string' && finding.data.key !== entry.key)) {
      skipped.push({ line, key: typeof finding.data?.key === 'string' ? finding.data.key : undefined, code: 'finding-not-found', reason: 'The finding no longer matches deployment.toml; re-run the analysis.' });
      continue;
    }
    const target = targetOf(model, entry);
    if (!target.ok) {
      skipped.push({ line, key: entry.key, code: target.code, reason: target.reason });
      continue;
    }
    add(target.value);
  }
  if (targets.length === 0) return nothing();

  const skipAll = (code: TomlVaultSkipCode, reason: string): TomlVaultPlan => {
    for (const t of targets) skipped.push({ line: lineOf(t.entry.valueSpan.start), key: t.entry.key, code, reason });
    return nothing();
  };
  if (model.doc.errors.length > 0 || model.doc.partial) {
    return skipAll('toml-syntax', 'deployment.toml has a TOML syntax error: fix it before encrypting its passwords (an edit could not be checked against what the server parses).');
  }
  if (!tomlHomeOf(model.path)) {
    return skipAll('no-home', 'This deployment.toml is not in a product home (…/repository/conf or …/conf): there is no keystore or security folder to encrypt with.');
  }

  // 2. Where [secrets] is, and whether it can take new lines.
  const layout = secretsLayout(model);
  if (!layout.ok) return skipAll('secrets-layout', layout.reason);
  if (layout.note) notes.push(layout.note);

  // 3. The keystore the product's cipher tool would encrypt with, verified.
  const home = homeDirOf(model);
  const keystore = await keystoreFor(model, home, input);
  if (!keystore.ok) return skipAll('keystore', keystore.reason);
  notes.push(...keystore.notes);
  const transformation = TV.transformations[model.home.product];

  // 4. secret-conf.properties for that keystore (and algorithm).
  const confDir = `${home}/${TV.confDirs[model.home.layout]}`;
  const secretConfPath = `${confDir}/${TV.securityFiles.secretConf}`;
  const secretConf = propertiesText(await input.files.read(secretConfPath));
  const conf = secretConfChange(model, home, secretConfPath, secretConf, keystore.value, transformation);
  if (!conf.ok) return skipAll('secret-conf', conf.reason);
  if (conf.note) notes.push(conf.note);

  // 5. Aliases and ciphertext.
  const taken = new Set<string>(layout.aliases);
  for (const alias of referencedAliases(model)) taken.add(alias);
  const cipherText = propertiesText(await input.files.read(`${confDir}/${TV.securityFiles.cipherText}`));
  if (cipherText !== undefined) for (const e of parseProperties(cipherText).entries) taken.add(e.key);
  const max = maxPlaintextBytes(keystore.value.certificate.publicKey, transformation.padding);
  const encrypted: TomlVaultEncrypted[] = [];
  const replacements: TextReplacement[] = [];
  const newLines: string[] = [];
  const nextSuffix = new Map<string, number>();
  for (const target of targets) {
    const line = lineOf(target.entry.valueSpan.start);
    if (Buffer.byteLength(target.plaintext, 'utf8') > max) {
      skipped.push({ line, key: target.entry.key, code: 'secret-too-long', reason: `The value of ${displayKey(target.entry)} is longer than the ${max} bytes RSA (${transformation.name}) can encrypt with this certificate's key.` });
      continue;
    }
    let cipher: string;
    try {
      cipher = encryptValue(keystore.value.certificate.publicKey, transformation.padding, target.plaintext);
    } catch (error) {
      skipped.push({ line, key: target.entry.key, code: 'encryption-failed', reason: `Encrypting the value of ${displayKey(target.entry)} failed (${(error as Error)?.name ?? 'Error'}).` });
      continue;
    }
    if (target.kind === 'in-place') {
      replacements.push({ span: target.entry.valueSpan, newText: `"${cipher}"` });
      encrypted.push({ line, key: target.entry.key, alias: target.alias!, kind: 'in-place' });
      continue;
    }
    const alias = uniqueAlias(aliasFor(target.entry), taken, nextSuffix);
    taken.add(alias);
    replacements.push({ span: target.entry.valueSpan, newText: `"$secret{${alias}}"` });
    newLines.push(`${alias} = "${cipher}"`);
    encrypted.push({ line, key: target.entry.key, alias, kind: 'reference' });
  }
  if (encrypted.length === 0) return nothing();
  if (newLines.length > 0) replacements.push(secretsInsertion(model, layout, newLines));

  // A fix never makes the file worse.
  const after = parseDeploymentToml(applyReplacements(text, replacements));
  if (after.errors.length > model.doc.errors.length) {
    for (const e of encrypted) skipped.push({ line: e.line, key: e.key, code: 'would-break-file', reason: 'The edit would leave deployment.toml with a TOML error; nothing was changed.' });
    return { fix: undefined, encrypted: [], skipped, notes };
  }
  const changes: FileChange[] = [{ kind: 'edit', path: model.path, baseText: text, replacements }];
  if (conf.change) changes.push(conf.change);
  const title = input.findings === 'all' || encrypted.length > 1 ? TOML_VAULT_TITLE_ALL : TOML_VAULT_TITLE_ONE;
  return { fix: { title, ruleId: encrypted.every((e) => e.kind === 'in-place') ? 'secrets-table' : 'plaintext-password', changes, isPreferred: true }, encrypted, skipped, notes };
}

/**
 * The second fix: read the value from an environment variable (`$env{VAR}`, resolved by the config mapper at start,
 * wso2/config-mapper v1.0.23 `ReferenceResolver.java`). Nothing is written anywhere else; the variable must be set
 * before the server starts. Undefined for findings it cannot apply to (inherited defaults, stale findings).
 */
export function planTomlEnvReference(model: TomlModel, finding: TomlFinding): { title: string; ruleId: TomlRuleId; replacements: TextReplacement[] } | undefined {
  if (finding.ruleId !== 'plaintext-password' || Array.isArray(finding.data?.inherited)) return undefined;
  const entry = model.doc.entries.find((e) => sameSpan(e.valueSpan, finding.span));
  if (!entry || !isScalar(entry.value)) return undefined;
  const variable = envVariableFor(entry);
  return {
    title: `Read it from the environment variable ${variable} ("$env{${variable}}"; set it before the server starts)`,
    ruleId: 'plaintext-password',
    replacements: [{ span: entry.valueSpan, newText: `"$env{${variable}}"` }],
  };
}

/** `super_admin.password` → `WSO2_SUPER_ADMIN_PASSWORD`. */
export function envVariableFor(entry: Pick<TomlEntry, 'segments' | 'arrayIndex' | 'arrayName'>): string {
  const parts = [...entry.segments];
  if (entry.arrayName !== undefined && (entry.arrayIndex ?? 0) > 0) parts.splice(1, 0, String(entry.arrayIndex));
  return TV.envPrefix + bareName(parts).toUpperCase();
}

/** `keystore.primary.password` → `keystore_primary_password`: a bare TOML key of `[A-Za-z0-9_]`. */
export function aliasFor(entry: Pick<TomlEntry, 'segments'>): string {
  return bareName(entry.segments);
}

// ---- what to encrypt -----------------------------------------------------------------------------------------------

function allFindings(model: TomlModel): TomlFinding[] {
  const found: TomlFinding[] = [];
  plaintextPassword.check({
    model,
    tlsProfile: 'intermediate',
    portOffsetOverride: undefined,
    report: (f) => found.push({ ruleId: 'plaintext-password', severity: f.severity ?? 'warning', message: f.message, span: f.span, data: f.data }),
  });
  for (const entry of model.doc.entries) {
    if (entry.table?.name !== 'secrets' || entry.table.kind !== 'standard' || typeof entry.value !== 'string') continue;
    if (bracketed(entry.value) !== undefined) found.push({ ruleId: 'secrets-table', severity: 'error', message: '', span: entry.valueSpan, data: { problem: 'plaintext' } });
  }
  return found;
}

type Targeted = { ok: true; value: Target } | { ok: false; code: TomlVaultSkipCode; reason: string };

/**
 * A `$ref{key}` whose chain ends at a value the user wrote is fixed there (the reference then resolves to the alias);
 * otherwise the value the runtime reads is encrypted in place of what is written.
 */
function targetOf(model: TomlModel, entry: TomlEntry): Targeted {
  if (typeof entry.value !== 'string') {
    return { ok: false, code: 'not-a-string', reason: `${displayKey(entry)} is not written as a string; write it as a quoted string first.` };
  }
  const resolution = model.resolveValue(entry.value);
  if (typeof resolution.value !== 'string' || resolution.references.length > 0 || resolution.unresolved.length > 0 || resolution.value.length === 0) {
    return { ok: false, code: 'finding-not-found', reason: `${displayKey(entry)} holds no plaintext value any more; re-run the analysis.` };
  }
  const last = resolution.chain[resolution.chain.length - 1];
  if (last?.origin.kind === 'user' && last.origin.entry !== entry && typeof last.origin.entry.value === 'string' && last.origin.entry.value === resolution.value) {
    return { ok: true, value: { entry: last.origin.entry, plaintext: resolution.value, kind: 'reference' } };
  }
  return { ok: true, value: { entry, plaintext: resolution.value, kind: 'reference' } };
}

function inheritedAdvice(model: TomlModel, finding: TomlFinding): string {
  const items = (finding.data?.inherited as { key?: unknown }[]).map((i) => (typeof i.key === 'string' ? i.key : '')).filter((k) => k.length > 0);
  const examples = items.map((written) => {
    // "internal_apis.users (user.password)": a field of every element of an array of tables.
    const field = / \(([^()]+)\)$/.exec(written);
    if (field) {
      const array = written.slice(0, field.index);
      return `[[${array}]] ${field[1]} = "<new password>"`;
    }
    const dot = written.lastIndexOf('.');
    return dot > 0 ? `[${written.slice(0, dot)}] ${written.slice(dot + 1)} = "<new password>"` : `${written} = "<new password>"`;
  });
  const what = examples.length > 0 ? examples.join('; ') : 'the key';
  return `Not written in deployment.toml: the value is inherited from ${model.knowledge.label}, so there is nothing here to encrypt. Write it with a new password (${what}), then encrypt that, or set it to "$env{VAR}".`;
}

// ---- [secrets] -----------------------------------------------------------------------------------------------------

type SecretsLayout =
  | { ok: true; table: TomlEntry['table'] | undefined; aliases: string[]; note?: string }
  | { ok: false; reason: string };

function secretsLayout(model: TomlModel): SecretsLayout {
  const tables = model.doc.tables.filter((t) => t.path[0] === 'secrets');
  if (tables.some((t) => t.kind === 'array' || t.path.length > 1) || tables.length > 1) {
    return { ok: false, reason: 'deployment.toml has [[secrets]] or [secrets.*] tables, or more than one [secrets]: Secure Vault reads one plain [secrets] table. Fix that first.' };
  }
  if (model.doc.entries.some((e) => e.segments[0] === 'secrets' && e.table?.name !== 'secrets')) {
    return { ok: false, reason: 'deployment.toml defines secrets with dotted keys or an inline table, not a [secrets] table: the cipher tool finds only a [secrets] header line. Move them into a [secrets] table first.' };
  }
  const table = tables[0];
  const aliases = model.doc.entries.filter((e) => e.table === table && table !== undefined).map((e) => e.segments.slice(1).join('.'));
  if (!table) return { ok: true, table: undefined, aliases };
  const later = model.doc.tables.some((t) => t.headerSpan.start > table.headerSpan.start);
  const comment = model.doc.comments.some((c) => c.span.start > table.headerSpan.end && c.span.start < table.sectionSpan.end);
  let note: string | undefined;
  const verdict = cipherToolTruncates(model);
  if ((later || comment) && verdict !== 'safe') {
    const who =
      verdict === 'truncating'
        ? `The cipher tool of ${PRODUCT_NAMES[model.home.product]} ${model.home.version} truncates`
        : 'Cipher tool versions v1.1.19 to v1.1.28 (IS 5.11-7.2, APIM 4.2-4.5, MI 4.3) truncate';
    note = `[secrets] ${later ? 'is not the last table' : 'holds comments'}; the new aliases were added to it where it is (no other line moved). ${who} deployment.toml there when "ciphertool.sh -Dconfigure" runs (wso2/cipher-tool CipherTool.java, wso2/api-manager#4561): move [secrets] to the very end of the file, without comments inside, before running it.`;
  }
  if (table.headerLine.trim() !== '[secrets]') {
    note = `${note ? `${note} ` : ''}The [secrets] header line is not exactly "[secrets]": the server reads it, but "ciphertool.sh -Dconfigure" would not find it.`;
  }
  return { ok: true, table, aliases, ...(note ? { note } : {}) };
}

/** Whether this product version's cipher tool truncates after a [secrets] that is not last (deployment-toml.json cipherTool). */
function cipherToolTruncates(model: TomlModel): 'truncating' | 'safe' | 'unknown' {
  const minor = model.home.version?.split('.').slice(0, 2).join('.');
  if (!minor) return 'unknown';
  const data = TOML_RULES_DATA.cipherTool as { truncating: Record<string, string[]>; safe?: Record<string, string[]> };
  if (data.truncating[model.home.product]?.includes(minor)) return 'truncating';
  return data.safe?.[model.home.product]?.includes(minor) ? 'safe' : 'unknown';
}

function secretsInsertion(model: TomlModel, layout: Extract<SecretsLayout, { ok: true }>, lines: string[]): TextReplacement {
  const text = model.doc.text;
  const eol = lineBreakOf(text);
  const table = layout.table;
  if (table) {
    const own = model.doc.entries.filter((e) => e.table === table);
    const last = own.reduce<TomlEntry | undefined>((a, e) => (!a || e.valueSpan.end > a.valueSpan.end ? e : a), undefined);
    const at = endOfLine(text, last ? last.valueSpan.end : table.headerSpan.end);
    return { span: { start: at, end: at }, newText: lines.map((l) => eol + l).join('') };
  }
  const block = `[secrets]${eol}${lines.map((l) => l + eol).join('')}`;
  if (text.length === 0) return { span: { start: 0, end: 0 }, newText: block };
  const endsWithBreak = text.endsWith('\n');
  const blankBefore = text.endsWith('\n\n') || text.endsWith('\n\r\n');
  const separator = endsWithBreak ? (blankBefore ? '' : eol) : eol + eol;
  return { span: { start: text.length, end: text.length }, newText: separator + block };
}

function referencedAliases(model: TomlModel): string[] {
  const out: string[] = [];
  for (const entry of model.doc.entries) {
    if (typeof entry.value !== 'string') continue;
    let i = entry.value.indexOf('$secret{');
    while (i >= 0) {
      const close = entry.value.indexOf('}', i + 8);
      if (close < 0) break;
      out.push(entry.value.slice(i + 8, close));
      i = entry.value.indexOf('$secret{', close + 1);
    }
  }
  return out;
}

// ---- the keystore --------------------------------------------------------------------------------------------------

interface ChosenKeystore {
  /** Absolute path. */
  readonly path: string;
  /** Relative to the home when inside it (what secret-conf.properties gets). */
  readonly homeRelative: string;
  readonly alias: string;
  readonly certificate: VerifiedKeystore;
}

async function keystoreFor(
  model: TomlModel,
  home: string,
  input: TomlVaultInput,
): Promise<{ ok: true; value: ChosenKeystore; notes: string[] } | { ok: false; reason: string }> {
  // Utils.setSystemProperties (cipher-tool v1.1.26 l.276-330): the internal keystore when the toml names its file.
  const prefix = model.userEntries.has(`${TV.keystore.internal}.file_name`) ? TV.keystore.internal : TV.keystore.primary;
  const table = `[${prefix}]`;
  const fileName = model.resolve(`${prefix}.file_name`)?.value;
  const type = model.resolve(`${prefix}.type`)?.value;
  const alias = model.resolve(`${prefix}.alias`)?.value;
  // ${carbon.home} is the one placeholder the tool substitutes; any other reference is resolved only at start.
  if (typeof fileName !== 'string' || fileName.length === 0 || fileName.split(TV.keystore.carbonHomeToken).join('').includes('$')) {
    return { ok: false, reason: `The keystore file of ${table} (file_name) is not known before the server starts (it is empty or a reference): write its path in deployment.toml to encrypt with it.` };
  }
  if (typeof alias !== 'string' || alias.length === 0 || alias.includes('$')) return { ok: false, reason: `The key alias of ${table} is not known before the server starts (it is empty or a reference): write alias in deployment.toml to encrypt with it.` };
  const declaredType = typeof type === 'string' && type.length > 0 && !type.includes('$') ? type : 'JKS';
  const homeRelative = keystorePathOf(fileName);
  const path = isAbsolute(homeRelative) ? homeRelative : `${home}/${homeRelative}`;
  const content = await input.files.read(path);
  const bytes = content ? (content.kind === 'bytes' ? content.bytes : Buffer.from(content.text, 'latin1')) : undefined;
  const verify = (storePassword: string | undefined) => verifyKeystore({ bytes, type: declaredType, alias, storePassword, label: path });
  // The toml's own password, while it is still plaintext, is what the tool would be given.
  const fromToml = model.resolve(`${prefix}.password`);
  const tomlPassword = fromToml && typeof fromToml.value === 'string' && fromToml.references.length === 0 && fromToml.unresolved.length === 0 && fromToml.value.length > 0 ? fromToml.value : undefined;
  let result = verify(tomlPassword);
  const passwordProblem = !result.ok && (result.error.code === 'needs-password' || result.error.code === 'wrong-password');
  // A store the password did not open (or none was known) is worth asking about; a PKCS#12 file without a MAC whose
  // key opened and matched (kernel 4.9.27's wso2carbon.jks) is not.
  if ((passwordProblem || (result.ok && result.value.verified === 'unverified' && !result.value.keyPairMatches)) && input.askPassword) {
    const asked = await input.askPassword({ keystorePath: path, reason: tomlPassword === undefined ? 'needs-password' : 'wrong-password' });
    if (asked !== undefined) result = verify(asked);
  }
  if (!result.ok) return { ok: false, reason: `${result.error.message} Nothing was changed.` };
  const notes: string[] = [];
  if (result.value.verified === 'unverified') {
    notes.push(
      result.value.keyPairMatches
        ? `The keystore ${homeRelative} carries no integrity check (no PKCS#12 MAC); its private key, opened with the store password, matches the certificate the values are encrypted to.`
        : `The keystore ${homeRelative} is unverified: no store password was known, so its integrity was not checked (only that "${alias}" is a key entry${result.value.signatureVerified ? ' whose certificate verifies under its issuer' : ''}).`,
    );
  }
  return { ok: true, value: { path, homeRelative, alias: result.value.alias, certificate: result.value }, notes };
}

/** The keystore's path relative to the home (or absolute), by the cipher tool's rules. */
export function keystorePathOf(fileName: string): string {
  const name = fileName.replace(/\\/g, '/');
  if (name.startsWith(TV.keystore.carbonHomeToken)) return name.slice(TV.keystore.carbonHomeToken.length).replace(/^\/+/, '');
  if (name.includes(TV.keystore.securityDir)) return isAbsolute(name) ? name : name.replace(/^\.?\/+/, '');
  if (isAbsolute(name)) return name;
  return `${TV.keystore.securityDir}/${name}`;
}

// ---- secret-conf.properties ----------------------------------------------------------------------------------------

type ConfOutcome = { ok: true; change?: FileChange; note?: string } | { ok: false; reason: string };

function secretConfChange(
  model: TomlModel,
  home: string,
  path: string,
  text: string | undefined,
  keystore: ChosenKeystore,
  transformation: { name: string; writeAlgorithm: boolean },
): ConfOutcome {
  const cipherTextLocation = `${TV.confDirs[model.home.layout]}/${TV.securityFiles.cipherText}`;
  const location = keystore.path.startsWith(`${home}/`) ? keystore.homeRelative : keystore.path;
  const wanted: PropertyUpdate[] = SV.secretConf.entries.map((e) => ({
    key: e.key,
    value: e.value.replace('{cipherTextLocation}', cipherTextLocation).replace('{keystoreLocation}', location).replace('{keystoreType}', keystore.certificate.format).replace('{keystoreAlias}', keystore.alias),
    mode: 'add-if-missing' as const,
  }));
  if (transformation.writeAlgorithm) wanted.push({ key: TV.algorithmKey, value: transformation.name, mode: 'add-if-missing' });
  // The vault must be on: an explicit secVault.enabled=false is set to true (only when it differs, so a second run
  // changes nothing).
  const enabled = wanted.find((u) => u.key === 'secVault.enabled');
  if (enabled && text !== undefined && propertyValue(parseProperties(text), enabled.key)?.trim() !== undefined && propertyValue(parseProperties(text), enabled.key)?.trim() !== enabled.value) {
    wanted[wanted.indexOf(enabled)] = { ...enabled, mode: 'set' };
  }
  const eol = lineBreakOf(model.doc.text);
  const relPath = path.startsWith(`${home}/`) ? path.slice(home.length + 1) : path;
  const note = `${relPath} switches Secure Vault on with the keystore ${location} (alias ${keystore.alias}): the server asks for that keystore's password at startup, or reads it from the password-tmp file.`;
  if (text === undefined) {
    const block = [...SV.secretConf.header, ...wanted.map((u) => propertyLine(u.key, u.value))];
    return { ok: true, change: { kind: 'create', path, text: block.join(eol) + eol }, note };
  }
  const parsed = parseProperties(text);
  const configured = propertyValue(parsed, SV.secretConf.identity.location)?.trim();
  if (configured) {
    const resolved = isAbsolute(configured) ? configured : `${home}/${configured.replace(/^\.\//, '')}`;
    const configuredAlias = propertyValue(parsed, SV.secretConf.identity.alias)?.trim();
    if (normalize(resolved) !== normalize(keystore.path) || (configuredAlias !== undefined && configuredAlias.toLowerCase() !== keystore.alias.toLowerCase())) {
      return {
        ok: false,
        reason: `${relPath} decrypts with the keystore ${configured}${configuredAlias ? ` (alias ${configuredAlias})` : ''}, while the cipher tool encrypts with ${location} (alias ${keystore.alias}) as deployment.toml configures it: the server could not decrypt the values. Make them name the same keystore first. Nothing was changed.`,
      };
    }
  }
  const algorithm = propertyValue(parsed, TV.algorithmKey)?.trim();
  const sameAlgorithm = (a: string) => a.toLowerCase() === transformation.name.toLowerCase() || (TV.pkcs1Names.some((n) => n.toLowerCase() === a.toLowerCase()) && TV.pkcs1Names.some((n) => n.toLowerCase() === transformation.name.toLowerCase()));
  if (algorithm && !sameAlgorithm(algorithm)) {
    return {
      ok: false,
      reason: `${relPath} sets ${TV.algorithmKey}=${algorithm}, but this product's cipher tool encrypts with ${transformation.name}: values of the other padding fail with BadPaddingException at startup. Make them agree first. Nothing was changed.`,
    };
  }
  const replacements = updateProperties(text, wanted, eol);
  if (replacements.length === 0) return { ok: true };
  if (parsed.entries.length === 0) {
    // Every line commented out (as shipped by IS and MI): append the whole block, keeping the comments.
    const fileEol = parsed.eol ?? eol;
    const needsBreak = text.length > 0 && !/[\r\n]$/.test(text);
    const separator = text.length > 0 ? (needsBreak ? fileEol : '') + fileEol : '';
    const block = [...SV.secretConf.header, ...wanted.map((u) => propertyLine(u.key, u.value))];
    return { ok: true, change: { kind: 'edit', path, baseText: text, replacements: [{ span: { start: text.length, end: text.length }, newText: separator + block.join(fileEol) + fileEol }] }, note };
  }
  return { ok: true, change: { kind: 'edit', path, baseText: text, replacements }, note: `${relPath} was missing Secure Vault keys; they were added for the keystore ${location}.` };
}

// ---- crypto --------------------------------------------------------------------------------------------------------

/** RSA over the UTF-8 bytes, standard Base64 on one line (cipher-tool `Utils.doEncryption` v1.1.26 l.508-512). */
export function encryptValue(publicKey: KeyObject, padding: 'pkcs1' | 'oaep-sha1', plaintext: string): string {
  const data = Buffer.from(plaintext, 'utf8');
  const encrypted =
    padding === 'pkcs1'
      ? publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, data)
      : publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, data);
  return encrypted.toString('base64');
}

function maxPlaintextBytes(publicKey: KeyObject, padding: 'pkcs1' | 'oaep-sha1'): number {
  const bytes = Math.floor((publicKey.asymmetricKeyDetails?.modulusLength ?? 2048) / 8);
  // PKCS#1 v1.5: k - 11; OAEP with SHA-1: k - 2*20 - 2 (RFC 8017 7.1.1, 7.2.1).
  return padding === 'pkcs1' ? bytes - 11 : bytes - 42;
}

// ---- helpers -------------------------------------------------------------------------------------------------------

/** Text between the first `[` and the last `]` (cipher-tool v1.1.10+ `getUnEncryptedValue`), or undefined. */
function bracketed(value: string): string | undefined {
  const open = value.indexOf('[');
  const close = value.lastIndexOf(']');
  return open >= 0 && close > open ? value.slice(open + 1, close) : undefined;
}

function bareName(segments: readonly string[]): string {
  const joined = segments.join('_').replace(/[^A-Za-z0-9_]+/g, '_').replace(/_+/g, '_').replace(/^_|_$/g, '');
  return (joined || 'secret').toLowerCase();
}

/** The proposed alias, else `<proposed>_2`, `_3`, …; `next` remembers where each base stopped (linear in the file). */
function uniqueAlias(proposed: string, taken: ReadonlySet<string>, next: Map<string, number>): string {
  if (!taken.has(proposed)) return proposed;
  let n = next.get(proposed) ?? 2;
  while (taken.has(`${proposed}_${n}`)) n++;
  next.set(proposed, n + 1);
  return `${proposed}_${n}`;
}

function displayKey(entry: TomlEntry): string {
  return entry.table ? `[${entry.table.kind === 'array' ? `[${entry.table.name}]` : entry.table.name}] ${entry.segments.slice(entry.table.path.length).join('.')}` : entry.key;
}

function homeDirOf(model: TomlModel): string {
  return model.home.homeDir.replace(/\\/g, '/').replace(/\/$/, '');
}

function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0) out.pop();
    else out.push(part);
  }
  return '/' + out.join('/');
}

function isAbsolute(path: string): boolean {
  return path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(path);
}

function sameSpan(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start === b.start && a.end === b.end;
}

function endOfLine(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  const end = newline < 0 ? text.length : newline;
  return end > offset && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
}

function lineBreakOf(text: string): string {
  const newline = text.indexOf('\n');
  return newline > 0 && text.charCodeAt(newline - 1) === 13 ? '\r\n' : '\n';
}
