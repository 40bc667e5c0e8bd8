import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { DirectoryEntry, DirectoryReader } from '../service';

/**
 * The disk as home discovery (service/workspace/discovery.ts) reads it: symbolic links followed, so a home whose
 * `conf` (or any folder above it) is a link is found by the server, `check`, `ports` and `encrypt` alike.
 */
export const NODE_DIRECTORY_READER: DirectoryReader = {
  async entries(dir: string): Promise<DirectoryEntry[] | undefined> {
    let dirents: import('node:fs').Dirent[];
    try {
      dirents = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return undefined;
    }
    const entries: DirectoryEntry[] = [];
    for (const dirent of dirents) {
      let kind: DirectoryEntry['kind'] = dirent.isFile() ? 'file' : dirent.isDirectory() ? 'directory' : 'other';
      if (dirent.isSymbolicLink()) {
        const stat = await fs.stat(path.join(dir, dirent.name)).catch(() => undefined);
        kind = stat?.isFile() ? 'file' : stat?.isDirectory() ? 'directory' : 'other';
      }
      entries.push({ name: dirent.name, kind });
    }
    return entries;
  },
  async realPath(dir: string): Promise<string | undefined> {
    return fs.realpath(dir).then(
      (p) => p.split(path.sep).join('/'),
      () => undefined,
    );
  },
};
