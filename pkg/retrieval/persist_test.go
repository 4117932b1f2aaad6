package retrieval_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/catalog/catalogtest"
	"github.com/bsai-dev/bsai/pkg/retrieval"
	"github.com/bsai-dev/bsai/pkg/retrieval/retrievaltest"
)

// persistCatalogs are every catalog the evals use: examples/catalog, each
// entry of testdata/catalogs (real public catalogs), and a synthetic one
// big enough for the parallel build and fingerprint paths.
func persistCatalogs(t *testing.T) map[string]*catalog.Graph {
	t.Helper()
	root := retrievaltest.RepoRoot(t)
	out := map[string]*catalog.Graph{"examples": retrievaltest.Examples(t)}
	entries, err := os.ReadDir(filepath.Join(root, "testdata", "catalogs"))
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range entries {
		name := de.Name()
		if !de.IsDir() && !strings.HasSuffix(name, ".yaml") {
			continue // SOURCES.md
		}
		res, err := catalog.LoadFiles(context.Background(), []string{filepath.Join(root, "testdata", "catalogs", name)})
		if err != nil {
			t.Fatalf("load testdata/catalogs/%s: %v", name, err)
		}
		out[name] = catalog.NewGraph(res.Entities)
	}
	if len(out) < 5 {
		t.Fatalf("found %d catalogs, want examples and the four of testdata/catalogs", len(out))
	}
	out["synthetic-5000"] = synthetic(5000)
	return out
}

// persistQuestions are every question of evals/ask.yaml and
// evals/catalogs/*.yaml, plus the benchmark's, asked of every catalog: a
// question about another catalog still exercises the no-match and
// partial-match paths.
func persistQuestions(t *testing.T, examples *catalog.Graph) []string {
	t.Helper()
	var qs []string
	for _, c := range retrievaltest.Evals(t, examples) {
		qs = append(qs, c.Question)
	}
	for _, ev := range retrievaltest.CatalogEvals(t) {
		for _, c := range ev.Cases {
			qs = append(qs, c.Question)
		}
	}
	if len(qs) < 100 {
		t.Fatalf("found %d eval questions, want the eval files' (at least 100)", len(qs))
	}
	return append(qs, benchQuestions...)
}

// TestPersistRoundTrip saves and loads the index of every catalog and
// checks that the loaded index is field-for-field the built one and that
// Search gives identical results (refs, scores, order, intents, focus) for
// every eval question, with and without a kind filter and expansion.
func TestPersistRoundTrip(t *testing.T) {
	graphs := persistCatalogs(t)
	qs := persistQuestions(t, graphs["examples"])
	ctx := context.Background()
	for name, g := range graphs {
		t.Run(name, func(t *testing.T) {
			built := retrieval.Build(g)
			key := retrieval.Fingerprint(g)
			path := filepath.Join(t.TempDir(), key+".idx")
			if err := built.Save(path, key); err != nil {
				t.Fatal(err)
			}
			loaded, err := retrieval.LoadIndex(path, g, key)
			if err != nil {
				t.Fatal(err)
			}
			if f := retrieval.IndexDiff(built, loaded); f != "" {
				t.Fatalf("loaded index differs from the built one in field %s: persist it in format.go (and bump formatVersion)", f)
			}
			// The file is a function of the index, whichever its backing:
			// the loaded index saves the same bytes.
			again := filepath.Join(t.TempDir(), key+".idx")
			if err := loaded.Save(again, key); err != nil {
				t.Fatal(err)
			}
			if a, b := readBytes(t, path), readBytes(t, again); !bytes.Equal(a, b) {
				t.Fatalf("the loaded index saves %d bytes, the built one %d (or other bytes)", len(b), len(a))
			}
			opts := []retrieval.Options{{TopK: 10}, {TopK: 5, NoExpand: true}, {TopK: 5, Kind: "group"}, {TopK: 20, AllMatches: true}}
			compared := 0
			for _, q := range qs {
				for _, o := range opts {
					want := built.Search(ctx, q, o)
					got := loaded.Search(ctx, q, o)
					if !reflect.DeepEqual(want, got) {
						t.Fatalf("%q %+v:\nbuilt  %+v\nloaded %+v", q, o, want, got)
					}
					compared += len(want.Hits)
				}
			}
			if compared == 0 {
				t.Fatal("no question found anything: the comparison proves nothing")
			}
		})
	}
}

