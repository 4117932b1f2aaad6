package catalogtest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Settled is a modification time old enough for a files catalog to be
// snapshotted: a load of files changed within 2 s is not saved.
func Settled() time.Time { return time.Now().Add(-time.Hour) }

// WriteFiles writes GenerateYAML(n, seed, perFile) into dir as
// part-NNNN.yaml files, dated mtime unless it is zero.
func WriteFiles(tb testing.TB, dir string, n int, seed uint64, perFile int, mtime time.Time) {
	tb.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	for i, b := range GenerateYAML(n, seed, perFile) {
		p := filepath.Join(dir, fmt.Sprintf("part-%04d.yaml", i))
		if err := os.WriteFile(p, b, 0o644); err != nil {
			tb.Fatal(err)
		}
		if !mtime.IsZero() {
			if err := os.Chtimes(p, mtime, mtime); err != nil {
				tb.Fatal(err)
			}
		}
	}
}
