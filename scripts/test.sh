#!/usr/bin/env bash
# The one test command (README "Run the tests"): unit, integration and
# end-to-end tests. It first installs what the tests need from npm (real MCP
# servers, a real Backstage backend) into gitignored node_modules folders,
# skipped when already installed from the same lock file, and Debian's
# Prometheus and Alertmanager when missing (scripts/prometheus-setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=local
for d in test/mcp-servers test/e2e/backstage; do
  if [ -f "$d/package-lock.json" ]; then
    ./scripts/npm-setup.sh "$d"
  fi
done
# A real Prometheus and Alertmanager for the incident e2e (Debian packages,
# installed when missing; their services are not started).
./scripts/prometheus-setup.sh
# Tests that need these find them here; with BSAI_REQUIRE_NPM=1 (set by this
# script) they fail instead of skipping when something is missing.
export BSAI_REQUIRE_NPM=1
go build ./...
# Every package runs under the race detector except the end-to-end suite,
# whose time goes to real servers (Backstage, Prometheus, npm MCP servers)
# and whose bsai runs as a built binary the detector would not see into.
pkgs=$(go list ./... | grep -v '/test/e2e')
go test -race -count=1 -timeout 25m $pkgs
go test -count=1 -timeout 25m ./test/e2e/...
