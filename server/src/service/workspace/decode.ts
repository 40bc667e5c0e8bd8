/**
 * Turns file bytes into text the way an XML parser would (BOM, then the encoding in the XML declaration), and says
 * plainly why when it cannot: binary content, an encoding nobody supports, bytes invalid in the declared encoding,
 * or a file too large to analyse while someone types.
 */

export const DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024;

export type DecodedText = { ok: true; text: string; encoding: string } | { ok: false; problem: string; severity: 'error' | 'information' };

const SNIFF_BYTES = 8192;

export function tooLargeProblem(size: number, limit: number): string {
  const mb = (n: number) => (n / (1024 * 1024)).toFixed(1);
  return `File not analysed: ${mb(size)} MB is more than the ${mb(limit)} MB limit for configuration files.`;
}

export const BINARY_PROBLEM = 'File not analysed: it contains NUL bytes, so it is binary, not XML.';

export function decodeBytes(bytes: Uint8Array, maxBytes = DEFAULT_MAX_FILE_BYTES): DecodedText {
  if (bytes.length > maxBytes) return { ok: false, problem: tooLargeProblem(bytes.length, maxBytes), severity: 'information' };

  let encoding: string | undefined;
  let offset = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    encoding = 'utf-8';
    offset = 3;
  } else if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    encoding = 'utf-16le';
    offset = 2;
  } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    encoding = 'utf-16be';
    offset = 2;
  } else if (bytes[0] === 0x3c && bytes[1] === 0x00 && bytes[2] === 0x3f && bytes[3] === 0x00) {
    encoding = 'utf-16le'; // "<?" without BOM
  } else if (bytes[0] === 0x00 && bytes[1] === 0x3c && bytes[2] === 0x00 && bytes[3] === 0x3f) {
    encoding = 'utf-16be';
  }

  if (!encoding) {
    const head = bytes.subarray(0, Math.min(bytes.length, SNIFF_BYTES));
    if (head.includes(0)) return { ok: false, problem: BINARY_PROBLEM, severity: 'error' };
    encoding = declaredEncoding(head) ?? 'utf-8';
    // A UTF-16 declaration on bytes without NULs is wrong about itself; the bytes are 8-bit, read them as UTF-8.
    if (encoding.startsWith('utf-16') || encoding === 'unicode') encoding = 'utf-8';
  }

  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(encoding, { fatal: true });
  } catch {
    return { ok: false, problem: `File not analysed: its XML declaration names the encoding "${sanitize(encoding)}", which is not supported.`, severity: 'error' };
  }
  let text: string;
  try {
    text = decoder.decode(bytes.subarray(offset));
  } catch {
    return { ok: false, problem: `File not analysed: its bytes are not valid ${decoder.encoding.toUpperCase()} (the encoding it declares or, without a declaration, UTF-8).`, severity: 'error' };
  }
  if (text.includes('\u0000')) return { ok: false, problem: BINARY_PROBLEM, severity: 'error' };
  return { ok: true, text, encoding: decoder.encoding };
}

/** For text an editor already decoded: the same binary and size checks. */
export function checkText(text: string, maxBytes = DEFAULT_MAX_FILE_BYTES): DecodedText {
  // A UTF-16 length is a fair lower bound of the UTF-8 size; exactness does not matter for a limit.
  if (text.length > maxBytes) return { ok: false, problem: tooLargeProblem(text.length, maxBytes), severity: 'information' };
  if (text.includes('\u0000')) return { ok: false, problem: BINARY_PROBLEM, severity: 'error' };
  return { ok: true, text, encoding: 'utf-8' };
}

function declaredEncoding(head: Uint8Array): string | undefined {
  let ascii = '';
  for (let i = 0; i < Math.min(head.length, 200); i++) ascii += String.fromCharCode(head[i]);
  const match = /^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(ascii);
  return match ? match[1].toLowerCase() : undefined;
}

function sanitize(label: string): string {
  return label.replace(/[^A-Za-z0-9._:-]/g, '').slice(0, 40);
}
