import knowledge from '../../../../schemas/products.json';
import { XmlDocument, childAt } from '../model/xml';

/**
 * Which product and version a Carbon 4.4 home is, and so what its runtime can use: the wso2-synapse that reads
 * axis2.xml's PassThrough parameters, the Tomcat of catalina-server.xml, the JDKs it supports. Pure: it judges the
 * evidence (carbon.xml's `<Name>`/`<ServerKey>`/`<Version>`, which marker files and profile folders exist) that the
 * caller gathers. The knowledge is data (schemas/products.json).
 */

export type JdkId = keyof typeof knowledge.jdks;

/** What the caller read from the home. */
export interface ProductEvidence {
  /** carbon.xml's values, when set (a kernel file carries `${product.name}` placeholders: those count as unset). */
  readonly carbonName?: string;
  readonly carbonServerKey?: string;
  readonly carbonVersion?: string;
  /** Conf-relative paths of the product marker files (`markerFiles()`) that exist in the home. */
  readonly confFiles: readonly string[];
  /** The home's profile folder name when it is `<dist>/wso2/<profile>`; undefined for a distribution's main home. */
  readonly profile?: string;
  /** The profile folders `<dist>/wso2/*` the home's distribution has. */
  readonly distributionProfiles: readonly string[];
}

export interface ProductFacts {
  /** schemas/products.json id; undefined when no product matched (a bare kernel or an unlisted product). */
  readonly id: string | undefined;
  /** How messages name it: "WSO2 API Manager 2.6.0", "WSO2 Identity Server (version unknown)", "this Carbon product". */
  readonly label: string;
  readonly version: string | undefined;
  readonly profile: string | undefined;
  /** True when the product and its version are in schemas/products.json: the capabilities below are facts. */
  readonly versionKnown: boolean;
  /** What the detection rests on, for messages ("conf/api-manager.xml", "carbon.xml <ServerKey>AM</ServerKey>"). */
  readonly detectedBy: readonly string[];
  /** The JDKs the product supports; for an unknown version, every JDK any version of it (or Carbon 4.4) supports. */
  readonly jdks: readonly JdkId[];
  /** Whether PassThrough honours `PreferredCiphers`; undefined when the version (so its synapse) is unknown. */
  readonly preferredCiphers: boolean | undefined;
  readonly synapse: string | undefined;
  readonly tomcat: string | undefined;
}

type ProductEntry = (typeof knowledge.products)[number];
type VersionEntry = ProductEntry['versions'][number] & { kernel?: string; synapse?: string; carbonMediation?: string };

/** Conf-relative files whose presence tells products apart. */
export function markerFiles(): string[] {
  return [...new Set(knowledge.products.flatMap((p) => ('confFiles' in p && p.confFiles ? p.confFiles : [])))];
}

/** The product's name in schemas/products.json ("WSO2 API Manager"); undefined for an id it does not list. */
export function productName(id: string): string | undefined {
  return knowledge.products.find((p) => p.id === id)?.name;
}

/** carbon.xml's `<Name>`, `<ServerKey>` and `<Version>`, placeholders (`${product.version}`) left out. */
export function carbonIdentity(carbon: XmlDocument | undefined): Pick<ProductEvidence, 'carbonName' | 'carbonServerKey' | 'carbonVersion'> {
  const read = (name: string) => {
    const value = carbon ? childAt(carbon.root, name)?.text.trim() : undefined;
    return value && !value.includes('${') ? value : undefined;
  };
  return { carbonName: read('Name'), carbonServerKey: read('ServerKey'), carbonVersion: read('Version') };
}

export function detectProductVersion(evidence: ProductEvidence): ProductFacts {
  const match = matchProduct(evidence);
  if (!match) return unknownProduct(evidence);
  const { product, detectedBy } = match;
  const versions = product.versions as VersionEntry[];
  const written = evidence.carbonVersion;
  const entry = written ? versions.find((v) => v.version === written) : undefined;
  const profile = evidence.profile;
  const name = `${product.name}${entry ? ` ${entry.version}` : ''}${profile ? ` (${profile} profile)` : ''}`;
  if (entry) {
    return {
      id: product.id,
      label: name,
      version: entry.version,
      profile,
      versionKnown: true,
      detectedBy: [...detectedBy, `carbon.xml <Version>${entry.version}</Version>`],
      jdks: entry.jdks as JdkId[],
      preferredCiphers: product.passThrough && entry.synapse ? honoursPreferredCiphers(entry.synapse) : undefined,
      synapse: entry.synapse,
      tomcat: entry.kernel ? knowledge.kernels[entry.kernel as keyof typeof knowledge.kernels]?.tomcat : undefined,
    };
  }
  // The product is known, its version is not: assume what holds for every version listed.
  const honoured = product.passThrough ? versions.map((v) => (v.synapse ? honoursPreferredCiphers(v.synapse) : undefined)) : [];
  const sameForAll = honoured.length > 0 && honoured.every((h) => h === honoured[0]) ? honoured[0] : undefined;
  return {
    id: product.id,
    label: `${name} (${written ? `version ${written}, not one this tool knows` : 'version unknown'})`,
    version: written,
    profile,
    versionKnown: false,
    detectedBy,
    jdks: unionOfJdks(versions.map((v) => v.jdks as JdkId[])),
    preferredCiphers: sameForAll,
    synapse: undefined,
    tomcat: undefined,
  };
}

