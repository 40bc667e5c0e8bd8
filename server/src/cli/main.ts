import * as fsSync from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { CrossHomeCheck, Finding, LineIndex, PartialSettings, ProductHome, RULE_METADATA, RuleId, SeveritySetting, createService, isIncluded, isKnownRuleId, mergeSettings, normalizePath } from '../service';
import { UsageError, loadSettings } from './config';
import { SyncDiskFileSource } from './disk';
import { homesOfTargets } from './homes';
import { EncryptOptions, KEYSTORE_PASSWORD_ENV, runEncryptCommand } from './encrypt';
import { runPortsCommand } from './ports';
import { Progress } from './progress';
import { CliFinding, formatJson, formatStylish } from './report';
import { formatSarif } from './sarif';
import { MissingTargetError, WalkFileSystem, walkTargets } from './walk';
import { WriteError, commitChanges, prepareChanges } from './write';
import { describeFailure } from './failure';

/**
 * wso2-config-lint: the language server's engine for CI, with the same rules, settings (.wso2config.json) and
 * suppression comments. Exit codes: 0 clean, 1 error findings (or more warnings than --max-warnings), 2 usage or
 * I/O error. Subcommands: `ports` (the effective-port table) and `encrypt` (Secure Vault for a whole home).
 */

export const VERSION = '0.1.0';

const USAGE = `Usage: wso2-config-lint [options] [paths...]
       wso2-config-lint ports [options] [folders...]
       wso2-config-lint encrypt [--dry-run] <product-home>

Lints WSO2 Carbon 4.x configuration files (carbon.xml, user-mgt.xml, tomcat/catalina-server.xml, axis2/axis2.xml,
datasources/*-datasources.xml, registry.xml) and deployment.toml (API Manager 3.2+, Identity Server 5.11+, Micro
Integrator 4.x) of every product home under the given files or folders (default: .).

Options:
  --format stylish|json|sarif  output format (default: stylish)
  --output FILE             write the report to FILE instead of standard output
  --rule ID=SEVERITY        override a rule's severity (error|warning|information|hint|off); repeatable
  --tls-profile NAME        intermediate|modern|legacy (default: intermediate, or .wso2config.json's)
  --port-offset N           the -DportOffset the start script passes (overrides <Offset>)
  --config FILE             settings file (default: the nearest .wso2config.json above the current folder)
  --max-warnings N          exit 1 when there are more than N warnings
  --quiet                   report errors only
  --fix                     apply the safe fixes in place (TLS protocol and cipher lists; passwords: see encrypt)
  --list-rules              print the rules and exit
  --version, --help

Commands:
  ports                     the effective port of every product home, and the ports two homes share
  encrypt                   Secure Vault for every plaintext password of a home (keystore password from
                            ${KEYSTORE_PASSWORD_ENV} or a prompt); --dry-run prints the diff, passwords masked

Exit codes: 0 no error finding, 1 error findings or more warnings than --max-warnings, 2 usage or I/O error.`;

