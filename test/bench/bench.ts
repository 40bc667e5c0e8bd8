import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as sax from 'sax';
import { Analyzer } from '../../server/src/service/analyzer';
import { mergeSettings } from '../../server/src/service/settings';
import { FileContent, FileSource } from '../../server/src/service/workspace/facts';
import { ProductHome, basename, dirname, homeOfConfDir, locateConfigFile, normalizePath } from '../../server/src/service/workspace/files';
import { corpusDir } from '../helpers';
import { createService } from '../../server/src/service';
import { TempWorkspace, TestServer, fileUri } from '../lsp/client';

/**
 * `npm run bench`: prints figures, asserts nothing. What it measures and how:
 *  (a) time to first diagnostics: from just before spawning the server bin to the first publishDiagnostics of the APIM
 *      2.6.0 carbon.xml (opened in place in the corpus); median of a few runs;
 *  (b) validation time per corpus file, in process: each XML of the corpus analysed 200 times; every run hands the
 *      analyzer a new content version, so it parses and runs every rule again (the other files of the home are parsed
 *      once and cached, as in the editor where one file changes at a time);
 *  (c) throughput on a generated 10 MB axis2.xml (our own text: realistic PassThrough transports with keystore and
 *      truststore passwords, TLS parameters and comments);
 *  (d) a bare sax parse (strict, positions on, no handlers) of the same text, and the ratio full/bare, for the 10 MB
 *      file and for each corpus file;
 *  (e) peak RSS of this process, and of the server process after it validated the 10 MB file (VmHWM, Linux);
 *  (f) deployment.toml validation through the service facade (parse, effective model, every toml rule), for the
 *      largest .toml of the corpus served as `<home>/conf/deployment.toml` of a Micro Integrator home (its own
 *      product's knowledge, bundled); a new content version per run; median and p95 of RUNS runs.
 * Targets (issue 2): APIM axis2.xml median < 5 ms, full/bare < 1.5x, RSS < 100 MB.
 */

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const WARMUP = 20;
const STARTUP_RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 5);
const LARGE_RUNS = 5;
const LARGE_BYTES = 10 * 1024 * 1024;
const MB = 1024 * 1024;

const settings = mergeSettings();

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const ms = (n: number) => n.toFixed(n < 10 ? 2 : 1);
const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

/**
 * Files in memory, read once from where they are (the corpus is never copied anywhere). `current` overlays the file
 * being measured with the version of this run, the way the language server overlays an open document on the disk.
 */
class BenchFileSource implements FileSource {
  private readonly files = new Map<string, string>();
  current: { path: string; content: FileContent } | undefined;

  add(p: string, text: string): void {
    this.files.set(normalizePath(p), text);
  }

  async read(p: string): Promise<FileContent | undefined> {
    if (this.current?.path === p) return this.current.content;
    const text = this.files.get(p);
    return text === undefined ? undefined : { kind: 'text', text, version: 'bench:stable' };
  }

  async exists(p: string): Promise<boolean> {
    if (this.files.has(p)) return true;
    for (const key of this.files.keys()) if (key.startsWith(`${p}/`)) return true;
    return false;
  }

  async list(dir: string): Promise<string[]> {
    const names = new Set<string>();
    for (const key of this.files.keys()) if (dirname(key) === dir) names.add(basename(key));
    return [...names];
  }

  homes(): ProductHome[] {
    const homes = new Map<string, ProductHome>();
    for (const key of this.files.keys()) {
      if (basename(key) !== 'carbon.xml') continue;
      const home = homeOfConfDir(dirname(key));
      if (home) homes.set(home.homeDir, home);
    }
    return [...homes.values()];
  }
}

function xmlFilesUnder(dir: string): string[] {
  const result: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) result.push(...xmlFilesUnder(full));
    else if (entry.isFile() && entry.name.endsWith('.xml')) result.push(full);
  }
  return result.sort();
}

let version = 0;

/** Analyses `text` as the file at `p`, with a content version never seen before (so nothing is served from cache). */
async function analyzeOnce(analyzer: Analyzer, source: BenchFileSource, p: string, text: string): Promise<{ timeMs: number; findings: number }> {
  const content: FileContent = { kind: 'text', text, version: `bench:${++version}` };
  source.current = { path: p, content };
  const start = performance.now();
  const result = await analyzer.analyze(p, content, settings);
  const timeMs = performance.now() - start;
  return { timeMs, findings: result.findings.length };
}

