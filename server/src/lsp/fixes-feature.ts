import { pathToFileURL } from 'node:url';
import {
  CodeAction,
  CodeActionKind,
  CodeActionParams,
  CodeActionTriggerKind,
  Definition,
  DefinitionParams,
  Diagnostic,
  ExecuteCommandParams,
  Hover,
  HoverParams,
  InitializeParams,
  MarkupKind,
  Range,
  ServerCapabilities,
} from 'vscode-languageserver/node';
import { LineIndex, TextSpan } from '../service/model/text';
import { PropertiesEntry, parseProperties } from '../service/fixes/properties';
import { propertiesText } from '../service/fixes/secure-vault-session';
import { XmlAttribute, XmlDocument, XmlElement, namespaceOf, walkElements } from '../service/model/xml';
import { planOffsetFix } from '../service/fixes/port-offset';
import { planDisableForFile, planDisableForLine } from '../service/fixes/suppress';
import { isTlsRule, planTlsFixes } from '../service/fixes/tls';
import { Fix } from '../service/fixes/types';
import { Settings } from '../service/settings';
import { Finding, RuleId } from '../service/types';
import { FileContent, FileSource } from '../service/workspace/facts';
import { ConfigFileLocation, ProductHome, SECURE_VAULT_NAMESPACE, homeAbove, joinPath, locateConfigFile, matchesRoot } from '../service/workspace/files';
import { OpenConfigDocument, SOURCE, ServerContext, ServerFeature, uriToPath } from './server';
import { OpenDocumentState, StaleFixError, WorkspaceEditSupport, toWorkspaceEdit, workspaceEditSupport } from './workspace-edit';

/**
 * Code actions, the Secure Vault command, and hover / go-to-definition on Secure Vault aliases.
 *
 * Quick fixes are keyed by the diagnostic's `code` (the rule id) and computed from the server's own findings for the
 * document's current version, never from message text or from `data` the client sends back (old clients drop it).
 * Every action carries its edit, so clients without codeAction/resolve (Neovim 0.7) get working fixes; the one
 * exception is Secure Vault with a PKCS#12 keystore whose password is unknown: that action carries a command, which
 * asks the client for the password (`wso2Config/askPassword`), plans again and applies through workspace/applyEdit.
 * The password lives in local variables for the duration of that command: it is never stored, logged or sent back.
 */

export const ENCRYPT_COMMAND = 'wso2Config.encryptWithSecureVault';
/** Arguments: the uri of any file of a product home. Encrypts every plaintext password of the home. */
export const ENCRYPT_HOME_COMMAND = 'wso2Config.server.encryptHome';
/** Server -> client request: params AskPasswordParams, result the password or null when the user cancelled. */
export const ASK_PASSWORD_REQUEST = 'wso2Config/askPassword';
export const ENCRYPT_ALL_KIND = `${CodeActionKind.Source}.wso2-config.encryptAll`;

export interface AskPasswordParams {
  /** What to show in the input box; names the keystore, never holds a secret. */
  readonly prompt: string;
  readonly keystorePath: string;
}

/** What the Secure Vault planner gets: the XML file as the server sees it now. */
export interface SecureVaultSubject {
  readonly location: ConfigFileLocation;
  readonly doc: XmlDocument;
  /** Open documents first, then the disk. */
  readonly files: FileSource;
  readonly settings: Settings;
  /** Typed by the user after a `needsPassword` answer; never to be stored or logged. */
  readonly keystorePassword?: string;
}

export type SecureVaultOutcome =
  | { readonly fix: Fix }
  /** A message for the user (missing keystore, wrong alias, wrong password…); no secret in it. */
  | { readonly error: string }
  /** A PKCS#12 keystore whose password is not in carbon.xml in plain text. */
  | { readonly needsPassword: { readonly keystorePath: string } };

/** The Secure Vault core (service/fixes/secure-vault.ts), as this feature uses it. */
export interface SecureVaultPlanner {
  /** One `plaintext-password` finding of the subject. */
  planForFinding(subject: SecureVaultSubject, finding: Finding, allPasswordFindings: readonly Finding[]): Promise<SecureVaultOutcome>;
  /** Every `plaintext-password` finding of the subject (in document order), as one edit. */
  planForFile(subject: SecureVaultSubject, findings: readonly Finding[]): Promise<SecureVaultOutcome>;
  /** Every plaintext password of a product home, as one edit, with a report of what it changes. */
  planForHome?(home: ProductHome, keystorePassword: string | undefined): Promise<SecureVaultOutcome & { readonly report?: string }>;
}

