import * as vscode from 'vscode';
import { ApplyWorkspaceEditParams, ApplyWorkspaceEditRequest, ApplyWorkspaceEditResult, ExecuteCommandRequest, LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import {
  AskPasswordParams,
  AskPasswordRequest,
  ClientCommands,
  EffectivePortsRequest,
  EffectivePortsResult,
  PortMapRequest,
  PortMapResult,
  ServerCommands,
  ValidateWorkspaceResult,
} from '../../server/src/protocol';
import { PortMapPanel } from './port-map/panel';

/**
 * The VS Code side is deliberately thin: start the language server, hand it the covered files and the
 * wso2Config settings, and offer restart/output commands. All analysis happens in the server.
 */

/** The files the server analyses (matched by path; the server also checks the root element). */
const COVERED_PATTERNS = [
  '**/conf/carbon.xml',
  '**/conf/user-mgt.xml',
  '**/conf/registry.xml',
  '**/conf/tomcat/catalina-server.xml',
  '**/conf/axis2/axis2.xml',
  '**/conf/datasources/*-datasources.xml',
  // Files beyond the six that hold secrets (plaintext-password): API Manager, the andes broker, Identity Server, Axis2 clients.
  '**/conf/api-manager.xml',
  '**/conf/broker.xml',
  '**/conf/identity/embedded-ldap.xml',
  '**/conf/output-event-adapters.xml',
  '**/conf/axis2/axis2_client.xml',
  '**/conf/axis2/axis2_blocking_client.xml',
  // Carbon 4.5+ products (API Manager 3.2+, Identity Server 5.11+, Micro Integrator 4.x): the XML is generated from it.
  // By path too, so a TOML extension keeps the `toml` language (formatting, completion); the server only adds
  // diagnostics, hovers, inlay hints and code actions.
  '**/conf/deployment.toml',
  '**/.wso2config.json',
  // Secure Vault's properties files: a fix applied to them stays unsaved in the editor, and the server must plan the
  // next fix on that text, not on the saved file (issue 10 item 4).
  '**/conf/security/cipher-text.properties',
  '**/conf/security/cipher-tool.properties',
  '**/conf/security/secret-conf.properties',
  // .properties files with secrets (plaintext-password): the andes JNDI file, the authentication endpoint's config.
  '**/conf/jndi.properties',
  '**/conf/identity/EndpointConfig.properties',
  // Other files of a conf folder that hold ${Ports.…} references (hovers and inlay hints show the effective port).
  '**/conf/etc/jmx.xml',
  '**/conf/identity/identity.xml',
  // Lone copies outside a product home are still recognised by name and root element.
  '**/carbon.xml',
  '**/user-mgt.xml',
  '**/catalina-server.xml',
  '**/axis2.xml',
  '**/*-datasources.xml',
  '**/registry.xml',
];

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const outputChannel = vscode.window.createOutputChannel('WSO2 Config');
  const clientOptions: LanguageClientOptions = {
    // By pattern, not language id: the files are analysed whatever XML extension (if any) owns the language.
    documentSelector: COVERED_PATTERNS.map((pattern) => ({ scheme: 'file', pattern })),
    synchronize: { configurationSection: 'wso2Config' },
    outputChannel,
  };
  client = new LanguageClient('wso2Config', 'WSO2 Config', serverOptions, clientOptions);

  context.subscriptions.push(
    outputChannel,
    vscode.commands.registerCommand(ClientCommands.restartServer, async () => {
      await client?.restart();
    }),
    vscode.commands.registerCommand(ClientCommands.showOutput, () => outputChannel.show(true)),
    vscode.commands.registerCommand(ClientCommands.encryptFile, async () => {
      const uri = activeDocumentUri();
      if (!uri) return void vscode.window.showWarningMessage('Open a WSO2 configuration file first.');
      await runServerCommand(ServerCommands.encryptWithSecureVault, uri);
    }),
    vscode.commands.registerCommand(ClientCommands.encryptHome, async () => {
      const uri = activeDocumentUri();
      if (!uri) return void vscode.window.showWarningMessage('Open a file of the product home first.');
      await runServerCommand(ServerCommands.encryptHome, uri);
    }),
    vscode.commands.registerCommand(ClientCommands.validateWorkspace, async () => {
      const result = (await runServerCommand(ServerCommands.validateWorkspace)) as ValidateWorkspaceResult | undefined;
      if (result) void vscode.window.showInformationMessage(`WSO2 Config checked ${result.files} configuration files: ${result.findings} findings (see the Problems panel).`);
    }),
    vscode.commands.registerCommand(ClientCommands.showEffectivePorts, async () => {
      if (!client) return;
      await PortMapPanel.show({
        fetch: () => client!.sendRequest<PortMapResult>(PortMapRequest.method, null),
        showMarkdown: showEffectivePortsMarkdown,
      });
    }),
  );
  context.subscriptions.push(
    // The Secure Vault fixes come from the server's encrypt command (it checks the files they were planned on) and
    // touch files no editor shows (cipher-text.properties, secret-conf.properties). Applied as a refactoring, VS Code
    // saves those files as it does for a code action's own edit (files.refactoring.autoSave), instead of leaving them
    // as unsaved buffers behind no editor. The rest is the language client's own handling: edits converted in order,
    // refused when an open document's version moved on.
    client.onRequest(ApplyWorkspaceEditRequest.type, async (params: ApplyWorkspaceEditParams): Promise<ApplyWorkspaceEditResult> => {
      const current = client!;
      const edit = await current.protocol2CodeConverter.asWorkspaceEdit(params.edit);
      const open = new Map(vscode.workspace.textDocuments.map((d) => [d.uri.toString(), d.version]));
      for (const change of params.edit.documentChanges ?? []) {
        if (!('textDocument' in change) || typeof change.textDocument.version !== 'number') continue;
        const version = open.get(current.protocol2CodeConverter.asUri(change.textDocument.uri).toString());
        if (version !== undefined && version !== change.textDocument.version) return { applied: false, failureReason: 'the document changed meanwhile' };
      }
      return { applied: await vscode.workspace.applyEdit(edit, { isRefactoring: true }) };
    }),
    // The server asks for a PKCS#12 keystore password only when carbon.xml does not hold it in plain text.
    client.onRequest(AskPasswordRequest.method, async (params: AskPasswordParams): Promise<string | null> => {
      const trace = vscode.workspace.getConfiguration('wso2Config').get<string>('trace.server', 'off');
      if (trace !== 'off') {
        // The protocol trace would write the answer to the output channel.
        void vscode.window.showErrorMessage('Set wso2Config.trace.server to "off" before entering a keystore password: the protocol trace would record it.');
        return null;
      }
      const password = await vscode.window.showInputBox({ password: true, ignoreFocusOut: true, prompt: params.prompt, title: 'WSO2 Secure Vault' });
      return password ?? null;
    }),
  );
  await client.start();
}

/** The Markdown form of the port report in the preview (the port map's "Open as Markdown"). */
async function showEffectivePortsMarkdown(): Promise<void> {
  if (!client) return;
  const result = await client.sendRequest<EffectivePortsResult>(EffectivePortsRequest.method, null);
  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: result.markdown });
  await vscode.commands.executeCommand('markdown.showPreview', document.uri);
}

function activeDocumentUri(): string | undefined {
  return vscode.window.activeTextEditor?.document.uri.toString();
}

async function runServerCommand(command: string, ...args: unknown[]): Promise<unknown> {
  if (!client) return undefined;
  return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
