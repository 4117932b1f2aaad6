package catalog

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// snapCatalog writes a small catalog that uses every input the snapshot
// must watch: a folder walk, a Location with a glob and a missing target,
// a $text placeholder and a symlinked file. Every file is dated an hour
// back, so the load is old enough to be saved.
func snapCatalog(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name, body string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("catalog-info.yaml", `apiVersion: backstage.io/v1alpha1
kind: Location
metadata: {name: root}
spec:
  targets: [./teams/*.yaml, ./later/catalog.yaml]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger
  description: books every payment
  annotations: {example.com/score: "3"}
spec:
  type: service
  lifecycle: production
  owner: group:team-a
  replicas: 3
  ratio: 0.5
  flags: [true, false, null]
  notes:
    $text: ./notes.txt
`)
	write("notes.txt", "first notes")
	write("teams/a.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-a}\nspec: {type: team, children: []}\n")
	write("elsewhere/b.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-b}\nspec: {type: team, children: []}\n")
	if err := os.Symlink(filepath.Join(dir, "elsewhere", "b.yaml"), filepath.Join(dir, "teams", "b.yaml")); err != nil {
		t.Fatal(err)
	}
	age(t, dir)
	return dir
}

// age dates every file under dir an hour back.
func age(t testing.TB, dir string) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err == nil {
			err = os.Chtimes(p, old, old)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

type snapRun struct {
	res    *LoadResult
	digest string
	notes  []string
}

func (r snapRun) from() bool {
	return strings.Contains(strings.Join(r.notes, "\n"), "from the snapshot")
}

func loadWith(t *testing.T, root, cache string, refresh bool) snapRun {
	t.Helper()
	var run snapRun
	src := NewFilesSource(root)
	src.Snapshot = &SnapshotOptions{Dir: cache, Refresh: refresh, Verbosef: func(f string, a ...any) {
		run.notes = append(run.notes, fmt.Sprintf(f, a...))
	}}
	// The graph first: from a snapshot it decodes entities as used, and
	// Load must still give every entity afterwards.
	g, err := src.Graph(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	run.digest = g.Digest()
	res, err := src.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	run.res = res
	return run
}

// sameAsParse checks a (possibly snapshotted) load against a fresh parse.
func sameAsParse(t *testing.T, root string, got snapRun) {
	t.Helper()
	want, err := LoadFiles(context.Background(), []string{root})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.res, want) {
		t.Fatalf("load differs from a fresh parse:\n got %+v\nwant %+v", got.res, want)
	}
	if got.digest != NewGraph(want.Entities).Digest() {
		t.Fatalf("graph digest %s is not the parsed catalog's", got.digest)
	}
}

func TestSnapshotHit(t *testing.T) {
	root, cache := snapCatalog(t), t.TempDir()
	first := loadWith(t, root, cache, false)
	if first.from() || !strings.Contains(strings.Join(first.notes, "\n"), "snapshot of") {
		t.Fatalf("first load: notes %q", first.notes)
	}
	sameAsParse(t, root, first)
	second := loadWith(t, root, cache, false)
	if !second.from() {
		t.Fatalf("second load did not use the snapshot: notes %q", second.notes)
	}
	sameAsParse(t, root, second)
	if len(second.res.Problems) == 0 {
		t.Fatal("the missing Location target's problem was not kept")
	}
	if refreshed := loadWith(t, root, cache, true); refreshed.from() {
		t.Fatalf("Refresh read the snapshot: %q", refreshed.notes)
	}
}

// TestSnapshotStale: every kind of change to what the load read is a
// miss, and the result is the fresh parse, never the old snapshot.
func TestSnapshotStale(t *testing.T) {
	for name, change := range map[string]func(t *testing.T, root string){
		"file edited": func(t *testing.T, root string) {
			b, _ := os.ReadFile(filepath.Join(root, "catalog-info.yaml"))
			mustWrite(t, filepath.Join(root, "catalog-info.yaml"), strings.Replace(string(b), "team-a", "team-b", 1))
		},
		"file edited, same size": func(t *testing.T, root string) {
			b, _ := os.ReadFile(filepath.Join(root, "catalog-info.yaml"))
			mustWrite(t, filepath.Join(root, "catalog-info.yaml"), strings.Replace(string(b), "books every", "books EVERY", 1))
		},
		"file added to a walked folder": func(t *testing.T, root string) {
			mustWrite(t, filepath.Join(root, "more.yaml"), "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-c}\nspec: {type: team, children: []}\n")
		},
		"file added to a Location glob": func(t *testing.T, root string) {
			mustWrite(t, filepath.Join(root, "teams", "c.yaml"), "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-c}\nspec: {type: team, children: []}\n")
		},
		"missing Location target appears": func(t *testing.T, root string) {
			mustWrite(t, filepath.Join(root, "later", "catalog.yaml"), "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-d}\nspec: {type: team, children: []}\n")
		},
		"file removed": func(t *testing.T, root string) {
			if err := os.Remove(filepath.Join(root, "teams", "a.yaml")); err != nil {
				t.Fatal(err)
			}
		},
		"placeholder target edited": func(t *testing.T, root string) {
			mustWrite(t, filepath.Join(root, "notes.txt"), "second notes, longer")
		},
		"placeholder target removed": func(t *testing.T, root string) {
			if err := os.Remove(filepath.Join(root, "notes.txt")); err != nil {
				t.Fatal(err)
			}
		},
		"symlink pointed outside": func(t *testing.T, root string) {
			link := filepath.Join(root, "teams", "b.yaml")
			outside := filepath.Join(t.TempDir(), "b.yaml")
			b, _ := os.ReadFile(link)
			mustWrite(t, outside, string(b))
			if err := os.Remove(link); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(outside, link); err != nil {
				t.Fatal(err)
			}
		},
		// What tar extracting a same-size file over the old one with a
		// fixed mtime (reproducible archives), cp -p or touch -r do: the
		// same inode, size and modification time; only the change time
		// (which no tool can set) moves.
		"rewritten in place with the old size and time": func(t *testing.T, root string) {
			p := filepath.Join(root, "teams", "a.yaml")
			st, _ := os.Stat(p)
			b, _ := os.ReadFile(p)
			time.Sleep(10 * time.Millisecond) // a change time the old one cannot equal
			f, err := os.OpenFile(p, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteAt([]byte(strings.Replace(string(b), "team-a", "team-x", 1)), 0); err != nil {
				t.Fatal(err)
			}
			_ = f.Close()
			if err := os.Chtimes(p, st.ModTime(), st.ModTime()); err != nil {
				t.Fatal(err)
			}
		},
		"replaced by a same-size file with the old time": func(t *testing.T, root string) {
			p := filepath.Join(root, "teams", "a.yaml")
			b, _ := os.ReadFile(p)
			tmp := p + ".new"
			mustWrite(t, tmp, strings.Replace(string(b), "team-a", "team-x", 1))
			st, _ := os.Stat(p)
			_ = os.Chtimes(tmp, st.ModTime(), st.ModTime())
			if err := os.Rename(tmp, p); err != nil {
				t.Fatal(err)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			root, cache := snapCatalog(t), t.TempDir()
			loadWith(t, root, cache, false)
			if !loadWith(t, root, cache, false).from() {
				t.Fatal("setup: the snapshot was not used")
			}
			change(t, root)
			got := loadWith(t, root, cache, false)
			if got.from() {
				t.Fatalf("stale snapshot used after the change: %q", got.notes)
			}
			sameAsParse(t, root, got)
		})
	}
}

func mustWrite(t *testing.T, p, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSnapshotNotSavedWhileFresh: files changed within a clock tick of the
// load could change again unseen, so that load is not saved.
func TestSnapshotNotSavedWhileFresh(t *testing.T) {
	root, cache := snapCatalog(t), t.TempDir()
	mustWrite(t, filepath.Join(root, "notes.txt"), "just now")
	first := loadWith(t, root, cache, false)
	if !strings.Contains(strings.Join(first.notes, "\n"), "not snapshotted: files changed within") {
		t.Fatalf("notes %q", first.notes)
	}
	if loadWith(t, root, cache, false).from() {
		t.Fatal("a load of just-changed files was snapshotted")
	}
}

// TestSnapshotCorrupt: a damaged, truncated or foreign file is never
// trusted; the load parses and replaces it.
func TestSnapshotCorrupt(t *testing.T) {
	for name, damage := range map[string]func([]byte) []byte{
		"truncated":      func(b []byte) []byte { return b[:len(b)/2] },
		"flipped byte":   func(b []byte) []byte { b[len(b)/2] ^= 0x55; return b },
		"empty":          func([]byte) []byte { return nil },
		"other format":   func(b []byte) []byte { b[len(snapMagic)]++; return b },
		"not a snapshot": func([]byte) []byte { return []byte("{\"version\": 1}") },
	} {
		t.Run(name, func(t *testing.T) {
			root, cache := snapCatalog(t), t.TempDir()
			loadWith(t, root, cache, false)
			path := snapshotPath(cache, snapshotKey([]string{root}, LoadOptions{}))
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, damage(b), 0o600); err != nil {
				t.Fatal(err)
			}
			got := loadWith(t, root, cache, false)
			if got.from() || !strings.Contains(strings.Join(got.notes, "\n"), "not using the snapshot") {
				t.Fatalf("notes %q", got.notes)
			}
			sameAsParse(t, root, got)
			if !loadWith(t, root, cache, false).from() {
				t.Fatal("the damaged snapshot was not replaced")
			}
		})
	}
}

// TestSnapshotKey: other caps or another folder are other snapshots.
func TestSnapshotKey(t *testing.T) {
	a := snapshotKey([]string{"cat"}, LoadOptions{})
	if a == snapshotKey([]string{"cat2"}, LoadOptions{}) {
		t.Fatal("paths not in the key")
	}
	opts := LoadOptions{}.withDefaults()
	opts.FileLimit.Bytes++
	if a == snapshotKey([]string{"cat"}, opts) {
		t.Fatal("caps not in the key")
	}
	t.Chdir(t.TempDir())
	if a == snapshotKey([]string{"cat"}, LoadOptions{}) {
		t.Fatal("working directory not in the key")
	}
}

// FuzzSnapshotDecode: arbitrary bytes decode to an error or a result,
// never a panic or a huge allocation. Each input is tried as a whole file
// and as a payload inside a valid envelope, so mutations get past the
// checksum into the entity decoder.
func FuzzSnapshotDecode(f *testing.F) {
	root, cache := snapCatalog(f), f.TempDir()
	key := snapshotKey([]string{root}, LoadOptions{})
	src := NewFilesSource(root)
	src.Snapshot = &SnapshotOptions{Dir: cache}
	if _, err := src.Load(context.Background()); err != nil {
		f.Fatal(err)
	}
	b, err := os.ReadFile(snapshotPath(cache, key))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(b[len(snapMagic)+12 : len(b)-4]) // the payload alone
	f.Add([]byte("bsai-catalog\x00\x01\x00\x00\x00"))
	fresh := func(map[probe]string) string { return "" }
	f.Fuzz(func(t *testing.T, in []byte) {
		_, _, _ = decodeSnapshot(append([]byte(nil), in...), key, fresh)
		env := append([]byte(nil), snapMagic...)
		env = binary.LittleEndian.AppendUint32(env, snapFormat)
		env = binary.LittleEndian.AppendUint64(env, uint64(len(in)))
		env = append(env, in...)
		env = binary.LittleEndian.AppendUint32(env, crc32.Checksum(in, snapCRC))
		if res, _, err := decodeSnapshot(env, key, fresh); err == nil && res == nil {
			t.Fatal("no error and no result")
		}
	})
}

// TestSnapshotGraphSameAsParsed: over the real catalogs of testdata/ (and
// the small one above), the graph read from a snapshot, whose entities
// decode as they are used, answers every lookup as the graph of a fresh
// parse does.
func TestSnapshotGraphSameAsParsed(t *testing.T) {
	roots := map[string]string{"snapCatalog": snapCatalog(t)}
	entries, err := os.ReadDir(filepath.Join("..", "..", "testdata", "catalogs"))
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range entries {
		if de.IsDir() {
			dst := filepath.Join(t.TempDir(), de.Name())
			if err := os.CopyFS(dst, os.DirFS(filepath.Join("..", "..", "testdata", "catalogs", de.Name()))); err != nil {
				t.Fatal(err)
			}
			age(t, dst)
			roots[de.Name()] = dst
		}
	}
	for name, root := range roots {
		t.Run(name, func(t *testing.T) {
			cache := t.TempDir()
			loadWith(t, root, cache, false)
			src := NewFilesSource(root)
			src.Snapshot = &SnapshotOptions{Dir: cache}
			lazy, err := src.Graph(context.Background())
			if err != nil || lazy.lazy == nil {
				t.Fatalf("no snapshot graph: %v", err)
			}
			want, err := LoadFiles(context.Background(), []string{root})
			if err != nil {
				t.Fatal(err)
			}
			parsed := NewGraph(want.Entities)
			if lazy.Len() != parsed.Len() || lazy.Len() == 0 {
				t.Fatalf("%d entities, want %d", lazy.Len(), parsed.Len())
			}
			if !reflect.DeepEqual(lazy.Kinds(), parsed.Kinds()) {
				t.Fatalf("kinds %v, want %v", lazy.Kinds(), parsed.Kinds())
			}
			for i := range parsed.Len() {
				ref := parsed.RefAt(i)
				e := parsed.At(i)
				// Each way in, before and after the entity is decoded.
				for _, q := range []string{e.Metadata.Name, strings.ToUpper(ref), e.Kind + ":" + e.Metadata.Name, e.Namespace() + "/" + e.Metadata.Name} {
					if got, want := refsOfEntities(lazy.Lookup(q)), refsOfEntities(parsed.Lookup(q)); !reflect.DeepEqual(got, want) {
						t.Fatalf("Lookup(%q) = %v, want %v", q, got, want)
					}
				}
				got, ok := lazy.Get(ref)
				if !ok || !reflect.DeepEqual(got, e) {
					t.Fatalf("Get(%s) = %+v, want %+v", ref, got, e)
				}
				if !reflect.DeepEqual(lazy.Related(ref), parsed.Related(ref)) || !reflect.DeepEqual(lazy.Owners(ref), parsed.Owners(ref)) {
					t.Fatalf("relations of %s differ", ref)
				}
				if lazy.KindAt(i) != parsed.KindAt(i) || lazy.RefAt(i) != ref {
					t.Fatalf("position %d: %s %s, want %s %s", i, lazy.KindAt(i), lazy.RefAt(i), parsed.KindAt(i), ref)
				}
				if got, want := lazy.Suggest(e.Metadata.Name+"x", 5), parsed.Suggest(e.Metadata.Name+"x", 5); !reflect.DeepEqual(got, want) {
					t.Fatalf("Suggest = %v, want %v", got, want)
				}
			}
			for _, k := range parsed.Kinds() {
				if !reflect.DeepEqual(refsOfEntities(lazy.ByKind(k)), refsOfEntities(parsed.ByKind(k))) || lazy.ExampleRef(k) != parsed.ExampleRef(k) {
					t.Fatalf("kind %s differs", k)
				}
			}
			if lazy.Digest() != parsed.Digest() || lazy.RefsDigest() != parsed.RefsDigest() {
				t.Fatal("digests differ")
			}
			if !reflect.DeepEqual(lazy.All(), parsed.All()) {
				t.Fatal("All differs")
			}
		})
	}
}

func refsOfEntities(es []*Entity) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Ref().String()
	}
	return out
}

// TestSnapshotGraphConcurrent: mcp serve shares one graph between calls;
// decoding on first use must be safe from many goroutines (run with -race).
func TestSnapshotGraphConcurrent(t *testing.T) {
	root, cache := snapCatalog(t), t.TempDir()
	loadWith(t, root, cache, false)
	src := NewFilesSource(root)
	src.Snapshot = &SnapshotOptions{Dir: cache}
	g, err := src.Graph(context.Background())
	if err != nil || g.lazy == nil {
		t.Fatalf("no snapshot graph: %v", err)
	}
	done := make(chan string)
	for w := range 8 {
		go func() {
			var names []string
			for i := range g.Len() {
				names = append(names, g.At((i+w)%g.Len()).Metadata.Name)
			}
			if w%2 == 0 {
				g.All()
			}
			done <- strings.Join(names, ",")
		}()
	}
	for range 8 {
		if got := <-done; !strings.Contains(got, "ledger") {
			t.Fatalf("names %s", got)
		}
	}
}
