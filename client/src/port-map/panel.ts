import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { PortMapResult } from '../../../server/src/protocol';
import { PortMapViewModel, buildPortMapModel } from './model';
import { parsePortMapMessage, renderPortMapHtml } from './html';

/**
 * The port map webview panel ("WSO2: Show Effective Ports"): one panel, shown again and refreshed on each command, and
 * after a save while it is open. It asks the server for the report, draws it, and opens a port's line on click.
 */

export interface PortMapSource {
  /** The server's `wso2Config/portMap` answer. */
  fetch(): Promise<PortMapResult>;
  /** The Markdown form of the same report (the "Open as Markdown" button). */
  showMarkdown(): Promise<void>;
}

export const PORT_MAP_VIEW_TYPE = 'wso2Config.portMap';

export class PortMapPanel implements vscode.Disposable {
  private static current: PortMapPanel | undefined;
  private model: PortMapViewModel | undefined;
  /** A file was saved while the panel was hidden. */
  private stale = false;
  private readonly disposables: vscode.Disposable[] = [];

  /** Shows the panel (creating it on first use) with a fresh report. */
  static async show(source: PortMapSource): Promise<void> {
    if (PortMapPanel.current) {
      PortMapPanel.current.panel.reveal();
    } else {
      const panel = vscode.window.createWebviewPanel(PORT_MAP_VIEW_TYPE, 'WSO2 Effective Ports', vscode.ViewColumn.Active, {
        enableScripts: true,
        // The page loads nothing: no local file and no remote resource.
        localResourceRoots: [],
        enableCommandUris: false,
      });
      PortMapPanel.current = new PortMapPanel(panel, source);
    }
    await PortMapPanel.current.refresh();
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly source: PortMapSource,
  ) {
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      // Offsets and ports change when a file is saved; a hidden panel refreshes when it is shown again.
      vscode.workspace.onDidSaveTextDocument(() => {
        if (this.panel.visible) void this.refresh();
        else this.stale = true;
      }),
      panel.onDidChangeViewState(() => {
        if (this.panel.visible && this.stale) void this.refresh();
      }),
    );
  }

  private async refresh(): Promise<void> {
    this.stale = false;
    try {
      this.model = buildPortMapModel(await this.source.fetch(), (home) => vscode.workspace.asRelativePath(home));
      this.panel.webview.html = renderPortMapHtml(this.model, { nonce: randomBytes(18).toString('base64') });
    } catch (error) {
      void vscode.window.showErrorMessage(`The port map could not be drawn: ${(error as Error).message}`);
    }
  }

  private async onMessage(raw: unknown): Promise<void> {
    const message = parsePortMapMessage(raw, this.model?.targets.length ?? 0);
    if (!message) return;
    if (message.type === 'refresh') return this.refresh();
    if (message.type === 'markdown') return this.source.showMarkdown();
    const target = this.model!.targets[message.target];
    const start = new vscode.Position(target.line - 1, Math.max(0, target.column - 1));
    const end = new vscode.Position(target.line - 1, Math.max(0, target.endColumn - 1));
    // Beside the map, so the map stays in view while the files open.
    await vscode.window.showTextDocument(vscode.Uri.parse(target.uri), { selection: new vscode.Range(start, end), viewColumn: vscode.ViewColumn.Beside, preview: true });
  }

  dispose(): void {
    if (PortMapPanel.current === this) PortMapPanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
