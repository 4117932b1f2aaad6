package catalog

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestFolderGivenAsASymlink: a catalog folder given through a symlink
// (~/catalog -> ~/src/catalog, or a Location target naming a linked
// folder inside the catalog) is walked like the folder itself; it used to
// match no files, because a walk follows no link, not even its root. When
// the link is pointed at another folder, a snapshot of the old one is
// stale.
func TestFolderGivenAsASymlink(t *testing.T) {
	dir := t.TempDir()
	group := func(name string) string {
		return "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: " + name + "}\nspec: {type: team, children: []}\n"
	}
	mustWrite(t, filepath.Join(dir, "a", "team.yaml"), group("team-a"))
	mustWrite(t, filepath.Join(dir, "b", "team.yaml"), group("team-b"))
	mustWrite(t, filepath.Join(dir, "root", "real", "x.yaml"), group("team-x"))
	mustWrite(t, filepath.Join(dir, "root", "catalog-info.yaml"),
		"apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: root}\nspec: {targets: [./linked]}\n")
	if err := os.Symlink("real", filepath.Join(dir, "root", "linked")); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "catalog")
	if err := os.Symlink("a", link); err != nil {
		t.Fatal(err)
	}
	age(t, dir)
	names := func(res *LoadResult) []string {
		var out []string
		for _, e := range res.Entities {
			out = append(out, e.Metadata.Name)
		}
		return out
	}
	res, err := LoadFiles(context.Background(), []string{link})
	if err != nil || len(res.Entities) != 1 || res.Entities[0].Metadata.Name != "team-a" {
		t.Fatalf("through the link: %v, %v", err, res)
	}
	res, err = LoadFiles(context.Background(), []string{filepath.Join(link, "**", "*.yaml")})
	if err != nil || len(res.Entities) != 1 || res.Entities[0].Metadata.Name != "team-a" {
		t.Fatalf("a ** glob under the link: %v, %v", err, res)
	}
	res, err = LoadFiles(context.Background(), []string{filepath.Join(dir, "root")})
	if err != nil || len(names(res)) != 2 {
		t.Fatalf("a Location target naming a linked folder: %v, entities %v, problems %v", err, names(res), res.Problems)
	}

	cache := t.TempDir()
	loadWith(t, link, cache, false)
	if !loadWith(t, link, cache, false).from() {
		t.Fatal("setup: the snapshot was not used")
	}
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("b", link); err != nil {
		t.Fatal(err)
	}
	got := loadWith(t, link, cache, false)
	if got.from() || len(got.res.Entities) != 1 || got.res.Entities[0].Metadata.Name != "team-b" {
		t.Fatalf("after pointing the link at b: %v %q", names(got.res), got.notes)
	}
	sameAsParse(t, link, got)
}
