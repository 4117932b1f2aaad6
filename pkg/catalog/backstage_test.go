package catalog_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/backstage"
	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/catalog/catalogtest"
	"github.com/bsai-dev/bsai/pkg/errs"
)

func newClient(url, token string) *backstage.Client {
	c := backstage.New(url, token, &http.Client{Timeout: 5 * time.Second})
	c.Sleep = func(context.Context, time.Duration) error { return nil } // no real backoff in tests
	return c
}

func TestBackstagePagingFieldsAndRetry(t *testing.T) {
	ents := catalogtest.Generate(237, 7)
	srv := catalogtest.New(t, ents)
	srv.Token = "s3cret"
	fails := 0
	srv.Fail = func(n int, r *http.Request) int {
		// The third request (second page) fails once with a 500.
		if n == 3 {
			fails++
			return http.StatusInternalServerError
		}
		return 0
	}
	src := catalog.NewBackstageSource(newClient(srv.URL, "s3cret"), 50)
	got, err := src.Entities(context.Background(), catalog.Query{
		Filter: map[string]string{"kind": "component"},
		Fields: []string{"kind", "metadata.name", "metadata.namespace", "spec.owner", "relations"},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantN := catalogtest.ShapeFor(237).Components
	if len(got) != wantN {
		t.Fatalf("got %d components, want %d", len(got), wantN)
	}
	seen := map[string]bool{}
	for _, e := range got {
		if e.Kind != "Component" || e.SpecString("owner") == "" || e.SpecString("lifecycle") != "" || len(e.Relations) == 0 {
			t.Fatalf("projection/filter wrong: %+v", e)
		}
		if seen[e.Ref().String()] {
			t.Fatalf("duplicate %s across pages", e.Ref())
		}
		seen[e.Ref().String()] = true
	}
	if fails != 1 {
		t.Errorf("injected failures = %d", fails)
	}
	reqs := srv.Requests()
	pages := (wantN + 49) / 50
	if len(reqs) != pages+1 { // +1 for the retried 500
		t.Errorf("%d requests for %d pages: %v", len(reqs), pages, reqs)
	}
	for i, r := range reqs {
		u, _ := url.Parse(r)
		q := u.Query()
		if q.Get("fields") != "kind,metadata.name,metadata.namespace,spec.owner,relations" || q.Get("limit") != "50" {
			t.Errorf("request %d lost fields/limit: %s", i, r)
		}
		first := i == 0
		if first != (q.Get("filter") == "kind=component") || first == (q.Get("cursor") != "") {
			t.Errorf("request %d: filter only on the first page, cursor on the rest: %s", i, r)
		}
	}
}

func TestBackstageAuthAndNotFound(t *testing.T) {
	srv := catalogtest.New(t, catalogtest.Generate(20, 1))
	srv.Token = "right"
	src := catalog.NewBackstageSource(newClient(srv.URL, "wrong"), 10)
	_, err := src.Entities(context.Background(), catalog.Query{})
	if errs.ExitCode(err) != errs.ExitConfig || !strings.Contains(err.Error(), "401") {
		t.Errorf("401: exit %d, err %v", errs.ExitCode(err), err)
	}
	if strings.Contains(err.Error(), "wrong") || strings.Contains(errs.HintOf(err), "wrong") {
		t.Errorf("token leaked into error: %v", err)
	}
	src = catalog.NewBackstageSource(newClient(srv.URL, "right"), 10)
	e, err := src.Entity(context.Background(), catalog.Ref{Kind: "Group", Namespace: "default", Name: "group-0"})
	if err != nil || e.Metadata.Name != "group-0" || e.Metadata.UID == "" {
		t.Fatalf("by-name: %v %+v", err, e)
	}
	_, err = src.Entity(context.Background(), catalog.Ref{Kind: "Group", Namespace: "default", Name: "nope"})
	if errs.KindOf(err) != errs.KindNotFound {
		t.Errorf("by-name 404: %v", err)
	}
	items, err := src.EntitiesByRefs(context.Background(), []string{"group:default/group-0", "group:default/nope"}, []string{"metadata.name"})
	if err != nil || len(items) != 2 || items[0] == nil || items[0].Metadata.Name != "group-0" || items[0].Kind != "" || items[1] != nil {
		t.Errorf("by-refs: %v %+v", err, items)
	}
}

func TestBackstageGivesUpAfterRetries(t *testing.T) {
	srv := catalogtest.New(t, catalogtest.Generate(20, 1))
	srv.Fail = func(int, *http.Request) int { return http.StatusServiceUnavailable }
	_, err := catalog.NewBackstageSource(newClient(srv.URL, ""), 10).Entities(context.Background(), catalog.Query{})
	if errs.KindOf(err) != errs.KindUpstream {
		t.Errorf("persistent 503: %v", err)
	}
	if n := len(srv.Requests()); n != 4 {
		t.Errorf("%d attempts, want 1 + 3 retries", n)
	}
}

func TestCachedSource(t *testing.T) {
	srv := catalogtest.New(t, catalogtest.Generate(30, 3))
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	path := catalog.CachePath(t.TempDir(), srv.URL+"\n"+catalog.TokenFingerprint("tok"))
	mk := func(refresh bool) *catalog.CachedSource {
		return &catalog.CachedSource{Source: catalog.NewBackstageSource(newClient(srv.URL, ""), 10),
			Path: path, Label: srv.URL, TTL: time.Minute, Now: func() time.Time { return now }, Refresh: refresh}
	}
	ctx := context.Background()
	if ents, err := mk(false).Entities(ctx, catalog.Query{}); err != nil || len(ents) != 30 {
		t.Fatalf("first load: %v %d", err, len(ents))
	}
	n := len(srv.Requests())
	raw, _ := os.ReadFile(path)
	if strings.Contains(string(raw), catalog.TokenFingerprint("tok")) {
		t.Error("snapshot holds token material")
	}
	// Fresh snapshot: no requests, filters applied locally.
	c := mk(false)
	ents, err := c.Entities(ctx, catalog.Query{Filter: map[string]string{"kind": "group"}})
	if err != nil || len(ents) != catalogtest.ShapeFor(30).Groups || len(srv.Requests()) != n {
		t.Errorf("cached filter: %v %d entities, %d new requests", err, len(ents), len(srv.Requests())-n)
	}
	if e, err := c.Entity(ctx, catalog.Ref{Kind: "group", Namespace: "default", Name: "group-0"}); err != nil || e == nil || len(srv.Requests()) != n {
		t.Errorf("cached entity: %v", err)
	}
	// A fresh snapshot gives the graph without a request, entities
	// decoded as used, equal to the graph of what was fetched.
	g, err := mk(false).Graph(ctx)
	if err != nil || len(srv.Requests()) != n {
		t.Fatalf("cached graph: %v, %d new requests", err, len(srv.Requests())-n)
	}
	fetched, _ := catalog.NewBackstageSource(newClient(srv.URL, ""), 10).Entities(ctx, catalog.Query{})
	want := catalog.NewGraph(fetched)
	if g.Len() != want.Len() || g.Digest() != want.Digest() || !reflect.DeepEqual(g.All(), want.All()) {
		t.Fatalf("cached graph differs from the fetched one (%d vs %d entities)", g.Len(), want.Len())
	}
	n = len(srv.Requests())
	// --refresh bypasses; an expired snapshot is refetched.
	if _, err := mk(true).Entities(ctx, catalog.Query{}); err != nil || len(srv.Requests()) == n {
		t.Errorf("refresh did not refetch: %v", err)
	}
	n = len(srv.Requests())
	now = now.Add(2 * time.Minute)
	if _, err := mk(false).Entities(ctx, catalog.Query{}); err != nil || len(srv.Requests()) == n {
		t.Errorf("expired snapshot was used: %v", err)
	}
	// A corrupt snapshot is ignored.
	if err := os.WriteFile(path, []byte("{not a snapshot"), 0o600); err != nil {
		t.Fatal(err)
	}
	n = len(srv.Requests())
	if ents, err := mk(false).Entities(ctx, catalog.Query{}); err != nil || len(ents) != 30 || len(srv.Requests()) == n {
		t.Errorf("corrupt snapshot: %v %d", err, len(ents))
	}
	if filepath.Dir(filepath.Dir(path)) == "" {
		t.Error("bad cache path")
	}
}
