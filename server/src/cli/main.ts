import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Analyzer } from '../service/analyzer';
import { isIncluded } from '../service/include';
import { ENGINE_FINDINGS, RULES, ruleDocsUrl } from '../service/rules/registry';
import { PartialSettings, SETTINGS_FILE_NAME, mergeSettings, readSettingsFile } from '../service/settings';
import { Finding, RuleId, SeveritySetting } from '../service/types';
import { HOME_FILES, ProductHome, confPathOf, locateConfigFile, normalizePath } from '../service/workspace/files';
import { DiskFileSource } from '../node/disk-source';
import { findProductHomes } from '../node/home-scan';

/**
 * wso2-config-lint: the language server's engine for CI. Exit codes: 0 clean, 1 error findings (or more warnings
 * than --max-warnings), 2 usage or I/O error.
 */

const USAGE = `Usage: wso2-config-lint [options] [paths...]

Lints WSO2 Carbon 4.x configuration files (carbon.xml, user-mgt.xml, tomcat/catalina-server.xml, axis2/axis2.xml,
datasources/*-datasources.xml, registry.xml) under the given files or folders (default: .).

Options:
  --format stylish|json     output format (default: stylish)
  --output FILE             write the report to FILE instead of standard output
  --rule ID=SEVERITY        override a rule's severity (error|warning|information|hint|off); repeatable
  --tls-profile NAME        intermediate|modern|legacy (default: intermediate, or .wso2config.json's)
  --port-offset N           the -DportOffset the start script passes (overrides <Offset>)
  --config FILE             settings file (default: the nearest ${SETTINGS_FILE_NAME} above the current folder)
  --max-warnings N          exit 1 when there are more than N warnings
  --quiet                   report errors only
  --list-rules              print the rules and exit
  --version, --help`;

class UsageError extends Error {}

interface CliFinding extends Finding {
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

const SEVERITIES = ['error', 'warning', 'information', 'hint', 'off'];

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'stylish' },
        output: { type: 'string' },
        rule: { type: 'string', multiple: true, default: [] },
        'tls-profile': { type: 'string' },
        'port-offset': { type: 'string' },
        config: { type: 'string' },
        'max-warnings': { type: 'string' },
        quiet: { type: 'boolean', default: false },
        'list-rules': { type: 'boolean', default: false },
        version: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function findSettingsFile(start: string): Promise<string | undefined> {
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, SETTINGS_FILE_NAME);
    try {
      await fs.access(candidate);
      return candidate;
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return undefined;
      dir = parent;
    }
  }
}

