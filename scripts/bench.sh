#!/usr/bin/env bash
# bench.sh: one-shot performance snapshot. Everything is measured in this
# run on this machine and reported as ratios against a baseline measured
# alongside it, so numbers from different machines compare by their ratios.
# Prints a table and writes BENCHMARKS.md (machine, date, raw numbers).
#
#   scripts/bench.sh                  # defaults: ~3-6 minutes on 2 cores
#   RUNS=50 BENCHTIME=1s scripts/bench.sh
#   BENCH_OUT=/tmp/b.md scripts/bench.sh   # write elsewhere
#   BSAI_BENCH_BIN=./bsai scripts/bench.sh  # use a prebuilt binary
#   MCP_RUNS=7 (runs of scripts/bench-mcp.sh, which builds its own binary)
#
# Parts that need something missing (npm packages, a subcommand that has
# not landed) are reported as "skipped: why" instead of failing the run.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=local
RUNS=${RUNS:-20}
BENCHTIME=${BENCHTIME:-300ms}
OUT=${BENCH_OUT:-BENCHMARKS.md}
tmp=$(mktemp -d)
backend_pgid=""
cleanup() {
  if [ -n "$backend_pgid" ]; then kill -TERM -- "-$backend_pgid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

rows=()      # markdown table rows: | what | value | baseline | ratio |
notes=()     # free-form lines
row() { rows+=("| $1 | $2 | $3 | $4 |"); printf '  %-52s %14s %14s %8s\n' "$1" "$2" "$3" "$4" >&2; }
note() { notes+=("$1"); echo "  $1" >&2; }

now_ns() { date +%s%N; }
# median_ms N cmd...: run cmd N times (output discarded), print the median
# wall time in milliseconds with two decimals.
median_ms() {
  local n=$1; shift
  local i t0 t1
  for ((i = 0; i < n; i++)); do
    t0=$(now_ns)
    "$@" >/dev/null 2>&1 || true
    t1=$(now_ns)
    echo $((t1 - t0))
  done | sort -n | awk '{a[NR]=$1} END {m = (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf "%.2f", m/1e6}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a/b; else print "n/a" }'; }
# peak_rss_mb cmd...: peak resident set size of cmd (and its children).
peak_rss_mb() {
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M' -o "$tmp/rss" "$@" >/dev/null 2>&1 || true
    awk '{printf "%.1f MB", $1/1024}' "$tmp/rss"
  else
    echo "n/a (install GNU time)"
  fi
}

machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.1f GB RAM", $2/1048576}' /proc/meminfo)"
date_utc=$(date -u +%Y-%m-%dT%H:%MZ)
commit=${BENCH_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}
echo "bench: $machine, $date_utc, commit $commit" >&2

if [ -n "${BSAI_BENCH_BIN:-}" ]; then
  cp "$BSAI_BENCH_BIN" "$tmp/bsai"
else
  echo "bench: building" >&2
  go build -o "$tmp/bsai" .
fi
# Baseline for startup: the smallest Go program built by the same toolchain,
# so the ratio shows what bsai's own init (cobra tree, imports) costs.
mkdir -p "$tmp/hello"
cat >"$tmp/hello/main.go" <<'EOF'
package main

import "fmt"

func main() { fmt.Println("hello") }
EOF
(cd "$tmp/hello" && GO111MODULE=off go build -o "$tmp/hello-bin" main.go)

echo "bench: startup ($RUNS runs each, median)" >&2
base=$(median_ms "$RUNS" "$tmp/hello-bin")
help=$(median_ms "$RUNS" "$tmp/bsai" --help)
ver=$(median_ms "$RUNS" "$tmp/bsai" version)
row "bsai --help (startup)" "${help} ms" "${base} ms (hello.go)" "$(ratio "$help" "$base")"
row "bsai version" "${ver} ms" "${base} ms (hello.go)" "$(ratio "$ver" "$base")"
row "peak RSS, bsai --help" "$(peak_rss_mb "$tmp/bsai" --help)" "$(peak_rss_mb "$tmp/hello-bin")" ""

# Offline catalog commands on the examples (files source), when they exist.
cfg="examples/app-config.yaml"
if "$tmp/bsai" -c "$cfg" catalog list -o json >/dev/null 2>&1; then
  cl=$(median_ms "$RUNS" "$tmp/bsai" -c "$cfg" catalog list -o json)
  row "bsai catalog list (examples, files)" "${cl} ms" "${base} ms (hello.go)" "$(ratio "$cl" "$base")"
  row "peak RSS, bsai catalog list" "$(peak_rss_mb "$tmp/bsai" -c "$cfg" catalog list -o json)" "" ""
else
  note "catalog list on the examples: skipped (command not available or failing)"
fi
if "$tmp/bsai" -c "$cfg" --offline ask "who owns payments?" >/dev/null 2>&1; then
  as=$(median_ms "$RUNS" "$tmp/bsai" -c "$cfg" --offline ask "who owns payments?")
  row "bsai ask --offline (examples)" "${as} ms" "${base} ms (hello.go)" "$(ratio "$as" "$base")"
  row "peak RSS, bsai ask --offline" "$(peak_rss_mb "$tmp/bsai" -c "$cfg" --offline ask "who owns payments?")" "" ""
else
  note "ask --offline on the examples: skipped (command not available or failing)"
fi

# bsai ask over a 100k-entity files catalog: the on-disk caches hit (warm:
# the catalog snapshot and the index) and missed (--refresh: parse, build
# and save both) against the path without them (the cache directory cannot
# be created, so every call parses the YAML and builds the index), all
# three in this run.
ASK_RUNS=${ASK_RUNS:-5}
mkdir -p "$tmp/cat100k" "$tmp/askcache"
python3 - "$tmp/cat100k" <<'PY'
import os, sys
out, n = sys.argv[1], 100_000
groups, systems = n // 100, n // 50
words = "payments ledger search billing orders inventory auth gateway reports media".split()
docs = []
for i in range(groups):
    docs.append(f"apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: group-{i}\nspec:\n  type: team\n  children: []\n")
for i in range(systems):
    docs.append(f"apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: system-{i}\n  description: the {words[i % 10]} system\nspec:\n  owner: group-{i % groups}\n")
for i in range(n - groups - systems):
    dep = f"\n  dependsOn: [component:component-{(i * 7 + 1) % (n - groups - systems)}]" if i % 3 == 0 else ""
    docs.append(f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: component-{i}\n"
                f"  description: {words[i % 10]} service for {words[(i // 10) % 10]} and {words[(i // 100) % 10]}\n  tags: [{words[i % 7]}]\n"
                f"spec:\n  type: service\n  lifecycle: production\n  owner: group-{i % groups}\n  system: system-{i % systems}{dep}\n")
for f in range(0, len(docs), 1000):
    with open(os.path.join(out, f"part-{f // 1000:04d}.yaml"), "w") as fh:
        fh.write("---\n".join(docs[f:f + 1000]))
PY
# Dated an hour back: a files catalog changed within the last 2 s is not
# snapshotted (see pkg/catalog/snapshot.go), and this one was just written.
find "$tmp/cat100k" -type f -exec touch -d '1 hour ago' {} +
askq="who owns component-17?"
if XDG_CACHE_HOME="$tmp/askcache" "$tmp/bsai" -c "$cfg" --catalog "$tmp/cat100k" --offline ask "$askq" >/dev/null 2>&1; then
  echo "bench: ask over 100k entities ($ASK_RUNS runs each)" >&2
  warm=$(XDG_CACHE_HOME="$tmp/askcache" median_ms "$ASK_RUNS" "$tmp/bsai" -c "$cfg" --catalog "$tmp/cat100k" --offline ask "$askq")
  cold=$(XDG_CACHE_HOME="$tmp/askcache" median_ms "$ASK_RUNS" "$tmp/bsai" -c "$cfg" --catalog "$tmp/cat100k" --offline --refresh ask "$askq")
  nocache=$(XDG_CACHE_HOME=/proc/bsai-no-cache median_ms "$ASK_RUNS" "$tmp/bsai" -c "$cfg" --catalog "$tmp/cat100k" --offline ask "$askq")
  row "bsai ask --offline (100k files, warm caches)" "${warm} ms" "${nocache} ms (no caches)" "$(ratio "$warm" "$nocache")"
  row "bsai ask --offline --refresh (100k, parse+build+save)" "${cold} ms" "${nocache} ms (no caches)" "$(ratio "$cold" "$nocache")"
else
  note "ask over 100k entities: skipped (command failing)"
fi

# MCP: bsai mcp call vs the MCP Inspector CLI on the same server-everything
# call. scripts/bench-mcp.sh owns that comparison; its output is included.
mcp_out=""
if [ -x scripts/bench-mcp.sh ]; then
  echo "bench: scripts/bench-mcp.sh" >&2
  if mcp_out=$(N="${MCP_RUNS:-7}" scripts/bench-mcp.sh 2>"$tmp/bench-mcp.err"); then
    echo "$mcp_out" >&2
  else
    note "scripts/bench-mcp.sh failed: $(tail -3 "$tmp/bench-mcp.err" | tr '\n' ' ')"
    mcp_out=""
  fi
else
  # Fallback when scripts/bench-mcp.sh is absent: the same get-sum call on
  # server-everything (stdio), each run spawning the server, through bsai
  # and through the Inspector CLI as users run it.
  ms=test/mcp-servers/node_modules
  ev="$PWD/$ms/@modelcontextprotocol/server-everything/dist/index.js"
  if [ -f "$ev" ] && [ -x "$ms/.bin/mcp-inspector" ]; then
    echo "bench: bsai mcp call vs MCP Inspector CLI (server-everything get-sum)" >&2
    printf '{"mcpServers":{"everything":{"command":"node","args":["%s"]}}}\n' "$ev" >"$tmp/mcp.json"
    mruns=$(( RUNS < 5 ? RUNS : 5 ))
    bm=$(median_ms "$mruns" "$tmp/bsai" --mcp-config "$tmp/mcp.json" mcp call everything get-sum a=1 b=2)
    im=$(median_ms "$mruns" "$ms/.bin/mcp-inspector" --cli node "$ev" --method tools/call --tool-name get-sum --tool-arg a=1 --tool-arg b=2)
    row "bsai mcp call everything get-sum (stdio, $mruns runs)" "${bm} ms" "${im} ms (inspector --cli)" "$(ratio "$bm" "$im")"
    row "peak RSS, bsai mcp call (incl. server)" "$(peak_rss_mb "$tmp/bsai" --mcp-config "$tmp/mcp.json" mcp call everything get-sum a=1 b=2)" \
      "$(peak_rss_mb "$ms/.bin/mcp-inspector" --cli node "$ev" --method tools/call --tool-name get-sum --tool-arg a=1 --tool-arg b=2)" ""
  else
    note "bsai mcp call vs MCP Inspector CLI: skipped (run scripts/npm-setup.sh test/mcp-servers)"
  fi
fi

# The real Backstage backend: ready time, RSS, and bsai against it vs a raw
# curl of the same API (the floor for any client).
backend_rows=()
bs=test/e2e/backstage
if [ -f "$bs/node_modules/@backstage/backend-defaults/package.json" ] && command -v node >/dev/null; then
  echo "bench: starting the e2e Backstage backend" >&2
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 17999)
  url="http://127.0.0.1:$port"
  t0=$(now_ns)
  (cd "$bs" && APP_CONFIG_backend_listen_port=$port APP_CONFIG_backend_baseUrl=$url LOG_LEVEL=warn \
    exec setsid node index.js >"$tmp/backstage.log" 2>&1) &
  backend_pid=$!
  backend_pgid=$backend_pid
  ready=""
  for _ in $(seq 1 1200); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/.backstage/health/v1/readiness")" = 200 ]; then
      ready=$(( ($(now_ns) - t0) / 1000000 )); break
    fi
    kill -0 "$backend_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -n "$ready" ]; then
    tok=bsai-e2e-static-token
    # Every entity document in the files app-config.yaml registers, plus the
    # Location Backstage generates for each of its catalog.locations.
    docs=$(cat examples/catalog/*.yaml examples/templates/*/template.yaml "$bs"/templates/*.yaml 2>/dev/null | grep -c '^kind:' || true)
    want=$(( docs + $(grep -c 'type: file' "$bs/app-config.yaml") ))
    for _ in $(seq 1 600); do
      n=$(curl -s -H "Authorization: Bearer $tok" "$url/api/catalog/entities/by-query?limit=1" |
        sed -n 's/.*"totalItems":\([0-9]*\).*/\1/p')
      [ "${n:-0}" -ge "${want:-1}" ] && break
      sleep 0.1
    done
    searchable=$(( ($(now_ns) - t0) / 1000000 ))
    rss=$(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' "/proc/$backend_pid/status" 2>/dev/null || echo n/a)
    backend_rows+=("| backend ready (readiness 200) | ${ready} ms |")
    backend_rows+=("| backend entities searchable (${n:-?} entities) | ${searchable} ms |")
    backend_rows+=("| backend RSS after load | $rss |")
    echo "  backend ready ${ready} ms, searchable ${searchable} ms, rss $rss" >&2
    curl_ms=$(median_ms "$RUNS" curl -sf -H "Authorization: Bearer $tok" "$url/api/catalog/entities/by-query?limit=500")
    if "$tmp/bsai" --catalog "$url" --token "$tok" catalog list -o json >/dev/null 2>&1; then
      bl=$(median_ms "$RUNS" "$tmp/bsai" --catalog "$url" --token "$tok" --refresh catalog list -o json)
      row "bsai catalog list (live Backstage)" "${bl} ms" "${curl_ms} ms (curl by-query)" "$(ratio "$bl" "$curl_ms")"
    else
      note "catalog list against the live backend: skipped (command not available or failing)"
    fi
  else
    note "e2e backend did not become ready: $(tail -3 "$tmp/backstage.log" | tr '\n' ' ')"
  fi
  kill -TERM -- "-$backend_pgid" 2>/dev/null || true
  backend_pgid=""
else
  note "Backstage backend timings: skipped (run scripts/npm-setup.sh test/e2e/backstage first)"
fi

# Go benchmarks (catalog load, retrieval, validation at 1k/10k/100k, and
# whatever else exists). Each size is also shown relative to the smallest
# size of the same benchmark, which shows how it scales.
echo "bench: go test -bench . -benchtime $BENCHTIME ./pkg/..." >&2
go test -run '^$' -bench . -benchtime "$BENCHTIME" -benchmem ./pkg/... >"$tmp/gobench.txt" 2>&1 || note "go test -bench exited non-zero (see partial results)"
gobench=$(awk '
  /^pkg: / { pkg = $2; sub(/.*\/pkg\//, "pkg/", pkg) }
  /^Benchmark/ && /ns\/op/ {
    n++
    name = $1; sub(/-[0-9]+$/, "", name)
    ns = ""; b = ""; al = ""; extra = ""
    for (i = 3; i <= NF; i += 2) {
      if ($(i+1) == "ns/op") ns = $i
      else if ($(i+1) == "B/op") b = $i
      else if ($(i+1) == "allocs/op") al = $i
      else extra = extra (extra == "" ? "" : ", ") $i " " $(i+1)
    }
    names[n] = name; pkgs[n] = pkg; nss[n] = ns; bs[n] = b; als[n] = al; extras[n] = extra
    byname[name] = ns
    # group = name without a trailing size (/1000, /n=10000, /10k)
    group = name; size = ""
    if (match(name, /\/(n=)?[0-9]+[kKmM]?$/)) { group = substr(name, 1, RSTART-1); size = substr(name, RSTART+1) }
    groups[n] = group; sizes[n] = size
    if (!(group in first)) first[group] = ns
  }
  function fmt(ns) {
    if (ns >= 1e6) return sprintf("%.2f ms", ns/1e6)
    if (ns >= 1e3) return sprintf("%.2f µs", ns/1e3)
    return sprintf("%.0f ns", ns)
  }
  END {
    for (i = 1; i <= n; i++) {
      # vs smallest size of the same benchmark: how it scales
      sc = (sizes[i] != "" && first[groups[i]] > 0) ? sprintf("%.1fx", nss[i] / first[groups[i]]) : ""
      # vs a sibling named baseline at the same size (e.g. Search/bm25/n=1000
      # vs Search/baseline/n=1000), measured in the same run
      bl = ""
      k = split(names[i], parts, "/")
      if (k >= 3 && parts[k-1] != "baseline") {
        other = parts[1]
        for (j = 2; j <= k - 2; j++) other = other "/" parts[j]
        other = other "/baseline/" parts[k]
        if ((other in byname) && byname[other] > 0) bl = sprintf("%.2fx", nss[i] / byname[other])
      } else if (k == 2 && parts[2] != "parse-baseline" && ((parts[1] "/parse-baseline") in byname)) {
        bl = sprintf("%.2fx", nss[i] / byname[parts[1] "/parse-baseline"])
      }
      printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", pkgs[i], names[i], fmt(nss[i]), bs[i], als[i], sc, bl, extras[i]
    }
  }' "$tmp/gobench.txt")
if [ -z "$gobench" ]; then
  note "no Go benchmarks found under ./pkg/..."
else
  echo "$gobench" >&2
fi

{
  echo "# Benchmarks"
  echo
  echo "Written by \`scripts/bench.sh\`; rerun it to refresh. Every ratio compares two numbers measured in"
  echo "the same run on the same machine, so compare ratios (not absolute times) across machines."
  echo
  echo "- Machine: $machine"
  echo "- Date: $date_utc"
  echo "- Commit: $commit, $(go version | cut -d' ' -f3), node $(node --version 2>/dev/null || echo n/a)"
  echo "- Settings: RUNS=$RUNS (median of that many process runs), BENCHTIME=$BENCHTIME"
  echo "- Peak RSS is GNU time's maximum resident set of the largest process in the run (bsai, or the MCP server it spawned)."
  echo "- Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (the machine may be shared; ratios absorb some of that)"
  echo
  echo "## Commands (wall time, median)"
  echo
  echo "| what | bsai | baseline | ratio |"
  echo "|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  if [ -n "$mcp_out" ]; then
    echo
    echo "## bsai mcp call vs MCP Inspector CLI (scripts/bench-mcp.sh)"
    echo
    echo '```'
    echo "$mcp_out"
    echo '```'
  fi
  if [ ${#backend_rows[@]} -gt 0 ]; then
    echo
    echo "## Real Backstage backend (test/e2e/backstage)"
    echo
    echo "| what | value |"
    echo "|---|---|"
    printf '%s\n' "${backend_rows[@]}"
  fi
  echo
  echo "## Go benchmarks (\`go test -bench . -benchtime $BENCHTIME -benchmem ./pkg/...\`)"
  echo
  if [ -n "$gobench" ]; then
    echo "\"vs smallest\" is time/op relative to the smallest size of the same benchmark (how it scales);"
    echo "\"vs baseline\" is time/op relative to the sibling baseline benchmark at the same size, run alongside."
    echo
    echo "| package | benchmark | time/op | B/op | allocs/op | vs smallest | vs baseline | other metrics |"
    echo "|---|---|---|---|---|---|---|---|"
    echo "$gobench"
  else
    echo "No benchmarks found."
  fi
  if [ ${#notes[@]} -gt 0 ]; then
    echo
    echo "## Not measured in this run"
    echo
    for n in "${notes[@]}"; do echo "- $n"; done
  fi
} >"$OUT"
echo "bench: wrote $OUT" >&2
