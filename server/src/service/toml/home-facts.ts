import { LineIndex } from '../model/text';
import type { HomePortView, PortRow } from '../ports/rendering';
import { PortFact } from '../ports/values';
import { decodeBytes } from '../workspace/decode';
import type { FileContent, FileSource, HomeFacts, OffsetFact } from '../workspace/facts';
import { type ProductHome, joinPath } from '../workspace/files';
import { TomlModel, buildTomlModel } from './effective';
import { detectTomlHome, tomlHomeOf } from './home';
import { HomeFileReader, PRODUCT_NAMES } from './knowledge';
import { tomlPortFact, tomlPorts } from './ports';

/**
 * The offset and ports of a Carbon 4.5+ home as the facade's HomeFacts carry them, from deployment.toml: the XML of
 * such a home is rendered from the toml at every start (carbon-kernel v4.9.26 `Main.java`, config-mapper), so its
 * carbon.xml may be stale or absent. With them, the workspace port table and `port-conflict` treat toml and XML homes
 * alike. Imports only the toml core (workspace/facts.ts imports this module).
 */

/** Files of the home the toml model reads, relative to the home (knowledge.ts, home.ts); the one list for every reader. */
export const TOML_HOME_READS = [
  'repository/resources/conf/default.json',
  'repository/resources/conf/infer.json',
  'repository/resources/conf/key-mappings.json',
  'bin/version.txt',
  'updates/product.txt',
];

export function contentText(content: FileContent, maxBytes?: number): string | undefined {
  if (content.kind === 'text') return content.text;
  const decoded = decodeBytes(content.bytes, maxBytes);
  return decoded.ok ? decoded.text : undefined;
}

/** Reads the home files the model needs, once, into a synchronous reader. */
export async function readTomlHomeFiles(files: Pick<FileSource, 'read'>, homeDir: string, maxBytes?: number): Promise<HomeFileReader> {
  const texts = new Map<string, string>();
  for (const rel of TOML_HOME_READS) {
    const content = await files.read(joinPath(homeDir, rel));
    const text = content && contentText(content, maxBytes);
    if (text !== undefined) texts.set(rel, text);
  }
  return (rel) => texts.get(rel);
}

export async function tomlHomeFacts(
  files: Pick<FileSource, 'read'>,
  home: ProductHome,
  tomlPath: string,
  content: FileContent,
  portOffsetOverride: number | null,
  /** The model the deployment.toml engine holds for this content (TomlEngineCore.model); built here without one. */
  modelOf?: (path: string, content: FileContent) => Promise<TomlModel | undefined>,
): Promise<{ offset: OffsetFact; ports: PortFact[] } | undefined> {
  const text = contentText(content);
  if (text === undefined || text.includes('\u0000')) return undefined;
  const homeDir = tomlHomeOf(tomlPath)?.homeDir ?? home.homeDir;
  const model = (await modelOf?.(tomlPath, content)) ?? buildTomlModel({ path: tomlPath, text, readHomeFile: await readTomlHomeFiles(files, homeDir) });
  const { offset, ports } = tomlPorts(model, portOffsetOverride ?? undefined);
  const offsetFact: OffsetFact = { value: offset.value, source: offset.origin === 'override' ? 'setting' : 'deployment.toml', carbonXml: undefined };
  return { offset: offsetFact, ports: ports.map((port) => tomlPortFact(port, tomlPath)) };
}

/**
 * The port table's view of a deployment.toml home (workspace table, `wso2-config-lint ports`): its rows are the toml
 * ports of HomeFacts (see tomlHomeFacts), with lines in deployment.toml; the product is what home.ts detects.
 */
export async function tomlHomePortView(files: Pick<FileSource, 'read'>, facts: HomeFacts): Promise<HomePortView | undefined> {
  const tomlPath = facts.generatedBy;
  if (!tomlPath || facts.offset.source === 'carbon.xml' || !facts.ports.every((p) => p.path === tomlPath)) return undefined;
  const content = await files.read(tomlPath);
  const text = content && contentText(content);
  if (text === undefined) return undefined;
  const lines = new LineIndex(text);
  const home = detectTomlHome(tomlPath, undefined, await readTomlHomeFiles(files, tomlHomeOf(tomlPath)?.homeDir ?? facts.home.homeDir));
  const offset = facts.offset.value;
  const rows: PortRow[] = facts.ports.map((port) => ({
    label: port.label,
    file: port.confRelativePath,
    line: port.span.end > 0 ? lines.positionAt(port.span.start).line + 1 : undefined,
    written: port.configured,
    effective: port.configured !== undefined && offset !== undefined ? port.configured + offset : undefined,
    how: port.span.end > 0 ? '+ offset' : 'default + offset',
    listening: port.listening,
  }));
  const name = `${PRODUCT_NAMES[home.product]}${home.version ? ` ${home.version}` : ''} (deployment.toml)`;
  return {
    facts,
    home: facts.home,
    // Every port of a toml home is a row above (written or defaulted by the config mapper's knowledge): no product
    // default ports of unread files to add.
    product: { id: home.product, name, profile: undefined, detectedBy: home.detectedBy, ports: [] },
    name,
    offset: { value: offset, source: facts.offset.source, carbonXml: undefined },
    rows,
    productRows: [],
  };
}
