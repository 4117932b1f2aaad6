package catalog

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// probes records every question a files load asked the file system, with
// the answer it got: which files a root path or a Location target expands
// to, where a placeholder target resolves, and the identity (size,
// modification time, inode, mode) of every file read. A snapshot of the
// load is still right exactly when asking them all again gets the same
// answers; that is how snapshot.go decides, without reading or parsing a
// single catalog file.
type probes struct {
	mu  sync.Mutex
	got map[probe]string
	// newest is the latest modification time among the files read: a file
	// changed within a clock tick of the load could change again without
	// its time moving, so such a load is not snapshotted. (The change
	// time in each file's signature is not waited for: its tick is the
	// kernel's, far finer than snapSettle, and every `touch -d` or `tar x`
	// sets it to now, so waiting for it would hold back every such load.)
	newest time.Time
}

type probe struct {
	kind byte // see the probe kinds
	a, b string
}

// Probe kinds.
const (
	probeRoot   byte = 'r' // a: root path
	probeTarget byte = 'l' // a: Location target path, b: root folder
	probeHolder byte = 'p' // a: placeholder target, b: the entity's file
	probeFile   byte = 'f' // a: a file read
)

func newProbes() *probes { return &probes{got: map[probe]string{}} }

// add records an answer; a nil recorder (no snapshot wanted) records
// nothing.
func (r *probes) add(p probe, answer string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.got[p] = answer
	r.mu.Unlock()
}

// file records the identity of a file about to be read: taken before the
// read, so a change after it always shows.
func (r *probes) file(path string) {
	if r == nil {
		return
	}
	sig, mtime := fileSig(path)
	r.mu.Lock()
	r.got[probe{kind: probeFile, a: path}] = sig
	if mtime.After(r.newest) {
		r.newest = mtime
	}
	r.mu.Unlock()
}

// ask answers p again, now.
func (p probe) ask() string {
	switch p.kind {
	case probeRoot:
		return expansionAnswer(expandRoot(p.a))
	case probeTarget:
		return expansionAnswer(expandTarget(p.a, p.b))
	case probeHolder:
		path, err := placeholderPath(p.a, p.b)
		return holderAnswer(path, err)
	case probeFile:
		sig, _ := fileSig(p.a)
		return sig
	}
	return "?"
}

// changed returns the first probe whose answer is not the recorded one
// ("" when none), asking in parallel: a catalog of one file per entity has
// as many files as entities.
func changed(recorded map[probe]string) string {
	list := make([]probe, 0, len(recorded))
	for p := range recorded {
		list = append(list, p)
	}
	var mu sync.Mutex
	first := ""
	parallelEach(len(list), 64, func(i int) {
		p := list[i]
		if p.ask() == recorded[p] {
			return
		}
		mu.Lock()
		if first == "" || p.a < first {
			first = p.a // the smallest, so the note is deterministic
		}
		mu.Unlock()
	})
	return first
}

func expansionAnswer(files []string, outside string, err error) string {
	var b strings.Builder
	for _, f := range files {
		b.WriteString(f)
		b.WriteByte(0)
	}
	b.WriteString("|" + outside + "|")
	if err != nil {
		b.WriteString(err.Error())
	}
	return b.String()
}

func holderAnswer(path string, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return path
}

// fileSig is a file's identity as Lstat sees it and, for a symlink, as
// Stat sees it too (a link pointed elsewhere changes either), "missing"
// when it is not there.
func fileSig(path string) (string, time.Time) {
	lst, err := os.Lstat(path)
	if err != nil {
		return "missing: " + fmt.Sprint(os.IsNotExist(err)), time.Time{}
	}
	if lst.Mode()&os.ModeSymlink == 0 {
		return statSig(lst), lst.ModTime() // not a link: Stat would say the same
	}
	st, err := os.Stat(path)
	if err != nil {
		return "dangling link " + statSig(lst), lst.ModTime()
	}
	return statSig(st) + " " + statSig(lst), st.ModTime()
}

// statSig: mode, size and modification time everywhere, plus device,
// inode and change time where the platform has them (statsys_*.go): a
// file replaced by another of the same size and time, or rewritten in
// place with its old modification time, is still noticed.
func statSig(fi os.FileInfo) string {
	return fmt.Sprintf("%o:%d:%d:%s", fi.Mode(), fi.Size(), fi.ModTime().UnixNano(), sysSig(fi))
}
