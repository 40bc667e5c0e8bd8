import { verifyKeystore } from '../keystore';
import { XmlDocument } from '../model/xml';
import { FileContent, FileSource } from '../workspace/facts';
import { ProductHome } from '../workspace/files';
import { SecureVaultKey, SecurityFileTexts, resolveKeystore, secretConfPath, secureVaultFiles, secureVaultKey } from './secure-vault';

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
  const secretConf = propertiesText(await request.files.read(secretConfPath(request.home)));
  // The ciphertexts go where secret-conf.properties tells the runtime to look for them.
  const paths = secureVaultFiles(request.home, secretConf);
  const [cipherText, cipherTool] = await Promise.all([paths.cipherText, paths.cipherTool].map(async (p) => propertiesText(await request.files.read(p))));
  const security: SecurityFileTexts = { cipherText, cipherTool, secretConf };
  const keystore = resolveKeystore({ home: request.home, secretConf, carbonXml: request.carbonXml });
  if (!keystore.ok) return { ok: false, error: keystore.error.message };
  const content = await request.files.read(keystore.value.path);
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
