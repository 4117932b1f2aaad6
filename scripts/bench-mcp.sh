#!/usr/bin/env bash
# bench-mcp.sh [N]: wall time of one MCP tool call from a cold start,
#   bsai mcp call everything echo message=hi
# versus the same call through the MCP Inspector CLI
#   npx @modelcontextprotocol/inspector --cli node …/server-everything stdio --method tools/call …
# Both spawn server-everything over stdio, initialise, call echo and exit.
# Runs alternate (bsai, inspector, bsai, …) so load changes hit both alike.
# Prints each median and the ratio bsai/inspector (target ≤ 0.5).
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=local
N="${1:-${N:-7}}"
dir=test/mcp-servers
./scripts/npm-setup.sh "$dir"
entry="$PWD/$dir/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
[ -f "$entry" ] || { echo "bench-mcp: $entry missing" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/bsai" .
cat > "$tmp/app-config.yaml" <<YAML
bsai:
  mcp:
    servers:
      everything:
        command: node
        args: ["$entry", "stdio"]
YAML

# now_ms prints a monotonic-enough wall clock in milliseconds.
now_ms() { date +%s%3N; }

run_bsai() {
  out=$("$tmp/bsai" -c "$tmp/app-config.yaml" mcp call everything echo message=hi)
  [ "$out" = "Echo: hi" ] || { echo "bench-mcp: unexpected bsai output: $out" >&2; exit 1; }
}
run_inspector() {
  out=$(cd "$dir" && npx --no -- @modelcontextprotocol/inspector --cli node "$entry" stdio \
    --method tools/call --tool-name echo --tool-arg message=hi)
  case "$out" in *"Echo: hi"*) ;; *) echo "bench-mcp: unexpected inspector output: $out" >&2; exit 1 ;; esac
}

# One warm-up each (page cache, npx resolution), not counted.
run_bsai; run_inspector
: > "$tmp/bsai.ms"; : > "$tmp/insp.ms"
for i in $(seq "$N"); do
  t0=$(now_ms); run_bsai; t1=$(now_ms)
  echo $((t1 - t0)) >> "$tmp/bsai.ms"
  t0=$(now_ms); run_inspector; t1=$(now_ms)
  echo $((t1 - t0)) >> "$tmp/insp.ms"
  echo "run $i: bsai $(tail -1 "$tmp/bsai.ms") ms, inspector $(tail -1 "$tmp/insp.ms") ms" >&2
done

median() { sort -n "$1" | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
mb=$(median "$tmp/bsai.ms")
mi=$(median "$tmp/insp.ms")
ratio=$(awk -v b="$mb" -v i="$mi" 'BEGIN {printf "%.2f", b/i}')
echo "mcp call echo, $N runs each (cold start: spawn server, initialise, call, exit)"
echo "  bsai mcp call           median ${mb} ms"
echo "  inspector --cli (npx)   median ${mi} ms"
echo "  ratio bsai/inspector    ${ratio} (target <= 0.50)"
