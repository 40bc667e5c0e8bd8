import { RuleId, Severity, ruleDocsUrl } from '../service';

/**
 * What the CLI reports per finding, and the stylish and JSON reports. Nothing here quotes document text: messages
 * come from the rules (which never hold a secret), positions are numbers, and fingerprints are hashes of structure
 * (rule, file, element path, attribute), never of the covered text of a password.
 */

export interface CliFinding {
  readonly ruleId: RuleId;
  readonly severity: Severity;
  readonly message: string;
  /** As shown: relative to the current folder when below it, else absolute. */
  readonly path: string;
  /** Absolute, forward slashes. */
  readonly absolutePath: string;
  /** 1-based; columns in UTF-16 code units (what editors and SARIF's default columnKind count). */
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  /** 1-based column just after the last character (exclusive end, as SARIF's endColumn). */
  readonly endColumn: number;
  /** False when the finding is about the whole file (a file that could not be analysed). */
  readonly hasRegion: boolean;
  /** Stable across edits that move the finding: see fingerprintOf. */
  readonly fingerprint: string;
}

export interface ReportSummary {
  readonly filesChecked: number;
  readonly homes: number;
}

export function counts(findings: readonly CliFinding[]): { errors: number; warnings: number; infos: number } {
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  for (const f of findings) {
    if (f.severity === 'error') errors++;
    else if (f.severity === 'warning') warnings++;
    else infos++;
  }
  return { errors, warnings, infos };
}

/** The JSON report, in pieces: a tree with many findings makes a report of hundreds of megabytes. */
export function* formatJson(findings: readonly CliFinding[], summary: ReportSummary): Generator<string> {
  const { errors, warnings, infos } = counts(findings);
  const head = { filesChecked: summary.filesChecked, productHomes: summary.homes, errorCount: errors, warningCount: warnings, infoCount: infos };
  yield `${JSON.stringify(head, null, 2).slice(0, -2)},\n  "findings": [`;
  for (const [i, f] of findings.entries()) {
    const entry = {
      path: f.path,
      line: f.line,
      column: f.column,
      endLine: f.endLine,
      endColumn: f.endColumn,
      severity: f.severity,
      ruleId: f.ruleId,
      message: f.message,
      docs: ruleDocsUrl(f.ruleId),
      fingerprint: f.fingerprint,
    };
    yield `${i === 0 ? '' : ','}\n    ${JSON.stringify(entry, null, 2).replace(/\n/g, '\n    ')}`;
  }
  yield findings.length === 0 ? ']\n}\n' : '\n  ]\n}\n';
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function* formatStylish(findings: readonly CliFinding[], summary: ReportSummary): Generator<string> {
  let current: string | undefined;
  for (const f of findings) {
    if (f.path !== current) {
      yield `${current === undefined ? '' : '\n'}${f.path}\n`;
      current = f.path;
    }
    yield `  ${`${f.line}:${f.column}`.padEnd(8)} ${f.severity.padEnd(11)} ${f.message}  ${f.ruleId}\n`;
  }
  const { errors, warnings, infos } = counts(findings);
  const where = `${plural(summary.filesChecked, 'configuration file')}${summary.homes > 0 ? ` of ${plural(summary.homes, 'product home')}` : ''}`;
  yield findings.length === 0
    ? `No problems in ${where}.\n`
    : `\n${plural(findings.length, 'problem')} (${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${plural(infos, 'info')}) in ${where}.\n`;
}
