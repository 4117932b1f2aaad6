// Package cachefile writes and prunes the files of bsai's on-disk caches
// (catalog snapshots, retrieval indexes, embeddings, completions). They
// are private to the user and rebuilt when missing, so the rules are the
// same for all: written whole or not at all, directories 0700, files 0600,
// and a bounded number kept.
package cachefile

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bsai-dev/bsai/pkg/boundedio"
)

// tempMark is in every temp file's name, so Prune finds what a crashed
// write left behind.
const tempMark = ".tmp-"

// WriteAtomic writes b to path through a temp file in the same directory
// renamed into place: a reader (another bsai process) sees the old file or
// the new one, never half of one. The directory is created if needed.
func WriteAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+tempMark+"*") // 0600
	if err != nil {
		return err
	}
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
	}
	return err
}

// Open opens a cache file for reading: only a regular file of at most
// max bytes, so a FIFO, a device or a huge file in its place (a cache
// dir is the user's to break) is an error the caller treats as a miss,
// never a hang or a read without end. It returns the file's size.
//
// A file another user owns is refused too: every cache file is written
// 0600 by its user, and one planted in a cache dir others can write to
// (XDG_CACHE_HOME on a shared disk) would be trusted as the catalog.
func Open(path string, max int64) (*os.File, int64, error) {
	f, st, err := boundedio.OpenRegular(path)
	if err != nil {
		return nil, 0, err
	}
	if !ownedBy(st, euid()) {
		f.Close()
		return nil, 0, fmt.Errorf("cache file %s belongs to another user", path)
	}
	if st.Size() > max {
		f.Close()
		return nil, 0, fmt.Errorf("cache file %s is %s, over the %s a cache file may have", path,
			boundedio.FormatSize(st.Size()), boundedio.FormatSize(max))
	}
	return f, st.Size(), nil
}

// Read is a whole cache file (see Open), at most max bytes even if it
// grows while read.
func Read(path string, max int64) ([]byte, error) {
	f, size, err := Open(path, max)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, 0, size+1)
	for {
		n, err := f.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if int64(len(b)) > max {
			return nil, fmt.Errorf("cache file %s grew past %s while read", path, boundedio.FormatSize(max))
		}
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// WriteAtomicFunc is WriteAtomic for an encoder that writes to a stream.
func WriteAtomicFunc(path string, write func(*bytes.Buffer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	return WriteAtomic(path, buf.Bytes())
}

// Prune keeps the max most recently modified files of dir whose names end
// in ext, counting keep (the file just written, never removed), and
// removes temp files of failed writes older than an hour. Errors are
// ignored: a cache that cannot be pruned is still a cache.
func Prune(dir, ext, keep string, max int) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type file struct {
		path string
		mod  time.Time
	}
	var files []file
	for _, de := range entries {
		name := de.Name()
		info, err := de.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		p := filepath.Join(dir, name)
		switch {
		case strings.HasPrefix(name, ".") && strings.Contains(name, tempMark):
			if time.Since(info.ModTime()) > time.Hour {
				_ = os.Remove(p)
			}
		case strings.HasSuffix(name, ext) && p != keep:
			files = append(files, file{p, info.ModTime()})
		}
	}
	slices.SortFunc(files, func(a, b file) int { return b.mod.Compare(a.mod) })
	for i, f := range files {
		if i >= max-1 {
			_ = os.Remove(f.path)
		}
	}
}
