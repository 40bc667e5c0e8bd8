import { XmlElement, namespaceOf } from '../model/xml';

/**
 * Which configuration file a path is, and which product home it belongs to.
 *
 * A file is identified by its place under a `conf` folder *and* its root element: identity.xml shares carbon.xml's
 * namespace and root name, and catalina-server.xml's root is also `<Server>`, so neither name nor root alone will do.
 */

export type ConfigFileKind =
  | 'carbon'
  | 'user-mgt'
  | 'catalina-server'
  | 'axis2'
  | 'datasources'
  | 'registry'
  | 'api-manager'
  | 'broker'
  | 'identity'
  | 'embedded-ldap'
  | 'output-event-adapters'
  | 'axis2-client'
  /** Carbon 4.5+ products' one configuration file (toml/kind.ts); the XML above is generated from it. */
  | 'deployment-toml'
  // Java .properties files (server/src/service/properties, schemas/properties-secrets.json).
  | 'jndi-properties'
  | 'endpoint-config-properties'
  | 'cipher-text-properties';

export type ConfLayout = 'repository/conf' | 'conf';

export interface ProductHome {
  /** `${carbon.home}`: the folder above `repository/conf`, or above `conf`. */
  readonly homeDir: string;
  readonly confDir: string;
  readonly layout: ConfLayout;
  /**
   * The distribution the home belongs to: EI and IoT Server ship profiles as `<dist>/wso2/<profile>/conf` beside the
   * main `<dist>/conf`; every other home is its own distribution.
   */
  readonly distributionDir: string;
}

export interface ConfigFileLocation {
  readonly kind: ConfigFileKind;
  /** Normalised absolute path with forward slashes. */
  readonly path: string;
  /** Path below the conf folder, e.g. `tomcat/catalina-server.xml`. */
  readonly confRelativePath: string;
  /** Undefined when the file does not sit in a recognisable `conf` folder (a lone copy opened from elsewhere). */
  readonly home: ProductHome | undefined;
}

export const CARBON_NAMESPACE = 'http://wso2.org/projects/carbon/carbon.xml';
export const SECURE_VAULT_NAMESPACE = 'http://org.wso2.securevault/configuration';

/** Relative paths below a conf folder, as data: the kinds, their locations and their root elements. */
const FILE_KINDS: { kind: ConfigFileKind; parentDir: string | undefined; matches: (fileName: string) => boolean; root: string }[] = [
  { kind: 'carbon', parentDir: undefined, matches: (n) => n === 'carbon.xml', root: 'Server' },
  { kind: 'user-mgt', parentDir: undefined, matches: (n) => n === 'user-mgt.xml', root: 'UserManager' },
  { kind: 'registry', parentDir: undefined, matches: (n) => n === 'registry.xml', root: 'wso2registry' },
  { kind: 'catalina-server', parentDir: 'tomcat', matches: (n) => n === 'catalina-server.xml', root: 'Server' },
  { kind: 'axis2', parentDir: 'axis2', matches: (n) => n === 'axis2.xml', root: 'axisconfig' },
  // Carbon loads every *-datasources.xml of the folder, master-datasources.xml first.
  { kind: 'datasources', parentDir: 'datasources', matches: (n) => n.endsWith('-datasources.xml'), root: 'datasources-configuration' },
  // Files beyond the six that hold secrets (API Manager, the andes broker, Identity Server, the Axis2 client configs).
  { kind: 'api-manager', parentDir: undefined, matches: (n) => n === 'api-manager.xml', root: 'APIManager' },
  { kind: 'broker', parentDir: undefined, matches: (n) => n === 'broker.xml', root: 'broker' },
  { kind: 'identity', parentDir: 'identity', matches: (n) => n === 'identity.xml', root: 'Server' },
  { kind: 'embedded-ldap', parentDir: 'identity', matches: (n) => n === 'embedded-ldap.xml', root: 'EmbeddedLDAPConfig' },
  { kind: 'output-event-adapters', parentDir: undefined, matches: (n) => n === 'output-event-adapters.xml', root: 'outputEventAdaptersConfig' },
  // carbon.xml Axis2Config/clientAxis2XmlLocation, and the blocking client Synapse's Call/Callout mediators load.
  { kind: 'axis2-client', parentDir: 'axis2', matches: (n) => n === 'axis2_client.xml' || n === 'axis2_blocking_client.xml', root: 'axisconfig' },
];

