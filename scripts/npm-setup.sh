#!/usr/bin/env bash
# npm-setup.sh DIR: install DIR's npm packages from its committed lock file,
# skipping the install when node_modules already matches the lock's hash.
# Used by scripts/test.sh for the real MCP servers and Backstage backend.
set -euo pipefail
dir="$1"
[ -f "$dir/package-lock.json" ] || { echo "npm-setup: $dir/package-lock.json missing" >&2; exit 1; }
want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
stamp="$dir/node_modules/.bsai-lock-hash"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "npm-setup: installing $dir (lock changed or first run)" >&2
# better-sqlite3 compiles from source and needs the node headers shipped in /usr.
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
echo "$want" > "$stamp"
