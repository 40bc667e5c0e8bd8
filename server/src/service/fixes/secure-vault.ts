import { TextSpan } from '../model/text';
import { XmlAttribute, XmlDocument, XmlElement, attribute, childAt, childElements, elementPath, elementText, firstChild, walkElements } from '../model/xml';
import { KeystoreCertificate, VerifiedKeystore, encryptForSecureVault, maxSecretBytes } from '../keystore';
import type { PlaintextPasswordData } from '../rules/plaintext-password';
import { ConfigFileLocation, ProductHome, confPathOf, normalizePath } from '../workspace/files';
import { PropertyUpdate, parseProperties, propertyLine, propertyValue, updateProperties } from './properties';
import { FileChange, Fix, TextReplacement } from './types';
import secureVaultData from '../../../../schemas/secure-vault.json';
import locationsData from '../../../../schemas/password-locations.json';

/**
 * "Encrypt with Secure Vault": what WSO2's cipher tool (`ciphertool.sh -Dconfigure`, 1.0.0-wso2v8) does for one
 * secret, without its DOM round-trip that reformats whole files (wso2/cipher-tool v1.0.0-wso2v8, components/ciphertool/src/main/java/org/wso2/ciphertool/ (CipherTool.java, utils/Utils.java, utils/Constants.java, utils/KeyStoreUtil.java); observed on a real `-Dconfigure` run):
 *   - the XML: the secret becomes `password`, the element gets `svns:secretAlias="<alias>"`, the root declares the
 *     Secure Vault namespace; only those spots change;
 *   - cipher-text.properties: `alias=<Base64 of RSA PKCS#1 v1.5 of the UTF-8 secret>` under the certificate the
 *     runtime decrypts with;
 *   - cipher-tool.properties: the alias's `<file>//<xpath>,<flag>` line, so a later run of the tool keeps working;
 *   - secret-conf.properties, when missing or entirely commented out: the keys that switch the vault on, pointing at
 *     the keystore the ciphertext was made with (without them the server would use the literal `password`).
 *
 * Pure: the caller reads the files and the keystore and applies the Fix. The order of calls:
 *   1. secureVaultFilesFor(location): which files to read (carbon.xml, the three properties files);
 *   2. resolveKeystore(...): which keystore and alias (a "needs" step: the caller reads its bytes);
 *   3. verifyKeystore(...) from ../keystore (integrity needs the store password: `passwordFromCarbonXml`, else ask the
 *      user; PKCS#12 cannot be read without it);
 *   4. planSecureVault / planSecureVaultForFile / planSecureVaultForFiles with secureVaultKey(keystore, certificate).
 * Errors are values; their messages name places and aliases, never a secret.
 */

interface SecureVaultData {
  namespace: { uri: string; prefix: string; aliasAttribute: string };
  placeholder: { value: string };
  securityFiles: { cipherText: string; cipherTool: string; secretConf: string };
  carbonKeyStore: { path: string; location: string; type: string; alias: string; password: string; carbonHomeToken: string };
  pendingValue: { open: string; close: string };
  secretConf: { identity: { location: string; type: string; alias: string; storePassword: string; storePasswordProvider: string }; entries: { key: string; value: string }[]; header: string[] };
  cipherText: { header: string[] };
  cipherTool: { header: string[] };
  xpath: {
    elementFlag: string;
    attributeFlag: string;
    predicates: { element: string; attribute?: string; child?: string }[];
    unusableValueCharacters: string[];
  };
}

const SV = secureVaultData as SecureVaultData;
const FREE_FORM_KINDS = new Set(
  Object.entries((locationsData as { kinds: Record<string, { aliasFreeForm: boolean }> }).kinds)
    .filter(([, k]) => k.aliasFreeForm)
    .map(([kind]) => kind),
);
const PLAINTEXT_PASSWORD = 'plaintext-password';

// ---- results -------------------------------------------------------------------------------------------------------

export type SecureVaultErrorCode =
  | 'no-home'
  | 'alias-taken'
  | 'no-keystore-config'
  | 'xml-syntax'
  | 'finding-not-found'
  | 'already-protected'
  | 'alias-conflict'
  | 'namespace-conflict'
  | 'different-homes'
  | 'secret-too-long'
  | 'encryption-failed'
  /** The runtime reads this value without resolving a Secure Vault alias: encrypting it would break the product. */
  | 'not-encryptable';

export interface SecureVaultError {
  readonly code: SecureVaultErrorCode;
  readonly message: string;
}

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: SecureVaultError };

function failure(code: SecureVaultErrorCode, message: string): { ok: false; error: SecureVaultError } {
  return { ok: false, error: { code, message } };
}

// ---- which files ---------------------------------------------------------------------------------------------------

export interface SecureVaultFiles {
  readonly carbonXml: string;
  readonly cipherText: string;
  readonly cipherTool: string;
  readonly secretConf: string;
}

/**
 * The files a Secure Vault fix in this home reads (and may write): absolute, forward slashes. The runtime reads the
 * ciphertexts from the file `secretRepositories.file.location` of secret-conf.properties names once that file
 * configures the vault (org.wso2.securevault's FileBaseSecretRepository, the library carbon-kernel 4.4.x bundles;
 * the cipher tool writes the key in Utils.writeToSecureConfPropertyFile); without it, the cipher tool's default
 * `<conf>/security/cipher-text.properties`. Pass secret-conf.properties' text (undefined when
 * it does not exist) so the fix, the hover and the CLI all write and read the file the runtime reads.
 */
export function secureVaultFiles(home: ProductHome, secretConf?: string): SecureVaultFiles {
  return {
    carbonXml: confPathOf(home, 'carbon.xml'),
    cipherText: configuredCipherTextPath(home, secretConf) ?? confPathOf(home, SV.securityFiles.cipherText),
    cipherTool: confPathOf(home, SV.securityFiles.cipherTool),
    secretConf: confPathOf(home, SV.securityFiles.secretConf),
  };
}

/** Path of secret-conf.properties: read it first, then ask secureVaultFiles with its text. */
export function secretConfPath(home: ProductHome): string {
  return confPathOf(home, SV.securityFiles.secretConf);
}

/** The cipher-text file an active `secretRepositories=file` names; undefined when the vault is not configured. */
function configuredCipherTextPath(home: ProductHome, secretConf: string | undefined): string | undefined {
  if (secretConf === undefined) return undefined;
  const parsed = parseProperties(secretConf);
  if (!propertyValue(parsed, 'secretRepositories')?.trim()) return undefined;
  const location = propertyValue(parsed, 'secretRepositories.file.location')?.trim();
  return location ? resolveHomePath(home, location).path : undefined;
}