export interface FixesFeatureOptions {
  /** Without a planner no Secure Vault action is offered. A function receives the server context first. */
  readonly planner?: SecureVaultPlanner | ((context: ServerContext) => SecureVaultPlanner);
  /**
   * A connection has one textDocument/hover handler; when another feature (ports) hovers too, pass false and call
   * `feature.handlers.hover` from a handler that combines both. Default true.
   */
  readonly registerHover?: boolean;
}

export interface FixesFeature extends ServerFeature {
  /** The handlers, once registered: for a composite hover or executeCommand handler. */
  readonly handlers: FixHandlers | undefined;
}

/** The command's arguments: the document, and the finding (its range) or nothing for the whole file. */
export type EncryptCommandArguments = [uri: string, target?: { range: Range; data?: unknown }];

const PASSWORD_RULE: RuleId = 'plaintext-password';
const ENCRYPT_TITLE = 'Encrypt with Secure Vault';
const ENCRYPT_ALL_TITLE = 'Encrypt all plaintext passwords in this file';

export function fixesFeature(options: FixesFeatureOptions = {}): FixesFeature {
  let editSupport: WorkspaceEditSupport = { documentChanges: false, createFiles: false };
  let disabledSupport = false;
  let canApplyEdit = false;
  let handlers: FixHandlers | undefined;
  const registerHover = options.registerHover !== false;

  return {
    get handlers() {
      return handlers;
    },
    capabilities(params: InitializeParams): ServerCapabilities {
      editSupport = workspaceEditSupport(params.capabilities);
      disabledSupport = params.capabilities.textDocument?.codeAction?.disabledSupport === true;
      canApplyEdit = params.capabilities.workspace?.applyEdit === true;
      return {
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, ENCRYPT_ALL_KIND] },
        ...(registerHover ? { hoverProvider: true } : {}),
        definitionProvider: true,
      };
    },
    register(context: ServerContext): void {
      const planner = typeof options.planner === 'function' ? options.planner(context) : options.planner;
      const registered = new FixHandlers(context, { ...options, planner }, () => ({ editSupport, disabledSupport, canApplyEdit }));
      handlers = registered;
      context.addCodeActionProvider((params: CodeActionParams) => registered.codeActions(params));
      context.addCommand(ENCRYPT_COMMAND, (args) => registered.executeCommand({ command: ENCRYPT_COMMAND, arguments: args } as ExecuteCommandParams));
      if (planner?.planForHome) context.addCommand(ENCRYPT_HOME_COMMAND, (args) => registered.encryptHome(args));
      if (registerHover) context.addHoverProvider((params: HoverParams) => registered.hover(params));
      context.addDefinitionProvider((params: DefinitionParams) => registered.definition(params));
    },
  };
}

interface ClientSupport {
  editSupport: WorkspaceEditSupport;
  disabledSupport: boolean;
  canApplyEdit: boolean;
}

/** An XML file to act on: the open document, or the saved file for a command run on a closed one. */
interface Subject {
  readonly uri: string;
  readonly location: ConfigFileLocation;
  readonly doc: XmlDocument;
  /** What the analyzer reads (same version key as the parse cache entry of `doc`). */
  readonly content: FileContent;
  /** LSP positions <-> offsets of `doc.text`. */
  offsetAt(position: { line: number; character: number }): number;
}

export class FixHandlers {
  constructor(
    private readonly context: ServerContext,
    private readonly options: FixesFeatureOptions & { readonly planner?: SecureVaultPlanner },
    private readonly client: () => ClientSupport,
  ) {}

  // ---- code actions ------------------------------------------------------------------------------------------

