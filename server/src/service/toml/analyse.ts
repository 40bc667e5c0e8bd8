import { TextSpan } from '../model/text';
import { DEFAULT_MAX_FILE_BYTES } from '../workspace/decode';
import { FindingInput, Severity, SeveritySetting } from '../types';
import { TlsProfileName } from '../settings';
import { BuildModelOptions, TomlModel, buildTomlModel } from './effective';
import { tomlSyntax } from './rules/toml-syntax';
import { plaintextPassword } from './rules/plaintext-password';
import { weakTlsProtocol } from './rules/weak-tls-protocol';
import { weakTlsCiphers } from './rules/weak-tls-ciphers';
import { h2Datasource } from './rules/h2-datasource';
import { portOffset } from './rules/port-offset';
import { secretsTable } from './rules/secrets-table';
import { applyTomlSuppressions } from './suppression';
import { TomlFinding, TomlRule, TomlRuleContext, TomlRuleId } from './types';

/** Every deployment.toml rule, in the order their findings are produced. */
export const TOML_RULES: readonly TomlRule[] = [tomlSyntax, plaintextPassword, secretsTable, weakTlsProtocol, weakTlsCiphers, h2Datasource, portOffset];

/** What the model is built from (effective.ts), and what the rules are run with. */
export interface AnalyseTomlOptions extends BuildModelOptions {
  /** The model of this text, when the caller holds it already (TomlEngineCore.model): it is not built again. */
  readonly model?: TomlModel;
  /** Per-rule severities, as the settings' `rules` (`off` disables). */
  readonly rules?: Partial<Record<TomlRuleId, SeveritySetting>>;
  readonly tlsProfile?: TlsProfileName;
  readonly portOffsetOverride?: number;
  readonly maxFileBytes?: number;
  /** Receives internal errors; built without document content, so no secret reaches it. */
  readonly log?: (message: string) => void;
}

export interface TomlAnalysis {
  /** Undefined when the file was not analysed (binary, too large). */
  readonly model: TomlModel | undefined;
  readonly findings: TomlFinding[];
}

export function analyseDeploymentToml(options: AnalyseTomlOptions): TomlAnalysis {
  const limit = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const text = options.text;
  const notAnalysed = (message: string, severity: Severity): TomlAnalysis => {
    const configured = options.rules?.['file-not-analysed'];
    if (configured === 'off') return { model: undefined, findings: [] };
    return { model: undefined, findings: [{ ruleId: 'file-not-analysed', severity: configured ?? severity, message, span: { start: 0, end: 0 } }] };
  };
  if (text.length > limit) return notAnalysed(`File not analysed: ${(text.length / 1048576).toFixed(1)} MB is more than the ${(limit / 1048576).toFixed(1)} MB limit for configuration files.`, 'information');
  if (text.includes('\u0000')) return notAnalysed('File not analysed: it contains NUL bytes, so it is binary, not TOML.', 'error');

  const model = options.model ?? buildTomlModel({ path: options.path, text, readHomeFile: options.readHomeFile, product: options.product, version: options.version, knowledge: options.knowledge });
  const findings: TomlFinding[] = [];
  for (const rule of TOML_RULES) {
    const configured = options.rules?.[rule.id];
    if (configured === 'off') continue;
    const context: TomlRuleContext = {
      model,
      tlsProfile: options.tlsProfile ?? 'intermediate',
      portOffsetOverride: options.portOffsetOverride,
      report: (input: FindingInput) => {
        findings.push({
          ruleId: rule.id,
          severity: configured ?? input.severity ?? rule.defaultSeverity,
          message: input.message,
          span: clamp(input.span, text.length),
          ...(input.data ? { data: input.data } : {}),
        });
      },
    };
    try {
      rule.check(context);
    } catch (error) {
      options.log?.(`deployment.toml rule ${rule.id} failed: ${error instanceof Error ? error.name : 'error'}`);
    }
  }
  if (options.rules?.['file-not-analysed'] !== 'off') {
    for (const skipped of model.doc.skipped) {
      findings.push({ ruleId: 'file-not-analysed', severity: options.rules?.['file-not-analysed'] ?? 'information', message: `${skipped.message}.`, span: clamp(skipped.span, text.length) });
    }
  }
  return { model, findings: applyTomlSuppressions(model.doc, findings) };
}

function clamp(span: TextSpan, length: number): TextSpan {
  const start = Math.max(0, Math.min(span.start, length));
  return { start, end: Math.max(start, Math.min(span.end, length)) };
}
