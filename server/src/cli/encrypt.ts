import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Analyzer } from '../service/analyzer';
import { verifyKeystore } from '../service/keystore';
import { SecureVaultFile, planSecureVaultForFiles, resolveKeystore, secretAliasesOf, secureVaultFiles, secureVaultKey } from '../service/fixes/secure-vault';
import { FileChange, TextReplacement, applyReplacements } from '../service/fixes/types';
import { changeBases, staleFiles } from '../service/fixes/basis';
import { TextSpan } from '../service/model/text';
import { XmlDocument } from '../service/model/xml';
import { RULES } from '../service/rules/registry';
import { isPasswordName } from '../service/rules/plaintext-password';
import { mergeSettings, portOffsetOverrideFor } from '../service/settings';
import { HOME_FILES, ProductHome, homeOfConfDir, locateConfigFile, normalizePath } from '../service/workspace/files';
import { DiskFileSource } from '../node/disk-source';
import { findProductHomes } from '../node/home-scan';
import { UsageError, loadSettings } from './config';
import { unifiedDiff } from './diff';
import { walkTargets } from './walk';
import { WriteError, commitChanges, prepareChanges, readPropertiesBytes } from './write';

/**
 * `wso2-config-lint encrypt <home>`: the Secure Vault quick fix for every plaintext password of a product home, what
 * WSO2's cipher tool does (`ciphertool.sh -Dconfigure`) without reformatting the files. The keystore's certificate
 * comes from the keystore carbon.xml (or a configured secret-conf.properties) names; a PKCS#12 keystore needs its
 * password, taken from WSO2_KEYSTORE_PASSWORD, or carbon.xml's own plaintext keystore password, or asked for on the
 * terminal without echo. Secrets appear nowhere in the output: the report names places and aliases, and the
 * `--dry-run` diff masks every password (and every value of cipher-text.properties).
 */

export const KEYSTORE_PASSWORD_ENV = 'WSO2_KEYSTORE_PASSWORD';
const MASK = '********';
const CIPHERTEXT_LABEL = '(ciphertext)';
/** Every value of this file is a ciphertext or, in the cipher tool's `[…]` input form, a password. */
const CIPHER_TEXT_FILE = 'cipher-text.properties';
/** Every value of this file is `<file>//<XPath>,<flag>`: an address, never a secret, and the point of the review. */
const CIPHER_TOOL_FILE = 'cipher-tool.properties';
/** Keys of other properties files whose values are passwords (not `carbon.secretProvider`, `secretRepositories…`). */
const SECRET_KEY = /passw|passphrase|pwd|secret$/i;

const USAGE = `Usage: wso2-config-lint encrypt [options] <product-home>

Encrypts every plaintext password of the product home's configuration files with Secure Vault, as WSO2's cipher
tool does, changing only the passwords, their alias attributes and the security/*.properties entries.

Options:
  --dry-run        print the changes as a unified diff (passwords masked) and change nothing
  --config FILE    settings file (default: the nearest .wso2config.json above the current folder)
  --help

The keystore is the one carbon.xml's Security/KeyStore names (or secret-conf.properties, when it is configured).
A PKCS#12 keystore's password comes from the environment variable ${KEYSTORE_PASSWORD_ENV}, else from carbon.xml when
it is still there in plain text, else it is asked for on the terminal (not echoed). It is used once, to read the
certificate, and never printed or stored.

Exit codes: 0 every plaintext password encrypted (or none found), 1 some could not be (listed) or a configuration
file could not be read (its passwords are not encrypted), 2 usage, keystore or I/O error (nothing changed).
A read-only file is not replaced: the run stops with exit code 2 and names it.`;

export interface EncryptOptions {
  readonly env?: Record<string, string | undefined>;
  /** Asks for the keystore password without echo; undefined when there is no terminal. */
  readonly promptSecret?: (prompt: string) => Promise<string | undefined>;
}

