import { pathToFileURL } from 'node:url';
import { Connection, Diagnostic, DiagnosticSeverity } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { FileSource, PartialSettings, SETTINGS_FILE_NAME, Settings, mergeSettings, readEditorSettings, readSettingsFile } from '../../service';
import { SOURCE } from './diagnostics';

/**
 * Settings: the initialization options, the editor's `wso2Config` section (pulled with workspace/configuration, or
 * pushed with didChangeConfiguration) and a `.wso2config.json` at each workspace root, which wins; the settings
 * file's own problems become its diagnostics.
 */
export class SettingsStore {
  private editor: PartialSettings = {};
  private initialization: PartialSettings = {};
  /** root -> .wso2config.json */
  private files = new Map<string, PartialSettings>();

  constructor(
    private readonly connection: Connection,
    private readonly roots: () => readonly string[],
  ) {}

  /** The settings of a file: those of the workspace root that holds it. */
  settingsFor(path: string): Settings {
    const root = this.roots().filter((r) => path === r || path.startsWith(`${r}/`)).sort((a, b) => b.length - a.length)[0];
    return mergeSettings(this.initialization, this.editor, root ? this.files.get(root) : undefined);
  }

  applyInitializationOptions(value: unknown): void {
    const { settings, problems } = readEditorSettings(value);
    this.initialization = settings;
    for (const problem of problems) this.connection.console.warn(`Ignoring invalid initialization setting: ${problem.message}`);
  }

  applyEditorSettings(value: unknown): void {
    const { settings, problems } = readEditorSettings(value);
    this.editor = settings;
    for (const problem of problems) this.connection.console.warn(`Ignoring invalid setting: ${problem.message}`);
  }

  async pullEditorSettings(): Promise<void> {
    const value = (await this.connection.workspace.getConfiguration({ section: 'wso2Config' })) as unknown;
    this.applyEditorSettings(value);
  }

  /**
   * Reads `.wso2config.json` of every root (the open document first) and publishes its problems. Built aside and
   * swapped in at the end: validations running meanwhile keep the previous settings.
   */
  async loadSettingsFiles(disk: FileSource, openText: (path: string) => TextDocument | undefined, published: Set<string>): Promise<void> {
    const loaded = new Map<string, PartialSettings>();
    for (const root of this.roots()) {
      const path = `${root}/${SETTINGS_FILE_NAME}`;
      const uri = pathToFileURL(path).toString();
      const open = openText(path);
      let text: string | undefined = open?.getText();
      if (text === undefined) {
        const content = await disk.read(path);
        text = content?.kind === 'bytes' ? Buffer.from(content.bytes).toString('utf8') : content?.text;
      }
      if (text === undefined) {
        if (published.delete(uri)) await this.connection.sendDiagnostics({ uri, diagnostics: [] });
        continue;
      }
      const { settings, problems } = readSettingsFile(text);
      loaded.set(root, settings);
      const document = open ?? TextDocument.create(uri, 'json', 0, text);
      const diagnostics: Diagnostic[] = problems.map((p) => ({
        range: p.span ? { start: document.positionAt(p.span.start), end: document.positionAt(p.span.end) } : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: DiagnosticSeverity.Error,
        source: SOURCE,
        code: 'settings',
        message: p.message,
      }));
      if (diagnostics.length > 0 || published.has(uri)) {
        published.add(uri);
        await this.connection.sendDiagnostics({ uri, diagnostics });
      }
    }
    this.files = loaded;
  }
}