export function secureVaultFilesFor(location: ConfigFileLocation): Outcome<SecureVaultFiles> {
  if (!location.home) return failure('no-home', noHomeMessage(location));
  return { ok: true, value: secureVaultFiles(location.home) };
}

function noHomeMessage(location: ConfigFileLocation): string {
  return `${location.confRelativePath} is not inside a product home (…/repository/conf or …/conf), so there is no security folder for Secure Vault's files.`;
}

/** Current texts of `<conf>/security/*.properties`; undefined for a file that does not exist. */
export interface SecurityFileTexts {
  readonly cipherText: string | undefined;
  readonly cipherTool: string | undefined;
  readonly secretConf: string | undefined;
  /**
   * Every `svns:secretAlias` of the home's configuration files: alias → absolute paths of the files whose elements
   * carry it (secretAliasesInHome). An alias in use names another secret: a free-form one is not reused, a
   * runtime-fixed one is refused (issue 10 item 5). The files of the plan itself are read from their documents.
   */
  readonly secretAliasesInHome?: ReadonlyMap<string, readonly string[]>;
}

// ---- which keystore ------------------------------------------------------------------------------------------------

export interface KeystoreLocation {
  /** Absolute path of the keystore file: what the caller reads. */
  readonly path: string;
  /** Declared type (JKS, PKCS12, …). */
  readonly type: string;
  readonly alias: string;
  readonly source: 'secret-conf' | 'carbon.xml';
  /** What `keystore.identity.location` says when secret-conf.properties is written. */
  readonly configuredLocation: string;
  /**
   * carbon.xml's plaintext `Security/KeyStore/Password` when it opens this keystore (PKCS#12 needs it). A secret: pass
   * it to verifyKeystore, never log or show it. Undefined when carbon.xml's password is already protected.
   */
  readonly passwordFromCarbonXml?: string;
  /**
   * secret-conf.properties' `keystore.identity.store.password` when it is the password itself (no secretProvider
   * set). A secret like the one above; used to verify the keystore when carbon.xml gives none.
   */
  readonly passwordFromSecretConf?: string;
}

export interface ResolveKeystoreInput {
  readonly home: ProductHome;
  /** Text of secret-conf.properties, or undefined when it does not exist. */
  readonly secretConf: string | undefined;
  /** carbon.xml, parsed; undefined when it does not exist. */
  readonly carbonXml: XmlDocument | undefined;
  /**
   * How secret-conf.properties names the keystore if it gets written: relative to the product home (the server runs
   * with the home as working directory, like the cipher-text location the tool writes; survives moving the home) or
   * the absolute path of this machine (what the tool itself writes). Default 'home-relative'.
   */
  readonly locationStyle?: 'home-relative' | 'absolute';
}

/**
 * The keystore Secure Vault decrypts with: secret-conf.properties' identity keystore when configured, otherwise
 * carbon.xml's Security/KeyStore (what the tool encrypts with and then writes into secret-conf.properties).
 */
export function resolveKeystore(input: ResolveKeystoreInput): Outcome<KeystoreLocation> {
  const { home } = input;
  const style = input.locationStyle ?? 'home-relative';
  const carbon = carbonKeyStore(input.carbonXml);
  if (input.secretConf !== undefined) {
    const parsed = parseProperties(input.secretConf);
    const location = propertyValue(parsed, SV.secretConf.identity.location)?.trim();
    if (location) {
      const alias = propertyValue(parsed, SV.secretConf.identity.alias)?.trim();
      if (!alias) return failure('no-keystore-config', `secret-conf.properties names an identity keystore but no ${SV.secretConf.identity.alias}.`);
      const type = propertyValue(parsed, SV.secretConf.identity.type)?.trim() || 'JKS';
      const resolved = resolveHomePath(home, location);
      const sameAsCarbon = carbon?.location !== undefined && resolveHomePath(home, carbon.location).path === resolved.path;
      return {
        ok: true,
        value: {
          path: resolved.path,
          type,
          alias,
          source: 'secret-conf',
          configuredLocation: location,
          ...(sameAsCarbon && carbon?.password !== undefined ? { passwordFromCarbonXml: carbon.password } : {}),
          ...secretConfPassword(parsed),
        },
      };
    }
  }
  if (!input.carbonXml) return failure('no-keystore-config', `carbon.xml was not found in ${home.confDir}: it names the keystore Secure Vault encrypts with.`);
  if (!carbon?.location) return failure('no-keystore-config', `carbon.xml has no Security/KeyStore/Location: it names the keystore Secure Vault encrypts with.`);
  if (!carbon.alias) return failure('no-keystore-config', `carbon.xml has no Security/KeyStore/KeyAlias: it names the certificate Secure Vault encrypts with.`);
  const resolved = resolveHomePath(home, carbon.location);
  return {
    ok: true,
    value: {
      path: resolved.path,
      type: carbon.type || 'JKS',
      alias: carbon.alias,
      source: 'carbon.xml',
      configuredLocation: style === 'absolute' ? resolved.path : resolved.homeRelative ?? resolved.path,
      ...(carbon.password !== undefined ? { passwordFromCarbonXml: carbon.password } : {}),
    },
  };
}

/**
 * The store password secret-conf.properties holds in plain text: `keystore.identity.store.password` without a
 * `keystore.identity.store.secretProvider` (the template shipped in IS 5.6.0 `repository/conf/security/
 * secret-conf.properties` reads `keystore.identity.store.password=wso2carbon`, the secretProvider line optional).
 * With a provider the value is an alias (`identity.store.password`), not the password.
 */
function secretConfPassword(parsed: ReturnType<typeof parseProperties>): { passwordFromSecretConf?: string } {
  const password = propertyValue(parsed, SV.secretConf.identity.storePassword);
  const provider = propertyValue(parsed, SV.secretConf.identity.storePasswordProvider)?.trim();
  return password && !provider ? { passwordFromSecretConf: password } : {};
}

interface CarbonKeyStore {
  location: string | undefined;
  type: string | undefined;
  alias: string | undefined;
  password: string | undefined;
}

