import {
  CancellationToken,
  ClientCapabilities,
  CodeAction,
  CodeActionParams,
  Command,
  Connection,
  Definition,
  DefinitionParams,
  Hover,
  HoverParams,
  InlayHint,
  InlayHintParams,
  ProgressToken,
  TextDocuments,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ConfigFileLocation, FileContent, FileSource, ParsedDocument, ProductHome, Settings, WorkspaceService, describeError } from '../../service';
import { OpenDocumentState, WorkspaceEditSupport } from './workspace-edit';
import { uriToPath } from '../uri';

/**
 * What the feature modules (handlers/) share with the server: the context it hands them and small helpers. The server
 * (server.ts) implements ServerContext and imports it from here, so no handler module and the server import each other.
 */

/** What a feature module (hover, inlay hints, code actions, commands) gets from the server. */
export interface ServerContext {
  readonly connection: Connection;
  readonly documents: TextDocuments<TextDocument>;
  /** The core, through its facade (service/index.ts): the only way in. */
  readonly service: WorkspaceService;
  readonly files: FileSource;
  settingsFor(path: string): Settings;
  /** Product homes of the workspace that are not excluded by the settings. */
  knownHomes(): ProductHome[];
  /** Settles once the first scan of the workspace folders for product homes is over (whole-workspace reports wait). */
  homesScanned(): Promise<void>;
  /** The parsed state of an open, covered document at its current version (parsed once per version). */
  openDocument(uri: string): OpenConfigDocument | undefined;
  /** Any open document with a file path (covered or not: ports hover on other XML of a conf folder). */
  openText(uri: string): { readonly document: TextDocument; readonly path: string; readonly content: FileContent } | undefined;
  /** Wraps a handler: an exception is logged (class and message only) and answered with `empty`. */
  safe<A extends unknown[], R>(name: string, handler: (...args: A) => R | Promise<R>, empty: R): (...args: A) => Promise<R>;
  /** Revalidates every open document, e.g. after a command changed files on disk. */
  revalidateAll(): void;
  log(message: string): void;
  /**
   * LSP allows one handler per request on a connection, and several features answer hovers, code actions and the
   * like: they add providers here and the server combines them (the first hover or definition that answers wins;
   * code actions and inlay hints are concatenated; commands are dispatched by id).
   */
  addHoverProvider(provider: Provider<HoverParams, Hover | null>): void;
  addDefinitionProvider(provider: Provider<DefinitionParams, Definition | null>): void;
  addCodeActionProvider(provider: Provider<CodeActionParams, (CodeAction | Command)[]>): void;
  addInlayHintProvider(provider: Provider<InlayHintParams, InlayHint[]>): void;
  addCommand(id: string, handler: (args: unknown[], request: CommandRequest) => Promise<unknown> | unknown): void;
  /** Called after editor or file settings changed (e.g. to refresh inlay hints). */
  onSettingsChanged(listener: () => void): void;
  /** Whether the client can be asked to refresh inlay hints. */
  readonly clientCapabilities: ClientCapabilities | undefined;
}

/** What a command handler may use of its executeCommand request: its cancellation and the client's progress token. */
export interface CommandRequest {
  readonly token: CancellationToken;
  readonly workDoneToken: ProgressToken | undefined;
}

export type Provider<P, R> = (params: P) => Promise<R> | R;

export interface OpenConfigDocument {
  readonly document: TextDocument;
  readonly path: string;
  readonly location: ConfigFileLocation;
  /** What the service reads (the version key validation uses, so parses are shared). */
  readonly content: FileContent;
  readonly parsed: ParsedDocument;
}

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

export { describeError };
export type { Connection };
