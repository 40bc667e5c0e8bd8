import type { KeyObject, X509Certificate } from 'node:crypto';

/**
 * What reading a keystore gives, and how it fails. Failures are values with a code the fronts can act on (ask for
 * the password on `needs-password` / `wrong-password`) and a message that names the file and alias, never a password.
 */

export type KeystoreErrorCode =
  | 'missing'
  | 'malformed'
  | 'alias-not-found'
  | 'needs-password'
  | 'wrong-password'
  | 'unsupported-type'
  | 'not-rsa'
  /** The alias names a trusted certificate: no private key, so nothing encrypted to it could be decrypted. */
  | 'not-a-key-entry'
  /** Proven damaged without a password: the certificate's signature or its key pair does not hold. */
  | 'damaged';

export interface KeystoreError {
  readonly code: KeystoreErrorCode;
  readonly message: string;
}

export type Result<T, E = KeystoreError> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export type KeystoreFormat = 'JKS' | 'JCEKS' | 'PKCS12';

export interface KeystoreCertificate {
  /** The alias as stored (JKS and Java's PKCS#12 store aliases in lower case). */
  readonly alias: string;
  readonly format: KeystoreFormat;
  readonly certificate: X509Certificate;
  /** The certificate's RSA public key: what Secure Vault encrypts with. */
  readonly publicKey: KeyObject;
}

/**
 * A keystore checked before anything is encrypted to it (verifyKeystore).
 * `integrity`: the store's digest (JKS, JCEKS) or MAC (PKCS#12) holds under the store password, so every byte is as
 * Java wrote it. `unverified`: no store password was known; only the checks that need none were made.
 */
export interface VerifiedKeystore extends KeystoreCertificate {
  readonly verified: 'integrity' | 'unverified';
  /** True when the entry's private key was opened and matches the certificate's public key. */
  readonly keyPairMatches: boolean;
  /** True when the certificate's signature was verified (self-signed, or its issuer is next in the chain). */
  readonly signatureVerified: boolean;
}

export function ok<T>(value: T): Result<T, never> {
  return { ok: true, value };
}

export function fail<E>(error: E): { ok: false; error: E } {
  return { ok: false, error };
}