function carbonKeyStore(doc: XmlDocument | undefined): CarbonKeyStore | undefined {
  const keyStore = childAt(doc?.root, SV.carbonKeyStore.path);
  if (!keyStore) return undefined;
  const text = (name: string): string | undefined => {
    const element = firstChild(keyStore, name);
    const value = element && !element.hasChildElements ? element.text.trim() : '';
    return value || undefined;
  };
  const passwordElement = firstChild(keyStore, SV.carbonKeyStore.password);
  const password = passwordElement && !aliasAttributeOf(passwordElement) ? text(SV.carbonKeyStore.password) : undefined;
  return {
    location: text(SV.carbonKeyStore.location),
    type: text(SV.carbonKeyStore.type),
    alias: text(SV.carbonKeyStore.alias),
    // A protected value reads `password`; ${…}, $secret{…}, $env{…} and {{…}} are placeholders, not the password.
    password: password !== undefined && !/^\$[A-Za-z]*\{.*\}$|^\{\{.*\}\}$/.test(password) ? password : undefined,
  };
}

/** `${carbon.home}/x`, `x` (relative: the server's working directory is the home) or an absolute path. */
export function resolveHomePath(home: ProductHome, raw: string): { path: string; homeRelative: string | undefined } {
  let value = raw.trim().replace(/\\/g, '/');
  const token = SV.carbonKeyStore.carbonHomeToken;
  if (value.startsWith(token)) {
    value = value.slice(token.length).replace(/^\/+/, '');
    return { path: normalizeDots(`${home.homeDir}/${value}`), homeRelative: normalizeDots(value) };
  }
  if (value.startsWith('/') || /^[A-Za-z]:\//.test(value)) {
    const path = normalizeDots(normalizePath(value));
    const prefix = `${home.homeDir}/`;
    return { path, homeRelative: path.startsWith(prefix) ? path.slice(prefix.length) : undefined };
  }
  return { path: normalizeDots(`${home.homeDir}/${value}`), homeRelative: normalizeDots(value) };
}

function normalizeDots(path: string): string {
  const absolute = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(part);
  }
  return (absolute ? '/' : '') + out.join('/');
}

// ---- the key -------------------------------------------------------------------------------------------------------

export interface SecureVaultKey {
  /** Where the certificate came from: secret-conf.properties is written to point at it. */
  readonly keystore: KeystoreLocation;
  /** Standard Base64 of RSA PKCS#1 v1.5 over the UTF-8 secret. */
  readonly encrypt: (secret: string) => string;
  /** The longest secret (UTF-8 bytes) the key can encrypt; checked first for a clear message. */
  readonly maxSecretBytes?: number;
  /** What the plan reports about the keystore (that it could not be verified without its password). */
  readonly notes?: readonly string[];
}

export function secureVaultKey(keystore: KeystoreLocation, certificate: KeystoreCertificate | VerifiedKeystore): SecureVaultKey {
  const unverified = 'verified' in certificate && certificate.verified === 'unverified';
  return {
    keystore,
    encrypt: (secret) => encryptForSecureVault(certificate.publicKey, secret),
    maxSecretBytes: maxSecretBytes(certificate.publicKey),
    ...(unverified ? { notes: [unverifiedNote(keystore, certificate)] } : {}),
  };
}

function unverifiedNote(keystore: KeystoreLocation, certificate: VerifiedKeystore): string {
  const checked = [
    'its entry holds a private key',
    ...(certificate.signatureVerified ? ['its certificate verifies under its issuer\'s key'] : []),
  ].join(' and ');
  return `The keystore ${keystore.path} is unverified: no store password was known, so its integrity digest was not checked (only that ${checked}).`;
}

// ---- planning ------------------------------------------------------------------------------------------------------

/** A plaintext-password finding as the analysis (or a Diagnostic's range and data) gives it. */
export interface PasswordFinding {
  readonly span: TextSpan;
  readonly data?: Record<string, unknown> | PlaintextPasswordData;
  /** When given, findings of other rules are ignored. */
  readonly ruleId?: string;
}

export interface SecureVaultFile {
  readonly location: ConfigFileLocation;
  /** The file as it is now (the open document, or the disk). */
  readonly doc: XmlDocument;
  /** The file's plaintext-password findings (all of them: two secrets on one element are resolved against each other). */
  readonly findings: readonly PasswordFinding[];
}

export interface SecureVaultOptions {
  /**
   * Also encrypt the `alias=[plaintext]` entries cipher-text.properties already holds, as the tool's -Dconfigure
   * does. Once secret-conf.properties is configured the runtime decrypts every entry at startup, and a bracketed
   * plaintext is not a ciphertext. Default true.
   */
  readonly encryptPendingEntries?: boolean;
}

export interface PlanInput {
  readonly security: SecurityFileTexts;
  readonly key: SecureVaultKey;
  readonly options?: SecureVaultOptions;
}

export interface EncryptedSecret {
  readonly path: string;
  /** 1-based line of the secret before the fix. */
  readonly line: number;
  readonly alias: string;
  /** 'toml-value': a deployment.toml value (toml/securevault.ts); 'property': a .properties value (properties/home-plan.ts). */
  readonly target: 'element' | 'attribute' | 'toml-value' | 'property';
}

export interface SkippedSecret {
  readonly path: string;
  readonly line: number;
  readonly alias: string | undefined;
  readonly code: SecureVaultErrorCode;
  readonly reason: string;
}

export interface SecureVaultPlan {
  /** Undefined when there is nothing to do. */
  readonly fix: Fix | undefined;
  readonly encrypted: readonly EncryptedSecret[];
  readonly skipped: readonly SkippedSecret[];
  /** What the user should know (the vault switched on, other entries encrypted, …). No secrets. */
  readonly notes: readonly string[];
}

export const TITLE_ONE = 'Encrypt with Secure Vault';
export const TITLE_FILE = 'Encrypt all plaintext passwords in this file with Secure Vault';