function matchProduct(evidence: ProductEvidence): { product: ProductEntry; detectedBy: string[] } | undefined {
  const products = knowledge.products;
  // What carbon.xml says outranks the layout: APIM and the EI broker profile both ship broker.xml.
  if (evidence.carbonServerKey) {
    const product = products.find((p) => p.serverKeys.includes(evidence.carbonServerKey!));
    if (product) return { product, detectedBy: [`carbon.xml <ServerKey>${evidence.carbonServerKey}</ServerKey>`] };
  }
  if (evidence.carbonName) {
    const product = products.find((p) => p.names.includes(evidence.carbonName!));
    if (product) return { product, detectedBy: [`carbon.xml <Name>${evidence.carbonName}</Name>`] };
  }
  for (const product of products) {
    const confFiles = 'confFiles' in product ? (product.confFiles as string[] | undefined) : undefined;
    const marker = confFiles?.find((f) => evidence.confFiles.includes(f));
    if (marker) return { product, detectedBy: [`conf/${marker}`] };
    const profiles = 'distributionProfiles' in product ? (product.distributionProfiles as string[] | undefined) : undefined;
    if (profiles && profiles.every((p) => evidence.distributionProfiles.includes(p))) {
      return { product, detectedBy: [`profile folders ${profiles.map((p) => `wso2/${p}`).join(', ')} in the distribution`] };
    }
  }
  return undefined;
}

function unknownProduct(evidence: ProductEvidence): ProductFacts {
  const named = evidence.carbonName ? `${evidence.carbonName}${evidence.carbonVersion ? ` ${evidence.carbonVersion}` : ''}` : undefined;
  return {
    id: undefined,
    label: named ? `${named} (a product this tool does not know)` : 'this Carbon product (product and version unknown)',
    version: evidence.carbonVersion,
    profile: evidence.profile,
    versionKnown: false,
    detectedBy: [],
    jdks: knowledge.unknown.jdks as JdkId[],
    preferredCiphers: undefined,
    synapse: undefined,
    tomcat: undefined,
  };
}

/** The facts assumed for a file outside any product home. */
export const UNKNOWN_PRODUCT: ProductFacts = unknownProduct({ confFiles: [], distributionProfiles: [] });

function unionOfJdks(lists: JdkId[][]): JdkId[] {
  const all = new Set(lists.flat());
  return (Object.keys(knowledge.jdks) as JdkId[]).filter((j) => all.has(j));
}

/** `2.1.7-wso2v8` and later read PreferredCiphers (schemas/products.json preferredCiphersSince). */
export function honoursPreferredCiphers(synapse: string): boolean {
  const parse = (v: string) => {
    const m = /^(\d+)\.(\d+)\.(\d+)-wso2v(\d+)$/.exec(v);
    return m ? m.slice(1).map(Number) : undefined;
  };
  const have = parse(synapse);
  const since = parse(knowledge.preferredCiphersSince.synapse)!;
  if (!have) return false;
  for (let i = 0; i < since.length; i++) if (have[i] !== since[i]) return have[i] > since[i];
  return true;
}

// ---- what the supported JDKs accept ----------------------------------------------------------------------------

const UNKNOWN_CIPHERS = new Map<JdkId, { pattern: RegExp; why: string }[]>(
  (Object.entries(knowledge.jdks) as [JdkId, (typeof knowledge.jdks)[JdkId]][]).map(([id, jdk]) => [id, jdk.unknownCiphers.map((u) => ({ pattern: new RegExp(u.pattern), why: u.why }))]),
);

export function jdkLabels(jdks: readonly JdkId[]): string {
  return jdks.map((j) => knowledge.jdks[j].label).join(' and ');
}

/** True when every JDK of `jdks` knows the protocol name (JSSE rejects, Tomcat drops, names it does not know). */
export function protocolKnownToAll(name: string, jdks: readonly JdkId[]): boolean {
  return jdks.every((j) => knowledge.jdks[j].protocols.includes(name));
}

/** Why a JDK of `jdks` does not know the cipher suite name; undefined when all of them know it. */
export function cipherUnknownBecause(name: string, jdks: readonly JdkId[]): { jdk: JdkId; why: string } | undefined {
  for (const jdk of jdks) {
    const hit = UNKNOWN_CIPHERS.get(jdk)?.find((u) => u.pattern.test(name.toUpperCase()));
    if (hit) return { jdk, why: hit.why };
  }
  return undefined;
}

/**
 * Every JDK of the table newer than the oldest of `jdks`, oldest first: the floors of the labelled variants of a fix
 * (a product that supports Java 7 and 8 gets a "Java 8 and later only" variant, then the TLS 1.3 one).
 */
export function newerJdks(jdks: readonly JdkId[]): JdkId[] {
  const all = (Object.keys(knowledge.jdks) as JdkId[]).sort((a, b) => Number(a) - Number(b));
  const oldest = Math.min(...jdks.map(Number));
  return all.filter((j) => Number(j) > oldest);
}

export function jdkOnlyFor(jdk: JdkId): string {
  return knowledge.jdks[jdk].onlyFor;
}

export function isJdkId(value: unknown): value is JdkId {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(knowledge.jdks, value);
}

export const UNKNOWN_NAMES_HAZARD = knowledge.unknownNamesHazard;
