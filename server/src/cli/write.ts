import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { FileChange, applyReplacements, decodeBytes } from '../service';

/**
 * Applies a Fix's file changes to the disk: every file is checked against the text the fix was planned on, written
 * in its own encoding (a UTF-16 or ISO-8859-1 XML file stays so, a BOM stays), to a temporary file beside it that is
 * then renamed over it (so a crash leaves the old file or the new one, never half of each). A file reached through a
 * symbolic link is written where the link points, so the link stays a link.
 */

export class WriteError extends Error {
  /** Set when some files hold the new content and could not be restored: the message names them. */
  constructor(message: string, readonly partial = false) {
    super(message);
  }
}

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
  /** The file's bytes when it was checked: what a rollback writes back, and what must still be there to replace it. */
  readonly oldBytes?: Buffer;
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
    // A file nobody may write is an administrator's decision (cipher-text.properties is often made read-only once
    // set up): the rename would replace it regardless of its mode, so it is refused instead (issue 10 item 9).
    const writable = (stat.mode & 0o222) !== 0 && (await fs.access(realPath, fsConstants.W_OK).then(() => true, () => false));
    if (!writable) throw new WriteError(`${change.path}: is read-only, so it is not replaced; make it writable (chmod u+w) and run again`);
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
    prepared.push({ path: change.path, realPath, oldText: change.baseText, oldBytes: bytes, newText, bytes: newBytes, mode: stat.mode & 0o7777, owner: { uid: stat.uid, gid: stat.gid } });
  }
  return prepared;
}

function encodeNew(p: string, text: string): Buffer {
  return p.toLowerCase().endsWith('.xml') ? Buffer.from(text, 'utf8') : Buffer.from(text, 'latin1');
}

/** The one file-system step a test needs to make fail midway: replacing a file by its temporary copy. */
export interface CommitOps {
  readonly rename: (from: string, to: string) => Promise<void>;
}

const NODE_OPS: CommitOps = { rename: (from, to) => fs.rename(from, to) };

/**
 * Writes prepared changes, all files or none (issue 10 item 4): every temporary file first (removed again if any
 * fails); then each file is checked to still hold the bytes it was planned on (or still not to exist); then one
 * rename each (atomic within a folder on POSIX file systems). When a rename fails, the files already replaced get
 * their old bytes back and the files already created are removed.
 */
export async function commitChanges(prepared: readonly PreparedChange[], ops: CommitOps = NODE_OPS): Promise<void> {
  const temps: { temp: string; change: PreparedChange }[] = [];
  const removeTemps = () => Promise.all(temps.map((t) => fs.rm(t.temp, { force: true })));
  let current: PreparedChange | undefined;
  try {
    for (const change of prepared) {
      current = change;
      if (change.oldText === undefined) await fs.mkdir(path.dirname(change.realPath), { recursive: true });
      const temp = tempPathFor(change.realPath);
      const handle = await fs.open(temp, 'wx', change.mode ?? 0o644);
      temps.push({ temp, change });
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
    await removeTemps();
    // The file whose temporary copy failed, not the last one that succeeded.
    throw new WriteError(`cannot write ${current?.path ?? 'the files'} (in ${path.dirname(current?.realPath ?? '.')}): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  for (const { change } of temps) {
    const now = await fs.readFile(change.realPath).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : null));
    const same = change.oldBytes === undefined ? now === undefined : now instanceof Buffer && now.equals(change.oldBytes);
    if (!same) {
      await removeTemps();
      throw new WriteError(`${change.path}: ${change.oldBytes === undefined ? 'exists now' : 'changed on disk'} since it was checked; run again`);
    }
  }
  const done: PreparedChange[] = [];
  for (const { temp, change } of temps) {
    try {
      await ops.rename(temp, change.realPath);
      done.push(change);
    } catch (error) {
      await removeTemps();
      const left = await rollBack(done, ops);
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      if (left.length > 0) throw new WriteError(`cannot replace ${change.path}: ${code}; restoring failed for ${left.join(', ')}, which now hold the new content`, true);
      throw new WriteError(`cannot replace ${change.path}: ${code}${done.length > 0 ? `; the ${done.length} file${done.length === 1 ? '' : 's'} already written ${done.length === 1 ? 'was' : 'were'} restored` : ''}`);
    }
  }
}

function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Puts back what `done` replaced: old bytes (same mode, same temp-and-rename), created files removed. Returns what failed. */
async function rollBack(done: readonly PreparedChange[], ops: CommitOps): Promise<string[]> {
  const failed: string[] = [];
  for (const change of [...done].reverse()) {
    try {
      if (change.oldBytes === undefined) {
        await fs.rm(change.realPath, { force: true });
        continue;
      }
      const temp = tempPathFor(change.realPath);
      await fs.writeFile(temp, change.oldBytes, { flag: 'wx', mode: change.mode ?? 0o644 });
      if (change.mode !== undefined) await fs.chmod(temp, change.mode);
      if (change.owner) await fs.chown(temp, change.owner.uid, change.owner.gid).catch(() => undefined);
      try {
        await ops.rename(temp, change.realPath);
      } catch (error) {
        await fs.rm(temp, { force: true });
        throw error;
      }
    } catch {
      failed.push(change.path);
    }
  }
  return failed;
}
