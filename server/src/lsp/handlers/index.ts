import { CodeActionKind, InitializeParams, ServerCapabilities } from 'vscode-languageserver/node';
import { ServerContext, ServerFeature } from '../server';
import { ENCRYPT_ALL_KIND, registerCodeActions } from './code-actions';
import { ClientSupport } from './context';
import { registerDefinition, registerHover } from './hover';
import { registerInlayHints } from './inlay-hints';
import { registerEffectivePorts } from './ports';
import { registerSecureVaultCommands } from './secure-vault';
import { workspaceEditSupport } from './workspace-edit';

/**
 * The server's features, one handler module per concern (as yaml-language-server's languageserver/handlers/):
 *   code-actions.ts   quick fixes and the encrypt-all source action (what service.fixesFor offers)
 *   secure-vault.ts   the encrypt commands (file, finding, home) with the keystore-password request
 *   hover.ts          hover and go-to-definition (service.hover / service.definition)
 *   inlay-hints.ts    effective ports after port values, refreshed when the offset changes
 *   ports.ts          the effective-ports request
 *   diagnostics.ts    findings as diagnostics: validation on open and change (debounced), of dependents, of the workspace
 *   settings.ts       initialization options, the editor's wso2Config section and .wso2config.json per root
 * server.ts keeps documents and watched files, and dispatches requests to the providers features add.
 */

/** Hover, go-to-definition and inlay hints. */
export function languageFeature(): ServerFeature {
  let refreshSupport = false;
  return {
    capabilities(params: InitializeParams): ServerCapabilities {
      refreshSupport = !!params.capabilities.workspace?.inlayHint?.refreshSupport;
      return { hoverProvider: true, definitionProvider: true, inlayHintProvider: true };
    },
    register(context: ServerContext): void {
      registerHover(context);
      registerDefinition(context);
      registerInlayHints(context, () => refreshSupport);
    },
  };
}

/** Code actions and the Secure Vault commands. */
export function fixesFeature(): ServerFeature {
  let client: ClientSupport = { editSupport: { documentChanges: false, createFiles: false }, disabledSupport: false, canApplyEdit: false };
  return {
    capabilities(params: InitializeParams): ServerCapabilities {
      client = {
        editSupport: workspaceEditSupport(params.capabilities),
        disabledSupport: params.capabilities.textDocument?.codeAction?.disabledSupport === true,
        canApplyEdit: params.capabilities.workspace?.applyEdit === true,
      };
      return { codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, ENCRYPT_ALL_KIND] } };
    },
    register(context: ServerContext): void {
      registerCodeActions(context, () => client);
      registerSecureVaultCommands(context, () => client);
    },
  };
}

/** The effective-ports request. */
export function portsFeature(): ServerFeature {
  return {
    capabilities: () => ({}),
    register: registerEffectivePorts,
  };
}

/** Every feature, as `wso2-config-language-server` starts them. */
export function defaultFeatures(): ServerFeature[] {
  return [languageFeature(), portsFeature(), fixesFeature()];
}

export { ENCRYPT_ALL_KIND } from './code-actions';
