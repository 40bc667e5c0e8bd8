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

/**
 * What the log may say about an exception: its class and the frame that threw it, never its message. Handlers work on
 * document text, and a parser's message can quote it (a password included); the output channel is no place for that.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const frame = error.stack?.split('\n').find((line) => /^\s+at /.test(line))?.trim();
  return frame ? `${error.name} ${frame}` : error.name;
}

export type { Connection };