export async function runEncryptCommand(argv: string[], stdout: (s: string) => void, stderr: (s: string) => void, options: EncryptOptions = {}): Promise<number> {
  const fail = (message: string) => {
    stderr(`wso2-config-lint encrypt: ${message}\n`);
    return 2;
  };
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        options: { 'dry-run': { type: 'boolean', default: false }, config: { type: 'string' }, help: { type: 'boolean', default: false } },
      });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      stdout(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('name exactly one product home');
    const cwd = process.cwd();
    const home = await findHome(positionals[0]);
    const display = (p: string) => displayPath(p, cwd);

    const loaded = await loadSettings(values.config, cwd);
    // The command is the explicit request to encrypt: a rule switched off in the settings does not hide passwords
    // from it, but a suppression comment (a value that is no password) still does.
    const rules = { ...loaded.settings.rules };
    delete rules['plaintext-password'];
    const settings = mergeSettings(loaded.settings, { rules });

    const disk = new DiskFileSource();
    const analyzer = new Analyzer({ files: disk, knownHomes: () => [home], log: (m) => stderr(`wso2-config-lint encrypt: ${m}\n`) });
    const walk = await walkTargets([home.confDir]);
    for (const problem of walk.problems) stderr(`wso2-config-lint encrypt: ${problem}\n`);
    const files: SecureVaultFile[] = [];
    /** Every password span of each file (suppressed ones too): what a diff masks. */
    const secretSpans = new Map<string, TextSpan[]>();
    /** Files that could not be read: their passwords, if any, stay in plain text, so the run exits 1 (issue 10 item 9). */
    const unreadable: string[] = [];
    /** Every svns:secretAlias of the home: never reused for another secret (issue 10 item 5). */
    const secretAliasesInHome = new Map<string, string[]>();
    for (const file of walk.files) {
      const normalized = normalizePath(file);
      if (locateConfigFile(normalized)?.home?.homeDir !== home.homeDir) continue;
      const content = await disk.read(normalized);
      if (!content) {
        const code = await fs.access(normalized, fsConstants.R_OK).then(() => undefined, (error: NodeJS.ErrnoException) => error.code ?? 'error');
        unreadable.push(normalized);
        stderr(`wso2-config-lint encrypt: cannot read ${display(normalized)}${code ? ` (${code})` : ''}: its passwords, if any, are not encrypted\n`);
        continue;
      }
      const result = await analyzer.analyze(normalized, content, settings);
      if (!result.location || !result.doc) continue;
      for (const alias of secretAliasesOf(result.doc)) secretAliasesInHome.set(alias, [...(secretAliasesInHome.get(alias) ?? []), result.location.path]);
      const findings = result.findings.filter((f) => f.ruleId === 'plaintext-password');
      secretSpans.set(result.location.path, [
        ...findings.map((f) => f.span),
        ...(await allPasswordSpans(analyzer, result.location.path, result.doc, home, settings)),
        ...hiddenPasswordSpans(result.doc),
      ]);
      if (findings.length > 0) files.push({ location: result.location, doc: result.doc, findings: findings.map((f) => ({ span: f.span, data: f.data, ruleId: f.ruleId })) });
    }
    const partly = unreadable.length > 0 ? ` (${unreadable.length} file${unreadable.length === 1 ? '' : 's'} could not be read)` : '';
    if (files.length === 0) {
      stdout(`No plaintext passwords to encrypt in ${display(home.homeDir)}${partly}.\n`);
      return unreadable.length > 0 ? 1 : 0;
    }

    const paths = secureVaultFiles(home);
    const properties = await Promise.all([paths.cipherText, paths.cipherTool, paths.secretConf].map((p) => readProperties(p, display)));
    const failedRead = properties.find((p): p is { error: string } => typeof p === 'object');
    if (failedRead) return fail(failedRead.error);
    const [cipherText, cipherTool, secretConf] = properties as (string | undefined)[];
    const security = {
      cipherText,
      cipherTool,
      secretConf,
      secretAliasesInHome,
    };
    const carbonXml = await analyzer.facts.parsed(paths.carbonXml, 'carbon');
    const keystore = resolveKeystore({ home, secretConf: security.secretConf, carbonXml });
    if (!keystore.ok) return fail(keystore.error.message);
    const label = display(keystore.value.path);
    let keystoreBytes: Buffer | undefined;
    try {
      keystoreBytes = await fs.readFile(keystore.value.path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A missing keystore is verifyKeystore's message; any other failure names the keystore and why.
      if (code !== 'ENOENT') return fail(`cannot read the keystore ${label} (${code ?? 'error'})`);
    }
    const fromEnv = options.env?.[KEYSTORE_PASSWORD_ENV];
    let password = fromEnv !== undefined && fromEnv !== '' ? fromEnv : keystore.value.passwordFromCarbonXml ?? keystore.value.passwordFromSecretConf;
    // Verified before any edit: a damaged keystore would make ciphertext no key decrypts (issue 10 item 3).
    let certificate = verifyKeystore({ bytes: keystoreBytes, type: keystore.value.type, alias: keystore.value.alias, storePassword: password, label });
    if (!certificate.ok && (certificate.error.code === 'needs-password' || (certificate.error.code === 'wrong-password' && !fromEnv))) {
      password = await options.promptSecret?.(`Password of the keystore ${label} (not echoed): `);
      if (password === undefined) {
        return fail(`${certificate.error.message} Set ${KEYSTORE_PASSWORD_ENV}, or run on a terminal to be asked for it.`);
      }
      certificate = verifyKeystore({ bytes: keystoreBytes, type: keystore.value.type, alias: keystore.value.alias, storePassword: password, label });
    }
    password = undefined;
    if (!certificate.ok) return fail(certificate.error.message);

    const planned = planSecureVaultForFiles({ files, security, key: secureVaultKey(keystore.value, certificate.value) });
    if (!planned.ok) return fail(planned.error.message);
    const plan = planned.value;

    const lines: string[] = [];
    for (const e of plan.encrypted) lines.push(`  ${display(e.path)}:${e.line}  encrypted as ${e.alias}`);
    for (const s of plan.skipped) lines.push(`  ${display(s.path)}:${s.line}  not encrypted: ${s.reason}`);
    for (const note of plan.notes) lines.push(`  note: ${note}`);

    const exitCode = plan.skipped.length > 0 || unreadable.length > 0 ? 1 : 0;
    if (!plan.fix) {
      stdout(`${[`Nothing encrypted in ${display(home.homeDir)}${partly}.`, ...lines].join('\n')}\n`);
      return exitCode;
    }
    if (values['dry-run']) {
      const diffs = plan.fix.changes.map((change) => maskedDiff(change, secretSpans.get(change.path) ?? [], display(change.path))).join('');
      stdout(`Would encrypt ${plan.encrypted.length} password${plan.encrypted.length === 1 ? '' : 's'} in ${display(home.homeDir)}${partly} (dry run: nothing changed; passwords masked):\n${lines.join('\n')}\n\n${diffs}`);
      return exitCode;
    }
    // Every file the change touches must still be as it was read (issue 10 item 4); prepareChanges and
    // commitChanges check again, file by file, up to the rename.
    const stale = await staleFiles(changeBases(plan.fix.changes), new DiskFileSource());
    if (stale.length > 0) return fail(`${stale.map((s) => s.message).join('; ')}; run again (nothing was changed)`);
    try {
      await commitChanges(await prepareChanges(plan.fix.changes));
    } catch (error) {
      if (error instanceof WriteError) return fail(error.partial ? error.message : `${error.message} (nothing was changed)`);
      throw error;
    }
    const written = plan.fix.changes.map((c) => `  ${c.kind === 'create' ? 'created' : 'updated'} ${display(c.path)}`);
    stdout(`Encrypted ${plan.encrypted.length} password${plan.encrypted.length === 1 ? '' : 's'} in ${display(home.homeDir)}${partly}:\n${[...lines, ...written].join('\n')}\n`);
    return exitCode;
  } catch (error) {
    if (error instanceof UsageError) {
      stderr(`wso2-config-lint encrypt: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    // Error messages of our own code never hold a secret; a stack trace could hold arguments, so none is printed.
    return fail(`${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`);
  }
}

function displayPath(p: string, cwd: string): string {
  const relative = path.relative(cwd, p);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative.split(path.sep).join('/') : p;
}

/** The home a path names: the home folder itself, a file or folder inside its conf, or a folder holding exactly one. */
async function findHome(target: string): Promise<ProductHome> {
  const absolute = normalizePath(path.resolve(target));
  const stat = await fs.stat(absolute).catch(() => undefined);
  if (!stat) throw new UsageError(`No such file or folder: ${target}`);
  if (stat.isFile()) {
    const home = locateConfigFile(absolute)?.home;
    if (home) return home;
    throw new UsageError(`${target} is not a configuration file of a product home`);
  }
  for (const conf of ['repository/conf', 'conf']) {
    const carbon = `${absolute}/${conf}/${HOME_FILES.carbon}`;
    if (await fs.stat(carbon).then((s) => s.isFile(), () => false)) return homeOfConfDir(`${absolute}/${conf}`)!;
  }
  const below = await findProductHomes([absolute]);
  if (below.length === 1) return below[0];
  if (below.length === 0) throw new UsageError(`No product home (a folder with repository/conf/carbon.xml or conf/carbon.xml) in ${target}`);
  throw new UsageError(`${target} holds ${below.length} product homes; name one:\n${below.map((h) => `  ${h.homeDir}`).join('\n')}`);
}

/** The text of a security/*.properties file; undefined when it does not exist; `error` when it exists but cannot be read. */
async function readProperties(p: string, display: (p: string) => string): Promise<string | undefined | { error: string }> {
  try {
    return readPropertiesBytes(await fs.readFile(p)).text;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? undefined : { error: `cannot read ${display(p)} (${code ?? 'error'}), so it cannot be updated` };
  }
}

/**
 * Spans of every value the plaintext-password rule sees as a password, suppressed or not: the rule run directly on
 * the document (rules are pure), not through the analyzer, which drops suppressed findings.
 */
async function allPasswordSpans(analyzer: Analyzer, filePath: string, doc: XmlDocument, home: ProductHome, settings: ReturnType<typeof mergeSettings>): Promise<TextSpan[]> {
  const rule = RULES.find((r) => r.id === 'plaintext-password');
  const location = locateConfigFile(filePath);
  if (!rule || !location) return [];
  const facts = await analyzer.facts.homeFacts(home, portOffsetOverrideFor(settings, home.homeDir));
  const spans: TextSpan[] = [];
  try {
    rule.check({ doc, file: location, settings, home: facts, workspace: { homes: [facts] }, report: (f) => spans.push(f.span) });
  } catch {
    // The analysis already ran this rule; a failure here only means fewer masks, and the diff is then not printed.
    return [{ start: 0, end: doc.text.length }];
  }
  return spans;
}

/**
 * Passwords the rule does not report but a diff's context lines would show: the `PASSWORD=`/`password=` parameter
 * of a JDBC URL (H2's `;PASSWORD=…`, a query string's `&password=…`), and inside comments (commented-out blocks keep
 * real passwords) the text of an element named like a password (or whose `name` attribute is one) and the value of
 * an attribute named like one. Plain scans and regular expressions without nested repetition: linear in the text.
 */
function hiddenPasswordSpans(doc: XmlDocument): TextSpan[] {
  const text = doc.text;
  const spans: TextSpan[] = [];
  for (const m of text.matchAll(/password=([^;&<>"'\s]+)/gi)) {
    const start = m.index + m[0].length - m[1].length;
    spans.push({ start, end: start + m[1].length });
  }
  for (const comment of doc.comments) {
    const from = comment.span.start + 4;
    const body = text.slice(from, Math.max(from, comment.span.end - 3));
    // A name must be followed by a space or `>`, so a long run of name characters cannot be split two ways.
    for (const tag of body.matchAll(/<([A-Za-z_][\w.:-]*)(\s[^<>]*)?>/g)) {
      const attributesAt = tag.index + 1 + tag[1].length;
      let named = isPasswordName(tag[1].slice(tag[1].lastIndexOf(':') + 1));
      for (const attr of commentAttributes(tag[2] ?? '')) {
        if (attr.name === 'name' && isPasswordName(attr.value)) named = true;
        if (isPasswordName(attr.name.slice(attr.name.lastIndexOf(':') + 1)) && attr.value.trim()) {
          spans.push({ start: from + attributesAt + attr.valueStart, end: from + attributesAt + attr.valueStart + attr.value.length });
        }
      }
      if (!named || (tag[2] ?? '').endsWith('/')) continue;
      const tagEnd = tag.index + tag[0].length;
      const next = body.indexOf('<', tagEnd);
      const end = next < 0 ? body.length : next;
      if (body.slice(tagEnd, end).trim()) spans.push({ start: from + tagEnd, end: from + end });
    }
  }
  return spans;
}

/** `name="value"` pairs of a start tag's attribute text (commented out: sax never saw it), by a plain scan. */
function commentAttributes(source: string): { name: string; value: string; valueStart: number }[] {
  const result: { name: string; value: string; valueStart: number }[] = [];
  const isNameChar = (c: string) => /[\w.:-]/.test(c);
  let i = 0;
  while (i < source.length) {
    if (!isNameChar(source[i])) {
      i++;
      continue;
    }
    const nameStart = i;
    while (i < source.length && isNameChar(source[i])) i++;
    const name = source.slice(nameStart, i);
    while (i < source.length && /\s/.test(source[i])) i++;
    if (source[i] !== '=') continue;
    i++;
    while (i < source.length && /\s/.test(source[i])) i++;
    const quote = source[i];
    if (quote !== '"' && quote !== "'") continue;
    const close = source.indexOf(quote, i + 1);
    if (close < 0) break;
    result.push({ name, value: source.slice(i + 1, close), valueStart: i + 1 });
    i = close + 1;
  }
  return result;
}

/** The diff of one change with every password masked, on both sides and in the context lines. */
function maskedDiff(change: FileChange, secrets: readonly TextSpan[], label: string): string {
  if (change.kind === 'create') return unifiedDiff(label, undefined, maskProperties(change.path, change.text));
  if (!change.path.toLowerCase().endsWith('.xml')) {
    return unifiedDiff(label, maskProperties(change.path, change.baseText), maskProperties(change.path, applyReplacements(change.baseText, change.replacements)));
  }
  const masks: TextReplacement[] = mergeSpans(secrets).map((span) => ({ span, newText: MASK }));
  const oldText = applyReplacements(change.baseText, masks);
  // A masked value the fix replaces is gone from the new text; the others stay masked.
  const untouched = masks.filter((m) => !change.replacements.some((r) => overlaps(m.span, r.span)));
  const newText = applyReplacements(change.baseText, [...change.replacements, ...untouched]);
  return unifiedDiff(label, oldText, newText);
}

function overlaps(a: TextSpan, b: TextSpan): boolean {
  if (b.start === b.end) return a.start < b.start && b.start < a.end;
  return a.start < b.end && b.start < a.end;
}

function mergeSpans(spans: readonly TextSpan[]): TextSpan[] {
  const sorted = [...spans].filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
  const merged: TextSpan[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}

/**
 * Properties text with values hidden: every value of cipher-text.properties (a `[plaintext]` entry is a password),
 * and values of keys that name a password elsewhere. Continuation lines of a hidden value are hidden too.
 */
function maskProperties(filePath: string, text: string): string {
  const everyValue = path.basename(filePath) === CIPHER_TEXT_FILE;
  const noValue = path.basename(filePath) === CIPHER_TOOL_FILE;
  const lines = text.split(/(\r\n|\r|\n)/);
  let continuing = false;
  for (let i = 0; i < lines.length; i += 2) {
    const line = lines[i];
    if (continuing) {
      lines[i] = line.replace(/\S.*$/, MASK);
      continuing = /(^|[^\\])(\\\\)*\\$/.test(line);
      continue;
    }
    const match = /^(\s*)((?:\\.|[^\s=:\\])+)(\s*[=:]?\s*)(.*)$/.exec(line);
    if (!match || /^\s*[#!]/.test(line) || match[4] === '') continue;
    if (everyValue || (!noValue && SECRET_KEY.test(match[2]))) {
      // An RSA ciphertext (Base64 of 128 bytes or more) is no secret, and telling it apart shows what changed.
      const shown = isCiphertext(match[4].trim()) ? CIPHERTEXT_LABEL : MASK;
      lines[i] = `${match[1]}${match[2]}${match[3]}${shown}`;
      continuing = /(^|[^\\])(\\\\)*\\$/.test(match[4]);
    }
  }
  return lines.join('');
}

function isCiphertext(value: string): boolean {
  return value.length >= 172 && /^[A-Za-z0-9+/]+={0,2}$/.test(value);
}
