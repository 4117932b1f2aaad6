package mcp

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
)

// NewServer builds an MCP server named bsai with the given instructions
// and tools. Which tools bsai serves is pkg/mcpserve's business; this
// package only knows the protocol and transports.
func NewServer(version, instructions string, tools ...server.ServerTool) *server.MCPServer {
	s := server.NewMCPServer("bsai", version,
		server.WithToolCapabilities(false),
		server.WithRecovery(),
		server.WithInstructions(instructions))
	s.AddTools(tools...)
	return s
}

// ServeStdio serves s on in/out until in ends or ctx is cancelled.
// A client's message (one line) is capped at DefaultMaxMessageSize like a
// server's: mcp-go's reader would buffer a line of any length.
func ServeStdio(ctx context.Context, s *server.MCPServer, in io.Reader, out io.Writer) error {
	tl := &tooLarge{limit: DefaultMaxMessageSize}
	err := server.NewStdioServer(s).Listen(ctx, &lineCapReader{r: in, max: DefaultMaxMessageSize, tl: tl}, out)
	if tl.get() != nil {
		return errs.Failure("mcp serve: the client sent a message larger than the %s cap", config.ByteSize(DefaultMaxMessageSize)).
			WithHint("send smaller requests (large inputs belong in files the tools read)")
	}
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// ServeHTTP serves s as streamable HTTP at http://addr/mcp until ctx ends,
// with sessions bounded by so (idle timeout, cap). Only loopback addresses
// are accepted: bsai carries the user's Backstage credentials and must not
// be reachable from the network. ready gets the bound address (useful with
// port 0).
func ServeHTTP(ctx context.Context, s *server.MCPServer, addr string, ready func(addr string), so ...SessionOptions) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return errs.Usage("invalid --http address %q: %v", addr, err).WithHint("use 127.0.0.1:PORT")
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return errs.Usage("refusing to serve on %s: only loopback addresses are allowed", addr).
			WithHint("use 127.0.0.1:PORT")
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return errs.Failure("cannot listen on %s: %w", addr, err)
	}
	var o SessionOptions
	if len(so) > 0 {
		o = so[0]
	}
	h := NewHTTPHandler(s, o)
	sctx, stopSweep := context.WithCancel(ctx)
	defer stopSweep()
	go h.sweepEvery(sctx)
	mux := http.NewServeMux()
	mux.Handle("/mcp", h)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if ready != nil {
		ready(l.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
		return nil
	}
}
