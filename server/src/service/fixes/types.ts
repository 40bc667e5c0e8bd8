import { TextSpan } from '../model/text';
import { RuleId } from '../types';

/**
 * What a fix produces: changes to one or more files, as offsets into each file's current text. The fronts turn
 * them into an LSP WorkspaceEdit (one edit, so one undo) or write them to disk (the CLI).
 */

export interface TextReplacement {
  /** Offsets into the file's text as it is now. */
  readonly span: TextSpan;
  readonly newText: string;
}

/**
 * Each change names the exact state of its file it was planned against: an 'edit' its `baseText`, a 'create' that
 * the file does not exist. Check them all before applying any (basis.ts: changeBases, staleFiles).
 */
export type FileChange =
  /** Replacements in an existing file; `baseText` is the text the spans refer to (the open document or the disk). */
  | { readonly kind: 'edit'; readonly path: string; readonly baseText: string; readonly replacements: readonly TextReplacement[] }
  /** A file that does not exist yet. */
  | { readonly kind: 'create'; readonly path: string; readonly text: string };

export interface Fix {
  readonly title: string;
  readonly ruleId: RuleId | undefined;
  readonly changes: readonly FileChange[];
  /** The fix an editor applies with "auto fix" / the preferred quick fix. */
  readonly isPreferred?: boolean;
}

/** Applies replacements to a text (non-overlapping; any order). Linear in the text plus the replacements. */
export function applyReplacements(text: string, replacements: readonly TextReplacement[]): string {
  const sorted = [...replacements].sort((a, b) => b.span.start - a.span.start || b.span.end - a.span.end);
  // Built from the end, piece by piece, and joined once (a slice-and-concat per replacement is quadratic).
  const pieces: string[] = [];
  let limit = Number.POSITIVE_INFINITY;
  let tail = text.length;
  for (const { span, newText } of sorted) {
    if (span.end > limit) throw new Error('overlapping replacements');
    pieces.push(text.slice(span.end, tail), newText);
    tail = span.start;
    limit = span.start;
  }
  pieces.push(text.slice(0, tail));
  return pieces.reverse().join('');
}
