import portTable from '../../../../schemas/ports.json';
import { XmlDocument, childAt } from '../model/xml';
import { FileSource } from '../workspace/facts';
import { ConfigFileKind, HOME_FILES, ProductHome, basename, confPathOf, joinPath } from '../workspace/files';

/**
 * Which product a home is, and the ports it opens by default (schemas/ports.json).
 */

// ---- product detection ---------------------------------------------------------------------------------------------

/** A default port of a product file this tool does not read (schemas/ports.json products). */
export interface ProductPort {
  readonly label: string;
  readonly default: number;
  readonly offset: boolean;
  /** Conf-relative file the port is configured in. */
  readonly file: string;
  readonly why?: string;
  readonly note?: string;
  /** Where the number comes from. */
  readonly source: string;
}

interface DetectCondition {
  readonly confFiles?: readonly string[];
  readonly distributionPaths?: readonly string[];
  readonly profile?: string;
  readonly main?: boolean;
  readonly serverKey?: string;
}

interface ProductEntry {
  readonly id: string;
  readonly name: string;
  readonly profile?: string;
  readonly detect: readonly DetectCondition[];
  readonly ports?: readonly ProductPort[];
  readonly portSets?: readonly string[];
}

const PRODUCTS: readonly ProductEntry[] = portTable.products;
const PORT_SETS: Readonly<Record<string, readonly ProductPort[]>> = portTable.portSets;

export interface ProductInfo {
  readonly id: string;
  /** e.g. "WSO2 Enterprise Integrator (broker profile)". */
  readonly name: string;
  readonly profile: string | undefined;
  /** What gave it away, e.g. "repository/conf/api-manager.xml". */
  readonly detectedBy: string;
  readonly ports: readonly ProductPort[];
}

/** What detection and the tables read besides HomeFacts; FactsProvider and any FileSource provide it. */
export interface PortSources {
  readonly files: Pick<FileSource, 'exists'>;
  /** A parsed configuration file with the expected root element, or undefined (FactsProvider.parsed). */
  parsed(path: string, kind: ConfigFileKind): Promise<XmlDocument | undefined>;
}

/**
 * The product a home belongs to, from the files present (conf/api-manager.xml, EI's and IoT Server's wso2/<profile>
 * folders, conf/broker.xml, conf/identity/identity.xml) and carbon.xml's `<ServerKey>`. The first product of
 * schemas/ports.json with a matching detect entry wins; undefined when none matches.
 */
export async function detectProduct(home: ProductHome, sources: PortSources, carbon?: XmlDocument): Promise<ProductInfo | undefined> {
  const carbonDoc = carbon ?? (await sources.parsed(confPathOf(home, HOME_FILES.carbon), 'carbon'));
  const serverKey = carbonDoc ? childAt(carbonDoc.root, 'ServerKey')?.text.trim() : undefined;
  const isMain = home.homeDir === home.distributionDir;
  const profile = isMain ? undefined : basename(home.homeDir);
  const confPrefix = home.confDir.slice(home.homeDir.length + 1);
  for (const product of PRODUCTS) {
    for (const condition of product.detect) {
      const evidence: string[] = [];
      if (condition.main !== undefined) {
        if (!isMain) continue;
      }
      if (condition.profile !== undefined) {
        if (profile !== condition.profile) continue;
        evidence.push(`profile folder wso2/${profile}`);
      }
      if (condition.serverKey !== undefined) {
        if (serverKey !== condition.serverKey) continue;
        evidence.push(`carbon.xml <ServerKey>${serverKey}</ServerKey>`);
      }
      if (condition.confFiles) {
        const found = await firstExisting(sources, condition.confFiles.map((f) => joinPath(home.confDir, f)));
        if (found === undefined) continue;
        evidence.push(`${confPrefix}/${condition.confFiles[found]}`);
      }
      if (condition.distributionPaths) {
        const present = await Promise.all(condition.distributionPaths.map((p) => sources.files.exists(joinPath(home.distributionDir, p))));
        if (present.includes(false)) continue;
        evidence.push(`${condition.distributionPaths.join(' and ')} in the distribution`);
      }
      const ports = [...(product.ports ?? []), ...(product.portSets ?? []).flatMap((name) => PORT_SETS[name] ?? [])];
      return {
        id: product.id,
        name: product.profile ? `${product.name} (${product.profile} profile)` : product.name,
        profile: product.profile,
        detectedBy: evidence.join(', ') || 'main folder',
        ports,
      };
    }
  }
  return undefined;
}

async function firstExisting(sources: PortSources, paths: string[]): Promise<number | undefined> {
  for (let i = 0; i < paths.length; i++) if (await sources.files.exists(paths[i])) return i;
  return undefined;
}

/** carbon.xml's `<Name>` when it is a real name (the kernel file carries the `${product.name}` placeholder). */
export function carbonProductName(carbon: XmlDocument | undefined): string | undefined {
  const name = carbon ? childAt(carbon.root, 'Name')?.text.trim() : undefined;
  return name && !name.includes('${') ? name : undefined;
}
