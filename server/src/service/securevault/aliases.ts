import { LineIndex, TextSpan } from '../model/text';
import { XmlAttribute, XmlDocument, XmlElement, namespaceOf, walkElements } from '../model/xml';
import { PropertiesEntry, parseProperties } from '../fixes/properties';
import { propertiesText } from '../fixes/secure-vault-session';
import { secretConfPath, secureVaultFiles } from '../fixes/secure-vault';
import { FileSource } from '../workspace/facts';
import { ProductHome, SECURE_VAULT_NAMESPACE } from '../workspace/files';

/**
 * Hover and go-to-definition on Secure Vault aliases (`svns:secretAlias` attributes, `$secret{alias}` tokens): what
 * the runtime will find for the alias, read from the same files the fix writes (secureVaultFiles: the cipher-text
 * file secret-conf.properties names).
 */

/** An entry of cipher-text.properties with the line and columns editors point at. */
export interface LocatedEntry extends PropertiesEntry {
  /** 0-based line where the entry starts, and the key's columns on it. */
  readonly line: number;
  readonly keyStart: number;
  readonly keyEnd: number;
}

/** The core parser (fixes/properties.ts), with positions for hovers and go-to-definition. */
export function locatedEntries(text: string): LocatedEntry[] {
  const lines = new LineIndex(text);
  return parseProperties(text).entries.map((entry) => {
    const start = lines.positionAt(entry.span.start);
    let keyEnd = entry.span.start;
    // The key as written runs to the first unescaped '=', ':' or blank.
    while (keyEnd < entry.span.end && !'=: \t\f'.includes(text[keyEnd])) keyEnd += text[keyEnd] === '\\' ? 2 : 1;
    return { ...entry, line: start.line, keyStart: start.character, keyEnd: start.character + (Math.min(keyEnd, entry.span.end) - entry.span.start) };
  });
}

type SecretConfStatus = 'missing' | 'commented' | 'no-repository' | 'configured';

export interface SecureVaultState {
  readonly secretConf: { readonly path: string; readonly display: string; readonly status: SecretConfStatus };
  /** entries undefined: the file does not exist. */
  readonly cipherText: { readonly path: string; readonly display: string; readonly entries: LocatedEntry[] | undefined };
}

/** Where the runtime looks: secret-conf.properties in `<conf>/security`, and the cipher-text file it names. */
export async function secureVaultState(files: FileSource, home: ProductHome): Promise<SecureVaultState> {
  const display = (path: string) => (path.startsWith(`${home.homeDir}/`) ? path.slice(home.homeDir.length + 1) : path);
  const secretConfFile = secretConfPath(home);
  const secretConfText = propertiesText(await files.read(secretConfFile));
  let status: SecretConfStatus = 'missing';
  if (secretConfText !== undefined) {
    const entries = parseProperties(secretConfText).entries;
    const repositories = entries.find((e) => e.key === 'secretRepositories')?.value.trim();
    status = entries.length === 0 ? 'commented' : repositories ? 'configured' : 'no-repository';
  }
  const cipherTextPath = secureVaultFiles(home, secretConfText).cipherText;
  const cipherText = propertiesText(await files.read(cipherTextPath));
  return {
    secretConf: { path: secretConfFile, display: display(secretConfFile), status },
    cipherText: { path: cipherTextPath, display: display(cipherTextPath), entries: cipherText === undefined ? undefined : locatedEntries(cipherText) },
  };
}

/** The alias under `offset`: an `svns:secretAlias` attribute (name or value) or a `$secret{alias}` token. */
export function aliasAt(doc: XmlDocument, offset: number): { alias: string; span: TextSpan } | undefined {
  const attr = aliasAttributeAt(doc, offset);
  if (attr) {
    const alias = attr.value.trim();
    return alias ? { alias, span: { start: attr.nameSpan.start, end: attr.valueSpan.end } } : undefined;
  }
  return secretTokenAt(doc.text, offset);
}

/** The hover of an alias, as Markdown. */
export async function aliasHover(files: FileSource, home: ProductHome, alias: string): Promise<string> {
  const state = await secureVaultState(files, home);
  const entry = lastEntry(state.cipherText.entries, alias);
  const lines = [`**Secure Vault alias** \`${alias}\``, ''];
  lines.push(`- \`${state.cipherText.display}\`: ${describeEntry(state.cipherText.entries, entry)}`);
  lines.push(`- \`${state.secretConf.display}\`: ${describeSecretConf(state.secretConf.status)}`);
  return lines.join('\n');
}

/** Where the alias's value is: the file the runtime reads, and the key's place in it. */
export async function aliasDefinition(files: FileSource, home: ProductHome, alias: string): Promise<{ path: string; line: number; startCharacter: number; endCharacter: number } | undefined> {
  const state = await secureVaultState(files, home);
  const entry = lastEntry(state.cipherText.entries, alias);
  return entry ? { path: state.cipherText.path, line: entry.line, startCharacter: entry.keyStart, endCharacter: entry.keyEnd } : undefined;
}

