// Package e2e runs the built bsai binary, as a user would, against a real
// Backstage backend (test/e2e/backstage) that TestMain starts once on a free
// 127.0.0.1 port and kills at the end. Run with `go test ./test/e2e/`; the
// backend's npm packages are installed by scripts/test.sh (or
// scripts/npm-setup.sh test/e2e/backstage).
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/internal/testkit"
)

// Token is the backend's static externalAccess token (app-config.yaml).
const Token = "bsai-e2e-static-token"

// env is what every test needs; nil when the suite is skipped.
var env *Env

// skipReason says why env is nil (npm packages not installed).
var skipReason string

// Env is the running backend and the built binary.
type Env struct {
	Root    string // repository root
	Bin     string // built bsai binary
	BaseURL string // http://127.0.0.1:PORT
	Tmp     string // scratch folder removed at the end
	Backend *Backend
	// Ready and Searchable are how long the backend took to answer readiness
	// and to have every example entity in its catalog.
	Ready, Searchable time.Duration
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

// run is TestMain's body, so deferred cleanups run before os.Exit.
func run(m *testing.M) (code int) {
	// The backend's parent-death signal fires when the OS thread that
	// started it exits; keep this goroutine on one thread for the whole run.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return fail("%v", err)
	}
	bsDir := filepath.Join(root, "test", "e2e", "backstage")
	if _, err := os.Stat(filepath.Join(bsDir, "node_modules", "@backstage", "backend-defaults", "package.json")); err != nil {
		msg := "e2e: test/e2e/backstage/node_modules is not installed; run scripts/test.sh or scripts/npm-setup.sh test/e2e/backstage"
		if os.Getenv("BSAI_REQUIRE_NPM") != "" || os.Getenv("CI") == "true" {
			return fail("%s (CI or BSAI_REQUIRE_NPM is set, so this is a failure)", msg)
		}
		skipReason = msg
		fmt.Fprintln(os.Stderr, msg+" — skipping the e2e suite")
		return m.Run()
	}
	if _, err := exec.LookPath("node"); err != nil {
		return fail("e2e: node is not on PATH: %v", err)
	}
	tmp, err := os.MkdirTemp("", "bsai-e2e-")
	if err != nil {
		return fail("%v", err)
	}
	defer os.RemoveAll(tmp)

	e := &Env{Root: root, Tmp: tmp}
	if e.Bin, err = testkit.BsaiBinary(tmp); err != nil {
		return fail("e2e: %v", err)
	}

	be, err := StartBackend(bsDir, filepath.Join(tmp, "backstage.log"))
	if err != nil {
		return fail("e2e: %v", err)
	}
	e.Backend = be
	e.BaseURL = be.BaseURL
	// Kill the whole process group on every way out: normal return, panic
	// in a test (recovered here), and SIGINT/SIGTERM. A `go test -timeout`
	// panic exits without running defers; Pdeathsig covers that case.
	defer be.Stop()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sig
		be.Stop()
		fmt.Fprintf(os.Stderr, "e2e: %v: backend stopped\n", s)
		os.Exit(130)
	}()
	defer signal.Stop(sig)
	defer func() {
		if r := recover(); r != nil {
			be.Stop()
			panic(r)
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if e.Ready, err = be.WaitReady(ctx); err != nil {
		return fail("e2e: backend not ready: %v\n--- backend log tail ---\n%s", err, be.LogTail(60))
	}
	want, err := exampleRefs(root, bsDir)
	if err != nil {
		return fail("e2e: %v", err)
	}
	if err := be.WaitEntities(ctx, want); err != nil {
		return fail("e2e: catalog never held the examples: %v\n--- backend log tail ---\n%s", err, be.LogTail(60))
	}
	e.Searchable = be.Since()
	fmt.Fprintf(os.Stderr, "e2e: backstage at %s ready in %s, %d example entities searchable in %s, rss %s\n",
		e.BaseURL, e.Ready.Round(time.Millisecond), len(want), e.Searchable.Round(time.Millisecond), be.RSS())
	env = e
	code = m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "--- backend log tail ---\n%s\n", be.LogTail(40))
	}
	return code
}

func fail(format string, args ...any) int {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	return 1
}

// need returns the environment or skips the test when npm packages are not
// installed and neither CI=true nor BSAI_REQUIRE_NPM is set (TestMain fails
// otherwise).
func need(t *testing.T) *Env {
	t.Helper()
	if env == nil {
		t.Skip(skipReason)
	}
	return env
}

// liveActions is the set of action ids the backend lists at GET
// /api/scaffolder/v2/actions.
func (e *Env) liveActions(t *testing.T) map[string]bool {
	t.Helper()
	var actions []struct {
		ID string `json:"id"`
	}
	e.Get(t, "/api/scaffolder/v2/actions", &actions)
	ids := map[string]bool{}
	for _, a := range actions {
		ids[a.ID] = true
	}
	return ids
}

