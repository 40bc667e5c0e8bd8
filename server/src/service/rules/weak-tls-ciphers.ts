import policy from '../../../../schemas/tls-policy.json';
import { TextSpan } from '../model/text';
import { splitList } from '../model/xml';
import { Rule } from '../types';
import { TlsEndpoint, TlsSetting, distinctSettings, listSource, ownerLabel, tlsEndpoints, tlsProfile } from '../tls';
import { ProductFacts, UNKNOWN_PRODUCT } from '../workspace/product';

/**
 * weak-tls-ciphers: TLS endpoints without a cipher list (the JVM default includes weak suites) and listed suites the
 * profile forbids. Lists may be JSSE names separated by commas (Tomcat 7, Synapse) or OpenSSL syntax separated by
 * colons (Tomcat 8.5+: `HIGH:!aNULL`, `ECDHE-RSA-AES128-GCM-SHA256`). Aggregate keywords (`HIGH`, `DEFAULT`, `ALL`)
 * and unknown tokens are not judged: without OpenSSL's tables any verdict on them would be a guess.
 *
 * The home's product decides what can be advised: where its Synapse ignores `PreferredCiphers` (ESB 5.0.0, API
 * Manager 2.0.0), a PassThrough transport gets one finding that says so and what can restrict the suites instead,
 * and no fix (schemas/products.json).
 */

type CipherClassName = keyof typeof policy.cipherClasses;

interface CipherClass {
  readonly name: CipherClassName;
  readonly label: string;
  readonly jsse: RegExp;
  readonly openssl: RegExp;
  readonly keywords: readonly string[];
}

const CLASSES: readonly CipherClass[] = (Object.entries(policy.cipherClasses) as [CipherClassName, (typeof policy.cipherClasses)[CipherClassName]][]).map(
  ([name, entry]) => ({ name, label: entry.label, jsse: new RegExp(entry.jsse), openssl: new RegExp(entry.openssl), keywords: entry.opensslKeywords }),
);
const JSSE_NAME = new RegExp(policy.cipherNames.jsse, 'i');
const OPENSSL_NAME = new RegExp(policy.cipherNames.openssl);
const SIGNALLING = new RegExp(policy.cipherNames.signalling, 'i');
const CIPHER_SEPARATORS = /[,:\s]/;

type Entry =
  | { readonly type: 'suite' | 'keyword'; readonly token: string; readonly span: TextSpan; readonly classes: CipherClassName[] }
  /** `!X` removes X for good; `-X` removes what was added before it (OpenSSL semantics). */
  | { readonly type: 'exclude'; readonly permanent: boolean; readonly target: string }
  | { readonly type: 'other' };

function classify(token: string, span: TextSpan): Entry {
  const first = token[0];
  if (first === '!' || first === '-') return { type: 'exclude', permanent: first === '!', target: token.slice(1) };
  // `+X` only reorders, `@STRENGTH` sorts, `A+B` intersects: none adds a suite on its own terms.
  if (first === '+' || first === '@' || token.includes('+') || SIGNALLING.test(token)) return { type: 'other' };
  if (JSSE_NAME.test(token)) {
    const upper = token.toUpperCase();
    return { type: 'suite', token, span, classes: CLASSES.filter((c) => c.jsse.test(upper)).map((c) => c.name) };
  }
  if (OPENSSL_NAME.test(token)) return { type: 'suite', token, span, classes: CLASSES.filter((c) => c.openssl.test(token)).map((c) => c.name) };
  const keywordClasses = CLASSES.filter((c) => c.keywords.includes(token)).map((c) => c.name);
  return keywordClasses.length > 0 ? { type: 'keyword', token, span, classes: keywordClasses } : { type: 'other' };
}

/** True when exclusion `target` removes `entry`: the same name, or a keyword naming one of the entry's classes. */
function excludes(target: string, entry: { token: string; classes: CipherClassName[] }): boolean {
  if (target.toUpperCase() === entry.token.toUpperCase()) return true;
  return CLASSES.some((c) => c.keywords.includes(target) && entry.classes.includes(c.name));
}

