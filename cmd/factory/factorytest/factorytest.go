// Package factorytest builds the real command factory for tests of the
// command tree: test streams instead of the terminal, and the user's state
// and cache directories moved out of the way.
package factorytest

import (
	"bytes"
	"testing"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/pkg/iostreams"
)

// New is factory.New with test streams: in feeds stdin, out and errOut
// collect what the command prints (f.IOStreams can be changed further).
func New() (f *factory.Factory, in, out, errOut *bytes.Buffer) {
	f = factory.New("test", "none", "today")
	ios, in, out, errOut := iostreams.Test()
	f.IOStreams = ios
	return f, in, out, errOut
}

// Isolate points XDG_STATE_HOME and XDG_CACHE_HOME (audit logs, caches,
// MCP server logs) at temp dirs for the rest of the test, so a test never
// reads or writes the user's.
func Isolate(t testing.TB) {
	t.Helper()
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
}
