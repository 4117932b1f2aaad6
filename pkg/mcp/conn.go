package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/redact"
)

// conn is one live, initialised connection to a server.
type conn struct {
	id     string
	cfg    config.MCPServer
	client *client.Client

	// stdio only: the spawned command, leader of its own process group so
	// the whole tree (sh -c, npx, node, ...) can be signalled at once.
	cmd     *exec.Cmd
	exited  chan struct{} // closed when cmd has been waited for
	stdout  *os.File      // our end of the server's stdout
	drained chan struct{} // closed when stderr has been copied to its end
	logFile *cappedLog
	tail    *tailBuffer

	// tl is set once the server sent a message over the cap.
	tl *tooLarge

	secretsOnce sync.Once
	secretVals  []string

	toolsMu sync.Mutex
	tools   []mcp.Tool

	closeOnce sync.Once
	closeErr  error
}

// get returns the live connection for id, starting it on first use. Starts
// of different servers run in parallel; concurrent first uses of the same
// server share one start.
func (r *Registry) get(ctx context.Context, id string) (*conn, error) {
	cfg, inproc, err := r.lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	if c, ok := r.conns[id]; ok {
		r.mu.Unlock()
		return c, nil
	}
	m, ok := r.starting[id]
	if !ok {
		m = &sync.Mutex{}
		r.starting[id] = m
	}
	r.mu.Unlock()

	m.Lock()
	defer m.Unlock()
	r.mu.Lock()
	if c, ok := r.conns[id]; ok {
		r.mu.Unlock()
		return c, nil
	}
	r.mu.Unlock()

	c, err := r.start(ctx, id, cfg, inproc)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		_ = c.shutdown()
		return nil, errs.Failure("mcp registry is closed")
	}
	r.conns[id] = c
	r.mu.Unlock()
	return c, nil
}

// start spawns or connects to a server and runs the handshake within the
// server's start timeout.
func (r *Registry) start(ctx context.Context, id string, cfg config.MCPServer, inproc *server.MCPServer) (*conn, error) {
	c := &conn{id: id, cfg: cfg, tail: &tailBuffer{max: 4096}}
	limit, where := r.messageCap(id, cfg)
	c.tl = &tooLarge{limit: limit, where: where, id: id}
	var err error
	switch {
	case inproc != nil:
		c.client, err = client.NewInProcessClient(inproc)
	case cfg.Transport == config.MCPStdio:
		c.client, err = r.stdioClient(c, limit)
		if err != nil {
			return nil, c.redact(errs.Config("mcp server %q: cannot start %s: %w", id, cfg.Command, err).
				WithHint("check command/args/cwd in %s", sourceOr(cfg, id)))
		}
	case cfg.Transport == config.MCPHTTP:
		var t *transport.StreamableHTTP
		t, err = transport.NewStreamableHTTP(cfg.URL, transport.WithHTTPHeaders(cfg.Headers),
			transport.WithHTTPBasicClient(r.httpClient(c, limit)), transport.WithHTTPLogger(r.transportLogger(c)))
		if err == nil {
			c.client = client.NewClient(t, r.clientOptions(cfg)...)
		}
	case cfg.Transport == config.MCPSSE:
		var t *transport.SSE
		t, err = transport.NewSSE(cfg.URL, transport.WithHeaders(cfg.Headers), transport.WithHTTPClient(r.httpClient(c, limit)),
			transport.WithSSELogger(r.transportLogger(c)))
		if err == nil {
			c.client = client.NewClient(t, r.clientOptions(cfg)...)
		}
	default:
		err = fmt.Errorf("unknown transport %q", cfg.Transport)
	}
	if err != nil {
		return nil, c.redact(errs.Config("mcp server %q: %w", id, err))
	}
	c.client.OnNotification(func(n mcp.JSONRPCNotification) { r.notify(c, n) })

	timeout := cfg.Timeout.Duration
	if timeout <= 0 {
		timeout = DefaultStartTimeout
	}
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// Start gets the registry's long-lived context: the stdio reader and SSE
	// stream must outlive this first call.
	if err := c.client.Start(r.base); err != nil {
		_ = c.shutdown()
		if cfg.Transport == config.MCPStdio {
			return nil, c.redact(errs.Config("mcp server %q: cannot start %s: %w", id, cfg.Command, err).
				WithHint("check command/args/cwd in %s", sourceOr(cfg, id)))
		}
		return nil, c.redact(errs.Upstream("mcp server %q: cannot connect to %s: %w", id, redactURL(cfg.URL), err))
	}
	init := mcp.InitializeRequest{}
	init.Params.ClientInfo = mcp.Implementation{Name: r.opts.ClientName, Version: r.opts.ClientVersion}
	init.Params.ProtocolVersion = cfg.ProtocolVersion
	if _, err := c.client.Initialize(sctx, init); err != nil {
		_ = c.shutdown()
		switch {
		case c.tl.get() != nil:
			return nil, c.tl.get()
		case ctx.Err() != nil:
			return nil, fmt.Errorf("mcp server %q: %w", id, ctx.Err())
		case sctx.Err() != nil:
			return nil, errs.Upstream("mcp server %q did not finish the handshake within %s", id, timeout).
				WithHint("%sraise bsai.mcp.servers.%s.timeout if it is just slow to start", c.stderrHint(), id)
		}
		if isUnauthorized(err) {
			// A rejected credential is a config problem (exit 4), like a 401
			// from Backstage or a model provider.
			return nil, c.redact(errs.Config("mcp server %q rejected the credentials (401): %w", id, err).
				WithHint("check bsai.mcp.servers.%s.headers (or the token for a Backstage mcp-actions server)", id))
		}
		return nil, c.redact(errs.Upstream("mcp server %q: handshake failed: %s", id, reason(err)).WithHint("%s", c.stderrHint()))
	}
	return c, nil
}

