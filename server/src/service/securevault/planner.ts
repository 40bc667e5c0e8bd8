import { TextSpan } from '../model/text';
import { XmlDocument } from '../model/xml';
import { Settings, mergeSettings } from '../settings';
import { Finding } from '../types';
import { Fix } from '../fixes/types';
import { Outcome, SecureVaultFile, SecureVaultPlan, planSecureVault, planSecureVaultForFile, planSecureVaultForFiles, secureVaultFiles } from '../fixes/secure-vault';
import { secureVaultMaterial } from '../fixes/secure-vault-session';
import { FileSource } from '../workspace/facts';
import { ConfigFileLocation, ProductHome } from '../workspace/files';

/**
 * The one Secure Vault path of the core, used alike by the editor's quick fixes and commands and by
 * `wso2-config-lint encrypt`: which files (secret-conf.properties decides where the ciphertexts go), which keystore,
 * which findings (an explicit encrypt is not silenced by a rule severity, but a suppression comment still excludes a
 * value, and a finding the rule marks `encryptable: false` is never encrypted), and which edits.
 */

/** What the planner gets: one XML file as the caller sees it now. */
export interface SecureVaultSubject {
  readonly location: ConfigFileLocation;
  readonly doc: XmlDocument;
  /** Open documents first, then the disk (the editor); the disk (the CLI). */
  readonly files: FileSource;
  readonly settings: Settings;
  /** Typed by the user after a `needsPassword` answer; never to be stored or logged. */
  readonly keystorePassword?: string;
}

export type SecureVaultOutcome =
  | { readonly fix: Fix }
  /** A message for the user (missing keystore, wrong alias, wrong password…); no secret in it. */
  | { readonly error: string }
  /** A PKCS#12 keystore whose password is not in carbon.xml in plain text. */
  | { readonly needsPassword: { readonly keystorePath: string; readonly reason?: string } };

/** A whole home: the fix, what it does (for a report), and where the passwords are (for a masked diff). */
export type HomeEncryptionOutcome =
  | {
      readonly fix?: Fix;
      readonly plan: SecureVaultPlan;
      readonly report: string;
      /** Per XML file, every password span (suppressed ones too): what a diff must mask. */
      readonly secretSpans: ReadonlyMap<string, readonly TextSpan[]>;
      /** The file the ciphertexts go to (every value of it is a ciphertext or a pending password). */
      readonly cipherTextPath: string | undefined;
      /** Files with a password to encrypt. */
      readonly files: number;
      /** Covered files of the home that exist but could not be read: their passwords, if any, stay in plain text. */
      readonly unreadable: readonly string[];
    }
  | { readonly error: string }
  | { readonly needsPassword: { readonly keystorePath: string; readonly reason?: string } };

export interface SecureVaultPlanner {
  /** One `plaintext-password` finding of the subject. */
  planForFinding(subject: SecureVaultSubject, finding: Finding, allPasswordFindings: readonly Finding[]): Promise<SecureVaultOutcome>;
  /** Every `plaintext-password` finding of the subject (in document order), as one edit. */
  planForFile(subject: SecureVaultSubject, findings: readonly Finding[]): Promise<SecureVaultOutcome>;
  /** Every plaintext password of a product home, as one edit, with a report of what it changes. */
  planForHome?(home: ProductHome, keystorePassword: string | undefined): Promise<SecureVaultOutcome & { readonly report?: string }>;
}

/** What the planner reads through: the service's files, parse cache and analysis. */
export interface SecureVaultHost {
  readonly files: FileSource;
  parsedCarbonXml(home: ProductHome): Promise<XmlDocument | undefined>;
  /**
   * The covered files of a home with the plaintext-password findings an explicit encrypt acts on (rule severity
   * ignored, suppressions kept) and, per file, every password span (suppressed ones too) for masking.
   */
  passwordFindingsOfHome(home: ProductHome, settingsFor: (path: string) => Settings): Promise<{ files: SecureVaultFile[]; secretSpans: Map<string, TextSpan[]>; unreadable: string[] }>;
}

