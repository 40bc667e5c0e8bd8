import { MAX_PORT, PortFact } from './values';
import { HomeFacts } from '../workspace/facts';
import { TextSpan } from '../model/text';
import { FindingInput } from '../types';
import { describeOffset } from './offset';

/**
 * Ports two homes both open, found through an index from port to homes (linear in the homes of a workspace, not in
 * its pairs), and the lowest offset that clears them.
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
 * Which homes open each effective port, built once per set of home facts. Homes that open exactly the same ports
 * (copies of one product at one offset: backups, a CI tree) form one group, and the index maps a port to groups, so
 * the conflicts of a home cost its own ports and the groups it meets, not the number of homes.
 */
export class PortIndex {
  private readonly groups: { ports: Map<number, PortFact[]>; members: HomeFacts[] }[] = [];
  private readonly groupOf = new Map<HomeFacts, number>();
  private readonly groupsByPort = new Map<number, number[]>();
  /** How many homes open each port. */
  private readonly homesByPort = new Map<number, number>();
  private readonly position = new Map<HomeFacts, number>();

  /** `homes` in the order conflicts are named; those without a known offset take no part. */
  constructor(homes: readonly HomeFacts[]) {
    const bySignature = new Map<string, number>();
    for (const home of homes) {
      if (home.offset.value === undefined || this.position.has(home)) continue;
      this.position.set(home, this.position.size);
      const ports = listeningPorts(home, home.offset.value);
      const signature = [...ports.keys()].sort((a, b) => a - b).join(',');
      let group = bySignature.get(signature);
      if (group === undefined) {
        group = this.groups.length;
        bySignature.set(signature, group);
        this.groups.push({ ports, members: [] });
        for (const port of ports.keys()) {
          const list = this.groupsByPort.get(port);
          if (list) list.push(group);
          else this.groupsByPort.set(port, [group]);
        }
      }
      this.groups[group].members.push(home);
      this.groupOf.set(home, group);
      for (const port of ports.keys()) this.homesByPort.set(port, (this.homesByPort.get(port) ?? 0) + 1);
    }
  }

  /**
   * The other homes that open a port `home` opens: the first `limit` in index order, each with the shared ports
   * ascending, and how many there are in all.
   */
  conflictsOf(home: HomeFacts, limit: number): { named: { other: HomeFacts; ports: number[] }[]; total: number } {
    const own = this.groupOf.get(home);
    if (own === undefined) return { named: [], total: 0 };
    const mine = this.groups[own].ports;
    const candidates = new Set<number>();
    for (const port of mine.keys()) for (const group of this.groupsByPort.get(port) ?? []) candidates.add(group);
    let total = 0;
    const firsts: HomeFacts[] = [];
    for (const group of candidates) {
      const members = this.groups[group].members;
      total += group === own ? members.length - 1 : members.length;
      // Members are in index order: the first limit + 1 of each group hold the first `limit` others overall.
      for (const member of members.length > limit ? members.slice(0, limit + 1) : members) if (member !== home) firsts.push(member);
    }
    firsts.sort((a, b) => this.position.get(a)! - this.position.get(b)!);
    const named = firsts.slice(0, limit).map((other) => {
      const theirs = this.groups[this.groupOf.get(other)!].ports;
      return { other, ports: [...mine.keys()].filter((port) => theirs.has(port)).sort((a, b) => a - b) };
    });
    return { named, total };
  }

  /** The smallest offset ≥ 0 at which `home` collides with no other home of the index; null when there is none. */
  lowestFreeOffset(home: HomeFacts): number | null {
    const own = this.groupOf.get(home);
    const mine = own === undefined ? undefined : this.groups[own].ports;
    return lowestOffsetClear(home, (port) => (this.homesByPort.get(port) ?? 0) - (mine?.has(port) ? 1 : 0) > 0);
  }
}

/**
 * The smallest offset ≥ 0 at which `home` collides with none of `others` and keeps every port within range; null when
 * there is none. `others` must have known offsets.
 */
export function lowestFreeOffset(home: HomeFacts, others: readonly HomeFacts[]): number | null {
  const taken = new Set<number>();
  for (const other of others) for (const port of listeningPorts(other, other.offset.value!).keys()) taken.add(port);
  return lowestOffsetClear(home, (port) => taken.has(port));
}

