package ask_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/catalog/catalogtest"
)

// TestIndexCacheOfTwoCheckouts: two checkouts of one catalog (git
// worktrees, a clone per branch) have the same refs but not the same
// content (every entity's location annotation differs). Each keeps its
// own index file: asking in one, then the other, then the first again
// loads the index every time after the first of each. They used to share
// one file named by the refs, so each ask threw the other's index away
// and rebuilt (a second at 100k entities).
func TestIndexCacheOfTwoCheckouts(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	old := time.Now().Add(-time.Hour)
	var dirs []string
	for _, name := range []string{"main", "branch"} {
		dir := filepath.Join(t.TempDir(), name)
		catalogtest.WriteFiles(t, dir, 1200, 7, 400, old)
		dirs = append(dirs, dir)
	}
	ask := func(dir string) string {
		t.Helper()
		_, errOut, err := run(t, "-v", "--offline", "--catalog", dir, "ask", "Who owns component-17?")
		if err != nil {
			t.Fatalf("ask: %v\n%s", err, errOut)
		}
		return errOut
	}
	ask(dirs[0])
	ask(dirs[1])
	for round := range 2 {
		for _, dir := range dirs {
			if errOut := ask(dir); !strings.Contains(errOut, "index: loaded 1200") {
				t.Fatalf("round %d, %s: the index was not loaded:\n%s", round, dir, errOut)
			}
		}
	}
}
