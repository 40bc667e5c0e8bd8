import { Finding } from '../types';
import { FileChange, TextReplacement } from '../fixes/types';
import { PropertyUpdate, updateProperties } from '../fixes/properties';
import type { EncryptedSecret, SecureVaultKey, SkippedSecret } from '../fixes/secure-vault';
import { parsePropertiesModel, vaultSwitchedOn } from './model';

/**
 * The .properties secrets of a home (jndi.properties, identity/EndpointConfig.properties) for `encrypt <home>` and
 * "Encrypt all plaintext passwords of This Product Home" (issue 14): planned against the texts of
 * secret-conf.properties and cipher-text.properties as the XML plan of the same change leaves them, so that the vault
 * the XML plan switches on counts and the aliases it adds are not reused. Pure: the facade reads the files, runs the
 * XML plan, and merges `cipherTextUpdates` with the XML plan's edit of cipher-text.properties into one change.
 * The runtime mechanisms are those of the per-finding fixes (kind.ts encryptJndi, encryptProtectedToken):
 *   - jndi.properties: `secretAlias:<alias>` as the whole value (andes v3.2.55 PropertiesFileInitialContextFactory
 *     .resolveEncryptedProperties l.177, 205-220), the whole URL encrypted under the alias;
 *   - EndpointConfig.properties: the key listed in `protectedTokens=` (carbon-identity-framework v5.11.256
 *     TenantDataManager.java l.57-59, 86-95, 355-385), the value under the alias of the key's own name.
 */

export interface PropertiesSecretFile {
  readonly path: string;
  readonly text: string;
  /** The file's plaintext-password findings (suppressions applied; the rule's severity ignored). */
  readonly findings: readonly Finding[];
}

export interface PropertiesHomePlanInput {
  readonly files: readonly PropertiesSecretFile[];
  /** cipher-text.properties and secret-conf.properties as the XML plan of the same change leaves them. */
  readonly cipherText: string | undefined;
  readonly secretConf: string | undefined;
  readonly key: SecureVaultKey;
  /** Aliases taken besides the keys of `cipherText`: svns:secretAlias values of the home, aliases of the XML plan. */
  readonly takenAliases: ReadonlySet<string>;
  /**
   * For an alias the XML plan of this change gives a password: whether it is this one (carbon.xml's keystore password
   * and EndpointConfig's share the name Carbon.Security.KeyStore.Password). Memory only; never in a message.
   */
  readonly plannedSecretEquals?: (alias: string, secret: string) => boolean;
}

export interface PropertiesHomePlan {
  /** Edits of the .properties files themselves (one per file). */
  readonly changes: readonly FileChange[];
  /** New entries of cipher-text.properties (alias → ciphertext). */
  readonly cipherTextUpdates: readonly PropertyUpdate[];
  readonly encrypted: readonly EncryptedSecret[];
  readonly skipped: readonly SkippedSecret[];
}

const RULE = 'plaintext-password';

