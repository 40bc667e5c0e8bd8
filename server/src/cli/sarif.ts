import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RULE_METADATA, RuleId, Severity } from '../service';
import { CliFinding } from './report';

/**
 * SARIF 2.1.0 (OASIS), the format GitHub code scanning, Azure DevOps and most CI dashboards read. One run; the rules
 * of the registry with their one-line descriptions and documentation links; one result per finding with a physical
 * location relative to %SRCROOT% (the folder the CLI ran in) and a fingerprint that does not move with line numbers.
 * No `snippet`, no `contextRegion`: a region's text may be a password, so the log carries positions only.
 */

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
export const SRCROOT = 'SRCROOT';
/** The partialFingerprints key: versioned, so a change of the recipe does not pass for the same finding. */
export const FINGERPRINT_KEY = 'wso2ConfigFinding/v1';
const INFORMATION_URI = 'https://github.com/wso2-config/wso2-config';

export interface SarifOptions {
  readonly toolVersion: string;
  /** Absolute folder the relative URIs are resolved against (%SRCROOT%). */
  readonly baseDir: string;
  /** Problems met during the walk (unreadable folders, link loops): tool execution notifications. */
  readonly notifications?: readonly string[];
}

type SarifLevel = 'error' | 'warning' | 'note';

function levelOf(severity: Severity): SarifLevel {
  return severity === 'error' ? 'error' : severity === 'warning' ? 'warning' : 'note';
}

interface SarifRule {
  id: RuleId;
  name: string;
  shortDescription: { text: string };
  helpUri: string;
  defaultConfiguration?: { level: SarifLevel };
  properties: { tags: string[] };
}

/** Every id the engine can report, in registry order (rules/registry.ts RULE_METADATA). */
export function sarifRules(): SarifRule[] {
  return RULE_METADATA.map((rule) => ({
    id: rule.id,
    name: pascalCase(rule.id),
    shortDescription: { text: rule.description },
    helpUri: rule.docsUrl,
    ...(rule.defaultSeverity ? { defaultConfiguration: { level: levelOf(rule.defaultSeverity) } } : {}),
    properties: { tags: [...rule.tags] },
  }));
}

function pascalCase(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

/** The artifact location: relative to %SRCROOT% when the file is below it, else an absolute file URI. */
export function artifactLocation(absolutePath: string, baseDir: string): { uri: string; uriBaseId?: string } {
  const relative = path.relative(baseDir, absolutePath);
  if (relative && !relative.startsWith('..') && !path.isAbsolute(relative)) {
    return { uri: relative.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
  }
  return { uri: pathToFileURL(absolutePath).href };
}

/** The SARIF log, in pieces (see formatJson): the run's header, then one result at a time. */
export function* formatSarif(findings: readonly CliFinding[], options: SarifOptions): Generator<string> {
  const rules = sarifRules();
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const baseUri = pathToFileURL(options.baseDir.endsWith(path.sep) ? options.baseDir : options.baseDir + path.sep).href;
  // The results go where this placeholder is, one by one.
  const placeholder = '@results@';
  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'wso2-config-lint',
            version: options.toolVersion,
            semanticVersion: options.toolVersion,
            informationUri: INFORMATION_URI,
            rules,
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            ...(options.notifications && options.notifications.length > 0
              ? { toolExecutionNotifications: options.notifications.map((text) => ({ level: 'warning', message: { text } })) }
              : {}),
          },
        ],
        originalUriBaseIds: { [SRCROOT]: { uri: baseUri } },
        columnKind: 'utf16CodeUnits',
        results: placeholder,
      },
    ],
  };
  const text = JSON.stringify(log, null, 2);
  const marker = JSON.stringify(placeholder);
  const at = text.indexOf(marker);
  yield `${text.slice(0, at)}[`;
  for (const [i, f] of findings.entries()) {
    const result = {
      ruleId: f.ruleId,
      ...(ruleIndex.has(f.ruleId) ? { ruleIndex: ruleIndex.get(f.ruleId)! } : {}),
      level: levelOf(f.severity),
      message: { text: f.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: artifactLocation(f.absolutePath, options.baseDir),
            ...(f.hasRegion ? { region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn } } : {}),
          },
        },
      ],
      partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    };
    yield `${i === 0 ? '' : ','}\n        ${JSON.stringify(result, null, 2).replace(/\n/g, '\n        ')}`;
  }
  yield `${findings.length === 0 ? '' : '\n      '}]${text.slice(at + marker.length)}\n`;
}
