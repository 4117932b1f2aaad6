module ignore_node_modules

// This file keeps node_modules (which contains stray Go packages) out of
// the bsai module, so `go test ./...` never walks into it.
