import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { defaultFeatures } from './handlers';
import { startServer } from './server';

// createConnection picks the transport from argv: --stdio (Neovim, any LSP client) or --node-ipc (VS Code).
if (process.argv.includes('--version')) {
  process.stdout.write('wso2-config-language-server 0.1.0\n');
  process.exit(0);
}
startServer(createConnection(ProposedFeatures.all), defaultFeatures());
