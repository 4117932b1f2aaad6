package mcp

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"

	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/textutil"
)

// DefaultMaxMessageSize caps one message from a server when neither the
// server nor bsai.mcp sets maxMessageSize: far above any sane tool result,
// far below what exhausts memory (mcp-go would otherwise buffer a line or a
// body of any length).
const DefaultMaxMessageSize = 10 << 20

// messageCap is the cap for one server and where to change it.
func (r *Registry) messageCap(id string, cfg config.MCPServer) (int64, string) {
	if cfg.MaxMessageSize > 0 {
		where := "maxMessageSize of " + id + " in " + sourceOr(cfg, id)
		if key, origin, ok := strings.Cut(cfg.Source, " ("); ok && strings.Contains(key, ".") {
			where = key + ".maxMessageSize (" + origin
		} else if strings.HasPrefix(cfg.Source, "bsai.") || strings.HasPrefix(cfg.Source, "scaffolder.") {
			where = cfg.Source + ".maxMessageSize"
		}
		return int64(cfg.MaxMessageSize), where
	}
	if r.opts.MaxMessageSize > 0 {
		return r.opts.MaxMessageSize, "bsai.mcp.maxMessageSize (or bsai.mcp.servers." + id + ".maxMessageSize)"
	}
	return DefaultMaxMessageSize, "bsai.mcp.servers." + id + ".maxMessageSize or bsai.mcp.maxMessageSize"
}

// tooLarge records that a server sent a message over the cap. The reader
// that sees it ends the stream; the request waiting on it then fails and
// reports this instead of "connection lost".
type tooLarge struct {
	mu    sync.Mutex
	err   *errs.Error
	limit int64
	where string
	id    string
}

func (t *tooLarge) trip() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err == nil {
		t.err = errs.Upstream("mcp server %q sent a message larger than the %s cap", t.id, config.ByteSize(t.limit)).
			WithHint("bsai stopped reading and dropped the connection; if such results are expected, raise %s", t.where)
	}
	return t.err
}

func (t *tooLarge) get() *errs.Error {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

// lineCapReader passes a newline-delimited stream through, failing once a
// line grows past max bytes. MCP's stdio transport frames each JSON-RPC
// message as one line, so this bounds what mcp-go's line reader buffers.
// On a breach it returns io.EOF (mcp-go then ends the transport quietly) and
// records the reason in tl.
type lineCapReader struct {
	r    io.Reader
	max  int64
	cur  int64 // bytes since the last newline
	tl   *tooLarge
	done bool
}

func (l *lineCapReader) Read(p []byte) (int, error) {
	if l.done {
		return 0, io.EOF
	}
	// Never hand out more than can still fit, so the breach is seen before
	// the bytes reach the caller's buffer.
	if room := l.max + 1 - l.cur; int64(len(p)) > room && room > 0 {
		p = p[:room]
	}
	n, err := l.r.Read(p)
	for i := 0; i < n; {
		j := bytes.IndexByte(p[i:n], '\n')
		if j < 0 {
			l.cur += int64(n - i)
			break
		}
		l.cur = 0
		i += j + 1
	}
	if l.cur > l.max {
		l.done = true
		l.tl.trip()
		return 0, io.EOF
	}
	return n, err
}

// capTransport bounds every response body from an http/sse server: a JSON
// body as a whole, an event stream per event (the bytes up to a blank line).
// A breach fails the read with the cap error.
type capTransport struct {
	base http.RoundTripper
	max  int64
	tl   *tooLarge
}

func (c *capTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.base.RoundTrip(req)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	resp.Body = &capBody{rc: resp.Body, max: c.max, tl: c.tl, events: mt == "text/event-stream"}
	return resp, nil
}

type capBody struct {
	rc     io.ReadCloser
	max    int64
	tl     *tooLarge
	events bool
	cur    int64 // bytes of the current body or event
	line   int64 // bytes of the current line (events only)
	failed error
}

func (b *capBody) Read(p []byte) (int, error) {
	if b.failed != nil {
		return 0, b.failed
	}
	if room := b.max + 1 - b.cur; int64(len(p)) > room && room > 0 {
		p = p[:room]
	}
	n, err := b.rc.Read(p)
	if !b.events {
		b.cur += int64(n)
	} else {
		for _, ch := range p[:n] {
			b.cur++
			switch ch {
			case '\n':
				if b.line == 0 {
					b.cur = 0 // a blank line ends the event
				}
				b.line = 0
			case '\r':
			default:
				b.line++
			}
		}
	}
	if b.cur > b.max {
		b.failed = b.tl.trip()
		return 0, b.failed
	}
	return n, err
}

func (b *capBody) Close() error { return b.rc.Close() }

// maxErrorText is how much of a body an error message quotes.
const maxErrorText = 2000

// clip shortens a message that quotes a large body.
func clip(s string) string {
	if len(s) <= maxErrorText {
		return s
	}
	cut := textutil.Truncate(s, maxErrorText, "")
	return cut + fmt.Sprintf("… (%d more bytes)", len(s)-len(cut))
}
