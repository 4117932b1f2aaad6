package e2e

import (
	"context"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/pkg/catalog"
)

// TestE2ERelationsMatchBackstage is the catalog's key correctness check:
// for the same example files, the relations bsai's files source computes
// (pkg/catalog.LoadFiles → ComputeRelations) must equal the relations the
// real Backstage catalog stitched, entity by entity.
func TestE2ERelationsMatchBackstage(t *testing.T) {
	e := need(t)
	ctx := context.Background()
	live, err := e.Backend.allEntities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := catalog.LoadFiles(ctx, e.registeredPaths())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Problems {
		t.Logf("files source: %s", p)
	}
	files := map[string][]string{}
	for _, ent := range res.Entities {
		files[ent.Ref().String()] = relationSet(ent.Relations)
	}
	compared := 0
	for _, le := range live {
		ref := le.ref()
		want := make([]string, 0, len(le.Relations))
		for _, r := range le.Relations {
			want = append(want, r.Type+" "+strings.ToLower(r.TargetRef))
		}
		sort.Strings(want)
		got, ok := files[ref]
		if !ok {
			// Backstage adds a generated Location per app-config location;
			// files have no counterpart for those.
			if le.Kind == "Location" && strings.HasPrefix(le.Metadata.Name, "generated-") {
				continue
			}
			t.Errorf("%s is in Backstage but not in bsai's files source", ref)
			continue
		}
		delete(files, ref)
		compared++
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s relations differ\n backstage: %v\n bsai:      %v", ref, want, got)
		}
	}
	for ref := range files {
		t.Errorf("%s is in bsai's files source but not in Backstage", ref)
	}
	if compared < 10 {
		t.Fatalf("compared only %d entities", compared)
	}
	t.Logf("relations of %d entities equal", compared)
}

// registeredPaths are the catalog files app-config.yaml registers, as bsai
// --catalog paths.
func (e *Env) registeredPaths() []string {
	paths := []string{filepath.Join(e.Root, "examples", "catalog", "catalog-info.yaml")}
	for _, g := range []string{
		filepath.Join(e.Root, "examples", "templates", "*", "template.yaml"),
		filepath.Join(e.Root, "test", "e2e", "backstage", "templates", "*.yaml"),
	} {
		if m, _ := filepath.Glob(g); len(m) > 0 {
			paths = append(paths, g)
		}
	}
	return paths
}

func relationSet(rs []catalog.Relation) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Type+" "+strings.ToLower(r.TargetRef))
	}
	sort.Strings(out)
	return out
}