const ALIAS_ATTRIBUTE = 'secretAlias';

function aliasAttributeAt(doc: XmlDocument, offset: number): XmlAttribute | undefined {
  for (const element of walkElements(doc.root)) {
    if (offset < element.span.start) break;
    if (offset > element.startTagEnd) continue;
    return element.attributes.find((a) => isAliasAttribute(element, a) && a.nameSpan.start <= offset && offset <= a.valueSpan.end);
  }
  return undefined;
}

function isAliasAttribute(element: XmlElement, attr: XmlAttribute): boolean {
  if (attr.localName !== ALIAS_ATTRIBUTE || !attr.prefix || attr.prefix === 'xmlns') return false;
  // The runtime accepts any namespace starting with the Secure Vault one (SecretResolverFactory).
  return namespaceOf(element, attr.prefix)?.startsWith(SECURE_VAULT_NAMESPACE) === true;
}

/** A `$secret{alias}` token (Carbon 4.5+) around `offset`, on the same line. */
function secretTokenAt(text: string, offset: number): { alias: string; span: TextSpan } | undefined {
  let lineStart = offset;
  while (lineStart > 0 && text[lineStart - 1] !== '\n') lineStart--;
  let lineEnd = offset;
  while (lineEnd < text.length && text[lineEnd] !== '\n') lineEnd++;
  for (const token of findSecretTokens(text.slice(lineStart, lineEnd))) {
    const start = lineStart + token.start;
    const end = lineStart + token.end;
    if (start <= offset && offset <= end) return { alias: token.alias, span: { start, end } };
  }
  return undefined;
}

const SECRET_TOKEN_OPEN = '$secret{';

/**
 * `$secret{alias}` tokens of `line` (an alias is one or more characters, none of them `}` or white space), by plain
 * scanning. Every token start inside the same run of alias characters ends at the same `}` or blank, so that end is
 * found once per run: linear whatever the line (a regular expression restarted at every `$secret{` rescanned the rest
 * of a line that never closes).
 */
export function findSecretTokens(line: string): { start: number; end: number; alias: string }[] {
  const found: { start: number; end: number; alias: string }[] = [];
  let runEnd = -1; // the first `}` or blank at or after the last scanned alias start
  for (let start = line.indexOf(SECRET_TOKEN_OPEN); start >= 0; start = line.indexOf(SECRET_TOKEN_OPEN, start + 1)) {
    const aliasStart = start + SECRET_TOKEN_OPEN.length;
    if (aliasStart > runEnd) {
      runEnd = aliasStart;
      while (runEnd < line.length && line[runEnd] !== '}' && line[runEnd].trim().length > 0) runEnd++;
    }
    if (runEnd > aliasStart && line[runEnd] === '}') {
      found.push({ start, end: runEnd + 1, alias: line.slice(aliasStart, runEnd) });
      start = runEnd;
    }
  }
  return found;
}

/** java.util.Properties keeps the last of duplicate keys. */
function lastEntry(entries: LocatedEntry[] | undefined, key: string): LocatedEntry | undefined {
  for (let i = (entries?.length ?? 0) - 1; i >= 0; i--) if (entries![i].key === key) return entries![i];
  return undefined;
}

function describeEntry(entries: LocatedEntry[] | undefined, entry: LocatedEntry | undefined): string {
  if (!entries) return 'does not exist, so the runtime has no value for this alias.';
  if (!entry) return 'has no value for this alias, so the runtime cannot resolve it.';
  const value = entry.value.trim();
  const where = `(line ${entry.line + 1})`;
  if (value.length === 0) return `has an empty value for this alias ${where}: the cipher tool would prompt for it.`;
  if (/^\[[^]*\]$/.test(value) || (value.includes('[') && value.indexOf(']', value.indexOf('[')) > 0)) {
    return `holds this password in plain text, in the \`[…]\` form ${where}: the cipher tool encrypts it on its next \`-Dconfigure\` run.`;
  }
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return `holds an encrypted value for this alias ${where}.`;
  return `holds a value for this alias that is neither Base64 nor the \`[…]\` form ${where}, so it will not decrypt.`;
}

function describeSecretConf(status: SecretConfStatus): string {
  switch (status) {
    case 'configured':
      return 'configures Secure Vault, so the runtime decrypts the alias at startup.';
    case 'missing':
      return 'does not exist, so Secure Vault is not initialised and the server uses the literal placeholder `password`.';
    case 'commented':
      return 'is entirely commented out, so Secure Vault is not initialised and the server uses the literal placeholder `password`.';
    case 'no-repository':
      return 'has no active `secretRepositories` key, so Secure Vault is not initialised and the server uses the literal placeholder `password`.';
  }
}
