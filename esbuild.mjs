// Bundles the client, the language server and the CLI into one file each under dist/, so the VSIX carries no
// node_modules and starts fast. `--watch` rebuilds on change; `--production` minifies without source maps.
import * as fs from 'node:fs';
import * as esbuild from 'esbuild';
import { CLIENT_BUNDLE, CLI_BUNDLE, SERVER_BUNDLE, bundleOptions } from './scripts/bundles.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = bundleOptions(production);
const builds = [CLIENT_BUNDLE, SERVER_BUNDLE, CLI_BUNDLE];

// A production bundle has no source map, so a map left by an earlier development build would describe other code:
// remove it, so that profiles and stack traces never map the shipped bundle to the wrong source.
if (production) for (const build of builds) fs.rmSync(`${build.outfile}.map`, { force: true });

if (watch) {
  for (const build of builds) await (await esbuild.context({ ...common, ...build })).watch();
} else {
  await Promise.all(builds.map((build) => esbuild.build({ ...common, ...build })));
}
