import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { FileChange, applyReplacements, decodeBytes } from '../service';

/**
 * Applies a Fix's file changes to the disk: every file is checked against the text the fix was planned on, written
 * in its own encoding (a UTF-16 or ISO-8859-1 XML file stays so, a BOM stays), to a temporary file beside it that is
 * then renamed over it (so a crash leaves the old file or the new one, never half of each). A file reached through a
 * symbolic link is written where the link points, so the link stays a link.
 */

export class WriteError extends Error {}

/** A text file as read from the disk, and how to write a new text back in the same encoding. */
export interface DiskText {
  readonly text: string;
  /** The encoding's name as the decoder knows it. */
  readonly encoding: string;
  /** Undefined when the encoding cannot be written back byte for byte (then the file is not changed). */
  readonly encode: ((text: string) => Buffer) | undefined;
}

const BOMS: Record<string, Buffer> = {
  'utf-8': Buffer.from([0xef, 0xbb, 0xbf]),
  'utf-16le': Buffer.from([0xff, 0xfe]),
  'utf-16be': Buffer.from([0xfe, 0xff]),
};

/** Properties files are ISO-8859-1 for java.util.Properties: every byte is one character, both ways. */
export function readPropertiesBytes(bytes: Uint8Array): DiskText {
  return { text: Buffer.from(bytes).toString('latin1'), encoding: 'iso-8859-1', encode: (text) => Buffer.from(text, 'latin1') };
}

/** An XML file, decoded the way the analyzer decodes it; undefined when it cannot be decoded at all. */
export function readXmlBytes(bytes: Uint8Array, maxBytes?: number): DiskText | undefined {
  const decoded = decodeBytes(bytes, maxBytes);
  if (!decoded.ok) return undefined;
  const encoding = decoded.encoding;
  const bom = BOMS[encoding];
  const hasBom = !!bom && Buffer.from(bytes.subarray(0, bom.length)).equals(bom);
  const encoder = encoderFor(encoding);
  const encode = encoder && ((text: string) => (hasBom ? Buffer.concat([bom, encoder(text)]) : encoder(text)));
  // Only an encoding that gives back the very bytes it read may be used to write.
  let roundTrips = false;
  try {
    roundTrips = !!encode && encode(decoded.text).equals(Buffer.from(bytes));
  } catch {
    // a character the table does not have
  }
  return { text: decoded.text, encoding, encode: roundTrips ? encode : undefined };
}

function encoderFor(encoding: string): ((text: string) => Buffer) | undefined {
  if (encoding === 'utf-8') return (text) => Buffer.from(text, 'utf8');
  if (encoding === 'utf-16le') return (text) => Buffer.from(text, 'utf16le');
  if (encoding === 'utf-16be') return (text) => Buffer.from(text, 'utf16le').swap16();
  return singleByteEncoder(encoding);
}

/** The WHATWG single-byte encodings (names as TextDecoder reports them). */
const SINGLE_BYTE = /^(windows-125\d|windows-874|iso-8859-\d+|koi8-[ru]|macintosh|x-mac-cyrillic|ibm866)$/;

/** For the single-byte encodings (windows-1252 is what `ISO-8859-1` decodes as): the table of the decoder, reversed. */
function singleByteEncoder(encoding: string): ((text: string) => Buffer) | undefined {
  if (!SINGLE_BYTE.test(encoding)) return undefined;
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(encoding, { fatal: true });
  } catch {
    return undefined;
  }
  const table = new Map<number, number>();
  for (let byte = 0; byte < 256; byte++) {
    let char: string;
    try {
      char = decoder.decode(Uint8Array.of(byte));
    } catch {
      continue; // a byte the encoding leaves undefined
    }
    if (char.length === 1 && !table.has(char.charCodeAt(0))) table.set(char.charCodeAt(0), byte);
  }
  return (text) => {
    const out = Buffer.alloc(text.length);
    for (let i = 0; i < text.length; i++) {
      const byte = table.get(text.charCodeAt(i));
      if (byte === undefined) throw new WriteError(`a character of the new text cannot be written in ${encoding}`);
      out[i] = byte;
    }
    return out;
  };
}

