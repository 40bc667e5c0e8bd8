import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PartialSettings, createService, mergeSettings, workspaceJson } from '../../../server/src/service';
import { DiskFileSource } from '../../../server/src/node/disk-source';
import { NODE_DIRECTORY_READER } from '../../../server/src/node/home-scan';
import { portMapOf } from '../../../server/src/lsp/handlers/ports';
import type { PortMapResult } from '../../../server/src/protocol';
import { buildPortMapModel } from '../../../client/src/port-map/model';
import { contentSecurityPolicy, parsePortMapMessage, renderPortMapHtml } from '../../../client/src/port-map/html';
import { projectRoot } from '../../helpers';

/**
 * The port map ("WSO2: Show Effective Ports" in VS Code) on the samples of examples/: the server's wso2Config/portMap
 * answer (each port's file and place), the client's view model on a shared port axis, and the page's HTML.
 */

const EXAMPLES = path.join(projectRoot(), 'examples');
const AM = path.join(EXAMPLES, 'wso2am-2.6.0');
const EI = path.join(EXAMPLES, 'wso2ei-6.5.0');

/** The port map of examples/, with `portOffset` settings (e.g. a per-home -DportOffset). */
async function portMap(portOffset: PartialSettings['portOffset'] = null): Promise<PortMapResult> {
  const service = createService({ files: new DiskFileSource(), directories: NODE_DIRECTORY_READER });
  const settings = mergeSettings({ portOffset });
  const homes = await service.discoverHomes([EXAMPLES]);
  return portMapOf(workspaceJson(await service.portReport(homes, () => settings)));
}

let map: PortMapResult;
/**
 * A port of a deployment.toml home left at its default: the value is written nowhere in the home (the product's
 * default.json holds it), so the map has no place to open. The sample API Manager 4.2.0 home sets no port.
 */
const unplaced = (port: { how: string; file: string; location: unknown }) => port.location === null && port.file === 'deployment.toml' && port.how === 'default + offset';
before(async () => {
  map = await portMap();
});

const NONCE = 'bm9uY2Utb2YtdGhlLXRlc3Q=';

test('every port of the map opens the place its written value is at (file, line, columns)', () => {
  let checked = 0;
  let defaults = 0;
  for (const home of map.homes) {
    for (const port of home.ports) {
      if (unplaced(port)) {
        defaults++;
        continue;
      }
      assert.ok(port.location, `${home.name}: ${port.label} has a place`);
      const file = fileURLToPath(port.location.uri);
      assert.ok(file.startsWith(`${home.home}/`) && file.endsWith(port.file), `${file} is ${port.file} of ${home.home}`);
      const line = fs.readFileSync(file, 'utf8').split('\n')[port.location.line - 1];
      assert.equal(line.slice(port.location.column - 1, port.location.endColumn - 1), String(port.written), `${port.file}:${port.location.line}`);
      checked++;
    }
    if (home.offset.source === 'carbon.xml') {
      const line = fs.readFileSync(fileURLToPath(home.offset.location!.uri), 'utf8').split('\n')[home.offset.location!.line - 1];
      assert.match(line, new RegExp(`<Offset>\\s*${home.offset.value}\\s*</Offset>`));
    }
  }
  assert.ok(checked > 20, `${checked} ports checked`);
  assert.ok(defaults >= 10, `the toml home's ${defaults} default ports have no place`);
});

test('API Manager and the EI integrator profile at offset 0 conflict; the lowest free offset clears it, one less does not', async () => {
  assert.deepEqual(map.conflicts.map((c) => c.homes), [[AM, EI]]);
  assert.ok(map.conflicts[0].ports.includes(9443) && map.conflicts[0].ports.includes(8280));
  const am = map.homes.find((h) => h.home === AM)!;
  const kerberos = am.ports.find((p) => p.label === 'embedded Kerberos KDC')!;
  assert.deepEqual(kerberos.conflictsWith, [EI]);
  assert.equal(typeof am.lowestFreeOffset, 'number');
  const free = am.lowestFreeOffset as number;
  assert.ok(free > 0);
  // What the map promises, checked by running the report again with API Manager started at that -DportOffset.
  const cleared = await portMap({ 'wso2am-2.6.0': free });
  assert.ok(!cleared.conflicts.some((c) => c.homes.includes(AM)), `offset ${free} clears API Manager`);
  const short = await portMap({ 'wso2am-2.6.0': free - 1 });
  assert.ok(short.conflicts.some((c) => c.homes.includes(AM)), `offset ${free - 1} still collides`);
});

