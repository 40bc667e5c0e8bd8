import { CARBON_XML_KIND, Cancelled, FileBasis, Fix, HomeEncryptionOutcome, SecureVaultOutcome, changeBases, staleFiles } from '../../service';
import { AskPasswordParams, AskPasswordRequest, EncryptCommandBasis, EncryptCommandResult, ServerCommands } from '../../protocol';
import { ServerContext, uriToPath } from '../server';
import { ClientSupport, openState } from './context';
import { EncryptCommandArguments } from './code-actions';
import { StaleFixError, toWorkspaceEdit } from './workspace-edit';

/**
 * The Secure Vault commands: encrypt one password or every plaintext password of a file (the action that needs a
 * keystore password, and "WSO2: Encrypt Passwords of This File"), and every plaintext password of a product home.
 * Planning is the core's (service.planEncryption / planHomeEncryption: the same path as `wso2-config-lint encrypt`);
 * this module asks the client for the keystore password (AskPasswordRequest) and applies the edit through
 * workspace/applyEdit. The password lives in local variables for the duration of the command: never stored, logged
 * or sent back.
 *
 * A code action offers a change planned earlier; its arguments carry the state of every file that change touched
 * (EncryptCommandOptions.bases). When the document the action was offered on changed since, its range means nothing
 * any more: refused, naming the file. When only other files changed (cipher-text.properties after another fix was
 * applied: issue 10 item 4), the change is planned again on their current state, which the command plans on anyway.
 * Just before workspace/applyEdit, the files the new plan read are checked once more: open documents by their version
 * in the edit, the others by content hash here (no LSP version exists for a file that is not open).
 */

export function registerSecureVaultCommands(context: ServerContext, client: () => ClientSupport): void {
  context.addCommand(ServerCommands.encryptWithSecureVault, (args) => encrypt(context, client(), args as Partial<EncryptCommandArguments>));
  if (context.service.canEncryptHome) context.addCommand(ServerCommands.encryptHome, (args) => encryptHome(context, client(), args));
}

/** Asks the client for the keystore password; undefined when the user cancelled or the client cannot ask. */
function askPassword(context: ServerContext): (request: { keystorePath: string }) => Promise<string | undefined> {
  return async ({ keystorePath }) => {
    let answer: unknown;
    try {
      answer = await context.connection.sendRequest<string | null>(AskPasswordRequest.method, {
        prompt: `Password of the keystore ${keystorePath} (used once to read its certificate; not stored)`,
        keystorePath,
      } satisfies AskPasswordParams);
    } catch {
      void context.connection.window.showErrorMessage(`The keystore ${keystorePath} needs a password, and this editor cannot ask for one (${AskPasswordRequest.method}).`);
      return undefined;
    }
    return typeof answer === 'string' && answer.length > 0 ? answer : undefined;
  };
}

async function encrypt(context: ServerContext, client: ClientSupport, [uri, target, options]: Partial<EncryptCommandArguments>): Promise<EncryptCommandResult> {
  const notApplied: EncryptCommandResult = { applied: false };
  if (!context.service.canEncrypt) {
    void context.connection.window.showErrorMessage('Secure Vault encryption is not available in this server.');
    return notApplied;
  }
  if (typeof uri !== 'string') return notApplied;
  const window = context.connection.window;
  let replanned: string[] = [];
  const offered = basesOf(options);
  if (offered.length > 0) {
    const stale = await staleFiles(offered, context.files);
    const subjectPath = uriToPath(uri);
    const subjectStale = stale.filter((s) => s.path === subjectPath);
    if (subjectStale.length > 0) {
      void window.showErrorMessage(`Not encrypted: ${subjectStale.map((s) => s.message).join('; ')}. Ask for the code action again.`);
      return { applied: false, stale: subjectStale.map((s) => s.path) };
    }
    replanned = stale.map((s) => s.path);
    if (replanned.length > 0) context.log(`Secure Vault: planned again, since these files changed after the action was offered: ${replanned.join(', ')}`);
  }
  const ask = askPassword(context);
  let password: string | undefined;
  // Planned afresh after the password box: the user may have typed meanwhile.
  for (let attempt = 0; attempt < 2; attempt++) {
    const subject = await subjectFor(context, uri);
    if (!subject) {
      void window.showErrorMessage('The file is not a WSO2 configuration file this server covers.');
      return notApplied;
    }
    const settings = context.settingsFor(subject.path);
    const range = target?.range;
    const scope = range
      ? { kind: 'finding' as const, path: subject.path, content: subject.content, settings, span: { start: subject.offsetAt(range.start), end: subject.offsetAt(range.end) } }
      : { kind: 'file' as const, path: subject.path, content: subject.content, settings };
    const outcome: SecureVaultOutcome | Cancelled =
      (await planWithKind(context, subject, range)) ?? (await context.service.planEncryption({ scope, ...(password !== undefined ? { keystorePassword: password } : {}) }));
    if ('cancelled' in outcome) return notApplied;
    if ('needsPassword' in outcome) {
      if (attempt > 0) {
        void window.showErrorMessage(`The keystore ${outcome.needsPassword.keystorePath} could not be opened with that password.`);
        return notApplied;
      }
      password = await ask(outcome.needsPassword);
      if (password === undefined) return notApplied; // cancelled
      continue;
    }
    const applied = await apply(context, client, outcome);
    return { applied, ...(replanned.length > 0 ? { replanned } : {}) };
  }
  return notApplied;
}

/**
 * A document kind other than the Carbon XML files (the .properties files): its engine plans the Encrypt fix of the
 * finding at `range` (service.fixesFor); undefined for the XML files, which the Secure Vault planner serves.
 */