function bareSax(text: string): number {
  const start = performance.now();
  const parser = sax.parser(true, { position: true });
  parser.onerror = () => {
    (parser as unknown as { error: Error | null }).error = null;
  };
  parser.write(text).close();
  return performance.now() - start;
}

interface FileFigures {
  name: string;
  bytes: number;
  findings: number;
  full: number;
  fullP90: number;
  bare: number;
}

async function corpusFigures(corpus: string): Promise<FileFigures[]> {
  const source = new BenchFileSource();
  const files = xmlFilesUnder(corpus).filter((f) => locateConfigFile(normalizePath(f)));
  const texts = new Map<string, string>();
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    texts.set(file, text);
    source.add(file, text);
  }
  const analyzer = new Analyzer({ files: source, knownHomes: () => source.homes(), log: (m) => console.error(`engine log: ${m}`) });
  // Warm the JIT on every file first, so the first files measured are not penalised.
  for (const file of files) for (let i = 0; i < WARMUP; i++) await analyzeOnce(analyzer, source, normalizePath(file), texts.get(file)!);
  for (const file of files) for (let i = 0; i < WARMUP; i++) bareSax(texts.get(file)!);

  const figures: FileFigures[] = [];
  for (const file of files) {
    const text = texts.get(file)!;
    const p = normalizePath(file);
    const full: number[] = [];
    const bare: number[] = [];
    let findings = 0;
    // Interleaved, so a GC pause or a noisy neighbour hits both series alike.
    for (let i = 0; i < RUNS; i++) {
      const run = await analyzeOnce(analyzer, source, p, text);
      full.push(run.timeMs);
      findings = run.findings;
      bare.push(bareSax(text));
    }
    source.current = undefined;
    figures.push({ name: path.relative(corpus, file), bytes: Buffer.byteLength(text), findings, full: median(full), fullP90: percentile(full, 90), bare: median(bare) });
  }
  return figures;
}

/** A realistic axis2.xml of about `targetBytes`: PassThrough transports, keystores, TLS parameters, comments. */
export function generateAxis2(targetBytes: number): string {
  const head = `<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by the wso2-config benchmark: PassThrough transports repeated to reach a large size. -->
<axisconfig name="AxisJava2.0">
    <parameter name="hotdeployment">true</parameter>
    <parameter name="hotupdate">false</parameter>
    <parameter name="enableMTOM">false</parameter>
    <parameter name="ConfigContextTimeoutInterval">30000</parameter>
    <deployer extension=".xsd" directory="schemas" class="org.wso2.carbon.wsdl.deployer.XsdDeployer"/>
`;
  const keystores = (i: number) => `        <parameter name="keystore" locked="false">
            <KeyStore>
                <Location>repository/resources/security/node-${i}.jks</Location>
                <Type>JKS</Type>
                <Password>${i % 3 === 0 ? 'wso2carbon' : `ks-pass-${i}`}</Password>
                <KeyPassword>${i % 3 === 0 ? 'wso2carbon' : `key-pass-${i}`}</KeyPassword>
            </KeyStore>
        </parameter>
        <parameter name="truststore" locked="false">
            <TrustStore>
                <Location>repository/resources/security/client-truststore.jks</Location>
                <Type>JKS</Type>
                <Password>${i % 5 === 0 ? 'wso2carbon' : `ts-pass-${i}`}</Password>
            </TrustStore>
        </parameter>
`;
  const tls = (i: number) =>
    i % 4 === 0
      ? `        <parameter name="HttpsProtocols">TLSv1,TLSv1.1,TLSv1.2</parameter>\n`
      : `        <parameter name="HttpsProtocols">TLSv1.2,TLSv1.3</parameter>
        <parameter name="PreferredCiphers">TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384</parameter>
`;
  const block = (i: number) => `
    <!-- ================================================================== -->
    <!-- Tenant gateway ${i}: non-blocking HTTP and HTTPS (PassThrough)        -->
    <!-- ================================================================== -->
    <transportReceiver name="http-${i}" class="org.apache.synapse.transport.passthru.PassThroughHttpListener">
        <parameter name="port" locked="false">${8280 + (i % 2000)}</parameter>
        <parameter name="non-blocking" locked="false">true</parameter>
        <!--parameter name="bind-address" locked="false">hostname or IP address</parameter-->
        <parameter name="httpGetProcessor" locked="false">org.wso2.carbon.mediation.transport.handlers.PassThroughNHttpGetProcessor</parameter>
    </transportReceiver>
    <transportReceiver name="https-${i}" class="org.apache.synapse.transport.passthru.PassThroughHttpSSLListener">
        <parameter name="port" locked="false">${12243 + (i % 2000)}</parameter>
        <parameter name="non-blocking" locked="false">true</parameter>
        <parameter name="httpGetProcessor" locked="false">org.wso2.carbon.mediation.transport.handlers.PassThroughNHttpGetProcessor</parameter>
${tls(i)}${keystores(i)}        <!--<parameter name="SSLVerifyClient">require</parameter>
            supports optional|require or defaults to none; sample: <Password>not-a-real-one</Password> -->
    </transportReceiver>
    <transportSender name="https-${i}" class="org.apache.synapse.transport.passthru.PassThroughHttpSSLSender">
        <parameter name="non-blocking" locked="false">true</parameter>
        <parameter name="HostnameVerifier">DefaultAndLocalhost</parameter>
${keystores(i)}        <!--parameter name="HostnameVerifier">Strict</parameter-->
    </transportSender>
`;
  const tail = '</axisconfig>\n';
  const parts = [head];
  let size = head.length + tail.length;
  for (let i = 0; size < targetBytes; i++) {
    const b = block(i);
    parts.push(b);
    size += b.length;
  }
  parts.push(tail);
  return parts.join('');
}

