import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { walkTargets } from '../../server/src/cli/walk';
import { locateConfigFile } from '../../server/src/service/workspace/files';
import { corpusDir, projectRoot } from '../helpers';
import { TestServer, fileUri } from '../lsp/client';

/**
 * `npm run bench:cli`: prints figures, asserts nothing. Needs the bundle (`node esbuild.mjs`, part of npm run build).
 *
 *  (a) CLI at scale: a tree of COPIES (100) copies of the corpus product homes, generated in a temp folder at run
 *      time and removed after. The bundled bin (`node bin/wso2-config-lint --format json --output <tmp>`) is timed
 *      (wall clock) and its peak RSS taken (/usr/bin/time -v when present, else VmHWM polled from /proc), against a
 *      bare parse of the same files in a node process of its own (sax, strict, positions on, no handlers, for the XML;
 *      the .properties files read and split into lines), run alternately in the same session. Ratio target: < 1.5x.
 *      Also shown: the ratio to sax run on every file, .properties included, the baseline of earlier figures. Node's own start-up (`node -e 0`) is shown too, with
 *      the ratio net of it.
 *  (c) The cost curve in homes: trees of BENCH_CURVE homes (default 10,30,90), the corpus homes copied round-robin,
 *      every home at offset 0 as in the corpus (the worst case: each home shares its ports with every other), the CLI
 *      with every rule against the bare sax parse of the same files, medians of BENCH_CURVE_RUNS (3) alternated runs.
 *      Linear cost shows as a flat "ms per home".
 *  (b) Server keystroke latency on the largest corpus file: the server bin is spawned, the file opened (in place),
 *      then one-character edits are sent as didChange; the time to the publishDiagnostics of that version is
 *      measured. The server debounces changes by 200 ms: figures are given raw and minus the debounce.
 *
 * BENCH_PARTS (default `cli,keystrokes`) picks the parts: `cli` is (a) and (c), `keystrokes` is (b); e.g.
 * `BENCH_PARTS=keystrokes BENCH_KEYSTROKES=100` times the server alone (it needs dist/server.js only).
 */

const COPIES = Number(process.env.BENCH_COPIES ?? 100);
const CLI_RUNS = Number(process.env.BENCH_CLI_RUNS ?? 5);
const KEYSTROKES = Number(process.env.BENCH_KEYSTROKES ?? 30);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'cli,keystrokes').split(',').map((part) => part.trim()));
const DEBOUNCE_MS = 200;
const CURVE = (process.env.BENCH_CURVE ?? '10,30,90').split(',').map(Number).filter((n) => n > 0);
const CURVE_RUNS = Number(process.env.BENCH_CURVE_RUNS ?? 3);
const BIN = process.env.WSO2_LINT_BIN ?? path.join(projectRoot(), 'bin', 'wso2-config-lint');

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];
const ms = (n: number) => n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0);
const mb = (kb: number) => (kb / 1024).toFixed(1);

interface Measured {
  wallMs: number;
  /** Peak resident set size, kB. */
  peakKb: number | undefined;
  code: number | null;
  stderr: string;
}

const HAVE_TIME = fs.existsSync('/usr/bin/time');

/** Runs a command, timing the wall clock here and taking peak RSS from /usr/bin/time -v (or /proc VmHWM polling). */
function measure(command: string, args: string[], cwd: string): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = HAVE_TIME ? spawn('/usr/bin/time', ['-v', command, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] }) : spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let polled: number | undefined;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const poll = HAVE_TIME
      ? undefined
      : setInterval(() => {
          try {
            const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
            const hwm = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]);
            if (hwm) polled = Math.max(polled ?? 0, hwm);
          } catch {
            // exited
          }
        }, 5);
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (poll) clearInterval(poll);
      const fromTime = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1];
      resolve({ wallMs, peakKb: fromTime ? Number(fromTime) : polled, code, stderr: stderr.replace(/\n\tCommand being timed[\s\S]*$/, '') });
    });
  });
}

