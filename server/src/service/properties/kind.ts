import secretsData from '../../../../schemas/properties-secrets.json';
import { LineIndex, TextSpan } from '../model/text';
import { FileChange, Fix } from '../fixes/types';
import { FixOffer } from '../rules/fixes';
import { Finding, Severity } from '../types';
import { FileContent, FileSource } from '../workspace/facts';
import { ConfigFileKind, ConfigFileLocation, HOME_FILES, confPathOf, dirname, homeOfConfDir, joinPath, normalizePath } from '../workspace/files';
import type { AnalysisResult } from '../analyzer';
import type { DocumentKind, DocumentRequest, KindEngine, KindHost, ParsedDocument } from '../index';
import { PropertiesModel, PropertyEntry, parsePropertiesModel, suppressedBy, vaultSwitchedOn } from './model';
import { escapePropertyValue, updateProperties } from '../fixes/properties';
import { secureVaultMaterial } from '../fixes/secure-vault-session';
import { secretConfPath, secureVaultFiles } from '../fixes/secure-vault';
import { parseXml } from '../model/xml';
import { decodeBytes } from '../workspace/decode';

/**
 * Java .properties files of a Carbon 4.4 home that hold secrets (issue 14), as a document kind of the facade:
 * jndi.properties (AMQP URLs with `user:password@`), identity/EndpointConfig.properties (keystore passwords, resolved
 * through `protectedTokens=`), and the `alias=[plaintext]` entries of security/cipher-text.properties that wait for
 * the cipher tool. What each file is and how the runtime reads its secrets is data: schemas/properties-secrets.json.
 * Findings cover exactly the secret and never quote it.
 */

type PropertiesKindId = 'jndi-properties' | 'endpoint-config-properties' | 'cipher-text-properties';

interface FileEntry {
  readonly kind: PropertiesKindId;
  readonly confRelativePath: string;
  readonly check: 'amqp-url-userinfo' | 'password-keys' | 'pending-plaintext';
  readonly keys?: readonly string[];
  readonly label: string;
  readonly encryptable: boolean;
  readonly mechanism: string;
  readonly advice: string;
  readonly source: string;
}

const FILES = secretsData.files as readonly FileEntry[];
const SHIPPED_DEFAULTS = new Set(secretsData.shippedDefaults);
const RULE = 'plaintext-password';

/** Where a file of this kind sits: `<home>/(repository/)conf/<confRelativePath>`; nothing outside a conf folder. */
export function locatePropertiesFile(rawPath: string): ConfigFileLocation | undefined {
  const path = normalizePath(rawPath);
  for (const file of FILES) {
    const depth = file.confRelativePath.split('/').length;
    if (!path.endsWith(`/${file.confRelativePath}`)) continue;
    let confDir = path;
    for (let i = 0; i < depth; i++) confDir = dirname(confDir);
    const home = homeOfConfDir(confDir);
    if (!home) continue;
    return { kind: file.kind as ConfigFileKind, path, confRelativePath: file.confRelativePath, home };
  }
  return undefined;
}

export const PROPERTIES_KIND: DocumentKind = {
  id: 'carbon-properties',
  languageId: 'properties',
  watchGlobs: FILES.map((f) => `**/conf/${f.confRelativePath}`),
  recognise: locatePropertiesFile,
  createEngine: (host) => new PropertiesEngine(host),
};

/** java.util.Properties.load reads ISO-8859-1; an open document is what the editor holds. */
function textOf(content: FileContent): string {
  return content.kind === 'text' ? content.text : Buffer.from(content.bytes).toString('latin1');
}

class PropertiesEngine implements KindEngine {
  private readonly cache = new Map<string, { version: string | undefined; text: string; model: PropertiesModel }>();

  constructor(private readonly host: KindHost) {}

  private model(path: string, content: FileContent): PropertiesModel {
    const text = textOf(content);
    const cached = this.cache.get(path);
    if (cached && cached.text === text) return cached.model;
    const model = parsePropertiesModel(text);
    this.cache.set(path, { version: content.version, text, model });
    if (this.cache.size > 64) this.cache.delete(this.cache.keys().next().value!);
    return model;
  }

