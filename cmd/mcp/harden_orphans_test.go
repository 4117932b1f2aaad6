package mcp_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// alive reports whether pid runs (a zombie is dead: it only waits to be
// reaped by whoever inherited it).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || !strings.HasPrefix(strings.TrimSpace(s[i+1:]), "Z")
}

func waitPid(t *testing.T, file string) int {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(file); err == nil {
			if pid, err := strconv.Atoi(string(b)); err == nil {
				return pid
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no pid in %s", file)
	return 0
}

func gone(pid int, within time.Duration) bool {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if !alive(pid) {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

func killLeftover(pid int) { _ = syscall.Kill(pid, syscall.SIGKILL) }

// kill -9 of bsai in the middle of a call: the kernel's parent-death signal
// kills the server (which ignores SIGTERM and stdin EOF) at once, instead
// of it living until its call ends.
func TestServerDiesWithBsaiKill9(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("parent-death signals are Linux only (README: Security)")
	}
	dir := t.TempDir()
	pidfile := filepath.Join(dir, "server.pid")
	cfg := hostileConfig(t, dir, map[string]string{"HOSTILE_PIDFILE": pidfile, "HOSTILE_IGNORE_EOF": "1"}, "")
	self, _ := os.Executable()
	cmd := exec.Command(self, "-c", cfg, "mcp", "call", "hostile", "slow", "--timeout", "2m")
	cmd.Env = append(os.Environ(), "BSAI_TEST_AS=bsai", "XDG_CACHE_HOME="+filepath.Join(dir, "cache"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	server := waitPid(t, pidfile)
	defer killLeftover(server)
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if !gone(server, 5*time.Second) {
		t.Fatalf("server %d still runs 5 s after kill -9 of bsai", server)
	}
}

// A grandchild that left the server's process group and session (setsid)
// and ignores SIGTERM is found (bsai is its subreaper) and killed when bsai
// exits normally.
// The daemonising variant (the middle process exits at once, so the
// grandchild is re-parented to bsai before shutdown looks) is covered too.
func TestSetsidGrandchildKilledOnExit(t *testing.T) {
	for _, tool := range []string{"spawn-setsid", "spawn-daemon"} {
		t.Run(tool, func(t *testing.T) { grandchildGone(t, tool) })
	}
}

func grandchildGone(t *testing.T, tool string) {
	if runtime.GOOS != "linux" {
		t.Skip("child subreapers are Linux only (README: Security)")
	}
	dir := t.TempDir()
	pidfile := filepath.Join(dir, "grandchild.pid")
	cfg := hostileConfig(t, dir, map[string]string{"HOSTILE_PIDFILE": pidfile}, "")
	res := runBsaiChild(t, []string{"XDG_CACHE_HOME=" + filepath.Join(dir, "cache")}, "-c", cfg, "mcp", "call", "hostile", tool)
	if res.code != 0 || !strings.Contains(res.stdout, "spawned") {
		t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	gc := waitPid(t, pidfile)
	defer killLeftover(gc)
	if !gone(gc, 2*time.Second) {
		t.Fatalf("grandchild %d (own session, ignores SIGTERM) outlived bsai", gc)
	}
}
