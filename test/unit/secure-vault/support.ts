import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { after } from 'node:test';
import { Analyzer } from '../../../server/src/service/analyzer';
import { mergeSettings } from '../../../server/src/service/settings';
import { Finding } from '../../../server/src/service/types';
import { FileContent, FileSource } from '../../../server/src/service/workspace/facts';
import { ConfigFileLocation, locateConfigFile, normalizePath } from '../../../server/src/service/workspace/files';
import { XmlDocument } from '../../../server/src/service/model/xml';
import { Fix, applyReplacements } from '../../../server/src/service/fixes/types';
import { projectRoot } from '../../helpers';

/** Shared by the Secure Vault tests: temp folders, keytool, the JDK check, applying fixes to disk, line diffs. */

const made: string[] = [];
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** A temp folder removed when the test file ends. */
export function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `wso2-sv-${label}-`));
  made.push(dir);
  return normalizePath(fs.realpathSync(dir));
}

export interface KeytoolOptions {
  type: 'JKS' | 'PKCS12';
  alias: string;
  storePassword: string;
  keyPassword?: string;
  keyalg?: 'RSA' | 'EC';
  legacy?: boolean;
}

/** `keytool -genkeypair` (RSA 2048 unless EC is asked for); returns the keystore's path. */
export function keytoolGenerate(dir: string, name: string, options: KeytoolOptions): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  const args = [
    ...(options.legacy ? ['-J-Dkeystore.pkcs12.legacy'] : []),
    '-genkeypair',
    '-keyalg', options.keyalg ?? 'RSA',
    ...(options.keyalg === 'EC' ? ['-groupname', 'secp256r1'] : ['-keysize', '2048']),
    '-alias', options.alias,
    '-dname', `CN=${options.alias}, O=wso2-config test`,
    '-validity', '30',
    '-keystore', file,
    '-storetype', options.type,
    '-storepass', options.storePassword,
    ...(options.type === 'JKS' ? ['-keypass', options.keyPassword ?? options.storePassword] : []),
  ];
  execFileSync('keytool', args, { stdio: 'pipe' });
  return file;
}

/** `make` run on the first call only, its result kept: for fixtures made once a file (each keytool run starts a JVM). */
export function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/** `keytool -exportcert -rfc`: the certificate of `alias` in `keystore`, written as PEM to `pem`. */
export function keytoolExportCert(keystore: string, alias: string, storePassword: string, pem: string): void {
  execFileSync('keytool', ['-exportcert', '-rfc', '-alias', alias, '-keystore', keystore, '-storepass', storePassword, '-file', pem], { stdio: 'pipe' });
}

/** `keytool -importcert -noprompt`: the PEM certificate `pem` added to `keystore` (made if new) as a trusted entry `alias`. */
export function keytoolImportCert(keystore: string, type: string, alias: string, storePassword: string, pem: string): void {
  execFileSync('keytool', ['-importcert', '-noprompt', '-alias', alias, '-file', pem, '-keystore', keystore, '-storetype', type, '-storepass', storePassword], { stdio: 'pipe' });
}

/** SHA-256 fingerprints (AA:BB:…, as node's X509Certificate prints them) of every alias, as Java's KeyStore reads them. */
export function javaFingerprints(file: string, type: string, storePassword: string): Map<string, string> {
  const out = execFileSync('java', [JAVA_CHECK(), 'certs', file, type, storePassword], { stdio: 'pipe' }).toString();
  const map = new Map<string, string>();
  for (const line of out.split('\n')) {
    const cells = line.split('\t');
    if (cells[0] === 'cert') map.set(cells[1], cells[2].match(/../g)!.join(':'));
  }
  return map;
}

