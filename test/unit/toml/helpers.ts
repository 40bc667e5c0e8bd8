import { AnalyseTomlOptions, analyseDeploymentToml } from '../../../server/src/service/toml/analyse';
import { TomlFinding } from '../../../server/src/service/toml/types';

export interface Seen {
  ruleId: string;
  line: number;
  severity: string;
  message: string;
  /** The text the finding's range covers. */
  covered: string;
  finding: TomlFinding;
}

/** Analyses an in-memory deployment.toml of a home of the given product (bundled knowledge unless a reader is given). */
export function check(text: string, options: Partial<AnalyseTomlOptions> = {}): Seen[] {
  const { model, findings } = analyseDeploymentToml({ path: '/homes/x/repository/conf/deployment.toml', product: 'apim', version: '4.2.0', ...options, text });
  return findings.map((finding) => ({
    ruleId: finding.ruleId,
    line: model ? model.doc.lines.positionAt(finding.span.start).line + 1 : 1,
    severity: finding.severity,
    message: finding.message,
    covered: text.slice(finding.span.start, finding.span.end),
    finding,
  }));
}

export function of(seen: Seen[], ruleId: string): Seen[] {
  return seen.filter((s) => s.ruleId === ruleId);
}
