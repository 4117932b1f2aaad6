// Package golden is the one golden-file helper of bsai's tests: Check
// compares output with a file (by convention under the package's
// testdata/), and `go test ./... -update` rewrites the files instead. Only
// test files import it, so the -update flag never reaches the binary.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files instead of comparing with them")

// Updating reports whether the run rewrites golden files (-update).
func Updating() bool { return *update }

// Check compares got with the golden file at path, relative to the test's
// package directory. With -update it writes got there (creating folders)
// and passes.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update accepts the new output):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