const SEVERITIES = ['error', 'warning', 'information', 'hint', 'off'];
const FORMATS = ['stylish', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

export interface CliOptions extends EncryptOptions {
  /** Standard error is a terminal: a progress bar may be drawn there. */
  readonly stderrIsTTY?: boolean;
  readonly columns?: number;
  /** The walk's file-system calls (tests substitute failing ones). */
  readonly walkFs?: WalkFileSystem;
}

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', short: 'f', default: 'stylish' },
        output: { type: 'string', short: 'o' },
        rule: { type: 'string', multiple: true, default: [] },
        'tls-profile': { type: 'string' },
        'port-offset': { type: 'string' },
        config: { type: 'string', short: 'c' },
        'max-warnings': { type: 'string' },
        quiet: { type: 'boolean', short: 'q', default: false },
        fix: { type: 'boolean', default: false },
        'list-rules': { type: 'boolean', default: false },
        version: { type: 'boolean', short: 'v', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export async function runCli(argv: string[], stdout: (s: string) => void, stderr: (s: string) => void, options: CliOptions = {}): Promise<number> {
  if (argv[0] === 'ports') return runPortsCommand(argv.slice(1), stdout, stderr);
  if (argv[0] === 'encrypt') return runEncryptCommand(argv.slice(1), stdout, stderr, options);
  const progress = new Progress({ write: stderr, enabled: options.stderrIsTTY === true, columns: options.columns });
  try {
    return await lint(argv, stdout, stderr, options, progress);
  } catch (error) {
    progress.clear();
    if (error instanceof UsageError) {
      stderr(`wso2-config-lint: ${error.message}\n${error.message.startsWith('Unknown option') || error.message.includes("argument '") ? `\n${USAGE}\n` : ''}`);
      return 2;
    }
    if (error instanceof MissingTargetError) {
      stderr(`wso2-config-lint: ${error.message}\n`);
      return 2;
    }
    stderr(`wso2-config-lint: ${describeFailure(error)}\n`);
    return 2;
  }
}

async function lint(argv: string[], stdout: (s: string) => void, stderr: (s: string) => void, options: CliOptions, progress: Progress): Promise<number> {
  const { values, positionals } = parseCommandLine(argv);
  if (values.help) {
    stdout(`${USAGE}\n`);
    return 0;
  }
  if (values.version) {
    stdout(`wso2-config-lint ${VERSION}\n`);
    return 0;
  }
  if (values['list-rules']) {
    for (const rule of RULE_METADATA) stdout(`${rule.id.padEnd(20)} ${(rule.defaultSeverity ?? '(varies)').padEnd(12)} ${rule.description}\n  ${rule.docsUrl}\n`);
    return 0;
  }

  const format = values.format as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be stylish, json or sarif, not "${values.format}"`);
  const overrides: PartialSettings = {};
  for (const entry of values.rule ?? []) {
    const equals = entry.indexOf('=');
    const id = equals < 0 ? entry : entry.slice(0, equals);
    const severity = equals < 0 ? '' : entry.slice(equals + 1);
    if (!isKnownRuleId(id)) throw new UsageError(`--rule: unknown rule id "${id}" (see --list-rules)`);
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
  if (values.output !== undefined && values.output.length === 0) throw new UsageError('--output needs a file name');

  const cwd = process.cwd();
  const loaded = await loadSettings(values.config, cwd);
  const settings = mergeSettings(loaded.settings, overrides);
  const roots = [normalizePath(loaded.root)];

  const targets = positionals.length > 0 ? positionals : ['.'];
  const disk = new SyncDiskFileSource();
  const walk = await walkTargets(targets, { fs: options.walkFs ?? disk.walkFs, onProgress: (found) => progress.scanning(found) });
  const notifications = [...walk.problems];
  progress.clear();
  for (const problem of walk.problems) stderr(`wso2-config-lint: ${problem}\n`);
  for (const file of walk.ignored) stderr(`wso2-config-lint: ${file}: not a configuration file this tool covers, skipped\n`);

  let runningHomes: ProductHome[] = [];
  // stableFiles: the run's own --fix writes call clearCaches(); nothing else changes the tree under a lint run.
  const service = createService({ files: disk, directories: disk.directories, knownHomes: () => runningHomes, stableFiles: true, log: (m) => stderr(`wso2-config-lint: ${m}\n`) });
  // The homes in port conflicts are the ones `ports` and the server know: the facade's discovery below each folder
  // target (symbolic links followed alike), the home of each file target; then those the settings do not exclude.
  // The walk above decides only which files are reported (it steps over the same folders as discovery).
  const homes = await homesOfTargets((folders) => service.discoverHomes(folders), targets);
  runningHomes = service.runningHomes(homes, roots, () => settings);

  const files = walk.files.map(normalizePath).filter((f) => isIncluded(f, roots, settings));
  /** Findings per file, reported in the walk's order whatever the order of analysis. */
  const findingsByFile: CliFinding[][] = files.map(() => []);
  const homesSeen = new Set<string>();
  let filesChecked = 0;
  progress.start(files.length);
  // Files are analysed home by home (the facade's pass order), each parsed once and let go, and reported in the walk's
  // order. The findings that compare a home with every other (port-conflict) come last, once every home's facts are
  // known: each file leaves them as a CrossHomeCheck, which keeps where they go and their suppressions, not the tree.
  const crossHome: { index: number; check: CrossHomeCheck; lines: LineIndex | undefined; file: string }[] = [];
  for (const [step, index] of service.passOrder(files).entries()) {
    const file = files[index];
    const findings = findingsByFile[index];
    progress.update(step, displayPath(file, cwd));
    let content = await disk.read(file);
    if (!content) {
      const problem = `${file}: cannot read the file, skipped`;
      notifications.push(problem);
      progress.clear();
      stderr(`wso2-config-lint: ${problem}\n`);
      continue;
    }
    if (values.fix) {
      const parsed = service.parse(file, content);
      if (parsed) {
        const fixed = await service.fixUnattended(file, parsed.text, settings);
        if (fixed.skippedBecause) {
          progress.clear();
          stderr(`wso2-config-lint: ${displayPath(file, cwd)}: not fixed, ${fixed.skippedBecause}\n`);
        }
        if (fixed.text !== undefined) {
          try {
            await commitChanges(await prepareChanges([{ kind: 'edit', path: file, baseText: parsed.text, replacements: [{ span: { start: 0, end: parsed.text.length }, newText: fixed.text }] }]));
            progress.clear();
            stderr(`wso2-config-lint: fixed ${displayPath(file, cwd)}: ${fixed.applied.join('; ')}\n`);
          } catch (error) {
            if (!(error instanceof WriteError)) throw error;
            progress.clear();
            stderr(`wso2-config-lint: not fixed: ${error.message}\n`);
          }
          disk.forget(file);
          service.clearCaches();
          content = (await disk.read(file)) ?? content;
        }
      }
    }
    const result = await service.analyse({ path: file, content, settings, deferCrossHome: true });
    // Its facts are memoized and no other file's analysis parses it again: let the tree go while it is young.
    service.invalidate(file);
    if (!result.location) {
      // Its root element is someone else's (an unrelated carbon.xml): not ours to judge, as in the editor.
      continue;
    }
    filesChecked++;
    if (result.location.home) homesSeen.add(result.location.home.homeDir);
    findings.push(...cliFindings(result.findings, (kept) => service.fingerprints({ ...result, findings: kept }, relativeForFingerprint(file, cwd), (p) => relativeForFingerprint(p, cwd)), () => result.lines, file));
    if (result.crossHome) crossHome.push({ index, check: result.crossHome, lines: result.lines, file });
  }
  crossHome.sort((a, b) => a.index - b.index);
  for (const { index, check, lines, file } of crossHome) {
    const found = cliFindings(await check.findings(), (kept) => check.fingerprints(kept, relativeForFingerprint(file, cwd), (p) => relativeForFingerprint(p, cwd)), () => lines, file);
    if (found.length > 0) findingsByFile[index] = [...findingsByFile[index], ...found].sort(byPosition);
  }
  progress.update(files.length);
  progress.clear();
  const findings = findingsByFile.flat();

  /** A file's findings as the report gives them (positions 1-based), --quiet applied. */
  function cliFindings(found: readonly Finding[], fingerprintsOf: (kept: Finding[]) => string[], linesOf: () => LineIndex | undefined, file: string): CliFinding[] {
    const kept = values.quiet ? found.filter((f) => f.severity === 'error') : [...found];
    if (kept.length === 0) return [];
    const fingerprints = fingerprintsOf(kept);
    const lines = linesOf();
    const shown = displayPath(file, cwd);
    return kept.map((finding, i) => {
      const start = lines?.positionAt(finding.span.start) ?? { line: 0, character: 0 };
      const end = lines?.positionAt(finding.span.end) ?? start;
      return {
        ruleId: finding.ruleId,
        severity: finding.severity,
        message: finding.message,
        path: shown,
        absolutePath: file,
        line: start.line + 1,
        column: start.character + 1,
        endLine: end.line + 1,
        endColumn: end.character + 1,
        hasRegion: !!lines,
        fingerprint: fingerprints[i],
      };
    });
  }

  const summary = { filesChecked, homes: homesSeen.size };
  const report =
    format === 'json'
      ? formatJson(findings, summary)
      : format === 'sarif'
        ? formatSarif(findings, { toolVersion: VERSION, baseDir: cwd, notifications })
        : formatStylish(findings, summary);
  if (values.output !== undefined) {
    try {
      writeChunks(report, values.output);
    } catch (error) {
      stderr(`wso2-config-lint: cannot write ${values.output} (${(error as NodeJS.ErrnoException).code ?? 'error'})\n`);
      return 2;
    }
  } else {
    for (const batch of batches(report)) stdout(batch);
  }

  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  if (errors === 0 && warnings > maxWarnings) stderr(`wso2-config-lint: ${warnings} warnings, more than --max-warnings ${maxWarnings}\n`);
  return errors > 0 || warnings > maxWarnings ? 1 : 0;
}

/** Report pieces joined into writes of about 1 MB: a large report is never held whole in memory. */
function* batches(chunks: Iterable<string>, size = 1 << 20): Generator<string> {
  let pending: string[] = [];
  let length = 0;
  for (const chunk of chunks) {
    pending.push(chunk);
    length += chunk.length;
    if (length >= size) {
      yield pending.join('');
      pending = [];
      length = 0;
    }
  }
  if (pending.length > 0) yield pending.join('');
}

function writeChunks(chunks: Iterable<string>, file: string): void {
  const fd = fsSync.openSync(file, 'w');
  try {
    for (const batch of batches(chunks)) {
      const bytes = Buffer.from(batch, 'utf8');
      for (let written = 0; written < bytes.length; ) written += fsSync.writeSync(fd, bytes, written);
    }
  } finally {
    fsSync.closeSync(fd);
  }
}

/** The analyzer's order (start, end, rule) in report positions. */
function byPosition(a: CliFinding, b: CliFinding): number {
  return a.line - b.line || a.column - b.column || a.endLine - b.endLine || a.endColumn - b.endColumn || a.ruleId.localeCompare(b.ruleId);
}

function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative.split(path.sep).join('/') : file;
}

/** The path a fingerprint hashes: relative to the folder the CLI runs in (the repository root in CI). */
function relativeForFingerprint(file: string, cwd: string): string {
  return path.relative(cwd, file).split(path.sep).join('/');
}

