import { X509Certificate, constants, createPrivateKey, createPublicKey, publicEncrypt, KeyObject } from 'node:crypto';
import secureVault from '../../../../schemas/secure-vault.json';
import { jksIntegrityHolds, readJavaKeystore, looksLikeJavaKeystore, unprotectJksKey } from './jks';
import { looksLikePkcs12, pkcs12Aliases, pkcs12CertificateFor, readPkcs12 } from './pkcs12';
import { KeystoreCertificate, KeystoreError, KeystoreErrorCode, KeystoreFormat, Result, VerifiedKeystore, fail, ok } from './types';

export * from './types';

/**
 * The certificate Secure Vault encrypts to, read and checked from a keystore's bytes (verifyKeystore; the caller
 * reads the file: this module never touches the disk). Messages name the keystore and the alias, never a password.
 */

const JKS_TYPES = new Set(secureVault.keystoreTypes.jks.map((t) => t.toUpperCase()));
const PKCS12_TYPES = new Set(secureVault.keystoreTypes.pkcs12.map((t) => t.toUpperCase()));

export function isSupportedKeystoreType(type: string): boolean {
  const upper = type.trim().toUpperCase();
  return JKS_TYPES.has(upper) || PKCS12_TYPES.has(upper);
}

export interface VerifyKeystoreInput {
  /** The keystore's bytes; undefined when the file does not exist. */
  readonly bytes: Uint8Array | undefined;
  /** Declared type (carbon.xml `<Type>`, secret-conf `keystore.identity.type`). */
  readonly type: string;
  /** The key alias: it must name a private-key entry. */
  readonly alias: string;
  /** Store password when one is known (carbon.xml in plain text, the user). Never logged, never part of a message. */
  readonly storePassword?: string;
  /** How messages name the keystore (its path). */
  readonly label: string;
}

/**
 * Checks a keystore before anything is encrypted to it, so that a damaged one is refused instead of producing
 * ciphertext no key decrypts. In order:
 *   - the store reads as JKS, JCEKS or PKCS#12 and is whole;
 *   - with the store password: its integrity (JKS digest, as `KeyStore.load` checks it; PKCS#12 MAC);
 *   - the alias names a private-key entry (a trusted certificate alone is refused) whose certificate holds an RSA key;
 *   - the private key, when the store password opens it (WSO2's key password equals the store password by default),
 *     matches the certificate's public key;
 *   - otherwise the certificate's signature, when its issuer is known (self-signed, or next in the chain): a changed
 *     modulus fails it.
 * Without a store password a JKS is `unverified` (certificates are readable; the digest is not); PKCS#12 needs one.
 */
