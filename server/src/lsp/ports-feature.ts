import { Hover, HoverParams, InitializeParams, InlayHint, InlayHintParams, MarkupKind, ServerCapabilities } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { XmlDocument, parseXml } from '../service/model/xml';
import {
  PortContext,
  PortEntry,
  PortSources,
  homePortView,
  homeTableMarkdown,
  hoverMarkdown,
  offsetInfoOfDocument,
  portContextOf,
  portEntries,
  portInlayHints,
  portTargetAt,
  workspaceJson,
  workspaceMarkdown,
  workspacePortReport,
  workspaceText,
} from '../service/port-info';
import { Settings } from '../service/settings';
import { ConfigFileKind, HOME_FILES, ProductHome, confPathOf, homeAbove, locateConfigFile } from '../service/workspace/files';
import { ServerContext, ServerFeature, uriToPath } from './server';

/**
 * Effective ports in the editor: hovers on every port-bearing value, inlay hints after values the offset changes, and
 * the `wso2Config/effectivePorts` request behind "WSO2: Show Effective Ports". Wiring only; port-info.ts explains.
 */

/** Request: no parameters; answers EffectivePortsResult. */
export const EFFECTIVE_PORTS_REQUEST = 'wso2Config/effectivePorts';

export interface EffectivePortsResult {
  /** Every product home with its ports, then the conflicts: render it as Markdown. */
  readonly markdown: string;
  /** The same as plain text. */
  readonly text: string;
  /** The same as data (see workspaceJson in port-info.ts). */
  readonly report: unknown;
}

const REFRESH_DEBOUNCE_MS = 300;
/** Files whose edits change other documents' hints: the offset, and the Tomcat ports servlet transports take. */
const HINT_SOURCES: readonly ConfigFileKind[] = ['carbon', 'catalina-server'];

/** A document the port features can read: a covered configuration file, or any XML below a product's conf folder. */
interface PortDocument {
  readonly document: TextDocument;
  readonly path: string;
  readonly doc: XmlDocument;
  readonly kind: ConfigFileKind | undefined;
  readonly confRelativePath: string;
  readonly home: ProductHome | undefined;
}

