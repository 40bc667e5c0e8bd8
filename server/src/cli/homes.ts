import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ProductHome, normalizePath, recogniseConfigFile } from '../service';

/**
 * The product homes of the command line's targets, as `wso2-config-lint` (for port conflicts) and `ports` both see
 * them: every home the facade's discovery finds below a folder target (service/workspace/discovery.ts, the server's
 * discovery too), and the home of a configuration file named as a target. A target that does not exist names no
 * home; each command reports it its own way.
 */
export async function homesOfTargets(discoverHomes: (roots: readonly string[]) => Promise<ProductHome[]>, targets: readonly string[]): Promise<ProductHome[]> {
  const homes = new Map<string, ProductHome>();
  const folders: string[] = [];
  for (const target of targets) {
    const absolute = path.resolve(target);
    const stat = await fs.stat(absolute).catch(() => undefined);
    if (stat?.isDirectory()) folders.push(absolute);
    else if (stat?.isFile()) {
      const home = recogniseConfigFile(normalizePath(absolute))?.home;
      if (home) homes.set(home.homeDir, home);
    }
  }
  for (const home of await discoverHomes(folders)) homes.set(home.homeDir, home);
  return [...homes.values()].sort((a, b) => a.homeDir.localeCompare(b.homeDir));
}
