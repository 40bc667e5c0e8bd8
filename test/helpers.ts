import * as path from 'node:path';
import * as fs from 'node:fs';
import { Analyzer, AnalysisResult } from '../server/src/service/analyzer';
import { PartialSettings, mergeSettings } from '../server/src/service/settings';
import { Finding } from '../server/src/service/types';
import { FileContent, FileSource } from '../server/src/service/workspace/facts';
import { ProductHome, basename, dirname, homeOfConfDir, normalizePath } from '../server/src/service/workspace/files';

/** An in-memory file tree for tests: absolute POSIX paths to text or bytes. */
export class MemoryFileSource implements FileSource {
  private readonly files = new Map<string, string | Uint8Array>();
  private revision = 0;

  constructor(files: Record<string, string | Uint8Array> = {}) {
    for (const [p, content] of Object.entries(files)) this.files.set(normalizePath(p), content);
  }

  set(p: string, content: string | Uint8Array): void {
    this.files.set(normalizePath(p), content);
    this.revision++;
  }

  delete(p: string): void {
    this.files.delete(normalizePath(p));
    this.revision++;
  }

  paths(): string[] {
    return [...this.files.keys()];
  }

  async read(p: string): Promise<FileContent | undefined> {
    const content = this.files.get(normalizePath(p));
    if (content === undefined) return undefined;
    const version = `mem:${this.revision}:${typeof content === 'string' ? content.length : content.byteLength}`;
    return typeof content === 'string' ? { kind: 'text', text: content, version } : { kind: 'bytes', bytes: content, version };
  }

  async exists(p: string): Promise<boolean> {
    const wanted = normalizePath(p);
    if (this.files.has(wanted)) return true;
    for (const key of this.files.keys()) if (key.startsWith(`${wanted}/`)) return true;
    return false;
  }

  async list(dir: string): Promise<string[]> {
    const prefix = `${normalizePath(dir)}/`;
    const names = new Set<string>();
    for (const key of this.files.keys()) if (key.startsWith(prefix)) names.add(key.slice(prefix.length).split('/')[0]);
    return [...names];
  }

  /** Product homes: folders whose conf holds a carbon.xml. */
  homes(): ProductHome[] {
    const homes: ProductHome[] = [];
    for (const key of this.files.keys()) {
      if (basename(key) !== 'carbon.xml') continue;
      const home = homeOfConfDir(dirname(key));
      if (home) homes.push(home);
    }
    return homes;
  }
}

export interface TestFinding {
  ruleId: string;
  /** 1-based, as editors show it. */
  line: number;
  severity: string;
  message: string;
  /** The document text the finding covers. */
  covered: string;
  finding: Finding;
}

export interface TestAnalysis {
  result: AnalysisResult;
  findings: TestFinding[];
}

/** Analyses `target` in a memory tree holding `files`, with every home of the tree known to the workspace. */
export async function analyzeIn(files: MemoryFileSource | Record<string, string | Uint8Array>, target: string, settings: PartialSettings = {}): Promise<TestAnalysis> {
  const source = files instanceof MemoryFileSource ? files : new MemoryFileSource(files);
  const analyzer = new Analyzer({ files: source, knownHomes: () => source.homes(), log: (m) => { throw new Error(m); } });
  const content = await source.read(target);
  if (!content) throw new Error(`no such test file ${target}`);
  const result = await analyzer.analyze(target, content, mergeSettings(settings));
  return { result, findings: describe(result) };
}

/** Analyses one document placed at `confRelativePath` under `/test/product/repository/conf`. */
export async function analyzeText(confRelativePath: string, text: string, settings: PartialSettings = {}, extraFiles: Record<string, string> = {}): Promise<TestAnalysis> {
  const target = `/test/product/repository/conf/${confRelativePath}`;
  return analyzeIn({ ...extraFiles, [target]: text }, target, settings);
}

export function describe(result: AnalysisResult): TestFinding[] {
  const doc = result.doc;
  return result.findings.map((finding) => ({
    ruleId: finding.ruleId,
    line: doc ? doc.lines.positionAt(finding.span.start).line + 1 : 1,
    severity: finding.severity,
    message: finding.message,
    covered: doc ? doc.text.slice(finding.span.start, finding.span.end) : '',
    finding,
  }));
}

export function only(findings: TestFinding[], ruleId: string): TestFinding[] {
  return findings.filter((f) => f.ruleId === ruleId);
}

/** `../shared/corpus` beside the clone, or undefined (tests then skip and say so). */
export function corpusDir(): string | undefined {
  const candidate = path.resolve(projectRoot(), '..', 'shared', 'corpus');
  return fs.existsSync(candidate) ? candidate : undefined;
}

/** Tests run from the project root (npm test); compiled output may live elsewhere. */
export function projectRoot(): string {
  return process.env.WSO2_CONFIG_ROOT ?? process.cwd();
}