async function largeFigures(text: string): Promise<{ full: number; bare: number; findings: number }> {
  const source = new BenchFileSource();
  const p = '/bench/large/repository/conf/axis2/axis2.xml';
  source.add('/bench/large/repository/conf/carbon.xml', '<Server xmlns="http://wso2.org/projects/carbon/carbon.xml"><Ports><Offset>0</Offset></Ports></Server>');
  const analyzer = new Analyzer({ files: source, knownHomes: () => source.homes() });
  const full: number[] = [];
  const bare: number[] = [];
  let findings = 0;
  await analyzeOnce(analyzer, source, p, text); // warm-up
  bareSax(text);
  for (let i = 0; i < LARGE_RUNS; i++) {
    const run = await analyzeOnce(analyzer, source, p, text);
    full.push(run.timeMs);
    findings = run.findings;
    bare.push(bareSax(text));
  }
  return { full: median(full), bare: median(bare), findings };
}

/** VmHWM / VmRSS of a process, in MB (Linux); undefined elsewhere. */
function procMemory(pid: number): { hwm: number; rss: number } | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return { hwm: kb('VmHWM') / 1024, rss: kb('VmRSS') / 1024 };
  } catch {
    return undefined;
  }
}

async function startupFigures(corpus: string): Promise<{ initialize: number[]; firstDiagnostics: number[]; hwm: number | undefined }> {
  const home = path.join(corpus, 'apim-2.6.0');
  const file = path.join(home, 'repository', 'conf', 'carbon.xml');
  const text = fs.readFileSync(file, 'utf8');
  const initialize: number[] = [];
  const firstDiagnostics: number[] = [];
  let hwm: number | undefined;
  for (let i = 0; i < STARTUP_RUNS; i++) {
    const start = performance.now();
    const server = TestServer.start();
    try {
      await server.initialize({ rootPath: home });
      initialize.push(performance.now() - start);
      const uri = fileUri(file);
      const published = server.waitForDiagnostics(uri);
      await server.open(uri, text, 1);
      await published;
      firstDiagnostics.push(performance.now() - start);
      hwm = procMemory(server.child.pid!)?.hwm;
      await server.shutdown();
    } finally {
      await server.dispose();
    }
  }
  return { initialize, firstDiagnostics, hwm };
}

async function serverLargeFigures(text: string): Promise<{ timeMs: number; diagnostics: number; hwm: number | undefined; rss: number | undefined }> {
  const workspace = new TempWorkspace({
    'large/repository/conf/carbon.xml': '<Server xmlns="http://wso2.org/projects/carbon/carbon.xml"><Ports><Offset>0</Offset></Ports></Server>\n',
    'large/repository/conf/axis2/axis2.xml': text,
  });
  const server = TestServer.start();
  try {
    await server.initialize({ rootPath: workspace.root });
    const uri = workspace.uri('large/repository/conf/axis2/axis2.xml');
    const start = performance.now();
    const published = server.waitForDiagnostics(uri, undefined, { timeoutMs: 120_000 });
    await server.open(uri, text, 1);
    const publish = await published;
    const timeMs = performance.now() - start;
    const memory = procMemory(server.child.pid!);
    await server.shutdown();
    return { timeMs, diagnostics: publish.diagnostics.length, hwm: memory?.hwm, rss: memory?.rss };
  } finally {
    await server.dispose();
    workspace.remove();
  }
}

function tomlFilesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...tomlFilesUnder(full));
    else if (entry.isFile() && entry.name.endsWith('.toml')) found.push(full);
  }
  return found;
}

/** (f): the largest corpus .toml, analysed RUNS times through the facade as a Micro Integrator home's deployment.toml. */
export async function tomlFigures(corpus: string): Promise<{ name: string; bytes: number; findings: number; median: number; p95: number } | undefined> {
  const files = tomlFilesUnder(corpus).map((f) => ({ f, size: fs.statSync(f).size })).sort((a, b) => b.size - a.size);
  if (files.length === 0) return undefined;
  const largest = files[0].f;
  const text = fs.readFileSync(largest, 'utf8');
  const virtual = '/bench/wso2mi-4.4.0/conf/deployment.toml';
  const source: FileSource = {
    read: async (p) => (p === virtual ? { kind: 'text', text, version: '0' } : undefined),
    exists: async (p) => p === virtual,
    list: async () => [],
  };
  const service = createService({ files: source });
  const times: number[] = [];
  let findings = 0;
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const content: FileContent = { kind: 'text', text, version: String(i) };
    const start = performance.now();
    const result = await service.analyse({ path: virtual, content, settings });
    const elapsed = performance.now() - start;
    findings = result.findings.length;
    if (i >= WARMUP) times.push(elapsed);
  }
  return { name: path.relative(corpus, largest), bytes: Buffer.byteLength(text), findings, median: median(times), p95: percentile(times, 95) };
}

function verdict(ok: boolean | undefined): string {
  return ok === undefined ? 'n/a' : ok ? 'ok' : 'MISSED';
}