export function verifyKeystore(input: VerifyKeystoreInput): Result<VerifiedKeystore> {
  const { bytes, alias, label, storePassword } = input;
  const err = (code: KeystoreErrorCode, message: string) => fail<KeystoreError>({ code, message });
  if (!isSupportedKeystoreType(input.type)) {
    return err('unsupported-type', `Keystore type "${input.type.trim()}" of ${label} is not supported: the Secure Vault fix reads JKS and PKCS12 keystores.`);
  }
  if (bytes === undefined) return err('missing', `The keystore ${label} does not exist.`);
  const wanted = alias.toLowerCase();
  let found: { der: Uint8Array; chain: readonly Uint8Array[]; alias: string; format: KeystoreFormat; pkcs8: Uint8Array | undefined; verified: 'integrity' | 'unverified'; integrityFailed: boolean };
  if (looksLikeJavaKeystore(bytes)) {
    const read = readJavaKeystore(bytes);
    if (!read.ok) return err('malformed', `The keystore ${label} is ${read.problem === 'truncated' ? 'truncated' : 'damaged'}: it cannot be read as a Java keystore.`);
    const contents = read.contents;
    const integrityFailed = storePassword !== undefined && !jksIntegrityHolds(bytes, contents, storePassword);
    const entry = contents.entries.find((e) => e.alias.toLowerCase() === wanted);
    if (!entry) {
      if (integrityFailed) return integrityError(label, contents.format);
      const names = contents.entries.map((e) => e.alias).sort();
      const partly = contents.incomplete ? ' (entries after its first secret key could not be read)' : '';
      return err('alias-not-found', `The keystore ${label} has no entry with alias "${alias}"${partly}; its aliases: ${names.length ? names.join(', ') : 'none'}.`);
    }
    if (entry.kind !== 'private-key' || entry.certificates.length === 0) {
      if (integrityFailed) return integrityError(label, contents.format);
      return err('not-a-key-entry', notAKeyEntry(entry.alias, label));
    }
    const pkcs8 = storePassword !== undefined && !integrityFailed && contents.format === 'JKS' && entry.protectedKey ? unprotectJksKey(entry.protectedKey, storePassword) : undefined;
    found = {
      der: entry.certificates[0],
      chain: entry.certificates,
      alias: entry.alias,
      format: contents.format,
      pkcs8,
      verified: storePassword !== undefined && !integrityFailed ? 'integrity' : 'unverified',
      integrityFailed,
    };
  } else if (looksLikePkcs12(bytes)) {
    const read = readPkcs12(bytes, storePassword);
    if (!read.ok) {
      switch (read.problem) {
        case 'needs-password':
          return err('needs-password', `Verifying the PKCS12 keystore ${label} needs the keystore password (its certificates and integrity check are keyed with it).`);
        case 'wrong-password':
          return err('wrong-password', `The store password tried does not open the PKCS12 keystore ${label}: its integrity check (MAC) fails, so the password is wrong or the file is damaged.`);
        case 'unsupported':
          return err('malformed', `The PKCS12 keystore ${label} holds entries this reader does not support.`);
        default:
          return err('malformed', `The keystore ${label} is damaged or truncated: it cannot be read as PKCS12 or JKS.`);
      }
    }
    const contents = read.contents;
    const key = contents.keys.find((k) => k.friendlyName?.toLowerCase() === wanted);
    // The key's certificate shares its localKeyId (Java, openssl); else it carries the same friendlyName.
    const certificate = key?.localKeyId !== undefined ? contents.certificates.find((c) => c.localKeyId === key.localKeyId) : key && contents.certificates.find((c) => c.friendlyName?.toLowerCase() === wanted);
    if (!key || !certificate) {
      if (pkcs12CertificateFor(contents, alias)) return err('not-a-key-entry', notAKeyEntry(alias, label));
      const names = pkcs12Aliases(contents).sort();
      return err('alias-not-found', `The keystore ${label} has no entry with alias "${alias}"; its aliases: ${names.length ? names.join(', ') : 'none'}.`);
    }
    found = {
      der: certificate.der,
      chain: [certificate.der, ...contents.certificates.filter((c) => c !== certificate).map((c) => c.der)],
      alias: key.friendlyName ?? alias,
      format: 'PKCS12',
      pkcs8: key.pkcs8,
      verified: contents.macVerified ? 'integrity' : 'unverified',
      integrityFailed: false,
    };
  } else {
    return err('malformed', `The file ${label} is not a keystore: it is neither JKS nor PKCS12.`);
  }

  const read = certificateOf(found.der, found.alias, found.format, label);
  if (!read.ok) return found.integrityFailed ? integrityError(label, found.format) : read;
  const { certificate, publicKey } = read.value;
  // The key is opened only under a store password that passed the integrity check.
  let keyPairMatches = false;
  if (found.pkcs8) {
    const fromKey = safely(() => createPublicKey(createPrivateKey({ key: Buffer.from(found.pkcs8!), format: 'der', type: 'pkcs8' })).export({ type: 'spki', format: 'der' }));
    keyPairMatches = fromKey !== false && Buffer.from(fromKey).equals(publicKey.export({ type: 'spki', format: 'der' }));
    if (!keyPairMatches) {
      return err('damaged', `The keystore ${label} is damaged: the private key with alias "${found.alias}" does not match its certificate's public key. Nothing encrypted to that certificate could be decrypted.`);
    }
  }
  const issuer = issuerOf(certificate, found.chain);
  const signatureVerified = issuer !== undefined && safely(() => certificate.verify(issuer.publicKey));
  // A matching key pair proves what matters (the server can decrypt); the signature stands in for it when the key
  // cannot be opened, and tells a damaged file from a wrong password.
  if (!keyPairMatches && issuer !== undefined && !signatureVerified) {
    return err('damaged', `The keystore ${label} is damaged: the certificate with alias "${found.alias}" does not verify under ${issuer === certificate ? 'its own public key (it is self-signed)' : "its issuer's public key"}, so the certificate was altered and its key may not be the server's. Nothing encrypted to it could be decrypted.`);
  }
  if (found.integrityFailed) return integrityError(label, found.format);
  return ok({ ...read.value, verified: found.verified, keyPairMatches, signatureVerified });
}

function notAKeyEntry(alias: string, label: string): string {
  return `The entry "${alias}" of the keystore ${label} is a trusted certificate without a private key: the server could not decrypt what is encrypted to it. Secure Vault needs the key pair entry the server decrypts with (created by keytool -genkeypair or imported with its key).`;
}

function integrityError(label: string, format: KeystoreFormat): { ok: false; error: KeystoreError } {
  return fail({
    code: 'wrong-password',
    message: `The store password tried does not open the ${format} keystore ${label}: its integrity check fails, so the password is wrong or the file is damaged (Java refuses to load it: "Keystore was tampered with, or password was incorrect").`,
  });
}

/**
 * The certificate that signed this one, when the chain holds it: itself when self-signed, else the one named as its
 * issuer. Names are compared rather than using checkIssued, which also demands keyCertSign (WSO2's default
 * certificates are self-signed without it).
 */
function issuerOf(certificate: X509Certificate, chain: readonly Uint8Array[]): X509Certificate | undefined {
  if (certificate.issuer === certificate.subject) return certificate;
  for (const der of chain.slice(1)) {
    const candidate = safely(() => new X509Certificate(Buffer.from(der)));
    if (candidate && candidate.subject === certificate.issuer) return candidate;
  }
  return undefined;
}

function safely<T>(f: () => T): T | false {
  try {
    return f();
  } catch {
    return false;
  }
}

function certificateOf(der: Uint8Array, alias: string, format: KeystoreFormat, label: string): Result<KeystoreCertificate> {
  let certificate: X509Certificate;
  let publicKey: KeyObject;
  try {
    certificate = new X509Certificate(Buffer.from(der));
    publicKey = certificate.publicKey;
  } catch {
    return fail({ code: 'malformed', message: `The certificate with alias "${alias}" in ${label} cannot be parsed.` });
  }
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
