/**
 * A minimal reader of the entries of a Java keystore (JKS, and JCEKS up to its first secret-key entry), with the checks
 * that need the store password: the integrity digest and the JKS private-key protection.
 *
 * JKS keeps certificates in the clear: reading one needs no password. Private keys are kept as their encrypted bytes;
 * `jksIntegrityHolds` and `unprotectJksKey` open them with a password (OpenJDK jdk-17+35,
 * `src/java.base/share/classes/sun/security/provider/JavaKeyStore.java` engineLoad/getPreKeyedHash and `KeyProtector.java`).
 *
 * Format (sun.security.provider.JavaKeyStore, big-endian): magic u4 (0xFEEDFEED JKS, 0xCECECECE JCEKS), version u4
 * (1 or 2), count u4, then per entry: tag u4, alias (Java modified UTF-8: u2 length + bytes), timestamp u8, and
 *   tag 1 private key: u4 length + encrypted key, u4 chain length, certificates;
 *   tag 2 trusted certificate: one certificate;
 *   tag 3 (JCEKS secret key): a serialized Java object whose length is not recorded: reading stops there.
 * A certificate is, in version 2, a certificate type (modified UTF-8) and then u4 length + DER bytes.
 * The store ends with a 20-byte SHA-1 digest over (password as UTF-16BE, "Mighty Aphrodite" as UTF-8, every byte before
 * the digest); JCEKS (`com.sun.crypto.provider.JceKeyStore`) uses the same digest.
 */

import { createHash } from 'node:crypto';

export const JKS_MAGIC = 0xfeedfeed;
export const JCEKS_MAGIC = 0xcececece;

const TAG_PRIVATE_KEY = 1;
const TAG_TRUSTED_CERT = 2;
const DIGEST_LENGTH = 20;

export interface JksEntry {
  /** As stored: keytool writes aliases in lower case, and lookups ignore case. */
  readonly alias: string;
  readonly kind: 'private-key' | 'trusted-certificate';
  /** DER certificates, the entry's own certificate first. */
  readonly certificates: readonly Uint8Array[];
  /** A private-key entry's EncryptedPrivateKeyInfo (DER), as stored; opened only by `unprotectJksKey`. */
  readonly protectedKey?: Uint8Array;
}

export interface JksContents {
  readonly format: 'JKS' | 'JCEKS';
  readonly entries: readonly JksEntry[];
  /** True when reading stopped at an entry this reader cannot skip (a JCEKS secret key). */
  readonly incomplete: boolean;
  /**
   * Where the integrity digest starts: right after the last entry, or (when reading stopped early) the last 20 bytes,
   * where Java writes it.
   */
  readonly digestOffset: number;
}

export type JksReadResult = { ok: true; contents: JksContents } | { ok: false; problem: 'not-a-java-keystore' | 'truncated' | 'malformed' };

/** True when the bytes start like a JKS or JCEKS keystore. */
export function looksLikeJavaKeystore(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const magic = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
  return magic === JKS_MAGIC || magic === JCEKS_MAGIC;
}

class Truncated extends Error {}
class Malformed extends Error {}

class Reader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private need(n: number): void {
    if (n < 0 || this.offset + n > this.bytes.length) throw new Truncated();
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.offset);
    this.offset += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.offset);
    this.offset += 4;
    return v;
  }

  skip(n: number): void {
    this.need(n);
    this.offset += n;
  }

  take(n: number): Uint8Array {
    this.need(n);
    const slice = this.bytes.slice(this.offset, this.offset + n);
    this.offset += n;
    return slice;
  }

  /** DataInput.readUTF: u2 byte length, then modified UTF-8 (NUL as C0 80, supplementary characters as surrogates). */
  utf(): string {
    const length = this.u16();
    const bytes = this.take(length);
    let result = '';
    for (let i = 0; i < bytes.length; ) {
      const b = bytes[i];
      let code: number;
      if (b < 0x80) {
        code = b;
        i += 1;
      } else if ((b & 0xe0) === 0xc0 && i + 1 < bytes.length) {
        code = ((b & 0x1f) << 6) | (bytes[i + 1] & 0x3f);
        i += 2;
      } else if ((b & 0xf0) === 0xe0 && i + 2 < bytes.length) {
        code = ((b & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f);
        i += 3;
      } else {
        throw new Malformed();
      }
      result += String.fromCharCode(code);
    }
    return result;
  }
}