  async codeActions(params: CodeActionParams): Promise<CodeAction[]> {
    const open = this.context.openDocument(params.textDocument.uri);
    if (!open) return [];
    const only = params.context.only;
    const wants = (kind: string) => !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
    const ours = params.context.diagnostics.filter((d) => d.source === SOURCE && typeof d.code === 'string');
    // Encrypting a whole file reads the keystore: only when the user asked for actions, not on every cursor move.
    const explicitSource = !!only?.some((o) => o !== CodeActionKind.Empty && (ENCRYPT_ALL_KIND === o || ENCRYPT_ALL_KIND.startsWith(`${o}.`)));
    const offerEncryptAll = !!this.options.planner && wants(ENCRYPT_ALL_KIND) && (explicitSource || params.context.triggerKind !== CodeActionTriggerKind.Automatic);
    if ((ours.length === 0 || !wants(CodeActionKind.QuickFix)) && !offerEncryptAll) return [];

    const settings = this.context.settingsFor(open.path);
    const subject = this.subjectOf(open);
    const findings = await this.findingsOf(subject, settings);
    const fixes: CodeAction[] = [];
    const suppressions: CodeAction[] = [];
    const suppressionTitles = new Set<string>();

    if (wants(CodeActionKind.QuickFix)) {
      for (const diagnostic of ours) {
        const span = { start: open.document.offsetAt(diagnostic.range.start), end: open.document.offsetAt(diagnostic.range.end) };
        const finding = findings.find((f) => f.ruleId === diagnostic.code && f.span.start === span.start && f.span.end === span.end);
        if (!finding) continue; // stale: the next publish brings the current diagnostics
        if (finding.ruleId === PASSWORD_RULE && this.options.planner) {
          const action = await this.encryptAction(subject, settings, finding, diagnostic, findings.filter((f) => f.ruleId === PASSWORD_RULE));
          if (action) fixes.push(action);
        } else if (finding.ruleId === 'port-conflict') {
          const fix = planOffsetFix(open.doc, open.path, finding.data);
          const action = fix && this.editAction(fix, CodeActionKind.QuickFix, [diagnostic]);
          if (action && !fixes.some((a) => a.title === action.title)) fixes.push(action);
        } else if (isTlsRule(finding.ruleId)) {
          // The safe list first, then the labelled variants for newer JDKs (TLS 1.3), never preferred.
          for (const fix of planTlsFixes({ doc: open.doc, path: open.path, kind: open.location.kind, ruleId: finding.ruleId, span: finding.span, data: finding.data, profile: settings.tlsProfile })) {
            const action = this.editAction(fix, CodeActionKind.QuickFix, [diagnostic]);
            if (action) fixes.push(action);
          }
        }
        for (const fix of [planDisableForLine(open.doc, open.path, finding.ruleId, finding.span), planDisableForFile(open.doc, open.path, finding.ruleId)]) {
          if (!fix || suppressionTitles.has(fix.title)) continue;
          const action = this.editAction(fix, CodeActionKind.QuickFix, [diagnostic]);
          if (action) {
            suppressionTitles.add(fix.title);
            suppressions.push(action);
          }
        }
      }
    }

    if (offerEncryptAll) {
      const passwords = findings.filter((f) => f.ruleId === PASSWORD_RULE);
      if (passwords.length > 0) {
        const outcome = await this.options.planner!.planForFile(this.plannerSubject(subject, settings), passwords);
        const action = this.outcomeAction(outcome, ENCRYPT_ALL_TITLE, ENCRYPT_ALL_KIND, undefined, [open.document.uri]);
        if (action) fixes.push(action);
      }
    }
    return [...fixes, ...suppressions];
  }

  private async encryptAction(subject: Subject, settings: Settings, finding: Finding, diagnostic: Diagnostic, passwords: readonly Finding[]): Promise<CodeAction | undefined> {
    const outcome = await this.options.planner!.planForFinding(this.plannerSubject(subject, settings), finding, passwords);
    const args: EncryptCommandArguments = [subject.uri, { range: diagnostic.range, data: finding.data }];
    return this.outcomeAction(outcome, ENCRYPT_TITLE, CodeActionKind.QuickFix, diagnostic, args);
  }

  /** A Secure Vault outcome as an action: the edit, a command that asks for the password, or a disabled entry. */
  private outcomeAction(outcome: SecureVaultOutcome, title: string, kind: string, diagnostic: Diagnostic | undefined, args: EncryptCommandArguments): CodeAction | undefined {
    const diagnostics = diagnostic ? [diagnostic] : undefined;
    if ('fix' in outcome) {
      // The quick fix on a password is the one to apply; a source action is never "preferred".
      return this.editAction({ ...outcome.fix, title, isPreferred: kind === CodeActionKind.QuickFix }, kind, diagnostics);
    }
    if ('needsPassword' in outcome) {
      return {
        title: `${title}…`,
        kind,
        ...(diagnostics ? { diagnostics, isPreferred: true } : {}),
        command: { title, command: ENCRYPT_COMMAND, arguments: args },
      };
    }
    // VS Code shows a disabled action greyed out with its reason when the user asks for actions.
    if (!this.client().disabledSupport) return undefined;
    return { title, kind, ...(diagnostics ? { diagnostics } : {}), disabled: { reason: outcome.error } };
  }

