import { test } from 'node:test';
import assert from 'node:assert/strict';
// The module object itself, so the spy below replaces what every caller uses (compiled to CommonJS).
import effective = require('../../../server/src/service/toml/effective');
import { MemoryFileSource } from '../../helpers';
import { FileContent, ProductHome, createService, mergeSettings } from '../../../server/src/service';

/**
 * A deployment.toml's model (its effective values) is built once per version: the analysis and the home facts its
 * port conflicts compare (offset, ports) read the same one. Before, the facts built their own, so every keystroke in
 * an open deployment.toml built the model twice.
 */

const TOML = (offset: number) => `[server]\nhostname = "localhost"\noffset = ${offset}\n`;

test('editing a deployment.toml builds its model once per version, for the analysis and the facts alike', async () => {
  const memory = new MemoryFileSource({ '/ws/a/repository/conf/deployment.toml': TOML(0), '/ws/b/repository/conf/deployment.toml': TOML(0) });
  let homes: ProductHome[] = [];
  const service = createService({ files: memory, knownHomes: () => homes });
  homes = memory.paths().map((p) => service.recognise(p)!.home!);
  const built: string[] = [];
  const original = effective.buildTomlModel;
  (effective as { buildTomlModel: typeof original }).buildTomlModel = (options) => {
    built.push(options.path);
    return original(options);
  };
  try {
    const path = '/ws/a/repository/conf/deployment.toml';
    for (const [version, offset] of [['1', 0], ['2', 0], ['3', 7]] as const) {
      // An edit: the file source (the editor's open document) holds the new version, the service hears of it, and
      // analyses that version.
      memory.set(path, `${TOML(offset)}# edit ${version}\n`);
      const content = (await memory.read(path)) as FileContent;
      built.length = 0;
      service.invalidate(path, 'content');
      const result = await service.analyse({ path, content, settings: mergeSettings() });
      const conflicts = result.findings.filter((f) => f.ruleId === 'port-conflict');
      assert.equal(conflicts.length, offset === 0 ? 1 : 0, `version ${version}: the conflict with b follows the offset`);
      assert.equal(built.filter((p) => p === path).length, 1, `version ${version}: ${built.join(', ')}`);
    }
  } finally {
    (effective as { buildTomlModel: typeof original }).buildTomlModel = original;
  }
});
