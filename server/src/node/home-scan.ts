import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ProductHome, homeOfConfDir, normalizePath } from '../service/workspace/files';

/**
 * Finds product homes (a folder holding repository/conf/carbon.xml or conf/carbon.xml, EI/IoT profiles under
 * wso2/<profile>/conf included) below some roots. Bounded in depth and folder count so a huge workspace cannot stall
 * the server; symlinked folders are not followed (loops).
 */

const SKIPPED = new Set(['node_modules', '.git', '.svn', '.hg', 'out', 'dist', 'target', 'logs', 'tmp', 'database', 'lib', 'dropins', 'components', 'deployment']);

export interface ScanLimits {
  maxDepth: number;
  maxFolders: number;
}

export const DEFAULT_SCAN_LIMITS: ScanLimits = { maxDepth: 8, maxFolders: 20000 };

export async function findProductHomes(roots: readonly string[], limits: ScanLimits = DEFAULT_SCAN_LIMITS): Promise<ProductHome[]> {
  const homes = new Map<string, ProductHome>();
  let folders = 0;
  const queue: { dir: string; depth: number }[] = roots.map((dir) => ({ dir, depth: 0 }));
  while (queue.length > 0 && folders < limits.maxFolders) {
    const { dir, depth } = queue.shift()!;
    folders++;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable: skip, the rest of the tree still counts
    }
    if (path.basename(dir) === 'conf' && entries.some((e) => e.isFile() && e.name === 'carbon.xml')) {
      const home = homeOfConfDir(normalizePath(dir));
      if (home) homes.set(home.homeDir, home);
    }
    if (depth >= limits.maxDepth) continue;
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith('.') || SKIPPED.has(entry.name)) continue;
      queue.push({ dir: path.join(dir, entry.name), depth: depth + 1 });
    }
  }
  return [...homes.values()].sort((a, b) => a.homeDir.localeCompare(b.homeDir));
}
