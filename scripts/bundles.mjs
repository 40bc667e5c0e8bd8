// The esbuild bundles, shared by esbuild.mjs (the VSIX's dist/) and scripts/npm-package.mjs (the npm package): one
// self-contained file per entry point, every dependency inlined, so neither package carries node_modules.

/** Options common to every bundle; `production` minifies without source maps. */
export function bundleOptions(production) {
  return {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: production,
    sourcemap: production ? false : 'linked',
    logLevel: 'warning',
    legalComments: 'none',
    // jsonc-parser's UMD build requires its modules dynamically, which a bundle cannot follow; take the ES module build.
    mainFields: ['module', 'main'],
  };
}

/** The VS Code client: only the VSIX carries it (`vscode` is the extension host's). */
export const CLIENT_BUNDLE = { entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] };
/** The language server and the CLI: in the VSIX and in the npm package. */
export const SERVER_BUNDLE = { entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server.js' };
export const CLI_BUNDLE = { entryPoints: ['server/src/cli/bin.ts'], outfile: 'dist/cli.js' };
