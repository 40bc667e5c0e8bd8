import policy from '../../../schemas/tls-policy.json';
import { TextSpan } from './model/text';
import { XmlDocument, XmlElement, attribute, attributeIgnoreCase, childElements, textSpan, walkElements } from './model/xml';
import { isSslConnector } from './ports/values';
import { TlsProfileName } from './settings';
import { ConfigFileKind } from './workspace/files';

/**
 * Where TLS is configured (HTTPS connectors, their SSLHostConfig, Synapse https transports) and the TLS profiles:
 * shared by weak-tls-protocol and weak-tls-ciphers, which look at the same places. The knowledge is data
 * (schemas/tls-policy.json).
 */

export type TlsElementKind = 'Connector' | 'SSLHostConfig' | 'transportReceiver' | 'transportSender';

/** A protocol or cipher list as written: an attribute or a `<parameter>`'s text. */
export interface TlsSetting {
  readonly name: string;
  readonly kind: 'attribute' | 'parameter';
  /** The element that carries it (a Connector's list also applies to its SSLHostConfig children that set none). */
  readonly owner: TlsElementKind;
  /** Range of the list's text, trimmed; undefined when the value is empty. */
  readonly valueSpan: TextSpan | undefined;
  /** The value with entities decoded. */
  readonly value: string;
  /** Where to point when the value is empty: the attribute name, or the parameter's `name` value. */
  readonly nameSpan: TextSpan;
}

export interface TlsEndpoint {
  readonly kind: TlsElementKind;
  readonly element: XmlElement;
  /** How messages name it, e.g. "this HTTPS connector". */
  readonly label: string;
  /** Where a "nothing configured" finding goes. */
  readonly anchor: TextSpan;
  readonly settingKind: 'attribute' | 'parameter';
  /** The attribute or parameter a fix would set on this element. */
  readonly protocolsName: string;
  readonly ciphersName: string;
  /** The list in force: the element's own, else the one it inherits; undefined when none is written. */
  readonly protocols: TlsSetting | undefined;
  readonly ciphers: TlsSetting | undefined;
  /** Tomcat 8.5 accepts `+X`, `-X` and `all` in protocol lists; Synapse hands its list to JSSE as is. */
  readonly tomcatProtocolSyntax: boolean;
  /** The SSLContext protocol (`sslProtocol` / `SSLProtocol`), when written. */
  readonly sslProtocol: string | undefined;
}

export type TlsProfile = (typeof policy.profiles)[TlsProfileName];

export function tlsProfile(name: TlsProfileName | undefined): { name: TlsProfileName; profile: TlsProfile } {
  const profiles = policy.profiles as Record<string, TlsProfile>;
  const chosen = name && Object.prototype.hasOwnProperty.call(profiles, name) ? name : (policy.defaultProfile as TlsProfileName);
  return { name: chosen, profile: profiles[chosen] };
}

/** Both TLS rules ask for the same endpoints of the same parse: find them once. */
const endpointsByDocument = new WeakMap<XmlDocument, TlsEndpoint[]>();

export function tlsEndpoints(doc: XmlDocument, kind: ConfigFileKind): TlsEndpoint[] {
  let endpoints = endpointsByDocument.get(doc);
  if (!endpoints) {
    endpoints = kind === 'catalina-server' ? tomcatEndpoints(doc) : kind === 'axis2' ? axis2Endpoints(doc) : [];
    endpointsByDocument.set(doc, endpoints);
  }
  return endpoints;
}

function attributeSetting(element: XmlElement, name: string, owner: TlsElementKind): TlsSetting | undefined {
  // Tomcat matches connector attribute names case-insensitively (sslEnabledProtocols = SSLEnabledProtocols).
  const attr = attributeIgnoreCase(element, name);
  if (!attr) return undefined;
  return { name: attr.name, kind: 'attribute', owner, valueSpan: trimmed(attr.valueSpan, attr.value), value: attr.value, nameSpan: attr.nameSpan };
}

/** The attribute's value range without surrounding blanks; undefined when only blanks. */
function trimmed(span: TextSpan, value: string): TextSpan | undefined {
  if (value.trim().length === 0) return undefined;
  const leading = value.length - value.trimStart().length;
  const trailing = value.length - value.trimEnd().length;
  // The decoded value and the source differ only when entities are used; then keep the raw range.
  if (span.end - span.start !== value.length) return span;
  return { start: span.start + leading, end: span.end - trailing };
}

