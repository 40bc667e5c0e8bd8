import { test } from 'node:test';
import assert from 'node:assert/strict';
import Ajv from 'ajv';
import portTable from '../../../schemas/ports.json';
import portSchema from '../../../schemas/ports.schema.json';

/** schemas/ports.json is data a contributor edits to add a product: the schema and these checks catch the mistakes. */

const ajv = new Ajv({ allErrors: true, strict: true });
const validate = ajv.compile(portSchema);

function errorsOf(data: unknown): string[] {
  return validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

const copy = () => structuredClone(portTable) as unknown as Record<string, any>;

test('ports.json satisfies ports.schema.json', () => {
  assert.deepEqual(errorsOf(portTable), []);
});

test('the schema rejects what would break tables and hovers', () => {
  const beyond = copy();
  beyond.portSets.broker[0].default = 70000;
  assert.deepEqual(errorsOf(beyond), ['/portSets/broker/0/default must be <= 65535']);

  const unsourced = copy();
  delete unsourced.products[0].ports[0].source;
  assert.deepEqual(errorsOf(unsourced), ["/products/0/ports/0 must have required property 'source'"]);

  // A product port the offset does not move must say why (the table shows it).
  const unexplained = copy();
  const websocket = unexplained.products[0].ports.find((p: { offset: boolean }) => !p.offset);
  delete websocket.why;
  assert.ok(errorsOf(unexplained).includes(`/products/0/ports/${unexplained.products[0].ports.indexOf(websocket)} must have required property 'why'`));

  const contradictory = copy();
  contradictory.products[0].detect.push({ main: true, profile: 'broker' });
  assert.ok(errorsOf(contradictory).some((e) => e.startsWith('/products/0/detect/2 must NOT be valid')));

  const typo = copy();
  typo.products[0].detect[0] = { confFile: ['api-manager.xml'] };
  assert.ok(errorsOf(typo).includes('/products/0/detect/0 must NOT have additional properties'));

  const noWhy = copy();
  delete noWhy['catalina-server'].connector.redirectPort.why;
  assert.ok(errorsOf(noWhy).includes("/catalina-server/connector/redirectPort must have required property 'why'"));
});

test('product entries are consistent: unique ids, known port sets, profiles matching their detection', () => {
  const ids = portTable.products.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const product of portTable.products as { id: string; profile?: string; portSets?: string[]; detect: { profile?: string; main?: boolean }[] }[]) {
    for (const set of product.portSets ?? []) assert.ok(set in portTable.portSets, `${product.id}: unknown port set ${set}`);
    for (const condition of product.detect) {
      // A profile product is detected in its profile folder, or as the distribution's main home (EI integrator, IoT core).
      if (condition.profile !== undefined) assert.equal(condition.profile, product.profile, `${product.id}: detects profile ${condition.profile}`);
      if (condition.profile === undefined && !condition.main) assert.equal(product.profile, undefined, `${product.id}: a profile product detected outside a profile folder`);
    }
  }
  // Numbers that come from the product documentation, cited, not from memory.
  const apim = portTable.products.find((p) => p.id === 'apim')!;
  const cited = (source: string) => source.startsWith('APIM 2.') && source.includes('Changing the Default Ports with Offset');
  assert.deepEqual(
    apim.ports!.filter((p) => cited(p.source)).map((p) => [p.label, p.default, p.offset]),
    [
      ['Thrift key validation (client and server)', 10397, true],
      ['WebSocket inbound endpoint', 9099, false],
    ],
  );
  // Every other number is marked as not verified.
  const all = [...portTable.products.flatMap((p) => ('ports' in p ? p.ports ?? [] : [])), ...Object.values(portTable.portSets).flat()];
  for (const port of all) {
    if (!cited(port.source)) assert.equal(port.source, 'WSO2 default ports page (not verified against product code)', port.label);
  }
});