async function main(): Promise<void> {
  const corpus = corpusDir();
  console.log(`wso2-config benchmark — node ${process.version}, ${process.platform}/${process.arch}, ${RUNS} runs per corpus file\n`);

  let startup: Awaited<ReturnType<typeof startupFigures>> | undefined;
  let files: FileFigures[] = [];
  if (corpus) {
    startup = await startupFigures(corpus);
    console.log('(a) time to first diagnostics (server bin spawned -> first publishDiagnostics of apim-2.6.0 carbon.xml)');
    console.log(`    initialize answered: median ${ms(median(startup.initialize))} ms   first diagnostics: median ${ms(median(startup.firstDiagnostics))} ms` +
      `   (runs: ${startup.firstDiagnostics.map((t) => ms(t)).join(', ')} ms)\n`);

    files = await corpusFigures(corpus);
    console.log('(b) validation per corpus file (parse + every rule; median of', RUNS, 'runs), and (d) bare sax parse of the same text');
    console.log(`    ${pad('file', 64)} ${lpad('KB', 6)} ${lpad('findings', 8)} ${lpad('full ms', 8)} ${lpad('p90 ms', 7)} ${lpad('sax ms', 7)} ${lpad('ratio', 6)}`);
    for (const f of files) {
      console.log(`    ${pad(f.name, 64)} ${lpad((f.bytes / 1024).toFixed(1), 6)} ${lpad(String(f.findings), 8)} ${lpad(ms(f.full), 8)} ${lpad(ms(f.fullP90), 7)} ${lpad(ms(f.bare), 7)} ${lpad((f.full / f.bare).toFixed(2), 6)}`);
    }
    const totalFull = files.reduce((s, f) => s + f.full, 0);
    const totalBare = files.reduce((s, f) => s + f.bare, 0);
    console.log(`    ${pad('all corpus files (sum of medians)', 64)} ${lpad((files.reduce((s, f) => s + f.bytes, 0) / 1024).toFixed(1), 6)} ${lpad('', 8)} ${lpad(ms(totalFull), 8)} ${lpad('', 7)} ${lpad(ms(totalBare), 7)} ${lpad((totalFull / totalBare).toFixed(2), 6)}\n`);
  } else {
    console.log('(a), (b): skipped — the corpus (../shared/corpus beside the project) is not available\n');
  }

  const toml = corpus ? await tomlFigures(corpus) : undefined;
  if (toml) {
    console.log(`(f) deployment.toml validation (facade: parse + model + every toml rule), ${toml.name}, ${(toml.bytes / 1024).toFixed(1)} KB, ${toml.findings} findings`);
    console.log(`    median ${ms(toml.median)} ms   p95 ${ms(toml.p95)} ms   (${RUNS} runs)\n`);
  } else {
    console.log('(f): skipped — no .toml in the corpus\n');
  }

  // maxRSS is a peak: read now, it covers start-up and the corpus runs, before the 10 MB file is built.
  const corpusPhaseRss = process.resourceUsage().maxRSS / 1024;
  const large = generateAxis2(LARGE_BYTES);
  const largeMb = Buffer.byteLength(large) / MB;
  const inProcess = await largeFigures(large);
  console.log(`(c) generated axis2.xml, ${largeMb.toFixed(1)} MB, ${inProcess.findings} findings (median of ${LARGE_RUNS} runs)`);
  console.log(`    full validation ${ms(inProcess.full)} ms = ${(largeMb / (inProcess.full / 1000)).toFixed(1)} MB/s;  (d) bare sax ${ms(inProcess.bare)} ms = ${(largeMb / (inProcess.bare / 1000)).toFixed(1)} MB/s;  ratio ${(inProcess.full / inProcess.bare).toFixed(2)}x\n`);

  const benchRss = process.resourceUsage().maxRSS / 1024;
  const serverLarge = await serverLargeFigures(large);
  console.log('(e) peak RSS');
  console.log(`    this benchmark process (maxRSS): ${corpusPhaseRss.toFixed(1)} MB through the corpus runs, ${benchRss.toFixed(1)} MB after the 10 MB file`);
  console.log(`    server after the first diagnostics of carbon.xml (VmHWM): ${startup?.hwm !== undefined ? `${startup.hwm.toFixed(1)} MB` : 'n/a'}`);
  console.log(`    server after validating the 10 MB axis2.xml over LSP: VmHWM ${serverLarge.hwm?.toFixed(1) ?? 'n/a'} MB, VmRSS ${serverLarge.rss?.toFixed(1) ?? 'n/a'} MB` +
    ` (didOpen -> publish ${ms(serverLarge.timeMs)} ms, ${serverLarge.diagnostics} diagnostics)\n`);

  const apimAxis2 = files.find((f) => f.name === path.join('apim-2.6.0', 'repository', 'conf', 'axis2', 'axis2.xml'));
  const corpusRatio = files.length ? files.reduce((s, f) => s + f.full, 0) / files.reduce((s, f) => s + f.bare, 0) : undefined;
  const worstRatio = files.length ? Math.max(...files.map((f) => f.full / f.bare)) : undefined;
  console.log('Targets');
  const rows: [string, string, string, boolean | undefined][] = [
    ['APIM 2.6.0 axis2.xml median validation', '< 5 ms', apimAxis2 ? `${ms(apimAxis2.full)} ms` : 'n/a', apimAxis2 ? apimAxis2.full < 5 : undefined],
    ['full / bare sax, 10 MB axis2.xml', '< 1.5x', `${(inProcess.full / inProcess.bare).toFixed(2)}x`, inProcess.full / inProcess.bare < 1.5],
    ['full / bare sax, corpus (sum of medians)', '< 1.5x', corpusRatio ? `${corpusRatio.toFixed(2)}x` : 'n/a', corpusRatio ? corpusRatio < 1.5 : undefined],
    ['full / bare sax, corpus (worst file)', '< 1.5x', worstRatio ? `${worstRatio.toFixed(2)}x` : 'n/a', worstRatio ? worstRatio < 1.5 : undefined],
    ['peak RSS, benchmark process, corpus runs', '< 100 MB', `${corpusPhaseRss.toFixed(1)} MB`, corpusPhaseRss < 100],
    ['peak RSS, benchmark process, 10 MB file', '< 100 MB', `${benchRss.toFixed(1)} MB`, benchRss < 100],
    ['peak RSS, server after carbon.xml', '< 100 MB', startup?.hwm !== undefined ? `${startup.hwm.toFixed(1)} MB` : 'n/a', startup?.hwm !== undefined ? startup.hwm < 100 : undefined],
    ['peak RSS, server with the 10 MB file open', '< 100 MB', serverLarge.hwm !== undefined ? `${serverLarge.hwm.toFixed(1)} MB` : 'n/a', serverLarge.hwm !== undefined ? serverLarge.hwm < 100 : undefined],
    ['time to first diagnostics', '(no target)', startup ? `${ms(median(startup.firstDiagnostics))} ms` : 'n/a', undefined],
    ['deployment.toml validation, median / p95', '(no target)', toml ? `${ms(toml.median)} / ${ms(toml.p95)} ms` : 'n/a', undefined],
  ];
  console.log(`    ${pad('measure', 44)} ${pad('target', 12)} ${pad('measured', 12)} verdict`);
  for (const [what, target, measured, ok] of rows) console.log(`    ${pad(what, 44)} ${pad(target, 12)} ${pad(measured, 12)} ${ok === undefined && target.startsWith('(') ? '' : verdict(ok)}`);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
