import h2Knowledge from '../../../../schemas/h2.json';
import { XmlElement, attribute, childAt, childElements, textSpan, walkElements } from '../model/xml';
import { Rule, RuleContext } from '../types';
import { DatasourceFact, datasourcesIn, findDatasourceByJndi } from '../workspace/facts';

/**
 * Embedded H2 in a product home (the master-datasources.xml and carbon.xml `<H2DatabaseConfiguration>` of wso2/carbon-kernel v4.4.x and the products): datasources whose URL or driver is H2, the user-mgt.xml and
 * registry.xml JNDI references that resolve to one, and the H2 servers carbon.xml can start. A JDBC URL may carry
 * credentials, so messages name the datasource and never quote the URL.
 */

const WHY_H2 =
  'The embedded H2 database is shipped for evaluation and development; for production WSO2 recommends an industry-standard RDBMS (a file database inside one home cannot be shared by a cluster and is easily corrupted). Move the data to MySQL, PostgreSQL, Oracle, MS SQL Server or DB2 and point the datasource at it.';

const H2_SERVERS: Record<string, { label: string; portProperty: string; defaultPort: number; allowOthers: string }> = h2Knowledge.servers;

export const h2Datasource: Rule = {
  id: 'h2-datasource',
  defaultSeverity: 'warning',
  description: 'An active datasource, user store or registry uses embedded H2 (evaluation only, corruption-prone), or carbon.xml starts an H2 server.',
  appliesTo: ['carbon', 'user-mgt', 'datasources', 'registry'],
  check(context) {
    switch (context.file.kind) {
      case 'datasources':
        return checkDatasources(context);
      case 'user-mgt':
        return checkUserMgt(context);
      case 'registry':
        return checkRegistry(context);
      case 'carbon':
        return checkCarbon(context);
    }
  },
};

function checkDatasources({ doc, file, report }: RuleContext): void {
  for (const datasource of datasourcesIn(doc, file.path)) {
    if (!datasource.isH2) continue;
    const span = (datasource.h2ByUrl ? datasource.urlSpan : undefined) ?? datasource.driverSpan ?? datasource.urlSpan ?? datasource.nameSpan;
    if (!span) continue;
    const detectedBy = datasource.h2ByUrl ? 'url' : 'driver';
    const evidence = detectedBy === 'url' ? 'its JDBC URL is a jdbc:h2: URL' : 'its driver is org.h2.Driver';
    report({
      span,
      message: `Datasource ${describeDatasource(datasource)} uses an embedded H2 database (${evidence}). ${WHY_H2}`,
      data: { datasource: datasource.name, jndiName: datasource.jndiName ?? null, detectedBy },
    });
  }
}

function checkUserMgt(context: RuleContext): void {
  const realm = childAt(context.doc.root, 'Realm');
  if (!realm) return;
  for (const element of walkElements(realm)) {
    if (element.localName !== 'Property' || attribute(element, 'name')?.value !== 'dataSource') continue;
    const owner = element.parent;
    if (!owner) continue;
    // Carbon reads the realm's dataSource from Realm/Configuration and a user store's own from its manager element
    // (UserStoreManager, or the ISUserStoreManager token some products activate).
    const inRealmConfiguration = owner.localName === 'Configuration' && owner.parent === realm;
    const inUserStore = /UserStoreManager$/.test(owner.localName);
    if (!inRealmConfiguration && !inUserStore) continue;
    const who = inRealmConfiguration
      ? `The realm (${realmContents(realm)})`
      : `The user store ${attribute(owner, 'class')?.value.trim() || owner.localName}`;
    reportReference(context, element, `${who} uses dataSource`, { referencedFrom: inRealmConfiguration ? 'Realm/Configuration' : owner.localName });
  }
}

