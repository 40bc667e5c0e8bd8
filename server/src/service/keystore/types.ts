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
  | 'not-rsa';

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

export function ok<T>(value: T): Result<T, never> {
  return { ok: true, value };
}

export function fail<E>(error: E): { ok: false; error: E } {
  return { ok: false, error };
}
