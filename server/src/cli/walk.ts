import { promises as nodeFs, Dirent, Stats } from 'node:fs';
import * as path from 'node:path';
import { recogniseConfigFile as locateConfigFile, skipsSubfolder } from '../service';

/**
 * The CLI's walk: every covered configuration file below the paths it is given. Nothing on the way is fatal: a folder
 * that cannot be read, a symbolic link that loops or points nowhere, a FIFO where a file should be: each is reported
 * (the report names the path and the error code, nothing of any content) and the walk goes on. Symbolic links to
 * folders are followed, because CI checkouts often link a product home in, but a link back to one of its own
 * ancestors is a loop and is reported, and a folder reached twice is walked once. Below a target, the walk steps over
 * the folders home discovery steps over (`skipsSubfolder`: dot folders, node_modules, build outputs, a product home's
 * own tmp/, lib/, logs/…), so the files it reports belong to the homes `ports`, `encrypt` and the server know; a
 * folder named on the command line is walked whatever its name.
 */

/** The file-system calls the walk makes; tests substitute failing ones (root ignores chmod 000). */
export interface WalkFileSystem {
  lstat(p: string): Promise<Stats>;
  stat(p: string): Promise<Stats>;
  readdir(p: string): Promise<Dirent[]>;
  realpath(p: string): Promise<string>;
}

export const NODE_WALK_FS: WalkFileSystem = {
  lstat: (p) => nodeFs.lstat(p),
  stat: (p) => nodeFs.stat(p),
  readdir: (p) => nodeFs.readdir(p, { withFileTypes: true }),
  realpath: (p) => nodeFs.realpath(p),
};

export interface WalkResult {
  /** Absolute paths of covered configuration files (as reached: through links, not resolved), sorted. */
  readonly files: string[];
  /** Files named on the command line that are not configuration files this tool covers. */
  readonly ignored: string[];
  /** One line per problem met on the way; none of them stops the walk. */
  readonly problems: string[];
}

export class MissingTargetError extends Error {}

export interface WalkOptions {
  readonly fs?: WalkFileSystem;
  /** Called with the number of files found so far, for a progress indicator. */
  readonly onProgress?: (filesFound: number) => void;
}

export async function walkTargets(targets: readonly string[], options: WalkOptions = {}): Promise<WalkResult> {
  const fs = options.fs ?? NODE_WALK_FS;
  const files = new Set<string>();
  const ignored: string[] = [];
  const problems: string[] = [];
  /** Real paths of folders already walked. */
  const visited = new Set<string>();

  for (const target of targets) {
    const absolute = path.resolve(target);
    let stat: Stats;
    try {
      stat = await fs.stat(absolute);
    } catch (error) {
      const code = codeOf(error);
      // A target that is a dangling or looping link exists as a name; one that does not exist at all is a usage error.
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        const isLink = await fs.lstat(absolute).then((s) => s.isSymbolicLink(), () => false);
        if (!isLink) throw new MissingTargetError(`No such file or folder: ${target}`);
        problems.push(`${absolute}: broken symbolic link (its target does not exist), skipped`);
        continue;
      }
      problems.push(`${absolute}: ${describeCode(code)}, skipped`);
      continue;
    }
    if (stat.isFile()) {
      if (locateConfigFile(absolute)) files.add(absolute);
      else ignored.push(absolute);
      continue;
    }
    if (!stat.isDirectory()) {
      problems.push(`${absolute}: not a regular file or folder (${kindOf(stat)}), skipped`);
      continue;
    }
    await walkFolder(absolute);
  }

  async function walkFolder(root: string): Promise<void> {
    const pending = [root];
    while (pending.length > 0) {
      const dir = pending.pop()!;
      let real: string;
      try {
        real = await fs.realpath(dir);
      } catch (error) {
        problems.push(`${dir}: cannot resolve the folder (${describeCode(codeOf(error))}), skipped`);
        continue;
      }
      if (visited.has(real)) continue;
      visited.add(real);
      let entries: Dirent[];
      try {
        entries = await fs.readdir(dir);
      } catch (error) {
        problems.push(`${dir}: cannot read the folder (${describeCode(codeOf(error))}), skipped`);
        continue;
      }
      // Reverse order onto the stack, so folders are walked in name order (stable output and progress).
      const subfolders: string[] = [];
      const names = entries.map((e) => e.name);
      const dirName = path.basename(dir);
      for (const entry of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (!skipsSubfolder(entry.name, dirName, names)) subfolders.push(full);
        } else if (entry.isFile()) {
          if (locateConfigFile(full)) files.add(full);
        } else if (entry.isSymbolicLink()) {
          const folder = await followLink(full, real, skipsSubfolder(entry.name, dirName, names));
          if (folder) subfolders.push(folder);
        } else if (locateConfigFile(full)) {
          // A FIFO would block the read forever, a device would stream: neither is a configuration file.
          problems.push(`${full}: not a regular file (${kindOfDirent(entry)}), skipped`);
        }
      }
      options.onProgress?.(files.size);
      for (let i = subfolders.length - 1; i >= 0; i--) pending.push(subfolders[i]);
    }
  }

  /** A link's folder to walk, or undefined (a file link is recorded here; problems are reported). */
  async function followLink(link: string, realParent: string, skipped: boolean): Promise<string | undefined> {
    let stat: Stats;
    try {
      stat = await fs.stat(link);
    } catch (error) {
      const code = codeOf(error);
      if (code === 'ELOOP') problems.push(`${link}: symbolic link loop (the link resolves to itself), skipped`);
      // A dangling link elsewhere in a repository is none of our business; one where a configuration file belongs is.
      else if (code === 'ENOENT' || code === 'ENOTDIR') {
        if (locateConfigFile(link)) problems.push(`${link}: broken symbolic link (its target does not exist), skipped`);
      } else problems.push(`${link}: cannot follow the symbolic link (${describeCode(code)}), skipped`);
      return undefined;
    }
    if (stat.isFile()) {
      if (locateConfigFile(link)) files.add(link);
      return undefined;
    }
    if (!stat.isDirectory()) {
      if (locateConfigFile(link)) problems.push(`${link}: not a regular file (${kindOf(stat)}), skipped`);
      return undefined;
    }
    if (skipped) return undefined;
    let target: string;
    try {
      target = await fs.realpath(link);
    } catch (error) {
      problems.push(`${link}: cannot resolve the symbolic link (${describeCode(codeOf(error))}), skipped`);
      return undefined;
    }
    if (realParent === target || realParent.startsWith(target.endsWith(path.sep) ? target : target + path.sep)) {
      problems.push(`${link}: symbolic link loop (it points to ${target}, a folder that contains it), skipped`);
      return undefined;
    }
    // Reached before through another path: walked once.
    return visited.has(target) ? undefined : link;
  }

  const sorted = [...files].sort();
  return { files: sorted, ignored, problems };
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? 'error';
}

const CODE_TEXT: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'path too long',
  EMFILE: 'too many open files',
  EIO: 'I/O error',
  ENOENT: 'no longer exists',
  ENOTDIR: 'not a folder',
};

function describeCode(code: string): string {
  return CODE_TEXT[code] ? `${CODE_TEXT[code]}, ${code}` : code;
}

function kindOf(stat: Stats): string {
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  return 'not a file';
}

function kindOfDirent(entry: Dirent): string {
  if (entry.isFIFO()) return 'a FIFO';
  if (entry.isSocket()) return 'a socket';
  if (entry.isCharacterDevice()) return 'a character device';
  if (entry.isBlockDevice()) return 'a block device';
  return 'not a file';
}
