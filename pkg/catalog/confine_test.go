package catalog

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestWalkConfinement: a folder walk resolves symlinks only for the files
// that are links and for its own root, so it must still refuse every way
// a tree can point out of itself: a linked file, a linked folder (never
// walked), and a Location target whose path goes through a linked folder.
func TestWalkConfinement(t *testing.T) {
	outside := t.TempDir()
	group := func(name string) string {
		return "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: " + name + "}\nspec: {type: team, children: []}\n"
	}
	mustWrite(t, filepath.Join(outside, "b.yaml"), group("outside-b"))
	mustWrite(t, filepath.Join(outside, "inner", "c.yaml"), group("outside-c"))
	root := t.TempDir()
	mustWrite(t, filepath.Join(root, "a.yaml"), group("inside-a")+`---
apiVersion: backstage.io/v1alpha1
kind: Location
metadata: {name: targets}
spec:
  targets: [./ext/inner, ./ext/inner/c.yaml, ./sub/d.yaml]
`)
	mustWrite(t, filepath.Join(root, "sub", "d.yaml"), group("inside-d"))
	for link, to := range map[string]string{"b.yaml": filepath.Join(outside, "b.yaml"), "ext": outside, "sub/e.yaml": filepath.Join(root, "sub", "d.yaml")} {
		if err := os.Symlink(to, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	res, err := LoadFiles(context.Background(), []string{root})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range res.Entities {
		names = append(names, e.Metadata.Name)
	}
	slices.Sort(names)
	if want := []string{"inside-a", "inside-d", "targets"}; !slices.Equal(names, want) {
		t.Fatalf("loaded %v, want %v", names, want)
	}
	var msgs []string
	for _, p := range res.Problems {
		msgs = append(msgs, p.String())
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"b.yaml: skipped: a link to a file outside", "location target ./ext/inner"} {
		if !strings.Contains(all, want) {
			t.Errorf("no problem %q in:\n%s", want, all)
		}
	}
}