test('the view model: one row per effective port, conflicts marked on the row and the cells, offsets per home', () => {
  const model = buildPortMapModel(map);
  assert.deepEqual(model.homes.map((h) => h.home), map.homes.map((h) => h.home));
  const ports = model.rows.map((r) => r.port);
  assert.deepEqual(ports, [...ports].sort((a, b) => a - b));
  assert.equal(new Set(ports).size, ports.length);
  const amColumn = model.homes.findIndex((h) => h.home === AM);
  const eiColumn = model.homes.findIndex((h) => h.home === EI);
  for (const port of map.conflicts[0].ports) {
    const row = model.rows.find((r) => r.port === port)!;
    assert.ok(row.conflict, `row ${port} is a conflict`);
    assert.ok(row.cells[amColumn].some((c) => c.conflictsWith.includes(EI)), `${port} in API Manager's column`);
    assert.ok(row.cells[eiColumn].some((c) => c.conflictsWith.includes(AM)), `${port} in EI's column`);
  }
  // The IS home (offset 1) opens 9444, which nobody else does.
  assert.equal(model.rows.find((r) => r.port === 9444)?.conflict, false);
  const am = model.homes[amColumn];
  assert.ok(am.inConflict);
  assert.equal(am.lowestFreeText, `Lowest free offset: ${map.homes[amColumn].lowestFreeOffset}`);
  const is = model.homes.find((h) => h.home.endsWith('wso2is-5.6.0'))!;
  assert.equal(is.lowestFreeText, 'No conflict');
  // Every cell's target is a place of the report.
  const cells = model.rows.flatMap((r) => r.cells.flat());
  assert.equal(cells.length, map.homes.reduce((n, h) => n + h.ports.filter((p) => p.effective !== null).length, 0));
  const withoutPlace = map.homes.reduce((n, h) => n + h.ports.filter((p) => p.effective !== null && unplaced(p)).length, 0);
  assert.equal(cells.filter((c) => c.target === undefined).length, withoutPlace, 'only the toml defaults have no target');
  for (const cell of cells) if (cell.target !== undefined) assert.ok(model.targets[cell.target].line > 0);
});

test('the page: a strict CSP with the nonce, nothing remote, no inline handler, conflicts and lowest free offsets shown, each port a link to its line', () => {
  const model = buildPortMapModel(map);
  const html = renderPortMapHtml(model, { nonce: NONCE });
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
  assert.equal(csp, contentSecurityPolicy(NONCE));
  assert.match(csp!, /default-src 'none'/);
  assert.match(csp!, new RegExp(`script-src 'nonce-${NONCE}'`));
  assert.ok(!/unsafe-inline|unsafe-eval/.test(csp!));
  // Every script and style element carries the nonce; nothing is loaded from anywhere.
  assert.equal((html.match(/<script\b/g) ?? []).length, (html.match(/<script nonce="[^"]+">/g) ?? []).length);
  assert.equal((html.match(/<style\b/g) ?? []).length, (html.match(/<style nonce="[^"]+">/g) ?? []).length);
  assert.ok(!/\b(?:src|href)\s*=/i.test(html), 'no src or href attribute');
  assert.ok(!/https?:\/\/|\/\/[a-z]/i.test(html.replace(/<meta http-equiv[^>]*>/, '')), 'no URL');
  assert.ok(!/\son[a-z]+\s*=/i.test(html), 'no inline event handler');
  assert.ok(!/style\s*=/i.test(html), 'no inline style attribute');

  // Conflict rows: the port in the axis, marked.
  for (const port of map.conflicts[0].ports) assert.match(html, new RegExp(`<tr class="conflict[^"]*"><th scope="row" class="axis"[^>]*><span class="number">${port}</span><span class="marker"[^>]*>⚠ conflict</span>`));
  assert.ok(html.includes(`${map.homes.length} homes · `));
  assert.match(html, /1 conflicting pair of homes/);
  const am = map.homes.find((h) => h.home === AM)!;
  assert.ok(html.includes(`Lowest free offset: ${am.lowestFreeOffset}</div>`));

  // Each port is a button carrying the index of its place; the indexes cover every port of the report.
  const buttons = [...html.matchAll(/<button type="button" class="port[^"]*" data-target="(\d+)" title="([^"]*)">([^<]*)<\/button>/g)];
  const withoutPlace = map.homes.reduce((n, h) => n + h.ports.filter(unplaced).length, 0);
  assert.equal(buttons.length, map.homes.reduce((n, h) => n + h.ports.length, 0) - withoutPlace);
  for (const [, index, title] of buttons) {
    const target = model.targets[Number(index)];
    assert.ok(target.uri.startsWith('file:///') && target.line > 0);
    assert.ok(title.includes(`:${target.line}`), `the tooltip names the line: ${title}`);
  }
  assert.equal((html.match(/<button type="button" class="port[^"]*" disabled/g) ?? []).length, withoutPlace, 'only the toml defaults are disabled');
});

test('the page escapes what the files say, and the panel accepts only known messages with an index in range', () => {
  const hostile: PortMapResult = {
    homes: [
      {
        home: '/srv/<img src=x onerror=alert(1)>',
        name: '</th><script>alert(1)</script>',
        offset: { value: 0, source: 'carbon.xml', location: null },
        lowestFreeOffset: undefined,
        ports: [{ label: '"><b>x', file: 'carbon.xml', written: 9443, effective: 9443, how: '+ offset', listening: true, location: { uri: 'file:///srv/carbon.xml', line: 3, column: 5, endColumn: 9 }, conflictsWith: [] }],
        defaultPortCount: 0,
      },
    ],
    conflicts: [],
  };
  const html = renderPortMapHtml(buildPortMapModel(hostile), { nonce: NONCE });
  assert.ok(!html.includes('<script>alert'));
  assert.ok(!html.includes('<img'));
  assert.ok(!html.includes('"><b>'));
  assert.ok(html.includes('&lt;/th&gt;&lt;script&gt;alert(1)&lt;/script&gt;'));

  assert.deepEqual(parsePortMapMessage({ type: 'open', target: 0 }, 1), { type: 'open', target: 0 });
  assert.deepEqual(parsePortMapMessage({ type: 'refresh' }, 0), { type: 'refresh' });
  for (const bad of [{ type: 'open', target: 1 }, { type: 'open', target: -1 }, { type: 'open', target: 0.5 }, { type: 'open', target: '0' }, { type: 'open', uri: 'file:///etc/passwd' }, null, 'open', { type: 'eval' }]) {
    assert.equal(parsePortMapMessage(bad, 1), undefined, JSON.stringify(bad));
  }
});
