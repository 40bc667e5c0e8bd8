import { HOME_FILES, ProductHome, basename, homeOfConfDir, joinPath, normalizePath } from './files';

/**
 * The one product-home discovery of the server, `wso2-config-lint`, `ports` and `encrypt`: a folder `conf` holding
 * carbon.xml (…/repository/conf or …/conf; EI and IoT profiles under wso2/<profile>/conf included) or deployment.toml
 * (Carbon 4.5+ products: API Manager, Identity Server at …/repository/conf, Micro Integrator at …/conf). Symbolic links to
 * folders are followed everywhere alike (a home whose `conf` is a link is a home), each real folder visited once so a
 * link loop ends. Bounded in depth (8 folders below a root) and folder count (20000) so a huge workspace cannot stall the
 * caller; some folders are stepped over (`skipsSubfolder`). A settings `exclude` does not hide a home here: the callers
 * filter with `runningHomes` where it matters (port conflicts), while `encrypt`, which the user points at a home, does not.
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

/**
 * Folders never walked, wherever they are: version control, dependencies (nothing of ours lives there, and they can be
 * huge) and build outputs (a Maven-built distribution's `target/` holds a copy of a conf: linting it would double every
 * finding and put the copy in port conflicts with its source). Folders whose name starts with a dot are skipped too.
 */
const ALWAYS_SKIPPED = new Set(['node_modules', 'out', 'dist', 'target']);

/**
 * A product home's own bulky folders (jars, H2 databases, logs, deployed artifacts, scratch space): skipped only inside a
 * product home, so a user's own `tmp/` or `deployment/` folder of homes is still walked. The layout is the products'
 * (wso2/carbon-kernel v4.4.35 distribution: `<home>/lib`, `<home>/tmp`, `<home>/repository/{components,database,
 * deployment,logs}`; wso2/micro-integrator v4.2.0: `<home>/dropins`, `<home>/lib`, `<home>/tmp` beside `<home>/conf`;
 * wso2/product-ei v6.5.0: `<dist>/wso2/{components,lib}`).
 */
const HOME_INTERNALS = new Set(['tmp', 'lib', 'dropins', 'components', 'database', 'logs', 'deployment']);

/**
 * Whether a walk of folders for product homes steps over the subfolder `name` of a folder named `parentName` whose
 * entries (files and folders) are `siblings`. Shared by discovery and the CLI's file walk (cli/walk.ts), so the homes
 * `check` reports on are the homes it, `ports`, `encrypt` and the server know. A folder given as a root is always walked.
 */
export function skipsSubfolder(name: string, parentName: string, siblings: readonly string[]): boolean {
  if (name.startsWith('.') || ALWAYS_SKIPPED.has(name)) return true;
  if (!HOME_INTERNALS.has(name)) return false;
  // Inside a product home: <home> with conf/ (MI, EI), <home> with bin/ and repository/ (Carbon 4.x, APIM, IS),
  // <home>/repository (holds conf/), or a distribution's wso2/ profile folder.
  return siblings.includes('conf') || (siblings.includes('bin') && siblings.includes('repository')) || parentName === 'wso2';
}

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
    const names = entries.map((e) => e.name);
    const name = basename(dir);
    for (const entry of entries) {
      if (entry.kind !== 'directory' || skipsSubfolder(entry.name, name, names)) continue;
      queue.push({ dir: joinPath(dir, entry.name), depth: depth + 1 });
    }
  }
  return [...homes.values()].sort((a, b) => a.homeDir.localeCompare(b.homeDir));
}
