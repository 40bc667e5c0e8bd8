import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import Ajv from 'ajv';
import rulesData from '../../../schemas/toml/deployment-toml.json';
import rulesSchema from '../../../schemas/toml/deployment-toml.schema.json';
import knowledgeSchema from '../../../schemas/toml/knowledge.schema.json';
import { corpusDir, projectRoot } from '../../helpers';

/** The deployment.toml knowledge is data a contributor edits: its schemas catch mistakes, and the snapshots are reproducible. */

const KNOWLEDGE_DIR = path.join(projectRoot(), 'schemas', 'toml', 'knowledge');

function errorsOf(schema: object, data: unknown): string[] {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  return validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

test('deployment-toml.json satisfies its schema, and the schema rejects a broken endpoint', () => {
  assert.deepEqual(errorsOf(rulesSchema, rulesData), []);
  const broken = structuredClone(rulesData) as unknown as { tls: { endpoints: Record<string, unknown>[] } };
  delete broken.tls.endpoints[0].protocols;
  assert.deepEqual(errorsOf(rulesSchema, broken), ["/tls/endpoints/0 must have required property 'protocols'"]);
});

test('every bundled snapshot satisfies knowledge.schema.json', () => {
  const files = fs.readdirSync(KNOWLEDGE_DIR).filter((f) => f.endsWith('.json'));
  assert.ok(files.length >= 5);
  for (const file of files) {
    const data = JSON.parse(fs.readFileSync(path.join(KNOWLEDGE_DIR, file), 'utf8'));
    assert.deepEqual(errorsOf(knowledgeSchema, data), [], file);
    assert.equal(`${data.product}-${data.version}.json`, file);
  }
});

const CORPUS = corpusDir();

test('the snapshots are what scripts/toml-knowledge.mjs derives from the corpus', { skip: CORPUS === undefined ? 'no corpus' : false }, () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'toml-knowledge-'));
  try {
    execFileSync(process.execPath, [path.join(projectRoot(), 'scripts', 'toml-knowledge.mjs'), CORPUS!, out], { stdio: 'pipe' });
    for (const file of fs.readdirSync(KNOWLEDGE_DIR)) {
      assert.equal(fs.readFileSync(path.join(out, file), 'utf8'), fs.readFileSync(path.join(KNOWLEDGE_DIR, file), 'utf8'), file);
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
