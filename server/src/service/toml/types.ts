import type { RuleId, Severity, FindingInput } from '../types';
import type { TextSpan } from '../model/text';
import type { TlsProfileName } from '../settings';
import type { TomlModel } from './effective';

/** The deployment.toml rule ids: the XML ids where the meaning is the same, plus two of toml's own. */
export type TomlRuleId = RuleId | 'secrets-table' | 'toml-syntax';

export interface TomlFinding {
  readonly ruleId: TomlRuleId;
  readonly severity: Severity;
  readonly message: string;
  readonly span: TextSpan;
  /** What a fix needs (keys, tables, endpoint ids); never a secret. */
  readonly data?: Record<string, unknown>;
}

export interface TomlRuleContext {
  readonly model: TomlModel;
  readonly tlsProfile: TlsProfileName;
  /** `-DportOffset` given to the start script, when known (settings); it overrides `[server] offset`. */
  readonly portOffsetOverride: number | undefined;
  report(finding: FindingInput): void;
}

export interface TomlRule {
  readonly id: TomlRuleId;
  readonly defaultSeverity: Severity;
  /** One line, for the README, SARIF and the CLI's rule list. */
  readonly description: string;
  check(context: TomlRuleContext): void;
}