/** The fix for one plaintext-password finding. Any problem is an error and nothing is edited. */
export function planSecureVault(input: PlanInput & { readonly file: SecureVaultFile; readonly finding: PasswordFinding }): Outcome<SecureVaultPlan> {
  if (!isEncryptable(input.finding)) return failure('not-encryptable', notEncryptableReason(input.finding));
  const findings = input.file.findings.some((f) => sameSpan(f.span, input.finding.span)) ? input.file.findings : [...input.file.findings, input.finding];
  const selected = select(input.file.doc, findings);
  const mine = selected.find((s) => sameSpan(s.finding.span, input.finding.span));
  if (!mine) return failure('finding-not-found', 'The password finding no longer matches the document; re-run the analysis.');
  if (mine.conflictWith) {
    return failure('alias-conflict', `Secure Vault can protect only one secret per element (one alias attribute): on this element the fix is offered for ${mine.conflictWith}.`);
  }
  const planned = plan([{ file: input.file, only: [mine] }], input, TITLE_ONE, true);
  if (!planned.ok) return planned;
  if (planned.value.skipped.length > 0) {
    const first = planned.value.skipped[0];
    return failure(first.code, first.reason);
  }
  return planned;
}

/** One fix for every plaintext password of the file; those that cannot be fixed are listed in `skipped`. */
export function planSecureVaultForFile(input: PlanInput & { readonly file: SecureVaultFile }): Outcome<SecureVaultPlan> {
  return planSecureVaultForFiles({ ...input, files: [input.file], title: TITLE_FILE });
}

/**
 * One fix for every plaintext password of several files of one product home (a whole home: one undo, one edit per
 * properties file). For one fix per file, call planSecureVaultForFile per file and apply them one after the other,
 * re-reading the properties files in between: each plan's edits refer to the texts it was given.
 */
export function planSecureVaultForFiles(input: PlanInput & { readonly files: readonly SecureVaultFile[]; readonly title?: string }): Outcome<SecureVaultPlan> {
  const work = input.files.map((file) => ({ file, only: select(file.doc, file.findings) }));
  const skippedUpFront: SkippedSecret[] = [];
  for (const w of work) {
    for (const s of w.only) {
      if (!isEncryptable(s.finding)) {
        skippedUpFront.push(skip(w.file, s, 'not-encryptable', notEncryptableReason(s.finding)));
      } else if (s.conflictWith) {
        skippedUpFront.push(skip(w.file, s, 'alias-conflict', `Secure Vault can protect only one secret per element; ${s.conflictWith} on this element gets the alias.`));
      }
    }
    w.only = w.only.filter((s) => !s.conflictWith && isEncryptable(s.finding));
  }
  const count = work.reduce((n, w) => n + w.only.length, 0);
  const planned = plan(work, input, input.title ?? `Encrypt ${count} plaintext password${count === 1 ? '' : 's'} with Secure Vault`, false);
  if (!planned.ok) return planned;
  return { ok: true, value: { ...planned.value, skipped: [...skippedUpFront, ...planned.value.skipped] } };
}

/**
 * Which findings get the "Encrypt with Secure Vault" action, without reading any keystore (cheap enough for a
 * code-action request): all but the second and later secrets of one element, and those that no longer match the
 * document. `reason` says why not.
 */
export function secureVaultFixability(doc: XmlDocument, findings: readonly PasswordFinding[]): { finding: PasswordFinding; fixable: boolean; reason?: string }[] {
  return select(doc, findings).map((s) => {
    if (!isEncryptable(s.finding)) return { finding: s.finding, fixable: false, reason: notEncryptableReason(s.finding) };
    if (!s.data || !s.element) return { finding: s.finding, fixable: false, reason: 'The password finding no longer matches the document.' };
    if (s.conflictWith) return { finding: s.finding, fixable: false, reason: `Secure Vault can protect only one secret per element; ${s.conflictWith} on this element gets the alias.` };
    const existing = aliasAttributeOf(s.element);
    if (existing) return { finding: s.finding, fixable: false, reason: `The element already carries the Secure Vault alias "${existing.value}".` };
    return { finding: s.finding, fixable: true };
  });
}

// ---- selection: which findings, which element -----------------------------------------------------------------------

interface Selected {
  readonly finding: PasswordFinding;
  readonly data: PlaintextPasswordData | undefined;
  readonly element: XmlElement | undefined;
  readonly attribute: XmlAttribute | undefined;
  /** Set when another secret of the same element gets the fix: how to name it. */
  readonly conflictWith?: string;
}

function isPasswordData(data: unknown): data is PlaintextPasswordData {
  const d = data as PlaintextPasswordData | undefined;
  return !!d && (d.target === 'element' || d.target === 'attribute') && typeof d.alias === 'string' && Array.isArray(d.elementPath);
}

/**
 * False when the rule marked the finding `encryptable: false`: the runtime reads that value without asking Secure
 * Vault (no alias resolution at that place), so an alias there would replace the password with the placeholder.
 */
export function isEncryptable(finding: PasswordFinding): boolean {
  return (finding.data as { encryptable?: unknown } | undefined)?.encryptable !== false;
}

function notEncryptableReason(finding: PasswordFinding): string {
  const given = (finding.data as { encryptableReason?: unknown } | undefined)?.encryptableReason;
  return typeof given === 'string' && given ? given : 'The runtime reads this value without resolving a Secure Vault alias, so it cannot be encrypted in place.';
}

function sameSpan(a: TextSpan, b: TextSpan): boolean {
  return a.start === b.start && a.end === b.end;
}

/**
 * The plaintext-password findings of a document with their elements, in document order. Of several secrets on one
 * element (one alias attribute each element) the first in document order gets the fix; the others name it.
 */
function select(doc: XmlDocument, findings: readonly PasswordFinding[]): Selected[] {
  const result: Selected[] = [];
  // `encryptable: false` findings stay selected so that every caller reports them as skipped (isEncryptable): the
  // runtime reads that secret without Secure Vault, and plaintext-password says why.
  const sorted = [...findings].filter((f) => f.ruleId === undefined || f.ruleId === PLAINTEXT_PASSWORD).sort((a, b) => a.span.start - b.span.start);
  const firstOnElement = new Map<XmlElement, Selected>();
  for (const finding of sorted) {
    const data = isPasswordData(finding.data) ? finding.data : undefined;
    const found = data ? locate(doc, finding.span, data) : undefined;
    let selected: Selected = { finding, data, element: found?.element, attribute: found?.attribute };
    if (found) {
      const first = firstOnElement.get(found.element);
      if (first) selected = { ...selected, conflictWith: slotName(first) };
      else firstOnElement.set(found.element, selected);
    }
    result.push(selected);
  }
  return result;
}

function slotName(s: Selected): string {
  return s.attribute ? `the ${s.attribute.name} attribute` : 'its text';
}