export const weakTlsCiphers: Rule = {
  id: 'weak-tls-ciphers',
  defaultSeverity: 'warning',
  description: 'TLS endpoints without a cipher list (the JVM default includes weak suites), and listed suites the TLS profile forbids.',
  appliesTo: ['catalina-server', 'axis2'],
  check({ doc, file, settings, home, report }) {
    const { name: profileName, profile } = tlsProfile(settings.tlsProfile);
    const forbidden = new Set(profile.forbiddenCipherClasses);
    const recommendedList = `profiles.${profileName}.recommendedCiphers`;
    const product = home?.product ?? UNKNOWN_PRODUCT;
    // What the fix needs to write only names the product's JDKs accept (fixes/tls.ts).
    const productData = { jdks: product.jdks, product: product.label, productKnown: product.versionKnown };
    const allEndpoints = tlsEndpoints(doc, file.kind);
    const passThrough = (e: TlsEndpoint) => e.settingKind === 'parameter';
    if (product.preferredCiphers === false) {
      for (const endpoint of allEndpoints.filter(passThrough)) reportIgnored(endpoint, product, profileName, report);
    }
    const endpoints = product.preferredCiphers === false ? allEndpoints.filter((e) => !passThrough(e)) : allEndpoints;
    const note = (endpoint: TlsEndpoint) =>
      product.preferredCiphers === undefined && passThrough(endpoint) ? ` ${fill(policy.preferredCiphers.unknown, { setting: endpoint.ciphersName, product: product.label })}.` : '';
    const parsed = new Map<TlsSetting, { entries: Entry[]; place: (token: TextSpan) => TextSpan }>();
    const parse = (setting: TlsSetting) => {
      let result = parsed.get(setting);
      if (!result) {
        if (!setting.valueSpan) result = { entries: [], place: (token) => token };
        else {
          const { source, span, place } = listSource(doc, { ...setting, valueSpan: setting.valueSpan });
          result = { entries: splitList(source, span, CIPHER_SEPARATORS).map((t) => classify(t.token, t.span)), place };
        }
        parsed.set(setting, result);
      }
      return result;
    };

    const reportedEmpty = new Set<TlsSetting>();
    for (const endpoint of endpoints) {
      const setting = endpoint.ciphers;
      // A list of separators only (`,`, `:`) is as good as empty.
      if (setting && parse(setting).entries.length > 0) continue;
      // An empty list inherited from the connector is reported once, where it is written.
      if (setting && reportedEmpty.has(setting)) continue;
      if (setting) reportedEmpty.add(setting);
      const what = setting ? `${setting.name} is empty on ${ownerLabel(setting, endpoint)}` : `No ${endpoint.ciphersName} on ${endpoint.label}`;
      report({
        span: setting ? setting.nameSpan : endpoint.anchor,
        message: `${what}: ${policy.missingCiphersWhy}. The ${profileName} TLS profile wants ${profile.cipherGoal}.${note(endpoint)}`,
        data: {
          reason: setting ? 'empty' : 'missing',
          settingKind: endpoint.settingKind,
          setting: setting?.name ?? endpoint.ciphersName,
          element: setting?.owner ?? endpoint.kind,
          profile: profileName,
          recommendedList,
          ...productData,
        },
      });
    }

    for (const { setting, endpoint } of distinctSettings(endpoints, (e) => e.ciphers)) {
      const { entries, place } = parse(setting);
      entries.forEach((entry, index) => {
        if (entry.type !== 'suite' && entry.type !== 'keyword') return;
        const removed = entries.some((other, otherIndex) => other.type === 'exclude' && (other.permanent || otherIndex > index) && excludes(other.target, entry));
        if (removed) return;
        const weak = CLASSES.filter((c) => entry.classes.includes(c.name) && forbidden.has(c.name));
        if (weak.length === 0) return;
        const what = entry.type === 'keyword' ? `"${entry.token}" adds suites with ${weak.map((c) => c.label).join(', ')}` : `${entry.token}: ${weak.map((c) => c.label).join(', ')}`;
        report({
          span: place(entry.span),
          message: `${what} (on ${ownerLabel(setting, endpoint)}). The ${profileName} TLS profile wants ${profile.cipherGoal}.${note(endpoint)}`,
          data: {
            reason: 'weak-cipher',
            classes: weak.map((c) => c.name),
            settingKind: setting.kind,
            setting: setting.name,
            element: setting.owner,
            profile: profileName,
            recommendedList,
            ...productData,
          },
        });
      });
    }
  },
};

/** One finding per PassThrough transport of a product whose Synapse ignores PreferredCiphers; `noFix`: nothing to write. */
function reportIgnored(endpoint: TlsEndpoint, product: ProductFacts, profileName: string, report: Parameters<Rule['check']>[0]['report']): void {
  const setting = endpoint.ciphers;
  const first = setting ? `${setting.name} on ${endpoint.label} has no effect` : `No cipher restriction is possible on ${endpoint.label}`;
  report({
    span: setting ? setting.nameSpan : endpoint.anchor,
    message: `${first}: ${fill(policy.preferredCiphers.ignored, { product: product.label, synapse: product.synapse ?? 'a version', setting: endpoint.ciphersName, label: endpoint.label })}.`,
    data: {
      reason: 'ignored',
      noFix: true,
      settingKind: endpoint.settingKind,
      setting: endpoint.ciphersName,
      element: endpoint.kind,
      profile: profileName,
      product: product.label,
      productKnown: product.versionKnown,
    },
  });
}

/** Replaces `{name}` placeholders of a message template of tls-policy.json. */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