  private editAction(fix: Fix, kind: string, diagnostics: Diagnostic[] | undefined): CodeAction | undefined {
    try {
      const edit = toWorkspaceEdit(fix, this.client().editSupport, (path) => this.openState(path));
      return { title: fix.title, kind, ...(diagnostics ? { diagnostics } : {}), ...(fix.isPreferred ? { isPreferred: true } : {}), edit };
    } catch (error) {
      if (error instanceof StaleFixError) return undefined;
      throw error;
    }
  }

  // ---- the Secure Vault command ------------------------------------------------------------------------------

  async executeCommand(params: ExecuteCommandParams): Promise<void> {
    if (params.command !== ENCRYPT_COMMAND) return;
    const planner = this.options.planner;
    const [uri, target] = (params.arguments ?? []) as Partial<EncryptCommandArguments>;
    const window = this.context.connection.window;
    if (!planner) {
      void window.showErrorMessage('Secure Vault encryption is not available in this server.');
      return;
    }
    if (typeof uri !== 'string') return;

    const plan = async (keystorePassword?: string): Promise<SecureVaultOutcome | { error: string }> => {
      // Read the document afresh each time: the user may have typed while the password box was open.
      const subject = await this.subjectFor(uri);
      if (!subject) return { error: 'The file is not a WSO2 configuration file this server covers.' };
      const settings = this.context.settingsFor(subject.location.path);
      const plannerSubject = { ...this.plannerSubject(subject, settings), ...(keystorePassword !== undefined ? { keystorePassword } : {}) };
      const passwords = (await this.findingsOf(subject, settings)).filter((f) => f.ruleId === PASSWORD_RULE);
      if (!target) {
        if (passwords.length === 0) return { error: 'This file has no plaintext password left to encrypt.' };
        return planner.planForFile(plannerSubject, passwords);
      }
      const range = target.range;
      const span = range ? { start: subject.offsetAt(range.start), end: subject.offsetAt(range.end) } : undefined;
      const finding = span && passwords.find((f) => f.span.start === span.start && f.span.end === span.end);
      if (!finding) return { error: 'The password is no longer where the action found it; run the action again.' };
      return planner.planForFinding(plannerSubject, finding, passwords);
    };

    const outcome = await this.withPassword(plan);
    if (outcome) await this.applyOutcome(outcome);
  }

  /** "Encrypt all plaintext passwords of this product home": one edit, and a report of what it changed. */
  async encryptHome(args: unknown[]): Promise<void> {
    const window = this.context.connection.window;
    const [uri] = args;
    const path = typeof uri === 'string' ? uriToPath(uri) : undefined;
    const home = path ? locateConfigFile(path)?.home ?? homeAbove(path) : undefined;
    if (!home || !this.options.planner?.planForHome) {
      void window.showErrorMessage('Open a file of a WSO2 product home (…/repository/conf or …/conf) to encrypt its passwords.');
      return;
    }
    const planner = this.options.planner;
    const outcome = await this.withPassword((password) => planner.planForHome!(home, password));
    if (!outcome) return;
    if (await this.applyOutcome(outcome)) {
      const report = (outcome as { report?: string }).report;
      if (report) void window.showInformationMessage(report);
    }
  }

