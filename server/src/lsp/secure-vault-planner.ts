import { Finding } from '../service/types';
import { Outcome, SecureVaultFile, SecureVaultPlan, planSecureVault, planSecureVaultForFile, planSecureVaultForFiles } from '../service/fixes/secure-vault';
import { secureVaultMaterial } from '../service/fixes/secure-vault-session';
import { HOME_FILES, ProductHome, confPathOf, joinPath } from '../service/workspace/files';
import { SecureVaultOutcome, SecureVaultPlanner, SecureVaultSubject } from './fixes-feature';
import { ServerContext } from './server';

/** The Secure Vault core behind the code actions: reads through the server's FileSource (open documents first). */
export function secureVaultPlanner(context: ServerContext): SecureVaultPlanner {
  async function plan(subject: SecureVaultSubject, run: (input: Parameters<typeof planSecureVaultForFile>[0]) => Outcome<SecureVaultPlan>): Promise<SecureVaultOutcome> {
    const home = subject.location.home;
    if (!home) return { error: `${subject.location.confRelativePath} is not inside a product home (…/repository/conf or …/conf), so there is no security folder for Secure Vault's files.` };
    const carbonXml = subject.location.kind === 'carbon' ? subject.doc : await context.analyzer.facts.parsed(confPathOf(home, HOME_FILES.carbon), 'carbon');
    const material = await secureVaultMaterial({ files: subject.files, home, carbonXml, keystorePassword: subject.keystorePassword });
    if (!material.ok) return 'needsPassword' in material ? { needsPassword: material.needsPassword } : { error: material.error };
    const outcome = run({ file: { location: subject.location, doc: subject.doc, findings: [] }, security: material.security, key: material.key });
    if (!outcome.ok) return { error: outcome.error.message };
    if (!outcome.value.fix) return { error: outcome.value.skipped[0]?.reason ?? 'Nothing left to encrypt here.' };
    return { fix: outcome.value.fix };
  }

  /** Every covered configuration file of the home, with its plaintext-password findings, read as the server sees it. */
  async function homeFiles(home: ProductHome): Promise<SecureVaultFile[]> {
    const relative = [HOME_FILES.carbon, HOME_FILES.userMgt, HOME_FILES.registry, HOME_FILES.catalina, HOME_FILES.axis2];
    const datasources = (await context.files.list(joinPath(home.confDir, 'datasources'))).filter((n) => n.endsWith('-datasources.xml')).sort();
    const paths = [...relative.map((r) => confPathOf(home, r)), ...datasources.map((n) => joinPath(home.confDir, 'datasources', n))];
    const files: SecureVaultFile[] = [];
    for (const path of paths) {
      const content = await context.files.read(path);
      if (!content) continue;
      const result = await context.analyzer.analyze(path, content, context.settingsFor(path));
      if (!result.location || !result.doc) continue;
      const findings = result.findings.filter((f) => f.ruleId === 'plaintext-password');
      if (findings.length > 0) files.push({ location: result.location, doc: result.doc, findings });
    }
    return files;
  }

  return {
    async planForHome(home, keystorePassword) {
      const files = await homeFiles(home);
      if (files.length === 0) return { error: `No plaintext password left in ${home.homeDir}.` };
      const carbonXml = await context.analyzer.facts.parsed(confPathOf(home, HOME_FILES.carbon), 'carbon');
      const material = await secureVaultMaterial({ files: context.files, home, carbonXml, keystorePassword });
      if (!material.ok) return 'needsPassword' in material ? { needsPassword: material.needsPassword } : { error: material.error };
      const outcome = planSecureVaultForFiles({ files, security: material.security, key: material.key, title: 'Encrypt all plaintext passwords of this product home with Secure Vault' });
      if (!outcome.ok) return { error: outcome.error.message };
      const plan = outcome.value;
      if (!plan.fix) return { error: plan.skipped[0]?.reason ?? 'Nothing left to encrypt.' };
      return { fix: plan.fix, report: homeReport(home, plan) };
    },
    planForFinding: (subject, finding: Finding, all: readonly Finding[]) =>
      plan(subject, (input) => planSecureVault({ ...input, file: { ...input.file, findings: all }, finding })),
    planForFile: (subject, findings: readonly Finding[]) => plan(subject, (input) => planSecureVaultForFile({ ...input, file: { ...input.file, findings } })),
  };
}

/** What the whole-home command changed, for the user; aliases and places only, never a value. */
function homeReport(home: ProductHome, plan: SecureVaultPlan): string {
  const relative = (path: string) => (path.startsWith(`${home.homeDir}/`) ? path.slice(home.homeDir.length + 1) : path);
  const files = new Set(plan.encrypted.map((e) => e.path));
  const parts = [`Encrypted ${plan.encrypted.length} password${plan.encrypted.length === 1 ? '' : 's'} in ${files.size} file${files.size === 1 ? '' : 's'}: ${plan.encrypted.map((e) => `${relative(e.path)}:${e.line} (${e.alias})`).join(', ')}.`];
  if (plan.skipped.length > 0) parts.push(`Skipped ${plan.skipped.length}: ${plan.skipped.map((s) => `${relative(s.path)}:${s.line} (${s.reason})`).join('; ')}.`);
  parts.push(...plan.notes);
  return parts.join(' ');
}