export function createPortsFeature(): ServerFeature {
  let refreshSupport = false;

  return {
    capabilities(params: InitializeParams): ServerCapabilities {
      refreshSupport = !!params.capabilities.workspace?.inlayHint?.refreshSupport;
      return { hoverProvider: true, inlayHintProvider: true };
    },

    register(context: ServerContext): void {
      const { connection, documents } = context;
      /** Other XML files (etc/jmx.xml, identity/identity.xml) hold `${Ports.…}` references too; parsed once per version. */
      const otherDocs = new Map<string, { version: number; doc: XmlDocument }>();
      const sources: PortSources = { files: context.files, parsed: (path, kind) => context.analyzer.facts.parsed(path, kind) };

      function portDocument(uri: string): PortDocument | undefined {
        const open = context.openDocument(uri);
        if (open) {
          const { location } = open;
          return { document: open.document, path: open.path, doc: open.doc, kind: location.kind, confRelativePath: location.confRelativePath, home: location.home };
        }
        const document = documents.get(uri);
        const path = uriToPath(uri);
        const home = path ? homeAbove(path) : undefined;
        if (!document || !path || !home) return undefined;
        let cached = otherDocs.get(uri);
        if (!cached || cached.version !== document.version) {
          cached = { version: document.version, doc: parseXml(document.getText()) };
          otherDocs.set(uri, cached);
        }
        return { document, path, doc: cached.doc, kind: undefined, confRelativePath: path.slice(home.confDir.length + 1), home };
      }

      async function contextOf(file: PortDocument, settings: Settings): Promise<{ context: PortContext; entries: PortEntry[] }> {
        const entries = file.kind ? portEntries(file.kind, file.doc, file.path, file.confRelativePath) : [];
        if (!file.home) {
          // A lone carbon.xml speaks for its own offset; any other lone file has none to go by.
          const offset = file.kind === 'carbon' ? offsetInfoOfDocument(file.doc, file.path) : undefined;
          return { context: { offset, entries, carbon: file.kind === 'carbon' ? file.doc : undefined }, entries };
        }
        const facts = await context.homeFacts(file.home, settings);
        const portContext = await portContextOf(facts, sources, { path: file.path, entries, carbon: file.kind === 'carbon' ? file.doc : undefined });
        return { context: portContext, entries };
      }

      context.addHoverProvider(async (params: HoverParams): Promise<Hover | null> => {
        const file = portDocument(params.textDocument.uri);
        if (!file) return null;
        const offset = file.document.offsetAt(params.position);
        const ownEntries = file.kind ? portEntries(file.kind, file.doc, file.path, file.confRelativePath) : [];
        const target = portTargetAt(file.doc, file.kind, ownEntries, offset);
        if (!target) return null;
        const settings = context.settingsFor(file.path);
        const { context: portContext } = await contextOf(file, settings);
        const range = { start: file.document.positionAt(target.span.start), end: file.document.positionAt(target.span.end) };
        let value: string;
        if (target.kind === 'offset') {
          if (!file.home) {
            value = `Port offset ${portContext.offset?.value ?? '?'}: this carbon.xml is not inside a product home (\`repository/conf\` or \`conf\`), so there is no port table to show.`;
          } else {
            const facts = await context.homeFacts(file.home, settings);
            value = homeTableMarkdown(await homePortView(facts, sources, portContext));
          }
        } else {
          value = hoverMarkdown(target, portContext);
        }
        return { contents: { kind: MarkupKind.Markdown, value }, range };
      });

      context.addInlayHintProvider(async (params: InlayHintParams): Promise<InlayHint[]> => {
        const file = portDocument(params.textDocument.uri);
        if (!file) return [];
        const settings = context.settingsFor(file.path);
        if (!settings.inlayHints) return [];
        const { context: portContext, entries } = await contextOf(file, settings);
        const from = file.document.offsetAt(params.range.start);
        const to = file.document.offsetAt(params.range.end);
        return portInlayHints(file.doc, entries, portContext)
          .filter((hint) => hint.offset >= from && hint.offset <= to)
          .map((hint) => ({
            position: file.document.positionAt(hint.offset),
            label: hint.label,
            paddingLeft: true,
            tooltip: { kind: MarkupKind.Markdown, value: hint.tooltip },
          }));
      });

      connection.onRequest(
        EFFECTIVE_PORTS_REQUEST,
        context.safe(
          EFFECTIVE_PORTS_REQUEST,
          async (): Promise<EffectivePortsResult> => {
            const homes = [...context.knownHomes()].sort((a, b) => a.homeDir.localeCompare(b.homeDir));
            const views = await Promise.all(
              homes.map(async (home) => homePortView(await context.homeFacts(home, context.settingsFor(confPathOf(home, HOME_FILES.carbon))), sources)),
            );
            const report = workspacePortReport(views);
            return { markdown: workspaceMarkdown(report), text: workspaceText(report), report: workspaceJson(report) };
          },
          { markdown: 'The effective ports could not be computed: see the WSO2 Config output.', text: 'The effective ports could not be computed.', report: null },
        ),
      );

      // Other open documents' hints depend on carbon.xml's offset and catalina-server.xml's ports, and on settings.
      let refreshTimer: NodeJS.Timeout | undefined;
      const scheduleRefresh = () => {
        if (!refreshSupport) return;
        if (refreshTimer) clearTimeout(refreshTimer);
        refreshTimer = setTimeout(() => {
          refreshTimer = undefined;
          connection.languages.inlayHint.refresh().catch((error: unknown) => context.log(`inlayHint refresh failed: ${(error as Error)?.message ?? String(error)}`));
        }, REFRESH_DEBOUNCE_MS);
        // connection.onShutdown belongs to the server (one handler per connection): the timer just never holds the process.
        refreshTimer.unref();
      };
      documents.onDidChangeContent((event) => {
        const path = uriToPath(event.document.uri);
        const kind = path ? locateConfigFile(path)?.kind : undefined;
        if (kind && HINT_SOURCES.includes(kind)) scheduleRefresh();
      });
      context.onSettingsChanged(scheduleRefresh);
      documents.onDidClose((event) => otherDocs.delete(event.document.uri));
    },
  };
}


/** The feature the server starts with: `startServer(connection, [portsFeature])`. */
export const portsFeature: ServerFeature = createPortsFeature();