  parse(path: string, content: FileContent): ParsedDocument | undefined {
    const location = locatePropertiesFile(path);
    if (!location) return undefined;
    const text = textOf(content);
    return { kind: PROPERTIES_KIND, location, text, lines: new LineIndex(text) };
  }

  async analyse(request: DocumentRequest): Promise<AnalysisResult> {
    const location = locatePropertiesFile(request.path);
    if (!location) return { location: undefined, doc: undefined, findings: [] };
    const model = this.model(location.path, request.content);
    const lines = new LineIndex(model.text);
    const configured = request.settings.rules[RULE];
    if (configured === 'off') return { location, doc: undefined, text: model.text, lines, findings: [] };
    const file = FILES.find((f) => f.kind === location.kind)!;
    const raw = await findingsOf(file, model, location, this.host.files);
    const suppressed = suppressedBy(model);
    const findings = raw
      .filter((f) => !suppressed(RULE, lines.positionAt(f.span.start).line))
      .map((f) => ({ ...f, severity: (configured as Severity | undefined) ?? f.severity }));
    return { location, doc: undefined, text: model.text, lines, findings };
  }

  async fixesFor(request: DocumentRequest & { readonly finding: Finding }): Promise<FixOffer[]> {
    const location = locatePropertiesFile(request.path);
    if (!location || request.finding.ruleId !== RULE) return [];
    const model = this.model(location.path, request.content);
    const line = new LineIndex(model.text).positionAt(request.finding.span.start).line;
    const lineStart = model.lineStarts[line] ?? 0;
    const indent = /^[ \t\f]*/.exec(model.text.slice(lineStart, lineStart + 200))![0];
    const edit = (at: number, newText: string, title: string): Fix => ({
      title,
      ruleId: RULE,
      changes: [{ kind: 'edit', path: location.path, baseText: model.text, replacements: [{ span: { start: at, end: at }, newText }] }],
    });
    const encrypt =
      (await this.encryptInPlace(location, model, request.finding)) ??
      (await this.encryptJndi(location, model, request.finding)) ??
      (await this.encryptProtectedToken(location, model, request.finding));
    const lineTitle = `Disable ${RULE} for this line`;
    const fileTitle = `Disable ${RULE} for this file`;
    return [
      ...(encrypt ? [encrypt] : []),
      { title: lineTitle, ruleId: RULE, suppression: true, sharedByFindings: true, fix: edit(lineStart, `${indent}# wso2-config-disable-next-line ${RULE}${model.eol}`, lineTitle) },
      { title: fileTitle, ruleId: RULE, suppression: true, sharedByFindings: true, fix: edit(0, `# wso2-config-disable ${RULE}${model.eol}`, fileTitle) },
    ];
  }

  /**
   * A pending `alias=[password]` entry of the cipher-text file secret-conf.properties names, whose alias the home
   * references: the entry's value becomes the ciphertext, as the cipher tool writes it (RSA under the certificate of
   * the keystore the runtime decrypts with, Base64; `fixes/secure-vault-session.ts` finds and verifies that keystore).
   */
  /** The home's Secure Vault key and files, or a message (no home, not configured, keystore problems). */
  private async material(home: NonNullable<ConfigFileLocation['home']>) {
    const files = this.host.files;
    const carbonContent = await files.read(confPathOf(home, HOME_FILES.carbon));
    let carbonText: string | undefined;
    if (carbonContent?.kind === 'text') carbonText = carbonContent.text;
    else if (carbonContent) {
      const decoded = decodeBytes(carbonContent.bytes);
      if (decoded.ok) carbonText = decoded.text;
    }
    const material = await secureVaultMaterial({ files, home, carbonXml: carbonText ? parseXml(carbonText) : undefined });
    if (material.ok) return material;
    return { ok: false as const, error: 'needsPassword' in material ? `The keystore ${material.needsPassword.keystorePath} needs its password: run the cipher tool, or encrypt from an XML file of the home first.` : material.error };
  }

