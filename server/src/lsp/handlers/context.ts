import { Connection } from 'vscode-languageserver/node';
import { ServerContext } from '../server';
import { OpenDocumentState, WorkspaceEditSupport } from './workspace-edit';
import { uriToPath } from '../server';

/** What the client can do with edits, read from its capabilities at initialize. */
export interface ClientSupport {
  editSupport: WorkspaceEditSupport;
  disabledSupport: boolean;
  canApplyEdit: boolean;
}

/** The open document at a path, for versioned workspace edits. */
export function openState(context: ServerContext, path: string): OpenDocumentState | undefined {
  for (const document of context.documents.all()) {
    if (uriToPath(document.uri) === path) return { uri: document.uri, version: document.version, text: document.getText() };
  }
  return undefined;
}

export type { Connection };