export function readJavaKeystore(bytes: Uint8Array): JksReadResult {
  if (!looksLikeJavaKeystore(bytes)) return { ok: false, problem: 'not-a-java-keystore' };
  const reader = new Reader(bytes);
  try {
    const format = reader.u32() === JKS_MAGIC ? 'JKS' : 'JCEKS';
    const version = reader.u32();
    if (version !== 1 && version !== 2) return { ok: false, problem: 'malformed' };
    const count = reader.u32();
    const entries: JksEntry[] = [];
    const certificate = (): Uint8Array => {
      if (version === 2) reader.utf(); // certificate type, "X.509"
      return reader.take(reader.u32());
    };
    for (let i = 0; i < count; i++) {
      const tag = reader.u32();
      if (tag !== TAG_PRIVATE_KEY && tag !== TAG_TRUSTED_CERT) {
        // A JCEKS secret key is a serialized object of unrecorded length: nothing after it can be located.
        if (format === 'JCEKS') {
          if (bytes.length < DIGEST_LENGTH) return { ok: false, problem: 'truncated' };
          return { ok: true, contents: { format, entries, incomplete: true, digestOffset: bytes.length - DIGEST_LENGTH } };
        }
        return { ok: false, problem: 'malformed' };
      }
      const alias = reader.utf();
      reader.skip(8); // creation date
      if (tag === TAG_PRIVATE_KEY) {
        const protectedKey = reader.take(reader.u32());
        const chainLength = reader.u32();
        const certificates: Uint8Array[] = [];
        for (let c = 0; c < chainLength; c++) certificates.push(certificate());
        entries.push({ alias, kind: 'private-key', certificates, protectedKey });
      } else {
        entries.push({ alias, kind: 'trusted-certificate', certificates: [certificate()] });
      }
    }
    // The digest must follow; without it the file was cut short (Java's load fails the same way).
    if (reader.remaining < DIGEST_LENGTH) return { ok: false, problem: 'truncated' };
    return { ok: true, contents: { format, entries, incomplete: false, digestOffset: reader.position } };
  } catch (error) {
    if (error instanceof Truncated) return { ok: false, problem: 'truncated' };
    if (error instanceof Malformed) return { ok: false, problem: 'malformed' };
    throw error;
  }
}

/** Java's password bytes for the digest and KeyProtector: each UTF-16 code unit, high byte first. */
function passwordBytes(password: string): Buffer {
  return Buffer.from(password, 'utf16le').swap16();
}

const DIGEST_WHITENER = Buffer.from('Mighty Aphrodite', 'utf8');

/** True when the store's integrity digest matches under this password (false: wrong password, or damaged bytes). */
export function jksIntegrityHolds(bytes: Uint8Array, contents: JksContents, password: string): boolean {
  const end = contents.digestOffset;
  if (end < 0 || end + DIGEST_LENGTH > bytes.length) return false;
  const digest = createHash('sha1').update(passwordBytes(password)).update(DIGEST_WHITENER).update(bytes.subarray(0, end)).digest();
  return digest.equals(Buffer.from(bytes.subarray(end, end + DIGEST_LENGTH)));
}

/** DER of the OID 1.3.6.1.4.1.42.2.17.1.1 (Sun's KeyProtector), as it appears in the EncryptedPrivateKeyInfo. */
const KEY_PROTECTOR_OID = Buffer.from([0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x2a, 0x02, 0x11, 0x01, 0x01]);
const SALT_LENGTH = 20;

/**
 * The PKCS#8 DER of a JKS private key, opened with a password (KeyProtector.recover: salt, then the key XORed with a
 * SHA-1 chain over password and salt, then SHA-1(password, key) as a check). Undefined when the password does not open
 * it (WSO2's default key password equals the store password, but it need not) or the entry is not Sun's format.
 */
export function unprotectJksKey(protectedKey: Uint8Array, password: string): Buffer | undefined {
  const info = Buffer.from(protectedKey);
  const oidAt = info.indexOf(KEY_PROTECTOR_OID);
  if (oidAt < 0) return undefined;
  // The encrypted data is the last element: an OCTET STRING ending the structure.
  const data = lastOctetString(info);
  if (!data || data.length < SALT_LENGTH * 2 + 1) return undefined;
  const pw = passwordBytes(password);
  const salt = data.subarray(0, SALT_LENGTH);
  const encrypted = data.subarray(SALT_LENGTH, data.length - DIGEST_LENGTH);
  const check = data.subarray(data.length - DIGEST_LENGTH);
  const plain = Buffer.alloc(encrypted.length);
  let digest: Buffer = Buffer.from(salt);
  for (let at = 0; at < encrypted.length; at += DIGEST_LENGTH) {
    digest = createHash('sha1').update(pw).update(digest).digest();
    for (let i = 0; i < DIGEST_LENGTH && at + i < encrypted.length; i++) plain[at + i] = encrypted[at + i] ^ digest[i];
  }
  const expected = createHash('sha1').update(pw).update(plain).digest();
  return expected.equals(check) ? plain : undefined;
}

/** The content of the OCTET STRING that ends a DER SEQUENCE (definite lengths only, as Java writes them). */
function lastOctetString(der: Buffer): Buffer | undefined {
  const header = (at: number): { tag: number; length: number; content: number } | undefined => {
    if (at + 2 > der.length) return undefined;
    const tag = der[at];
    let length = der[at + 1];
    let content = at + 2;
    if (length & 0x80) {
      const n = length & 0x7f;
      if (n === 0 || n > 4 || content + n > der.length) return undefined;
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + der[content + i];
      content += n;
    }
    return content + length <= der.length ? { tag, length, content } : undefined;
  };
  const outer = header(0);
  if (!outer || outer.tag !== 0x30) return undefined;
  let at = outer.content;
  let last: { tag: number; length: number; content: number } | undefined;
  while (at < outer.content + outer.length) {
    const item = header(at);
    if (!item) return undefined;
    last = item;
    at = item.content + item.length;
  }
  return last && last.tag === 0x04 ? der.subarray(last.content, last.content + last.length) : undefined;
}