  /**
   * jndi.properties: the andes JNDI factory reads a value `secretAlias:<alias>` as the Secure Vault secret of <alias>
   * (PropertiesFileInitialContextFactory.resolveEncryptedProperties, andes v3.2.55 l.177, 205-220), so the whole URL
   * is encrypted into cipher-text.properties under a new alias and the value names it. Only where Secure Vault is
   * already switched on (secret-conf.properties): without it nothing would resolve the alias.
   */
  private async encryptJndi(location: ConfigFileLocation, model: PropertiesModel, finding: Finding): Promise<FixOffer | undefined> {
    const data = finding.data as { mechanism?: string; suggestedAlias?: string; key?: string } | undefined;
    if (data?.mechanism !== 'secretAlias-value' || !data.suggestedAlias || !location.home) return undefined;
    const title = 'Encrypt with Secure Vault (the whole URL, as secretAlias:)';
    const entry = model.entries.find((e) => e.valueSpan && e.valueSpan.start <= finding.span.start && finding.span.end <= e.valueSpan.end);
    if (!entry?.valueSpan) return undefined;
    const material = await this.material(location.home);
    if (!material.ok) return { title, ruleId: RULE, error: material.error };
    const { security, key } = material;
    if (!vaultSwitchedOn(security.secretConf)) return { title, ruleId: RULE, error: VAULT_OFF };
    const taken = new Set<string>([...parsePropertiesModel(security.cipherText ?? '').entries.map((e) => e.key), ...(security.secretAliasesInHome?.keys() ?? [])]);
    let alias = data.suggestedAlias;
    for (let n = 2; taken.has(alias); n++) alias = `${data.suggestedAlias}.${n}`;
    if (key.maxSecretBytes !== undefined && Buffer.byteLength(entry.value, 'utf8') > key.maxSecretBytes) {
      return { title, ruleId: RULE, error: `The URL is longer than the ${key.maxSecretBytes} bytes the keystore's RSA key can encrypt: shorten it.` };
    }
    const cipherTextPath = secureVaultFiles(location.home, security.secretConf).cipherText;
    const ciphertext = key.encrypt(entry.value);
    const fix: Fix = {
      title,
      ruleId: RULE,
      changes: [
        { kind: 'edit', path: location.path, baseText: model.text, replacements: [{ span: entry.valueSpan, newText: `secretAlias:${alias}` }] },
        cipherTextEntry(cipherTextPath, security.cipherText, alias, ciphertext),
      ],
    };
    return { title, ruleId: RULE, isPreferred: true, fix };
  }

