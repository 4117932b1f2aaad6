package ask_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/catalog/catalogtest"
)

// TestIndexCacheThroughCLI: the first ask over a catalog big enough to
// cache builds and saves the index, the next loads it and answers the
// same, a damaged cache file is noted under -v and rebuilt (exit 0, same
// answer), and --refresh does not read the cache.
func TestIndexCacheThroughCLI(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("HOME", t.TempDir())
	dir := t.TempDir()
	catalogtest.WriteFiles(t, dir, 1500, 7, 500, time.Time{})
	ask := func(extra ...string) (string, string) {
		t.Helper()
		args := append([]string{"-v", "--offline", "--catalog", dir}, extra...)
		out, errOut, err := run(t, append(args, "ask", "Who owns component-17?")...)
		if err != nil {
			t.Fatalf("ask %v: %v\n%s", extra, err, errOut)
		}
		return out, errOut
	}
	want, errOut := ask()
	if !strings.Contains(errOut, "index: built 1500 entities") {
		t.Fatalf("cold ask, stderr:\n%s", errOut)
	}
	files, _ := filepath.Glob(filepath.Join(cache, "bsai", "index", "*.idx"))
	if len(files) != 1 {
		t.Fatalf("index files after one ask: %v, want one", files)
	}
	out, errOut := ask()
	if !strings.Contains(errOut, "index: loaded 1500 entities") || out != want {
		t.Fatalf("warm ask, stderr:\n%s\nstdout:\n%s\nwant:\n%s", errOut, out, want)
	}

	b, _ := os.ReadFile(files[0])
	if err := os.WriteFile(files[0], b[:len(b)-7], 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut = ask()
	if !strings.Contains(errOut, "index: ignoring cache") || !strings.Contains(errOut, "truncated") ||
		!strings.Contains(errOut, "index: built") || out != want {
		t.Fatalf("damaged cache, stderr:\n%s\nstdout:\n%s", errOut, out)
	}

	out, errOut = ask("--refresh")
	if strings.Contains(errOut, "index: loaded") || !strings.Contains(errOut, "index: built") || out != want {
		t.Fatalf("--refresh, stderr:\n%s\nstdout:\n%s", errOut, out)
	}
	if !strings.Contains(want, "component") {
		t.Fatalf("the answer names nothing: %s", want)
	}
}
