import * as forge from 'node-forge';

/**
 * Reads the certificates of a PKCS#12 keystore with node-forge (it handles what Java 17's keytool writes: PBES2 with
 * AES-256 and an HmacSHA256 MAC, and the legacy 3DES/RC2 with an HmacSHA1 MAC, as openssl writes too).
 *
 * Java encrypts the certificates of a PKCS#12 store with the store password, so reading one needs it. forge checks the
 * store's MAC (its integrity, keyed with the password) and decrypts the private keys while parsing; the keys are kept
 * (PKCS#8 DER) only so that verifyKeystore can match each to its certificate, and go no further.
 */

export interface Pkcs12Certificate {
  readonly friendlyName: string | undefined;
  /** Hex; ties a certificate to its private key. */
  readonly localKeyId: string | undefined;
  readonly der: Uint8Array;
}

export interface Pkcs12Contents {
  readonly certificates: readonly Pkcs12Certificate[];
  /** The private-key entries: friendlyName, localKeyId and the key as PKCS#8 DER (undefined when forge cannot encode it). */
  readonly keys: readonly Pkcs12Key[];
  /** True when the store carries a MAC, which forge verified with the password (Java always writes one). */
  readonly macVerified: boolean;
}

export interface Pkcs12Key {
  readonly friendlyName: string | undefined;
  readonly localKeyId: string | undefined;
  readonly pkcs8?: Uint8Array;
}

export type Pkcs12ReadResult = { ok: true; contents: Pkcs12Contents } | { ok: false; problem: 'malformed' | 'needs-password' | 'wrong-password' | 'unsupported' };

/** True when the bytes start like DER (a PKCS#12 PFX is a SEQUENCE). */
export function looksLikePkcs12(bytes: Uint8Array): boolean {
  return bytes.length > 4 && bytes[0] === 0x30;
}

export function readPkcs12(bytes: Uint8Array, password: string | undefined): Pkcs12ReadResult {
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(Buffer.from(bytes).toString('binary'));
  } catch {
    return { ok: false, problem: 'malformed' };
  }
  let pfx: forge.pkcs12.Pkcs12Pfx;
  try {
    // Stores written without a password exist (openssl -passout pass:); try the empty one before asking.
    pfx = forge.pkcs12.pkcs12FromAsn1(asn1, false, password ?? '');
  } catch (error) {
    const message = String((error as Error)?.message ?? '');
    if (/MAC could not be verified|wrong password|Invalid password|decrypt/i.test(message)) {
      return { ok: false, problem: password === undefined ? 'needs-password' : 'wrong-password' };
    }
    if (/Unsupported/i.test(message)) return { ok: false, problem: 'unsupported' };
    return { ok: false, problem: 'malformed' };
  }
  const certificates: Pkcs12Certificate[] = [];
  const keys: Pkcs12Key[] = [];
  for (const contents of pfx.safeContents) {
    for (const bag of contents.safeBags) {
      const friendlyName = firstAttribute(bag, 'friendlyName');
      const rawKeyId = firstAttribute(bag, 'localKeyId');
      const localKeyId = rawKeyId === undefined ? undefined : forge.util.bytesToHex(rawKeyId);
      if (bag.type === forge.pki.oids.certBag) {
        const certAsn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1;
        if (!certAsn1) continue;
        const der = Buffer.from(forge.asn1.toDer(certAsn1).getBytes(), 'binary');
        certificates.push({ friendlyName, localKeyId, der });
      } else if (bag.type === forge.pki.oids.pkcs8ShroudedKeyBag || bag.type === forge.pki.oids.keyBag) {
        keys.push({ friendlyName, localKeyId, ...keyDer(bag) });
      }
    }
  }
  // PFX ::= SEQUENCE { version, authSafe, macData OPTIONAL }: forge throws when a present MAC does not verify.
  const macVerified = Array.isArray(asn1.value) && asn1.value.length >= 3;
  return { ok: true, contents: { certificates, keys, macVerified } };
}

function keyDer(bag: forge.pkcs12.Bag): { pkcs8?: Uint8Array } {
  try {
    // forge parses RSA keys; it leaves other kinds as their PrivateKeyInfo.
    const info = bag.key ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key as forge.pki.rsa.PrivateKey)) : bag.asn1;
    return info ? { pkcs8: Buffer.from(forge.asn1.toDer(info).getBytes(), 'binary') } : {};
  } catch {
    return {};
  }
}

function firstAttribute(bag: forge.pkcs12.Bag, name: string): string | undefined {
  const values = (bag.attributes as Record<string, unknown> | undefined)?.[name];
  return Array.isArray(values) && typeof values[0] === 'string' ? values[0] : undefined;
}

/**
 * The certificate of an alias: the certificate bag named so, else the one sharing the localKeyId of the private key
 * named so (aliases compare without case, as Java's PKCS12KeyStore does).
 */
export function pkcs12CertificateFor(contents: Pkcs12Contents, alias: string): Pkcs12Certificate | undefined {
  const wanted = alias.toLowerCase();
  const named = contents.certificates.find((c) => c.friendlyName?.toLowerCase() === wanted);
  if (named) return named;
  const key = contents.keys.find((k) => k.friendlyName?.toLowerCase() === wanted && k.localKeyId !== undefined);
  return key ? contents.certificates.find((c) => c.localKeyId === key.localKeyId) : undefined;
}

/** Names to list in an "alias not found" message. */
export function pkcs12Aliases(contents: Pkcs12Contents): string[] {
  const names = new Set<string>();
  for (const c of contents.certificates) if (c.friendlyName) names.add(c.friendlyName);
  for (const k of contents.keys) if (k.friendlyName) names.add(k.friendlyName);
  return [...names];
}
