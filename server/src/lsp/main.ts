import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { fixesFeature } from './fixes-feature';
import { portsFeature } from './ports-feature';
import { secureVaultPlanner } from './secure-vault-planner';
import { startServer } from './server';

// createConnection picks the transport from argv: --stdio (Neovim, any LSP client) or --node-ipc (VS Code).
if (process.argv.includes('--version')) {
  process.stdout.write('wso2-config-language-server 0.1.0\n');
  process.exit(0);
}
startServer(createConnection(ProposedFeatures.all), [portsFeature, fixesFeature({ planner: secureVaultPlanner })]);