// TestLoadIndexRejectsDamage: a truncated, bit-flipped, foreign-key,
// other-version or garbage file is an error from LoadIndex, never a panic
// or a wrong index.
func TestLoadIndexRejectsDamage(t *testing.T) {
	g := retrievaltest.Examples(t)
	key := retrieval.Fingerprint(g)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.idx")
	if err := retrieval.Build(g).Save(good, key); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	try := func(what string, data []byte, key string) {
		t.Helper()
		p := filepath.Join(dir, "bad.idx")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if ix, err := retrieval.LoadIndex(p, g, key); err == nil || ix != nil {
			t.Errorf("%s: loaded (err=%v), want an error", what, err)
		}
	}
	for _, n := range []int{0, 1, 11, 15, 20, len(b) / 2, len(b) - 5, len(b) - 1} {
		try(fmt.Sprintf("truncated to %d bytes", n), b[:n], key)
	}
	try("extra bytes", append(append([]byte(nil), b...), 0), key)
	for i := 0; i < len(b); i += max(1, len(b)/300) {
		c := append([]byte(nil), b...)
		c[i] ^= 0x5a
		try(fmt.Sprintf("byte %d flipped", i), c, key)
	}
	v := append([]byte(nil), b...)
	v[len("bsai-index\x00")]++ // the format version
	try("other format version", v, key)
	try("other catalog key", b, strings.Repeat("0", len(key)))
	try("garbage", []byte(strings.Repeat("not an index\n", 100)), key)
	// Another catalog of the same key (a forged or colliding file) is
	// caught by its entity count.
	other := synthetic(50)
	if ix, err := retrieval.LoadIndex(good, other, key); err == nil || ix != nil {
		t.Errorf("index of %d entities loaded for a catalog of 50", g.Len())
	}
}

// TestForCached goes through the command's path: a miss builds and saves,
// a hit loads, a corrupt file is noted (-v) and replaced, --refresh does
// not read the cache, and the directory keeps a bounded number of files.
func TestForCached(t *testing.T) {
	dir := t.TempDir()
	var notes []string
	opts := retrieval.CacheOptions{Dir: dir, Verbosef: func(f string, a ...any) { notes = append(notes, fmt.Sprintf(f, a...)) }}
	load := func() *catalog.Graph { return retrievaltest.Examples(t) } // a new graph: no process-wide reuse
	want := retrieval.Build(load())

	g := load()
	ix := retrieval.ForCached(g, opts)
	if len(notes) != 1 || !strings.Contains(notes[0], "built") {
		t.Fatalf("cold: notes %q, want one 'built'", notes)
	}
	path := retrieval.CachePath(dir, g)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("cold run saved nothing: %v", err)
	}
	if ix.Len() != want.Len() {
		t.Fatalf("cold index has %d entities, want %d", ix.Len(), want.Len())
	}
	if again := retrieval.ForCached(g, opts); again != ix || len(notes) != 1 {
		t.Fatalf("same graph in one process: want the same index, no disk access (notes %q)", notes)
	}

	notes = nil
	g = load()
	retrieval.ForCached(g, opts)
	if len(notes) != 1 || !strings.Contains(notes[0], "loaded") {
		t.Fatalf("warm: notes %q, want one 'loaded'", notes)
	}

	for _, damage := range []func([]byte) []byte{
		func(b []byte) []byte { return b[:len(b)/3] },
		func(b []byte) []byte { b[len(b)/2] ^= 1; return b },
	} {
		b, _ := os.ReadFile(path)
		if err := os.WriteFile(path, damage(b), 0o600); err != nil {
			t.Fatal(err)
		}
		notes = nil
		g = load()
		ix := retrieval.ForCached(g, opts)
		if len(notes) != 2 || !strings.Contains(notes[0], "ignoring cache") || !strings.Contains(notes[1], "built") {
			t.Fatalf("corrupt cache: notes %q, want 'ignoring cache' then 'built'", notes)
		}
		res := ix.Search(context.Background(), benchQuestions[0], retrieval.Options{})
		wres := want.Search(context.Background(), benchQuestions[0], retrieval.Options{})
		if !reflect.DeepEqual(refsOf(res.Hits), refsOf(wres.Hits)) {
			t.Fatalf("rebuilt index answers %v, want %v", refsOf(res.Hits), refsOf(wres.Hits))
		}
		if _, err := retrieval.LoadIndex(path, g, retrieval.Fingerprint(g)); err != nil {
			t.Fatalf("the corrupt file was not replaced: %v", err)
		}
	}

	// --refresh: the (corrupt) cache is not even read, and is rewritten.
	b, _ := os.ReadFile(path)
	if err := os.WriteFile(path, b[:10], 0o600); err != nil {
		t.Fatal(err)
	}
	notes = nil
	g = load()
	ro := opts
	ro.Refresh = true
	retrieval.ForCached(g, ro)
	if len(notes) != 1 || !strings.Contains(notes[0], "built") {
		t.Fatalf("refresh: notes %q, want only 'built'", notes)
	}
	if _, err := retrieval.LoadIndex(path, g, retrieval.Fingerprint(g)); err != nil {
		t.Fatalf("refresh did not rewrite the cache: %v", err)
	}

	// Bounded: ten different catalogs leave at most four files, the last
	// one among them, and no temp files.
	for i := range 10 {
		ents := catalogtest.Generate(20+i, 1)
		catalog.ComputeRelations(ents)
		retrieval.ForCached(catalog.NewGraph(ents), opts)
	}
	files, _ := os.ReadDir(dir)
	if len(files) > 4 {
		var names []string
		for _, f := range files {
			names = append(names, f.Name())
		}
		t.Fatalf("cache holds %d files, want at most 4: %v", len(files), names)
	}
}