export function planPropertiesSecretsOfHome(input: PropertiesHomePlanInput): PropertiesHomePlan {
  const changes: FileChange[] = [];
  const cipherTextUpdates: PropertyUpdate[] = [];
  const encrypted: EncryptedSecret[] = [];
  const skipped: SkippedSecret[] = [];
  const cipherTextKeys = new Set(parsePropertiesModel(input.cipherText ?? '').entries.map((e) => e.key));
  const switchedOn = vaultSwitchedOn(input.secretConf);
  const taken = (alias: string) => cipherTextKeys.has(alias) || input.takenAliases.has(alias) || cipherTextUpdates.some((u) => u.key === alias);
  const max = input.key.maxSecretBytes;

  for (const file of input.files) {
    const model = parsePropertiesModel(file.text);
    const lineOf = (offset: number) => {
      let line = 0;
      while (line + 1 < model.lineStarts.length && model.lineStarts[line + 1] <= offset) line++;
      return line + 1;
    };
    const replacements: TextReplacement[] = [];
    const tokensToAdd: string[] = [];
    for (const finding of [...file.findings].filter((f) => f.ruleId === RULE).sort((a, b) => a.span.start - b.span.start)) {
      const data = finding.data as { mechanism?: string; suggestedAlias?: string; alias?: string; encryptable?: boolean } | undefined;
      const line = lineOf(finding.span.start);
      const skip = (reason: string, alias?: string) => skipped.push({ path: file.path, line, alias, code: 'not-encryptable', reason });
      if (data?.encryptable === false) {
        skip('The runtime reads this value without resolving a Secure Vault alias, so it cannot be encrypted in place.');
        continue;
      }
      if (data?.mechanism !== 'secretAlias-value' && data?.mechanism !== 'protectedTokens') continue;
      if (!switchedOn) {
        skip('Secure Vault is not switched on in this home (security/secret-conf.properties) and no XML password of this change switches it on: encrypt a password of an XML file first, then this one.');
        continue;
      }
      const entry = model.entries.find((e) => e.valueSpan && e.valueSpan.start <= finding.span.start && finding.span.end <= e.valueSpan.end);
      if (!entry?.valueSpan) {
        skip('The password finding no longer matches the file; run again.');
        continue;
      }
      // The whole value is what the runtime gets back from the vault: the URL for jndi, the password for EndpointConfig.
      if (max !== undefined && Buffer.byteLength(entry.value, 'utf8') > max) {
        skip(`The value is longer than the ${max} bytes the keystore's RSA key can encrypt.`);
        continue;
      }
      if (data.mechanism === 'secretAlias-value') {
        const proposed = data.suggestedAlias ?? `JNDI.${entry.key}`;
        let alias = proposed;
        for (let n = 2; taken(alias); n++) alias = `${proposed}.${n}`;
        cipherTextUpdates.push({ key: alias, value: input.key.encrypt(entry.value), mode: 'set' });
        replacements.push({ span: entry.valueSpan, newText: `secretAlias:${alias}` });
        encrypted.push({ path: file.path, line, alias, target: 'property' });
        continue;
      }
      // protectedTokens: the alias is the key's own name, so it cannot be renamed around a clash.
      const alias = entry.key;
      if (input.plannedSecretEquals?.(alias, entry.value)) {
        // The same password under the same alias: listing the key is enough, cipher-text.properties already gets it.
      } else if (taken(alias)) {
        skip(
          `cipher-text.properties already holds a value for ${alias} (carbon.xml uses the same alias) that is not this password: this file cannot use that alias for a different one. Make both passwords the same, or leave this one out of protectedTokens.`,
          alias,
        );
        continue;
      } else {
        cipherTextUpdates.push({ key: alias, value: input.key.encrypt(entry.value), mode: 'set' });
      }
      replacements.push({ span: entry.valueSpan, newText: 'password' });
      tokensToAdd.push(alias);
      encrypted.push({ path: file.path, line, alias, target: 'property' });
    }
    if (tokensToAdd.length > 0) {
      const tokens = model.entries.filter((e) => e.key === 'protectedTokens').pop();
      const listed = tokens ? tokens.value.split(',').map((t) => t.trim()).filter((t) => t.length > 0) : [];
      replacements.push(...updateProperties(file.text, [{ key: 'protectedTokens', value: [...listed, ...tokensToAdd.filter((t) => !listed.includes(t))].join(','), mode: 'set' }], model.eol));
    }
    if (replacements.length > 0) changes.push({ kind: 'edit', path: file.path, baseText: file.text, replacements });
  }
  return { changes, cipherTextUpdates, encrypted, skipped };
}

/** One replacement turning `before` into `after`: the span between their common prefix and suffix. */
export function singleReplacement(before: string, after: string): TextReplacement {
  let start = 0;
  const limit = Math.min(before.length, after.length);
  while (start < limit && before[start] === after[start]) start++;
  let end = 0;
  while (end < limit - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  return { span: { start, end: before.length - end }, newText: after.slice(start, after.length - end) };
}