  /**
   * EndpointConfig.properties: TenantDataManager treats every key listed in `protectedTokens=` as a Secure Vault alias
   * of the same name (carbon-identity-framework v5.11.256 TenantDataManager.java l.57-59, 86-95, 355-385). The key
   * joins protectedTokens (the line is added or extended) and cipher-text.properties gets the encrypted value. An alias
   * cipher-text.properties already holds (carbon.xml's keystore passwords use the same names) is refused: this
   * password may differ from the one stored there, and replacing it would break the other file.
   */
  private async encryptProtectedToken(location: ConfigFileLocation, model: PropertiesModel, finding: Finding): Promise<FixOffer | undefined> {
    const data = finding.data as { mechanism?: string; alias?: string } | undefined;
    if (data?.mechanism !== 'protectedTokens' || !data.alias || !location.home) return undefined;
    const title = 'Encrypt with Secure Vault (protectedTokens)';
    const entry = model.entries.find((e) => e.key === data.alias && e.valueSpan && e.valueSpan.start === finding.span.start);
    if (!entry?.valueSpan) return undefined;
    const material = await this.material(location.home);
    if (!material.ok) return { title, ruleId: RULE, error: material.error };
    const { security, key } = material;
    if (!vaultSwitchedOn(security.secretConf)) return { title, ruleId: RULE, error: VAULT_OFF };
    if (parsePropertiesModel(security.cipherText ?? '').entries.some((e) => e.key === entry.key)) {
      return { title, ruleId: RULE, error: `cipher-text.properties already holds a value for ${entry.key} (carbon.xml uses the same alias): if it is this same password, add ${entry.key} to protectedTokens by hand; otherwise this file cannot use that alias for a different password.` };
    }
    if (key.maxSecretBytes !== undefined && Buffer.byteLength(entry.value, 'utf8') > key.maxSecretBytes) {
      return { title, ruleId: RULE, error: `The password is longer than the ${key.maxSecretBytes} bytes the keystore's RSA key can encrypt.` };
    }
    const tokens = model.entries.filter((e) => e.key === 'protectedTokens').pop();
    const listed = tokens ? tokens.value.split(',').map((t) => t.trim()).filter((t) => t.length > 0) : [];
    const cipherTextPath = secureVaultFiles(location.home, security.secretConf).cipherText;
    const ciphertext = key.encrypt(entry.value);
    const fix: Fix = {
      title,
      ruleId: RULE,
      changes: [
        {
          kind: 'edit',
          path: location.path,
          baseText: model.text,
          // The value becomes the placeholder the cipher tool writes: the real one is read from cipher-text.properties.
          replacements: [{ span: entry.valueSpan, newText: 'password' }, ...updateProperties(model.text, [{ key: 'protectedTokens', value: [...listed, entry.key].join(','), mode: 'set' }], model.eol)],
        },
        cipherTextEntry(cipherTextPath, security.cipherText, entry.key, ciphertext),
      ],
    };
    return { title, ruleId: RULE, isPreferred: true, fix };
  }

  private async encryptInPlace(location: ConfigFileLocation, model: PropertiesModel, finding: Finding): Promise<FixOffer | undefined> {
    const data = finding.data as { pending?: boolean; encryptable?: boolean; alias?: string } | undefined;
    if (!data?.pending || !data.encryptable || !location.home) return undefined;
    const title = 'Encrypt with Secure Vault';
    const home = location.home;
    const files = this.host.files;
    const secretConf = await files.read(secretConfPath(home));
    const target = secureVaultFiles(home, secretConf ? textOf(secretConf) : undefined).cipherText;
    if (target !== location.path) return { title, ruleId: RULE, error: `secret-conf.properties makes the runtime read ${target}, not this file: move the entry there.` };
    const entry = model.entries.find((e) => e.valueSpan && e.valueSpan.start <= finding.span.start && finding.span.end <= e.valueSpan.end);
    if (!entry?.valueSpan) return undefined;
    const material = await this.material(home);
    if (!material.ok) return { title, ruleId: RULE, error: material.error };
    const secret = model.text.slice(finding.span.start, finding.span.end);
    const limit = material.key.maxSecretBytes;
    if (limit !== undefined && Buffer.byteLength(secret, 'utf8') > limit) return { title, ruleId: RULE, error: `The password is longer than the ${limit} bytes the keystore's RSA key can encrypt.` };
    const fix: Fix = {
      title,
      ruleId: RULE,
      changes: [{ kind: 'edit', path: location.path, baseText: model.text, replacements: [{ span: entry.valueSpan, newText: escapePropertyValue(material.key.encrypt(secret)) }] }],
    };
    return { title, ruleId: RULE, isPreferred: true, fix };
  }

  invalidate(path: string): void {
    this.cache.delete(normalizePath(path));
  }
}

async function findingsOf(file: FileEntry, model: PropertiesModel, location: ConfigFileLocation, files: FileSource): Promise<Finding[]> {
  switch (file.check) {
    case 'amqp-url-userinfo':
      return model.entries.flatMap((entry) => amqpPassword(file, entry));
    case 'password-keys':
      return passwordKeys(file, model);
    case 'pending-plaintext':
      return pendingEntries(file, model, location, files);
  }
}

