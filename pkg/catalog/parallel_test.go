package catalog_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"testing"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/catalog/catalogtest"
)

// The loader, ComputeRelations and NewGraph split work across GOMAXPROCS
// goroutines once a catalog is a few thousand entities; these tests use
// catalogs big enough for that and check the result is exactly what one
// goroutine (or the old sequential code) gives.

func withProcs(t *testing.T, n int, fn func()) {
	t.Helper()
	old := runtime.GOMAXPROCS(n)
	defer runtime.GOMAXPROCS(old)
	fn()
}

// cloneEntities copies the slice (Relations get replaced, specs are only
// read by ComputeRelations).
func cloneEntities(ents []catalog.Entity) []catalog.Entity {
	return slices.Clone(ents)
}

func TestComputeRelationsMatchesReference(t *testing.T) {
	ents := catalogtest.Generate(20_000, 7)
	// Some refs Backstage rejects, so the problem order is checked too.
	for i := 100; i < len(ents); i += 997 {
		if ents[i].Kind == "Component" {
			ents[i].Spec["dependsOn"] = []any{"no-kind-" + fmt.Sprint(i), "resource:ok", ""}
		}
	}
	want := cloneEntities(ents)
	wantProblems := catalog.ComputeRelationsReference(want)
	if len(wantProblems) == 0 {
		t.Fatal("test catalog produced no relation problems")
	}
	for _, procs := range []int{1, 2, 4, 7} {
		withProcs(t, procs, func() {
			got := cloneEntities(ents)
			gotProblems := catalog.ComputeRelations(got)
			if fmt.Sprint(gotProblems) != fmt.Sprint(wantProblems) {
				t.Errorf("GOMAXPROCS=%d: problems differ:\n got %v\nwant %v", procs, gotProblems, wantProblems)
			}
			for i := range got {
				if !reflect.DeepEqual(got[i].Relations, want[i].Relations) {
					t.Fatalf("GOMAXPROCS=%d: %s relations\n got %v\nwant %v", procs,
						got[i].Ref(), got[i].Relations, want[i].Relations)
				}
			}
		})
	}
}

// TestComputeRelationsCapped checks entities do not share spare capacity:
// appending to one entity's relations must not change another's.
func TestComputeRelationsCapped(t *testing.T) {
	ents := catalogtest.Generate(10_000, 3)
	catalog.ComputeRelations(ents)
	before := slices.Clone(ents[1].Relations)
	_ = append(ents[0].Relations, catalog.Relation{Type: "x", TargetRef: "y"})
	if !reflect.DeepEqual(ents[1].Relations, before) {
		t.Fatal("appending to one entity's relations changed its neighbour's")
	}
}

func TestNewGraphParallelMatchesSequential(t *testing.T) {
	ents := catalogtest.Generate(12_000, 5)
	catalog.ComputeRelations(ents)
	// A duplicate ref (different case) late in the list: the first wins.
	dup := ents[10]
	dup.Metadata.Name = "GROUP-10"
	dup.Metadata.Description = "duplicate"
	ents = append(ents, dup)
	var g1, g4 *catalog.Graph
	withProcs(t, 1, func() { g1 = catalog.NewGraph(ents) })
	withProcs(t, 4, func() { g4 = catalog.NewGraph(ents) })
	if g1.Len() != len(ents)-1 || g4.Len() != g1.Len() {
		t.Fatalf("len %d / %d, want %d", g1.Len(), g4.Len(), len(ents)-1)
	}
	a1, a4 := g1.All(), g4.All()
	for i := range a1 {
		if a1[i] != a4[i] {
			t.Fatalf("All()[%d] differs", i)
		}
		ref := a1[i].Ref().String()
		if !reflect.DeepEqual(g1.Relations(ref), g4.Relations(ref)) {
			t.Fatalf("%s: relations differ", ref)
		}
		if len(g4.Relations(ref)) != len(a1[i].Relations) {
			t.Fatalf("%s: %d edges, entity has %d relations", ref, len(g4.Relations(ref)), len(a1[i].Relations))
		}
	}
	for _, k := range []string{"component", "Group", "user"} {
		if !reflect.DeepEqual(g1.ByKind(k), g4.ByKind(k)) {
			t.Errorf("ByKind(%s) differs", k)
		}
	}
	if e, _ := g4.Get("group:default/group-10"); e.Metadata.Description == "duplicate" {
		t.Error("a later duplicate replaced the first entity")
	}
}

// TestLoadFilesParallelDeterministic loads a folder with duplicates across
// files, a bad document and an unreadable file, with 1 and several
// goroutines, and expects identical results (entities, problems and their
// order, files).
func TestLoadFilesParallelDeterministic(t *testing.T) {
	dir := t.TempDir()
	data := catalogtest.GenerateYAML(6_000, 11, 500)
	for i, f := range data {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("part-%04d.yaml", i)), f, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// part-0003 again under a later name: 500 conflicts.
	if err := os.WriteFile(filepath.Join(dir, "part-9999.yaml"), data[3], 0o644); err != nil {
		t.Fatal(err)
	}
	bad := "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ok-one\nspec:\n  type: service\n  lifecycle: x\n  owner: group-1\n" +
		"---\nkind: [broken\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: Bad Name!\n"
	if err := os.WriteFile(filepath.Join(dir, "part-0005b.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	load := func() *catalog.LoadResult {
		res, err := catalog.LoadFiles(context.Background(), []string{dir})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	var want *catalog.LoadResult
	withProcs(t, 1, func() { want = load() })
	if len(want.Entities) != 6_001 {
		t.Errorf("got %d entities, want 6001", len(want.Entities))
	}
	if len(want.Problems) != 502 {
		t.Errorf("got %d problems, want 502 (500 conflicts, 2 bad documents)", len(want.Problems))
	}
	for _, procs := range []int{2, 4} {
		withProcs(t, procs, func() {
			got := load()
			if !reflect.DeepEqual(got.Problems, want.Problems) {
				t.Errorf("GOMAXPROCS=%d: problems differ", procs)
			}
			if !reflect.DeepEqual(got.Files, want.Files) {
				t.Errorf("GOMAXPROCS=%d: files differ", procs)
			}
			if !reflect.DeepEqual(got.Entities, want.Entities) {
				t.Errorf("GOMAXPROCS=%d: entities differ", procs)
			}
		})
	}
}
