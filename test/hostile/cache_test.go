//go:build linux

package hostile

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/catalog/catalogtest"
)

// TestCacheFilesThatAreNotRegularAreIgnored: bsai's own cache files
// (the catalog snapshot and the ask index) replaced by a FIFO, a link to
// /dev/zero or a huge sparse file are ignored and rebuilt: the command
// answers as before, never hangs on the FIFO and never reads the device
// or the sparse file whole.
func TestCacheFilesThatAreNotRegularAreIgnored(t *testing.T) {
	home := t.TempDir()
	dir := filepath.Join(home, "catalog")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	catalogtest.WriteFiles(t, dir, 1200, 3, 400, catalogtest.Settled()) // settled: the load is snapshotted
	ask := func() result {
		t.Helper()
		r := bsai(t, invocation{dir: home, timeout: 30 * time.Second}, "-v", "--offline", "--catalog", dir, "ask", "Who owns component-17?")
		if r.code != 0 {
			t.Fatalf("ask failed:\n%s", r)
		}
		return r
	}
	want := ask()
	caches, _ := filepath.Glob(filepath.Join(home, ".cache", "bsai", "*", "*"))
	if len(caches) != 2 {
		t.Fatalf("setup: cache files %v\n%s", caches, want)
	}
	for name, plant := range map[string]func(p string) error{
		"fifo":        func(p string) error { return syscall.Mkfifo(p, 0o600) },
		"/dev/zero":   func(p string) error { return os.Symlink("/dev/zero", p) },
		"sparse 3GiB": func(p string) error { return os.WriteFile(p, nil, 0o600) },
	} {
		t.Run(name, func(t *testing.T) {
			for _, p := range caches {
				_ = os.Remove(p)
				if err := plant(p); err != nil {
					t.Fatal(err)
				}
				if name == "sparse 3GiB" {
					if err := os.Truncate(p, 3<<30); err != nil {
						t.Fatal(err)
					}
				}
			}
			got := ask()
			if got.stdout != want.stdout {
				t.Fatalf("answer changed:\n%s\nwant:\n%s", got, want.stdout)
			}
			for _, note := range []string{"catalog: not using the snapshot", "index: ignoring cache"} {
				if !strings.Contains(got.stderr, note) {
					t.Errorf("no %q note:\n%s", note, got)
				}
			}
		})
	}
}

// TestIndexCacheOfTwoBuilds: two bsai builds used in turn on one catalog
// (an installed release and a development build) keep an index file
// each. They shared one file named by the catalog, whose key (with the
// build in it) each rejected, so every ask rebuilt the index.
func TestIndexCacheOfTwoBuilds(t *testing.T) {
	home := t.TempDir()
	dir := filepath.Join(home, "catalog")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old := catalogtest.Settled()
	catalogtest.WriteFiles(t, dir, 1200, 5, 400, old)
	// A copy with another modification time is another build to bsai
	// (buildinfo.BinaryID), as a development build is.
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "bsai-other")
	if err := os.WriteFile(other, b, 0o755); err != nil {
		t.Fatal(err)
	}
	_ = os.Chtimes(other, old, old)
	ask := func(binary string) string {
		t.Helper()
		saved := bin
		bin = binary
		defer func() { bin = saved }()
		r := bsai(t, invocation{dir: home}, "-v", "--offline", "--catalog", dir, "ask", "Who owns component-17?")
		if r.code != 0 {
			t.Fatalf("ask failed:\n%s", r)
		}
		return r.stderr
	}
	ask(bin)
	ask(other)
	for _, binary := range []string{bin, other} {
		if errOut := ask(binary); !strings.Contains(errOut, "index: loaded 1200") {
			t.Fatalf("%s: the index was not loaded:\n%s", binary, errOut)
		}
	}
}
