package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// listed is the part of `bsai catalog list -o json` these tests read.
type listed struct {
	Count    int         `json:"count"`
	Entities []rawEntity `json:"entities"`
}

func refsOf(ents []rawEntity) []string {
	out := make([]string, len(ents))
	for i, e := range ents {
		out[i] = e.ref()
	}
	sort.Strings(out)
	return out
}

func relsOf(e rawEntity) string {
	out := make([]string, len(e.Relations))
	for i, r := range e.Relations {
		out[i] = r.Type + " " + strings.ToLower(r.TargetRef)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// TestE2ECatalog runs `bsai catalog list/get` against the live backend.
func TestE2ECatalog(t *testing.T) {
	e := need(t)
	live, err := e.Backend.allEntities(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	liveBy := map[string]rawEntity{}
	for _, le := range live {
		liveBy[le.ref()] = le
	}

	t.Run("list pages through every entity", func(t *testing.T) {
		// A page size far below the entity count forces many by-query pages
		// and cursor handling; -v reports each page on stderr.
		const pageSize = 7
		var got listed
		r := e.JSONIn(t, []string{"APP_CONFIG_bsai_catalog_backstage_pageSize=7"}, &got,
			append(e.Remote(), "--refresh", "-v", "catalog", "list")...)
		if got.Count != len(live) || len(got.Entities) != len(live) {
			t.Fatalf("count %d, %d entities; backstage has %d", got.Count, len(got.Entities), len(live))
		}
		if g, w := strings.Join(refsOf(got.Entities), " "), strings.Join(refsOf(live), " "); g != w {
			t.Fatalf("refs differ\n bsai:      %s\n backstage: %s", g, w)
		}
		pages := strings.Count(r.Stderr, "catalog: fetched")
		if want := (len(live) + pageSize - 1) / pageSize; pages < want {
			t.Errorf("stderr reports %d pages, want at least %d at page size %d\n%s", pages, want, pageSize, r.Stderr)
		}
		for _, ge := range got.Entities {
			if g, w := relsOf(ge), relsOf(liveBy[ge.ref()]); g != w {
				t.Errorf("%s relations\n bsai:      %s\n backstage: %s", ge.ref(), g, w)
			}
		}
	})

	t.Run("list kind filter", func(t *testing.T) {
		var got listed
		e.JSON(t, &got, append(e.Remote(), "catalog", "list", "--kind", "group")...)
		want := 0
		for _, le := range live {
			if le.Kind == "Group" {
				want++
			}
		}
		if got.Count != want || want == 0 {
			t.Fatalf("--kind group: %d entities, backstage has %d groups", got.Count, want)
		}
		for _, ge := range got.Entities {
			if ge.Kind != "Group" {
				t.Errorf("--kind group returned %s", ge.ref())
			}
		}
	})

	// The same example files read by bsai's files source must give the
	// same entities and relations as Backstage computed from them.
	t.Run("files source equals backstage", func(t *testing.T) {
		// The same files app-config.yaml registers, given to bsai through
		// bsai.catalog.files in a config file (--catalog takes one path).
		dir := t.TempDir()
		cfg := "bsai:\n  catalog:\n    source: files\n    files:\n"
		for _, p := range e.registeredPaths() {
			cfg += "      - " + strconv.Quote(p) + "\n"
		}
		if err := os.WriteFile(filepath.Join(dir, "app-config.yaml"), []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		r := e.BsaiIn(t, dir, nil, "catalog", "list", "-o", "json")
		if r.Code != 0 {
			t.Fatalf("want exit 0\n%s", r)
		}
		var got listed
		if err := json.Unmarshal([]byte(r.Stdout), &got); err != nil {
			t.Fatalf("%v\n%s", err, r)
		}
		if got.Count < 10 {
			t.Fatalf("files source listed only %d entities", got.Count)
		}
		inFiles := map[string]bool{}
		for _, fe := range got.Entities {
			inFiles[fe.ref()] = true
		}
		for _, le := range live {
			// Backstage adds one generated Location per app-config location.
			if !inFiles[le.ref()] && !(le.Kind == "Location" && strings.HasPrefix(le.Metadata.Name, "generated-")) {
				t.Errorf("%s is in Backstage but not in bsai's files source", le.ref())
			}
		}
		for _, fe := range got.Entities {
			le, ok := liveBy[fe.ref()]
			if !ok {
				t.Errorf("%s from the files is not in Backstage", fe.ref())
				continue
			}
			if g, w := relsOf(fe), relsOf(le); g != w {
				t.Errorf("%s relations\n bsai files: %s\n backstage:  %s", fe.ref(), g, w)
			}
		}
	})

	t.Run("get", func(t *testing.T) {
		// A component whose bare name is unique, so `get NAME` resolves.
		names := map[string]int{}
		for _, le := range live {
			names[le.Metadata.Name]++
		}
		var comp rawEntity
		for _, le := range live {
			if le.Kind == "Component" && len(le.Relations) > 1 && names[le.Metadata.Name] == 1 {
				comp = le
				break
			}
		}
		if comp.Kind == "" {
			t.Fatal("no component with relations in the backend")
		}
		for _, arg := range []string{comp.ref(), comp.Metadata.Name} {
			var got rawEntity
			e.JSON(t, &got, append(e.Remote(), "catalog", "get", arg)...)
			if got.ref() != comp.ref() {
				t.Fatalf("get %s returned %s", arg, got.ref())
			}
			if g, w := relsOf(got), relsOf(comp); g != w {
				t.Errorf("get %s relations\n bsai:      %s\n backstage: %s", arg, g, w)
			}
		}
		r := e.Bsai(t, append(e.Remote(), "catalog", "get", "component:default/no-such-entity")...)
		if r.Code == 0 || !strings.Contains(r.Stderr, "no-such-entity") {
			t.Errorf("missing entity: want a non-zero exit naming it\n%s", r)
		}
	})

	t.Run("wrong token exits 4", func(t *testing.T) {
		const bad = "not-the-right-token"
		r := e.Bsai(t, "--catalog", e.BaseURL, "--token", bad, "--refresh", "catalog", "list")
		if r.Code != 4 {
			t.Fatalf("want exit 4\n%s", r)
		}
		if !strings.Contains(r.Stderr, "401") || !strings.Contains(r.Stderr, "token") {
			t.Errorf("want a clear message about the rejected token\n%s", r)
		}
		if strings.Contains(r.Stderr+r.Stdout, bad) {
			t.Errorf("the token leaked into the output\n%s", r)
		}
	})
}
