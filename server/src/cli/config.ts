import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PartialSettings, SETTINGS_FILE_NAME, readSettingsFile } from '../service';

/** Thrown for what the user must change on the command line or in the settings file: exit code 2. */
export class UsageError extends Error {}

/** The nearest settings file at or above `start`. */
export async function findSettingsFile(start: string): Promise<string | undefined> {
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, SETTINGS_FILE_NAME);
    try {
      const stat = await fs.stat(candidate);
      if (stat.isFile()) return candidate;
    } catch {
      // not here: look further up
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export interface LoadedSettings {
  readonly settings: PartialSettings;
  /** The folder include/exclude globs are relative to: the settings file's, else the current folder. */
  readonly root: string;
  readonly file: string | undefined;
}

/** `--config FILE`, else the nearest `.wso2config.json` above the current folder, else nothing. */
export async function loadSettings(explicit: string | undefined, cwd: string): Promise<LoadedSettings> {
  const file = explicit ?? (await findSettingsFile(cwd));
  if (!file) return { settings: {}, root: cwd, file: undefined };
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read settings file ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const { settings, problems } = readSettingsFile(text);
  if (problems.length > 0) throw new UsageError(`Invalid ${file}:\n${problems.map((p) => `  ${p.message}`).join('\n')}`);
  return { settings, root: path.dirname(path.resolve(file)), file };
}
