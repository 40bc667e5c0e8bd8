import apim420 from '../../../../schemas/toml/knowledge/apim-4.2.0.json';
import is710 from '../../../../schemas/toml/knowledge/is-7.1.0.json';
import mi440 from '../../../../schemas/toml/knowledge/mi-4.4.0.json';
import carbon4926 from '../../../../schemas/toml/knowledge/carbon-4.9.26.json';
import carbon460 from '../../../../schemas/toml/knowledge/carbon-4.6.0.json';
import rulesData from '../../../../schemas/toml/deployment-toml.json';

/**
 * What the config mapper knows besides the user's file: default.json, infer.json and key-mappings.json. Exact when
 * read from the home's own `repository/resources/conf/` (MI too: its start script hard-codes that directory,
 * product-micro-integrator v4.4.0 `Main.java` l.369/385); otherwise a bundled slice for the nearest product version,
 * which hovers and messages must name as such.
 */

export type TomlProduct = 'apim' | 'is' | 'mi' | 'carbon';

export const PRODUCT_NAMES: Record<TomlProduct, string> = {
  apim: 'WSO2 API Manager',
  is: 'WSO2 Identity Server',
  mi: 'WSO2 Micro Integrator',
  carbon: 'WSO2 Carbon kernel',
};

export type InferRules = Record<string, Record<string, Record<string, unknown>>>;
export type KeyMappings = Record<string, string | string[]>;

export interface ConfigKnowledge {
  readonly defaults: Readonly<Record<string, unknown>>;
  readonly infer: Readonly<InferRules>;
  readonly keyMappings: Readonly<KeyMappings>;
  /** 'home': the home's own files; 'bundled': a snapshot shipped with this tool. */
  readonly origin: 'home' | 'bundled';
  /** Where the defaults come from, for messages: a path, or "bundled default of WSO2 API Manager 4.2.0". */
  readonly label: string;
  /** For each of default/infer/key-mappings, the file it came from (home) or the snapshot's upstream sources. */
  readonly sources: readonly string[];
}

interface Snapshot {
  product: TomlProduct;
  version: string;
  sources: string[];
  defaults: Record<string, unknown>;
  infer: InferRules;
  keyMappings: KeyMappings;
}

const SNAPSHOTS = [apim420, is710, mi440, carbon4926, carbon460] as unknown as Snapshot[];

export const TOML_RULES_DATA = rulesData;

/** Reads a file of the home; undefined when absent or unreadable. Injected: the core never touches a file system. */
export type HomeFileReader = (relativePath: string) => string | undefined;

function versionParts(version: string | undefined): number[] {
  return (version ?? '').split('.').map((p) => Number.parseInt(p, 10)).filter((n) => Number.isFinite(n));
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The bundled snapshot for a product: the newest one not newer than `version`, else the oldest; unknown version: the newest. */
export function bundledSnapshot(product: TomlProduct, version: string | undefined): Snapshot {
  const own = SNAPSHOTS.filter((s) => s.product === product).sort((a, b) => compareVersions(versionParts(a.version), versionParts(b.version)));
  const wanted = versionParts(version);
  if (own.length === 0) return bundledSnapshot('carbon', undefined);
  if (wanted.length === 0) return own[own.length - 1];
  let chosen = own[0];
  for (const s of own) if (compareVersions(versionParts(s.version), wanted) <= 0) chosen = s;
  return chosen;
}

export function bundledKnowledge(product: TomlProduct, version: string | undefined): ConfigKnowledge {
  const snapshot = bundledSnapshot(product, version);
  const exact = version !== undefined && snapshot.version === version;
  const label = `bundled default of ${PRODUCT_NAMES[snapshot.product]} ${snapshot.version}${exact ? '' : version ? ` (nearest to ${version})` : ' (version of this home unknown)'}`;
  return { defaults: snapshot.defaults, infer: snapshot.infer, keyMappings: snapshot.keyMappings, origin: 'bundled', label, sources: snapshot.sources };
}

const RESOURCES = 'repository/resources/conf';

/**
 * The home's own default.json, infer.json and key-mappings.json when default.json can be read and parsed; the bundled
 * snapshot otherwise. A missing infer.json or key-mappings.json next to a readable default.json counts as empty.
 */
export function loadKnowledge(product: TomlProduct, version: string | undefined, read: HomeFileReader | undefined): ConfigKnowledge {
  if (read) {
    const defaults = readJsonObject(read, `${RESOURCES}/default.json`);
    if (defaults) {
      const infer = (readJsonObject(read, `${RESOURCES}/infer.json`) ?? {}) as InferRules;
      const keyMappings = (readJsonObject(read, `${RESOURCES}/key-mappings.json`) ?? {}) as KeyMappings;
      return {
        defaults,
        infer,
        keyMappings,
        origin: 'home',
        label: `${RESOURCES}/default.json of this home`,
        sources: [`${RESOURCES}/default.json`, `${RESOURCES}/infer.json`, `${RESOURCES}/key-mappings.json`],
      };
    }
  }
  return bundledKnowledge(product, version);
}

function readJsonObject(read: HomeFileReader, path: string): Record<string, unknown> | undefined {
  let text: string | undefined;
  try {
    text = read(path);
  } catch {
    return undefined;
  }
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