/** Every covered configuration file below `target`, without following symlinked folders (loops). */
async function collectFiles(target: string, out: Set<string>, warnings: string[]): Promise<void> {
  let stat;
  try {
    stat = await fs.lstat(target);
  } catch {
    throw new UsageError(`No such file or folder: ${target}`);
  }
  if (stat.isFile()) {
    out.add(path.resolve(target));
    return;
  }
  if (!stat.isDirectory()) return;
  const pending = [path.resolve(target)];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (error) {
      warnings.push(`Cannot read folder ${dir}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
      continue;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== '.git') pending.push(full);
      } else if (entry.isFile() && locateConfigFile(full)) {
        out.add(full);
      }
    }
  }
}

export async function runCli(argv: string[], stdout: (s: string) => void, stderr: (s: string) => void): Promise<number> {
  let args;
  try {
    args = parseCommandLine(argv);
  } catch (error) {
    stderr(`wso2-config-lint: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = args;
  if (values.help) {
    stdout(`${USAGE}\n`);
    return 0;
  }
  if (values.version) {
    stdout('wso2-config-lint 0.1.0\n');
    return 0;
  }
  if (values['list-rules']) {
    for (const rule of RULES) stdout(`${rule.id.padEnd(20)} ${rule.defaultSeverity.padEnd(12)} ${rule.description}\n  ${ruleDocsUrl(rule.id)}\n`);
    for (const [id, description] of Object.entries(ENGINE_FINDINGS)) stdout(`${id.padEnd(20)} ${'(varies)'.padEnd(12)} ${description}\n`);
    return 0;
  }
  try {
    const format = values.format;
    if (format !== 'stylish' && format !== 'json') throw new UsageError(`--format must be stylish or json, not "${format}"`);

    const overrides: PartialSettings = {};
    for (const entry of values.rule ?? []) {
      const [id, severity] = entry.split('=');
      if (!RULES.some((r) => r.id === id) && !(id in ENGINE_FINDINGS)) throw new UsageError(`--rule: unknown rule id "${id}"`);
      if (!SEVERITIES.includes(severity)) throw new UsageError(`--rule ${id}: severity must be one of ${SEVERITIES.join(', ')}`);
      overrides.rules = { ...overrides.rules, [id as RuleId]: severity as SeveritySetting };
    }
    if (values['tls-profile'] !== undefined) {
      if (!['intermediate', 'modern', 'legacy'].includes(values['tls-profile'])) throw new UsageError('--tls-profile must be intermediate, modern or legacy');
      overrides.tlsProfile = values['tls-profile'] as PartialSettings['tlsProfile'];
    }
    if (values['port-offset'] !== undefined) {
      if (!/^-?\d+$/.test(values['port-offset'])) throw new UsageError('--port-offset must be an integer');
      overrides.portOffset = Number(values['port-offset']);
    }
    let maxWarnings = Infinity;
    if (values['max-warnings'] !== undefined) {
      if (!/^\d+$/.test(values['max-warnings'])) throw new UsageError('--max-warnings must be a non-negative integer');
      maxWarnings = Number(values['max-warnings']);
    }

    const settingsPath = values.config ?? (await findSettingsFile(process.cwd()));
    let fileSettings: PartialSettings = {};
    let settingsRoot = process.cwd();
    if (settingsPath) {
      let text: string;
      try {
        text = await fs.readFile(settingsPath, 'utf8');
      } catch {
        throw new UsageError(`Cannot read settings file ${settingsPath}`);
      }
      const { settings, problems } = readSettingsFile(text);
      if (problems.length > 0) throw new UsageError(`Invalid ${settingsPath}:\n${problems.map((p) => `  ${p.message}`).join('\n')}`);
      fileSettings = settings;
      settingsRoot = path.dirname(path.resolve(settingsPath));
    }
    const settings = mergeSettings(fileSettings, overrides);

    const targets = positionals.length > 0 ? positionals : ['.'];
    const filesFound = new Set<string>();
    const walkWarnings: string[] = [];
    for (const target of targets) await collectFiles(target, filesFound, walkWarnings);
    for (const warning of walkWarnings) stderr(`wso2-config-lint: ${warning}\n`);

    const dirs = targets.map((t) => path.resolve(t));
    const scanned = await findProductHomes(dirs);
    const homes = new Map<string, ProductHome>(scanned.map((h) => [h.homeDir, h]));
    for (const file of filesFound) {
      const home = locateConfigFile(file)?.home;
      if (home) homes.set(home.homeDir, home);
    }
    const roots = [normalizePath(settingsRoot)];
    // An excluded home (a backup copy, say) is not a product that runs on this host.
    const runningHomes = [...homes.values()].filter((h) => isIncluded(confPathOf(h, HOME_FILES.carbon), roots, settings));
    const analyzer = new Analyzer({ files: new DiskFileSource(), knownHomes: () => runningHomes, log: (m) => stderr(`wso2-config-lint: ${m}\n`) });

    const findings: CliFinding[] = [];
    const disk = new DiskFileSource();
    for (const file of [...filesFound].sort()) {
      const normalized = normalizePath(file);
      if (!isIncluded(normalized, roots, settings)) continue;
      const content = await disk.read(normalized);
      if (!content) {
        stderr(`wso2-config-lint: cannot read ${file}\n`);
        continue;
      }
      const result = await analyzer.analyze(normalized, content, settings);
      for (const finding of result.findings) {
        if (values.quiet && finding.severity !== 'error') continue;
        const start = result.doc?.lines.positionAt(finding.span.start) ?? { line: 0, character: 0 };
        const end = result.doc?.lines.positionAt(finding.span.end) ?? start;
        findings.push({ ...finding, path: path.relative(process.cwd(), file) || file, line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 });
      }
    }

    const report = format === 'json' ? formatJson(findings, filesFound.size) : formatStylish(findings, filesFound.size);
    if (values.output) await fs.writeFile(values.output, report);
    else stdout(report);

    const errors = findings.filter((f) => f.severity === 'error').length;
    const warnings = findings.filter((f) => f.severity === 'warning').length;
    return errors > 0 || warnings > maxWarnings ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      stderr(`wso2-config-lint: ${error.message}\n`);
      return 2;
    }
    stderr(`wso2-config-lint: ${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}\n`);
    return 2;
  }
}

function formatJson(findings: CliFinding[], fileCount: number): string {
  return `${JSON.stringify(
    {
      filesChecked: fileCount,
      findings: findings.map((f) => ({ path: f.path, line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn, severity: f.severity, ruleId: f.ruleId, message: f.message, docs: ruleDocsUrl(f.ruleId) })),
    },
    null,
    2,
  )}\n`;
}

function formatStylish(findings: CliFinding[], fileCount: number): string {
  const lines: string[] = [];
  let current: string | undefined;
  for (const f of findings) {
    if (f.path !== current) {
      if (current !== undefined) lines.push('');
      lines.push(f.path);
      current = f.path;
    }
    lines.push(`  ${`${f.line}:${f.column}`.padEnd(8)} ${f.severity.padEnd(11)} ${f.message}  ${f.ruleId}`);
  }
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  if (findings.length > 0) lines.push('');
  lines.push(
    findings.length === 0
      ? `No problems in ${fileCount} configuration file${fileCount === 1 ? '' : 's'}.`
      : `${findings.length} problem${findings.length === 1 ? '' : 's'} (${count('error')} errors, ${count('warning')} warnings, ${count('information') + count('hint')} infos) in ${fileCount} configuration files.`,
  );
  return `${lines.join('\n')}\n`;
}
