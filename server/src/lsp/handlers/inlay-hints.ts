import { InlayHint, InlayHintParams, MarkupKind } from 'vscode-languageserver/node';
import { ServerContext, uriToPath } from '../server';
import { describeError } from './context';

/**
 * Inlay hints after values the offset changes (service.inlayHints), and their refresh: other open documents' hints
 * depend on carbon.xml's offset and catalina-server.xml's ports, and on settings.
 */

const REFRESH_DEBOUNCE_MS = 300;

export function registerInlayHints(context: ServerContext, refreshSupport: () => boolean): void {
  context.addInlayHintProvider(async (params: InlayHintParams): Promise<InlayHint[]> => {
    const open = context.openText(params.textDocument.uri);
    if (!open) return [];
    const hints = await context.service.inlayHints({
      path: open.path,
      content: open.content,
      settings: context.settingsFor(open.path),
      from: open.document.offsetAt(params.range.start),
      to: open.document.offsetAt(params.range.end),
    });
    return hints.map((hint) => ({
      position: open.document.positionAt(hint.offset),
      label: hint.label,
      paddingLeft: true,
      tooltip: { kind: MarkupKind.Markdown, value: hint.tooltip },
    }));
  });

  let refreshTimer: NodeJS.Timeout | undefined;
  const scheduleRefresh = () => {
    if (!refreshSupport()) return;
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      refreshTimer = undefined;
      context.connection.languages.inlayHint.refresh().catch((error: unknown) => context.log(`inlayHint refresh failed: ${describeError(error)}`));
    }, REFRESH_DEBOUNCE_MS);
    // connection.onShutdown belongs to the server (one handler per connection): the timer just never holds the process.
    refreshTimer.unref();
  };
  context.documents.onDidChangeContent((event) => {
    const path = uriToPath(event.document.uri);
    if (path && context.service.isHintSource(path)) scheduleRefresh();
  });
  context.onSettingsChanged(scheduleRefresh);
}
