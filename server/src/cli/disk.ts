import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DirectoryEntry, DirectoryReader, FileContent, FileSource } from '../service';
import { kindOf } from '../node/home-scan';
import { WalkFileSystem } from './walk';

/**
 * The disk as one lint run reads it: synchronously, and each folder listed and resolved once.
 *
 * Synchronously, because a CLI has nothing else to do while a file loads, and each asynchronous call is a round trip
 * through libuv's thread pool: over thousands of small files those round trips cost more than the parsing (measured:
 * a third of the wall time of a 2 400-file tree was spent waiting). The language server keeps the asynchronous
 * DiskFileSource, because it must stay responsive.
 *
 * Once, because three readers walk the same tree: the file walk (`walkFs`), home discovery (`directories`) and the
 * home facts (`list`, `exists`). Each used to list and resolve every folder itself: on 120 homes, 1 922 folder
 * listings and 1 682 real-path look-ups where 841 of each do. A lint run does not expect the tree to change under it;
 * its own --fix writes call forget().
 */
export class SyncDiskFileSource implements FileSource {
  private readonly versions = new Map<string, string | undefined>();
  /** Folder listings by path, or the error the listing met (thrown again to each caller, as the first one saw it). */
  private readonly listings = new Map<string, fs.Dirent[] | Error>();
  private readonly realPaths = new Map<string, string | Error>();
  /**
   * Contents read once for every reader of the run: a file's own analysis, the home facts (a home's carbon.xml,
   * catalina-server.xml, axis2.xml, datasources, read ahead of their own turn) and the analysis of other files of the
   * home (a .properties file looks up the aliases of its home's XML). Bounded (least recently read out): the
   * files of a home are read close together, and a tree of thousands of homes keeps no more than a few homes' files.
   */
  private readonly recent = new Map<string, FileContent>();
  private static readonly MAX_RECENT = 64;

  /** The walk's file-system calls, sharing this run's folder listings and real paths. */
  readonly walkFs: WalkFileSystem = {
    lstat: async (p) => fs.lstatSync(p),
    stat: async (p) => fs.statSync(p),
    readdir: async (p) => this.dirents(p),
    realpath: async (p) => this.realPath(p),
  };

  /** Home discovery's reads (service/workspace/discovery.ts), sharing the same listings; links followed. */
  readonly directories: DirectoryReader = {
    entries: async (dir: string): Promise<DirectoryEntry[] | undefined> => {
      let dirents: fs.Dirent[];
      try {
        dirents = this.dirents(dir);
      } catch {
        return undefined;
      }
      return dirents.map((dirent) => ({ name: dirent.name, kind: kindOf(dirent, dirent.isSymbolicLink() ? statOrUndefined(path.join(dir, dirent.name)) : undefined) }));
    },
    realPath: async (dir: string): Promise<string | undefined> => {
      try {
        return this.realPath(dir).split(path.sep).join('/');
      } catch {
        return undefined;
      }
    },
  };

  forget(file: string): void {
    this.versions.delete(file);
    this.recent.delete(file);
    this.listings.clear();
    this.realPaths.clear();
  }

  async version(file: string): Promise<string | undefined> {
    if (this.versions.has(file)) return this.versions.get(file);
    let version: string | undefined;
    try {
      const stat = fs.statSync(file);
      version = stat.isFile() ? versionOf(stat) : undefined;
    } catch {
      version = undefined;
    }
    this.versions.set(file, version);
    return version;
  }

  async read(file: string): Promise<FileContent | undefined> {
    const content = this.recent.get(file) ?? readFile(file);
    if (content) {
      // Map keeps insertion order: re-inserting marks the entry as the most recently read.
      this.recent.delete(file);
      this.recent.set(file, content);
      if (this.recent.size > SyncDiskFileSource.MAX_RECENT) this.recent.delete(this.recent.keys().next().value!);
    }
    return content;
  }

  async exists(file: string): Promise<boolean> {
    const parent = path.dirname(file);
    const name = path.basename(file);
    let dirents: fs.Dirent[];
    try {
      dirents = this.dirents(parent);
    } catch {
      return false;
    }
    const entry = dirents.find((d) => d.name === name);
    // existsSync follows links: a dangling link does not exist.
    return !!entry && (!entry.isSymbolicLink() || fs.existsSync(file));
  }

  async list(dir: string): Promise<string[]> {
    try {
      return this.dirents(dir).map((d) => d.name);
    } catch {
      return [];
    }
  }

  private dirents(dir: string): fs.Dirent[] {
    const key = keyOf(dir);
    let listed = this.listings.get(key);
    if (!listed) {
      // The facts and discovery ask for folders most homes do not have (`wso2/` profiles, the templates folder): the
      // parent's listing, when there is one, answers without a syscall and without building an error per folder.
      if (this.missingFromListing(dir)) {
        listed = NOT_LISTED;
      } else {
        try {
          listed = fs.readdirSync(dir, { withFileTypes: true });
        } catch (error) {
          listed = error as Error;
        }
      }
      this.listings.set(key, listed);
    }
    if (listed instanceof Error) throw listed;
    return listed;
  }

  /** Whether the listing of the nearest listed folder above `dir` lacks the next folder on the way down to it. */
  private missingFromListing(dir: string): boolean {
    for (let child = dir, parent = path.dirname(dir); parent !== child; child = parent, parent = path.dirname(parent)) {
      const listed = this.listings.get(keyOf(parent));
      if (listed === undefined) continue;
      return listed === NOT_LISTED || (Array.isArray(listed) && !listed.some((entry) => entry.name === path.basename(child)));
    }
    return false;
  }

  private realPath(dir: string): string {
    const key = keyOf(dir);
    let real = this.realPaths.get(key);
    if (real === undefined) {
      try {
        real = fs.realpathSync.native(dir);
      } catch (error) {
        real = error as Error;
      }
      this.realPaths.set(key, real);
    }
    if (real instanceof Error) throw real;
    return real;
  }
}

/** A folder its parent's listing does not have. */
const NOT_LISTED: Error = Object.assign(new Error('no such folder'), { code: 'ENOENT' });

/** The walk and discovery name one folder with native and with forward separators: one key for both. */
const keyOf = path.sep === '/' ? (p: string) => p : (p: string) => p.split(path.sep).join('/');

function versionOf(stat: fs.Stats): string {
  return `disk:${stat.mtimeMs}:${stat.size}`;
}

function readFile(file: string): FileContent | undefined {
  let fd: number | undefined;
  try {
    // Non-blocking, so that opening a FIFO returns at once (it is then refused below) instead of waiting for a writer.
    fd = fs.openSync(file, fs.constants.O_NONBLOCK === undefined ? 'r' : fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const stat = fs.fstatSync(fd);
    // Not a regular file (a FIFO would block the read forever, a folder cannot be read).
    if (!stat.isFile()) return undefined;
    const bytes = Buffer.allocUnsafe(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = fs.readSync(fd, bytes, read, stat.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return { kind: 'bytes', bytes: read === stat.size ? bytes : bytes.subarray(0, read), version: versionOf(stat) };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** A symbolic link's target, undefined when it dangles. */
function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}
