/**
 * A minimal reader of the certificate entries of a Java keystore (JKS, and JCEKS up to its first secret-key entry).
 *
 * JKS keeps certificates in the clear: reading one needs no password. Private keys stay encrypted and are skipped
 * unread, and the integrity digest (keyed with the store password) is not checked, so a tampered file is only as
 * trustworthy as its certificate; the fix encrypts to that certificate, which the user chose by configuring it.
 *
 * Format (sun.security.provider.JavaKeyStore, big-endian): magic u4 (0xFEEDFEED JKS, 0xCECECECE JCEKS), version u4
 * (1 or 2), count u4, then per entry: tag u4, alias (Java modified UTF-8: u2 length + bytes), timestamp u8, and
 *   tag 1 private key: u4 length + encrypted key, u4 chain length, certificates;
 *   tag 2 trusted certificate: one certificate;
 *   tag 3 (JCEKS secret key): a serialized Java object whose length is not recorded: reading stops there.
 * A certificate is, in version 2, a certificate type (modified UTF-8) and then u4 length + DER bytes.
 * The store ends with a 20-byte SHA-1 digest.
 */

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
}

export interface JksContents {
  readonly format: 'JKS' | 'JCEKS';
  readonly entries: readonly JksEntry[];
  /** True when reading stopped at an entry this reader cannot skip (a JCEKS secret key). */
  readonly incomplete: boolean;
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
        if (format === 'JCEKS') return { ok: true, contents: { format, entries, incomplete: true } };
        return { ok: false, problem: 'malformed' };
      }
      const alias = reader.utf();
      reader.skip(8); // creation date
      if (tag === TAG_PRIVATE_KEY) {
        reader.skip(reader.u32()); // the encrypted private key: never read
        const chainLength = reader.u32();
        const certificates: Uint8Array[] = [];
        for (let c = 0; c < chainLength; c++) certificates.push(certificate());
        entries.push({ alias, kind: 'private-key', certificates });
      } else {
        entries.push({ alias, kind: 'trusted-certificate', certificates: [certificate()] });
      }
    }
    // The digest must follow; without it the file was cut short (Java's load fails the same way).
    if (reader.remaining < DIGEST_LENGTH) return { ok: false, problem: 'truncated' };
    return { ok: true, contents: { format, entries, incomplete: false } };
  } catch (error) {
    if (error instanceof Truncated) return { ok: false, problem: 'truncated' };
    if (error instanceof Malformed) return { ok: false, problem: 'malformed' };
    throw error;
  }
}