/** The corpus homes: folders with repository/conf/carbon.xml. */
function corpusHomes(corpus: string): string[] {
  return fs
    .readdirSync(corpus, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(corpus, e.name, 'repository', 'conf', 'carbon.xml')))
    .map((e) => e.name)
    .sort();
}

/** Each copy holds every corpus home's conf folder (the files the CLI reads), under copy-NNN/<home>/repository/conf. */
function buildTree(corpus: string, homes: string[], root: string): void {
  for (let i = 0; i < COPIES; i++) {
    for (const home of homes) {
      fs.cpSync(path.join(corpus, home, 'repository', 'conf'), path.join(root, `copy-${String(i).padStart(3, '0')}`, home, 'repository', 'conf'), { recursive: true });
    }
  }
}

/** A tree of exactly `count` homes: the corpus homes copied round-robin (copy-NNN/<home>). */
function buildHomes(corpus: string, homes: string[], root: string, count: number): void {
  for (let i = 0; i < count; i++) {
    const home = homes[i % homes.length];
    const copy = Math.floor(i / homes.length);
    fs.cpSync(path.join(corpus, home, 'repository', 'conf'), path.join(root, `copy-${String(copy).padStart(3, '0')}`, home, 'repository', 'conf'), { recursive: true });
  }
}

interface CurvePoint {
  homes: number;
  files: number;
  bytes: number;
  cli: number;
  sax: number;
}

async function curveFigures(corpus: string, tmp: string): Promise<CurvePoint[]> {
  const homes = corpusHomes(corpus);
  const script = baselineScript(tmp, 'fair');
  const points: CurvePoint[] = [];
  for (const count of CURVE) {
    const tree = path.join(tmp, `curve-${count}`);
    buildHomes(corpus, homes, tree, count);
    const { files } = await walkTargets([tree]);
    const list = path.join(tmp, `curve-${count}.txt`);
    fs.writeFileSync(list, files.join('\n'));
    const bytes = files.reduce((sum, f) => sum + fs.statSync(f).size, 0);
    const cliArgs = [BIN, '--format', 'json', '--output', path.join(tmp, `curve-${count}.json`), tree];
    await measure(process.execPath, cliArgs, tmp);
    await measure(process.execPath, [script, list], tmp);
    const cli: number[] = [];
    const sax: number[] = [];
    for (let i = 0; i < CURVE_RUNS; i++) {
      const run = await measure(process.execPath, cliArgs, tmp);
      if (run.code !== 0 && run.code !== 1) throw new Error(`the CLI failed (exit ${run.code}):\n${run.stderr}`);
      cli.push(run.wallMs);
      sax.push((await measure(process.execPath, [script, list], tmp)).wallMs);
    }
    points.push({ homes: count, files: files.length, bytes, cli: median(cli), sax: median(sax) });
    fs.rmSync(tree, { recursive: true, force: true });
  }
  return points;
}

/**
 * The baselines: read each listed file and parse it, nothing else (written to the temp folder at run time).
 *  - `sax`: every file through sax, .properties files included. sax meets a .properties file as text before any root
 *    element and raises an error per character, each an Error object with a stack: on the corpus tree that costs
 *    about as much as all the XML (measured: 86 KB of .properties, 200 ms of a 550 ms baseline).
 *  - `fair` (the one the target is read against): the XML files through sax, the .properties files read and split
 *    into lines, which is what parsing them takes.
 */
function baselineScript(dir: string, mode: 'sax' | 'fair'): string {
  const file = path.join(dir, `bare-${mode}.js`);
  fs.writeFileSync(
    file,
    `const fs = require('fs');
const sax = require(${JSON.stringify(require.resolve('sax'))});
const files = fs.readFileSync(process.argv[2], 'utf8').split('\\n').filter(Boolean);
let elements = 0;
let lines = 0;
for (const f of files) {
  const bytes = fs.readFileSync(f);
  if (${mode === 'fair' ? 'true' : 'false'} && f.endsWith('.properties')) {
    lines += bytes.toString('latin1').split('\\n').length;
    continue;
  }
  const parser = sax.parser(true, { position: true });
  parser.onerror = () => { parser.error = null; };
  parser.onopentag = () => { elements++; };
  parser.write(bytes.toString('utf8')).close();
}
process.stderr.write('elements ' + elements + ', properties lines ' + lines + '\\n');
`,
  );
  return file;
}

