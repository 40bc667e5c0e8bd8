import { HOME_FILES, ProductHome, basename, homeOfConfDir, joinPath, normalizePath } from './files';

/**
 * The one product-home discovery of the server, `wso2-config-lint`, `ports` and `encrypt`: a folder `conf` holding
 * carbon.xml (…/repository/conf or …/conf; EI and IoT profiles under wso2/<profile>/conf included) or deployment.toml
 * (Carbon 4.5+ products: API Manager, Identity Server at …/repository/conf, Micro Integrator at …/conf). Symbolic links to
 * folders are followed everywhere alike (a home whose `conf` is a link is a home), each real folder visited once so a
 * link loop ends. Bounded in depth and folder count so a huge workspace cannot stall the caller.
 */

export interface DirectoryEntry {
  readonly name: string;
  /** After following a symbolic link. */
  readonly kind: 'file' | 'directory' | 'other';
}

/** The file system as discovery sees it (node/home-scan.ts reads the disk; tests use memory). */
export interface DirectoryReader {
  /** Entries of a folder; undefined when it cannot be read. */
  entries(dir: string): Promise<readonly DirectoryEntry[] | undefined>;
  /** The folder's real path (links resolved), to visit each folder once; undefined when unknown. */
  realPath(dir: string): Promise<string | undefined>;
}

export interface ScanLimits {
  maxDepth: number;
  maxFolders: number;
}

export const DEFAULT_SCAN_LIMITS: ScanLimits = { maxDepth: 8, maxFolders: 20000 };

/** Folders that never hold a product's conf folder and can be huge. */
const SKIPPED = new Set(['node_modules', '.git', '.svn', '.hg', 'out', 'dist', 'target', 'logs', 'tmp', 'database', 'lib', 'dropins', 'components', 'deployment']);

export async function discoverHomes(roots: readonly string[], reader: DirectoryReader, limits: ScanLimits = DEFAULT_SCAN_LIMITS): Promise<ProductHome[]> {
  const homes = new Map<string, ProductHome>();
  const visited = new Set<string>();
  let folders = 0;
  const queue: { dir: string; depth: number }[] = roots.map((dir) => ({ dir: normalizePath(dir), depth: 0 }));
  while (queue.length > 0 && folders < limits.maxFolders) {
    const { dir, depth } = queue.shift()!;
    const real = (await reader.realPath(dir)) ?? dir;
    if (visited.has(real)) continue;
    visited.add(real);
    folders++;
    const entries = await reader.entries(dir);
    if (!entries) continue; // unreadable: skip, the rest of the tree still counts
    if (basename(dir) === 'conf' && entries.some((e) => e.kind === 'file' && (e.name === HOME_FILES.carbon || e.name === HOME_FILES.deploymentToml))) {
      const home = homeOfConfDir(dir);
      if (home) homes.set(home.homeDir, home);
    }
    if (depth >= limits.maxDepth) continue;
    for (const entry of entries) {
      if (entry.kind !== 'directory' || entry.name.startsWith('.') || SKIPPED.has(entry.name)) continue;
      queue.push({ dir: joinPath(dir, entry.name), depth: depth + 1 });
    }
  }
  return [...homes.values()].sort((a, b) => a.homeDir.localeCompare(b.homeDir));
}
