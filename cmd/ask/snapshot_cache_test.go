package ask_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/pkg/catalog/catalogtest"
)

// TestCatalogSnapshotThroughCLI: a files catalog big enough to snapshot is
// parsed once; the next ask reads the snapshot and answers the same; after
// an edit the ask parses again and answers from the edited files.
func TestCatalogSnapshotThroughCLI(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	dir := t.TempDir()
	catalogtest.WriteFiles(t, dir, 1500, 7, 500, catalogtest.Settled()) // settled files: the load may be saved
	ask := func() (string, string) {
		t.Helper()
		out, errOut, err := run(t, "-v", "--offline", "--catalog", dir, "ask", "Who owns component-17?")
		if err != nil {
			t.Fatalf("ask: %v\n%s", err, errOut)
		}
		return out, errOut
	}
	want, errOut := ask()
	if !strings.Contains(errOut, "catalog: snapshot of 1500 entities saved") {
		t.Fatalf("cold ask, stderr:\n%s", errOut)
	}
	out, errOut := ask()
	if !strings.Contains(errOut, "catalog: 1500 entities from the snapshot") || !strings.Contains(errOut, "index: loaded 1500") || out != want {
		t.Fatalf("warm ask, stderr:\n%s\nstdout:\n%s\nwant:\n%s", errOut, out, want)
	}

	// Give component-17 a new owner that only the edited file knows.
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	owner := regexp.MustCompile(`owner: \S+`)
	edited := false
	for _, p := range files {
		b, _ := os.ReadFile(p)
		docs := strings.Split(string(b), "\n---\n")
		for i, d := range docs {
			if strings.Contains(d, "name: component-17\n") {
				docs[i] = owner.ReplaceAllString(d, "owner: group:default/snapshot-editors")
				docs = append(docs, "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: snapshot-editors\nspec:\n  type: team\n  children: []\n")
				edited = true
				break
			}
		}
		if edited {
			if err := os.WriteFile(p, []byte(strings.Join(docs, "\n---\n")), 0o644); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if !edited {
		t.Fatal("setup: component-17 not found in the generated catalog")
	}
	out, errOut = ask()
	if strings.Contains(errOut, "from the snapshot") || !strings.Contains(out, "snapshot-editors") {
		t.Fatalf("after the edit, stderr:\n%s\nstdout:\n%s", errOut, out)
	}
}
