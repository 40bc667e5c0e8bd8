import { TextSpan } from './model/text';
import { XmlDocument } from './model/xml';
import { ConfigFileKind, ConfigFileLocation } from './workspace/files';
import type { Settings } from './settings';
import type { HomeFacts, WorkspaceFacts } from './workspace/facts';

export type RuleId =
  | 'plaintext-password'
  | 'weak-tls-protocol'
  | 'weak-tls-ciphers'
  | 'h2-datasource'
  | 'port-offset'
  | 'port-conflict'
  | 'generated-config'
  | 'xml-syntax'
  | 'file-not-analysed'
  /** deployment.toml only (server/src/service/toml/rules). */
  | 'secrets-table'
  | 'toml-syntax';

export type Severity = 'error' | 'warning' | 'information' | 'hint';
export type SeveritySetting = Severity | 'off';

/** What a rule found. Messages never contain a secret value: they name where it is, not what it is. */
export interface Finding {
  readonly ruleId: RuleId;
  readonly severity: Severity;
  readonly message: string;
  readonly span: TextSpan;
  /** What a fix needs (paths, attribute names, suggested aliases); never a secret. */
  readonly data?: Record<string, unknown>;
}

export interface FindingInput {
  span: TextSpan;
  message: string;
  /** Overrides the rule's default severity for this finding (e.g. a shipped default password is an error). */
  severity?: Severity;
  data?: Record<string, unknown>;
}

export interface RuleContext {
  readonly doc: XmlDocument;
  readonly file: ConfigFileLocation;
  readonly settings: Settings;
  /** Facts of the file's product home (offset, ports, datasources); undefined for a file outside any home. */
  readonly home: HomeFacts | undefined;
  /** Every product home known in the workspace, the file's own included. */
  readonly workspace: WorkspaceFacts;
  report(finding: FindingInput): void;
}

export interface Rule {
  readonly id: RuleId;
  readonly defaultSeverity: Severity;
  /** One line, for the README, SARIF and the CLI's rule list. */
  readonly description: string;
  readonly appliesTo: readonly ConfigFileKind[];
  check(context: RuleContext): void;
  /** Set for a rule that compares the file's home with every other home of the workspace (see CrossHomeRule). */
  readonly crossHome?: CrossHomeRule;
}

/**
 * The two steps of a rule that compares the file's home with every other home (port-conflict), so that a pass over a
 * whole tree (the CLI) can check each file as it comes and the cross-home part once every home's facts are known,
 * without keeping the file's tree meanwhile: `anchor` takes from the document where the findings go, `check` compares
 * the homes. The rule's own `check` is the two run back to back.
 */
export interface CrossHomeRule {
  anchor(doc: XmlDocument): TextSpan | undefined;
  check(home: HomeFacts, homes: readonly HomeFacts[], anchor: TextSpan): FindingInput[];
}
