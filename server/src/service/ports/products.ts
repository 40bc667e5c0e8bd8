import portTable from '../../../../schemas/ports.json';
import { XmlDocument } from '../model/xml';
import { ConfigFileKind } from '../workspace/files';
import { ProductFacts, productName } from '../workspace/product';

/**
 * The ports a product opens by default in files this tool does not read (schemas/ports.json products). Which product
 * a home is comes from product detection (workspace/product.ts, schemas/products.json), the answer the TLS rules and
 * hovers use too; this table adds which of the product's entries the home's folder is (an EI or IoT Server profile
 * opens ports of its own).
 */

// ---- product default ports -----------------------------------------------------------------------------------------

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

interface ProductPortsEntry {
  readonly id: string;
  /** schemas/products.json id. */
  readonly product: string;
  readonly profile?: string;
  /** The entry of the distribution's main home (EI's integrator, IoT Server's core). */
  readonly main?: boolean;
  readonly ports?: readonly ProductPort[];
  readonly portSets?: readonly string[];
}

const ENTRIES: readonly ProductPortsEntry[] = portTable.products;
const PORT_SETS: Readonly<Record<string, readonly ProductPort[]>> = portTable.portSets;

export interface ProductInfo {
  readonly id: string;
  /** e.g. "WSO2 Enterprise Integrator (broker profile)". */
  readonly name: string;
  readonly profile: string | undefined;
  /** What gave it away, e.g. "carbon.xml <ServerKey>EI</ServerKey>; home folder wso2/broker". */
  readonly detectedBy: string;
  readonly ports: readonly ProductPort[];
}

/** What the port tables read besides HomeFacts: FactsProvider's parses. */
export interface PortSources {
  /** A parsed configuration file with the expected root element, or undefined (FactsProvider.parsed). */
  parsed(path: string, kind: ConfigFileKind): Promise<XmlDocument | undefined>;
}

/**
 * The port entry of a detected product (HomeFacts.product): the first entry of that product whose folder matches
 * (`main`: the distribution's main home; `profile`: the home `<distribution>/wso2/<profile>`; neither: any home).
 * Undefined when the product is unknown or the table has no entry for it (ESB and DSS have none).
 */
export function productPortsOf(product: ProductFacts): ProductInfo | undefined {
  if (product.id === undefined) return undefined;
  const isMain = product.profile === undefined;
  const entry = ENTRIES.find((e) => e.product === product.id && (e.main ? isMain : e.profile === undefined || e.profile === product.profile));
  if (!entry) return undefined;
  const name = productName(entry.product) ?? entry.product;
  // What identified the product, then which of its folders this home is.
  const folder = entry.profile && !entry.main ? `; home folder wso2/${entry.profile}` : '';
  return {
    id: entry.id,
    name: entry.profile ? `${name} (${entry.profile} profile)` : name,
    profile: entry.profile,
    detectedBy: `${product.detectedBy.join(', ')}${folder}`,
    ports: [...(entry.ports ?? []), ...(entry.portSets ?? []).flatMap((set) => PORT_SETS[set] ?? [])],
  };
}