// Result is one run of the binary.
type Result struct {
	Args           []string
	Stdout, Stderr string
	Code           int
}

func (r Result) String() string {
	return fmt.Sprintf("bsai %s\nexit %d\n--- stdout ---\n%s\n--- stderr ---\n%s",
		strings.Join(r.Args, " "), r.Code, clip(r.Stdout, 4000), clip(r.Stderr, 4000))
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "\n…(clipped)"
	}
	return s
}

// Bsai runs the built binary in a clean scratch folder with no user config
// and no BSAI_* variables from the caller's environment, so only args
// decide what it does.
func (e *Env) Bsai(t *testing.T, args ...string) Result {
	t.Helper()
	return e.BsaiIn(t, t.TempDir(), nil, args...)
}

// BsaiIn is Bsai with a working directory and extra environment.
func (e *Env) BsaiIn(t *testing.T, dir string, extraEnv []string, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.Bin, args...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(dir), extraEnv...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Stdin = strings.NewReader("")
	err := cmd.Run()
	r := Result{Args: args, Stdout: out.String(), Stderr: errb.String(), Code: testkit.ExitCode(t, err)}
	if ctx.Err() != nil {
		t.Fatalf("bsai %v timed out\n%s", args, r)
	}
	return r
}

// Ok runs the binary and fails the test unless it exits 0.
func (e *Env) Ok(t *testing.T, args ...string) Result {
	t.Helper()
	r := e.Bsai(t, args...)
	if r.Code != 0 {
		t.Fatalf("want exit 0\n%s", r)
	}
	return r
}

// JSON runs the binary with -o json and decodes stdout into out.
func (e *Env) JSON(t *testing.T, out any, args ...string) Result {
	t.Helper()
	r := e.Ok(t, append(args, "-o", "json")...)
	if err := json.Unmarshal([]byte(r.Stdout), out); err != nil {
		t.Fatalf("decode -o json: %v\n%s", err, r)
	}
	return r
}

// JSONIn is JSON with extra environment (e.g. APP_CONFIG_* overrides).
func (e *Env) JSONIn(t *testing.T, extraEnv []string, out any, args ...string) Result {
	t.Helper()
	args = append(args, "-o", "json")
	r := e.BsaiIn(t, t.TempDir(), extraEnv, args...)
	if r.Code != 0 {
		t.Fatalf("want exit 0\n%s", r)
	}
	if err := json.Unmarshal([]byte(r.Stdout), out); err != nil {
		t.Fatalf("decode -o json: %v\n%s", err, r)
	}
	return r
}

// Remote are the flags that point bsai at the backend.
func (e *Env) Remote() []string { return []string{"--catalog", e.BaseURL, "--token", Token} }

func cleanEnv(home string) []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "BSAI_"), strings.HasPrefix(k, "APP_CONFIG_"), k == "BACKSTAGE_TOKEN", k == "HOME", k == "XDG_CONFIG_HOME",
			k == "XDG_CACHE_HOME", strings.HasSuffix(k, "_API_KEY"):
			continue
		}
		out = append(out, kv)
	}
	return append(out, "HOME="+home, "XDG_CACHE_HOME="+filepath.Join(home, ".cache"), "NO_COLOR=1")
}

// Get calls the backend directly (to compare bsai's view with Backstage's).
func (e *Env) Get(t *testing.T, path string, out any) {
	t.Helper()
	if err := e.Backend.getJSON(context.Background(), path, Token, out); err != nil {
		t.Fatal(err)
	}
}

// freePort asks the kernel for an unused loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Backend is a running `node index.js` in its own process group.
type Backend struct {
	BaseURL string
	cmd     *exec.Cmd
	logPath string
	log     *os.File
	start   time.Time
	exited  chan struct{}
	waitErr error
	stopped bool
}

// StartBackend starts the backend in dir, logging to logPath.
func StartBackend(dir, logPath string) (*Backend, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	lf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	b := &Backend{BaseURL: "http://127.0.0.1:" + strconv.Itoa(port), logPath: logPath, log: lf, exited: make(chan struct{})}
	cmd := exec.Command("node", "index.js")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"APP_CONFIG_backend_listen_port="+strconv.Itoa(port),
		"APP_CONFIG_backend_baseUrl="+b.BaseURL,
		"NODE_ENV=development",
		"LOG_LEVEL=warn",
		"FORCE_COLOR=0",
	)
	cmd.Stdout, cmd.Stderr = lf, lf
	// Own process group so Stop kills node and anything it spawned; the
	// parent-death signal kills node if the test binary dies without
	// running its cleanups (e.g. the go test -timeout panic).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	b.start = time.Now()
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, fmt.Errorf("start backend: %w", err)
	}
	b.cmd = cmd
	go func() {
		b.waitErr = cmd.Wait()
		close(b.exited)
	}()
	return b, nil
}