/**
 * Every secret span of a jndi.properties or EndpointConfig.properties text, suppression comments ignored: what a
 * masked diff of the file hides (a suppressed value may still be a password).
 */
export function propertiesSecretSpans(path: string, text: string): TextSpan[] {
  const location = locatePropertiesFile(path);
  const file = location && FILES.find((f) => f.kind === location.kind);
  if (!file) return [];
  const model = parsePropertiesModel(text);
  if (file.check === 'amqp-url-userinfo') return model.entries.flatMap((entry) => amqpPassword(file, entry)).map((f) => f.span);
  if (file.check === 'password-keys') return passwordKeys(file, model).map((f) => f.span);
  return [];
}

function severityOf(secret: string): Severity {
  return SHIPPED_DEFAULTS.has(secret) ? 'error' : 'warning';
}

const shippedNote = (secret: string) => (SHIPPED_DEFAULTS.has(secret) ? ', and it is a well-known WSO2 default password' : '');

/** `amqp://user:password@…`: the password of the userinfo (before the first `/` after the scheme). */
function amqpPassword(file: FileEntry, entry: PropertyEntry): Finding[] {
  if (!entry.valueSpan) return [];
  const value = entry.value;
  const scheme = 'amqp://';
  if (!value.toLowerCase().startsWith(scheme)) return [];
  const authorityEnd = indexOrEnd(value, '/', scheme.length);
  const at = value.lastIndexOf('@', authorityEnd);
  if (at < scheme.length) return [];
  const colon = value.indexOf(':', scheme.length);
  if (colon < 0 || colon > at) return [];
  const secret = value.slice(colon + 1, at);
  if (secret.length === 0 || /^\$\{[^}]*\}$/.test(secret)) return [];
  const span: TextSpan = { start: entry.valueSpan.start + colon + 1, end: entry.valueSpan.start + at };
  return [
    {
      ruleId: RULE,
      severity: severityOf(secret),
      message: `Plaintext password in ${entry.key} (${file.label})${shippedNote(secret)}: ${file.advice}.`,
      span,
      data: { target: 'property', key: entry.key, encryptable: file.encryptable, mechanism: file.mechanism, suggestedAlias: `JNDI.${entry.key}`, partOfValue: true },
    },
  ];
}

function indexOrEnd(text: string, needle: string, from: number): number {
  const at = text.indexOf(needle, from);
  return at < 0 ? text.length : at;
}

/** Known password keys (or keys named like one), unless protectedTokens lists them (then the value is an alias). */
function passwordKeys(file: FileEntry, model: PropertiesModel): Finding[] {
  const tokens = new Set<string>();
  for (const entry of model.entries) if (entry.key === 'protectedTokens') for (const t of entry.value.split(',')) if (t.trim()) tokens.add(t.trim());
  const findings: Finding[] = [];
  for (const entry of model.entries) {
    const known = file.keys?.includes(entry.key) ?? false;
    if (!known && !/password$/i.test(entry.key)) continue;
    if (tokens.has(entry.key) || entry.value.length === 0 || !entry.valueSpan) continue;
    findings.push({
      ruleId: RULE,
      severity: severityOf(entry.value),
      message: `Plaintext password in ${entry.key} (${file.label})${shippedNote(entry.value)}: ${file.advice}.`,
      span: entry.valueSpan,
      data: { target: 'property', key: entry.key, encryptable: file.encryptable, mechanism: file.mechanism, alias: entry.key },
    });
  }
  return findings;
}

