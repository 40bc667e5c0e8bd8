import { fileURLToPath } from 'node:url';
import { normalizePath } from '../service';

/** The normalised path of a `file:` uri; undefined for any other scheme. */
export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return normalizePath(fileURLToPath(uri));
  } catch {
    return undefined;
  }
}
