/**
 * Small configuration files of a Carbon 4.4 product home, written for these tests (not copied from the corpus). Each
 * holds just what the tests look at; `secret` replaces the shipped default passwords where a test plants its own.
 */

export const CONF = 'product/repository/conf';

export function carbonXml(options: { offset?: string; keystorePassword?: string; truststorePassword?: string } = {}): string {
  const { offset = '0', keystorePassword = 'wso2carbon', truststorePassword = 'wso2carbon' } = options;
  return `<?xml version="1.0" encoding="UTF-8"?>
<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">
    <Name>Test Product</Name>
    <Version>1.0.0</Version>
    <Ports>
        <!-- Ports offset; the default ports are 9443 and 9763 -->
        <Offset>${offset}</Offset>
    </Ports>
    <Security>
${keyStoreElement({ file: 'wso2carbon.jks', type: 'JKS', password: keystorePassword, alias: 'wso2carbon', keyPassword: keystorePassword })}
        <TrustStore>
            <Location>\${carbon.home}/repository/resources/security/client-truststore.jks</Location>
            <Type>JKS</Type>
            <Password>${truststorePassword}</Password>
        </TrustStore>
    </Security>
</Server>
`;
}

/**
 * carbon.xml naming only its primary keystore, one the test makes with keytool (alias `wso2test`) under
 * repository/resources/security; its store password in plain text, or behind the Secure Vault alias given.
 */
export function keystoreOnlyCarbonXml(keystore: { file: string; type: 'JKS' | 'PKCS12'; password: string | { secretAlias: string } }): string {
  return `<?xml version="1.0" encoding="ISO-8859-1"?>
<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">
    <Security>
${keyStoreElement({ ...keystore, alias: 'wso2test' })}
    </Security>
</Server>
`;
}

/** carbon.xml's `<Security><KeyStore>` element, indented as in the shipped file; `<KeyPassword>` only when given. */
function keyStoreElement(store: { file: string; type: string; password: string | { secretAlias: string }; alias: string; keyPassword?: string }): string {
  const password =
    typeof store.password === 'string'
      ? `<Password>${store.password}</Password>`
      : `<Password xmlns:svns="http://org.wso2.securevault/configuration" svns:secretAlias="${store.password.secretAlias}">password</Password>`;
  return [
    '        <KeyStore>',
    `            <Location>\${carbon.home}/repository/resources/security/${store.file}</Location>`,
    `            <Type>${store.type}</Type>`,
    `            ${password}`,
    `            <KeyAlias>${store.alias}</KeyAlias>`,
    ...(store.keyPassword === undefined ? [] : [`            <KeyPassword>${store.keyPassword}</KeyPassword>`]),
    '        </KeyStore>',
  ].join('\n');
}

export function userMgtXml(options: { adminPassword?: string; connectionPassword?: string } = {}): string {
  const { adminPassword = 'admin', connectionPassword } = options;
  const ldap =
    connectionPassword === undefined
      ? ''
      : `
            <Property name="ConnectionName">uid=admin,ou=system</Property>
            <Property name="ConnectionPassword">${connectionPassword}</Property>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<UserManager>
    <Realm>
        <Configuration>
            <AddAdmin>true</AddAdmin>
            <AdminRole>admin</AdminRole>
            <AdminUser>
                <UserName>admin</UserName>
                <Password>${adminPassword}</Password>
            </AdminUser>
            <EveryOneRoleName>everyone</EveryOneRoleName>
            <Property name="isCascadeDeleteEnabled">true</Property>
            <Property name="dataSource">jdbc/WSO2CarbonDB</Property>
        </Configuration>
        <UserStoreManager class="org.wso2.carbon.user.core.jdbc.JDBCUserStoreManager">
            <Property name="TenantManager">org.wso2.carbon.user.core.tenant.JDBCTenantManager</Property>${ldap}
            <Property name="PasswordJavaRegEx">^[\\S]{5,30}$</Property>
            <Property name="PasswordDigest">SHA-256</Property>
        </UserStoreManager>
    </Realm>
</UserManager>
`;
}

export const H2_URL = 'jdbc:h2:./repository/database/WSO2CARBON_DB;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=60000';
export const MYSQL_URL = 'jdbc:mysql://db.example.com:3306/carbondb?useSSL=true';

export function masterDatasourcesXml(options: { database?: 'h2' | 'mysql'; password?: string } = {}): string {
  const { database = 'h2', password = 'wso2carbon' } = options;
  const url = database === 'h2' ? H2_URL : MYSQL_URL;
  const driver = database === 'h2' ? 'org.h2.Driver' : 'com.mysql.jdbc.Driver';
  return `<datasources-configuration xmlns:svns="http://org.wso2.securevault/configuration">
    <providers>
        <provider>org.wso2.carbon.ndatasource.rdbms.RDBMSDataSourceReader</provider>
    </providers>
    <datasources>
        <datasource>
            <name>WSO2_CARBON_DB</name>
            <description>The datasource used for the registry and the user manager</description>
            <jndiConfig>
                <name>jdbc/WSO2CarbonDB</name>
            </jndiConfig>
            <definition type="RDBMS">
                <configuration>
                    <url>${url}</url>
                    <username>wso2carbon</username>
                    <password>${password}</password>
                    <driverClassName>${driver}</driverClassName>
                    <maxActive>50</maxActive>
                    <validationQuery>SELECT 1</validationQuery>
                </configuration>
            </definition>
        </datasource>
    </datasources>
</datasources-configuration>
`;
}

export function catalinaServerXml(options: { keystorePass?: string } = {}): string {
  const { keystorePass = 'wso2carbon' } = options;
  return `<Server port="8005" shutdown="SHUTDOWN">
    <Service className="org.wso2.carbon.tomcat.ext.service.ExtendedStandardService" name="Catalina">
        <Connector protocol="org.apache.coyote.http11.Http11NioProtocol"
                   port="9763"
                   redirectPort="9443"
                   compression="on"/>
        <Connector protocol="org.apache.coyote.http11.Http11NioProtocol"
                   port="9443"
                   SSLEnabled="true"
                   scheme="https"
                   secure="true"
                   clientAuth="want"
                   sslProtocol="TLS"
                   sslEnabledProtocols="TLSv1,TLSv1.1,TLSv1.2"
                   keystoreFile="\${carbon.home}/repository/resources/security/wso2carbon.jks"
                   keystorePass="${keystorePass}"
                   URIEncoding="UTF-8"/>
        <Engine name="Catalina" defaultHost="localhost">
            <Host name="localhost" unpackWARs="true" deployOnStartup="false" autoDeploy="false"/>
        </Engine>
    </Service>
</Server>
`;
}

/** The four files of a product home under `product/`. */
export function productHome(options: { database?: 'h2' | 'mysql' } = {}): Record<string, string> {
  return {
    [`${CONF}/carbon.xml`]: carbonXml(),
    [`${CONF}/user-mgt.xml`]: userMgtXml(),
    [`${CONF}/tomcat/catalina-server.xml`]: catalinaServerXml(),
    [`${CONF}/datasources/master-datasources.xml`]: masterDatasourcesXml({ database: options.database }),
  };
}
