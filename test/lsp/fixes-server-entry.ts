import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { SecureVaultOutcome, SecureVaultPlanner, SecureVaultSubject } from '../../server/src/service';
import { fixesFeature, languageFeature } from '../../server/src/lsp/handlers';
import { startServer } from '../../server/src/lsp/server';
import { FileChange, TextReplacement } from '../../server/src/service/fixes/types';
import { walkElements } from '../../server/src/service/model/xml';
import { Finding } from '../../server/src/service/types';
import { joinPath } from '../../server/src/service/workspace/files';

/**
 * The language server with the fixes feature and a fake Secure Vault planner, for test/lsp/fixes.test.ts. The fake
 * stands in for service/fixes/secure-vault.ts so the feature's wiring is tested on its own:
 *  - carbon.xml, datasources: a fix (secret -> `password`, an alias attribute, a line in cipher-text.properties,
 *    which is created when missing);
 *  - catalina-server.xml: a PKCS#12 keystore whose password must be asked for; `right-password` opens it;
 *  - user-mgt.xml: "keystore not found".
 */

export const RIGHT_PASSWORD = 'right-password';
export const FAKE_CIPHER = 'RkFLRS1DSVBIRVI=';

function keystorePathOf(subject: SecureVaultSubject): string {
  return joinPath(subject.location.home?.homeDir ?? '/', 'repository/resources/security/test.p12');
}

async function plan(subject: SecureVaultSubject, findings: readonly Finding[]): Promise<SecureVaultOutcome> {
  if (subject.location.kind === 'user-mgt') return { error: `Keystore not found: ${keystorePathOf(subject)}` };
  if (subject.location.kind === 'catalina-server') {
    if (subject.keystorePassword === undefined) return { needsPassword: { keystorePath: keystorePathOf(subject) } };
    if (subject.keystorePassword !== RIGHT_PASSWORD) return { error: `The keystore ${keystorePathOf(subject)} could not be opened: wrong password` };
  }
  const text = subject.doc.text;
  const replacements: TextReplacement[] = [];
  const lines: string[] = [];
  for (const finding of findings) {
    const alias = String((finding.data as { alias?: unknown } | undefined)?.alias ?? 'Unknown.Alias');
    replacements.push({ span: finding.span, newText: 'password' });
    let owner = undefined;
    for (const element of walkElements(subject.doc.root)) if (element.span.start <= finding.span.start && finding.span.end <= element.span.end) owner = element;
    if (owner) replacements.push({ span: { start: owner.nameSpan.end, end: owner.nameSpan.end }, newText: ` svns:secretAlias="${alias}"` });
    lines.push(`${alias}=${FAKE_CIPHER}\n`);
  }
  const cipherTextPath = joinPath(subject.location.home!.confDir, 'security', 'cipher-text.properties');
  const existing = await subject.files.read(cipherTextPath);
  const cipherText: FileChange =
    existing?.kind === 'text' || existing?.kind === 'bytes'
      ? (() => {
          const base = existing.kind === 'text' ? existing.text : Buffer.from(existing.bytes).toString('latin1');
          return { kind: 'edit', path: cipherTextPath, baseText: base, replacements: [{ span: { start: base.length, end: base.length }, newText: lines.join('') }] };
        })()
      : { kind: 'create', path: cipherTextPath, text: lines.join('') };
  return {
    fix: {
      title: 'Encrypt with Secure Vault (fake)',
      ruleId: 'plaintext-password',
      changes: [{ kind: 'edit', path: subject.location.path, baseText: text, replacements }, cipherText],
    },
  };
}

const fakePlanner: SecureVaultPlanner = {
  planForFinding: (subject, finding) => plan(subject, [finding]),
  planForFile: (subject, findings) => plan(subject, findings),
};

if (require.main === module) {
  startServer(createConnection(ProposedFeatures.all), [languageFeature(), fixesFeature()], { secureVault: process.argv.includes('--no-planner') ? null : () => fakePlanner });
}
