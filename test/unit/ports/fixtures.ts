/**
 * Small product homes for the port tests, written for them (not copied from the corpus): the kernel carbon.xml
 * `<Ports>` block, the Tomcat connectors, and axis2.xml with PassThrough listeners (APIM, EI integrator, IoT Server
 * core) or servlet transports (IS, EI business-process and broker profiles, IoT Server broker and analytics), laid out
 * as the products ship them (wso2/carbon-kernel v4.4.x, wso2/product-apim v2.6.0, wso2/product-is v5.6.0, wso2/product-ei v6.5.0, wso2/product-iots v3.1.0).
 */

export function carbonXml(options: { offset?: string; serverKey?: string; name?: string } = {}): string {
  const { offset = '0', serverKey = '${product.key}', name = '${product.name}' } = options;
  return [
    '<?xml version="1.0" encoding="ISO-8859-1"?>',
    '<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">',
    `    <Name>${name}</Name>`,
    `    <ServerKey>${serverKey}</ServerKey>`,
    '    <Ports>',
    '        <!-- Ports offset. This entry will set the value of the ports defined below to',
    '         the define value + Offset. -->',
    `        <Offset>${offset}</Offset>`,
    '        <JMX>',
    '            <RMIRegistryPort>9999</RMIRegistryPort>',
    '            <RMIServerPort>11111</RMIServerPort>',
    '        </JMX>',
    '        <EmbeddedLDAP>',
    '            <LDAPServerPort>10389</LDAPServerPort>',
    '            <KDCServerPort>8000</KDCServerPort>',
    '        </EmbeddedLDAP>',
    '        <!--<JNDIProviderPort>2199</JNDIProviderPort>-->',
    '        <ThriftEntitlementReceivePort>10500</ThriftEntitlementReceivePort>',
    '    </Ports>',
    '</Server>',
    '',
  ].join('\n');
}

export const CATALINA = [
  '<Server port="8005" shutdown="SHUTDOWN">',
  '    <Service className="org.wso2.carbon.tomcat.ext.service.ExtendedStandardService" name="Catalina">',
  '        <Connector protocol="org.apache.coyote.http11.Http11NioProtocol" port="9763" redirectPort="9443"/>',
  '        <Connector protocol="org.apache.coyote.http11.Http11NioProtocol" port="9443" SSLEnabled="true" scheme="https" secure="true"/>',
  '        <!--<Connector port="9444" proxyPort="443"/>-->',
  '    </Service>',
  '</Server>',
  '',
].join('\n');

export function axis2Xml(listeners: 'passthru' | 'servlet'): string {
  const [http, https, httpPort, httpsPort] =
    listeners === 'passthru'
      ? ['org.apache.synapse.transport.passthru.PassThroughHttpListener', 'org.apache.synapse.transport.passthru.PassThroughHttpSSLListener', 8280, 8243]
      : ['org.wso2.carbon.core.transports.http.HttpTransportListener', 'org.wso2.carbon.core.transports.http.HttpsTransportListener', 9763, 9443];
  return [
    '<axisconfig name="AxisJava2.0">',
    `    <transportReceiver name="http" class="${http}">`,
    `        <parameter name="port" locked="false">${httpPort}</parameter>`,
    '    </transportReceiver>',
    `    <transportReceiver name="https" class="${https}">`,
    `        <parameter name="port" locked="false">${httpsPort}</parameter>`,
    '    </transportReceiver>',
    '</axisconfig>',
    '',
  ].join('\n');
}

/** user-mgt.xml with the embedded-LDAP store IS ships: the ConnectionURL names the carbon.xml port. */
export function userMgtXml(connectionUrl = 'ldap://localhost:${Ports.EmbeddedLDAP.LDAPServerPort}'): string {
  return [
    '<UserManager>',
    '    <Realm>',
    '        <UserStoreManager class="org.wso2.carbon.user.core.ldap.ReadWriteLDAPUserStoreManager">',
    `            <Property name="ConnectionURL">${connectionUrl}</Property>`,
    '            <!--<Property name="ConnectionURL">ldap://localhost:${Ports.JNDIProviderPort}</Property>-->',
    '        </UserStoreManager>',
    '    </Realm>',
    '</UserManager>',
    '',
  ].join('\n');
}

export const WS = '/ws';
export const APIM = `${WS}/wso2am-2.6.0`;
export const IS = `${WS}/wso2is-5.6.0`;
export const EI = `${WS}/wso2ei-6.5.0`;
export const EI_BPS = `${EI}/wso2/business-process`;
export const EI_BROKER = `${EI}/wso2/broker`;
export const IOTS = `${WS}/wso2iot-3.1.0`;
export const IOTS_BROKER = `${IOTS}/wso2/broker`;
export const IOTS_ANALYTICS = `${IOTS}/wso2/analytics`;

function home(confDir: string, offset: string, listeners: 'passthru' | 'servlet', extra: Record<string, string> = {}, serverKey?: string): Record<string, string> {
  const files: Record<string, string> = {
    [`${confDir}/carbon.xml`]: carbonXml({ offset, serverKey }),
    [`${confDir}/tomcat/catalina-server.xml`]: CATALINA,
    [`${confDir}/axis2/axis2.xml`]: axis2Xml(listeners),
  };
  for (const [relative, text] of Object.entries(extra)) files[`${confDir}/${relative}`] = text;
  return files;
}

/** APIM and IS in the repository/conf layout (offset 0 both): they collide. */
export function twoProductsAtZero(): Record<string, string> {
  return {
    ...home(`${APIM}/repository/conf`, '0', 'passthru', { 'api-manager.xml': '<APIManager/>\n' }),
    ...home(`${IS}/repository/conf`, '0', 'servlet', { 'identity/identity.xml': '<Server xmlns="http://wso2.org/projects/carbon/carbon.xml"/>\n', 'user-mgt.xml': userMgtXml() }),
  };
}

/** EI 6.5.0 (conf/ layout): integrator 0, business-process 2, broker 3, as shipped. */
export function enterpriseIntegrator(): Record<string, string> {
  return {
    ...home(`${EI}/conf`, '0', 'passthru'),
    ...home(`${EI_BPS}/conf`, '2', 'servlet', { 'user-mgt.xml': userMgtXml() }),
    ...home(`${EI_BROKER}/conf`, '3', 'servlet', { 'broker.xml': '<broker/>\n' }),
  };
}

/** IoT Server 3.1.0 (conf/ layout): core 0, analytics 2, broker 3, as shipped. */
export function iotServer(): Record<string, string> {
  return {
    ...home(`${IOTS}/conf`, '0', 'passthru'),
    ...home(`${IOTS_ANALYTICS}/conf`, '2', 'servlet'),
    ...home(`${IOTS_BROKER}/conf`, '3', 'servlet', { 'broker.xml': '<broker/>\n' }),
  };
}

/** 1-based line of the first line containing `needle`. */
export function lineOf(text: string, needle: string, occurrence = 0): number {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`no ${JSON.stringify(needle)} in the fixture`);
  }
  return text.slice(0, at).split('\n').length;
}

/** Offset of `part` within the `occurrence`-th `needle`. */
export function offsetOf(text: string, needle: string, part = needle, occurrence = 0): number {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`no ${JSON.stringify(needle)} in the fixture`);
  }
  const within = needle.indexOf(part);
  if (within < 0) throw new Error(`${part} not in ${needle}`);
  return at + within;
}
