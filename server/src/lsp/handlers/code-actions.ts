import { CodeAction, CodeActionKind, CodeActionParams, CodeActionTriggerKind, Diagnostic } from 'vscode-languageserver/node';
import { Fix, FixOffer, SecureVaultOutcome, changeBases } from '../../service';
import { ENCRYPT_ALL_CODE_ACTION_KIND, EncryptCommandOptions, ServerCommands } from '../../protocol';
import { SOURCE, ServerContext } from '../server';
import { ClientSupport, openState } from './context';
import { StaleFixError, toWorkspaceEdit } from './workspace-edit';

/**
 * Code actions: for each of our diagnostics, whatever the core offers for its finding (service.fixesFor: the rule's
 * own fixes, then the suppression comments), and the "encrypt every plaintext password of this file" source action.
 *
 * Quick fixes are computed from the server's own findings for the document's current version, matched by `code` and
 * range, never from message text or from `data` the client sends back (old clients drop it). Actions on one file
 * carry their edit (versioned: the client refuses it when the document changed). A Secure Vault action changes several
 * files, most of them not open (cipher-text.properties gets no document version), so it carries the encrypt command
 * with the state of every file it was planned on (hashes, never text): the command checks them, plans again on the
 * current state when the properties files changed (two fixes computed before either is applied, issue 10 item 4) and
 * applies the edit through workspace/applyEdit, one undo (secure-vault.ts). A command, not codeAction/resolve, so
 * Neovim 0.7 runs it too. Clients that cannot take workspace/applyEdit get the edit itself.
 */

export const ENCRYPT_ALL_KIND = ENCRYPT_ALL_CODE_ACTION_KIND;
const ENCRYPT_ALL_TITLE = 'Encrypt all plaintext passwords in this file';

/**
 * The encrypt command's arguments: the document, the finding (its range) or nothing (null) for the whole file, and
 * the bases of the offered change.
 */
export type EncryptCommandArguments = [uri: string, target?: { range: Diagnostic['range']; data?: unknown } | null, options?: EncryptCommandOptions];

export function registerCodeActions(context: ServerContext, client: () => ClientSupport): void {
  context.addCodeActionProvider((params) => codeActions(context, client(), params));
}

async function codeActions(context: ServerContext, client: ClientSupport, params: CodeActionParams): Promise<CodeAction[]> {
  const open = context.openDocument(params.textDocument.uri);
  if (!open) return [];
  const service = context.service;
  const only = params.context.only;
  const wants = (kind: string) => !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
  const ours = params.context.diagnostics.filter((d) => d.source === SOURCE && typeof d.code === 'string');
  // Encrypting a whole file reads the keystore: only when the user asked for actions, not on every cursor move.
  const explicitSource = !!only?.some((o) => o !== CodeActionKind.Empty && (ENCRYPT_ALL_KIND === o || ENCRYPT_ALL_KIND.startsWith(`${o}.`)));
  const offerEncryptAll = service.canEncrypt && wants(ENCRYPT_ALL_KIND) && (explicitSource || params.context.triggerKind !== CodeActionTriggerKind.Automatic);
  if ((ours.length === 0 || !wants(CodeActionKind.QuickFix)) && !offerEncryptAll) return [];

  const settings = context.settingsFor(open.path);
  const request = { path: open.path, content: open.content, settings };
  const { findings } = await service.analyse(request);
  const fixes: CodeAction[] = [];
  const suppressions: CodeAction[] = [];
  const titles = new Set<string>();

  if (wants(CodeActionKind.QuickFix)) {
    for (const diagnostic of ours) {
      const span = { start: open.document.offsetAt(diagnostic.range.start), end: open.document.offsetAt(diagnostic.range.end) };
      const finding = findings.find((f) => f.ruleId === diagnostic.code && f.span.start === span.start && f.span.end === span.end);
      if (!finding) continue; // stale: the next publish brings the current diagnostics
      const args: EncryptCommandArguments = [open.document.uri, { range: diagnostic.range, data: finding.data }];
      for (const offer of await service.fixesFor({ ...request, finding })) {
        // Once per request: two conflicts fixed by one offset, one comment for several findings of a line.
        if (offer.sharedByFindings && titles.has(offer.title)) continue;
        const action = offerAction(context, client, offer, CodeActionKind.QuickFix, diagnostic, args);
        if (!action) continue;
        if (offer.sharedByFindings) titles.add(offer.title);
        (offer.suppression ? suppressions : fixes).push(action);
      }
    }
  }

  if (offerEncryptAll && findings.some((f) => f.ruleId === 'plaintext-password')) {
    const outcome = await service.planEncryption({ scope: { kind: 'file', ...request } });
    if (!('cancelled' in outcome)) {
      const action = outcomeAction(context, client, outcome, ENCRYPT_ALL_TITLE, ENCRYPT_ALL_KIND, undefined, [open.document.uri, null]);
      if (action) fixes.push(action);
    }
  }
  return [...fixes, ...suppressions];
}

