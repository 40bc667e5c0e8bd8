import { Analyzer } from '../analyzer';
import { offersOf, ruleFixes } from '../rules/fixes';
import { Settings } from '../settings';
import { applyReplacements } from './types';

/**
 * `--fix`: the fixes rules declare `unattended` (rules/fixes.ts; today the TLS protocol and cipher lists set to the
 * profile's recommendation). Secrets never change here: that takes a keystore, and `encrypt`. A file is fixed in memory, one fix at a time with
 * a fresh analysis in between (a fix rewrites a whole list, which settles every finding inside it), then written once.
 */

/** Bounds the fix loop: a file has a handful of TLS endpoints, each needing at most two fixes. */
const MAX_FIXES_PER_FILE = 64;

export interface FileFixResult {
  /** The fixed text; undefined when nothing changed. */
  readonly text: string | undefined;
  /** Titles of the fixes applied, in order. */
  readonly applied: string[];
  /** Why the file was left alone, when it was (a syntax error). */
  readonly skippedBecause?: string;
}

export async function fixText(analyzer: Analyzer, path: string, original: string, settings: Settings): Promise<FileFixResult> {
  let text = original;
  const applied: string[] = [];
  /** Findings a fix was planned for without settling them: not tried again. */
  const tried = new Set<string>();
  for (let round = 0; round < MAX_FIXES_PER_FILE; round++) {
    const result = await analyzer.analyze(path, { kind: 'text', text, version: `fix:${round}:${text.length}` }, settings);
    const doc = result.doc;
    if (!doc || !result.location) break;
    if (doc.syntaxError) {
      // A fix planned on a broken tree could land anywhere: fix the syntax first.
      if (applied.length === 0) return { text: undefined, applied, skippedBecause: 'it has an XML syntax error' };
      break;
    }
    let changed = false;
    for (const finding of result.findings) {
      const key = `${finding.ruleId}:${finding.span.start}:${finding.span.end}:${text.length}`;
      if (tried.has(key)) continue;
      tried.add(key);
      for (const ruleFix of ruleFixes(finding.ruleId)) {
        if (!ruleFix.unattended) continue;
        const [offer] = offersOf(await ruleFix.plan({ doc, location: result.location, finding, findings: result.findings, settings, secureVault: undefined }));
        const fix = offer && 'fix' in offer ? offer.fix : undefined;
        const change = fix?.changes.find((c) => c.kind === 'edit' && c.path === result.location!.path);
        if (!fix || !change || change.kind !== 'edit' || fix.changes.length !== 1 || change.baseText !== text) continue;
        const next = applyReplacements(text, change.replacements);
        if (next === text) continue;
        text = next;
        applied.push(fix.title);
        changed = true;
        break;
      }
      if (changed) break;
    }
    if (!changed) break;
  }
  analyzer.invalidate(path);
  return { text: text === original ? undefined : text, applied };
}
