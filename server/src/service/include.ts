import picomatch from 'picomatch';
import { Settings } from './settings';

/**
 * Include/exclude globs, relative to the workspace root that contains the file (or matched against the absolute
 * path when no root contains it). An empty include list means every recognised configuration file.
 */
export function isIncluded(path: string, roots: readonly string[], settings: Settings): boolean {
  if (settings.include.length === 0 && settings.exclude.length === 0) return true;
  const root = roots.filter((r) => path === r || path.startsWith(`${r}/`)).sort((a, b) => b.length - a.length)[0];
  const relative = root ? path.slice(root.length + 1) : path;
  const options = { dot: true };
  if (settings.exclude.length > 0 && picomatch(settings.exclude, options)(relative)) return false;
  if (settings.include.length > 0 && !picomatch(settings.include, options)(relative)) return false;
  return true;
}
