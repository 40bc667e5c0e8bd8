// Bundles the client, the language server and the CLI into one file each under dist/, so the VSIX carries no
// node_modules and starts fast. `--watch` rebuilds on change; `--production` minifies without source maps.
import * as esbuild from 'esbuild';
import { CLIENT_BUNDLE, CLI_BUNDLE, SERVER_BUNDLE, bundleOptions } from './scripts/bundles.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = bundleOptions(production);
const builds = [CLIENT_BUNDLE, SERVER_BUNDLE, CLI_BUNDLE];

if (watch) {
  for (const build of builds) await (await esbuild.context({ ...common, ...build })).watch();
} else {
  await Promise.all(builds.map((build) => esbuild.build({ ...common, ...build })));
}