/** `alias=[plaintext]` entries: what the cipher tool encrypts on its next run (the text up to the first `]`). */
async function pendingEntries(file: FileEntry, model: PropertiesModel, location: ConfigFileLocation, files: FileSource): Promise<Finding[]> {
  const pending = model.entries.filter((e) => e.valueSpan && e.value.indexOf('[') >= 0 && e.value.indexOf(']', e.value.indexOf('[')) > e.value.indexOf('['));
  if (pending.length === 0) return [];
  const references = location.home ? await homeReferences(files, location.home.confDir) : new Map<string, string[]>();
  return pending.map((entry) => {
    const open = entry.value.indexOf('[');
    const close = entry.value.indexOf(']', open);
    const secret = entry.value.slice(open + 1, close);
    const referencedBy = references.get(entry.key) ?? [];
    const where = referencedBy.length > 0 ? `referenced by ${referencedBy.join(', ')}` : 'referenced by no file of this home that this tool reads';
    return {
      ruleId: RULE,
      severity: severityOf(secret),
      message: `Password in plain text for Secure Vault alias ${entry.key} (${file.label}, ${where})${shippedNote(secret)}: ${file.advice}.`,
      span: { start: entry.valueSpan!.start + open + 1, end: entry.valueSpan!.start + close },
      data: { target: 'property', key: entry.key, alias: entry.key, encryptable: file.encryptable && referencedBy.length > 0, mechanism: file.mechanism, pending: true, referencedBy },
    };
  });
}

/** Alias -> conf-relative files that use it: svns:secretAlias in the home's XML files, cipher-tool.properties lines. */
async function homeReferences(files: FileSource, confDir: string): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  const add = (alias: string, file: string) => {
    const list = found.get(alias) ?? [];
    if (!list.includes(file)) list.push(file);
    found.set(alias, list);
  };
  const read = async (relative: string) => {
    const content = await files.read(joinPath(confDir, relative));
    return content && textOf(content);
  };
  const datasources = (await files.list(joinPath(confDir, 'datasources'))).filter((n) => n.endsWith('-datasources.xml')).map((n) => `datasources/${n}`);
  const xmlFiles = [HOME_FILES.carbon, HOME_FILES.userMgt, HOME_FILES.registry, HOME_FILES.catalina, HOME_FILES.axis2, HOME_FILES.broker, 'api-manager.xml', 'identity/identity.xml', 'output-event-adapters.xml', ...datasources];
  for (const relative of xmlFiles) {
    const text = await read(relative);
    if (!text) continue;
    // Linear scan for secretAlias="…" (any prefix) with indexOf.
    for (let at = text.indexOf('secretAlias='); at >= 0; at = text.indexOf('secretAlias=', at + 12)) {
      const quote = text[at + 12];
      if (quote !== '"' && quote !== "'") continue;
      const end = text.indexOf(quote, at + 13);
      if (end > at) add(text.slice(at + 13, end).trim(), relative);
    }
  }
  const tool = await read('security/cipher-tool.properties');
  if (tool) for (const entry of parsePropertiesModel(tool).entries) add(entry.key, 'security/cipher-tool.properties');
  const endpoint = await read('identity/EndpointConfig.properties');
  if (endpoint) {
    for (const entry of parsePropertiesModel(endpoint).entries) {
      if (entry.key === 'protectedTokens') for (const t of entry.value.split(',')) if (t.trim()) add(t.trim(), 'identity/EndpointConfig.properties');
    }
  }
  const jndi = await read('jndi.properties');
  if (jndi) for (const entry of parsePropertiesModel(jndi).entries) if (entry.value.startsWith('secretAlias:')) add(entry.value.slice(12).trim(), 'jndi.properties');
  return found;
}

const VAULT_OFF = 'Secure Vault is not switched on in this home (security/secret-conf.properties): encrypt a password of an XML file first, which configures it, then this one.';

/** The change that stores `alias` in cipher-text.properties: the file created with it, or the entry set in its text. */
function cipherTextEntry(path: string, cipherText: string | undefined, alias: string, ciphertext: string): FileChange {
  return cipherText === undefined
    ? { kind: 'create', path, text: `${alias}=${escapePropertyValue(ciphertext)}\n` }
    : { kind: 'edit', path, baseText: cipherText, replacements: updateProperties(cipherText, [{ key: alias, value: ciphertext, mode: 'set' }], '\n') };
}
