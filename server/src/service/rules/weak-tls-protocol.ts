import policy from '../../../../schemas/tls-policy.json';
import { TextSpan } from '../model/text';
import { Rule, Severity } from '../types';
import { TlsSetting, tlsProfile, tlsEndpoints, distinctSettings, listSource, ownerLabel } from '../tls';
import { UNKNOWN_PRODUCT } from '../workspace/product';

/**
 * weak-tls-protocol: protocols a TLS endpoint enables that the configured profile does not allow, and endpoints that
 * leave the protocol list to the JVM. What is weak and where TLS is configured is data (schemas/tls-policy.json).
 */

// ---- protocols -------------------------------------------------------------------------------------------------

interface ProtocolToken {
  readonly text: string;
  readonly span: TextSpan;
  readonly sign: '+' | '-' | '';
  readonly name: string;
}

type KnownProtocol = (typeof policy.protocols.known)[number];
const KNOWN_PROTOCOLS = new Map<string, KnownProtocol>(policy.protocols.known.map((p) => [p.name.toLowerCase(), p]));

/**
 * Splits a protocol list the way Tomcat 8.5 does (a new token before every `+` or `-`, and at commas), also at
 * blanks. A sign standing alone (`+ TLSv1`) belongs to the next name, as Tomcat trims after the sign.
 */
function protocolTokens(source: string, span: TextSpan): ProtocolToken[] {
  const tokens: ProtocolToken[] = [];
  let start = -1;
  let pendingSign: { sign: '+' | '-'; at: number } | undefined;
  const flush = (end: number) => {
    if (start < 0) return;
    const raw = source.slice(start, end);
    start = -1;
    let sign: '+' | '-' | '' = '';
    let name = raw;
    let tokenStart = end - raw.length;
    if (raw[0] === '+' || raw[0] === '-') {
      sign = raw[0];
      name = raw.slice(1);
    }
    if (name.length === 0) {
      pendingSign = { sign: sign as '+' | '-', at: tokenStart };
      return;
    }
    if (pendingSign && sign === '') {
      sign = pendingSign.sign;
      tokenStart = pendingSign.at;
    }
    pendingSign = undefined;
    tokens.push({ text: source.slice(tokenStart, end), span: { start: tokenStart, end }, sign, name });
  };
  for (let i = span.start; i < span.end; i++) {
    const c = source[i];
    if (c === ',' || /\s/.test(c)) {
      flush(i);
      if (c === ',') pendingSign = undefined;
    } else if (c === '+' || c === '-') {
      flush(i);
      start = i;
    } else if (start < 0) {
      start = i;
    }
  }
  flush(span.end);
  return tokens;
}

/** Which token leaves each protocol enabled, evaluated left to right as Tomcat does. */
function enabledProtocols(tokens: ProtocolToken[], tomcatSyntax: boolean): Map<string, ProtocolToken> {
  const enabledBy = new Map<string, ProtocolToken>();
  for (const token of tokens) {
    const lower = token.name.toLowerCase();
    let targets: string[];
    if (tomcatSyntax && lower === policy.protocols.tomcatAllKeyword) targets = policy.protocols.tomcatAll;
    else {
      const known = KNOWN_PROTOCOLS.get(lower);
      if (!known) continue; // unknown names are dropped by Tomcat (with a warning) and rejected by JSSE
      targets = [known.name];
    }
    for (const protocol of targets) {
      if (token.sign === '-') enabledBy.delete(protocol);
      else enabledBy.set(protocol, token);
    }
  }
  return enabledBy;
}

function listText(items: readonly string[]): string {
  return items.join(', ');
}