interface CliFigures {
  files: number;
  bytes: number;
  homes: number;
  findings: number;
  findingsWithoutConflicts: number;
  reportBytes: number;
  cli: Measured[];
  cliWithoutConflicts: Measured[];
  /** The target's baseline: XML through sax, .properties read and split into lines. */
  fair: Measured[];
  /** Every file through sax (the baseline of earlier figures; see baselineScript). */
  sax: Measured[];
  startup: Measured[];
}

async function cliFigures(corpus: string, tmp: string): Promise<CliFigures> {
  const homes = corpusHomes(corpus);
  const tree = path.join(tmp, 'tree');
  buildTree(corpus, homes, tree);
  const { files } = await walkTargets([tree]);
  const list = path.join(tmp, 'files.txt');
  fs.writeFileSync(list, files.join('\n'));
  const bytes = files.reduce((sum, f) => sum + fs.statSync(f).size, 0);
  const script = baselineScript(tmp, 'sax');
  const fairScript = baselineScript(tmp, 'fair');
  const report = path.join(tmp, 'report.json');
  const cliArgs = [BIN, '--format', 'json', '--output', report, tree];
  // The copies all run at offset 0, so every home conflicts with every other: N-1 port-conflict findings per home.
  const quietArgs = [...cliArgs, '--rule', 'port-conflict=off'];

  // One untimed run of each warms the file cache (and gives the finding counts).
  await measure(process.execPath, quietArgs, tmp);
  const findingsWithoutConflicts = (JSON.parse(fs.readFileSync(report, 'utf8')) as { findings: unknown[] }).findings.length;
  await measure(process.execPath, cliArgs, tmp);
  const reportBytes = fs.statSync(report).size;
  const findings = (JSON.parse(fs.readFileSync(report, 'utf8')) as { findings: unknown[] }).findings.length;
  await measure(process.execPath, [script, list], tmp);
  await measure(process.execPath, [fairScript, list], tmp);

  const cli: Measured[] = [];
  const cliWithoutConflicts: Measured[] = [];
  const fair: Measured[] = [];
  const sax: Measured[] = [];
  const startup: Measured[] = [];
  for (let i = 0; i < CLI_RUNS; i++) {
    // Alternated, so drift in the machine's load hits every series alike.
    cli.push(await measure(process.execPath, cliArgs, tmp));
    cliWithoutConflicts.push(await measure(process.execPath, quietArgs, tmp));
    fair.push(await measure(process.execPath, [fairScript, list], tmp));
    sax.push(await measure(process.execPath, [script, list], tmp));
    startup.push(await measure(process.execPath, ['-e', '0'], tmp));
  }
  const failed = [...cli, ...cliWithoutConflicts].find((m) => m.code !== 0 && m.code !== 1);
  if (failed) throw new Error(`the CLI failed (exit ${failed.code}):\n${failed.stderr}`);
  return { files: files.length, bytes, homes: homes.length * COPIES, findings, findingsWithoutConflicts, reportBytes, cli, cliWithoutConflicts, fair, sax, startup };
}

