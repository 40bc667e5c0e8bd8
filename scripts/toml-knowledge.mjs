#!/usr/bin/env node
// Builds schemas/toml/knowledge/<product>-<version>.json: the slice of the config mapper's default.json, infer.json
// and key-mappings.json that the deployment.toml rules and the port model need (secret keys, TLS lists, ports,
// databases, keystores), for homes whose own repository/resources/conf/*.json cannot be read.
//
// Input: the corpus copies of the shipped files (../shared/corpus, see its SOURCES.tsv for repository, path, tag).
// APIM and IS packs merge the kernel's files and features' files into the product's at build time
// (wso2-maven-json-merge-plugin; the product base wins): we merge kernel then product the same way. Feature files
// (carbon-apimgt, carbon-identity-framework) are not in the corpus, so their defaults are missing from the snapshot.
//
// Usage: node scripts/toml-knowledge.mjs [corpusDir] [outDir]
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = process.argv[2] ?? join(root, '..', 'shared', 'corpus');
const out = process.argv[3] ?? join(root, 'schemas', 'toml', 'knowledge');

const SNAPSHOTS = [
  {
    product: 'apim', version: '4.2.0',
    parts: [
      { dir: 'apim-4.2.0/build-parts/kernel-4.8.1', source: 'wso2/carbon-kernel v4.8.1 distribution/kernel/carbon-home/repository/resources/conf' },
      { dir: 'apim-4.2.0/build-parts/product', source: 'wso2/product-apim v4.2.0 modules/distribution/product/src/main/resources/conf' },
    ],
  },
  {
    product: 'is', version: '7.1.0',
    // IS 7.1.0 is built on kernel 4.10.42, whose files are not in the corpus; 4.9.26 is the closest kernel we have.
    parts: [
      { dir: 'kernel-4.9.26/repository/resources/conf', source: 'wso2/carbon-kernel v4.9.26 distribution/kernel/carbon-home/repository/resources/conf (IS 7.1.0 ships kernel 4.10.42)' },
      { dir: 'is-7.1.0/build-parts/product', source: 'wso2/product-is v7.1.0 modules/distribution/src/repository/resources/conf' },
    ],
  },
  {
    product: 'mi', version: '4.4.0',
    parts: [{ dir: 'mi-4.4.0/repository/resources/conf', source: 'wso2/product-micro-integrator v4.4.0 distribution/src/resources/config-tool' }],
  },
  {
    product: 'carbon', version: '4.9.26',
    parts: [{ dir: 'kernel-4.9.26/repository/resources/conf', source: 'wso2/carbon-kernel v4.9.26 distribution/kernel/carbon-home/repository/resources/conf' }],
  },
  {
    product: 'carbon', version: '4.6.0',
    parts: [{ dir: 'kernel-4.6.0/repository/resources/conf', source: 'wso2/carbon-kernel v4.6.0 distribution/kernel/carbon-home/repository/resources/conf' }],
  },
];

// What the rules and the port model look at. Anything else (thread pools, class names, menus) is left out.
const RELEVANT = /(password|Password|_pass$|secret|token|hash|(^|\.)key$|protocol|Protocol|cipher|Cipher|port|Port|offset|^database\.|^datasource|^internal_apis\.|^keystore\.|^truststore\.|^encryption\.|^user_store\.type$)/;
const NOISE = /(RegEx|regex|_regex|ViolationErrorMsg|password_hash_method|userstore_password_encryption|proxyPort|PortRange|port_range|PROTOCOL$)/;
const relevant = (key) => RELEVANT.test(key) && !NOISE.test(key);

function read(dir, name) {
  try { return JSON.parse(readFileSync(join(corpus, dir, `${name}.json`), 'utf8')); } catch { return {}; }
}

mkdirSync(out, { recursive: true });
for (const snapshot of SNAPSHOTS) {
  const defaults = {}; const infer = {}; const keyMappings = {};
  for (const part of snapshot.parts) {
    for (const [k, v] of Object.entries(read(part.dir, 'default'))) if (relevant(k)) defaults[k] = v;
    for (const [k, v] of Object.entries(read(part.dir, 'key-mappings'))) {
      const targets = Array.isArray(v) ? v : [v];
      if (relevant(k) || targets.some(relevant)) keyMappings[k] = v;
    }
    for (const [trigger, cases] of Object.entries(read(part.dir, 'infer'))) {
      if (!/^(database\.\$1\.type|user_store\.type)$/.test(trigger)) continue;
      const kept = infer[trigger] ?? {};
      for (const [value, implied] of Object.entries(cases)) {
        const slice = Object.fromEntries(Object.entries(implied).filter(([k]) => relevant(k) || /\.(url|driver)$/.test(k)));
        if (Object.keys(slice).length > 0) kept[value] = slice;
      }
      infer[trigger] = kept;
    }
  }
  const file = join(out, `${snapshot.product}-${snapshot.version}.json`);
  const data = { $schema: '../knowledge.schema.json', product: snapshot.product, version: snapshot.version, sources: snapshot.parts.map((p) => p.source), defaults, infer, keyMappings };
  writeFileSync(file, `${JSON.stringify(data, null, 1)}\n`);
  console.log(file, Object.keys(defaults).length, Object.keys(infer).length, Object.keys(keyMappings).length);
}
