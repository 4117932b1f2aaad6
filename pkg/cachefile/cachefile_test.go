package cachefile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestWriteAtomic(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "x.idx")
	if err := WriteAtomic(path, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := WriteAtomic(path, []byte("two")); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	st, _ := os.Stat(path)
	dst, _ := os.Stat(filepath.Dir(path))
	if string(b) != "two" || st.Mode().Perm() != 0o600 || dst.Mode().Perm() != 0o700 {
		t.Fatalf("content %q, file mode %v, dir mode %v", b, st.Mode(), dst.Mode())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
	// A failing encoder writes nothing and keeps the old file.
	if err := WriteAtomicFunc(path, func(*bytes.Buffer) error { return errors.New("boom") }); err == nil {
		t.Fatal("no error")
	}
	if b, _ := os.ReadFile(path); string(b) != "two" {
		t.Fatalf("old file changed: %q", b)
	}
	// A directory that cannot be created is an error, not a panic.
	if err := WriteAtomic("/proc/bsai-no/x", nil); err == nil {
		t.Fatal("no error for an impossible directory")
	}
}

func TestPrune(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	for i, name := range []string{"a.idx", "b.idx", "c.idx", "d.idx", "e.idx", "keep.snap", ".x.idx.tmp-1", ".y.idx.tmp-2"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		at := now.Add(-time.Duration(i) * time.Minute)
		if name == ".x.idx.tmp-1" {
			at = now.Add(-2 * time.Hour)
		}
		_ = os.Chtimes(p, at, at)
	}
	Prune(dir, ".idx", filepath.Join(dir, "e.idx"), 3)
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	want := []string{".y.idx.tmp-2", "a.idx", "b.idx", "e.idx", "keep.snap"}
	if len(left) != len(want) {
		t.Fatalf("left %v, want %v", left, want)
	}
	for i := range want {
		if left[i] != want[i] {
			t.Fatalf("left %v, want %v", left, want)
		}
	}
}
