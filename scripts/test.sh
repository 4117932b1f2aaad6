#!/usr/bin/env bash
# The one test command (README "Run the tests"): unit, integration and
# end-to-end tests. It installs what the tests need (npm packages for real
# MCP servers and the Backstage backend) into gitignored caches first.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=local
go build ./...
go test -count=1 -timeout 25m ./...
