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

// ---- commands the server executes (workspace/executeCommand) ---------------------------------------------------------

export const ServerCommands = {
  /** Arguments [uri, target?: { range, data? }]: one password (target) or every plaintext password of the file. */
  encryptWithSecureVault: 'wso2Config.encryptWithSecureVault',
  /** Arguments [uri of any file of a product home]: every plaintext password of the home. */
  encryptHome: 'wso2Config.server.encryptHome',
  /** No arguments; answers ValidateWorkspaceResult. */
  validateWorkspace: 'wso2Config.server.validateWorkspace',
} as const;

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
