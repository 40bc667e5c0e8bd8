import { verifyKeystore } from '../keystore';
import { XmlDocument, parseXml } from '../model/xml';
import { decodeBytes } from '../workspace/decode';
import { FileContent, FileSource } from '../workspace/facts';
import { ProductHome } from '../workspace/files';
import { SecureVaultKey, SecurityFileTexts, resolveKeystore, secretAliasesOf, secretConfPath, secureVaultFiles, secureVaultKey } from './secure-vault';

/**
 * Gathers what a Secure Vault plan needs from a FileSource: the security folder's .properties texts, the keystore
 * the runtime will decrypt with, and its certificate. Shared by the language server and the CLI, which differ only
 * in where files come from and how they ask for a keystore password.
 */

export interface SecureVaultMaterialRequest {
  readonly files: FileSource;
  readonly home: ProductHome;
  /** carbon.xml of the home, parsed (the caller's parse cache); undefined when it does not exist. */
  readonly carbonXml: XmlDocument | undefined;
  /** Typed by the user; never stored or logged. */
  readonly keystorePassword?: string;
}

export type SecureVaultMaterial =
  | { readonly ok: true; readonly key: SecureVaultKey; readonly security: SecurityFileTexts }
  /** A PKCS#12 keystore whose password carbon.xml does not hold in plain text: ask the user, then try again. */
  | { readonly ok: false; readonly needsPassword: { readonly keystorePath: string; readonly reason?: string } }
  | { readonly ok: false; readonly error: string };

/** java.util.Properties files are ISO-8859-1. */
export function propertiesText(content: FileContent | undefined): string | undefined {
  if (!content) return undefined;
  return content.kind === 'text' ? content.text : Buffer.from(content.bytes).toString('latin1');
}

export async function secureVaultMaterial(request: SecureVaultMaterialRequest): Promise<SecureVaultMaterial> {
  const secretConfRead = await readPropertiesFile(request.files, secretConfPath(request.home));
  if ('error' in secretConfRead) return { ok: false, error: secretConfRead.error };
  const secretConf = secretConfRead.text;
  // The ciphertexts go where secret-conf.properties tells the runtime to look for them.
  const paths = secureVaultFiles(request.home, secretConf);
  const read = await Promise.all([paths.cipherText, paths.cipherTool].map((p) => readPropertiesFile(request.files, p)));
  for (const r of read) if ('error' in r) return { ok: false, error: r.error };
  const [cipherText, cipherTool] = read.map((r) => ('text' in r ? r.text : undefined));
  const security: SecurityFileTexts = { cipherText, cipherTool, secretConf, secretAliasesInHome: await secretAliasesInHome(request.files, request.home) };
  const keystore = resolveKeystore({ home: request.home, secretConf, carbonXml: request.carbonXml });
  if (!keystore.ok) return { ok: false, error: keystore.error.message };
  const content = await request.files.read(keystore.value.path);
  // A missing keystore is verifyKeystore's message; one that exists but cannot be read is named as such.
  if (!content && (await request.files.exists(keystore.value.path))) return { ok: false, error: `cannot read the keystore ${keystore.value.path}` };
  const bytes = content ? (content.kind === 'bytes' ? content.bytes : Buffer.from(content.text, 'latin1')) : undefined;
  // Verified before any edit: a damaged keystore would make ciphertext no key decrypts (issue 10 item 3).
  const certificate = verifyKeystore({
    bytes,
    type: keystore.value.type,
    alias: keystore.value.alias,
    storePassword: request.keystorePassword ?? keystore.value.passwordFromCarbonXml ?? keystore.value.passwordFromSecretConf,
    label: keystore.value.path,
  });
  if (!certificate.ok) {
    const code = certificate.error.code;
    if ((code === 'needs-password' || code === 'wrong-password') && request.keystorePassword === undefined) {
      // A wrong password and a changed file fail the same integrity check: keep the check's words for a front that
      // cannot ask (they name the keystore and where the password came from, never the password).
      return { ok: false, needsPassword: { keystorePath: keystore.value.path, ...(code === 'wrong-password' ? { reason: certificate.error.message } : {}) } };
    }
    return { ok: false, error: certificate.error.message };
  }
  return { ok: true, key: secureVaultKey(keystore.value, certificate.value), security };
}

/**
 * A security/*.properties file: its text, undefined text when it does not exist, or an error when it exists but cannot
 * be read (the plan would otherwise create it anew and lose its entries).
 */
async function readPropertiesFile(files: FileSource, path: string): Promise<{ text: string | undefined } | { error: string }> {
  const content = await files.read(path);
  if (!content && (await files.exists(path))) return { error: `cannot read ${path}, so it cannot be updated` };
  return { text: propertiesText(content) };
}

/** Folders below conf searched for aliases, and files read at most: a home has a few hundred configuration files. */
const MAX_DEPTH = 6;
const MAX_FILES = 5000;

/**
 * Every `svns:secretAlias` of the XML files under the home's conf folder (alias → absolute paths), so that a plan
 * never reuses one for a different secret (issue 10 item 5). Only files that mention `secretAlias` are parsed.
 * A name without a dot is taken for a folder (list() of a file gives nothing).
 */
export async function secretAliasesInHome(files: FileSource, home: ProductHome): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>();
  let budget = MAX_FILES;
  const visit = async (dir: string, depth: number): Promise<void> => {
    for (const name of (await files.list(dir)).sort()) {
      if (budget <= 0) return;
      const path = `${dir}/${name}`;
      if (name.toLowerCase().endsWith('.xml')) {
        budget--;
        for (const alias of await aliasesOfFile(files, path)) {
          const paths = result.get(alias) ?? [];
          if (!paths.includes(path)) paths.push(path);
          result.set(alias, paths);
        }
      } else if (!name.includes('.') && depth < MAX_DEPTH) {
        await visit(path, depth + 1);
      }
    }
  };
  await visit(home.confDir, 0);
  return result;
}

/**
 * The aliases of one XML file, kept per FileSource by the file's version: a Secure Vault plan (each code-action request
 * on a password line among them) then stats the conf files instead of reading and parsing every one of them again.
 * Without `version()` on the FileSource, the file is read each time.
 */
const aliasesByFile = new WeakMap<FileSource, Map<string, { readonly version: string; readonly aliases: readonly string[] }>>();

async function aliasesOfFile(files: FileSource, path: string): Promise<readonly string[]> {
  let cache = aliasesByFile.get(files);
  if (!cache) aliasesByFile.set(files, (cache = new Map()));
  const version = files.version ? await files.version(path) : undefined;
  const cached = cache.get(path);
  if (version !== undefined && cached?.version === version) return cached.aliases;
  const content = await files.read(path);
  const decoded = content?.kind === 'bytes' ? decodeBytes(content.bytes) : undefined;
  const text = content?.kind === 'text' ? content.text : decoded?.ok ? decoded.text : undefined;
  const aliases = text === undefined || !text.includes('secretAlias') ? [] : [...secretAliasesOf(parseXml(text))];
  // Keyed by the version read() reports with the content, so a change between the stat and the read is not cached stale.
  if (content) cache.set(path, { version: content.version, aliases });
  else cache.delete(path);
  return aliases;
}
