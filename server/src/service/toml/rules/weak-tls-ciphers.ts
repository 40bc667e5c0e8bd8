import { TomlRule } from '../types';
import { endpointAnchor, endpointsFor, originText, profileOf, tlsList, userKeyOf, weakCiphers } from '../tls';

/**
 * Cipher suite lists of deployment.toml that hold suites the TLS profile forbids (RC4, DES, 3DES, MD5, NULL, EXPORT,
 * anonymous, and for the stricter profiles CBC and static key exchange), including defaults (product-apim v4.2.0
 * default.json `transport.binary.receiver.ciphers`), and endpoints with no list at all, where the JVM's defaults apply.
 * The APIM docs' own Tomcat example (docs-apim configuring-transport-level-security.md @01268f14) has RC4 suites.
 */
export const weakTlsCiphers: TomlRule = {
  id: 'weak-tls-ciphers',
  defaultSeverity: 'warning',
  description: 'A TLS endpoint configured by deployment.toml (or its default) offers weak cipher suites, or sets none so the JVM defaults apply.',
  check({ model, tlsProfile, report }) {
    const { name: profileName, profile } = profileOf(tlsProfile);
    for (const endpoint of endpointsFor(model)) {
      if (!endpoint.ciphers) continue;
      const key = `${endpoint.table}.${endpoint.ciphers}`;
      const setting = tlsList(model, key);
      if (!setting || setting.items.length === 0) {
        if (!endpoint.missingCiphersMeansJvmDefaults) continue;
        report({
          span: endpointAnchor(model, endpoint).span,
          message: `${capital(endpoint.label)} sets no cipher suites (deployment.toml has no ${userKeyOf(endpoint, 'ciphers')}), so the JVM's defaults apply, which include suites the "${profileName}" TLS profile forbids. List ${profile.cipherGoal}.`,
          severity: 'information',
          data: { endpoint: endpoint.id, key, missing: true, profile: profileName },
        });
        continue;
      }
      const weak = weakCiphers(setting, profile);
      if (weak.length === 0) continue;
      const classes = [...new Set(weak.flatMap((w) => w.classes))].join(', ');
      const shown = weak.slice(0, 5).map((w) => w.name).join(', ') + (weak.length > 5 ? ` and ${weak.length - 5} more` : '');
      const data = { endpoint: endpoint.id, key, ciphers: weak.map((w) => w.name), profile: profileName, inherited: !setting.entry };
      if (setting.entry) {
        const spans = weak.map((w) => w.span).filter((s): s is NonNullable<typeof s> => s !== undefined);
        report({
          span: spans.length === 1 ? spans[0] : setting.entry.valueSpan,
          message: `${capital(endpoint.label)} offers weak cipher suites: ${shown} (${classes}). The "${profileName}" TLS profile wants ${profile.cipherGoal}.`,
          data,
        });
      } else {
        report({
          span: endpointAnchor(model, endpoint).span,
          message: `${capital(endpoint.label)} offers weak cipher suites by default (${originText(setting)}; deployment.toml does not set ${userKeyOf(endpoint, 'ciphers')}): ${shown} (${classes}). The "${profileName}" TLS profile wants ${profile.cipherGoal}.`,
          data,
        });
      }
    }
  },
};

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
