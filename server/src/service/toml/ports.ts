import { TextSpan } from '../model/text';
import { PortExplanation, explainPort } from '../ports/explanations';
import { OffsetInfo } from '../ports/offset';
import { PortFact } from '../ports/values';
import { EffectiveValue, TomlModel, describeOrigin } from './effective';
import { TOML_RULES_DATA } from './knowledge';
import { productApplies } from './keys';
import { TomlEntry } from './parse';

/**
 * Ports of a deployment.toml home: every port-bearing key (schemas/toml/deployment-toml.json `ports.keys`) as
 * `base + offset = effective`, with where each part comes from, for hovers, inlay hints, the port table and conflicts.
 *
 * Offset: `[server] offset`, an integer or a numeric string (IS test `user_mgt_regex_changed.toml` @v5.11.0 writes
 * `offset = "410"`), rendered by carbon.xml.j2 with a template default of 0 (carbon-kernel) or 10 (Micro Integrator,
 * whose user value replaces the 10: docs-mi changing-the-default-ports-with-offset.md @16e6cc44). `-DportOffset`
 * overrides it at start (carbon-kernel v4.9.26 `CarbonBaseActivator.java` l.48-52).
 */

export interface TomlOffset {
  /** The offset in force; undefined when the written value is not a usable integer. */
  readonly value: number | undefined;
  readonly origin: 'toml' | 'template' | 'override';
  /** The offset as the file or template says, before any override. */
  readonly configured: number | undefined;
  /** The user's entry, when written. */
  readonly entry: TomlEntry | undefined;
  /** Why a written value is unusable; undefined when fine. */
  readonly problem: string | undefined;
  /** One line saying where the offset comes from. */
  readonly explanation: string;
}

export interface TomlPort {
  readonly key: string;
  readonly label: string;
  readonly base: number | undefined;
  readonly baseSource: string;
  /** The user's entry that sets the base, if any (the hover and inlay hint go there). */
  readonly entry: TomlEntry | undefined;
  readonly span: TextSpan | undefined;
  readonly offset: number | undefined;
  readonly effective: number | undefined;
  /** False when whether the runtime adds the offset to this port was not verified in code. */
  readonly offsetVerified: boolean;
}

const INTEGER = /^[+-]?\d{1,10}$/;

export function parseOffsetValue(value: unknown): { value: number | undefined; problem: string | undefined } {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return { value: undefined, problem: 'is not an integer' };
    return value < 0 ? { value, problem: 'is negative' } : { value, problem: undefined };
  }
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed.length > 12 || !INTEGER.test(trimmed)) return { value: undefined, problem: 'is not a number (Carbon parses <Offset> as an integer)' };
    const n = Number.parseInt(trimmed, 10);
    return n < 0 ? { value: n, problem: 'is negative' } : { value: n, problem: undefined };
  }
  return { value: undefined, problem: 'is not an integer or a numeric string' };
}

export function tomlOffset(model: TomlModel, override?: number): TomlOffset {
  const own = model.get('server.offset');
  const entry = own?.origin.kind === 'user' ? own.origin.entry : undefined;
  const product = model.home.product;
  const templateDefault = TOML_RULES_DATA.offset.templateDefault[product];
  const templateSource = TOML_RULES_DATA.offset.templateSource[product];
  let configured: number | undefined;
  let problem: string | undefined;
  let explanation: string;
  if (entry) {
    const parsed = parseOffsetValue(model.resolve('server.offset')?.value ?? entry.value);
    configured = parsed.value;
    problem = parsed.problem;
    explanation = `[server] offset in deployment.toml${product === 'mi' ? ' (replaces Micro Integrator\'s default 10)' : ''}`;
  } else {
    configured = typeof own?.value === 'number' ? own.value : templateDefault;
    explanation = own && own.origin.kind !== 'template' ? describeOrigin(own.origin) : `template default ${templateDefault}: ${templateSource}`;
  }
  if (override !== undefined) {
    return { value: override, origin: 'override', configured, entry, problem, explanation: `-DportOffset=${override} (setting), which overrides ${explanation}` };
  }
  const usable = problem === undefined || problem === 'is negative' ? configured : undefined;
  return { value: usable, origin: entry ? 'toml' : 'template', configured, entry, problem, explanation: `${explanation}; -DportOffset may override it at start` };
}

const FALLBACK_BASES = TOML_RULES_DATA.ports.fallbackBases as Record<string, number>;

export function tomlPorts(model: TomlModel, override?: number): { offset: TomlOffset; ports: TomlPort[] } {
  const offset = tomlOffset(model, override);
  const ports: TomlPort[] = [];
  for (const spec of TOML_RULES_DATA.ports.keys) {
    if (!productApplies(spec.products, model.home.product)) continue;
    const value: EffectiveValue | undefined = model.get(spec.key);
    const fallback = FALLBACK_BASES[spec.key];
    if (!value && fallback === undefined) continue;
    const resolved = value ? model.resolve(spec.key)?.value : fallback;
    const base = portNumber(resolved);
    const entry = value?.origin.kind === 'user' ? value.origin.entry : undefined;
    const baseSource = value ? describeOrigin(value.origin) : 'WSO2 default port (docs-apim reference/default-product-ports.md @188817ef; not in the bundled default.json)';
    const effective = base !== undefined && offset.value !== undefined ? base + offset.value : undefined;
    ports.push({ key: spec.key, label: spec.label, base, baseSource, entry, span: entry?.valueSpan, offset: offset.value, effective, offsetVerified: spec.offsetVerified });
  }
  return { offset, ports };
}

function portNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d{1,6}$/.test(value.trim())) return Number.parseInt(value.trim(), 10);
  return undefined;
}

const TOP_OF_FILE: TextSpan = { start: 0, end: 0 };

/**
 * A toml port as the port explanations (ports/explanations.ts), HomeFacts and the port table read a port of any
 * file: written at its user entry (else at the top of the file), with where its base comes from.
 */
export function tomlPortFact(port: TomlPort, tomlPath: string): PortFact {
  return {
    path: tomlPath,
    confRelativePath: 'deployment.toml',
    span: port.span ?? TOP_OF_FILE,
    label: `${port.label} (${port.key})`,
    configured: port.base,
    offsetApplies: true,
    listening: true,
    source: port.baseSource,
    ...(port.offsetVerified ? {} : { offsetUnverified: true }),
  };
}

/** The offset of a toml home as the port explanations read it, with where it comes from (or why it is unusable). */
export function tomlOffsetInfo(offset: TomlOffset): OffsetInfo {
  const explanation = offset.value === undefined && offset.problem ? `[server] offset in deployment.toml ${offset.problem}` : offset.explanation;
  return { value: offset.value, source: offset.origin === 'override' ? 'setting' : 'deployment.toml', carbonXml: undefined, explanation };
}

/** Why a toml port is the number it is: the explanation every port gets (ports/explanations.ts explainPort). */
export function explainTomlPort(port: TomlPort, offset: TomlOffset, tomlPath: string): PortExplanation {
  const fact = tomlPortFact(port, tomlPath);
  return explainPort({ fact, line: 0, servletScheme: undefined }, { offset: tomlOffsetInfo(offset), entries: [], carbon: undefined });
}
