import { AxisRow, HomeColumn, PortCell, PortMapViewModel } from './model';

/**
 * The port map's HTML: a self-contained page (no remote or local resource; styles and script inline, allowed by a
 * nonce under a strict content security policy, no inline event handlers), themed with VS Code's CSS variables
 * (https://code.visualstudio.com/api/extension-guides/webview#theming-webview-content). Pure, for unit tests.
 */

export interface PortMapPage {
  /** A fresh random value per render: the only inline style and script the policy lets run carry it. */
  readonly nonce: string;
}

/** Messages the page posts to the extension: indexes and actions only, never a path. */
export type PortMapMessage = { readonly type: 'open'; readonly target: number } | { readonly type: 'refresh' } | { readonly type: 'markdown' };

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
/** The report's short Markdown ("`${Ports.…}` + offset") as plain text. */
const plain = (markdown: string) => markdown.replace(/[`*\\]/g, '');

export function contentSecurityPolicy(nonce: string): string {
  return [`default-src 'none'`, `style-src 'nonce-${nonce}'`, `script-src 'nonce-${nonce}'`, `img-src 'none'`, `font-src 'none'`, `connect-src 'none'`, `form-action 'none'`, `base-uri 'none'`].join('; ');
}

function portButton(cell: PortCell): string {
  const classes = ['port', cell.conflictsWith.length > 0 ? 'conflict' : '', cell.listening ? '' : 'not-listening'].filter(Boolean).join(' ');
  const title = [
    `${cell.label}: ${cell.effective ?? '?'} (written ${cell.written ?? '?'}, ${plain(cell.how)})`,
    cell.listening ? '' : 'Not a listener: the server does not open it.',
    cell.conflictsWith.length > 0 ? `Also opened by ${cell.conflictsWith.join(', ')}` : '',
    cell.target !== undefined ? `Open ${cell.where}` : cell.where,
  ]
    .filter(Boolean)
    .join('\n');
  const target = cell.target !== undefined ? ` data-target="${cell.target}"` : ' disabled';
  return `<button type="button" class="${classes}"${target} title="${escapeHtml(title)}">${escapeHtml(cell.label)}</button>`;
}

function homeHeader(home: HomeColumn): string {
  const offset = home.offsetTarget !== undefined ? `<button type="button" class="link" data-target="${home.offsetTarget}" title="Open carbon.xml at &lt;Offset&gt;">${escapeHtml(home.offsetText)}</button>` : escapeHtml(home.offsetText);
  const freeClass = home.lowestFreeOffset === undefined ? 'free none' : home.lowestFreeOffset === null ? 'free stuck' : 'free';
  return [
    `<th scope="col" class="home${home.inConflict ? ' in-conflict' : ''}">`,
    `<div class="name">${escapeHtml(home.name)}</div>`,
    `<div class="path" title="${escapeHtml(home.home)}"><bdi>${escapeHtml(home.home)}</bdi></div>`,
    `<div class="offset">${offset}</div>`,
    `<div class="${freeClass}">${escapeHtml(home.lowestFreeText)}</div>`,
    `</th>`,
  ].join('');
}

function axisRow(row: AxisRow): string {
  const classes = [row.conflict ? 'conflict' : '', row.gapBefore > 0 ? 'gap' : ''].filter(Boolean).join(' ');
  const marker = row.conflict ? '<span class="marker" title="Two homes open this port">⚠ conflict</span>' : '';
  const cells = row.cells.map((list) => `<td>${list.map(portButton).join('')}</td>`).join('');
  const gap = row.gapBefore > 0 ? ` title="${row.gapBefore} port${row.gapBefore === 1 ? '' : 's'} skipped above"` : '';
  return `<tr${classes ? ` class="${classes}"` : ''}><th scope="row" class="axis"${gap}><span class="number">${row.port}</span>${marker}</th>${cells}</tr>`;
}

const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 16px 16px; }
header { display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; }
h1 { font-size: 1.4em; font-weight: 600; margin: 12px 0; }
.summary { color: var(--vscode-descriptionForeground); }
.summary.has-conflicts { color: var(--vscode-errorForeground); font-weight: 600; }
.actions { margin-left: auto; display: flex; gap: 8px; }
.actions button { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); border: 1px solid var(--vscode-button-border, transparent); padding: 3px 10px; cursor: pointer; font: inherit; }
.actions button:hover { background: var(--vscode-button-secondaryHoverBackground); }
table { border-collapse: collapse; }
th, td { border-bottom: 1px solid var(--vscode-editorWidget-border, var(--vscode-panel-border)); padding: 2px 8px; text-align: left; vertical-align: top; }
thead th { position: sticky; top: 0; background: var(--vscode-editor-background); vertical-align: bottom; border-bottom: 2px solid var(--vscode-editorWidget-border, var(--vscode-panel-border)); padding-bottom: 6px; min-width: 12em; }
td { max-width: 18em; }
thead th.axis { min-width: 6em; }
.home .name { font-weight: 600; }
.home .path { color: var(--vscode-descriptionForeground); font-family: var(--vscode-editor-font-family); font-size: 0.9em; max-width: 18em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; direction: rtl; text-align: left; }
.home .free { font-weight: 600; }
.home.in-conflict .free { color: var(--vscode-charts-green, var(--vscode-foreground)); }
.home .free.none { font-weight: normal; color: var(--vscode-descriptionForeground); }
.home .free.stuck { color: var(--vscode-errorForeground); }
th.axis { font-family: var(--vscode-editor-font-family); font-weight: normal; white-space: nowrap; color: var(--vscode-editorLineNumber-foreground, var(--vscode-foreground)); }
tr.gap > * { border-top: 1px dashed var(--vscode-descriptionForeground); }
tr.conflict { background: var(--vscode-inputValidation-errorBackground, rgba(255, 0, 0, 0.12)); }
tr.conflict th.axis { color: var(--vscode-errorForeground); font-weight: 600; }
.marker { margin-left: 6px; font-size: 0.85em; }
button.port { display: block; margin: 2px 0; padding: 1px 6px; font: inherit; text-align: left; cursor: pointer; color: var(--vscode-textLink-foreground); background: transparent; border: 1px solid transparent; border-radius: 3px; }
button.port:hover, button.link:hover { text-decoration: underline; }
button.port.conflict { color: var(--vscode-errorForeground); border-color: var(--vscode-errorForeground); font-weight: 600; }
button.port.not-listening { color: var(--vscode-descriptionForeground); font-style: italic; }
button.port:disabled { cursor: default; text-decoration: none; }
button.link { font: inherit; padding: 0; border: 0; background: transparent; color: var(--vscode-textLink-foreground); cursor: pointer; }
button:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 1px; }
.unplaced h2, .legend h2 { font-size: 1.1em; margin: 16px 0 4px; }
.legend { color: var(--vscode-descriptionForeground); }
.legend ul { margin: 4px 0; padding-left: 20px; }
`;

/** Posts the index a port button carries; the extension looks it up in its own copy of the model. */
const SCRIPT = `
const vscode = acquireVsCodeApi();
document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('button') : null;
  if (!button || button.disabled) return;
  if (button.dataset.target !== undefined) vscode.postMessage({ type: 'open', target: Number(button.dataset.target) });
  else if (button.dataset.action === 'refresh' || button.dataset.action === 'markdown') vscode.postMessage({ type: button.dataset.action });
});
`;

export function renderPortMapHtml(model: PortMapViewModel, page: PortMapPage): string {
  const { nonce } = page;
  const summary =
    model.homes.length === 0
      ? 'No product home in the workspace (a folder with repository/conf/carbon.xml or conf/carbon.xml).'
      : `${model.homes.length} home${model.homes.length === 1 ? '' : 's'} · ${model.conflictCount === 0 ? 'no conflict' : `${model.conflictCount} conflicting pair${model.conflictCount === 1 ? '' : 's'} of homes`}`;
  const body: string[] = [
    `<header><h1>Effective ports</h1><span class="summary${model.conflictCount > 0 ? ' has-conflicts' : ''}">${escapeHtml(summary)}</span>`,
    `<div class="actions"><button type="button" data-action="refresh">Refresh</button><button type="button" data-action="markdown">Open as Markdown</button></div></header>`,
  ];
  if (model.homes.length > 0) {
    body.push(`<table class="map"><thead><tr><th scope="col" class="axis">Port</th>${model.homes.map(homeHeader).join('')}</tr></thead>`);
    body.push(`<tbody>${model.rows.map(axisRow).join('')}</tbody></table>`);
    const unplaced = model.homes.filter((h) => h.unplaced.length > 0);
    if (unplaced.length > 0) {
      body.push('<section class="unplaced"><h2>Ports with an unknown effective value</h2>');
      for (const home of unplaced) body.push(`<div><strong>${escapeHtml(home.name)}</strong>: ${home.unplaced.map(portButton).join('')}</div>`);
      body.push('</section>');
    }
    const defaults = model.homes.reduce((n, h) => n + h.defaultPortCount, 0);
    body.push(
      '<section class="legend"><h2>Reading the map</h2><ul>',
      '<li>One row per effective port (ascending); a dashed line marks skipped ports. Click a port to open the line it is written on.</li>',
      '<li>Rows marked ⚠ are opened by two homes: the second server fails to start. The lowest free offset is the smallest &lt;Offset&gt; that clears every conflict of that home (the port-conflict quick fix sets it).</li>',
      '<li>Italic ports are not listeners (e.g. a redirect target).</li>',
      defaults > 0 ? `<li>${defaults} default port${defaults === 1 ? '' : 's'} of detected products live in files this tool does not read: see Open as Markdown.</li>` : '',
      '</ul></section>',
    );
  }
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="UTF-8">',
    `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(nonce)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
    '<title>Effective ports</title>',
    `<style nonce="${nonce}">${STYLE}</style>`,
    '</head>',
    '<body>',
    ...body,
    `<script nonce="${nonce}">${SCRIPT}</script>`,
    '</body>',
    '</html>',
  ].join('\n');
}

/** The page's message, checked: anything else (or an index out of range) is ignored by the caller. */
export function parsePortMapMessage(message: unknown, targets: number): PortMapMessage | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const { type, target } = message as { type?: unknown; target?: unknown };
  if (type === 'refresh' || type === 'markdown') return { type };
  if (type === 'open' && typeof target === 'number' && Number.isInteger(target) && target >= 0 && target < targets) return { type, target };
  return undefined;
}
