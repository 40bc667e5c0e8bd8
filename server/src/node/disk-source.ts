import { promises as fs } from 'node:fs';
import { FileContent, FileSource } from '../service/workspace/facts';

/** Reads the disk. The version is mtime+size, so the parse cache notices edits made outside the editor. */
export class DiskFileSource implements FileSource {
  async read(path: string): Promise<FileContent | undefined> {
    try {
      const stat = await fs.stat(path);
      if (!stat.isFile()) return undefined;
      const bytes = await fs.readFile(path);
      return { kind: 'bytes', bytes, version: `disk:${stat.mtimeMs}:${stat.size}` };
    } catch {
      return undefined;
    }
  }

  async exists(path: string): Promise<boolean> {
    try {
      await fs.access(path);
      return true;
    } catch {
      return false;
    }
  }

  async list(dir: string): Promise<string[]> {
    try {
      return await fs.readdir(dir);
    } catch {
      return [];
    }
  }
}