/**
 * What the realm's own dataSource holds: everything with a JDBC primary user store; with an LDAP or Active Directory
 * one (Identity Server's embedded LDAP) the users and groups live in the directory, and the database keeps roles,
 * permissions and claims. The primary store is the first active UserStoreManager of the realm (kernel
 * RealmConfigXMLProcessor reads them in document order).
 */
function realmContents(realm: XmlElement): string {
  const primary = childElements(realm).find((e) => e.localName === 'UserStoreManager');
  const storeClass = primary ? attribute(primary, 'class')?.value.trim() ?? '' : '';
  if (/ldap|activedirectory/i.test(storeClass)) {
    return `roles, permissions and claims; its users and groups are in the LDAP user store ${storeClass}`;
  }
  return 'users, roles, permissions and claims';
}

function checkRegistry(context: RuleContext): void {
  const root = context.doc.root;
  if (!root) return;
  const current = childAt(root, 'currentDBConfig')?.text.trim();
  for (const dbConfig of childElements(root)) {
    if (dbConfig.localName !== 'dbConfig') continue;
    const dataSource = childAt(dbConfig, 'dataSource');
    if (!dataSource) continue;
    const name = attribute(dbConfig, 'name')?.value.trim() ?? '';
    const isCurrent = name !== '' && name === current;
    const which = isCurrent
      ? `The registry database in use (dbConfig "${name}", the currentDBConfig)`
      : `Registry dbConfig "${name}" (not the currentDBConfig, but mounts and remote instances can still use it)`;
    reportReference(context, dataSource, `${which} uses dataSource`, { dbConfig: name, isCurrentDBConfig: isCurrent });
  }
}

/** A JNDI reference that resolves to an H2 datasource of the home; one that resolves nowhere is not this rule's concern. */
function reportReference({ doc, home, report }: RuleContext, element: XmlElement, subject: string, extra: Record<string, unknown>): void {
  const span = textSpan(doc, element);
  if (!span || !home) return;
  const jndiName = element.text.trim();
  const datasource = findDatasourceByJndi(home.datasources, jndiName);
  if (!datasource?.isH2) return;
  const definedIn = relativeTo(home.home.confDir, datasource.path);
  report({
    span,
    message: `${subject} ${jndiName}, which is datasource ${datasource.name} (defined in ${definedIn}), an embedded H2 database. ${WHY_H2}`,
    data: { jndiName, datasource: datasource.name, definedIn: datasource.path, ...extra },
  });
}

function checkCarbon({ doc, report }: RuleContext): void {
  const root = doc.root;
  if (!root) return;
  for (const configuration of childElements(root)) {
    if (configuration.localName !== 'H2DatabaseConfiguration') continue;
    const properties = childElements(configuration).filter((p) => p.localName === 'property');
    const named = (name: string) => properties.find((p) => attribute(p, 'name')?.value.trim() === name);
    for (const [flag, server] of Object.entries(H2_SERVERS)) {
      const property = named(flag);
      const nameAttribute = property && attribute(property, 'name');
      if (!nameAttribute) continue;
      const portProperty = named(server.portProperty);
      const port = portProperty?.text.trim() || String(server.defaultPort);
      const reach = named(server.allowOthers)
        ? `${server.allowOthers} is set, so any host that reaches port ${port} can connect`
        : `it listens on port ${port}`;
      report({
        span: nameAttribute.valueSpan,
        message: `H2DatabaseConfiguration starts ${server.label}: ${reach}. Remove the "${flag}" property (or the whole H2DatabaseConfiguration) outside of local evaluation.`,
        data: { h2Server: flag, port },
      });
    }
  }
}

function describeDatasource(datasource: DatasourceFact): string {
  const name = datasource.name || '(unnamed)';
  return datasource.jndiName ? `${name} (JNDI name ${datasource.jndiName})` : `${name} (no JNDI name)`;
}

function relativeTo(dir: string, path: string): string {
  return path.startsWith(`${dir}/`) ? path.slice(dir.length + 1) : path;
}
