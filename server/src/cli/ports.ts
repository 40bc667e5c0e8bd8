import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { PartialSettings, SETTINGS_FILE_NAME, createService, mergeSettings, normalizePath, readSettingsFile, workspaceJson, workspaceMarkdown, workspaceText } from '../service';
import { SyncDiskFileSource } from './disk';
import { homesOfTargets } from './homes';
import { describeFailure } from './failure';

/**
 * `wso2-config-lint ports [dirs…]`: every product home below the folders with its offset and effective ports, and the
 * ports two homes would both open: the table the editor's "WSO2: Show Effective Ports" shows. Exit codes: 0 no
 * conflict, 1 two homes open a same port, 2 usage or I/O error.
 */

const USAGE = `Usage: wso2-config-lint ports [options] [folders...]

Prints every WSO2 product home under the folders (default: .) with its port offset, every effective port, and the
ports two homes would both open.

Options:
  --format text|markdown|json   output format (default: text)
  --port-offset N               the -DportOffset the start scripts pass (overrides <Offset> in every home)
  --config FILE                 settings file (default: the nearest ${SETTINGS_FILE_NAME} above the current folder)
  --help

Exit codes: 0 no conflict, 1 two homes open a same port, 2 usage or I/O error.`;

class UsageError extends Error {}

export async function runPortsCommand(args: string[], stdout: (s: string) => void, stderr: (s: string) => void): Promise<number> {
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        allowPositionals: true,
        options: {
          format: { type: 'string', default: 'text' },
          'port-offset': { type: 'string' },
          config: { type: 'string' },
          help: { type: 'boolean', default: false },
        },
      });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      stdout(`${USAGE}\n`);
      return 0;
    }
    const format = values.format;
    if (format !== 'text' && format !== 'markdown' && format !== 'json') throw new UsageError(`--format must be text, markdown or json, not "${format}"`);
    const overrides: PartialSettings = {};
    if (values['port-offset'] !== undefined) {
      if (!/^-?\d+$/.test(values['port-offset'])) throw new UsageError('--port-offset must be an integer');
      overrides.portOffset = Number(values['port-offset']);
    }

    const settingsPath = values.config ?? (await findSettingsFile(process.cwd()));
    let fileSettings: PartialSettings = {};
    let settingsRoot = process.cwd();
    if (settingsPath) {
      let text: string;
      try {
        text = await fs.readFile(settingsPath, 'utf8');
      } catch {
        throw new UsageError(`Cannot read settings file ${settingsPath}`);
      }
      const { settings, problems } = readSettingsFile(text);
      if (problems.length > 0) throw new UsageError(`Invalid ${settingsPath}:\n${problems.map((p) => `  ${p.message}`).join('\n')}`);
      fileSettings = settings;
      settingsRoot = path.dirname(path.resolve(settingsPath));
    }
    const settings = mergeSettings(fileSettings, overrides);

    const targets = (positionals.length > 0 ? positionals : ['.']).map((t) => path.resolve(t));
    for (const target of targets) {
      if (!(await fs.stat(target).then(() => true, () => false))) throw new UsageError(`No such file or folder: ${target}`);
    }
    // One pass over a tree that does not change meanwhile: the run's synchronous disk, each folder listed once.
    const disk = new SyncDiskFileSource();
    const service = createService({ files: disk, directories: disk.directories });
    const homes = await homesOfTargets((roots) => service.discoverHomes(roots), targets);
    const roots = [normalizePath(settingsRoot)];
    const running = service.runningHomes(homes, roots, () => settings);
    const report = await service.portReport(running, () => settings);
    const cwd = normalizePath(process.cwd());
    const displayPath = (homeDir: string) => (homeDir.startsWith(`${cwd}/`) ? homeDir.slice(cwd.length + 1) : homeDir === cwd ? '.' : homeDir);
    const options = { displayPath };
    if (format === 'json') stdout(`${JSON.stringify(workspaceJson(report, options), null, 2)}\n`);
    else if (format === 'markdown') stdout(workspaceMarkdown(report, options));
    else stdout(workspaceText(report, options));
    return report.conflicts.length > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      stderr(`wso2-config-lint ports: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    stderr(`wso2-config-lint ports: ${describeFailure(error)}\n`);
    return 2;
  }
}

/** The nearest settings file at or above `start` (as the lint command finds it). */
async function findSettingsFile(start: string): Promise<string | undefined> {
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, SETTINGS_FILE_NAME);
    try {
      await fs.access(candidate);
      return candidate;
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return undefined;
      dir = parent;
    }
  }
}