// Since is the time since the backend was started.
func (b *Backend) Since() time.Duration { return time.Since(b.start) }

// Stop kills the backend's process group and waits for it. Safe to call
// more than once.
func (b *Backend) Stop() {
	if b == nil || b.cmd == nil || b.stopped {
		return
	}
	b.stopped = true
	stopGroup(b.cmd, b.exited)
	b.log.Close()
}

// stopGroup ends the process group cmd leads: SIGTERM, SIGKILL if it has
// not exited (closed exited) within 5 s, then SIGKILL for anything left
// in the group (there should be nothing).
func stopGroup(cmd *exec.Cmd, exited <-chan struct{}) {
	pgid := cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-exited
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// LogTail returns the last n lines of the backend's log.
func (b *Backend) LogTail(n int) string {
	data, err := os.ReadFile(b.logPath)
	if err != nil {
		return err.Error()
	}
	// The backend colours its log even when it is not a terminal.
	text := ansi.ReplaceAllString(string(data), "")
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// RSS is the backend's resident set size from /proc.
func (b *Backend) RSS() string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", b.cmd.Process.Pid))
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			return strings.Join(strings.Fields(l)[1:], " ")
		}
	}
	return "unknown"
}

// WaitReady polls the readiness endpoint until it answers 200, the process
// exits, or ctx ends; it returns the time since start.
func (b *Backend) WaitReady(ctx context.Context) (time.Duration, error) {
	hc := &http.Client{Timeout: 2 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.BaseURL+"/.backstage/health/v1/readiness", nil)
		if resp, err := hc.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return b.Since(), nil
			}
		}
		if err := b.pause(ctx, 100*time.Millisecond); err != nil {
			return 0, err
		}
	}
}

func (b *Backend) pause(ctx context.Context, d time.Duration) error {
	select {
	case <-b.exited:
		return fmt.Errorf("backend exited: %v", b.waitErr)
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

func (b *Backend) getJSON(ctx context.Context, path, token string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.BaseURL+path, nil)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: http %d: %s", path, resp.StatusCode, clip(string(body), 500))
	}
	return json.Unmarshal(body, out)
}

// WaitEntities waits until every ref in want is in the catalog and the
// relations Backstage stitches have stopped changing, so tests that compare
// relations see the final graph.
func (b *Backend) WaitEntities(ctx context.Context, want []string) error {
	var last string
	stable := 0
	for {
		ents, err := b.allEntities(ctx)
		missing := want
		if err == nil {
			have := map[string]bool{}
			for _, e := range ents {
				have[e.ref()] = true
			}
			missing = nil
			for _, r := range want {
				if !have[r] {
					missing = append(missing, r)
				}
			}
		}
		if err == nil && len(missing) == 0 {
			fp := fingerprint(ents)
			if fp == last {
				stable++
			} else {
				stable = 0
			}
			last = fp
			if stable >= 2 {
				return nil
			}
		}
		if perr := b.pause(ctx, 250*time.Millisecond); perr != nil {
			if err == nil {
				err = fmt.Errorf("still missing %d of %d: %v", len(missing), len(want), head(missing, 8))
			}
			return fmt.Errorf("%v (%v)", perr, err)
		}
	}
}

func head(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// rawEntity is the part of a Backstage entity the harness reads itself.
type rawEntity struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
	Relations []struct {
		Type      string `json:"type"`
		TargetRef string `json:"targetRef"`
	} `json:"relations"`
}

func (e rawEntity) ref() string {
	ns := e.Metadata.Namespace
	if ns == "" {
		ns = "default"
	}
	return strings.ToLower(e.Kind + ":" + ns + "/" + e.Metadata.Name)
}

// allEntities pages through /api/catalog/entities/by-query.
func (b *Backend) allEntities(ctx context.Context) ([]rawEntity, error) {
	var out []rawEntity
	path := "/api/catalog/entities/by-query?limit=500"
	for {
		var page struct {
			Items      []rawEntity `json:"items"`
			TotalItems int         `json:"totalItems"`
			PageInfo   struct {
				NextCursor string `json:"nextCursor"`
			} `json:"pageInfo"`
		}
		if err := b.getJSON(ctx, path, Token, &page); err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.PageInfo.NextCursor == "" {
			return out, nil
		}
		path = "/api/catalog/entities/by-query?limit=500&cursor=" + url.QueryEscape(page.PageInfo.NextCursor)
	}
}

// fingerprint summarises refs and relation counts, independent of order.
func fingerprint(ents []rawEntity) string {
	parts := make([]string, len(ents))
	for i, e := range ents {
		parts[i] = e.ref() + "#" + strconv.Itoa(len(e.Relations))
	}
	sort.Strings(parts)
	return strings.Join(parts, ";")
}
