package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/cmd/factory/factorytest"
	"github.com/bsai-dev/bsai/internal/golden"
	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/catalog/catalogtest"
	"github.com/bsai-dev/bsai/pkg/errs"
)

const examples = "../../testdata/catalogs/backstage-catalog-model-examples.location.yaml"

// testFactory is the real factory wiring with test streams, a fixed clock
// and the user cache dir moved into a temp folder.
func testFactory(t *testing.T, catalogFlag, output string) (*factory.Factory, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	factorytest.Isolate(t)
	t.Setenv("HOME", t.TempDir())
	f, _, out, errOut := factorytest.New()
	f.Now = func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
	f.Globals.Catalog = catalogFlag
	f.Globals.Output = output
	f.Globals.ConfigFiles = []string{writeEmptyConfig(t)}
	return f, out, errOut
}

func writeEmptyConfig(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "app-config.yaml")
	if err := os.WriteFile(p, []byte("app: {title: test}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestGetTextGolden(t *testing.T) {
	for name, ref := range map[string]string{
		"get_artist_lookup.golden": "artist-lookup",
		"get_team_a.golden":        "group:default/team-a",
	} {
		f, out, _ := testFactory(t, examples, "text")
		if err := RunGet(&GetOptions{Factory: f, Ref: ref}); err != nil {
			t.Fatal(err)
		}
		golden.Check(t, filepath.Join("testdata", name), out.Bytes())
	}
}

func TestGetJSONAndErrors(t *testing.T) {
	f, out, _ := testFactory(t, examples, "json")
	if err := RunGet(&GetOptions{Factory: f, Ref: "component:default/wayback-search"}); err != nil {
		t.Fatal(err)
	}
	var e catalog.Entity
	if err := json.Unmarshal(out.Bytes(), &e); err != nil || e.Metadata.Name != "wayback-search" || len(e.Relations) == 0 {
		t.Fatalf("json: %v %s", err, out)
	}
	f, _, _ = testFactory(t, examples, "text")
	err := RunGet(&GetOptions{Factory: f, Ref: "petstore"})
	if errs.ExitCode(err) != errs.ExitUsage || !strings.Contains(err.Error(), "api:default/petstore") {
		t.Errorf("ambiguous: %v", err)
	}
	err = RunGet(&GetOptions{Factory: f, Ref: "wayback-serch"})
	if errs.KindOf(err) != errs.KindNotFound || !strings.Contains(errs.HintOf(err), "component:default/wayback-search") {
		t.Errorf("not found: %v / %s", err, errs.HintOf(err))
	}
	err = RunGet(&GetOptions{Factory: f, Ref: "component:default/nope"})
	if errs.KindOf(err) != errs.KindNotFound {
		t.Errorf("full ref not found: %v", err)
	}
}

func TestListFiltersAndWarnings(t *testing.T) {
	dir := t.TempDir()
	bad := "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: -bad-\n"
	if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	f, out, errOut := testFactory(t, examples, "text")
	if err := RunList(&ListOptions{Factory: f, Kind: "api"}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 8 || !strings.HasPrefix(lines[0], "REF") || !strings.HasPrefix(lines[1], "api:default/hello-world") {
		t.Errorf("list --kind api:\n%s", out)
	}
	if !strings.Contains(out.String(), "group:default/team-c") || errOut.Len() != 0 {
		t.Errorf("owner column / stderr: %s / %s", out, errOut)
	}

	f, out, _ = testFactory(t, examples, "json")
	if err := RunList(&ListOptions{Factory: f, Filters: []string{"kind=component,spec.type=website", "relations.ownedBy=group:default/team-a"}}); err != nil {
		t.Fatal(err)
	}
	var res ListResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if res.Count != 1 || res.Entities[0].Metadata.Name != "www-artist" {
		t.Errorf("filtered json: %s", out)
	}

	f, _, errOut = testFactory(t, filepath.Join(dir, "bad.yaml"), "text")
	err := RunList(&ListOptions{Factory: f})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut.String(), "warning: ") || !strings.Contains(errOut.String(), "bad.yaml (document 1)") {
		t.Errorf("warnings: %q", errOut)
	}
	if err := RunList(&ListOptions{Factory: f, Filters: []string{"=x"}}); errs.ExitCode(err) != errs.ExitUsage {
		t.Errorf("bad filter: %v", err)
	}
}

func TestListBackstageAndAuth(t *testing.T) {
	srv := catalogtest.New(t, catalogtest.Generate(120, 9))
	srv.Token = "tok"
	f, out, _ := testFactory(t, srv.URL, "json")
	f.Globals.Token = "tok"
	if err := RunList(&ListOptions{Factory: f, Kind: "system"}); err != nil {
		t.Fatal(err)
	}
	var res ListResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || res.Count != catalogtest.ShapeFor(120).Systems {
		t.Errorf("backstage list: %v %d", err, res.Count)
	}
	// get with a full ref is one by-name request.
	n := len(srv.Requests())
	f, out, _ = testFactory(t, srv.URL, "text")
	f.Globals.Token = "tok"
	if err := RunGet(&GetOptions{Factory: f, Ref: "group:default/group-1", Ctx: context.Background()}); err != nil {
		t.Fatal(err)
	}
	if reqs := srv.Requests()[n:]; len(reqs) != 1 || !strings.Contains(reqs[0], "/by-name/group/default/group-1") {
		t.Errorf("get requests: %v", reqs)
	}
	if !strings.Contains(out.String(), "childOf") {
		t.Errorf("card: %s", out)
	}
	f, _, _ = testFactory(t, srv.URL, "text")
	f.Globals.Token = "bad"
	if err := RunList(&ListOptions{Factory: f}); errs.ExitCode(err) != errs.ExitConfig {
		t.Errorf("401: exit %d: %v", errs.ExitCode(err), err)
	}
}

func TestNoCatalogConfigured(t *testing.T) {
	f, _, _ := testFactory(t, "", "text")
	err := RunList(&ListOptions{Factory: f})
	if errs.ExitCode(err) != errs.ExitConfig || !strings.Contains(errs.HintOf(err), "--catalog") {
		t.Errorf("no catalog: %v", err)
	}
}