export const weakTlsProtocol: Rule = {
  id: 'weak-tls-protocol',
  defaultSeverity: 'warning',
  description: 'TLS endpoints that enable SSL/TLS versions the TLS profile does not allow, or leave the protocols to the JVM default.',
  appliesTo: ['catalina-server', 'axis2'],
  check({ doc, file, settings, home, report }) {
    const { name: profileName, profile } = tlsProfile(settings.tlsProfile);
    const product = home?.product ?? UNKNOWN_PRODUCT;
    // What the fix needs to write only names the product's JDKs accept (fixes/tls.ts).
    const productData = { jdks: product.jdks, product: product.label, productKnown: product.versionKnown };
    const allowed = new Set(profile.allowedProtocols);
    const recommendedList = `profiles.${profileName}.recommendedProtocols`;
    const wants = `The ${profileName} TLS profile allows ${listText(profile.allowedProtocols)}.`;
    const endpoints = tlsEndpoints(doc, file.kind);
    const parsed = new Map<TlsSetting, { tokens: ProtocolToken[]; place: (token: TextSpan) => TextSpan }>();
    const parse = (setting: TlsSetting) => {
      let result = parsed.get(setting);
      if (!result) {
        if (!setting.valueSpan) result = { tokens: [], place: (token) => token };
        else {
          const { source, span, place } = listSource(doc, { ...setting, valueSpan: setting.valueSpan });
          result = { tokens: protocolTokens(source, span), place };
        }
        parsed.set(setting, result);
      }
      return result;
    };

    const reportedEmpty = new Set<TlsSetting>();
    for (const endpoint of endpoints) {
      const setting = endpoint.protocols;
      // A list of separators only (`,`, `+`) is as good as empty.
      if (setting && parse(setting).tokens.length > 0) continue;
      // An empty list inherited from the connector is reported once, where it is written.
      if (setting && reportedEmpty.has(setting)) continue;
      if (setting) reportedEmpty.add(setting);
      const what = setting ? `${setting.name} is empty on ${ownerLabel(setting, endpoint)}` : `No ${endpoint.protocolsName} on ${endpoint.label}`;
      const reasons = [policy.missingProtocolsWhy.jvm];
      if (endpoint.kind === 'SSLHostConfig') reasons.push(policy.missingProtocolsWhy.tomcatHostConfig);
      // WSO2's guide speaks of Tomcat's sslProtocol; Synapse's SSLProtocol parameter defaults to "TLS" anyway.
      if (endpoint.settingKind === 'attribute' && endpoint.sslProtocol !== undefined) reasons.push(policy.missingProtocolsWhy.sslProtocol.replace('"TLS"', `"${endpoint.sslProtocol}"`));
      const defaults = endpoint.kind === 'SSLHostConfig' ? 'the Tomcat and JVM defaults' : 'the JVM default';
      report({
        span: setting ? setting.nameSpan : endpoint.anchor,
        message: `${what}, so the enabled protocols are left to ${defaults}: ${reasons.join('; ')}. The ${profileName} TLS profile recommends ${profile.recommendedProtocols.join(',')}.`,
        data: {
          reason: setting ? 'empty' : 'missing',
          settingKind: endpoint.settingKind,
          setting: setting?.name ?? endpoint.protocolsName,
          element: setting?.owner ?? endpoint.kind,
          profile: profileName,
          recommendedList,
          ...productData,
        },
      });
    }

    for (const { setting, endpoint } of distinctSettings(endpoints, (e) => e.protocols)) {
      const { tokens, place } = parse(setting);
      const byToken = new Map<ProtocolToken, string[]>();
      for (const [protocol, token] of enabledProtocols(tokens, endpoint.tomcatProtocolSyntax)) {
        if (allowed.has(protocol)) continue;
        const list = byToken.get(token) ?? [];
        list.push(protocol);
        byToken.set(token, list);
      }
      for (const token of tokens) {
        const weak = byToken.get(token);
        if (!weak) continue;
        const order = policy.protocols.known.map((p) => p.name);
        weak.sort((a, b) => order.indexOf(a) - order.indexOf(b));
        const infos = weak.map((p) => KNOWN_PROTOCOLS.get(p.toLowerCase())!);
        const severity: Severity | undefined = infos.some((p) => p.severity === 'error') ? 'error' : undefined;
        const isAll = token.name.toLowerCase() === policy.protocols.tomcatAllKeyword;
        const where = ownerLabel(setting, endpoint);
        const message = isAll
          ? `"${token.text}" enables ${listText(weak)} on ${where}: ${policy.protocols.tomcatAllWhy}; ${infos.map((p) => p.why).join('; ')}. ${wants}`
          : `${weak[0]} is enabled on ${where}: ${infos[0].why}. ${wants}`;
        report({
          span: place(token.span),
          message,
          ...(severity ? { severity } : {}),
          data: {
            reason: 'weak-protocol',
            protocols: weak,
            settingKind: setting.kind,
            setting: setting.name,
            element: setting.owner,
            profile: profileName,
            recommendedList,
            ...productData,
          },
        });
      }
    }
  },
};