  /** Plans; when the keystore needs a password, asks the client for it (never stored or logged) and plans again. */
  private async withPassword<T extends SecureVaultOutcome>(plan: (keystorePassword?: string) => Promise<T | { error: string }>): Promise<T | { error: string } | undefined> {
    const window = this.context.connection.window;
    let outcome = await plan();
    if ('needsPassword' in outcome) {
      const keystorePath = outcome.needsPassword.keystorePath;
      let answer: unknown;
      try {
        answer = await this.context.connection.sendRequest<string | null>(ASK_PASSWORD_REQUEST, {
          prompt: `Password of the keystore ${keystorePath} (used once to read its certificate; not stored)`,
          keystorePath,
        } satisfies AskPasswordParams);
      } catch {
        void window.showErrorMessage(`The keystore ${keystorePath} needs a password, and this editor cannot ask for one (${ASK_PASSWORD_REQUEST}).`);
        return undefined;
      }
      if (typeof answer !== 'string' || answer.length === 0) return undefined; // cancelled
      outcome = await plan(answer);
      if ('needsPassword' in outcome) outcome = { error: `The keystore ${keystorePath} could not be opened with that password.` };
    }
    return outcome;
  }

  /** Applies a planned fix through workspace/applyEdit; true when the editor applied it. */
  private async applyOutcome(outcome: SecureVaultOutcome | { error: string }): Promise<boolean> {
    const window = this.context.connection.window;
    if ('error' in outcome) {
      void window.showErrorMessage(outcome.error);
      return false;
    }
    if (!('fix' in outcome)) return false;
    if (!this.client().canApplyEdit) {
      void window.showErrorMessage('This editor does not accept edits from the language server (workspace/applyEdit).');
      return false;
    }
    let edit;
    try {
      edit = toWorkspaceEdit(outcome.fix, this.client().editSupport, (path) => this.openState(path));
    } catch (error) {
      if (!(error instanceof StaleFixError)) throw error;
      void window.showErrorMessage('The document changed while the fix was prepared; run the action again.');
      return false;
    }
    const result = await this.context.connection.workspace.applyEdit({ label: outcome.fix.title, edit });
    if (!result.applied) void window.showErrorMessage(`The Secure Vault edit was not applied${result.failureReason ? `: ${result.failureReason}` : '.'}`);
    return result.applied;
  }

  // ---- hover and go to definition on Secure Vault aliases --------------------------------------------------------

  async hover(params: HoverParams): Promise<Hover | null> {
    const found = this.aliasAt(params.textDocument.uri, params.position);
    if (!found) return null;
    const state = await secureVaultState(this.context.files, found.open.location.home!);
    const entry = lastEntry(state.cipherText.entries, found.alias);
    const lines = [`**Secure Vault alias** \`${found.alias}\``, ''];
    lines.push(`- \`${state.cipherText.display}\`: ${describeEntry(state.cipherText.entries, entry)}`);
    lines.push(`- \`${state.secretConf.display}\`: ${describeSecretConf(state.secretConf.status)}`);
    return {
      contents: { kind: MarkupKind.Markdown, value: lines.join('\n') },
      range: { start: found.open.document.positionAt(found.span.start), end: found.open.document.positionAt(found.span.end) },
    };
  }

  async definition(params: DefinitionParams): Promise<Definition | null> {
    const found = this.aliasAt(params.textDocument.uri, params.position);
    if (!found) return null;
    const state = await secureVaultState(this.context.files, found.open.location.home!);
    const entry = lastEntry(state.cipherText.entries, found.alias);
    if (!entry) return null;
    const uri = this.openState(state.cipherText.path)?.uri ?? pathToFileURL(state.cipherText.path).toString();
    return { uri, range: { start: { line: entry.line, character: entry.keyStart }, end: { line: entry.line, character: entry.keyEnd } } };
  }

  /** The alias under the cursor: an `svns:secretAlias` attribute (name or value) or a `$secret{alias}` token. */
  private aliasAt(uri: string, position: { line: number; character: number }): { open: OpenConfigDocument; alias: string; span: TextSpan } | undefined {
    const open = this.context.openDocument(uri);
    if (!open?.location.home) return undefined;
    const offset = open.document.offsetAt(position);
    const attr = aliasAttributeAt(open.doc, offset);
    if (attr) {
      const alias = attr.value.trim();
      return alias ? { open, alias, span: { start: attr.nameSpan.start, end: attr.valueSpan.end } } : undefined;
    }
    const token = secretTokenAt(open.doc.text, offset);
    return token ? { open, ...token } : undefined;
  }

  // ---- helpers ---------------------------------------------------------------------------------------------------

  private async findingsOf(subject: Subject, settings: Settings): Promise<Finding[]> {
    const result = await this.context.analyzer.analyze(subject.location.path, subject.content, settings);
    return result.findings;
  }