/** The element (and attribute) whose secret the finding covers, checked against the finding's element path. */
function locate(doc: XmlDocument, span: TextSpan, data: PlaintextPasswordData): { element: XmlElement; attribute: XmlAttribute | undefined } | undefined {
  let element = doc.root;
  // Descend through the elements whose source contains the secret.
  for (;;) {
    if (!element) return undefined;
    const inner: XmlElement | undefined = childElements(element).find((c) => c.span.start <= span.start && span.end <= c.span.end);
    if (!inner) break;
    element = inner;
  }
  const path = elementPath(element);
  if (path.length !== data.elementPath.length || path.some((step, i) => step !== data.elementPath[i])) return undefined;
  if (data.target === 'attribute') {
    const attr = element.attributes.find((a) => a.name === data.attributeName && sameSpan(a.valueSpan, span));
    return attr ? { element, attribute: attr } : undefined;
  }
  const text = elementText(doc, element)?.span;
  if (!text) return undefined;
  // A password inside a URL (`partOfText`): DataSourceUtils.secureLoadElement (carbon-kernel v4.4.35,
  // core/org.wso2.carbon.ndatasource.core/.../utils/DataSourceUtils.java l.183-212) replaces the whole text of an
  // element carrying svns:secretAlias, so the whole URL is what gets encrypted.
  if (data.partOfText) return text.start <= span.start && span.end <= text.end ? { element, attribute: undefined } : undefined;
  return sameSpan(text, span) ? { element, attribute: undefined } : undefined;
}

/** Every `svns:secretAlias` value of a document (any prefix), trimmed. */
export function secretAliasesOf(doc: XmlDocument): string[] {
  const result: string[] = [];
  for (const element of walkElements(doc.root)) {
    const a = aliasAttributeOf(element);
    if (a) result.push(a.value.trim());
  }
  return result;
}

function aliasAttributeOf(element: XmlElement): XmlAttribute | undefined {
  return element.attributes.find((a) => a.localName === SV.namespace.aliasAttribute && a.prefix !== '' && a.prefix !== 'xmlns');
}

// ---- the plan --------------------------------------------------------------------------------------------------------

type EditChange = Extract<FileChange, { kind: 'edit' }>;

interface Work {
  file: SecureVaultFile;
  only: Selected[];
}

/** What the files of one plan share: the home, the aliases taken, and what goes into the properties files. */
interface PlanState {
  readonly home: ProductHome;
  readonly input: PlanInput;
  /** alias → the file part of its cipher-tool.properties line: the file the alias belongs to. */
  readonly toolFiles: Map<string, string>;
  /** alias → the file part of the file this plan gives it to. */
  readonly plannedAliases: Map<string, string>;
  /** alias → the secret it encrypts in this plan (memory only, never in a message). */
  readonly plannedSecrets: Map<string, string>;
  /** alias → conf-relative path of a file whose element already carries it (before this plan). */
  readonly aliasesInUse: Map<string, string>;
  /** Keys of cipher-text.properties as it is: each one a secret (or the tool's pending input) already. */
  readonly cipherTextKeys: Set<string>;
  readonly encrypted: EncryptedSecret[];
  readonly skipped: SkippedSecret[];
  readonly notes: string[];
  readonly cipherTextUpdates: PropertyUpdate[];
  readonly cipherToolUpdates: PropertyUpdate[];
}

function plan(work: readonly Work[], input: PlanInput, title: string, preferred: boolean): Outcome<SecureVaultPlan> {
  const empty: SecureVaultPlan = { fix: undefined, encrypted: [], skipped: [], notes: [] };
  if (work.every((w) => w.only.length === 0)) return { ok: true, value: empty };
  const home = work[0].file.location.home;
  if (!home) return failure('no-home', noHomeMessage(work[0].file.location));
  if (work.some((w) => w.file.location.home?.homeDir !== home.homeDir)) {
    return failure('different-homes', 'A Secure Vault fix covers the files of one product home at a time.');
  }
  const toolFiles = new Map<string, string>();
  for (const entry of parseProperties(input.security.cipherTool ?? '').entries) {
    toolFiles.set(entry.key, entry.value.slice(0, Math.max(0, entry.value.indexOf('//'))).trim());
  }
  const state: PlanState = {
    home,
    input,
    toolFiles,
    plannedAliases: new Map(),
    plannedSecrets: new Map(),
    aliasesInUse: aliasesInUse(work, input.security.secretAliasesInHome, home),
    cipherTextKeys: new Set(parseProperties(input.security.cipherText ?? '').entries.map((e) => e.key)),
    encrypted: [],
    skipped: [],
    notes: [...(input.key.notes ?? [])],
    cipherTextUpdates: [],
    cipherToolUpdates: [],
  };
  const xmlChanges: EditChange[] = [];
  for (const w of work) {
    const change = planXml(w, state);
    if (change) xmlChanges.push(change);
  }
  if (state.encrypted.length === 0) return { ok: true, value: { ...empty, skipped: state.skipped, notes: state.notes } };
  // New properties files take the line ending of the (first) XML file edited.
  const propertiesChanges = planPropertiesFiles(state, eolOf(xmlChanges[0].baseText));
  if (!propertiesChanges.ok) return propertiesChanges;
  const changes: FileChange[] = [...xmlChanges, ...propertiesChanges.value];
  const fix: Fix = { title, ruleId: PLAINTEXT_PASSWORD, changes, ...(preferred ? { isPreferred: true } : {}) };
  return { ok: true, value: { fix, encrypted: state.encrypted, skipped: state.skipped, notes: state.notes } };
}

