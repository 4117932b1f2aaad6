package mcp

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
)

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
	spawnMu.RLock()
	err = startProcess(cmd)
	if err == nil {
		liveServers.Store(cmd.Process.Pid, true)
	}
	spawnMu.RUnlock()
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
		liveServers.Delete(cmd.Process.Pid)
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

// liveServers are the pids of running stdio servers of every registry in
// this process: they are our children, never orphans to kill.
// spawnMu keeps an orphan scan from seeing a server between its start and
// its entry in liveServers.
var (
	liveServers sync.Map
	spawnMu     sync.RWMutex
)

func liveServerPids() map[int]bool {
	out := map[int]bool{}
	liveServers.Range(func(k, _ any) bool {
		out[k.(int)] = true
		return true
	})
	return out
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
