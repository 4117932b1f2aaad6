package catalog

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/pkg/boundedio"
)

// TestPlaceholderBudgetInLoadOrder: when a catalog's placeholders ask for
// more than the load's total budget, the entities that get their text are
// the first ones in load order, every time. The budget used to go to
// whichever worker came first, so two loads of the same files differed
// (and a snapshot froze one of them while --refresh gave another).
func TestPlaceholderBudgetInLoadOrder(t *testing.T) {
	dir := t.TempDir()
	text := strings.Repeat("x", 60<<10)
	var docs []string
	for i := range 40 {
		name := fmt.Sprintf("n%02d.txt", i)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, fmt.Sprintf("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: c%02d}\n"+
			"spec:\n  type: service\n  lifecycle: production\n  owner: group:default/team-a\n  notes: {$text: ./%s}\n"+
			"  more: {a: {$text: ./missing-a.txt}, b: {$text: ./missing-b.txt}, c: {$text: /etc/hostname}}\n", i, name))
	}
	if err := os.WriteFile(filepath.Join(dir, "catalog-info.yaml"), []byte(strings.Join(docs, "---\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	// 64 KiB per target, 1 MiB in all: 17 of the 60 KiB texts fit.
	opts := LoadOptions{PlaceholderLimit: boundedio.Limit{Bytes: 64 << 10, Setting: "bsai.limits.inputBytes"}}
	var first *LoadResult
	for run := range 8 {
		res, err := LoadFilesWith(context.Background(), []string{dir}, opts)
		if err != nil {
			t.Fatal(err)
		}
		var resolved []string
		for _, e := range res.Entities {
			if _, ok := e.Spec["notes"].(string); ok {
				resolved = append(resolved, e.Metadata.Name)
			}
		}
		if want := 17; len(resolved) != want || resolved[0] != "c00" || resolved[want-1] != "c16" {
			t.Fatalf("run %d: resolved %v, want c00 to c16", run, resolved)
		}
		if first == nil {
			first = res
		} else if !reflect.DeepEqual(res, first) {
			t.Fatalf("run %d differs from the first (problems %v, want %v)", run, res.Problems, first.Problems)
		}
	}
}
