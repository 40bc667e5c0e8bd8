// Assembles and packs the npm package `wso2-config`: the CLI and the language server for editors other than VS Code,
// pre-commit and CI, without the VS Code client.
//
// Why a separate folder: the root package.json is the VS Code extension's manifest (vsce reads it, with `main`,
// `contributes`, `activationEvents` and the client's dependencies); publishing it to npm would ship the client and
// declare dependencies the bundles do not need. packages/cli/package.json is the npm manifest; this script copies it
// into a staging folder with the root's version, bundles the server and the CLI there (minified, every dependency
// inlined by esbuild, so the package declares no dependencies), adds the bins, schemas, rule docs, CI recipe,
// README, CHANGELOG and LICENSE, and runs `npm pack`.
//
//   node scripts/npm-package.mjs [--stage DIR] [--pack-destination DIR]
//
// Defaults: .tmp/npm-package/ for the staging folder, .tmp/ for the tarball. Prints the tarball's path.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CLI_BUNDLE, SERVER_BUNDLE, bundleOptions } from './bundles.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { stage: { type: 'string' }, 'pack-destination': { type: 'string' } } });
const stage = path.resolve(values.stage ?? path.join(root, '.tmp', 'npm-package'));
const destination = path.resolve(values['pack-destination'] ?? path.join(root, '.tmp'));

fs.rmSync(stage, { recursive: true, force: true });
fs.mkdirSync(stage, { recursive: true });
fs.mkdirSync(destination, { recursive: true });

const rootManifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'packages', 'cli', 'package.json'), 'utf8'));
// One version for the extension and the package: the CLI's --version and the CHANGELOG follow the root's.
fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify({ name: manifest.name, version: rootManifest.version, ...manifest }, null, 2)}\n`);

await Promise.all(
  [SERVER_BUNDLE, CLI_BUNDLE].map((bundle) =>
    esbuild.build({ ...bundleOptions(true), ...bundle, absWorkingDir: root, outfile: path.join(stage, bundle.outfile) }),
  ),
);

const copy = (from, to = from) => fs.cpSync(path.join(root, from), path.join(stage, to), { recursive: true });
copy('bin');
copy('schemas');
copy('docs');
copy('packages/cli/README.md', 'README.md');
copy('CHANGELOG.md');
copy('LICENSE');
for (const bin of Object.values(manifest.bin)) fs.chmodSync(path.join(stage, bin), 0o755);

const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', destination], { cwd: stage, encoding: 'utf8' }));
console.log(path.join(destination, packed[0].filename));
