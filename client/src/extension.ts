import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';

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
  '**/.wso2config.json',
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
    vscode.commands.registerCommand('wso2Config.restartServer', async () => {
      await client?.restart();
    }),
    vscode.commands.registerCommand('wso2Config.showOutput', () => outputChannel.show(true)),
  );
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
