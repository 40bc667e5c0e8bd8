import { promises as fs } from 'node:fs';
import { FileContent, FileSource } from '../service/workspace/facts';

/**
 * Reads the disk. The version is mtime+size, so the parse cache notices edits made outside the editor. Contents are
 * kept (bounded) and re-read only when stat says the file changed: every validation asks for the home's carbon.xml,
 * catalina-server.xml, axis2.xml and datasources, and a stat is much cheaper than reading them again.
 */
export class DiskFileSource implements FileSource {
  private readonly contents = new Map<string, { version: string; bytes: Uint8Array }>();
  private cachedBytes = 0;

  constructor(private readonly maxCachedBytes = 32 * 1024 * 1024) {}

  async read(path: string): Promise<FileContent | undefined> {
    try {
      const stat = await fs.stat(path);
      if (!stat.isFile()) return undefined;
      const version = `disk:${stat.mtimeMs}:${stat.size}`;
      const cached = this.contents.get(path);
      if (cached && cached.version === version) return { kind: 'bytes', bytes: cached.bytes, version };
      const bytes = await fs.readFile(path);
      this.remember(path, version, bytes);
      return { kind: 'bytes', bytes, version };
    } catch {
      return undefined;
    }
  }

  private remember(path: string, version: string, bytes: Uint8Array): void {
    const previous = this.contents.get(path);
    if (previous) {
      this.cachedBytes -= previous.bytes.byteLength;
      this.contents.delete(path);
    }
    if (bytes.byteLength > this.maxCachedBytes / 4) return;
    this.contents.set(path, { version, bytes });
    this.cachedBytes += bytes.byteLength;
    for (const [oldest, entry] of this.contents) {
      if (this.cachedBytes <= this.maxCachedBytes) break;
      this.contents.delete(oldest);
      this.cachedBytes -= entry.bytes.byteLength;
    }
  }

  async version(path: string): Promise<string | undefined> {
    try {
      const stat = await fs.stat(path);
      return stat.isFile() ? `disk:${stat.mtimeMs}:${stat.size}` : undefined;
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
