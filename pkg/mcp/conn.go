package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
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

// stdioClient spawns the server and hands mcp-go our ends of its pipes, so
// bsai controls what it reads: stdout through a per-line cap (mcp-go would
// buffer a line of any length), stderr through bounded sinks. The process
// is the leader of its own group with a parent-death signal on Linux, and
// nothing ties its life to the first call's context.
func (r *Registry) stdioClient(c *conn, limit int64) (*client.Client, error) {
	cfg := c.cfg
	if cfg.Cwd != "" {
		if st, err := os.Stat(cfg.Cwd); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("cwd %s is not a folder", cfg.Cwd)
		}
	}
	cmd := exec.Command(cfg.Command, cfg.Args...)
	cmd.Env = serverEnv(cfg, environ())
	cmd.Dir = cfg.Cwd
	cmd.SysProcAttr = procAttrs()
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		outR.Close()
		outW.Close()
		return nil, err
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, errW
	becomeSubreaper()
	stderr := r.stderrSink(c)
	err = startProcess(cmd)
	// The child has its copies; ours of its ends would keep the pipes open.
	inR.Close()
	outW.Close()
	errW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		errR.Close()
		if c.logFile != nil {
			_ = c.logFile.Close()
		}
		return nil, err
	}
	c.cmd, c.stdout = cmd, outR
	c.exited, c.drained = make(chan struct{}), make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(c.exited)
	}()
	go func() {
		defer close(c.drained)
		buf := make([]byte, 32<<10)
		_, _ = io.CopyBuffer(stderr, errR, buf)
		stderr.Close()
		errR.Close()
	}()
	t := transport.NewIO(&lineCapReader{r: outR, max: limit, tl: c.tl}, inW, nil)
	return client.NewClient(t, r.clientOptions(cfg)...), nil
}

// maxVerboseStderr is how much of a server's stderr -v shows per run; the
// log file keeps the recent end of the rest.
const maxVerboseStderr = 256 << 10

// stderrSink is where a stdio server's stderr goes: always a small tail kept
// for error messages, plus the log file (capped while written), plus
// "[id] "-prefixed lines on our stderr with -v (bounded too).
func (r *Registry) stderrSink(c *conn) *redactLines {
	ws := []io.Writer{c.tail}
	if r.opts.LogDir != "" {
		if err := os.MkdirAll(r.opts.LogDir, 0o700); err == nil {
			p := filepath.Join(r.opts.LogDir, safeName(c.id)+".log")
			if f, err := openCappedLog(p, maxLogSize); err == nil {
				fmt.Fprintf(f, "--- %s bsai started %s\n", time.Now().UTC().Format(time.RFC3339), Target(c.cfg))
				c.logFile = f
				ws = append(ws, f)
			}
		}
	}
	if r.opts.Stderr != nil {
		pw := newPrefixWriter(r.opts.Stderr, "["+c.id+"] ")
		note := fmt.Sprintf("[%s] … more stderr not shown (over %d KiB)", c.id, maxVerboseStderr>>10)
		if c.logFile != nil {
			note += "; see " + c.logFile.Name()
		}
		ws = append(ws, &budgetWriter{w: pw, left: maxVerboseStderr, note: note + "\n", out: r.opts.Stderr})
	}
	return newRedactLines(c, io.MultiWriter(ws...))
}

// budgetWriter forwards up to left bytes, then says once that it stopped.
type budgetWriter struct {
	mu   sync.Mutex
	w    io.Writer
	out  io.Writer
	left int
	note string
}

func (b *budgetWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := len(p)
	if b.left <= 0 {
		return n, nil
	}
	if len(p) > b.left {
		p = p[:b.left]
	}
	b.left -= len(p)
	_, _ = b.w.Write(p)
	if b.left <= 0 {
		_, _ = io.WriteString(b.out, "\n"+b.note)
	}
	return n, nil
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

// redactURL hides the password and credential query values of a URL.
func redactURL(s string) string { return redact.URL(s) }

// redact removes every configured header and env value (and anything
// credential-shaped) from an error a server or transport produced: error
// bodies often echo the request. Long messages quoting a body are clipped.
func (c *conn) redact(e *errs.Error) *errs.Error {
	secrets := c.secrets()
	e.Msg = clip(redact.String(e.Msg, secrets...))
	e.Hint = redact.String(e.Hint, secrets...)
	return e
}

// secrets are the values of a declaration that must never be printed.
func (c *conn) secrets() []string {
	c.secretsOnce.Do(func() { c.secretVals = declaredSecrets(c.cfg) })
	return c.secretVals
}

func declaredSecrets(cfg config.MCPServer) []string {
	var secrets []string
	for _, v := range cfg.Headers {
		secrets = append(secrets, v)
		if _, tok, ok := strings.Cut(v, " "); ok {
			secrets = append(secrets, tok) // the token of "Bearer <token>"
		}
	}
	for k, v := range cfg.Env {
		if redact.SecretName(k) {
			secrets = append(secrets, v)
		}
	}
	if u, err := url.Parse(cfg.URL); err == nil {
		if p, ok := u.User.Password(); ok {
			secrets = append(secrets, p)
		}
		for k, vs := range u.Query() {
			if redact.SensitiveParam(k) {
				secrets = append(secrets, vs...)
			}
		}
	}
	args := redact.Args(cfg.Args)
	for i, a := range cfg.Args {
		if args[i] != a && !strings.Contains(args[i], "=") {
			secrets = append(secrets, a) // --token X: X
		}
	}
	return secrets
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
