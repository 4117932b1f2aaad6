// Package mcp is the registry of MCP servers declared in config: spawned or
// connected lazily on first use, reused for the whole process, closed (with
// their process trees) at exit. Built on mark3labs/mcp-go's client.
//
// Every command that talks to MCP (mcp, incident, template) goes through one
// Registry per process, so a server is started at most once per run.
package mcp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/redact"
)

// Defaults when a server declares no timeouts.
const (
	DefaultStartTimeout = 30 * time.Second
	DefaultCallTimeout  = 60 * time.Second
)

// Options configure a Registry.
type Options struct {
	// Servers are the declared servers by id (already normalised).
	Servers map[string]config.MCPServer
	// Resolve finds a server that is not declared, e.g. an API entity of
	// spec.type mcp-server addressed by its entity ref. ok=false means
	// "not a server I know"; nil Resolve resolves nothing.
	Resolve func(ctx context.Context, id string) (s config.MCPServer, ok bool, err error)
	// LogDir receives one <id>.log per stdio server with its stderr. Empty
	// discards stderr (unless Stderr is set).
	LogDir string
	// Stderr, when set (-v), receives server stderr lines prefixed "[id] ".
	Stderr io.Writer
	// HTTPClient is used for http/sse servers; nil uses a default client.
	HTTPClient *http.Client
	// MaxMessageSize caps one message from any server (bsai.mcp
	// .maxMessageSize); 0 means DefaultMaxMessageSize. A server's own
	// maxMessageSize wins.
	MaxMessageSize int64
	// ClientName and ClientVersion identify bsai in the handshake.
	ClientName, ClientVersion string
	// OnNotification, when set, sees every server notification (logs,
	// progress) — tests and -v use it. Servers may send them at any time,
	// including before a reply.
	OnNotification func(server string, n mcp.JSONRPCNotification)
}

// Registry holds configured servers and live connections.
type Registry struct {
	opts Options

	mu       sync.Mutex
	servers  map[string]config.MCPServer
	inproc   map[string]*server.MCPServer
	conns    map[string]*conn
	starting map[string]*sync.Mutex
	closed   bool

	// base outlives every call: transports that keep a stream open (stdio
	// reader, SSE) hang off it, and Close cancels it.
	base       context.Context
	cancelBase context.CancelFunc
}

// ServerInfo describes a configured server.
type ServerInfo struct {
	ID        string `json:"id"`
	Transport string `json:"transport"` // stdio | http | sse | inprocess
	Target    string `json:"target"`    // command line or URL (no secrets)
	Source    string `json:"source,omitempty"`
}

// New returns a registry; nothing is started until first use.
func New(opts Options) *Registry {
	base, cancel := context.WithCancel(context.Background())
	r := &Registry{
		opts:       opts,
		servers:    map[string]config.MCPServer{},
		inproc:     map[string]*server.MCPServer{},
		conns:      map[string]*conn{},
		starting:   map[string]*sync.Mutex{},
		base:       base,
		cancelBase: cancel,
	}
	for id, s := range opts.Servers {
		r.servers[id] = s
	}
	if r.opts.ClientName == "" {
		r.opts.ClientName = "bsai"
	}
	if r.opts.ClientVersion == "" {
		r.opts.ClientVersion = "dev"
	}
	return r
}

// AddInProcess registers an mcp-go server that runs inside this process
// (bsai's own tools, tests). It is listed like any other server.
func (r *Registry) AddInProcess(id string, s *server.MCPServer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.inproc[id] = s
}