async function planWithKind(
  context: ServerContext,
  subject: { path: string; content: import('../../service').FileContent; offsetAt(p: { line: number; character: number }): number },
  range: { start: { line: number; character: number }; end: { line: number; character: number } } | undefined,
): Promise<SecureVaultOutcome | undefined> {
  const parsed = context.service.parse(subject.path, subject.content);
  if (!parsed || parsed.kind.id === CARBON_XML_KIND.id) return undefined;
  if (!range) return { error: 'Encrypting every password of this file at once is available for the XML configuration files only; use the quick fix on each password.' };
  const request = { path: subject.path, content: subject.content, settings: context.settingsFor(subject.path) };
  const span = { start: subject.offsetAt(range.start), end: subject.offsetAt(range.end) };
  const { findings } = await context.service.analyse(request);
  const finding = findings.find((f) => f.ruleId === 'plaintext-password' && f.span.start === span.start && f.span.end === span.end);
  if (!finding) return { error: 'The password is no longer where the action was offered: ask for the action again.' };
  const offer = (await context.service.fixesFor({ ...request, finding })).find((o) => !o.suppression && o.ruleId === 'plaintext-password');
  if (!offer) return { error: 'No Secure Vault fix for this password.' };
  if ('fix' in offer) return { fix: offer.fix };
  if ('error' in offer) return { error: offer.error };
  return { error: `The keystore ${offer.needsPassword.keystorePath} needs its password.` };
}

/** The bases of the command's options, when they are well-formed (they come back from the client). */
function basesOf(options: unknown): FileBasis[] {
  const bases = (options as { bases?: unknown } | null | undefined)?.bases;
  if (!Array.isArray(bases) || bases.length > 64) return [];
  const valid = (b: unknown): b is EncryptCommandBasis => {
    const basis = b as Partial<Record<'path' | 'state' | 'sha256', unknown>> | null;
    if (!basis || typeof basis.path !== 'string' || basis.path.length === 0) return false;
    return basis.state === 'absent' || (basis.state === 'text' && typeof basis.sha256 === 'string' && /^[0-9a-f]{64}$/.test(basis.sha256));
  };
  return bases.every(valid) ? (bases as FileBasis[]) : [];
}

/** "Encrypt all plaintext passwords of this product home": one edit, and a report of what it changed. */
async function encryptHome(context: ServerContext, client: ClientSupport, args: unknown[]): Promise<void> {
  const window = context.connection.window;
  const [uri] = args;
  const path = typeof uri === 'string' ? uriToPath(uri) : undefined;
  const home = path ? context.service.homeOf(path) : undefined;
  if (!home) return void window.showErrorMessage('Open a file of a WSO2 product home (…/repository/conf or …/conf) to encrypt its passwords.');
  const outcome: HomeEncryptionOutcome | Cancelled = await context.service.planHomeEncryption({ home, settingsFor: context.settingsFor, askPassword: askPassword(context) });
  if ('cancelled' in outcome) return;
  if ('needsPassword' in outcome) return void window.showErrorMessage(`The keystore ${outcome.needsPassword.keystorePath} could not be opened without its password.`);
  if ('error' in outcome) return void window.showErrorMessage(outcome.error);
  if (!outcome.fix) return void window.showErrorMessage(outcome.files === 0 ? outcome.report : (outcome.plan.skipped[0]?.reason ?? 'Nothing left to encrypt.'));
  if (await apply(context, client, { fix: outcome.fix }) && outcome.report) void window.showInformationMessage(outcome.report);
}

/** Applies a planned fix through workspace/applyEdit; true when the editor applied it. */
async function apply(context: ServerContext, client: ClientSupport, outcome: { fix: Fix } | { error: string }): Promise<boolean> {
  const window = context.connection.window;
  if ('error' in outcome) {
    void window.showErrorMessage(outcome.error);
    return false;
  }
  if (!client.canApplyEdit) {
    void window.showErrorMessage('This editor does not accept edits from the language server (workspace/applyEdit).');
    return false;
  }
  let edit;
  try {
    edit = toWorkspaceEdit(outcome.fix, client.editSupport, (path) => openState(context, path));
  } catch (error) {
    if (!(error instanceof StaleFixError)) throw error;
    void window.showErrorMessage('The document changed while the fix was prepared; run the action again.');
    return false;
  }
  // Files that are not open carry no version in the edit: check here that they still hold what the plan read.
  const stale = await staleFiles(changeBases(outcome.fix.changes), context.files);
  if (stale.length > 0) {
    void window.showErrorMessage(`Not applied: ${stale.map((s) => s.message).join('; ')}. Run the action again.`);
    return false;
  }
  const result = await context.connection.workspace.applyEdit({ label: outcome.fix.title, edit });
  if (!result.applied) void window.showErrorMessage(`The Secure Vault edit was not applied${result.failureReason ? `: ${result.failureReason}` : '.'}`);
  return result.applied;
}

/** The open document, or the saved file when the command runs on a document that was closed meanwhile. */
async function subjectFor(context: ServerContext, uri: string): Promise<{ path: string; content: import('../../service').FileContent; offsetAt(p: { line: number; character: number }): number } | undefined> {
  const open = context.openDocument(uri);
  if (open) return { path: open.path, content: open.content, offsetAt: (p) => open.document.offsetAt(p) };
  const path = uriToPath(uri);
  const location = path ? context.service.recognise(path) : undefined;
  if (!location) return undefined;
  const content = await context.files.read(location.path);
  const parsed = content && context.service.parse(location.path, content);
  if (!content || !parsed) return undefined;
  return { path: location.path, content, offsetAt: (p) => parsed.lines.offsetAt(p) };
}