export function secureVaultPlanner(
  host: SecureVaultHost,
): SecureVaultPlanner & { planHome(home: ProductHome, keystorePassword: string | undefined, settingsFor: (path: string) => Settings): Promise<HomeEncryptionOutcome> } {
  async function plan(subject: SecureVaultSubject, run: (input: Parameters<typeof planSecureVaultForFile>[0]) => Outcome<SecureVaultPlan>): Promise<SecureVaultOutcome> {
    const home = subject.location.home;
    if (!home) return { error: `${subject.location.confRelativePath} is not inside a product home (…/repository/conf or …/conf), so there is no security folder for Secure Vault's files.` };
    const carbonXml = subject.location.kind === 'carbon' ? subject.doc : await host.parsedCarbonXml(home);
    const material = await secureVaultMaterial({ files: subject.files, home, carbonXml, keystorePassword: subject.keystorePassword });
    if (!material.ok) return 'needsPassword' in material ? { needsPassword: material.needsPassword } : { error: material.error };
    const outcome = run({ file: { location: subject.location, doc: subject.doc, findings: [] }, security: material.security, key: material.key });
    if (!outcome.ok) return { error: outcome.error.message };
    if (!outcome.value.fix) return { error: outcome.value.skipped[0]?.reason ?? 'Nothing left to encrypt here.' };
    return { fix: outcome.value.fix };
  }

  async function planHome(home: ProductHome, keystorePassword: string | undefined, settingsFor: (path: string) => Settings): Promise<HomeEncryptionOutcome> {
    const { files, secretSpans, unreadable } = await host.passwordFindingsOfHome(home, settingsFor);
    const empty: SecureVaultPlan = { fix: undefined, encrypted: [], skipped: [], notes: [] };
    if (files.length === 0) return { plan: empty, report: `No plaintext password left in ${home.homeDir}.`, secretSpans, cipherTextPath: undefined, files: 0, unreadable };
    const carbonXml = await host.parsedCarbonXml(home);
    const material = await secureVaultMaterial({ files: host.files, home, carbonXml, keystorePassword });
    if (!material.ok) return 'needsPassword' in material ? { needsPassword: material.needsPassword } : { error: material.error };
    const outcome = planSecureVaultForFiles({ files, security: material.security, key: material.key, title: 'Encrypt all plaintext passwords of this product home with Secure Vault' });
    if (!outcome.ok) return { error: outcome.error.message };
    const cipherTextPath = secureVaultFiles(home, material.security.secretConf).cipherText;
    return { ...(outcome.value.fix ? { fix: outcome.value.fix } : {}), plan: outcome.value, report: homeReport(home, outcome.value), secretSpans, cipherTextPath, files: files.length, unreadable };
  }

  return {
    planHome,
    async planForHome(home, keystorePassword) {
      const outcome = await planHome(home, keystorePassword, () => mergeSettings());
      if (!('plan' in outcome)) return outcome;
      if (outcome.files === 0) return { error: outcome.report };
      if (!outcome.fix) return { error: outcome.plan.skipped[0]?.reason ?? 'Nothing left to encrypt.' };
      return { fix: outcome.fix, report: outcome.report };
    },
    planForFinding: (subject, finding, all) => plan(subject, (input) => planSecureVault({ ...input, file: { ...input.file, findings: all }, finding })),
    planForFile: (subject, findings) => plan(subject, (input) => planSecureVaultForFile({ ...input, file: { ...input.file, findings } })),
  };
}

/** What the whole-home command changed, for the user; aliases and places only, never a value. */
export function homeReport(home: ProductHome, plan: SecureVaultPlan): string {
  const relative = (path: string) => (path.startsWith(`${home.homeDir}/`) ? path.slice(home.homeDir.length + 1) : path);
  const files = new Set(plan.encrypted.map((e) => e.path));
  const parts = [`Encrypted ${plan.encrypted.length} password${plan.encrypted.length === 1 ? '' : 's'} in ${files.size} file${files.size === 1 ? '' : 's'}: ${plan.encrypted.map((e) => `${relative(e.path)}:${e.line} (${e.alias})`).join(', ')}.`];
  if (plan.skipped.length > 0) parts.push(`Skipped ${plan.skipped.length}: ${plan.skipped.map((s) => `${relative(s.path)}:${s.line} (${s.reason})`).join('; ')}.`);
  parts.push(...plan.notes);
  return parts.join(' ');
}

/**
 * Settings for an encrypt the user asked for: the plaintext-password rule runs at its default severity whatever the
 * settings say (severity shapes diagnostics; it does not veto an explicit request). Suppression comments still apply.
 */
export function explicitEncryptSettings(settings: Settings): Settings {
  const rules = { ...settings.rules };
  delete rules['plaintext-password'];
  return { ...settings, rules };
}
