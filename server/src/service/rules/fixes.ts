import { Fix } from '../fixes/types';
import { planOffsetFix } from '../fixes/port-offset';
import { isEncryptable } from '../fixes/secure-vault';
import { planDisableForFile, planDisableForLine } from '../fixes/suppress';
import { planTlsFix, planTlsFixes } from '../fixes/tls';
import { XmlDocument } from '../model/xml';
import { SecureVaultOutcome, SecureVaultPlanner, SecureVaultSubject } from '../securevault/planner';
import { Settings } from '../settings';
import { Finding, RuleId } from '../types';
import { ConfigFileLocation } from '../workspace/files';

/**
 * The fixes of each rule, declared by rule id next to the rules (as vscode-css-languageservice dispatches its code
 * actions on the diagnostic code). The fronts loop over what `fixesFor` returns and never test a rule id; `--fix`
 * applies only the fixes marked `unattended`.
 */

/** What a fix is planned on: the file as the caller sees it now, and the finding. */
export interface FixContext {
  readonly doc: XmlDocument;
  readonly location: ConfigFileLocation;
  readonly finding: Finding;
  /** Every finding of the file (a Secure Vault fix resolves two secrets of one element against each other). */
  readonly findings: readonly Finding[];
  readonly settings: Settings;
  /** Undefined when this service plans no Secure Vault fix. */
  readonly secureVault: { readonly planner: SecureVaultPlanner; readonly subject: SecureVaultSubject } | undefined;
}

/**
 * A fix as the fronts offer it: an edit, or (Secure Vault with a PKCS#12 keystore) the keystore password to ask for
 * before planning again, or why it cannot be offered.
 */
export type FixOffer = {
  readonly title: string;
  readonly ruleId: RuleId;
  readonly isPreferred?: boolean;
  /** A suppression comment rather than a fix: listed after the fixes. */
  readonly suppression?: true;
  /** The same edit whichever finding it is offered for (one offset, one comment): offer it once per request. */
  readonly sharedByFindings?: true;
} & (
  | { readonly fix: Fix }
  | { readonly needsPassword: { readonly keystorePath: string; readonly reason?: string } }
  | { readonly error: string }
);

export interface RuleFix {
  /** Safe to apply without a person looking (`wso2-config-lint --fix`): no secret, no keystore, no choice to make. */
  readonly unattended: boolean;
  /** One offer, several (variants of one fix), or none. */
  plan(context: FixContext): Promise<FixOffer | readonly FixOffer[] | undefined> | FixOffer | readonly FixOffer[] | undefined;
}

/** The offers of a plan() answer as a list. */
export function offersOf(answer: FixOffer | readonly FixOffer[] | undefined): readonly FixOffer[] {
  if (!answer) return [];
  return 'title' in answer ? [answer as FixOffer] : (answer as readonly FixOffer[]);
}

export const ENCRYPT_TITLE = 'Encrypt with Secure Vault';

function offerOf(fix: Fix | undefined, ruleId: RuleId, marks: { suppression?: true; sharedByFindings?: true } = {}): FixOffer | undefined {
  return fix ? { title: fix.title, ruleId, ...(fix.isPreferred ? { isPreferred: true } : {}), ...marks, fix } : undefined;
}

const tlsFix: RuleFix = {
  unattended: true,
  plan: ({ doc, location, finding, settings }) =>
    offerOf(planTlsFix({ doc, path: location.path, kind: location.kind, ruleId: finding.ruleId, span: finding.span, data: finding.data, profile: settings.tlsProfile }), finding.ruleId),
};

/**
 * The labelled variants for newer JDKs (TLS 1.3 names, which a JDK without them rejects or drops): a person decides
 * whether every JDK the product runs on has them, so never unattended and never preferred.
 */
const tlsVariantFixes: RuleFix = {
  unattended: false,
  plan: ({ doc, location, finding, settings }) =>
    planTlsFixes({ doc, path: location.path, kind: location.kind, ruleId: finding.ruleId, span: finding.span, data: finding.data, profile: settings.tlsProfile })
      .filter((fix) => !fix.isPreferred)
      .map((fix) => offerOf(fix, finding.ruleId)!),
};

/** Every rule's own fixes. A rule missing here has only the suppression comments. */
export const RULE_FIXES: Partial<Record<RuleId, readonly RuleFix[]>> = {
  'weak-tls-protocol': [tlsFix, tlsVariantFixes],
  'weak-tls-ciphers': [tlsFix, tlsVariantFixes],
  'port-conflict': [
    {
      // Changing an offset moves every port of a product: a person decides.
      unattended: false,
      plan: ({ doc, location, finding }) => offerOf(planOffsetFix(doc, location.path, finding.data), finding.ruleId, { sharedByFindings: true }),
    },
  ],
  'plaintext-password': [
    {
      // Needs a keystore (and maybe its password) and changes what the runtime decrypts: never unattended.
      unattended: false,
      async plan({ finding, findings, secureVault }) {
        // The runtime reads this value without resolving an alias there: no Encrypt action at all.
        if (!secureVault || !isEncryptable(finding)) return undefined;
        const passwords = findings.filter((f) => f.ruleId === finding.ruleId);
        const outcome: SecureVaultOutcome = await secureVault.planner.planForFinding(secureVault.subject, finding, passwords);
        if ('fix' in outcome) return { title: ENCRYPT_TITLE, ruleId: finding.ruleId, isPreferred: true, fix: { ...outcome.fix, title: ENCRYPT_TITLE, isPreferred: true } };
        return { title: ENCRYPT_TITLE, ruleId: finding.ruleId, ...outcome };
      },
    },
  ],
};

/** Suppression comments: offered for every rule, never applied unattended. */
export const SUPPRESSION_FIXES: readonly RuleFix[] = [
  { unattended: false, plan: ({ doc, location, finding }) => offerOf(planDisableForLine(doc, location.path, finding.ruleId, finding.span), finding.ruleId, { suppression: true, sharedByFindings: true }) },
  { unattended: false, plan: ({ doc, location, finding }) => offerOf(planDisableForFile(doc, location.path, finding.ruleId), finding.ruleId, { suppression: true, sharedByFindings: true }) },
];

export function ruleFixes(ruleId: RuleId): readonly RuleFix[] {
  return RULE_FIXES[ruleId] ?? [];
}
