import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DirectoryEntry, DirectoryReader } from '../service';

/**
 * The disk as home discovery (service/workspace/discovery.ts) reads it: symbolic links followed, so a home whose
 * `conf` (or any folder above it) is a link is found by the server, `check`, `ports` and `encrypt` alike.
 */
export const NODE_DIRECTORY_READER: DirectoryReader = {
  async entries(dir: string): Promise<DirectoryEntry[] | undefined> {
    let dirents: fs.Dirent[];
    try {
      dirents = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch {
      return undefined;
    }
    const entries: DirectoryEntry[] = [];
    for (const dirent of dirents) {
      const linked = dirent.isSymbolicLink() ? await fs.promises.stat(path.join(dir, dirent.name)).catch(() => undefined) : undefined;
      entries.push({ name: dirent.name, kind: kindOf(dirent, linked) });
    }
    return entries;
  },
  async realPath(dir: string): Promise<string | undefined> {
    return fs.promises.realpath(dir).then(
      (p) => p.split(path.sep).join('/'),
      () => undefined,
    );
  },
};

/** A dirent's kind; for a symbolic link, the kind of its target (`linked`: its stat, undefined when dangling). */
export function kindOf(dirent: fs.Dirent, linked: fs.Stats | undefined): DirectoryEntry['kind'] {
  if (dirent.isSymbolicLink()) return linked?.isFile() ? 'file' : linked?.isDirectory() ? 'directory' : 'other';
  return dirent.isFile() ? 'file' : dirent.isDirectory() ? 'directory' : 'other';
}
