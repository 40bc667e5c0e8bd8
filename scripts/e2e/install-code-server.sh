#!/usr/bin/env bash
# Installs code-server (pinned) into a cache folder outside the project, once; prints the path of its binary.
# code-server is a tool for the end-to-end tests and `npm start`, not a dependency of the project.
#
# Offline-friendly install (npm registry only), as ../shared/e2e.md verified:
#   - @vscode/ripgrep's postinstall downloads rg from GitHub unless it finds a tarball in
#     $TMPDIR/vscode-ripgrep-cache-<version>/: we seed it with Debian's /usr/bin/rg;
#   - node-gyp downloads Node headers unless npm_config_nodedir points at the installed ones (/usr);
#   - code-server's postinstall refuses to run as root without unsafe_perm; node-pty's runs `npx node-gyp`,
#     which aborts when ~/.npmrc says yes=false.
# Needs the Debian packages of scripts/e2e/apt-code-server.txt (`bash scripts/e2e/install-system.sh code-server`).
# The cache folder is WSO2_CONFIG_E2E_CACHE, default ~/.cache/wso2-config-e2e: outside the clone, so that CI runs and
# fresh clones on the same machine reuse it.
set -euo pipefail
VERSION=4.100.3
RIPGREP_CACHE=vscode-ripgrep-cache-1.15.11
RIPGREP_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
CACHE=${WSO2_CONFIG_E2E_CACHE:-${HOME}/.cache/wso2-config-e2e}
DIR=$CACHE/code-server-$VERSION
BIN=$DIR/node_modules/.bin/code-server

if [ -x "$BIN" ] && [ -f "$DIR/.complete" ]; then
  echo "$BIN"
  exit 0
fi
for tool in rg make g++ python3 pkg-config; do
  command -v "$tool" >/dev/null || { echo "install-code-server: '$tool' is missing; run: bash scripts/e2e/install-system.sh code-server" >&2; exit 1; }
done

rm -rf "$DIR"
mkdir -p "$DIR/tmp/$RIPGREP_CACHE" "$DIR/tmp/rg"
cp "$(command -v rg)" "$DIR/tmp/rg/rg"
tar czf "$DIR/tmp/$RIPGREP_CACHE/$RIPGREP_ASSET" -C "$DIR/tmp/rg" rg
cd "$DIR"
printf '{ "name": "code-server-cache", "private": true }\n' > package.json
echo "install-code-server: installing code-server@$VERSION into $DIR (about a minute)" >&2
TMPDIR=$DIR/tmp npm_config_unsafe_perm=true npm_config_yes=true npm_config_nodedir=${npm_config_nodedir:-/usr} \
  npm install --no-audit --no-fund --no-save --loglevel=error "code-server@$VERSION" >"$DIR/install.log" 2>&1 \
  || { tail -40 "$DIR/install.log" >&2; echo "install-code-server: npm install failed (log: $DIR/install.log)" >&2; exit 1; }
rm -rf "$DIR/tmp"
"$BIN" --version >/dev/null
touch "$DIR/.complete"
echo "$BIN"