export interface PreparedChange {
  /** The path the fix names. */
  readonly path: string;
  /** Where the bytes go (the link target for a symbolic link). */
  readonly realPath: string;
  /** Undefined for a file that is created. */
  readonly oldText: string | undefined;
  readonly newText: string;
  readonly bytes: Buffer;
  readonly mode: number | undefined;
  readonly owner: { uid: number; gid: number } | undefined;
}

export type TextReader = (path: string, bytes: Uint8Array) => DiskText | undefined;

/** XML files as the analyzer reads them; everything else (the Secure Vault properties files) as ISO-8859-1. */
export const defaultReader: TextReader = (p, bytes) => (p.toLowerCase().endsWith('.xml') ? readXmlBytes(bytes) : readPropertiesBytes(bytes));

/**
 * Reads every file a fix touches, checks it still holds the text the fix was planned on, and computes the new bytes.
 * Nothing is written. Throws WriteError (with a message naming the file, never its content) on any problem.
 */
export async function prepareChanges(changes: readonly FileChange[], reader: TextReader = defaultReader): Promise<PreparedChange[]> {
  const prepared: PreparedChange[] = [];
  const seen = new Set<string>();
  for (const change of changes) {
    if (seen.has(change.path)) throw new WriteError(`${change.path}: changed twice by one fix`);
    seen.add(change.path);
    if (change.kind === 'create') {
      const exists = await fs.lstat(change.path).then(() => true, () => false);
      if (exists) throw new WriteError(`${change.path}: the fix creates this file, but it exists now; run again`);
      const dir = await fs.realpath(path.dirname(change.path)).catch(() => path.dirname(change.path));
      prepared.push({ path: change.path, realPath: path.join(dir, path.basename(change.path)), oldText: undefined, newText: change.text, bytes: encodeNew(change.path, change.text), mode: undefined, owner: undefined });
      continue;
    }
    let realPath: string;
    let bytes: Buffer;
    let stat;
    try {
      realPath = await fs.realpath(change.path);
      stat = await fs.stat(realPath);
      bytes = await fs.readFile(realPath);
    } catch (error) {
      throw new WriteError(`${change.path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const current = reader(change.path, bytes);
    if (!current) throw new WriteError(`${change.path}: cannot be decoded, so it is not changed`);
    if (current.text !== change.baseText) throw new WriteError(`${change.path}: changed on disk since it was read; run again`);
    if (!current.encode) throw new WriteError(`${change.path}: its encoding (${current.encoding}) cannot be written back unchanged, so it is not changed`);
    const newText = applyReplacements(change.baseText, change.replacements);
    let newBytes: Buffer;
    try {
      newBytes = current.encode(newText);
    } catch (error) {
      throw new WriteError(`${change.path}: ${(error as Error).message}`);
    }
    prepared.push({ path: change.path, realPath, oldText: change.baseText, newText, bytes: newBytes, mode: stat.mode & 0o7777, owner: { uid: stat.uid, gid: stat.gid } });
  }
  return prepared;
}

function encodeNew(p: string, text: string): Buffer {
  return p.toLowerCase().endsWith('.xml') ? Buffer.from(text, 'utf8') : Buffer.from(text, 'latin1');
}

/**
 * Writes prepared changes: all temporary files first (removed again if any fails), then one rename each. A rename
 * within a folder is atomic on POSIX file systems.
 */
export async function commitChanges(prepared: readonly PreparedChange[]): Promise<void> {
  const temps: { temp: string; target: string }[] = [];
  try {
    for (const change of prepared) {
      if (change.oldText === undefined) await fs.mkdir(path.dirname(change.realPath), { recursive: true });
      const temp = path.join(path.dirname(change.realPath), `.${path.basename(change.realPath)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      const handle = await fs.open(temp, 'wx', change.mode ?? 0o644);
      temps.push({ temp, target: change.realPath });
      try {
        await handle.writeFile(change.bytes);
        if (change.mode !== undefined) await handle.chmod(change.mode);
        if (change.owner) await handle.chown(change.owner.uid, change.owner.gid).catch(() => undefined);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  } catch (error) {
    await Promise.all(temps.map((t) => fs.rm(t.temp, { force: true })));
    throw new WriteError(`cannot write ${temps[temps.length - 1]?.target ?? 'the files'}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  for (const { temp, target } of temps) {
    try {
      await fs.rename(temp, target);
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw new WriteError(`cannot replace ${target}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
}
