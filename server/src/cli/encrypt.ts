import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { FileChange, ProductHome, mergeSettings, TextReplacement, TextSpan, applyReplacements, changeBases, createService, normalizePath, parseProperties, recogniseConfigFile, staleFiles } from '../service';
import { DiskFileSource } from '../node/disk-source';
import { SyncDiskFileSource } from './disk';
import { UsageError, loadSettings } from './config';
import { unifiedDiff } from './diff';
import { WriteError, commitChanges, prepareChanges } from './write';
import { describeFailure } from './failure';

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
In a home with deployment.toml (Carbon 4.5+), deployment.toml is changed instead: "$secret{alias}" values and a
[secrets] table as its last table, encrypted with the keystore and padding the product's own cipher tool uses.
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
    // The command is the explicit request to encrypt: the core ignores the rule's severity setting for it, but a
    // suppression comment (a value that is no password) still excludes a value.
    const service = createService({ files: new DiskFileSource(), knownHomes: () => [home], log: (m) => stderr(`wso2-config-lint encrypt: ${m}\n`) });
    const settings = mergeSettings(loaded.settings);
    const fromEnv = options.env?.[KEYSTORE_PASSWORD_ENV];
    const hasEnv = fromEnv !== undefined && fromEnv !== '';
    const outcome = await service.planHomeEncryption({
      home,
      settingsFor: () => settings,
      ...(hasEnv ? { keystorePassword: fromEnv } : {}),
      // A password from the environment that does not open the keystore is an error, not a reason to ask.
      ...(hasEnv || !options.promptSecret
        ? {}
        : {
            askPassword: async ({ keystorePath }: { keystorePath: string }) => {
              return options.promptSecret!(`Password of the keystore ${display(keystorePath)} (not echoed): `);
            },
          }),
    });
    if ('cancelled' in outcome || 'needsPassword' in outcome) {
      const needs = 'needsPassword' in outcome ? outcome.needsPassword : undefined;
      const what = needs?.reason ?? (needs ? `The keystore ${display(needs.keystorePath)} could not be opened without its password.` : 'No keystore password was given.');
      return fail(`${what} Set ${KEYSTORE_PASSWORD_ENV}, or run on a terminal to be asked for it.`);
    }
    if ('error' in outcome) return fail(outcome.error);
    // Files of the home that could not be read: their passwords, if any, stay in plain text, so the run exits 1.
    const unreadable = outcome.unreadable;
    for (const file of unreadable) {
      const code = await fs.access(file, fsConstants.R_OK).then(() => undefined, (error: NodeJS.ErrnoException) => error.code ?? 'error');
      stderr(`wso2-config-lint encrypt: cannot read ${display(file)}${code ? ` (${code})` : ''}: its passwords, if any, are not encrypted\n`);
    }
    const partly = unreadable.length > 0 ? ` (${unreadable.length} file${unreadable.length === 1 ? '' : 's'} could not be read)` : '';
    if (outcome.files === 0) {
      stdout(`No plaintext passwords to encrypt in ${display(home.homeDir)}${partly}.\n`);
      return unreadable.length > 0 ? 1 : 0;
    }
    const plan = outcome.plan;
    const secretSpans = outcome.secretSpans;
    const cipherTextPath = outcome.cipherTextPath;

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
      const diffs = plan.fix.changes.map((change) => maskedDiff(change, secretSpans.get(change.path) ?? [], display(change.path), change.path === cipherTextPath)).join('');
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
    return fail(describeFailure(error));
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
  const service = createService({ files: new DiskFileSource(), directories: new SyncDiskFileSource().directories });
  if (stat.isFile()) {
    const home = recogniseConfigFile(absolute)?.home;
    if (home) return home;
    throw new UsageError(`${target} is not a configuration file of a product home`);
  }
  const here = await service.homeAt(absolute);
  if (here) return here;
  const below = await service.discoverHomes([absolute]);
  if (below.length === 1) return below[0];
  if (below.length === 0) throw new UsageError(`No product home (a folder with repository/conf/carbon.xml or conf/carbon.xml, or deployment.toml there) in ${target}`);
  throw new UsageError(`${target} holds ${below.length} product homes; name one:\n${below.map((h) => `  ${h.homeDir}`).join('\n')}`);
}

/** The diff of one change with every password masked, on both sides and in the context lines. */
function maskedDiff(change: FileChange, secrets: readonly TextSpan[], label: string, isCipherText: boolean): string {
  if (change.kind === 'create') return unifiedDiff(label, undefined, maskProperties(change.path, change.text, isCipherText));
  const masks: TextReplacement[] = mergeSpans(secrets).map((span) => ({ span, newText: MASK }));
  const oldText = applyReplacements(change.baseText, masks);
  // A masked value the fix replaces is gone from the new text; the others stay masked.
  const untouched = masks.filter((m) => !change.replacements.some((r) => overlaps(m.span, r.span)));
  const newText = applyReplacements(change.baseText, [...change.replacements, ...untouched]);
  // A .properties file: the secrets the core found (an AMQP URL's password in jndi.properties), then every value
  // whose key names a password, and every value of cipher-text.properties.
  if (!/\.(xml|toml)$/i.test(change.path)) return unifiedDiff(label, maskProperties(change.path, oldText, isCipherText), maskProperties(change.path, newText, isCipherText));
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
 * wherever secret-conf.properties puts it, and values of keys that name a password elsewhere. The entries are the ones
 * java.util.Properties.load reads (the core's parser): a key or value continued on the next line, or an escaped
 * separator in the key, is read as the runtime reads it, and every line of a hidden value is hidden.
 */
function maskProperties(filePath: string, text: string, isCipherText: boolean): string {
  const everyValue = isCipherText || path.basename(filePath) === CIPHER_TEXT_FILE;
  const noValue = path.basename(filePath) === CIPHER_TOOL_FILE;
  const masks: TextReplacement[] = [];
  for (const entry of parseProperties(text).entries) {
    if (!everyValue && (noValue || !SECRET_KEY.test(entry.key))) continue;
    // An RSA ciphertext (Base64 of 128 bytes or more) is no secret, and telling it apart shows what changed.
    const shown = isCiphertext(entry.value.trim()) ? CIPHERTEXT_LABEL : MASK;
    for (const span of entry.valueSpans) masks.push({ span, newText: shown });
  }
  return applyReplacements(text, masks);
}

function isCiphertext(value: string): boolean {
  return value.length >= 172 && /^[A-Za-z0-9+/]+={0,2}$/.test(value);
}
