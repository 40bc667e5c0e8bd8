import { HomeFileReader, TomlProduct } from './knowledge';
import { TomlDocument } from './parse';

/**
 * Which product home a deployment.toml belongs to, and which product and version it is.
 *
 * Layout (carbon-kernel v4.9.26 `Main.java` l.223-238; product-apim v4.2.0 `api-manager.sh` l.334;
 * product-micro-integrator v4.4.0 `micro-integrator.sh` l.359): APIM, IS and the kernel read
 * `<home>/repository/conf/deployment.toml`, MI reads `<home>/conf/deployment.toml`.
 *
 * Product and version, in this order (first found wins): the pack's `bin/version.txt`, U2's `updates/product.txt`,
 * the home folder's name as WSO2 zips unpack (`wso2am-4.2.0`, `wso2is-7.1.0`, `wso2mi-4.4.0`), then, for the product
 * only, what the file itself configures (`[apim.*]` tables, `[database.identity_db]`). The content of version.txt and
 * product.txt was not verified against real packs for every release; unknown parts stay undefined.
 */

export interface TomlHome {
  /** The home directory (path without the trailing `/repository/conf/deployment.toml` or `/conf/deployment.toml`). */
  readonly homeDir: string;
  readonly layout: 'repository-conf' | 'mi-conf';
  readonly product: TomlProduct;
  readonly version: string | undefined;
  /** How product and version were found, for hovers. */
  readonly detectedBy: string;
}

const PRODUCT_WORDS: [RegExp, TomlProduct][] = [
  [/api[ -]?manager|\bwso2am\b/i, 'apim'],
  [/identity[ -]?server|\bwso2is\b/i, 'is'],
  [/micro[ -]?integrator|\bwso2mi\b/i, 'mi'],
  [/carbon/i, 'carbon'],
];

const VERSION = /(\d+\.\d+\.\d+)/;
const FOLDER = /^(?:wso2)?(am|apim|is|mi|carbon|kernel)-(\d+\.\d+\.\d+)/i;

export function tomlHomeOf(path: string): { homeDir: string; layout: TomlHome['layout'] } | undefined {
  const normalized = path.replace(/\\/g, '/');
  if (!normalized.endsWith('/deployment.toml') && normalized !== 'deployment.toml') return undefined;
  const conf = normalized.slice(0, -'/deployment.toml'.length);
  if (conf.endsWith('/repository/conf') || conf === 'repository/conf') return { homeDir: conf.slice(0, -'repository/conf'.length).replace(/\/$/, ''), layout: 'repository-conf' };
  if (conf.endsWith('/conf') || conf === 'conf') return { homeDir: conf.slice(0, -'conf'.length).replace(/\/$/, ''), layout: 'mi-conf' };
  return undefined;
}

export function detectTomlHome(path: string, doc: TomlDocument | undefined, read: HomeFileReader | undefined): TomlHome {
  const located = tomlHomeOf(path) ?? { homeDir: '', layout: 'repository-conf' as const };
  const fromLayout: TomlProduct | undefined = located.layout === 'mi-conf' ? 'mi' : undefined;
  for (const marker of ['bin/version.txt', 'updates/product.txt']) {
    const text = safeRead(read, marker);
    if (!text) continue;
    const head = text.slice(0, 512);
    const product = PRODUCT_WORDS.find(([re]) => re.test(head))?.[1] ?? fromLayout;
    const version = VERSION.exec(head)?.[1];
    if (product) return { ...located, product, version, detectedBy: marker };
  }
  const folder = FOLDER.exec(located.homeDir.split('/').pop() ?? '');
  if (folder) {
    const product = ({ am: 'apim', apim: 'apim', is: 'is', mi: 'mi', carbon: 'carbon', kernel: 'carbon' } as const)[folder[1].toLowerCase() as 'am' | 'apim' | 'is' | 'mi' | 'carbon' | 'kernel'];
    return { ...located, product, version: folder[2], detectedBy: 'the home folder name' };
  }
  if (fromLayout) return { ...located, product: fromLayout, version: undefined, detectedBy: 'the conf/deployment.toml layout' };
  return { ...located, product: productFromContent(doc), version: undefined, detectedBy: 'the tables of deployment.toml' };
}

function productFromContent(doc: TomlDocument | undefined): TomlProduct {
  if (!doc) return 'carbon';
  const names = doc.tables.map((t) => t.name);
  if (names.some((n) => n === 'apim' || n.startsWith('apim.'))) return 'apim';
  if (names.some((n) => n === 'database.identity_db' || n.startsWith('identity.') || n.startsWith('account_recovery'))) return 'is';
  if (names.some((n) => n.startsWith('internal_apis') || n.startsWith('mediation'))) return 'mi';
  return 'carbon';
}

function safeRead(read: HomeFileReader | undefined, path: string): string | undefined {
  if (!read) return undefined;
  try {
    return read(path);
  } catch {
    return undefined;
  }
}
