package mcp

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/bsai-dev/bsai/pkg/redact"
)

// maxLogSize caps a server's log file, while it is written: a server that
// floods stderr must not fill the disk.
const maxLogSize = 4 << 20

// cappedLog is a server's log file that never grows past max bytes. When a
// write would cross the cap, the file keeps only its most recent half (the
// recent end of the log is what helps), after a line saying so.
type cappedLog struct {
	mu   sync.Mutex
	f    *os.File
	max  int64
	size int64
}

func openCappedLog(path string, max int64) (*cappedLog, error) {
	flags := os.O_CREATE | os.O_RDWR | os.O_APPEND
	if st, err := os.Stat(path); err == nil && st.Size() > max/2 {
		// Logs only help with recent runs; a new run starts a new file
		// once the old one is half full.
		flags |= os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if err != nil {
		return nil, err
	}
	l := &cappedLog{f: f, max: max}
	if st, err := f.Stat(); err == nil {
		l.size = st.Size()
	}
	return l, nil
}

func (l *cappedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(p)
	if int64(len(p)) > l.max/2 {
		// One write larger than half the cap: keep its end.
		p = p[int64(len(p))-l.max/2:]
	}
	if l.size+int64(len(p)) > l.max {
		if err := l.keepRecent(l.max/2 - int64(len(p))); err != nil {
			return n, err
		}
	}
	m, err := l.f.Write(p)
	l.size += int64(m)
	if err != nil {
		return n, err
	}
	return n, nil
}

// keepRecent rewrites the file as a marker line and its last keep bytes
// (from a line start). The copy is at most max/2 per max/2 written.
func (l *cappedLog) keepRecent(keep int64) error {
	keep = max(0, min(keep, l.size))
	tail := make([]byte, keep)
	if _, err := l.f.ReadAt(tail, l.size-keep); err != nil && err != io.EOF {
		return err
	}
	if i := bytes.IndexByte(tail, '\n'); i >= 0 {
		tail = tail[i+1:]
	}
	if err := l.f.Truncate(0); err != nil {
		return err
	}
	l.size = 0
	m, _ := fmt.Fprintf(l.f, "--- %s older lines dropped: the log is capped at %d MiB\n", time.Now().UTC().Format(time.RFC3339), l.max>>20)
	k, err := l.f.Write(tail)
	l.size = int64(m + k)
	return err
}

func (l *cappedLog) Name() string { return l.f.Name() }

func (l *cappedLog) Close() error { return l.f.Close() }

// maxPartialLine bounds a stderr line held back for the -v prefix while
// its newline has not come: a server writing without newlines gets its
// output shown in pieces of this size instead of growing our memory.
const maxPartialLine = 16 << 10

// lineBuffer splits a stream into lines for a per-line emit: complete lines
// (whole=true) as their newline arrives, a line without one in
// maxPartialLine pieces (whole=false), so memory stays bounded.
type lineBuffer struct {
	mu   sync.Mutex
	part []byte
	emit func(line []byte, whole bool) error
}

func (l *lineBuffer) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		whole := i >= 0
		room := maxPartialLine - len(l.part)
		if !whole && len(b) <= room {
			l.part = append(l.part, b...)
			return n, nil
		}
		if !whole || i > room {
			i, whole = room, false // emit a full piece, the line goes on
		}
		l.part = append(l.part, b[:i]...)
		if whole {
			i++
		}
		b = b[i:]
		err := l.emit(l.part, whole)
		l.part = l.part[:0]
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Close emits a last line that had no newline.
func (l *lineBuffer) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.part) == 0 {
		return nil
	}
	err := l.emit(l.part, true)
	l.part = l.part[:0]
	return err
}

// prefixWriter prefixes each line ("[id] "); a line cut into pieces shows
// "…" where it was cut.
type prefixWriter struct{ lineBuffer }

func newPrefixWriter(w io.Writer, prefix string) *prefixWriter {
	p := &prefixWriter{}
	p.emit = func(line []byte, whole bool) error {
		cut := ""
		if !whole {
			cut = "…"
		}
		_, err := fmt.Fprintf(w, "%s%s%s\n", prefix, line, cut)
		return err
	}
	return p
}

// redactLines removes a server's declared secrets (and credential-shaped
// strings) from its stderr line by line, before the tail kept for errors,
// the log file and -v see it.
type redactLines struct{ lineBuffer }

func newRedactLines(c *conn, w io.Writer) *redactLines {
	r := &redactLines{}
	r.emit = func(line []byte, whole bool) error {
		end := ""
		if whole {
			end = "\n"
		}
		_, err := io.WriteString(w, redact.String(string(line), c.secrets()...)+end)
		return err
	}
	return r
}
