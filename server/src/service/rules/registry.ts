import { Rule, RuleId, Severity } from '../types';
import { xmlSyntax } from './xml-syntax';
import { plaintextPassword } from './plaintext-password';
import { weakTlsProtocol } from './weak-tls-protocol';
import { weakTlsCiphers } from './weak-tls-ciphers';
import { h2Datasource } from './h2-datasource';
import { portOffset } from './port-offset';
import { portConflict } from './port-conflict';
import { generatedConfig } from './generated-config';
import { TOML_RULES } from '../toml/analyse';

/** Every rule, in the order their findings are produced. Ids never change meaning (design.md). */
export const RULES: readonly Rule[] = [
  xmlSyntax,
  generatedConfig,
  plaintextPassword,
  weakTlsProtocol,
  weakTlsCiphers,
  h2Datasource,
  portOffset,
  portConflict,
];

export const DOCS_BASE_URL = 'https://github.com/wso2-config/wso2-config/blob/main/docs/rules';

export function ruleDocsUrl(id: RuleId): string {
  return `${DOCS_BASE_URL}/${id}.md`;
}

/** Descriptions of ids that are not rules in RULES (the engine's own findings). */
export const ENGINE_FINDINGS: Partial<Record<RuleId, string>> = {
  'file-not-analysed': 'The file could not be analysed: binary, undecodable or larger than the limit.',
};

/**
 * Rule metadata, the one place it lives: every id the engine reports (the rules, then its own findings) with what the
 * fronts and generated artefacts need. package.json `contributes` (wso2Config.rules), the settings schema's rule
 * list, the SARIF rule table and docs/rules/README.md are checked against it by test/unit/core/facade.test.ts.
 */
export interface RuleMetadata {
  readonly id: RuleId;
  /** Undefined for an engine finding whose severity depends on the case. */
  readonly defaultSeverity: Severity | undefined;
  readonly description: string;
  readonly docsUrl: string;
  /** SARIF / code-scanning tags. */
  readonly tags: readonly string[];
  /** Document kinds (service/index.ts DOCUMENT_KINDS) the rule runs on. */
  readonly documentKinds: readonly string[];
  /** An engine finding (file-not-analysed), not a rule of RULES. */
  readonly engine: boolean;
}

const SECURITY_RULES: ReadonlySet<RuleId> = new Set<RuleId>(['plaintext-password', 'weak-tls-protocol', 'weak-tls-ciphers', 'h2-datasource', 'secrets-table']);

/** Document kind ids (service/index.ts CARBON_XML_KIND and DEPLOYMENT_TOML_KIND, properties/kind.ts PROPERTIES_KIND). */
const XML_KIND = 'carbon-xml';
const TOML_KIND = 'deployment-toml';
const PROPERTIES_KIND_ID = 'carbon-properties';
const TOML_IDS: ReadonlySet<RuleId> = new Set<RuleId>(TOML_RULES.map((rule) => rule.id));
/** The .properties kind (jndi.properties, EndpointConfig.properties, cipher-text.properties) reports passwords only. */
const PROPERTIES_IDS: ReadonlySet<RuleId> = new Set<RuleId>(['plaintext-password']);
const kindsOf = (id: RuleId): string[] => [XML_KIND, ...(TOML_IDS.has(id) ? [TOML_KIND] : []), ...(PROPERTIES_IDS.has(id) ? [PROPERTIES_KIND_ID] : [])];

export const RULE_METADATA: readonly RuleMetadata[] = [
  ...RULES.map((rule) => ({
    id: rule.id,
    defaultSeverity: rule.defaultSeverity,
    description: rule.description,
    docsUrl: ruleDocsUrl(rule.id),
    tags: SECURITY_RULES.has(rule.id) ? ['security', 'wso2'] : ['wso2'],
    documentKinds: kindsOf(rule.id),
    engine: false,
  })),
  // deployment.toml's own rules (the ids it shares with the XML rules are listed once, above).
  ...TOML_RULES.filter((rule) => !RULES.some((r) => r.id === rule.id)).map((rule) => ({
    id: rule.id,
    defaultSeverity: rule.defaultSeverity,
    description: rule.description,
    docsUrl: ruleDocsUrl(rule.id),
    tags: SECURITY_RULES.has(rule.id) ? ['security', 'wso2'] : ['wso2'],
    documentKinds: [TOML_KIND],
    engine: false,
  })),
  ...(Object.entries(ENGINE_FINDINGS) as [RuleId, string][]).map(([id, description]) => ({
    id,
    defaultSeverity: undefined,
    description,
    docsUrl: ruleDocsUrl(id),
    tags: ['wso2'],
    documentKinds: [XML_KIND, TOML_KIND],
    engine: true,
  })),
];

export function isKnownRuleId(id: string): id is RuleId {
  return RULE_METADATA.some((r) => r.id === id);
}