  private subjectOf(open: OpenConfigDocument): Subject {
    // The version key the server validates with, so the parse cache is shared with validation.
    const content: FileContent = { kind: 'text', text: open.document.getText(), version: `open:${open.document.uri}:${open.document.version}` };
    return { uri: open.document.uri, location: open.location, doc: open.doc, content, offsetAt: (p) => open.document.offsetAt(p) };
  }

  /** The open document, or the saved file when the command runs on a document that was closed meanwhile. */
  private async subjectFor(uri: string): Promise<Subject | undefined> {
    const open = this.context.openDocument(uri);
    if (open) return this.subjectOf(open);
    const path = uriToPath(uri);
    const location = path ? locateConfigFile(path) : undefined;
    if (!location) return undefined;
    const content = await this.context.files.read(location.path);
    if (!content) return undefined;
    const parsed = this.context.analyzer.cache.get(location.path, content);
    if (!parsed.doc || !matchesRoot(location.kind, parsed.doc.root)) return undefined;
    const doc = parsed.doc;
    return { uri, location, doc, content, offsetAt: (p) => doc.lines.offsetAt(p) };
  }

  private plannerSubject(subject: Subject, settings: Settings): SecureVaultSubject {
    return { location: subject.location, doc: subject.doc, files: this.context.files, settings };
  }

  private openState(path: string): OpenDocumentState | undefined {
    for (const document of this.context.documents.all()) {
      if (uriToPath(document.uri) === path) return { uri: document.uri, version: document.version, text: document.getText() };
    }
    return undefined;
  }
}

// ---- Secure Vault aliases in XML ----------------------------------------------------------------------------------

const ALIAS_ATTRIBUTE = 'secretAlias';

function aliasAttributeAt(doc: XmlDocument, offset: number): XmlAttribute | undefined {
  for (const element of walkElements(doc.root)) {
    if (offset < element.span.start) break;
    if (offset > element.startTagEnd) continue;
    return element.attributes.find((a) => isAliasAttribute(element, a) && a.nameSpan.start <= offset && offset <= a.valueSpan.end);
  }
  return undefined;
}

function isAliasAttribute(element: XmlElement, attr: XmlAttribute): boolean {
  if (attr.localName !== ALIAS_ATTRIBUTE || !attr.prefix || attr.prefix === 'xmlns') return false;
  // The runtime accepts any namespace starting with the Secure Vault one (SecretResolverFactory).
  return namespaceOf(element, attr.prefix)?.startsWith(SECURE_VAULT_NAMESPACE) === true;
}

/** A `$secret{alias}` token (Carbon 4.5+) around `offset`, on the same line. */
function secretTokenAt(text: string, offset: number): { alias: string; span: TextSpan } | undefined {
  let lineStart = offset;
  while (lineStart > 0 && text[lineStart - 1] !== '\n') lineStart--;
  let lineEnd = offset;
  while (lineEnd < text.length && text[lineEnd] !== '\n') lineEnd++;
  const pattern = /\$secret\{([^}\s]+)\}/g;
  const line = text.slice(lineStart, lineEnd);
  for (let match = pattern.exec(line); match; match = pattern.exec(line)) {
    const start = lineStart + match.index;
    const end = start + match[0].length;
    if (start <= offset && offset <= end) return { alias: match[1], span: { start, end } };
  }
  return undefined;
}

// ---- the Secure Vault properties files ------------------------------------------------------------------------------

/** An entry of cipher-text.properties with the line and columns editors point at. */
interface LocatedEntry extends PropertiesEntry {
  /** 0-based line where the entry starts, and the key's columns on it. */
  readonly line: number;
  readonly keyStart: number;
  readonly keyEnd: number;
}

/** The core parser (service/fixes/properties.ts), with positions for hovers and go-to-definition. */
export function locatedEntries(text: string): LocatedEntry[] {
  const lines = new LineIndex(text);
  return parseProperties(text).entries.map((entry) => {
    const start = lines.positionAt(entry.span.start);
    let keyEnd = entry.span.start;
    // The key as written runs to the first unescaped '=', ':' or blank.
    while (keyEnd < entry.span.end && !'=: \t\f'.includes(text[keyEnd])) keyEnd += text[keyEnd] === '\\' ? 2 : 1;
    return { ...entry, line: start.line, keyStart: start.character, keyEnd: start.character + (Math.min(keyEnd, entry.span.end) - entry.span.start) };
  });
}

