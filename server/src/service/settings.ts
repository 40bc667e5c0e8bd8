import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import * as jsonc from 'jsonc-parser';
import settingsSchema from '../../../schemas/settings.schema.json';
import { TextSpan } from './model/text';
import { RuleId, SeveritySetting } from './types';

/**
 * Settings shared by every front: editor settings `wso2Config.*` and a `.wso2config.json` at a workspace root use
 * the same names (the file may spell them with or without the `wso2Config.` prefix). The file wins over editor
 * settings, so the CLI in CI and the editor agree.
 */

export type TlsProfileName = 'intermediate' | 'modern' | 'legacy';

export interface Settings {
  rules: Partial<Record<RuleId, SeveritySetting>>;
  tlsProfile: TlsProfileName;
  /**
   * What `-DportOffset=N` passes at startup; overrides carbon.xml's `<Offset>`. A number applies to every home; a map
   * gives it per home folder (relative path or trailing part of the path).
   */
  portOffset: number | null | Record<string, number>;
  include: string[];
  exclude: string[];
  /** Show the effective port after each port value the offset changes. */
  inlayHints: boolean;
}

export type PartialSettings = Partial<Settings>;

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  rules: {},
  tlsProfile: 'intermediate',
  portOffset: null,
  include: [],
  exclude: [],
  inlayHints: true,
});

export const SETTINGS_FILE_NAME = '.wso2config.json';
const PREFIX = 'wso2Config.';

// Compiled on first use: compiling costs tens of milliseconds, which the server should not pay before it answers
// `initialize` when no settings need checking.
let compiled: ValidateFunction<PartialSettings> | undefined;
function validateSettings(value: unknown): value is PartialSettings {
  compiled ??= new Ajv({ allErrors: true, strict: true }).compile<PartialSettings>(settingsSchema);
  const valid = compiled(value);
  validateSettings.errors = compiled.errors;
  return valid;
}
validateSettings.errors = undefined as ErrorObject[] | null | undefined;

export interface SettingsProblem {
  message: string;
  /** Where in the settings file; undefined for editor settings. */
  span: TextSpan | undefined;
}

export interface SettingsReadResult {
  settings: PartialSettings;
  problems: SettingsProblem[];
}

/** Later layers override earlier ones; `rules` merge per rule. */
export function mergeSettings(...layers: (PartialSettings | undefined)[]): Settings {
  const merged: Settings = { ...DEFAULT_SETTINGS, rules: {} };
  for (const layer of layers) {
    if (!layer) continue;
    if (layer.rules) merged.rules = { ...merged.rules, ...layer.rules };
    if (layer.tlsProfile !== undefined) merged.tlsProfile = layer.tlsProfile;
    if (layer.portOffset !== undefined) merged.portOffset = layer.portOffset;
    if (layer.include !== undefined) merged.include = layer.include;
    if (layer.exclude !== undefined) merged.exclude = layer.exclude;
    if (layer.inlayHints !== undefined) merged.inlayHints = layer.inlayHints;
  }
  return merged;
}

/** Strips the optional `wso2Config.` prefix and un-nests `{ "wso2Config": { … } }`. */
function normalizeKeys(value: Record<string, unknown>): { normalized: Record<string, unknown>; originalKey: Map<string, string> } {
  const normalized: Record<string, unknown> = {};
  const originalKey = new Map<string, string>();
  for (const [key, entry] of Object.entries(value)) {
    const name = key.startsWith(PREFIX) ? key.slice(PREFIX.length) : key;
    normalized[name] = entry;
    originalKey.set(name, key);
  }
  return { normalized, originalKey };
}

/**
 * Validates settings coming from an editor (already JSON values). Invalid entries are dropped one by one, so a typo
 * in one setting does not silence the others.
 */
export function readEditorSettings(value: unknown): SettingsReadResult {
  if (value === null || value === undefined) return { settings: {}, problems: [] };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { settings: {}, problems: [{ message: 'wso2Config settings must be an object', span: undefined }] };
  }
  const { normalized } = normalizeKeys(value as Record<string, unknown>);
  // Editors send every contributed key, unset ones as null or undefined: treat those as "not set".
  for (const key of Object.keys(normalized)) {
    if (normalized[key] === undefined || (normalized[key] === null && key !== 'portOffset')) delete normalized[key];
    if (key === 'trace') delete normalized[key];
  }
  return validateAndPrune(normalized, () => undefined);
}