function tomcatEndpoints(doc: XmlDocument): TlsEndpoint[] {
  const names = policy.tomcat;
  const endpoints: TlsEndpoint[] = [];
  for (const connector of walkElements(doc.root)) {
    if (connector.localName !== names.connector || !isSslConnector(connector)) continue;
    const connectorProtocols = attributeSetting(connector, names.connectorProtocols, 'Connector');
    const connectorCiphers = attributeSetting(connector, names.ciphers, 'Connector');
    // Case-sensitive on purpose: `SSLProtocol` (capital) is the APR protocol list, not the SSLContext protocol.
    const connectorSslProtocol = attribute(connector, names.sslProtocol)?.value;
    const hostConfigs = childElements(connector).filter((e) => e.localName === names.sslHostConfig);
    if (hostConfigs.length === 0) {
      endpoints.push({
        kind: 'Connector',
        element: connector,
        label: 'this HTTPS connector',
        anchor: attribute(connector, 'SSLEnabled')?.valueSpan ?? attribute(connector, 'scheme')?.valueSpan ?? connector.nameSpan,
        settingKind: 'attribute',
        protocolsName: names.connectorProtocols,
        ciphersName: names.ciphers,
        protocols: connectorProtocols,
        ciphers: connectorCiphers,
        tomcatProtocolSyntax: true,
        sslProtocol: connectorSslProtocol,
      });
      continue;
    }
    // Tomcat 8.5+: each SSLHostConfig is its own TLS configuration; connector attributes are the fallback.
    for (const hostConfig of hostConfigs) {
      const hostName = attribute(hostConfig, names.hostName);
      endpoints.push({
        kind: 'SSLHostConfig',
        element: hostConfig,
        label: hostName ? `the SSLHostConfig of ${hostName.value}` : 'this SSLHostConfig',
        anchor: hostName?.valueSpan ?? hostConfig.nameSpan,
        settingKind: 'attribute',
        protocolsName: names.hostConfigProtocols,
        ciphersName: names.ciphers,
        protocols: attributeSetting(hostConfig, names.hostConfigProtocols, 'SSLHostConfig') ?? connectorProtocols,
        ciphers: attributeSetting(hostConfig, names.ciphers, 'SSLHostConfig') ?? connectorCiphers,
        tomcatProtocolSyntax: true,
        sslProtocol: attribute(hostConfig, names.sslProtocol)?.value ?? connectorSslProtocol,
      });
    }
  }
  return endpoints;
}

function parameter(doc: XmlDocument, transport: XmlElement, name: string, owner: TlsElementKind): TlsSetting | undefined {
  for (const child of childElements(transport)) {
    if (child.localName !== 'parameter') continue;
    const nameAttr = attribute(child, 'name');
    if (nameAttr?.value.trim() !== name) continue;
    return { name, kind: 'parameter', owner, valueSpan: textSpan(doc, child), value: child.text, nameSpan: nameAttr.valueSpan };
  }
  return undefined;
}

function axis2Endpoints(doc: XmlDocument): TlsEndpoint[] {
  const names = policy.axis2;
  const endpoints: TlsEndpoint[] = [];
  if (!doc.root) return endpoints;
  for (const transport of childElements(doc.root)) {
    const className = attribute(transport, 'class')?.value.trim() ?? '';
    let kind: TlsElementKind;
    if (transport.localName === 'transportReceiver' && names.sslListeners.includes(className)) kind = 'transportReceiver';
    else if (transport.localName === 'transportSender' && names.sslSenders.includes(className)) kind = 'transportSender';
    else continue; // plain HTTP, local, JMS… and the servlet HttpsTransportListener, which Tomcat's connector governs
    const nameAttr = attribute(transport, 'name');
    const role = kind === 'transportReceiver' ? 'transport receiver' : 'transport sender';
    const sslProtocolParameter = parameter(doc, transport, names.sslProtocolParameter, kind);
    endpoints.push({
      kind,
      element: transport,
      label: `the ${nameAttr?.value ?? 'https'} ${role}`,
      anchor: nameAttr?.valueSpan ?? transport.nameSpan,
      settingKind: 'parameter',
      protocolsName: names.protocolsParameter,
      ciphersName: names.ciphersParameter,
      protocols: parameter(doc, transport, names.protocolsParameter, kind),
      ciphers: parameter(doc, transport, names.ciphersParameter, kind),
      tomcatProtocolSyntax: false,
      sslProtocol: sslProtocolParameter?.value.trim() || undefined,
    });
  }
  return endpoints;
}

/** The distinct lists to check token by token: an inherited connector list is checked once, where it is written. */
export function distinctSettings(endpoints: TlsEndpoint[], pick: (e: TlsEndpoint) => TlsSetting | undefined): { setting: TlsSetting; endpoint: TlsEndpoint }[] {
  const seen = new Set<TlsSetting>();
  const result: { setting: TlsSetting; endpoint: TlsEndpoint }[] = [];
  for (const endpoint of endpoints) {
    const setting = pick(endpoint);
    if (!setting || seen.has(setting)) continue;
    seen.add(setting);
    result.push({ setting, endpoint });
  }
  return result;
}

/**
 * The text to split into tokens. Token ranges are exact in the source, except in the rare value written with entities
 * (`TLSv1&#44;TLSv1.1`): the runtime sees the decoded text, so that is what is split, and findings cover the whole value.
 */
export function listSource(doc: XmlDocument, setting: TlsSetting & { valueSpan: TextSpan }): { source: string; span: TextSpan; place: (token: TextSpan) => TextSpan } {
  const raw = doc.text.slice(setting.valueSpan.start, setting.valueSpan.end);
  if (!raw.includes('&')) return { source: doc.text, span: setting.valueSpan, place: (token) => token };
  const decoded = setting.value.trim();
  return { source: decoded, span: { start: 0, end: decoded.length }, place: () => setting.valueSpan };
}

/** How messages name the owner of an inherited setting. */
export function ownerLabel(setting: TlsSetting, endpoint: TlsEndpoint): string {
  return setting.owner === 'Connector' && endpoint.kind === 'SSLHostConfig' ? 'this HTTPS connector' : endpoint.label;
}
