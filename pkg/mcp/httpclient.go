package mcp

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/bsai-dev/bsai/pkg/errs"
)

// httpClient is the shared client with two things per server: every
// response body is capped (capTransport), and a redirect to another origin
// (scheme, host or port differ) drops every configured header, not only the
// Authorization and Cookie headers net/http drops for another domain.
func (r *Registry) httpClient(c *conn, limit int64) *http.Client {
	base := r.opts.HTTPClient
	if base == nil {
		base = &http.Client{}
	}
	hc := *base
	rt := hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	hc.Transport = &capTransport{base: rt, max: limit, tl: c.tl}
	prev := hc.CheckRedirect
	headers := c.cfg.Headers
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if origin(req.URL) != origin(via[0].URL) {
			for k := range headers {
				req.Header.Del(k)
			}
		}
		if prev != nil {
			return prev(req, via)
		}
		return nil
	}
	return &hc
}

// transportLogger is where mcp-go's transport logs go: -v's stderr,
// prefixed with the server id and redacted, or nowhere (they repeat the
// error bsai reports).
func (r *Registry) transportLogger(c *conn) *slog.Logger {
	if r.opts.Stderr == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return slog.New(slog.NewTextHandler(&redactWriter{c: c, w: newPrefixWriter(r.opts.Stderr, "["+c.id+"] ")}, nil))
}

// redactWriter redacts a connection's secrets from log lines.
type redactWriter struct {
	c *conn
	w io.Writer
}

func (rw *redactWriter) Write(p []byte) (int, error) {
	e := rw.c.redact(&errs.Error{Msg: string(p)})
	_, err := io.WriteString(rw.w, e.Msg)
	return len(p), err
}

func origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Hostname()) + ":" + port
}