function offerAction(context: ServerContext, client: ClientSupport, offer: FixOffer, kind: string, diagnostic: Diagnostic, args: EncryptCommandArguments): CodeAction | undefined {
  // Encrypt fixes whose edit would reach a file without a version go through the command (see the module comment).
  if ('fix' in offer && offer.ruleId === 'plaintext-password' && !offer.suppression && !allOpen(context, offer.fix)) return outcomeAction(context, client, offer, offer.title, kind, diagnostic, args);
  if ('fix' in offer) return editAction(context, client, { ...offer.fix, title: offer.title, ...(offer.isPreferred ? { isPreferred: true } : {}) }, kind, [diagnostic]);
  return outcomeAction(context, client, offer, offer.title, kind, diagnostic, args);
}

/** A Secure Vault outcome as an action: the edit, a command that asks for the password, or a disabled entry. */
function outcomeAction(
  context: ServerContext,
  client: ClientSupport,
  outcome: SecureVaultOutcome,
  title: string,
  kind: string,
  diagnostic: Diagnostic | undefined,
  args: EncryptCommandArguments,
): CodeAction | undefined {
  const diagnostics = diagnostic ? [diagnostic] : undefined;
  if ('fix' in outcome) {
    // The quick fix on a password is the one to apply; a source action is never "preferred".
    const preferred = kind === CodeActionKind.QuickFix;
    const edit = editAction(context, client, { ...outcome.fix, title, isPreferred: preferred }, kind, diagnostics);
    if (!edit || !client.canApplyEdit || allOpen(context, outcome.fix)) return edit;
    const [uri, target] = args;
    const options: EncryptCommandOptions = { bases: changeBases(outcome.fix.changes) };
    return {
      title,
      kind,
      ...(diagnostics ? { diagnostics } : {}),
      ...(preferred ? { isPreferred: true } : {}),
      command: { title, command: ServerCommands.encryptWithSecureVault, arguments: [uri, target ?? null, options] satisfies EncryptCommandArguments },
    };
  }
  if ('needsPassword' in outcome) {
    return {
      title: `${title}…`,
      kind,
      ...(diagnostics ? { diagnostics, isPreferred: true } : {}),
      command: { title, command: ServerCommands.encryptWithSecureVault, arguments: args[1] ? args : [args[0]] },
    };
  }
  // VS Code shows a disabled action greyed out with its reason when the user asks for actions.
  if (!client.disabledSupport) return undefined;
  return { title, kind, ...(diagnostics ? { diagnostics } : {}), disabled: { reason: outcome.error } };
}

/** Every file the fix edits is an open document, so the edit carries its version: the client checks it. */
function allOpen(context: ServerContext, fix: Fix): boolean {
  return fix.changes.every((change) => change.kind === 'edit' && openState(context, change.path) !== undefined);
}

function editAction(
  context: ServerContext,
  client: ClientSupport,
  fix: Fix,
  kind: string,
  diagnostics: Diagnostic[] | undefined,
): CodeAction | undefined {
  try {
    const edit = toWorkspaceEdit(fix, client.editSupport, (path) => openState(context, path));
    return { title: fix.title, kind, ...(diagnostics ? { diagnostics } : {}), ...(fix.isPreferred ? { isPreferred: true } : {}), edit };
  } catch (error) {
    if (error instanceof StaleFixError) return undefined;
    throw error;
  }
}