/** The XML edit of one file (undefined when none of its secrets can be fixed); records the properties updates. */
function planXml({ file, only }: Work, state: PlanState): EditChange | undefined {
  if (only.length === 0) return undefined;
  const { doc, location } = file;
  if (doc.syntaxError || !doc.root) {
    for (const s of only) state.skipped.push(skip(file, s, 'xml-syntax', `${location.confRelativePath} has an XML syntax error: fix it before encrypting its passwords.`));
    return undefined;
  }
  const vault = vaultPrefix(doc.root);
  if (!vault.ok) {
    for (const s of only) state.skipped.push(skip(file, s, vault.error.code, vault.error.message));
    return undefined;
  }
  const filePart = `${state.home.layout}/${location.confRelativePath}`;
  const replacements: TextReplacement[] = [];
  // Insertions at one offset (the root's namespace and its own alias) are joined: one replacement per offset.
  const insertions = new Map<number, string[]>();
  const insert = (at: { offset: number; text: string }, first = false) => {
    const list = insertions.get(at.offset) ?? [];
    if (first) list.unshift(at.text);
    else list.push(at.text);
    insertions.set(at.offset, list);
  };
  const max = state.input.key.maxSecretBytes;
  let count = 0;
  for (const s of only) {
    if (!s.data || !s.element) {
      state.skipped.push(skip(file, s, 'finding-not-found', 'The password finding no longer matches the document; re-run the analysis.'));
      continue;
    }
    const where = whereOf(s.element, s.attribute);
    const existing = aliasAttributeOf(s.element);
    if (existing) {
      state.skipped.push(skip(file, s, 'already-protected', `${where} already carries the Secure Vault alias "${existing.value}" (one per element), so this secret cannot get its own.`));
      continue;
    }
    // Exactly what the runtime reads (untrimmed, pieces joined, line ends and attribute whitespace normalised); the
    // whole text content, padding and comments between the pieces included, becomes `password`.
    const text = s.attribute ? undefined : elementText(doc, s.element);
    const secret = s.attribute ? s.attribute.value : text?.value ?? '';
    if (secret.length === 0) {
      state.skipped.push(skip(file, s, 'finding-not-found', `${where} holds no value to encrypt.`));
      continue;
    }
    if (max !== undefined && Buffer.byteLength(secret, 'utf8') > max) {
      state.skipped.push(skip(file, s, 'secret-too-long', `The password in ${where} is longer than the ${max} bytes RSA can encrypt with this certificate's key.`));
      continue;
    }
    const alias = chooseAlias(s.data.alias, location, filePart, state);
    // A runtime-fixed alias (Server.Service.Connector.keystorePass on two connectors) names one value for all its
    // elements: a second secret under it is fine when equal, and would overwrite the first when not.
    const sharedWith = state.plannedSecrets.get(alias);
    if (sharedWith !== undefined && sharedWith !== secret) {
      state.skipped.push(
        skip(file, s, 'alias-taken', `The runtime looks up ${where} as ${alias}, which this fix already gives another element with a different password; one alias holds one value.`),
      );
      continue;
    }
    // A runtime-fixed alias another element already carries: its ciphertext is that element's secret, which cannot
    // be compared with this one (only the server's private key decrypts it); writing this one would replace it.
    const inUse = sharedWith === undefined ? state.aliasesInUse.get(alias) : undefined;
    if (inUse !== undefined) {
      state.skipped.push(
        skip(file, s, 'alias-taken', `The runtime looks up ${where} as ${alias}, which an element of ${inUse} already carries for its encrypted password; one alias holds one value, so encrypting this one would replace that one. If both are the same password, give this element the same alias by hand (its value \`password\`).`),
      );
      continue;
    }
    if (sharedWith === undefined && state.cipherTextKeys.has(alias)) {
      state.notes.push(`cipher-text.properties held an entry ${alias} that no element of the home refers to; it now holds the password of ${where}, the place the runtime reads under that name.`);
    }
    if (sharedWith === undefined) {
      let ciphertext: string;
      try {
        ciphertext = state.input.key.encrypt(secret);
      } catch (error) {
        // The error comes from the crypto layer, which never echoes its input; keep only its class.
        state.skipped.push(skip(file, s, 'encryption-failed', `Encrypting the password in ${where} failed (${(error as Error)?.name ?? 'Error'}).`));
        continue;
      }
      state.cipherTextUpdates.push({ key: alias, value: ciphertext, mode: 'set' });
    }
    state.plannedAliases.set(alias, filePart);
    state.plannedSecrets.set(alias, secret);
    replacements.push({ span: s.attribute ? s.attribute.valueSpan : text?.contentSpan ?? s.finding.span, newText: SV.placeholder.value });
    insert(attributeInsertion(doc, s.element, `${vault.value.prefix}:${SV.namespace.aliasAttribute}`, alias));
    const xpath = cipherToolXPath(s.element, s.attribute?.name);
    if (xpath) {
      const flag = s.attribute ? SV.xpath.attributeFlag : SV.xpath.elementFlag;
      state.cipherToolUpdates.push({ key: alias, value: `${filePart}${xpath},${flag}`, mode: 'add-if-missing' });
    } else if (!state.toolFiles.has(alias)) {
      state.notes.push(`No cipher-tool.properties line was written for ${alias}: its element cannot be addressed by the XPath the cipher tool understands.`);
    }
    state.encrypted.push({ path: location.path, line: lineOf(doc, s.finding.span), alias, target: s.attribute ? 'attribute' : 'element' });
    count++;
  }
  if (count === 0) return undefined;
  if (vault.value.declare) insert(attributeInsertion(doc, doc.root, `xmlns:${vault.value.prefix}`, SV.namespace.uri), true);
  for (const [offset, texts] of insertions) replacements.push({ span: { start: offset, end: offset }, newText: texts.join('') });
  return { kind: 'edit', path: location.path, baseText: doc.text, replacements };
}

