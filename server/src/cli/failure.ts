import { describeError } from '../service';

/**
 * An unexpected error as the CLI prints it (exit 2). A system error (it has a `code`: ENOENT, EACCES…) keeps its
 * message, which names a path and what went wrong; anything else is named by class and throwing frame only
 * (describeError): the message of a parser or of a bug can quote document text, a password included.
 */
export function describeFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (error instanceof Error && typeof code === 'string') return `${error.name}: ${error.message}`;
  return describeError(error);
}
