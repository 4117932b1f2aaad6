// Command bsai brings AI into Backstage from the terminal.
package main

import (
	"os"

	"github.com/bsai-dev/bsai/cmd/root"
)

// Set by the linker (see .goreleaser.yaml).
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

func main() {
	os.Exit(root.Main(version, commit, date))
}