/** cipher-text.properties (with the tool's pending entries), cipher-tool.properties, secret-conf.properties. */
function planPropertiesFiles(state: PlanState, eol: string): Outcome<FileChange[]> {
  const { input, home } = state;
  const paths = secureVaultFiles(home, input.security.secretConf);
  const changes: FileChange[] = [];
  const cipherTextUpdates = [...state.cipherTextUpdates];
  /** Pending `[plaintext]` entries too long for RSA with this key: they would stay plain text (issue 10 item 6). */
  const tooLong: string[] = [];
  if (input.options?.encryptPendingEntries ?? true) {
    const done: string[] = [];
    const max = input.key.maxSecretBytes;
    for (const entry of pendingEntries(input.security.cipherText, new Set(cipherTextUpdates.map((u) => u.key)))) {
      if (max !== undefined && Buffer.byteLength(entry.secret, 'utf8') > max) {
        tooLong.push(entry.key);
        continue;
      }
      try {
        cipherTextUpdates.push({ key: entry.key, value: input.key.encrypt(entry.secret), mode: 'set' });
        done.push(entry.key);
      } catch {
        // Left as it was: the tool's own run, or the runtime, will report it.
      }
    }
    if (done.length > 0) state.notes.push(`cipher-text.properties also held plain-text values for ${done.join(', ')}: they are encrypted too, as the cipher tool does.`);
  }
  changes.push(propertiesChange(paths.cipherText, input.security.cipherText, cipherTextUpdates, SV.cipherText.header, eol));
  if (state.cipherToolUpdates.length > 0) {
    const change = propertiesChange(paths.cipherTool, input.security.cipherTool, state.cipherToolUpdates, SV.cipherTool.header, eol);
    if (change.kind === 'create' || change.replacements.length > 0) changes.push(change);
  }

  // secret-conf.properties: switch the vault on when it is not (missing, or every line commented out).
  const secretConf = input.security.secretConf;
  const entries = secretConf === undefined ? [] : parseProperties(secretConf).entries;
  if (tooLong.length > 0) {
    const what = `cipher-text.properties holds ${tooLong.join(', ')} in the cipher tool's [plain text] form, longer than the ${input.key.maxSecretBytes} bytes RSA can encrypt with this certificate's key`;
    // Switched on, the runtime would take the bracketed plain text for a ciphertext and fail to decrypt it.
    if (entries.length === 0) {
      return failure('secret-too-long', `${what}: switching Secure Vault on in secret-conf.properties would leave it there in plain text. Shorten that password or remove the entry, then encrypt again.`);
    }
    state.notes.push(`${what}: it stays in plain text and the runtime cannot decrypt it. Shorten that password or remove the entry.`);
  }
  if (entries.length === 0) {
    const block = [...SV.secretConf.header, ...secretConfLines(home, input.key.keystore)];
    if (secretConf === undefined) {
      changes.push({ kind: 'create', path: paths.secretConf, text: block.join(eol) + eol });
    } else {
      const fileEol = parseProperties(secretConf).eol ?? eol;
      const needsBreak = secretConf.length > 0 && !/[\r\n]$/.test(secretConf);
      const separator = secretConf.length > 0 ? (needsBreak ? fileEol : '') + fileEol : '';
      const end = { start: secretConf.length, end: secretConf.length };
      changes.push({ kind: 'edit', path: paths.secretConf, baseText: secretConf, replacements: [{ span: end, newText: separator + block.join(fileEol) + fileEol }] });
    }
    state.notes.push(
      `secret-conf.properties now switches Secure Vault on with the keystore ${input.key.keystore.configuredLocation} (alias ${input.key.keystore.alias}): the server asks for that keystore's password at startup, or reads it from the password-tmp file.`,
    );
  } else if (!entries.some((e) => e.key === SV.secretConf.identity.location && e.value.trim())) {
    state.notes.push(`secret-conf.properties is configured but names no identity keystore (${SV.secretConf.identity.location}): the server cannot decrypt the values until it does.`);
  }
  return { ok: true, value: changes };
}

function skip(file: SecureVaultFile, s: Selected, code: SecureVaultErrorCode, reason: string): SkippedSecret {
  return { path: file.location.path, line: lineOf(file.doc, s.finding.span), alias: s.data?.alias, code, reason };
}

function lineOf(doc: XmlDocument, span: TextSpan): number {
  return doc.lines.positionAt(span.start).line + 1;
}

function whereOf(element: XmlElement, attr: XmlAttribute | undefined): string {
  return elementPath(element).join('/') + (attr ? `@${attr.name}` : '');
}

/**
 * The alias the runtime needs (carbon.xml, catalina-server.xml, user-mgt.xml: fixed by the runtime) or a free-form
 * one (datasources, axis2, registry) that must not name another file's secret: cipher-tool.properties says which
 * file an alias belongs to, and two files of one plan must not share one.
 */
function chooseAlias(proposed: string, location: ConfigFileLocation, filePart: string, state: PlanState): string {
  if (!FREE_FORM_KINDS.has(location.kind)) return proposed;
  // Taken: another file's cipher-tool line, a cipher-text.properties entry that no cipher-tool line gives this file
  // (another secret, or the tool's pending input for one; the shipped `[wso2carbon]` entry of master-datasources.xml's
  // line is this place's own), any element's svns:secretAlias in the home, any alias this plan gave already
  // (issue 10 item 5).
  const takenElsewhere = (alias: string) => {
    const tool = state.toolFiles.get(alias);
    const toolNamesThisFile = tool !== undefined && tool !== '' && sameFile(tool, filePart, location.path);
    return (
      (tool !== undefined && tool !== '' && !toolNamesThisFile) ||
      state.plannedAliases.has(alias) ||
      (state.cipherTextKeys.has(alias) && !toolNamesThisFile) ||
      state.aliasesInUse.has(alias)
    );
  };
  let alias = proposed;
  for (let n = 2; takenElsewhere(alias); n++) alias = `${proposed}.${n}`;
  return alias;
}

/** alias → conf-relative path of a file carrying it: the plan's own documents as given, the rest as the home scan saw them. */
function aliasesInUse(work: readonly Work[], inHome: ReadonlyMap<string, readonly string[]> | undefined, home: ProductHome): Map<string, string> {
  const result = new Map<string, string>();
  const planned = new Set(work.map((w) => w.file.location.path));
  const confRelative = (p: string) => (p.startsWith(`${home.confDir}/`) ? p.slice(home.confDir.length + 1) : p);
  for (const [alias, paths] of inHome ?? []) {
    const other = paths.find((p) => !planned.has(p));
    if (other !== undefined) result.set(alias, confRelative(other));
  }
  for (const w of work) {
    if (!w.file.doc.root) continue;
    for (const element of walkElements(w.file.doc.root)) {
      const a = aliasAttributeOf(element);
      if (a && !result.has(a.value.trim())) result.set(a.value.trim(), w.file.location.confRelativePath);
    }
  }
  return result;
}

