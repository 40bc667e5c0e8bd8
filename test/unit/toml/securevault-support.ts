import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { after } from 'node:test';
import { buildTomlModel } from '../../../server/src/service/toml/effective';
import { TomlModel } from '../../../server/src/service/toml/effective';
import { KeystorePasswordRequest, TomlVaultFix, TomlVaultPlan, planTomlSecureVault } from '../../../server/src/service/toml/securevault';
import { TomlFinding } from '../../../server/src/service/toml/types';
import { FileContent, FileSource } from '../../../server/src/service/workspace/facts';
import { applyReplacements } from '../../../server/src/service/fixes/types';
import { corpusDir, projectRoot } from '../../helpers';

/**
 * Product homes for the toml Secure Vault tests, built in a temp folder from the corpus files read in place (nothing
 * of the corpus is copied into the repository), and the JDK's view of the result (test/java/SecureVaultCheck.java).
 */

export const CORPUS = corpusDir();
export const SKIP = CORPUS === undefined ? 'the corpus (../shared/corpus beside the project) is not available' : false;

export type Product = 'apim' | 'is' | 'mi';

interface HomeSpec {
  folder: string;
  corpus: string;
  toml: string;
  keystore: string;
  /** Extra files of the home (config-mapper JSON) read from the corpus. */
  extra: string[];
  /** The Cipher transformation of the product's own ciphertool.sh. */
  transformation: string;
  other: string;
}

export const HOMES: Record<Product, HomeSpec> = {
  apim: {
    folder: 'wso2am-4.2.0',
    corpus: 'apim-4.2.0',
    toml: 'repository/conf/deployment.toml',
    keystore: 'repository/resources/security/wso2carbon.jks',
    extra: [],
    transformation: 'RSA',
    other: 'RSA/ECB/OAEPwithSHA1andMGF1Padding',
  },
  is: {
    folder: 'wso2is-7.1.0',
    corpus: 'is-7.1.0',
    toml: 'repository/conf/deployment.toml',
    keystore: 'repository/resources/security/wso2carbon.p12',
    extra: [],
    transformation: 'RSA',
    other: 'RSA/ECB/OAEPwithSHA1andMGF1Padding',
  },
  mi: {
    folder: 'wso2mi-4.4.0',
    corpus: 'mi-4.4.0',
    toml: 'conf/deployment.toml',
    keystore: 'repository/resources/security/wso2carbon.jks',
    extra: ['repository/resources/conf/default.json', 'repository/resources/conf/infer.json', 'repository/resources/conf/key-mappings.json'],
    transformation: 'RSA/ECB/OAEPwithSHA1andMGF1Padding',
    other: 'RSA',
  },
};

const made: string[] = [];
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

export interface Home {
  product: Product;
  dir: string;
  tomlPath: string;
  keystorePath: string;
  secretConfPath: string;
  /** The corpus deployment.toml as read. */
  original: string;
}

/** A home of the product in a temp folder: the corpus toml (or `toml`), keystore and config-mapper files. */
export function buildHome(product: Product, toml?: (corpusText: string) => string): Home {
  const spec = HOMES[product];
  const parent = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'wso2-tomlsv-')));
  made.push(parent);
  const dir = path.join(parent, spec.folder).replace(/\\/g, '/');
  const from = (rel: string) => fs.readFileSync(path.join(CORPUS!, spec.corpus, rel));
  const original = from(spec.toml).toString('utf8');
  const put = (rel: string, bytes: Buffer | string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), bytes);
  };
  put(spec.toml, toml ? toml(original) : original);
  put(spec.keystore, from(spec.keystore));
  for (const rel of spec.extra) put(rel, from(rel));
  const conf = product === 'mi' ? 'conf' : 'repository/conf';
  return { product, dir, tomlPath: `${dir}/${spec.toml}`, keystorePath: `${dir}/${spec.keystore}`, secretConfPath: `${dir}/${conf}/security/secret-conf.properties`, original };
}

export const disk: FileSource = {
  async read(p: string): Promise<FileContent | undefined> {
    if (!fs.existsSync(p)) return undefined;
    return { kind: 'bytes', bytes: fs.readFileSync(p), version: String(fs.statSync(p).mtimeMs) };
  },
  async exists(p: string) {
    return fs.existsSync(p);
  },
  async list(p: string) {
    return fs.existsSync(p) ? fs.readdirSync(p) : [];
  },
};

