import { Rule, RuleId } from '../types';
import { xmlSyntax } from './xml-syntax';
import { plaintextPassword } from './plaintext-password';
import { weakTlsProtocol } from './weak-tls-protocol';
import { weakTlsCiphers } from './weak-tls-ciphers';
import { h2Datasource } from './h2-datasource';
import { portOffset } from './port-offset';
import { portConflict } from './port-conflict';
import { generatedConfig } from './generated-config';

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
