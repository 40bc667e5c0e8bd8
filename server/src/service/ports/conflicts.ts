import { MAX_PORT, PortFact } from './values';
import { HomeFacts } from '../workspace/facts';

/**
 * Ports two homes both open, indexed per home (linear), and the lowest offset that clears them.
 */

export interface PortConflict {
  readonly a: HomeFacts;
  readonly b: HomeFacts;
  /** Shared effective ports, ascending, with what opens each in either home. */
  readonly ports: readonly { readonly port: number; readonly a: readonly PortFact[]; readonly b: readonly PortFact[] }[];
}

/** Effective listening ports of a home at an offset, each with what opens it (the port-conflict rule's computation). */
/** Home facts are cached per file versions, so each home's listening ports are computed once per offset. */
const listeningByHome = new WeakMap<HomeFacts, { offset: number; ports: Map<number, PortFact[]> }>();

export function listeningPorts(home: HomeFacts, offset: number): Map<number, PortFact[]> {
  const cached = listeningByHome.get(home);
  if (cached && cached.offset === offset) return cached.ports;
  const result = new Map<number, PortFact[]>();
  for (const port of home.ports) {
    if (!port.listening || port.configured === undefined) continue;
    const effective = port.offsetApplies ? port.configured + offset : port.configured;
    const list = result.get(effective);
    if (list) list.push(port);
    else result.set(effective, [port]);
  }
  listeningByHome.set(home, { offset, ports: result });
  return result;
}

/**
 * The smallest offset ≥ 0 at which `home` collides with none of `others` and keeps every port within range; null when
 * there is none. `others` must have known offsets.
 */
export function lowestFreeOffset(home: HomeFacts, others: readonly HomeFacts[]): number | null {
  const taken = new Set<number>();
  for (const other of others) for (const port of listeningPorts(other, other.offset.value!).keys()) taken.add(port);
  const fixed: number[] = [];
  const shifted: number[] = [];
  for (const port of home.ports) {
    if (!port.listening || port.configured === undefined) continue;
    (port.offsetApplies ? shifted : fixed).push(port.configured);
  }
  // Ports the offset does not move collide at every offset.
  if (fixed.some((p) => taken.has(p))) return null;
  const highest = Math.max(0, ...shifted);
  for (let offset = 0; highest + offset <= MAX_PORT; offset++) {
    if (!shifted.some((p) => taken.has(p + offset))) return offset;
  }
  return null;
}

/** Every pair of homes (with known offsets) that would open a same port, in input order. */
export function findPortConflicts(homes: readonly HomeFacts[]): PortConflict[] {
  const known = homes.filter((h) => h.offset.value !== undefined);
  const ports = known.map((h) => listeningPorts(h, h.offset.value!));
  const conflicts: PortConflict[] = [];
  for (let i = 0; i < known.length; i++) {
    for (let j = i + 1; j < known.length; j++) {
      const shared = [...ports[i].keys()].filter((p) => ports[j].has(p)).sort((x, y) => x - y);
      if (shared.length > 0) conflicts.push({ a: known[i], b: known[j], ports: shared.map((port) => ({ port, a: ports[i].get(port)!, b: ports[j].get(port)! })) });
    }
  }
  return conflicts;
}
