package cachefile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
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

// TestRead: a cache file is read only when it is a regular file under the
// cap; a FIFO in its place is refused without blocking, a device without
// reading it.
func TestRead(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	if err := WriteAtomic(good, []byte("cached")); err != nil {
		t.Fatal(err)
	}
	if b, err := Read(good, 6); err != nil || string(b) != "cached" {
		t.Fatalf("Read = %q, %v", b, err)
	}
	if _, err := Read(good, 5); err == nil {
		t.Fatal("a file over the cap was read")
	}
	if _, err := Read(filepath.Join(dir, "missing"), 5); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	special := []string{"/dev/zero", filepath.Join(dir, "dir")}
	if err := os.Mkdir(special[1], 0o700); err != nil {
		t.Fatal(err)
	}
	if fifo := filepath.Join(dir, "fifo"); mkfifo(fifo) == nil {
		special = append(special, fifo)
	}
	for _, p := range special {
		done := make(chan error, 1)
		go func() { _, err := Read(p, 1<<30); done <- err }()
		select {
		case err := <-done:
			if err == nil {
				t.Errorf("%s was read as a cache file", p)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("reading %s as a cache file blocks", p)
		}
	}
}

// TestOwnedBy: a cache file is trusted only when this user owns it (the
// check Open makes with the process's effective uid).
func TestOwnedBy(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.snap")
	if err := WriteAtomic(p, []byte("x")); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if !ownedBy(st, euid()) {
		t.Fatal("our own file is not ours")
	}
	if euid() >= 0 && ownedBy(st, euid()+1) {
		t.Fatal("another user's file passes as ours")
	}
	if os.Geteuid() == 0 { // root can plant one for real
		if err := os.Chown(p, 4242, 4242); err != nil {
			t.Fatal(err)
		}
		if _, err := Read(p, 10); err == nil || !strings.Contains(err.Error(), "another user") {
			t.Fatalf("another user's cache file was read: %v", err)
		}
	}
}
