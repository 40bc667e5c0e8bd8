import {
  ClientCapabilities,
  CodeAction,
  CodeActionParams,
  Command,
  Connection,
  Definition,
  DefinitionParams,
  Hover,
  HoverParams,
  InlayHint,
  InlayHintParams,
  CancellationToken,
  DidChangeWatchedFilesNotification,
  ExecuteCommandRequest,
  FileChangeType,
  InitializeParams,
  InitializeResult,
  ServerCapabilities,
  TextDocumentSyncKind,
  TextDocuments,
  WatchKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  FileContent,
  FileSource,
  ProductHome,
  SETTINGS_FILE_NAME,
  ServiceOptions,
  Settings,
  WorkspaceService,
  basename,
  createService,
  dirname,
} from '../service';
import { ServerCommands } from '../protocol';
import { DiskFileSource } from '../node/disk-source';
import { NODE_DIRECTORY_READER } from '../node/home-scan';
import { DiagnosticsPublisher, MAX_DIAGNOSTICS_PER_DOCUMENT, SOURCE } from './handlers/diagnostics';
import { SettingsStore } from './handlers/settings';
import { CommandRequest, OpenConfigDocument, Provider, ServerContext, describeError } from './handlers/context';
import { uriToPath } from './uri';

/**
 * LSP wiring only: documents in, diagnostics out. Analysis lives in service/; this file caches, debounces, resolves
 * settings and cross-file sources, and keeps every handler from taking the server down.
 */

export { MAX_DIAGNOSTICS_PER_DOCUMENT, SOURCE };
/** Publishes diagnostics for every covered file of the workspace, open or not. */
export const VALIDATE_WORKSPACE_COMMAND = ServerCommands.validateWorkspace;
const CHANGE_DEBOUNCE_MS = 200;

/**
 * Globs of every file the service reads across files (every document kind, and what home facts read: marker files,
 * the `wso2` profiles, the templates folder, the toml homes' `resources/conf/*.json`; WorkspaceService.watchGlobs)
 * and the settings file.
 */
export function watchedGlobs(service: WorkspaceService): string[] {
  return [...new Set([...service.watchGlobs, `**/${SETTINGS_FILE_NAME}`])];
}

export { uriToPath } from './uri';
export type { CommandRequest, OpenConfigDocument, Provider, ServerContext };

export interface ServerOptions {
  /** Replaces the core's Secure Vault planner (tests of the wiring); null: no Secure Vault fixes at all. */
  readonly secureVault?: ServiceOptions['secureVault'] | null;
}

/** A feature beyond diagnostics: declares its capabilities and registers its handlers. */
export interface ServerFeature {
  capabilities(params: InitializeParams): ServerCapabilities;
  register(context: ServerContext): void;
}

