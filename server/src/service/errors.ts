/**
 * How an exception is named in a log: its class and the frame that threw it, never its message. The engine's rules,
 * parsers and handlers work on document text, and a message can quote it (a parser's "unexpected token" with the
 * token, a TypeError naming a value): a password would then reach the log, the output channel or the CLI's stderr.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const frame = error.stack?.split('\n').find((line) => /^\s+at /.test(line))?.trim();
  return frame ? `${error.name} ${frame}` : error.name;
}