export function modelOf(home: Home, text = fs.readFileSync(home.tomlPath, 'utf8')): TomlModel {
  return buildTomlModel({ path: home.tomlPath, text, readHomeFile: (rel) => (fs.existsSync(path.join(home.dir, rel)) ? fs.readFileSync(path.join(home.dir, rel), 'utf8') : undefined) });
}

export async function plan(
  home: Home,
  options: { findings?: readonly TomlFinding[] | 'all'; askPassword?: (r: KeystorePasswordRequest) => Promise<string | undefined> } = {},
): Promise<{ model: TomlModel; result: TomlVaultPlan }> {
  const model = modelOf(home);
  const result = await planTomlSecureVault({ model, findings: options.findings ?? 'all', files: disk, askPassword: options.askPassword });
  return { model, result };
}

/** Applies a fix as the CLI would: each edit must still match the disk. toml is UTF-8, .properties ISO-8859-1. */
export function applyToDisk(fix: TomlVaultFix): void {
  for (const change of fix.changes) {
    const encoding: BufferEncoding = change.path.endsWith('.toml') ? 'utf8' : 'latin1';
    if (change.kind === 'edit') {
      const current = fs.readFileSync(change.path).toString(encoding);
      if (current !== change.baseText) throw new Error(`${change.path} changed since the fix was planned`);
      fs.writeFileSync(change.path, Buffer.from(applyReplacements(change.baseText, change.replacements), encoding));
    } else {
      if (fs.existsSync(change.path)) throw new Error(`${change.path} exists`);
      fs.mkdirSync(path.dirname(change.path), { recursive: true });
      fs.writeFileSync(change.path, Buffer.from(change.text, encoding));
    }
  }
}

export interface JavaVault {
  keystoreSha1: string;
  /** Per transformation: alias → plaintext, or `!ErrorClass`. */
  decrypted: Map<string, Map<string, string>>;
  /** secret-conf.properties as java.util.Properties reads it. */
  secretConf: Map<string, string>;
}

const JAVA_CHECK = () => path.join(projectRoot(), 'test', 'java', 'SecureVaultCheck.java');
const fromB64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

/**
 * One JVM: decrypts every value with the home's secret-conf keystore under each transformation given, and reads
 * secret-conf.properties. Keystore passwords of the corpus keystores are `wso2carbon`.
 */
export function javaVault(home: Home, secrets: ReadonlyMap<string, string>, transformations: readonly string[], password = 'wso2carbon'): JavaVault {
  const values = path.join(path.dirname(home.dir), 'values.tsv');
  fs.writeFileSync(values, [...secrets].map(([a, v]) => `${a}\t${v}`).join('\n') + '\n', 'utf8');
  const args: string[] = [JAVA_CHECK(), 'props', home.secretConfPath];
  for (const t of transformations) args.push('--', 'mark', t, '--', 'tomlvault', home.secretConfPath, home.dir, password, password, t, values);
  const out = execFileSync('java', args, { stdio: 'pipe' }).toString();
  const result: JavaVault = { keystoreSha1: '', decrypted: new Map(), secretConf: new Map() };
  let current: Map<string, string> | undefined;
  for (const line of out.split('\n')) {
    const cells = line.split('\t');
    if (cells[0] === 'entry') result.secretConf.set(fromB64(cells[1]), fromB64(cells[2]));
    else if (cells[0] === 'mark') {
      current = new Map();
      result.decrypted.set(cells[1], current);
    } else if (cells[0] === 'keystore') result.keystoreSha1 = cells[1];
    else if (cells[0] === 'decrypt') current!.set(cells[1], cells[2].startsWith('!') ? cells[2] : fromB64(cells[2]));
  }
  return result;
}

/** `[secrets]` alias → value, as the config mapper reads the table. */
export function secretsOf(model: TomlModel): Map<string, string> {
  const map = new Map<string, string>();
  for (const e of model.doc.entries) if (e.table?.name === 'secrets' && typeof e.value === 'string') map.set(e.segments.slice(1).join('.'), e.value);
  return map;
}