function lowestOffsetClear(home: HomeFacts, isTaken: (port: number) => boolean): number | null {
  const taken = { has: isTaken };
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

/** Every pair of homes (with known offsets) that would open a same port, in input order; pairs that share none are never visited. */
export function findPortConflicts(homes: readonly HomeFacts[], index = new PortIndex(homes)): PortConflict[] {
  const known = homes.filter((h) => h.offset.value !== undefined);
  const position = new Map(known.map((h, i) => [h, i]));
  const conflicts: PortConflict[] = [];
  for (const [i, a] of known.entries()) {
    const mine = listeningPorts(a, a.offset.value!);
    for (const { other: b, ports } of index.conflictsOf(a, Number.MAX_SAFE_INTEGER).named) {
      if (position.get(b)! <= i) continue;
      const theirs = listeningPorts(b, b.offset.value!);
      conflicts.push({ a, b, ports: ports.map((port) => ({ port, a: mine.get(port)!, b: theirs.get(port)! })) });
    }
  }
  return conflicts;
}

/**
 * One index per set of home facts: a validation pass hands every file of the pass the same array of homes, so the
 * index is built once per pass and each home's check costs its own ports.
 */
const indexes = new WeakMap<readonly HomeFacts[], PortIndex>();
export function portIndexOf(homes: readonly HomeFacts[]): PortIndex {
  let index = indexes.get(homes);
  if (!index) indexes.set(homes, (index = new PortIndex(homes)));
  return index;
}

/** Conflicting homes named one by one; the rest are counted in one more finding. */
export const MAX_HOMES_NAMED = 10;

/**
 * The `port-conflict` findings of a home, in either kind of configuration (rules/port-conflict.ts for carbon.xml,
 * toml/kind.ts for deployment.toml): every other home of `homes` that opens a port this home opens once offsets are
 * applied, the first MAX_HOMES_NAMED by name with the shared ports, the rest counted. All at `span`, the place to change
 * the offset; `offsetAdvice` words the lowest free offset in the file's own terms.
 */
export function portConflictReports(home: HomeFacts, homes: readonly HomeFacts[], span: TextSpan, offsetAdvice: (lowestFree: number) => string): FindingInput[] {
  if (home.offset.value === undefined) return [];
  const index = portIndexOf(homes);
  const { named, total } = index.conflictsOf(home, MAX_HOMES_NAMED);
  if (total === 0) return [];
  const mine = listeningPorts(home, home.offset.value);
  const lowestFree = index.lowestFreeOffset(home);
  const advice = lowestFree === null ? 'No offset for this home avoids every other home of the workspace.' : offsetAdvice(lowestFree);
  const reports: FindingInput[] = [];
  for (const { other, ports: shared } of named) {
    const theirs = listeningPorts(other, other.offset.value!);
    const ports = shared.map((port) => ({ port, here: labels(mine.get(port)!), there: labels(theirs.get(port)!) }));
    const listed = ports.map((p) => (p.here === p.there ? `${p.port} (${p.here})` : `${p.port} (${p.here} here, ${p.there} there)`)).join(', ');
    reports.push({
      span,
      message: `This home (${describeOffset(home.offset.value, home.offset.source)}) and the product home ${other.home.homeDir} (${describeOffset(other.offset.value!, other.offset.source)}) open the same ${shared.length === 1 ? 'port' : 'ports'}: ${listed}. Whichever starts second fails to bind. ${advice}`,
      data: { otherHome: other.home.homeDir, ports, lowestFreeOffset: lowestFree },
    });
  }
  const unreported = total - named.length;
  if (unreported > 0) {
    reports.push({
      span,
      message: `${unreported} more product home${unreported === 1 ? '' : 's'} of the workspace open ports this home opens too (only the first ${MAX_HOMES_NAMED} are named). Exclude copies that do not run on this host (the "exclude" setting), or give each home its own offset.`,
      data: { moreHomes: unreported, lowestFreeOffset: lowestFree },
    });
  }
  return reports;
}

function labels(ports: PortFact[]): string {
  return [...new Set(ports.map((p) => `${p.label} in ${p.confRelativePath}`))].join(' and ');
}
