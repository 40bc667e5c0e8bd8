#!/usr/bin/env bash
# Installs Debian packages for code-server and the end-to-end tests, from the lists beside this script:
#   install-system.sh                  both lists (CI)
#   install-system.sh code-server      apt-code-server.txt only (npm start)
# Does nothing when every package is installed already; needs root (or sudo) otherwise.
set -euo pipefail
cd "$(dirname "$0")"
lists=("$@")
[ ${#lists[@]} -gt 0 ] || lists=(code-server tests)
packages=()
for list in "${lists[@]}"; do
  mapfile -t -O "${#packages[@]}" packages < <(grep -v '^\s*#' "apt-$list.txt" | grep -v '^\s*$')
done
missing=()
for p in "${packages[@]}"; do
  # A JDK already on the PATH will do.
  if [ "$p" = default-jdk-headless ] && command -v keytool >/dev/null && command -v java >/dev/null; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-system: all packages present (${lists[*]})"
  exit 0
fi
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
echo "install-system: apt-get install ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
