/**
 * The custom protocol between the VS Code client (client/src/extension.ts) and the language server (server/src/lsp):
 * request and notification names with their parameter and result types, and command ids, in one module both import
 * (as vscode-eslint shares customMessages.ts and rust-analyzer keeps lsp_ext.ts). Plain constants and types only: the
 * client bundle must not pull in server code. Other LSP clients (Neovim, Emacs) use the same names.
 */

/** A request or notification name with its parameter and result types, for typed sendRequest/onRequest. */
export interface RequestDefinition<P, R> {
  readonly method: string;
  /** Types only; never read at runtime. */
  readonly _types?: { params: P; result: R };
}

function request<P, R>(method: string): RequestDefinition<P, R> {
  return { method };
}

// ---- server -> client ---------------------------------------------------------------------------------------------

export interface AskPasswordParams {
  /** What to show in the input box; names the keystore, never holds a secret. */
  readonly prompt: string;
  readonly keystorePath: string;
}

/** The keystore password for a Secure Vault fix; result null when the user cancelled. Never stored or logged. */
export const AskPasswordRequest = request<AskPasswordParams, string | null>('wso2Config/askPassword');

// ---- client -> server ---------------------------------------------------------------------------------------------

export interface EffectivePortsResult {
  /** Every product home with its ports, then the conflicts: render it as Markdown. */
  readonly markdown: string;
  /** The same as plain text. */
  readonly text: string;
  /** The same as data (workspaceJson in server/src/service/ports/rendering.ts). */
  readonly report: unknown;
}

/** No parameters; the effective ports of every product home of the workspace ("WSO2: Show Effective Ports"). */
export const EffectivePortsRequest = request<null, EffectivePortsResult>('wso2Config/effectivePorts');

/** A place in a file: 1-based line and columns ([column, endColumn)), as the port report gives them. */
export interface PortMapLocation {
  readonly uri: string;
  readonly line: number;
  readonly column: number;
  readonly endColumn: number;
}

export interface PortMapPort {
  /** What the port is, e.g. "Tomcat connector (https)". */
  readonly label: string;
  /** Conf-relative path of the file it is written in. */
  readonly file: string;
  readonly written: number | null;
  /** The port the server opens; null when the offset or the value is unknown. */
  readonly effective: number | null;
  /** Short Markdown: "+ offset", "as written", … */
  readonly how: string;
  readonly listening: boolean;
  /** Where the value is written; null when the report has no place for it. */
  readonly location: PortMapLocation | null;
  /** Home folders that open the same effective port: a conflict. */
  readonly conflictsWith: readonly string[];
}

export interface PortMapHome {
  /** The home folder (a path). */
  readonly home: string;
  readonly name: string;
  readonly offset: {
    readonly value: number | null;
    /** 'setting' (-DportOffset), 'carbon.xml' or 'default'. */
    readonly source: string;
    /** carbon.xml's `<Offset>`, when written. */
    readonly location: PortMapLocation | null;
  };
  /** For a home in a conflict: the lowest offset that collides with no other home (null: none does); undefined: no conflict. */
  readonly lowestFreeOffset: number | null | undefined;
  readonly ports: readonly PortMapPort[];
  /** Default ports of the detected product in files the server does not read (not drawn: no line to open). */
  readonly defaultPortCount: number;
}

export interface PortMapResult {
  readonly homes: readonly PortMapHome[];
  /** Pairs of home folders that open a same port, with the shared ports. */
  readonly conflicts: readonly { readonly homes: readonly [string, string]; readonly ports: readonly number[] }[];
}

/** No parameters; the port report as data with each port's place, for the port map view (client/src/port-map). */
export const PortMapRequest = request<null, PortMapResult>('wso2Config/portMap');

// ---- commands the server executes (workspace/executeCommand) ---------------------------------------------------------

export const ServerCommands = {
  /**
   * Arguments [uri, target?: { range, data? } | null, options?: EncryptCommandOptions]: one password (target) or every
   * plaintext password of the file. Answers EncryptCommandResult.
   */
  encryptWithSecureVault: 'wso2Config.encryptWithSecureVault',
  /** Arguments [uri of any file of a product home]: every plaintext password of the home. */
  encryptHome: 'wso2Config.server.encryptHome',
  /** No arguments; answers ValidateWorkspaceResult. */
  validateWorkspace: 'wso2Config.server.validateWorkspace',
} as const;

/**
 * The state of one file a Secure Vault code action was planned on: a SHA-256 of its text (never the text: it holds the
 * passwords), or that it did not exist. The encrypt command compares them with the files' current state.
 */
export type EncryptCommandBasis =
  | { readonly path: string; readonly state: 'absent' }
  | { readonly path: string; readonly state: 'text'; readonly sha256: string };

export interface EncryptCommandOptions {
  /** The files the offered change touched, in the state it was planned on. */
  readonly bases?: readonly EncryptCommandBasis[];
}

export interface EncryptCommandResult {
  readonly applied: boolean;
  /** Files that changed since the action was offered, so the change was planned again on their current content. */
  readonly replanned?: readonly string[];
  /** Files whose change made the action meaningless (the document it was offered on): nothing was applied. */
  readonly stale?: readonly string[];
}

export interface ValidateWorkspaceResult {
  readonly files: number;
  readonly findings: number;
  /** The request or its progress was cancelled: the counts cover the files validated until then. */
  readonly cancelled?: boolean;
}

/** The code action kind of "encrypt every plaintext password of this file" (source action). */
export const ENCRYPT_ALL_CODE_ACTION_KIND = 'source.wso2-config.encryptAll';

// ---- commands the client contributes (package.json contributes.commands) -----------------------------------------

export const ClientCommands = {
  restartServer: 'wso2Config.restartServer',
  showOutput: 'wso2Config.showOutput',
  encryptFile: 'wso2Config.encryptFile',
  encryptHome: 'wso2Config.encryptHome',
  validateWorkspace: 'wso2Config.validateWorkspace',
  showEffectivePorts: 'wso2Config.showEffectivePorts',
} as const;
