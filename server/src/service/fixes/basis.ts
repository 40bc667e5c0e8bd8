import { createHash } from 'node:crypto';
import { decodeBytes } from '../workspace/decode';
import { FileContent, FileSource } from '../workspace/facts';
import { FileChange } from './types';

/**
 * The state every file of a multi-file change was planned against, and the check that they still hold it (issue 10
 * item 4): two Secure Vault fixes computed before either is applied both append to cipher-text.properties, and the
 * second one's offsets then land inside the first one's line. A change is applied only when every file it touches
 * is still in its basis state, or not at all.
 *
 * The basis of an 'edit' is its `baseText`, carried as a SHA-256 (a fix's base texts hold the plaintext passwords,
 * so a basis that travels, e.g. in a command's arguments through the editor, must not be the text itself); the basis
 * of a 'create' is that the file does not exist.
 */

export type FileBasis =
  | { readonly path: string; readonly state: 'absent' }
  /** `sha256`: lower-case hex of the UTF-8 bytes of the text the change's offsets refer to. */
  | { readonly path: string; readonly state: 'text'; readonly sha256: string };

export interface StaleFile {
  readonly path: string;
  readonly reason: 'changed' | 'deleted' | 'exists' | 'unreadable';
  /** Names the file and what happened to it; never its content. */
  readonly message: string;
}

export function textSha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function changeBasis(change: FileChange): FileBasis {
  return change.kind === 'edit' ? { path: change.path, state: 'text', sha256: textSha256(change.baseText) } : { path: change.path, state: 'absent' };
}

export function changeBases(changes: readonly FileChange[]): FileBasis[] {
  return changes.map(changeBasis);
}

/**
 * The text a change's offsets refer to, from what a FileSource gives: an open document's text as it is; bytes of an
 * XML file decoded as the analyzer decodes them, of any other file (java.util.Properties) as ISO-8859-1.
 */
export function basisText(path: string, content: FileContent): string | undefined {
  if (content.kind === 'text') return content.text;
  if (!path.toLowerCase().endsWith('.xml')) return Buffer.from(content.bytes).toString('latin1');
  const decoded = decodeBytes(content.bytes);
  return decoded.ok ? decoded.text : undefined;
}

/**
 * The files that no longer hold their basis state, read through `files` (open documents and the disk, as the
 * caller's FileSource sees them). Empty: the change can be applied as planned. Otherwise re-plan, or refuse naming
 * the files.
 */
export async function staleFiles(bases: readonly FileBasis[], files: FileSource): Promise<StaleFile[]> {
  const stale: StaleFile[] = [];
  for (const basis of bases) {
    if (basis.state === 'absent') {
      if (await files.exists(basis.path)) stale.push({ path: basis.path, reason: 'exists', message: `${basis.path} exists now; the change was planned to create it` });
      continue;
    }
    const content = await files.read(basis.path);
    if (!content) {
      const exists = await files.exists(basis.path);
      stale.push(
        exists
          ? { path: basis.path, reason: 'unreadable', message: `${basis.path} cannot be read now, so it cannot be checked against the change` }
          : { path: basis.path, reason: 'deleted', message: `${basis.path} no longer exists; the change was planned on its earlier content` },
      );
      continue;
    }
    const text = basisText(basis.path, content);
    if (text === undefined || textSha256(text) !== basis.sha256) {
      stale.push({ path: basis.path, reason: 'changed', message: `${basis.path} changed since the change was planned` });
    }
  }
  return stale;
}