// TestFingerprint: equal content gives equal keys; any change to what an
// entity says, or to the order, gives another.
func TestFingerprint(t *testing.T) {
	base := func() []catalog.Entity {
		ents := catalogtest.Generate(300, 1)
		catalog.ComputeRelations(ents)
		return ents
	}
	key := retrieval.Fingerprint(catalog.NewGraph(base()))
	if k := retrieval.Fingerprint(catalog.NewGraph(base())); k != key {
		t.Fatalf("same catalog, keys %s and %s", key, k)
	}
	changes := map[string]func([]catalog.Entity){
		"description": func(e []catalog.Entity) { e[7].Metadata.Description += "." },
		"annotation":  func(e []catalog.Entity) { e[7].Metadata.Annotations = map[string]string{"a": "b"} },
		"tag":         func(e []catalog.Entity) { e[7].Metadata.Tags = append(e[7].Metadata.Tags, "x") },
		"spec value":  func(e []catalog.Entity) { e[9].Spec["lifecycle"] = "retired" },
		"nested spec": func(e []catalog.Entity) { e[9].Spec["x"] = map[string]any{"y": []any{1.0}} },
		"relation":    func(e []catalog.Entity) { e[9].Relations = e[9].Relations[:0] },
		"order":       func(e []catalog.Entity) { e[3], e[4] = e[4], e[3] },
		"link":        func(e []catalog.Entity) { e[2].Metadata.Links = []catalog.Link{{URL: "https://x"}} },
	}
	for name, change := range changes {
		ents := base()
		change(ents)
		if retrieval.Fingerprint(catalog.NewGraph(ents)) == key {
			t.Errorf("%s changed, the key did not", name)
		}
	}
}

// TestForCachedSaveLater: with SaveLater the miss returns a usable index
// before anything is written; the handed-over save writes it and returns
// the note.
func TestForCachedSaveLater(t *testing.T) {
	dir := t.TempDir()
	var pending func() string
	o := retrieval.CacheOptions{Dir: dir, SaveLater: func(save func() string) { pending = save }}
	g := retrievaltest.Examples(t)
	ix := retrieval.ForCached(g, o)
	if pending == nil {
		t.Fatal("a miss did not hand its save over")
	}
	path := retrieval.CachePath(dir, g)
	if _, err := os.Stat(path); err == nil {
		t.Fatal("the index was written before the save ran")
	}
	q := retrievaltest.Evals(t, g)[0].Question
	got := ix.Search(context.Background(), q, retrieval.Options{})
	want := retrieval.Build(g).Search(context.Background(), q, retrieval.Options{})
	if len(got.Hits) == 0 || !reflect.DeepEqual(refsOf(got.Hits), refsOf(want.Hits)) {
		t.Fatalf("the index returned before its save answers %v, want %v", refsOf(got.Hits), refsOf(want.Hits))
	}
	if note := pending(); !strings.Contains(note, "cached them in") {
		t.Fatalf("save note %q", note)
	}
	if _, err := retrieval.LoadIndex(path, g, retrieval.Fingerprint(g)); err != nil {
		t.Fatalf("after the save: %v", err)
	}
}

// TestForCachedUnusableDir: a cache directory that cannot be created is
// the uncached path (noted), not an error.
func TestForCachedUnusableDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var notes []string
	g := retrievaltest.Examples(t)
	ix := retrieval.ForCached(g, retrieval.CacheOptions{Dir: filepath.Join(file, "index"),
		Verbosef: func(f string, a ...any) { notes = append(notes, fmt.Sprintf(f, a...)) }})
	if ix.Len() != g.Len() || len(notes) != 1 || !strings.Contains(notes[0], "not cached") {
		t.Fatalf("index of %d entities, notes %q", ix.Len(), notes)
	}
}

func readBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestIndexDiffSees: the comparison behind TestPersistRoundTrip finds a
// difference between indexes of different catalogs, built or loaded.
func TestIndexDiffSees(t *testing.T) {
	a, b := synthetic(50), synthetic(60)
	if f := retrieval.IndexDiff(retrieval.Build(a), retrieval.Build(b)); f == "" {
		t.Fatal("indexes of different catalogs compare equal")
	}
	key := retrieval.Fingerprint(a)
	path := filepath.Join(t.TempDir(), "a.idx")
	if err := retrieval.Build(a).Save(path, key); err != nil {
		t.Fatal(err)
	}
	loaded, err := retrieval.LoadIndex(path, a, key)
	if err != nil {
		t.Fatal(err)
	}
	if f := retrieval.IndexDiff(loaded, retrieval.Build(b)); f == "" {
		t.Fatal("a loaded index compares equal to another catalog's")
	}
	if f := retrieval.IndexDiff(loaded, retrieval.Build(a)); f != "" {
		t.Fatalf("loaded and built index of one catalog differ in %s", f)
	}
}
