import { X509Certificate, constants, publicEncrypt, KeyObject } from 'node:crypto';
import secureVault from '../../../../schemas/secure-vault.json';
import { readJavaKeystore, looksLikeJavaKeystore } from './jks';
import { looksLikePkcs12, pkcs12Aliases, pkcs12CertificateFor, readPkcs12 } from './pkcs12';
import { KeystoreCertificate, KeystoreError, KeystoreErrorCode, KeystoreFormat, Result, fail, ok } from './types';

export * from './types';

/**
 * The certificate Secure Vault encrypts to, read from a keystore's bytes (the caller reads the file: this module
 * never touches the disk). Messages name the keystore and the alias, never a password.
 */

export interface ReadCertificateInput {
  /** The keystore's bytes; undefined when the file does not exist. */
  readonly bytes: Uint8Array | undefined;
  /** Declared type (carbon.xml `<Type>`, secret-conf `keystore.identity.type`). */
  readonly type: string;
  readonly alias: string;
  /** Store password; needed for PKCS#12 only. Never logged, never part of a message. */
  readonly password?: string;
  /** How messages name the keystore (its path). */
  readonly label: string;
}

const JKS_TYPES = new Set(secureVault.keystoreTypes.jks.map((t) => t.toUpperCase()));
const PKCS12_TYPES = new Set(secureVault.keystoreTypes.pkcs12.map((t) => t.toUpperCase()));

export function isSupportedKeystoreType(type: string): boolean {
  const upper = type.trim().toUpperCase();
  return JKS_TYPES.has(upper) || PKCS12_TYPES.has(upper);
}

export function readCertificate(input: ReadCertificateInput): Result<KeystoreCertificate> {
  const { bytes, alias, label } = input;
  const err = (code: KeystoreErrorCode, message: string) => fail<KeystoreError>({ code, message });
  if (!isSupportedKeystoreType(input.type)) {
    return err('unsupported-type', `Keystore type "${input.type.trim()}" of ${label} is not supported: the Secure Vault fix reads JKS and PKCS12 keystores.`);
  }
  if (bytes === undefined) return err('missing', `The keystore ${label} does not exist.`);
  // Java reads either format under either type name (keystore.type.compat): the content decides.
  if (looksLikeJavaKeystore(bytes)) {
    const read = readJavaKeystore(bytes);
    if (!read.ok) return err('malformed', `The keystore ${label} is ${read.problem === 'truncated' ? 'truncated' : 'damaged'}: it cannot be read as a Java keystore.`);
    const wanted = alias.toLowerCase();
    const entry = read.contents.entries.find((e) => e.alias.toLowerCase() === wanted && e.certificates.length > 0);
    if (!entry) {
      const names = read.contents.entries.map((e) => e.alias).sort();
      const partly = read.contents.incomplete ? ' (entries after its first secret key could not be read)' : '';
      return err('alias-not-found', `The keystore ${label} has no certificate with alias "${alias}"${partly}; its aliases: ${names.length ? names.join(', ') : 'none'}.`);
    }
    return certificateOf(entry.certificates[0], entry.alias, read.contents.format, label);
  }
  if (looksLikePkcs12(bytes)) {
    const read = readPkcs12(bytes, input.password);
    if (!read.ok) {
      switch (read.problem) {
        case 'needs-password':
          return err('needs-password', `Reading the certificate of the PKCS12 keystore ${label} needs the keystore password.`);
        case 'wrong-password':
          return err('wrong-password', `The password given does not open the PKCS12 keystore ${label} (wrong password, or a damaged file).`);
        case 'unsupported':
          return err('malformed', `The PKCS12 keystore ${label} holds entries this reader does not support.`);
        default:
          return err('malformed', `The keystore ${label} is damaged: it cannot be read as PKCS12 or JKS.`);
      }
    }
    const certificate = pkcs12CertificateFor(read.contents, alias);
    if (!certificate) {
      const names = pkcs12Aliases(read.contents).sort();
      return err('alias-not-found', `The keystore ${label} has no certificate with alias "${alias}"; its aliases: ${names.length ? names.join(', ') : 'none'}.`);
    }
    return certificateOf(certificate.der, certificate.friendlyName ?? alias, 'PKCS12', label);
  }
  return err('malformed', `The file ${label} is not a keystore: it is neither JKS nor PKCS12.`);
}

function certificateOf(der: Uint8Array, alias: string, format: KeystoreFormat, label: string): Result<KeystoreCertificate> {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(Buffer.from(der));
  } catch {
    return fail({ code: 'malformed', message: `The certificate with alias "${alias}" in ${label} cannot be parsed.` });
  }
  const publicKey = certificate.publicKey;
  if (publicKey.asymmetricKeyType !== 'rsa') {
    return fail({
      code: 'not-rsa',
      message: `The certificate with alias "${alias}" in ${label} has a${publicKey.asymmetricKeyType === 'ec' ? 'n EC' : ` ${publicKey.asymmetricKeyType ?? 'non-RSA'}`} key: Secure Vault encrypts with RSA and needs an RSA certificate.`,
    });
  }
  return ok({ alias, format, certificate, publicKey });
}

/** The largest UTF-8 secret RSA PKCS#1 v1.5 can encrypt under a key: modulus bytes - 11. */
export function maxSecretBytes(publicKey: KeyObject): number {
  const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 2048;
  return Math.floor(bits / 8) - 11;
}

/**
 * Encrypts like WSO2's cipher tool: UTF-8 bytes, RSA with PKCS#1 v1.5 padding (Java's `Cipher.getInstance("RSA")`),
 * standard Base64 with padding and no line breaks (wso2/cipher-tool v1.0.0-wso2v8 KeyStoreUtil.java: `Cipher.getInstance("RSA")`, i.e. RSA/ECB/PKCS1Padding on SunJCE).
 */
export function encryptForSecureVault(publicKey: KeyObject, secret: string): string {
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(secret, 'utf8')).toString('base64');
}