type SecretConfStatus = 'missing' | 'commented' | 'no-repository' | 'configured';

interface SecureVaultState {
  readonly secretConf: { readonly path: string; readonly display: string; readonly status: SecretConfStatus };
  /** entries undefined: the file does not exist. */
  readonly cipherText: { readonly path: string; readonly display: string; readonly entries: LocatedEntry[] | undefined };
}

async function readText(files: FileSource, path: string): Promise<string | undefined> {
  return propertiesText(await files.read(path));
}

/** Where the runtime looks: secret-conf.properties in `<conf>/security`, and the cipher-text file it names. */
export async function secureVaultState(files: FileSource, home: ProductHome): Promise<SecureVaultState> {
  const display = (path: string) => (path.startsWith(`${home.homeDir}/`) ? path.slice(home.homeDir.length + 1) : path);
  const secretConfPath = joinPath(home.confDir, 'security', 'secret-conf.properties');
  const secretConfText = await readText(files, secretConfPath);
  let status: SecretConfStatus = 'missing';
  let cipherTextPath = joinPath(home.confDir, 'security', 'cipher-text.properties');
  if (secretConfText !== undefined) {
    const entries = parseProperties(secretConfText).entries;
    const repositories = entries.find((e) => e.key === 'secretRepositories')?.value.trim();
    status = entries.length === 0 ? 'commented' : repositories ? 'configured' : 'no-repository';
    const location = entries.find((e) => e.key === 'secretRepositories.file.location')?.value.trim();
    if (status === 'configured' && location) cipherTextPath = resolveHomePath(home, location);
  }
  const cipherText = await readText(files, cipherTextPath);
  return {
    secretConf: { path: secretConfPath, display: display(secretConfPath), status },
    cipherText: { path: cipherTextPath, display: display(cipherTextPath), entries: cipherText === undefined ? undefined : locatedEntries(cipherText) },
  };
}

/** A path from secret-conf.properties: `${carbon.home}` expanded, relative paths taken from the product home. */
function resolveHomePath(home: ProductHome, value: string): string {
  const expanded = value.replace(/^\$\{carbon\.home\}/, home.homeDir).replace(/\\/g, '/');
  if (expanded.startsWith('/') || /^[A-Za-z]:\//.test(expanded)) return expanded.replace(/^([A-Z]):/, (_, d: string) => `${d.toLowerCase()}:`);
  return joinPath(home.homeDir, expanded.replace(/^\.\//, ''));
}

/** java.util.Properties keeps the last of duplicate keys. */
function lastEntry(entries: LocatedEntry[] | undefined, key: string): LocatedEntry | undefined {
  for (let i = (entries?.length ?? 0) - 1; i >= 0; i--) if (entries![i].key === key) return entries![i];
  return undefined;
}

function describeEntry(entries: LocatedEntry[] | undefined, entry: LocatedEntry | undefined): string {
  if (!entries) return 'does not exist, so the runtime has no value for this alias.';
  if (!entry) return 'has no value for this alias, so the runtime cannot resolve it.';
  const value = entry.value.trim();
  const where = `(line ${entry.line + 1})`;
  if (value.length === 0) return `has an empty value for this alias ${where}: the cipher tool would prompt for it.`;
  if (/^\[[^]*\]$/.test(value) || (value.includes('[') && value.indexOf(']', value.indexOf('[')) > 0)) {
    return `holds this password in plain text, in the \`[…]\` form ${where}: the cipher tool encrypts it on its next \`-Dconfigure\` run.`;
  }
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return `holds an encrypted value for this alias ${where}.`;
  return `holds a value for this alias that is neither Base64 nor the \`[…]\` form ${where}, so it will not decrypt.`;
}

function describeSecretConf(status: SecretConfStatus): string {
  switch (status) {
    case 'configured':
      return 'configures Secure Vault, so the runtime decrypts the alias at startup.';
    case 'missing':
      return 'does not exist, so Secure Vault is not initialised and the server uses the literal placeholder `password`.';
    case 'commented':
      return 'is entirely commented out, so Secure Vault is not initialised and the server uses the literal placeholder `password`.';
    case 'no-repository':
      return 'has no active `secretRepositories` key, so Secure Vault is not initialised and the server uses the literal placeholder `password`.';
  }
}