func (r *Registry) clientOptions(cfg config.MCPServer) []client.ClientOption {
	var o []client.ClientOption
	if cfg.ProtocolVersion != "" {
		o = append(o, client.WithProtocolVersion(cfg.ProtocolVersion))
	}
	return o
}

// notify forwards server notifications. Log messages are shown with -v;
// everything else (progress, list changes) is only passed to the hook.
func (r *Registry) notify(c *conn, n mcp.JSONRPCNotification) {
	id := c.id
	if r.opts.OnNotification != nil {
		r.opts.OnNotification(id, n)
	}
	if n.Method == "notifications/progress" {
		routes.deliver(n)
	}
	if r.opts.Stderr != nil && n.Method == "notifications/message" {
		// Log data is the server's text: redacted and clipped like its
		// stderr, never a terminal-sized flood of one message.
		b, _ := json.Marshal(n.Params.AdditionalFields["data"])
		line := clip(redact.String(fmt.Sprintf("%v: %s", n.Params.AdditionalFields["level"], b), c.secrets()...))
		fmt.Fprintf(r.opts.Stderr, "[%s] %s\n", id, line)
	}
}

// LogPath is where a stdio server's stderr is written ("" without LogDir).
func (r *Registry) LogPath(id string) string {
	if r.opts.LogDir == "" {
		return ""
	}
	return filepath.Join(r.opts.LogDir, safeName(id)+".log")
}

func (c *conn) stderrHint() string {
	if last := c.tail.lastLine(); last != "" {
		return fmt.Sprintf("server stderr: %s; ", last)
	}
	if c.logFile != nil {
		return fmt.Sprintf("see %s; ", c.logFile.Name())
	}
	return ""
}

// shutdown ends the connection. A stdio server first gets its stdin closed
// (the MCP way to ask it to exit), then SIGTERM and finally SIGKILL for its
// whole process group, so grandchildren (npx → node) never outlive us; on
// Linux, descendants that left the group (setsid) are found through /proc
// and killed too.
func (c *conn) shutdown() error {
	c.closeOnce.Do(func() {
		if c.client == nil {
			return
		}
		// Listed while the server still lives: once it dies, its children
		// are re-parented and no longer look like its descendants.
		var tree []proc
		if c.cmd != nil && c.cmd.Process != nil {
			tree = descendants(c.cmd.Process.Pid)
		}
		done := make(chan error, 1)
		go func() { done <- c.client.Close() }()
		if c.cmd == nil || c.cmd.Process == nil {
			select {
			case c.closeErr = <-done:
			case <-time.After(5 * time.Second):
				c.closeErr = fmt.Errorf("mcp server %q: close timed out", c.id)
			}
			return
		}
		pgid := c.cmd.Process.Pid
		exited := false
		select {
		case <-c.exited:
			exited = true
		case <-time.After(stdinGrace):
		}
		// The leader may be gone while children it spawned live on in the
		// group, so the group is signalled even after a clean exit.
		_ = signalGroup(pgid, sigTerm)
		if !exited {
			select {
			case <-c.exited:
				exited = true
			case <-time.After(termGrace):
			}
		}
		_ = signalGroup(pgid, sigKill)
		killProcs(append(tree, descendants(pgid)...))
		if !exited {
			select {
			case <-c.exited:
			case <-time.After(2 * time.Second):
				c.closeErr = fmt.Errorf("mcp server %q (pid %d) did not exit", c.id, pgid)
			}
		}
		_ = c.stdout.Close()
		select {
		case <-c.drained:
		case <-time.After(time.Second):
		}
		if c.logFile != nil {
			_ = c.logFile.Close()
		}
	})
	return c.closeErr
}

// How long a stdio server gets to exit after stdin closes, then after SIGTERM.
var (
	stdinGrace = 100 * time.Millisecond
	termGrace  = time.Second
)

func sourceOr(cfg config.MCPServer, id string) string {
	if cfg.Source != "" {
		return cfg.Source
	}
	return "the declaration of " + id
}

func safeName(id string) string {
	b := []byte(id)
	for i, ch := range b {
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_' || ch == '.') {
			b[i] = '_'
		}
	}
	return string(b)
}

// tailBuffer keeps the last max bytes written, for error messages.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append([]byte(nil), t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) lastLine() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := bytes.Split(bytes.TrimSpace(t.buf), []byte("\n"))
	for i := len(lines) - 1; i >= 0; i-- {
		if l := bytes.TrimSpace(lines[i]); len(l) > 0 {
			if len(l) > 300 {
				l = append(l[:300:300], "…"...)
			}
			return string(l)
		}
	}
	return ""
}

// reason is err's message, or what happened when the server's error had
// none (a JSON-RPC error with an empty message used to print "tools/list:").
func reason(err error) string {
	if m := strings.TrimSpace(err.Error()); m != "" && !strings.HasSuffix(m, ":") {
		return m
	}
	if m := strings.TrimSpace(err.Error()); m != "" {
		return m + " (no reason given)"
	}
	return "the server answered with an error and no message"
}

// isUnauthorized recognises mcp-go's 401 errors on either HTTP transport.
func isUnauthorized(err error) bool {
	return errors.Is(err, transport.ErrAuthorizationRequired) || errors.Is(err, transport.ErrUnauthorized) ||
		errors.Is(err, transport.ErrOAuthAuthorizationRequired)
}