export function normalizePath(path: string): string {
  let normalized = path.replace(/\\/g, '/');
  // Windows drive letters compare case-insensitively; keep one spelling.
  normalized = normalized.replace(/^([A-Z]):/, (_, drive: string) => `${drive.toLowerCase()}:`);
  if (normalized.length > 1 && normalized.endsWith('/')) normalized = normalized.slice(0, -1);
  return normalized;
}

export function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? (slash === 0 ? '/' : '.') : path.slice(0, slash);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function joinPath(dir: string, ...parts: string[]): string {
  return [dir.replace(/\/$/, ''), ...parts].join('/');
}

/** Classifies a path by location only; `matchesRoot` confirms it once the file is parsed. */
export function locateConfigFile(rawPath: string): ConfigFileLocation | undefined {
  const path = normalizePath(rawPath);
  const fileName = basename(path);
  const parent = dirname(path);
  for (const candidate of FILE_KINDS) {
    if (!candidate.matches(fileName)) continue;
    let confDir: string;
    if (candidate.parentDir) {
      if (basename(parent) !== candidate.parentDir) continue;
      confDir = dirname(parent);
    } else {
      confDir = parent;
    }
    const confRelativePath = candidate.parentDir ? `${candidate.parentDir}/${fileName}` : fileName;
    return { kind: candidate.kind, path, confRelativePath, home: homeOfConfDir(confDir) };
  }
  return undefined;
}

/** The product home a conf folder belongs to, if the folder is named `conf`. */
export function homeOfConfDir(confDir: string): ProductHome | undefined {
  if (basename(confDir) !== 'conf') return undefined;
  const above = dirname(confDir);
  const layout: ConfLayout = basename(above) === 'repository' ? 'repository/conf' : 'conf';
  const homeDir = layout === 'repository/conf' ? dirname(above) : above;
  const homeParent = dirname(homeDir);
  const distributionDir = basename(homeParent) === 'wso2' && layout === 'conf' ? dirname(homeParent) : homeDir;
  return { homeDir, confDir, layout, distributionDir };
}

/** The product home of any file below a `conf` folder (etc/jmx.xml, identity/identity.xml, …). */
export function homeAbove(path: string): ProductHome | undefined {
  for (let dir = dirname(path); dir !== '/' && dir !== '.' && dirname(dir) !== dir; dir = dirname(dir)) {
    if (basename(dir) === 'conf') return homeOfConfDir(dir);
  }
  return undefined;
}

export function confPathOf(home: ProductHome, confRelativePath: string): string {
  return joinPath(home.confDir, confRelativePath);
}

/** True when the parsed root element is the one this kind of file has. */
export function matchesRoot(kind: ConfigFileKind, root: XmlElement | undefined): boolean {
  if (!root) return false;
  const expected = FILE_KINDS.find((k) => k.kind === kind)!.root;
  if (root.localName !== expected) return false;
  const defaultNamespace = namespaceOf(root, root.prefix);
  // identity.xml shares carbon.xml's namespace and root name; its place (identity/) tells them apart.
  if (kind === 'carbon' || kind === 'identity') return defaultNamespace === undefined || defaultNamespace === CARBON_NAMESPACE;
  if (kind === 'catalina-server') return defaultNamespace === undefined;
  return true;
}

/** Conf-relative paths of the files a home's analysis reads, besides the file being analysed. */
export const HOME_FILES = {
  carbon: 'carbon.xml',
  catalina: 'tomcat/catalina-server.xml',
  axis2: 'axis2/axis2.xml',
  broker: 'broker.xml',
  masterDatasources: 'datasources/master-datasources.xml',
  userMgt: 'user-mgt.xml',
  registry: 'registry.xml',
  deploymentToml: 'deployment.toml',
} as const;
