import { test } from 'node:test';
import assert from 'node:assert/strict';
import Ajv from 'ajv';
import portTable from '../../../schemas/ports.json';
import portSchema from '../../../schemas/ports.schema.json';
import products from '../../../schemas/products.json';

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

  const unnamed = copy();
  delete unnamed.products[0].product;
  assert.ok(errorsOf(unnamed).includes("/products/0 must have required property 'product'"));

  const typo = copy();
  typo.products[0].detect = [{ confFiles: ['api-manager.xml'] }];
  assert.ok(errorsOf(typo).includes('/products/0 must NOT have additional properties'));

  const noWhy = copy();
  delete noWhy['catalina-server'].connector.redirectPort.why;
  assert.ok(errorsOf(noWhy).includes("/catalina-server/connector/redirectPort must have required property 'why'"));
});

test('product entries are consistent: unique ids, products of schemas/products.json, known port sets, one entry per folder', () => {
  const ids = portTable.products.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length);
  const known = new Set(products.products.map((p) => p.id));
  const folders = new Set<string>();
  for (const entry of portTable.products as { id: string; product: string; profile?: string; main?: boolean; portSets?: string[] }[]) {
    assert.ok(known.has(entry.product), `${entry.id}: ${entry.product} is no product of schemas/products.json`);
    for (const set of entry.portSets ?? []) assert.ok(set in portTable.portSets, `${entry.id}: unknown port set ${set}`);
    // The first entry of a product whose folder matches wins: a second one for the same folder would never be used.
    const folder = `${entry.product} ${entry.main ? '(main)' : entry.profile ?? '(any)'}`;
    assert.ok(!folders.has(folder), `${entry.id}: a second entry for ${folder}`);
    folders.add(folder);
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