/** Same file when the conf-relative parts agree: a line written for the other layout still names this file. */
function sameFile(toolFile: string, filePart: string, absolutePath: string): boolean {
  const normalized = normalizePath(toolFile.trim()).replace(/^\.\//, '');
  const confRelative = (p: string) => p.replace(/^(repository\/)?conf\//, '');
  return normalized === absolutePath || confRelative(normalized) === confRelative(filePart);
}

/** The prefix bound on the root to the Secure Vault namespace, or `svns` to declare. */
function vaultPrefix(root: XmlElement): Outcome<{ prefix: string; declare: boolean }> {
  for (const attr of root.attributes) {
    if (attr.prefix === 'xmlns' && attr.value.startsWith(SV.namespace.uri)) return { ok: true, value: { prefix: attr.localName, declare: false } };
  }
  const taken = attribute(root, `xmlns:${SV.namespace.prefix}`);
  if (taken) {
    return failure('namespace-conflict', `The root element binds the prefix ${SV.namespace.prefix} to another namespace; Secure Vault needs it for ${SV.namespace.uri}.`);
  }
  return { ok: true, value: { prefix: SV.namespace.prefix, declare: true } };
}

/**
 * ` name="value"` placed after the element's last attribute (after its name when it has none), in the quote style
 * of that attribute; when the attributes stand one per line, the new one gets a line of its own with the same
 * indentation and line ending.
 */
function attributeInsertion(doc: XmlDocument, element: XmlElement, name: string, value: string): { offset: number; text: string } {
  const text = doc.text;
  const attrs = element.attributes;
  if (attrs.length === 0) {
    const quote = doc.root?.attributes[0] ? quoteOf(text, doc.root.attributes[0]) : '"';
    return { offset: element.nameSpan.end, text: ` ${name}=${quote}${escapeAttribute(value, quote)}${quote}` };
  }
  const last = attrs[attrs.length - 1];
  const quote = quoteOf(text, last);
  const previousEnd = attrs.length > 1 ? attrs[attrs.length - 2].valueSpan.end + 1 : element.nameSpan.end;
  const gap = text.slice(previousEnd, last.nameSpan.start);
  const separator = /[\r\n]/.test(gap) && /^\s+$/.test(gap) ? gap : ' ';
  return { offset: last.valueSpan.end + 1, text: `${separator}${name}=${quote}${escapeAttribute(value, quote)}${quote}` };
}

function quoteOf(text: string, attr: XmlAttribute): string {
  const q = text[attr.valueSpan.end];
  return q === "'" ? "'" : '"';
}

function escapeAttribute(value: string, quote: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(quote === '"' ? /"/g : /'/g, quote === '"' ? '&quot;' : '&apos;');
}

function eolOf(text: string): string {
  const n = text.indexOf('\n');
  return n > 0 && text[n - 1] === '\r' ? '\r\n' : '\n';
}

// ---- cipher-tool.properties XPath ------------------------------------------------------------------------------------

/**
 * `//Root/step/…` addressing exactly this element on the tool's DOM (not namespace-aware: qualified names as written),
 * ending in `[@attribute]` for an attribute secret. Steps of the elements listed in the schema get the predicate
 * WSO2's own lines use (`datasource[name='X']`, `definition[@type='RDBMS']`, `parameter[@name='keystore']`,
 * `Property[@name='ConnectionPassword']`); any other step gets a position only when its name repeats among its
 * siblings. Undefined when no such XPath exists in the tool's dialect (a prefixed name; a comma would end it early).
 */
export function cipherToolXPath(element: XmlElement, attributeName: string | undefined): string | undefined {
  const chain: XmlElement[] = [];
  for (let e: XmlElement | undefined = element; e; e = e.parent) chain.unshift(e);
  const steps: string[] = [];
  for (const [i, el] of chain.entries()) {
    if (el.name.includes(':')) return undefined;
    let step = el.name;
    const isLast = i === chain.length - 1;
    if (el.parent) {
      let pool = childElements(el.parent).filter((s) => s.name === el.name);
      const rule = SV.xpath.predicates.find((p) => p.element === el.name);
      if (rule) {
        const value = predicateValue(el, rule);
        const literal = value === undefined ? undefined : xpathLiteral(value);
        if (literal !== undefined) {
          step += `[${rule.attribute ? `@${rule.attribute}` : rule.child}=${literal}]`;
          pool = pool.filter((s) => predicateValue(s, rule) === value);
        }
      }
      const competing = isLast && attributeName ? pool.filter((s) => attribute(s, attributeName)) : pool;
      if (competing.length > 1) step += `[${pool.indexOf(el) + 1}]`;
    }
    if (isLast && attributeName) {
      if (attributeName.includes(':')) return undefined;
      step += `[@${attributeName}]`;
    }
    steps.push(step);
  }
  const xpath = `//${steps.join('/')}`;
  return xpath.includes(',') ? undefined : xpath;
}

function predicateValue(el: XmlElement, rule: { attribute?: string; child?: string }): string | undefined {
  if (rule.attribute) return attribute(el, rule.attribute)?.value;
  const child = rule.child ? firstChild(el, rule.child) : undefined;
  return child && !child.hasChildElements ? child.text : undefined;
}

function xpathLiteral(value: string): string | undefined {
  if (SV.xpath.unusableValueCharacters.some((c) => value.includes(c))) return undefined;
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  return undefined;
}

// ---- properties files ------------------------------------------------------------------------------------------------

/** Entries of cipher-text.properties still in the tool's input form `[plaintext]` (other than the given aliases). */
function pendingEntries(text: string | undefined, except: Set<string>): { key: string; secret: string }[] {
  if (text === undefined) return [];
  const result: { key: string; secret: string }[] = [];
  const last = new Map<string, string>();
  for (const entry of parseProperties(text).entries) last.set(entry.key, entry.value);
  for (const [key, value] of last) {
    if (except.has(key)) continue;
    const open = value.indexOf(SV.pendingValue.open);
    const close = open < 0 ? -1 : value.indexOf(SV.pendingValue.close, open + 1);
    if (open < 0 || close < 0) continue;
    const secret = value.slice(open + 1, close);
    if (secret.length > 0) result.push({ key, secret });
  }
  return result;
}

function propertiesChange(path: string, text: string | undefined, updates: PropertyUpdate[], header: string[], eol: string): FileChange {
  if (text === undefined) {
    const seen = new Set<string>();
    const lines: string[] = [];
    for (const u of updates) {
      if (seen.has(u.key)) continue;
      seen.add(u.key);
      lines.push(propertyLine(u.key, u.value));
    }
    return { kind: 'create', path, text: [...header, ...lines].join(eol) + eol };
  }
  return { kind: 'edit', path, baseText: text, replacements: updateProperties(text, updates, eol) };
}

function secretConfLines(home: ProductHome, keystore: KeystoreLocation): string[] {
  const values: Record<string, string> = {
    '{cipherTextLocation}': `${home.layout}/${SV.securityFiles.cipherText}`,
    '{keystoreLocation}': keystore.configuredLocation,
    '{keystoreType}': keystore.type,
    '{keystoreAlias}': keystore.alias,
  };
  return SV.secretConf.entries.map((e) => propertyLine(e.key, e.value.replace(/\{[A-Za-z]+\}/g, (m) => values[m] ?? m)));
}
