package catalog

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestTimestampsInSpecStayStrings: an unquoted date in a spec
// (deprecationDate: 2024-06-30) is a string, as Backstage keeps it, not a
// time.Time. As a time.Time it was printed as 2024-06-30T00:00:00Z, and no
// catalog holding one was ever snapshotted ("a spec value of type
// time.Time cannot be snapshotted", under -v only), so every command on a
// big catalog parsed it again.
func TestTimestampsInSpecStayStrings(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "c.yaml"), "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: d}\n"+
		"spec:\n  type: service\n  lifecycle: production\n  owner: group:default/x\n  deprecationDate: 2024-06-30\n"+
		"  window: {from: 2001-12-14t21:59:43.10-05:00, list: [2020-01-01]}\n---\n"+
		"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: e, annotations: {a: &x b}}\n"+ // yaml.v3's path
		"spec: {type: service, lifecycle: production, owner: group:default/x, since: 2019-02-03}\n")
	age(t, dir)
	res, err := LoadFiles(context.Background(), []string{dir})
	if err != nil || len(res.Entities) != 2 {
		t.Fatalf("%v %+v", err, res)
	}
	b, _ := json.Marshal([]any{res.Entities[0].Spec, res.Entities[1].Spec})
	for _, want := range []string{`"deprecationDate":"2024-06-30"`, `"from":"2001-12-14T21:59:43.1-05:00"`, `"list":["2020-01-01"]`, `"since":"2019-02-03"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("no %s in %s", want, b)
		}
	}
	cache := t.TempDir()
	if notes := loadWith(t, dir, cache, false).notes; !strings.Contains(strings.Join(notes, "\n"), "snapshot of") {
		t.Fatalf("not snapshotted: %q", notes)
	}
	got := loadWith(t, dir, cache, false)
	if !got.from() {
		t.Fatalf("the snapshot was not used: %q", got.notes)
	}
	sameAsParse(t, dir, got)
}