/** Parses and validates a `.wso2config.json` text; problems carry the range of the offending JSON. */
export function readSettingsFile(text: string): SettingsReadResult {
  const parseErrors: jsonc.ParseError[] = [];
  const tree = jsonc.parseTree(text, parseErrors, { allowTrailingComma: true, disallowComments: false });
  if (parseErrors.length > 0 || !tree) {
    const first = parseErrors[0];
    return {
      settings: {},
      problems: [
        {
          message: `${SETTINGS_FILE_NAME} is not valid JSON: ${first ? jsonc.printParseErrorCode(first.error) : 'empty file'}`,
          span: first ? { start: first.offset, end: first.offset + Math.max(1, first.length) } : { start: 0, end: 0 },
        },
      ],
    };
  }
  const value = jsonc.getNodeValue(tree) as unknown;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { settings: {}, problems: [{ message: `${SETTINGS_FILE_NAME} must contain a JSON object`, span: { start: tree.offset, end: tree.offset + tree.length } }] };
  }
  const { normalized, originalKey } = normalizeKeys(value as Record<string, unknown>);
  const spanOf = (instancePath: string[]): TextSpan | undefined => {
    const [first, ...rest] = instancePath;
    const path: jsonc.JSONPath = first === undefined ? [] : [originalKey.get(first) ?? first, ...rest];
    let node = jsonc.findNodeAtLocation(tree, path);
    // For a property the user misspelled, point at the key.
    if (node?.parent?.type === 'property') node = node.parent.children?.[0] ?? node;
    return node ? { start: node.offset, end: node.offset + node.length } : undefined;
  };
  return validateAndPrune(normalized, spanOf);
}

function validateAndPrune(value: Record<string, unknown>, spanOf: (path: string[]) => TextSpan | undefined): SettingsReadResult {
  const problems: SettingsProblem[] = [];
  const candidate = structuredClone(value);
  for (let attempt = 0; attempt < 20 && !validateSettings(candidate); attempt++) {
    const errors = validateSettings.errors ?? [];
    if (errors.length === 0) break;
    for (const error of errors) {
      const path = errorPath(error);
      problems.push({ message: describeError(error, path), span: spanOf(path) });
      removeAt(candidate, path);
    }
  }
  if (!validateSettings(candidate)) return { settings: {}, problems };
  return { settings: candidate as PartialSettings, problems: dedupe(problems) };
}

function errorPath(error: ErrorObject): string[] {
  const path = error.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'additionalProperties') path.push(String((error.params as { additionalProperty: string }).additionalProperty));
  if (error.keyword === 'propertyNames') path.push(String((error.params as { propertyName: string }).propertyName));
  return path;
}

function describeError(error: ErrorObject, path: string[]): string {
  const where = path.length > 0 ? path.join('.') : 'settings';
  switch (error.keyword) {
    case 'additionalProperties':
      return `Unknown setting "${path[path.length - 1]}"`;
    case 'propertyNames':
      return `Unknown rule id "${path[path.length - 1]}"`;
    case 'enum':
      return `${where} must be one of: ${((error.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${where} ${error.message ?? 'is invalid'}`;
  }
}

function removeAt(target: Record<string, unknown>, path: string[]): void {
  if (path.length === 0) {
    for (const key of Object.keys(target)) delete target[key];
    return;
  }
  let node: unknown = target;
  for (const step of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return;
    node = (node as Record<string, unknown>)[step];
  }
  if (typeof node === 'object' && node !== null) {
    const last = path[path.length - 1];
    if (Array.isArray(node)) {
      // Removing one array item would shift the others; drop the whole list instead.
      removeAt(target, path.slice(0, -1));
    } else {
      delete (node as Record<string, unknown>)[last];
    }
  }
}

function dedupe(problems: SettingsProblem[]): SettingsProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.message}@${p.span?.start ?? -1}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The -DportOffset override that applies to a product home, or null. */
export function portOffsetOverrideFor(settings: Settings, homeDir: string): number | null {
  const setting = settings.portOffset;
  if (setting === null || typeof setting === 'number') return setting;
  for (const [key, value] of Object.entries(setting)) {
    const wanted = key.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/$/, '');
    if (homeDir === wanted || homeDir.endsWith(`/${wanted}`)) return value;
  }
  return null;
}
