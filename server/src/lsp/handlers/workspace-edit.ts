import { pathToFileURL } from 'node:url';
import type { ClientCapabilities, CreateFile, Position, TextDocumentEdit, TextEdit, WorkspaceEdit } from 'vscode-languageserver/node';
import { Fix, LineIndex } from '../../service';

/**
 * A Fix (offsets into each file's current text) as an LSP WorkspaceEdit: one edit, so one undo.
 *
 * With `documentChanges` every file edit is a TextDocumentEdit carrying the open document's version (null for a file
 * that is not open), so the client refuses the edit when the user typed in between; a new file is a CreateFile then
 * its content. Clients without `documentChanges` get the plain `changes` map; a new file then becomes an insertion into
 * a document that does not exist yet, which clients that open a missing path as an empty buffer (Neovim) accept.
 */

export interface WorkspaceEditSupport {
  readonly documentChanges: boolean;
  readonly createFiles: boolean;
}

export function workspaceEditSupport(capabilities: ClientCapabilities | undefined): WorkspaceEditSupport {
  const workspaceEdit = capabilities?.workspace?.workspaceEdit;
  return {
    documentChanges: workspaceEdit?.documentChanges === true,
    createFiles: (workspaceEdit?.resourceOperations ?? []).includes('create'),
  };
}

/** What the server knows of an open document, looked up by normalised path. */
export interface OpenDocumentState {
  readonly uri: string;
  readonly version: number;
  readonly text: string;
}

/** The fix was computed on a text that is no longer the document's: applying it would edit the wrong places. */
export class StaleFixError extends Error {
  constructor(readonly path: string) {
    super('The document changed since the fix was computed');
    this.name = 'StaleFixError';
  }
}

export function toWorkspaceEdit(fix: Fix, support: WorkspaceEditSupport, openDocument: (path: string) => OpenDocumentState | undefined): WorkspaceEdit {
  const documentChanges: (TextDocumentEdit | CreateFile)[] = [];
  const changes: Record<string, TextEdit[]> = {};
  const byUri = new Map<string, { edit: TextDocumentEdit; baseText: string }>();
  const useDocumentChanges = support.documentChanges && (support.createFiles || fix.changes.every((c) => c.kind !== 'create'));

  for (const change of fix.changes) {
    const open = openDocument(change.path);
    const uri = open?.uri ?? pathToFileURL(change.path).toString();
    if (change.kind === 'create') {
      const insert: TextEdit = { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: change.text };
      if (useDocumentChanges) {
        documentChanges.push({ kind: 'create', uri, options: { overwrite: false, ignoreIfExists: false } });
        documentChanges.push({ textDocument: { uri, version: null }, edits: [insert] });
      } else {
        (changes[uri] ??= []).push(insert);
      }
      continue;
    }
    if (open && open.text !== change.baseText) throw new StaleFixError(change.path);
    const lines = new LineIndex(change.baseText);
    const edits: TextEdit[] = change.replacements.map((r) => ({
      range: { start: position(lines, r.span.start), end: position(lines, r.span.end) },
      newText: r.newText,
    }));
    if (!useDocumentChanges) {
      (changes[uri] ??= []).push(...edits);
      continue;
    }
    // Two changes to one file become one TextDocumentEdit: a second one would fail the version check.
    const previous = byUri.get(uri);
    if (previous) {
      if (previous.baseText !== change.baseText) throw new StaleFixError(change.path);
      previous.edit.edits.push(...edits);
      continue;
    }
    const edit: TextDocumentEdit = { textDocument: { uri, version: open ? open.version : null }, edits };
    byUri.set(uri, { edit, baseText: change.baseText });
    documentChanges.push(edit);
  }
  return useDocumentChanges ? { documentChanges } : { changes };
}

function position(lines: LineIndex, offset: number): Position {
  return lines.positionAt(offset);
}