// Servers lists configured servers, sorted by id.
func (r *Registry) Servers() []ServerInfo {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]ServerInfo, 0, len(r.servers)+len(r.inproc))
	for id, s := range r.servers {
		out = append(out, ServerInfo{ID: id, Transport: s.Transport, Target: Target(s), Source: s.Source})
	}
	for id := range r.inproc {
		out = append(out, ServerInfo{ID: id, Transport: "inprocess", Target: "bsai (in process)"})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Has reports whether id is a configured (not catalog-resolved) server.
func (r *Registry) Has(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.servers[id]
	_, ok2 := r.inproc[id]
	return ok || ok2
}

// Target renders where a server lives without secrets: the command line
// with credential arguments masked (env values are never shown) or the URL
// without its password and credential query values.
func Target(s config.MCPServer) string {
	if s.Transport == config.MCPStdio {
		parts := append([]string{redact.String(s.Command)}, redact.Args(s.Args)...)
		for i, p := range parts {
			if strings.ContainsAny(p, " \t\"'") {
				parts[i] = "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
			}
		}
		return strings.Join(parts, " ")
	}
	return redactURL(s.URL)
}

// lookup returns the declaration of id, asking Resolve for ids that are not
// configured. An unknown id is a usage error listing what is configured.
func (r *Registry) lookup(ctx context.Context, id string) (config.MCPServer, *server.MCPServer, error) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return config.MCPServer{}, nil, errs.Failure("mcp registry is closed")
	}
	if s, ok := r.inproc[id]; ok {
		r.mu.Unlock()
		return config.MCPServer{Transport: "inprocess"}, s, nil
	}
	s, ok := r.servers[id]
	r.mu.Unlock()
	if ok {
		return s, nil, nil
	}
	if r.opts.Resolve != nil {
		rs, ok, err := r.opts.Resolve(ctx, id)
		if err != nil {
			return config.MCPServer{}, nil, err
		}
		if ok {
			if err := rs.Normalize(id); err != nil {
				return config.MCPServer{}, nil, err
			}
			r.mu.Lock()
			r.servers[id] = rs
			r.mu.Unlock()
			return rs, nil, nil
		}
	}
	return config.MCPServer{}, nil, r.unknownServer(id)
}

func (r *Registry) unknownServer(id string) error {
	var ids []string
	for _, s := range r.Servers() {
		ids = append(ids, s.ID)
	}
	e := errs.Usage("unknown mcp server %q", id)
	if LooksLikeRef(id) && r.opts.Resolve != nil {
		e = errs.Usage("unknown mcp server %q: not a configured id, and no API entity with that ref in the catalog", id)
	}
	if len(ids) == 0 {
		return e.WithHint("no servers are configured: add bsai.mcp.servers.<id> to app-config.yaml or pass --mcp-config servers.json")
	}
	if m := closest(id, ids); len(m) > 0 {
		return e.WithHint("did you mean %s? configured: %s", strings.Join(m, ", "), strings.Join(ids, ", "))
	}
	return e.WithHint("configured servers: %s", strings.Join(ids, ", "))
}

// Close ends every connection and kills spawned server process trees.
// Safe to call more than once.
func (r *Registry) Close() error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	r.closed = true
	conns := r.conns
	r.conns = map[string]*conn{}
	r.mu.Unlock()
	var wg sync.WaitGroup
	errc := make(chan error, len(conns))
	for _, c := range conns {
		wg.Add(1)
		go func(c *conn) {
			defer wg.Done()
			errc <- c.shutdown()
		}(c)
	}
	wg.Wait()
	// Descendants whose parent exited before we looked (a daemonising
	// double fork) were re-parented to bsai, the subreaper: kill them too.
	spawnMu.Lock()
	strays := orphans(liveServerPids())
	spawnMu.Unlock()
	killProcs(strays)
	r.cancelBase()
	close(errc)
	var all []error
	for err := range errc {
		if err != nil {
			all = append(all, err)
		}
	}
	return errors.Join(all...)
}

// drop forgets (and kills) one connection, e.g. after a timeout left the
// server in an unknown state; the next use starts it again.
func (r *Registry) drop(id string, c *conn) {
	r.mu.Lock()
	if r.conns[id] == c {
		delete(r.conns, id)
	}
	r.mu.Unlock()
	_ = c.shutdown()
}
