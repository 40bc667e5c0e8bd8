import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PortIndex, findPortConflicts, listeningPorts, lowestFreeOffset } from '../../../server/src/service/ports/conflicts';
import { PortFact } from '../../../server/src/service/ports/values';
import { HomeFacts } from '../../../server/src/service/workspace/facts';

/**
 * The index from port to homes answers what comparing every pair of homes answered (fast-check: random homes, ports,
 * offsets and copies), and a workspace of thousands of copies at one offset is answered home by home without
 * visiting its millions of pairs.
 */

function portFact(configured: number | undefined, offsetApplies: boolean, listening = true): PortFact {
  return { path: '/x', confRelativePath: 'carbon.xml', span: { start: 0, end: 0 }, label: `port ${configured}`, configured, offsetApplies, listening };
}

function homeFacts(name: string, offset: number | undefined, ports: PortFact[]): HomeFacts {
  return {
    home: { homeDir: `/ws/${name}`, confDir: `/ws/${name}/repository/conf`, layout: 'repository/conf', distributionDir: `/ws/${name}` },
    offset: { value: offset, source: 'carbon.xml', carbonXml: undefined },
    ports,
    datasources: [],
    generatedBy: undefined,
    product: undefined,
  } as unknown as HomeFacts;
}

/** What the rule computed before the index: every other home compared with this one. */
function pairwise(home: HomeFacts, homes: readonly HomeFacts[]) {
  const others = homes.filter((h) => h !== home && h.offset.value !== undefined);
  const mine = listeningPorts(home, home.offset.value!);
  const conflicting = others
    .map((other) => ({ other, ports: [...mine.keys()].filter((p) => listeningPorts(other, other.offset.value!).has(p)).sort((a, b) => a - b) }))
    .filter((c) => c.ports.length > 0);
  return { conflicting, lowestFree: conflicting.length > 0 ? lowestFreeOffset(home, others) : undefined };
}

const portArbitrary = fc.record({ configured: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }), offsetApplies: fc.boolean(), listening: fc.boolean() });
const homeArbitrary = fc.record({ offset: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }), ports: fc.array(portArbitrary, { maxLength: 5 }), copies: fc.integer({ min: 1, max: 3 }) });

test('the port index names the homes, ports and lowest free offset that comparing every pair gives', () => {
  fc.assert(
    fc.property(fc.array(homeArbitrary, { maxLength: 9 }), fc.integer({ min: 1, max: 4 }), (specs, limit) => {
      const homes = specs.flatMap((spec, i) => Array.from({ length: spec.copies }, (_, c) => homeFacts(`h${i}-${c}`, spec.offset, spec.ports.map((p) => portFact(p.configured, p.offsetApplies, p.listening)))));
      const index = new PortIndex(homes);
      for (const home of homes.filter((h) => h.offset.value !== undefined)) {
        const expected = pairwise(home, homes);
        const actual = index.conflictsOf(home, limit);
        assert.equal(actual.total, expected.conflicting.length);
        assert.deepEqual(
          actual.named.map((n) => [n.other.home.homeDir, n.ports]),
          expected.conflicting.slice(0, limit).map((c) => [c.other.home.homeDir, c.ports]),
        );
        if (expected.lowestFree !== undefined) assert.equal(index.lowestFreeOffset(home), expected.lowestFree);
      }
      // Every pair that shares a port, once, in input order.
      const pairs = findPortConflicts(homes).map((c) => `${c.a.home.homeDir}|${c.b.home.homeDir}|${c.ports.map((p) => p.port).join(',')}`);
      const known = homes.filter((h) => h.offset.value !== undefined);
      const expectedPairs: string[] = [];
      for (let i = 0; i < known.length; i++) {
        for (let j = i + 1; j < known.length; j++) {
          const shared = [...listeningPorts(known[i], known[i].offset.value!).keys()].filter((p) => listeningPorts(known[j], known[j].offset.value!).has(p)).sort((a, b) => a - b);
          if (shared.length > 0) expectedPairs.push(`${known[i].home.homeDir}|${known[j].home.homeDir}|${shared.join(',')}`);
        }
      }
      assert.deepEqual(pairs, expectedPairs);
    }),
    { numRuns: 500 },
  );
});

test('5,000 copies of three products at offset 0: every home answered through the index, not through 12.5 million pairs', { timeout: 60_000 }, () => {
  const products = [
    [portFact(9443, true), portFact(9763, true), portFact(10389, true), portFact(8280, true)],
    [portFact(9443, true), portFact(9763, true), portFact(9999, true)],
    [portFact(5672, true), portFact(8672, true)],
  ];
  const homes = Array.from({ length: 5_000 }, (_, i) => homeFacts(`copy-${i}`, 0, products[i % 3]));
  const index = new PortIndex(homes);
  let named = 0;
  for (const home of homes) {
    const { named: first, total } = index.conflictsOf(home, 10);
    named += first.length;
    // APIM and IS copies collide with each other (9443, 9763); the broker copies only among themselves.
    assert.equal(total, home.ports.length === 2 ? 1_666 - 1 : 3_334 - 1);
    assert.equal(index.lowestFreeOffset(home), 1);
  }
  assert.equal(named, 5_000 * 10);
});
