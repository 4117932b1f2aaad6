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

// prefixWriter prefixes each line; partial lines wait for their newline, up
// to maxPartialLine bytes.
type prefixWriter struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
	part   []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			room := maxPartialLine - len(p.part)
			if len(b) <= room {
				p.part = append(p.part, b...)
				return n, nil
			}
			p.part = append(p.part, b[:room]...)
			b = b[room:]
			if err := p.flush("…"); err != nil {
				return n, err
			}
			continue
		}
		p.part = append(p.part, b[:i]...)
		b = b[i+1:]
		if err := p.flush(""); err != nil {
			return n, err
		}
	}
	return n, nil
}

func (p *prefixWriter) flush(suffix string) error {
	_, err := fmt.Fprintf(p.w, "%s%s%s\n", p.prefix, p.part, suffix)
	p.part = p.part[:0]
	return err
}

// redactLines removes a server's declared secrets (and credential-shaped
// strings) from its stderr line by line, before the tail kept for errors,
// the log file and -v see it. Lines without a newline are redacted in
// maxPartialLine pieces.
type redactLines struct {
	mu   sync.Mutex
	c    *conn
	w    io.Writer
	part []byte
}

func (r *redactLines) Write(b []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			room := maxPartialLine - len(r.part)
			if len(b) <= room {
				r.part = append(r.part, b...)
				return n, nil
			}
			r.part = append(r.part, b[:room]...)
			b = b[room:]
			if err := r.flush(""); err != nil {
				return n, err
			}
			continue
		}
		r.part = append(r.part, b[:i]...)
		b = b[i+1:]
		if err := r.flush("\n"); err != nil {
			return n, err
		}
	}
	return n, nil
}

func (r *redactLines) flush(end string) error {
	_, err := io.WriteString(r.w, redact.String(string(r.part), r.c.secrets()...)+end)
	r.part = r.part[:0]
	return err
}

// Close writes out a last line that had no newline.
func (r *redactLines) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.part) == 0 {
		return nil
	}
	return r.flush("\n")
}