async function keystrokeFigures(corpus: string): Promise<{ file: string; bytes: number; raw: number[]; diagnostics: number }> {
  // The largest configuration file of the corpus, opened where it is (the server only reads the disk).
  const { files } = await walkTargets([corpus]);
  const largest = files.map((f) => ({ f, size: fs.statSync(f).size })).sort((a, b) => b.size - a.size)[0];
  const text = fs.readFileSync(largest.f, 'latin1');
  const home = locateConfigFile(largest.f)?.home?.homeDir ?? path.dirname(largest.f);
  const server = TestServer.start();
  const raw: number[] = [];
  let diagnostics = 0;
  try {
    await server.initialize({ rootPath: home });
    const uri = fileUri(largest.f);
    const first = server.waitForDiagnostics(uri);
    await server.open(uri, text, 1);
    diagnostics = (await first).diagnostics.length;
    // Each keystroke types one character at the end of the first comment's first line: an edit that changes nothing
    // the rules look at, as most keystrokes do, and the whole document is validated again all the same.
    const at = text.indexOf('\n', text.indexOf('<!--'));
    const line = text.slice(0, at).split('\n').length - 1;
    const character = at - (text.lastIndexOf('\n', at - 1) + 1);
    for (let i = 0; i < KEYSTROKES; i++) {
      const version = i + 2;
      const published = server.waitForDiagnostics(uri, (p) => p.version === version, { timeoutMs: 10_000 });
      const started = performance.now();
      await server.change(uri, version, [{ range: { start: { line, character: character + i }, end: { line, character: character + i } }, text: 'x' }]);
      await published;
      raw.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await server.shutdown();
  } finally {
    await server.dispose();
  }
  return { file: path.relative(corpus, largest.f), bytes: largest.size, raw, diagnostics };
}

async function printKeystrokeFigures(corpus: string): Promise<void> {
  const k = await keystrokeFigures(corpus);
  const net = k.raw.map((t) => t - DEBOUNCE_MS);
  const figures = (values: number[]) => `median ${ms(median(values))} ms, p90 ${ms(percentile(values, 90))} ms, p95 ${ms(percentile(values, 95))} ms, max ${ms(Math.max(...values))} ms`;
  console.log(`\n(b) server keystroke latency on the largest corpus file, ${k.file} (${(k.bytes / 1024).toFixed(1)} KB, ${k.diagnostics} diagnostics), ${k.raw.length} one-character edits`);
  console.log(`    didChange -> publishDiagnostics of that version: ${figures(k.raw)} (raw, ${DEBOUNCE_MS} ms debounce included)`);
  console.log(`    minus the ${DEBOUNCE_MS} ms debounce: ${figures(net)} (target: p95 < 10 ms)`);
}

async function main(): Promise<void> {
  const corpus = corpusDir();
  console.log(`wso2-config-lint benchmark — node ${process.version}, ${process.platform}/${process.arch}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`);
  if (!corpus) {
    console.log('skipped: the corpus (../shared/corpus beside the project) is not available');
    return;
  }
  if (!PARTS.has('cli')) {
    if (PARTS.has('keystrokes')) await printKeystrokeFigures(corpus);
    return;
  }
  if (!fs.existsSync(path.join(projectRoot(), 'dist', 'cli.js')) && !process.env.WSO2_LINT_BIN) {
    console.log('skipped: dist/cli.js is missing (run `node esbuild.mjs` or `npm run build` first)');
    return;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wso2-cli-bench-'));
  try {
    const f = await cliFigures(corpus, tmp);
    const saxWall = median(f.fair.map((m) => m.wallMs));
    const allSaxWall = median(f.sax.map((m) => m.wallMs));
    const startWall = median(f.startup.map((m) => m.wallMs));
    const peak = (runs: Measured[]) => (runs.every((m) => m.peakKb !== undefined) ? Math.max(...runs.map((m) => m.peakKb!)) : undefined);
    const saxPeak = peak(f.fair);
    console.log(`\n(a) ${COPIES} copies of the ${f.homes / COPIES} corpus homes: ${f.homes} product homes, ${f.files} configuration files, ${mb(f.bytes / 1024)} MB`);
    console.log(`    findings: ${f.findings} with every rule (JSON report ${mb(f.reportBytes / 1024)} MB), ${f.findingsWithoutConflicts} with port-conflict off`);
    console.log(`    (every copy runs at offset 0, so each home conflicts with the ${f.homes - 1} others: port-conflict names ${10} per carbon.xml and counts the rest)`);
    console.log(`    peak RSS measured with ${HAVE_TIME ? '/usr/bin/time -v (maximum resident set size)' : '/proc/<pid>/status VmHWM polling every 5 ms'}; wall clock medians of ${CLI_RUNS} alternated runs`);
    console.log(`    ${'process'.padEnd(50)} ${'wall ms'.padStart(9)} ${'min'.padStart(7)} ${'max'.padStart(7)} ${'peak RSS MB'.padStart(12)} ${'vs sax'.padStart(7)} ${'net'.padStart(6)} ${'vs all-sax'.padStart(10)}`);
    const row = (label: string, runs: Measured[], compare: boolean) => {
      const walls = runs.map((m) => m.wallMs);
      const wall = median(walls);
      const p = peak(runs);
      const ratio = compare ? `${(wall / saxWall).toFixed(2)}x` : '';
      const net = compare ? `${((wall - startWall) / Math.max(1, saxWall - startWall)).toFixed(2)}x` : '';
      const allSax = compare ? `${(wall / allSaxWall).toFixed(2)}x` : '';
      console.log(`    ${label.padEnd(50)} ${ms(wall).padStart(9)} ${ms(Math.min(...walls)).padStart(7)} ${ms(Math.max(...walls)).padStart(7)} ${(p === undefined ? 'n/a' : mb(p)).padStart(12)} ${ratio.padStart(7)} ${net.padStart(6)} ${allSax.padStart(10)}`);
      return { wall, peak: p };
    };
    const all = row('wso2-config-lint, every rule (bundled bin, json)', f.cli, true);
    const quiet = row('wso2-config-lint, --rule port-conflict=off', f.cliWithoutConflicts, true);
    row('bare parse: sax on the XML, .properties split in lines', f.fair, false);
    row('every file through sax, .properties included', f.sax, false);
    row('node -e 0 (start-up alone)', f.startup, false);
    console.log('    "vs sax": wall clock ratio to the bare parse (target < 1.5x); "net": the same with node\'s start-up taken off both;');
    console.log('    "vs all-sax": the ratio to sax run on every file, .properties included (sax then raises an error per character)');
    for (const [label, m] of [['every rule', all], ['port-conflict off', quiet]] as const) {
      console.log(`    ${label}: ${(m.wall / saxWall < 1.5 ? 'target met' : 'target MISSED').padEnd(13)} ${(f.files / (m.wall / 1000)).toFixed(0)} files/s; peak RSS ${m.peak !== undefined && saxPeak !== undefined ? `${(m.peak / saxPeak).toFixed(2)}x the bare parse's` : 'n/a'}`);
    }

    if (CURVE.length > 0) {
      const startup = median(f.startup.map((m) => m.wallMs));
      const points = await curveFigures(corpus, tmp);
      console.log(`\n(c) cost in homes (every home at offset 0, every rule; medians of ${CURVE_RUNS} alternated runs; node start-up ${ms(startup)} ms taken off for "ms per home")`);
      console.log(`    ${'homes'.padStart(6)} ${'files'.padStart(6)} ${'MB'.padStart(6)} ${'CLI ms'.padStart(8)} ${'sax ms'.padStart(8)} ${'vs sax'.padStart(7)} ${'CLI ms per home'.padStart(16)} ${'sax ms per home'.padStart(16)}`);
      for (const p of points) {
        console.log(
          `    ${String(p.homes).padStart(6)} ${String(p.files).padStart(6)} ${mb(p.bytes / 1024).padStart(6)} ${ms(p.cli).padStart(8)} ${ms(p.sax).padStart(8)} ${`${(p.cli / p.sax).toFixed(2)}x`.padStart(7)} ${ms((p.cli - startup) / p.homes).padStart(16)} ${ms((p.sax - startup) / p.homes).padStart(16)}`,
        );
      }
    }

    if (PARTS.has('keystrokes')) await printKeystrokeFigures(corpus);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