export function startServer(connection: Connection, features: readonly ServerFeature[] = [], options: ServerOptions = {}): void {
  const documents = new TextDocuments(TextDocument);
  const disk = new DiskFileSource();
  /** Path -> open document, so cross-file facts prefer what the user is editing over what is saved. */
  const openByPath = new Map<string, TextDocument>();

  const files: FileSource = {
    async read(path: string): Promise<FileContent | undefined> {
      const open = openByPath.get(path);
      if (open) return { kind: 'text', text: open.getText(), version: openVersionKey(open) };
      return disk.read(path);
    },
    exists: (path) => (openByPath.has(path) ? Promise.resolve(true) : disk.exists(path)),
    version: async (path) => {
      const open = openByPath.get(path);
      return open ? openVersionKey(open) : disk.version(path);
    },
    list: async (dir) => {
      const names = new Set(await disk.list(dir));
      for (const path of openByPath.keys()) if (dirname(path) === dir) names.add(basename(path));
      return [...names];
    },
  };

  let roots: string[] = [];
  let scannedHomes: ProductHome[] = [];
  let firstScanDone!: () => void;
  const firstScan = new Promise<void>((resolve) => (firstScanDone = resolve));
  let supportsConfigurationRequest = false;
  let supportsWatchedFilesRegistration = false;
  /** The client registered our file watchers: changes below the workspace folders are announced (didChangeWatchedFiles). */
  let watchersRegistered = false;
  const seen = new Set<string>();

  const log = (message: string) => connection.console.error(message);

  const knownHomes = (): ProductHome[] => {
    const homes = [...scannedHomes];
    for (const path of openByPath.keys()) {
      const home = service.recognise(path)?.home;
      if (home) homes.push(home);
    }
    return service.runningHomes(homes, roots, settingsFor);
  };
  const service = createService({
    files,
    knownHomes,
    log,
    directories: NODE_DIRECTORY_READER,
    // Trust cached home facts until an event says otherwise, where events come: the client's watchers cover the
    // workspace folders only, and a client without watchers (Neovim 0.7) announces nothing, so stats stay there.
    changeEvents: (path) => (watchersRegistered && roots.some((root) => path === root || path.startsWith(`${root}/`)) ? 'watched' : 'poll'),
    ...(options.secureVault === null ? { secureVault: null } : options.secureVault ? { secureVault: options.secureVault } : {}),
  });

  const openVersionKey = (document: TextDocument) => `open:${document.uri}:${document.version}`;

  const settingsStore = new SettingsStore(connection, () => roots);
  const settingsFor = (path: string): Settings => settingsStore.settingsFor(path);

  /** Wraps a handler: an exception is logged (class and throwing frame only: its message may quote document text) and answered empty. */
  function safe<A extends unknown[], R>(name: string, handler: (...args: A) => R | Promise<R>, empty: R): (...args: A) => Promise<R> {
    return async (...args: A) => {
      try {
        return await handler(...args);
      } catch (error) {
        log(`${name} failed: ${describeError(error)}`);
        return empty;
      }
    };
  }

  const diagnostics = new DiagnosticsPublisher({
    connection,
    documents,
    service,
    files,
    settingsFor,
    roots: () => roots,
    knownHomes,
    rescanHomes: () => rescanHomes(),
    contentOf: (document) => ({ kind: 'text', text: document.getText(), version: openVersionKey(document) }),
    safe,
  });
  const schedule = (document: TextDocument, delay: number) => diagnostics.schedule(document, delay);
  const scheduleDependents = (changedPath: string | undefined, delay: number, except?: string) => diagnostics.scheduleDependents(changedPath, delay, except);
  const published = diagnostics.published;
  const timers = diagnostics.timers;

  async function loadSettingsFiles(): Promise<void> {
    await settingsStore.loadSettingsFiles(disk, (path) => openByPath.get(path), published);
    settingsChanged();
  }

  async function pullEditorSettings(): Promise<void> {
    if (supportsConfigurationRequest) await settingsStore.pullEditorSettings();
  }

  async function rescanHomes(): Promise<void> {
    scannedHomes = await service.discoverHomes(roots);
  }

  const hoverProviders: Provider<HoverParams, Hover | null>[] = [];
  const definitionProviders: Provider<DefinitionParams, Definition | null>[] = [];
  const codeActionProviders: Provider<CodeActionParams, (CodeAction | Command)[]>[] = [];
  const inlayHintProviders: Provider<InlayHintParams, InlayHint[]>[] = [];
  const commands = new Map<string, (args: unknown[], request: CommandRequest) => Promise<unknown> | unknown>();
  const settingsListeners: (() => void)[] = [];
  let clientCapabilities: ClientCapabilities | undefined;

  function settingsChanged(): void {
    for (const listener of settingsListeners) {
      try {
        listener();
      } catch (error) {
        log(`settings listener failed: ${describeError(error)}`);
      }
    }
  }

  const context: ServerContext = {
    connection,
    documents,
    service,
    files,
    settingsFor,
    knownHomes,
    homesScanned: () => firstScan,
    openDocument(uri) {
      const open = context.openText(uri);
      const parsed = open && service.parse(open.path, open.content);
      if (!open || !parsed) return undefined;
      return { document: open.document, path: parsed.location.path, location: parsed.location, content: open.content, parsed };
    },
    openText(uri) {
      const document = documents.get(uri);
      const path = uriToPath(uri);
      if (!document || !path) return undefined;
      return { document, path, content: { kind: 'text', text: document.getText(), version: openVersionKey(document) } };
    },
    safe,
    revalidateAll: () => {
      service.clearCaches();
      scheduleDependents(undefined, 0);
    },
    log,
    addHoverProvider: (provider) => hoverProviders.push(provider),
    addDefinitionProvider: (provider) => definitionProviders.push(provider),
    addCodeActionProvider: (provider) => codeActionProviders.push(provider),
    addInlayHintProvider: (provider) => inlayHintProviders.push(provider),
    addCommand: (id, handler) => commands.set(id, handler),
    onSettingsChanged: (listener) => settingsListeners.push(listener),
    get clientCapabilities() {
      return clientCapabilities;
    },
  };
  for (const feature of features) feature.register(context);
  context.addCommand(VALIDATE_WORKSPACE_COMMAND, (_args, request) =>
    diagnostics.validateWorkspace({ token: request.token, workDoneToken: request.workDoneToken, serverProgress: clientCapabilities?.window?.workDoneProgress === true }),
  );

  /** Each provider on its own: one that throws is logged and skipped, the others still answer. */
  async function ask<P, R>(name: string, providers: Provider<P, R>[], params: P, empty: R): Promise<R[]> {
    return Promise.all(providers.map((provider) => safe(name, provider, empty)(params)));
  }
  if (hoverProviders.length > 0) {
    connection.onHover(async (params) => (await ask('hover', hoverProviders, params, null)).find((h) => h !== null) ?? null);
  }
  if (definitionProviders.length > 0) {
    connection.onDefinition(async (params) => (await ask('definition', definitionProviders, params, null)).find((d) => d !== null) ?? null);
  }
  if (codeActionProviders.length > 0) {
    connection.onCodeAction(async (params) => (await ask('codeAction', codeActionProviders, params, [])).flat());
  }
  if (inlayHintProviders.length > 0) {
    connection.languages.inlayHint.on(async (params) => (await ask('inlayHint', inlayHintProviders, params, [])).flat());
  }
  if (commands.size > 0) {
    // onRequest rather than onExecuteCommand: the latter takes the client's workDoneToken out of the params.
    connection.onRequest(
      ExecuteCommandRequest.type,
      safe(
        'executeCommand',
        async (params, token: CancellationToken) => {
          const handler = commands.get(params.command);
          if (!handler) throw new Error(`unknown command ${params.command}`);
          return handler(params.arguments ?? [], { token, workDoneToken: params.workDoneToken });
        },
        undefined,
      ),
    );
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    roots = folders.map(uriToPath).filter((p): p is string => !!p);
    clientCapabilities = params.capabilities;
    supportsConfigurationRequest = !!params.capabilities.workspace?.configuration;
    supportsWatchedFilesRegistration = !!params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    const options = params.initializationOptions as { settings?: unknown } | undefined;
    if (options?.settings !== undefined) {
      settingsStore.applyInitializationOptions(options.settings);
    }
    return {
      capabilities: Object.assign(
        {},
        ...features.map((f) => f.capabilities(params)),
        {
          textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
          workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
        },
        commands.size > 0 ? { executeCommandProvider: { commands: [...commands.keys()] } } : {},
      ),
      serverInfo: { name: 'wso2-config-language-server', version: '0.1.0' },
    };
  });

  connection.onInitialized(
    safe(
      'initialized',
      async () => {
        if (supportsWatchedFilesRegistration) {
          try {
            await connection.client.register(DidChangeWatchedFilesNotification.type, {
              watchers: [
                ...watchedGlobs(service).map((globPattern) => ({ globPattern, kind: WatchKind.Create | WatchKind.Change | WatchKind.Delete })),
                // A deleted or renamed folder is announced as itself only (VS Code reports no event for the files
                // below it), and no file glob matches a home folder's own name: without this, the facts of a deleted
                // home would be trusted for good.
                { globPattern: '**/*', kind: WatchKind.Delete },
              ],
            });
            watchersRegistered = true;
          } catch (error) {
            // Refused: file changes are found by stats as for a client without watchers.
            log(`file watchers not registered: ${describeError(error)}`);
          }
        }
        // Only a client that sends folder changes may be asked for them: vscode-languageserver throws otherwise, and
        // the settings below would never be pulled.
        if (clientCapabilities?.workspace?.workspaceFolders === true) {
          connection.workspace.onDidChangeWorkspaceFolders(
            safe('workspaceFolders', async (event) => {
              const removed = new Set(event.removed.map((f) => uriToPath(f.uri)));
              const added = event.added.map((f) => uriToPath(f.uri)).filter((p): p is string => !!p);
              roots = [...roots.filter((r) => !removed.has(r)), ...added];
              // Nothing was announced below a folder while it was not one of the workspace's (a folder added again may
              // have changed meanwhile): what was learnt of it under change events is forgotten, as after a change.
              for (const folder of added) service.invalidate(folder);
              await Promise.all([rescanHomes(), loadSettingsFiles()]);
              scheduleDependents(undefined, 0);
            }, undefined),
          );
        }
        try {
          await Promise.all([pullEditorSettings(), loadSettingsFiles(), rescanHomes()]);
        } finally {
          firstScanDone();
        }
        scheduleDependents(undefined, 0);
      },
      undefined,
    ),
  );

  connection.onDidChangeConfiguration(
    safe(
      'didChangeConfiguration',
      async (change) => {
        if (supportsConfigurationRequest) await pullEditorSettings();
        else settingsStore.applyEditorSettings((change.settings as { wso2Config?: unknown } | undefined)?.wso2Config);
        service.clearCaches();
        scheduleDependents(undefined, 0);
        settingsChanged();
      },
      undefined,
    ),
  );

  connection.onDidChangeWatchedFiles(
    safe(
      'didChangeWatchedFiles',
      async (params) => {
        let settingsFileChanged = false;
        let homesChanged = false;
        const changedPaths: string[] = [];
        for (const change of params.changes) {
          const path = uriToPath(change.uri);
          if (!path) continue;
          service.invalidate(path);
          changedPaths.push(path);
          if (basename(path) === SETTINGS_FILE_NAME) settingsFileChanged = true;
          if (basename(path) === 'carbon.xml' && change.type !== FileChangeType.Changed) homesChanged = true;
          if (basename(path) === 'deployment.toml') homesChanged = true;
          // A folder holding a known home (the home itself, or any folder above it) is gone.
          if (change.type === FileChangeType.Deleted && scannedHomes.some((home) => home.confDir === path || home.confDir.startsWith(`${path}/`))) homesChanged = true;
        }
        if (settingsFileChanged) await loadSettingsFiles();
        if (homesChanged) await rescanHomes();
        if (settingsFileChanged || homesChanged) scheduleDependents(undefined, 0);
        else for (const path of changedPaths) scheduleDependents(path, 0);
        // Hints and hovers read other files (the offset, the Tomcat ports): let listeners refresh.
        settingsChanged();
      },
      undefined,
    ),
  );

  documents.onDidOpen(
    safe(
      'didOpen',
      (event) => {
        const path = uriToPath(event.document.uri);
        if (path) {
          openByPath.set(path, event.document);
          // The file is now read from the editor, not the disk (and exists, saved or not): facts that read it change.
          service.invalidate(path);
        }
        if (path && basename(path) === SETTINGS_FILE_NAME) {
          void loadSettingsFiles().then(() => scheduleDependents(undefined, 0));
          return;
        }
        // The first onDidChangeContent, which TextDocuments fires right after this, validates it.
      },
      undefined,
    ),
  );

  documents.onDidChangeContent(
    safe(
      'didChange',
      (event) => {
        const path = uriToPath(event.document.uri);
        // A new version of an open document: the facts of the home(s) that read it are computed again.
        if (path) service.invalidate(path, 'content');
        if (path && basename(path) === SETTINGS_FILE_NAME) {
          void loadSettingsFiles().then(() => scheduleDependents(undefined, CHANGE_DEBOUNCE_MS));
          return;
        }
        // Validate a newly opened document at once; debounce while the user types.
        const firstSeen = !seen.has(event.document.uri);
        seen.add(event.document.uri);
        schedule(event.document, firstSeen ? 0 : CHANGE_DEBOUNCE_MS);
        // Other open files may depend on this one's unsaved state.
        if (path) scheduleDependents(path, CHANGE_DEBOUNCE_MS, event.document.uri);
      },
      undefined,
    ),
  );

  documents.onDidClose(
    safe(
      'didClose',
      async (event) => {
        const uri = event.document.uri;
        const path = uriToPath(uri);
        const pending = timers.get(uri);
        if (pending) clearTimeout(pending);
        timers.delete(uri);
        seen.delete(uri);
        if (path) {
          openByPath.delete(path);
          service.invalidate(path);
          // Dependents fall back to the saved file.
          scheduleDependents(path, 0);
          if (basename(path) === SETTINGS_FILE_NAME) void loadSettingsFiles().then(() => scheduleDependents(undefined, 0));
        }
        if (published.delete(uri)) await connection.sendDiagnostics({ uri, diagnostics: [] });
      },
      undefined,
    ),
  );

  connection.onShutdown(() => {
    for (const timer of timers.values()) clearTimeout(timer);
    timers.clear();
  });

  documents.listen(connection);
  connection.listen();
}
