import { describeOrigin } from '../effective';
import { TomlRule } from '../types';
import { endpointAnchor, endpointsFor, originText, profileOf, tlsList, userKeyOf, weakProtocols } from '../tls';

/**
 * TLS protocol lists of deployment.toml (schemas/toml/deployment-toml.json `tls.endpoints`) that enable protocols the
 * TLS profile does not allow, including defaults the user never wrote: carbon-kernel default.json
 * `transport.https.sslHostConfig.properties.protocols = "+TLSv1,+TLSv1.1,+TLSv1.2"`, product-apim default.json
 * PassThrough `HttpsProtocols = "TLSv1,TLSv1.1,TLSv1.2"`, AMQP `ssl_enabled_protocols = "TLSv1"`,
 * product-micro-integrator default.json listener and management API lists, `sslProtocol = "SSLV3"`.
 */
export const weakTlsProtocol: TomlRule = {
  id: 'weak-tls-protocol',
  defaultSeverity: 'warning',
  description: 'A TLS endpoint configured by deployment.toml (or its default) enables SSLv3, TLSv1 or TLSv1.1 (or what the TLS profile does not allow).',
  check({ model, tlsProfile, report }) {
    const { name: profileName, profile } = profileOf(tlsProfile);
    for (const endpoint of endpointsFor(model)) {
      const setting = tlsList(model, `${endpoint.table}.${endpoint.protocols}`);
      if (setting) {
        const weak = weakProtocols(setting, endpoint.protocolSyntax, profile);
        if (weak.length > 0) {
          const names = weak.map((w) => w.name).join(', ');
          const why = [...new Set(weak.map((w) => w.why))].join('; ');
          const severity = weak.some((w) => w.severity === 'error') ? ('error' as const) : undefined;
          const data = { endpoint: endpoint.id, key: setting.key, protocols: weak.map((w) => w.name), profile: profileName, inherited: !setting.entry };
          if (setting.entry) {
            const spans = weak.map((w) => w.span).filter((s): s is NonNullable<typeof s> => s !== undefined);
            const span = spans.length === 1 ? spans[0] : setting.entry.valueSpan;
            report({
              span,
              message: `${capital(endpoint.label)} enables ${names} (${why}). The "${profileName}" TLS profile allows ${profile.allowedProtocols.join(', ')}.`,
              ...(severity ? { severity } : {}),
              data,
            });
          } else {
            report({
              span: endpointAnchor(model, endpoint).span,
              message: `${capital(endpoint.label)} enables ${names} by default (${originText(setting)}; deployment.toml does not set ${userKeyOf(endpoint, 'protocols')}). ${why}. Set it to ${profile.recommendedProtocols.join(', ')} (the "${profileName}" TLS profile).`,
              ...(severity ? { severity } : {}),
              data,
            });
          }
        }
      }
      if (endpoint.sslProtocol) {
        const key = `${endpoint.table}.${endpoint.sslProtocol}`;
        const value = model.resolve(key);
        if (value && typeof value.value === 'string' && value.value.trim().toUpperCase().startsWith('SSL')) {
          const own = model.get(key)!;
          const written = own.origin.kind === 'user' ? own.origin.entry : undefined;
          report({
            span: written ? written.valueSpan : endpointAnchor(model, endpoint).span,
            message: `${capital(endpoint.label)} asks for the SSLContext "${value.value.trim().slice(0, 20)}"${written ? '' : ` by default (${describeOrigin(own.origin)}; deployment.toml does not set [${endpoint.table}] ${endpoint.sslProtocol})`}: SSLv3 is broken (POODLE, RFC 7568). Set ${endpoint.sslProtocol} = "TLS" and list the protocols in ${endpoint.protocols}.`,
            data: { endpoint: endpoint.id, key, sslProtocol: true, inherited: !written, profile: profileName },
          });
        }
      }
    }
  },
};

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