/** Whether a JDK's `java` runs on this machine (the JDK checks are skipped without it). */
export function hasJava(): boolean {
  try {
    execFileSync('java', ['-version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

const JAVA_CHECK = () => path.join(projectRoot(), 'test', 'java', 'SecureVaultCheck.java');

export interface JavaCheck {
  keystoreSha1: string;
  /** alias → decrypted plaintext, or `!ErrorClass`. */
  decrypted: Map<string, string>;
  xpath: Map<string, { file: string; count: number; attribute: string | undefined; nodeAlias: string; secured: string }>;
}

const fromB64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

/** Runs test/java/SecureVaultCheck.java `check` on a home: the JDK's view of secret-conf, cipher-text and cipher-tool. */
export function javaCheck(confDir: string, homeDir: string, storePassword: string, keyPassword: string): JavaCheck {
  const out = execFileSync('java', [JAVA_CHECK(), 'check', confDir, homeDir, storePassword, keyPassword], { stdio: 'pipe' }).toString();
  const result: JavaCheck = { keystoreSha1: '', decrypted: new Map(), xpath: new Map() };
  for (const line of out.split('\n')) {
    const cells = line.split('\t');
    if (cells[0] === 'keystore') result.keystoreSha1 = cells[1];
    else if (cells[0] === 'decrypt') result.decrypted.set(cells[1], cells[2].startsWith('!') ? cells[2] : fromB64(cells[2]));
    else if (cells[0] === 'xpath') {
      result.xpath.set(cells[1], {
        file: cells[2],
        count: Number(cells[3]),
        attribute: cells[4] === '-' ? undefined : cells[4],
        nodeAlias: cells[5],
        secured: cells[6] === '-' ? '-' : fromB64(cells[6]),
      });
    }
  }
  return result;
}

/** What java.util.Properties.load reads from a file: key → value. */
export function javaProperties(file: string): Map<string, string> {
  const out = execFileSync('java', [JAVA_CHECK(), 'props', file], { stdio: 'pipe' }).toString();
  const map = new Map<string, string>();
  for (const line of out.split('\n')) {
    const cells = line.split('\t');
    if (cells[0] === 'entry') map.set(fromB64(cells[1]), fromB64(cells[2]));
  }
  return map;
}

// ---- files on disk ------------------------------------------------------------------------------------------------

/** XML files are written in the encoding their declaration names (the corpus carbon.xml says ISO-8859-1). */
export function encodingOf(text: string): BufferEncoding {
  const declaration = /^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/i.exec(text);
  return declaration && /^(iso-8859-1|latin1)$/i.test(declaration[1]) ? 'latin1' : 'utf8';
}

export function readText(file: string): string | undefined {
  if (!fs.existsSync(file)) return undefined;
  const bytes = fs.readFileSync(file);
  const probe = bytes.toString('latin1');
  return file.endsWith('.xml') ? bytes.toString(encodingOf(probe)) : probe;
}

export function writeText(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.from(text, file.endsWith('.xml') ? encodingOf(text) : 'latin1'));
}

/** A master-datasources.xml (svns declared) of RDBMS datasources, each a name and its `<configuration>` lines; `indent` is one level. */
export function datasourcesXml(datasources: { name: string; configuration: string[] }[], indent = '    '): string {
  const at = (level: number, line: string) => indent.repeat(level) + line;
  return [
    '<datasources-configuration xmlns:svns="http://org.wso2.securevault/configuration">',
    at(1, '<datasources>'),
    ...datasources.flatMap((d) => [
      at(2, '<datasource>'),
      at(3, `<name>${d.name}</name>`),
      at(3, '<definition type="RDBMS">'),
      at(4, '<configuration>'),
      ...d.configuration.map((line) => at(5, line)),
      at(4, '</configuration>'),
      at(3, '</definition>'),
      at(2, '</datasource>'),
    ]),
    at(1, '</datasources>'),
    '</datasources-configuration>',
    '',
  ].join('\n');
}

/** Applies a fix to disk the way the CLI would: every edit must still match the disk, every created file be new. */
export function applyFixToDisk(fix: Fix): void {
  for (const change of fix.changes) {
    if (change.kind === 'edit') {
      const current = readText(change.path);
      if (current !== change.baseText) throw new Error(`${change.path} changed since the fix was planned`);
      writeText(change.path, applyReplacements(change.baseText, change.replacements));
    } else {
      if (fs.existsSync(change.path)) throw new Error(`${change.path} exists already`);
      writeText(change.path, change.text);
    }
  }
}

/** The text a change gives its file. */
export function resultOf(fix: Fix, file: string): string | undefined {
  const change = fix.changes.find((c) => c.path === file);
  if (!change) return undefined;
  return change.kind === 'edit' ? applyReplacements(change.baseText, change.replacements) : change.text;
}

/**
 * Copies a folder tree into a working copy: the copies are writable by their owner even when the source is not (the
 * corpus is read-only in place, and `encrypt` refuses to replace a read-only file).
 */
export function copyTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(source, target);
    else {
      fs.copyFileSync(source, target);
      fs.chmodSync(target, fs.statSync(target).mode | 0o200);
    }
  }
}

export function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(p));
    else out.push(normalizePath(p));
  }
  return out.sort();
}

// ---- analysis --------------------------------------------------------------------------------------------------

class DiskSource implements FileSource {
  async read(p: string): Promise<FileContent | undefined> {
    const text = readText(p);
    return text === undefined ? undefined : { kind: 'text', text, version: `t:${text.length}:${hash(text)}` };
  }
  async exists(p: string): Promise<boolean> {
    return fs.existsSync(p);
  }
  async list(dir: string): Promise<string[]> {
    try {
      return fs.readdirSync(dir);
    } catch {
      return [];
    }
  }
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) | 0;
  return h;
}

export interface AnalysedFile {
  location: ConfigFileLocation;
  doc: XmlDocument;
  findings: Finding[];
  passwords: Finding[];
}

/** Runs the real Analyzer on a file of the disk (a fresh analyzer: no stale parse). */
export async function analyseFile(file: string): Promise<AnalysedFile> {
  const analyzer = new Analyzer({ files: new DiskSource() });
  const text = readText(file);
  if (text === undefined) throw new Error(`no file ${file}`);
  const result = await analyzer.analyze(file, { kind: 'text', text, version: 'current' }, mergeSettings({}));
  if (!result.location || !result.doc) throw new Error(`${file} is not a configuration file`);
  return { location: result.location, doc: result.doc, findings: result.findings, passwords: result.findings.filter((f) => f.ruleId === 'plaintext-password') };
}

export function configFilesOf(confDir: string): string[] {
  return listFiles(confDir).filter((f) => f.endsWith('.xml') && locateConfigFile(f));
}

// ---- line diff -------------------------------------------------------------------------------------------------

export function splitLines(text: string): string[] {
  return text.split(/\r\n|\n|\r/);
}

/** LCS line diff: 0-based indexes of removed old lines and of added new lines. */
export function lineDiff(before: string, after: string): { removed: number[]; added: number[] } {
  const a = splitLines(before);
  const b = splitLines(after);
  // Strip the common head and tail first: edits are few, so the table stays small.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const table = Array.from({ length: x.length + 1 }, () => new Int32Array(y.length + 1));
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) table[i][j] = x[i] === y[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
  }
  const removed: number[] = [];
  const added: number[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      i++;
      j++;
    } else if (j < y.length && (i >= x.length || table[i][j + 1] >= table[i + 1][j])) {
      added.push(head + j++);
    } else {
      removed.push(head + i++);
    }
  }
  return { removed, added };
}

/** 0-based line of an offset. */
export function lineAt(text: string, offset: number): number {
  return splitLines(text.slice(0, offset)).length - 1;
}
