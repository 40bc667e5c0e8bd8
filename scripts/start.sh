#!/usr/bin/env bash
# `npm start`: builds the VSIX, starts code-server (VS Code in the browser) on 127.0.0.1 with the extension installed
# in a fresh profile and a copy of examples/ open, and prints the URL. Ctrl+C stops it (the whole process group).
# Needs no internet once code-server is installed (scripts/e2e/install-code-server.sh does that once, from npm).
#
#   npm start                 the sample product homes (a fresh copy of examples/ each start)
#   npm start -- /some/folder another folder, opened in place
#   WSO2_CONFIG_PORT=9000 npm start
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
STATE=$ROOT/.tmp/start

echo "== building the VSIX (npm run package)"
npm run --silent package </dev/null
VSIX=$ROOT/wso2-config.vsix

echo "== code-server"
# First start on this machine: the Debian packages code-server's install builds with (apt-get, as root or with sudo).
bash scripts/e2e/install-system.sh code-server || true
if ! CS=$(bash scripts/e2e/install-code-server.sh); then
  echo "code-server could not be installed: see the message above (packages: scripts/e2e/apt-code-server.txt)." >&2
  echo "The VSIX also installs into your own VS Code: code --install-extension $VSIX" >&2
  exit 1
fi

# A fresh profile every start; everything below .tmp/start (gitignored).
rm -rf "$STATE"
mkdir -p "$STATE"/{data/User,extensions,xdg/config,xdg/data,xdg/cache,xdg/state,tmp,logs}
TMP=$STATE/tmp
# VS Code puts Unix sockets (at most 107 bytes of path) in TMPDIR.
if [ ${#TMP} -gt 60 ]; then TMP=$(mktemp -d); fi
export XDG_CONFIG_HOME=$STATE/xdg/config XDG_DATA_HOME=$STATE/xdg/data XDG_CACHE_HOME=$STATE/xdg/cache XDG_STATE_HOME=$STATE/xdg/state TMPDIR=$TMP
cat > "$STATE/data/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "telemetry.telemetryLevel": "off",
  "security.workspace.trust.enabled": false,
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "update.mode": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "chat.commandCenter.enabled": false,
  "git.enabled": false
}
JSON

if [ $# -gt 0 ]; then
  FOLDER=$(cd "$1" && pwd)
else
  # A copy, so that trying the quick fixes leaves examples/ as committed. With a JDK, each home also gets the
  # keystore its carbon.xml names (a fresh self-signed key, public default passwords), so "Encrypt with Secure Vault"
  # works.
  FOLDER=$STATE/examples
  node -e '
    const h = require("./out/test/e2e/harness");
    h.copyExamples(process.argv[1], process.env, process.argv[2], { keystores: !!h.which("keytool") })
      .catch((e) => { console.error(e.message); process.exit(1); });
  ' "$FOLDER" "$STATE/logs"
  [ -n "$(command -v keytool)" ] || echo "(no keytool: the sample homes have no keystore, so Secure Vault encryption will report it missing)"
fi

"$CS" --install-extension "$VSIX" --extensions-dir "$STATE/extensions" --user-data-dir "$STATE/data" >"$STATE/logs/install.log" 2>&1 \
  || { cat "$STATE/logs/install.log" >&2; exit 1; }

port_free() { node -e 'const s=require("net").createServer().once("error",()=>process.exit(1)).listen(+process.argv[1],"127.0.0.1",()=>s.close())' "$1"; }
PORT=${WSO2_CONFIG_PORT:-8080}
if ! port_free "$PORT"; then
  PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
fi

: > "$STATE/config.yaml"   # otherwise code-server writes ~/.config/code-server/config.yaml with a password
setsid "$CS" --config "$STATE/config.yaml" --bind-addr "127.0.0.1:$PORT" --auth none \
  --disable-telemetry --disable-update-check --disable-workspace-trust --disable-getting-started-override \
  --user-data-dir "$STATE/data" --extensions-dir "$STATE/extensions" "$FOLDER" >"$STATE/logs/code-server.log" 2>&1 &
PGID=$!   # setsid: the pid is also the process-group id
stop() { trap - EXIT INT TERM; kill -- -"$PGID" 2>/dev/null || true; sleep 0.5; kill -9 -- -"$PGID" 2>/dev/null || true; }
trap stop EXIT INT TERM
for _ in $(seq 1 300); do
  node -e 'require("http").get(process.argv[1],(r)=>process.exit(r.statusCode===200?0:1)).on("error",()=>process.exit(1))' \
    "http://127.0.0.1:$PORT/healthz" && break
  kill -0 "$PGID" 2>/dev/null || { cat "$STATE/logs/code-server.log" >&2; exit 1; }
  sleep 0.1
done

URL="http://127.0.0.1:$PORT/?folder=$(node -e 'console.log(encodeURIComponent(process.argv[1]))' "$FOLDER")"
echo
echo "WSO2 Config in VS Code (code-server), VSIX $(du -k "$VSIX" | cut -f1) KB installed, folder $FOLDER:"
echo
echo "    $URL"
echo
echo "Open a carbon.xml: problems in the Problems panel (Ctrl+Shift+M), effective ports on hover, quick fixes with Ctrl+."
echo "Logs: $STATE/logs. Ctrl+C stops code-server."
wait "$PGID"
