import locationsData from '../../../../schemas/password-locations.json';
import { TextSpan } from '../model/text';
import { XmlDocument, XmlElement, childAt, walkElements } from '../model/xml';
import { ConfigFileKind } from '../workspace/files';

/**
 * `${admin.password}`-style placeholders of api-manager.xml: not plain text, but a reference API Manager resolves at
 * startup (schemas/password-locations.json, `api-manager.references`). The hover says what the reference resolves to
 * and in what state that value is (in plain text or behind a Secure Vault alias), never the value itself.
 */

interface ReferenceName {
  readonly name: string;
  readonly what: string;
  readonly file: string;
  readonly path: string;
  readonly alias?: string;
  readonly secret: boolean;
}

interface KindReferences {
  readonly description: string;
  readonly names: readonly ReferenceName[];
}

const REFERENCES: Partial<Record<ConfigFileKind, KindReferences>> = Object.fromEntries(
  Object.entries(locationsData.kinds as Record<string, { references?: KindReferences }>)
    .filter(([, kind]) => kind.references)
    .map(([id, kind]) => [id, kind.references!]),
);

export interface ReferenceAt {
  readonly span: TextSpan;
  readonly reference: ReferenceName;
  readonly sourceNote: string;
}

/** The known `${name}` under `offset` in an element's text, in a file kind that has references. */
export function referenceAt(doc: XmlDocument, kind: ConfigFileKind | undefined, offset: number): ReferenceAt | undefined {
  const known = kind && REFERENCES[kind];
  if (!known) return undefined;
  const element = leafAt(doc.root, offset);
  const content = element?.contentSpan;
  if (!element || !content) return undefined;
  const text = doc.text.slice(content.start, content.end);
  // Linear scan of `${…}` tokens (indexOf, no backtracking).
  for (let from = 0; ; ) {
    const open = text.indexOf('${', from);
    if (open < 0) return undefined;
    const close = text.indexOf('}', open + 2);
    if (close < 0) return undefined;
    const start = content.start + open;
    const end = content.start + close + 1;
    if (offset >= start && offset <= end) {
      const name = text.slice(open + 2, close).trim();
      const reference = known.names.find((n) => n.name === name);
      return reference ? { span: { start, end }, reference, sourceNote: known.description } : undefined;
    }
    from = close + 1;
  }
}

function leafAt(root: XmlElement | undefined, offset: number): XmlElement | undefined {
  for (const element of walkElements(root)) {
    const content = element.contentSpan;
    if (!element.hasChildElements && content && offset >= content.start && offset <= content.end) return element;
  }
  return undefined;
}

/** What the referenced value's file says, read through `parsed` (the home's user-mgt.xml). */
export async function referenceHover(
  at: ReferenceAt,
  confDir: string | undefined,
  parsed: (path: string, kind: ConfigFileKind) => Promise<XmlDocument | undefined>,
): Promise<string> {
  const { reference } = at;
  const lines = [
    `**\`\${${reference.name}}\`** is a reference, not a value written here: API Manager replaces it with the system property \`${reference.name}\` when the server was started with one (\`-D${reference.name}=…\`), otherwise with ${reference.what} from ${reference.file} (\`${reference.path}\`)${reference.alias ? `, read through the Secure Vault alias \`${reference.alias}\` when it carries one` : ''}.`,
    '',
  ];
  if (!confDir) {
    lines.push(`This file is not inside a product home, so its ${reference.file} cannot be read.`);
  } else {
    const doc = await parsed(`${confDir}/${reference.file}`, 'user-mgt');
    const element = doc && childAt(doc.root, reference.path.split('/').slice(1).join('/'));
    const line = element && doc ? doc.lines.positionAt(element.span.start).line + 1 : undefined;
    if (!doc || !element) {
      lines.push(`This home's ${reference.file} has no \`${reference.path}\`: unless the system property is set, the reference has nothing to resolve to.`);
    } else if (reference.secret) {
      // Whatever the prefix, as the plaintext-password rule reads it (the runtime matches the namespace URI).
      const alias = element.attributes.find((a) => a.localName === 'secretAlias' && a.prefix !== '' && a.prefix !== 'xmlns');
      lines.push(
        alias
          ? `In this home it is protected: ${reference.file} line ${line} carries \`svns:secretAlias="${alias.value.trim()}"\`, so this reference gets the decrypted value.`
          : `In this home ${reference.file} line ${line} holds it in plain text: encrypting it there with Secure Vault protects every \`\${${reference.name}}\` of this file too. Nothing needs encrypting here.`,
      );
    } else {
      lines.push(`In this home: ${reference.file} line ${line}.`);
    }
  }
  lines.push('', `Source: ${at.sourceNote}`);
  return lines.join('\n');
}

