package mcp

import (
	"net"
	neturl "net/url"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func itoa(n int) string { return strconv.Itoa(n) }

// startNode runs a node script in its own process group, killed at cleanup.
func startNode(t *testing.T, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("node", args...)
	cmd.Env = append(os.Environ(), env...)
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = signalGroup(cmd.Process.Pid, sigKill)
		_ = cmd.Wait()
	})
	return cmd
}

// waitHTTP waits until something listens at url's host.
func waitHTTP(t *testing.T, rawurl string) {
	t.Helper()
	u, _ := neturl.Parse(rawurl)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", u.Host, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing listens at %s", rawurl)
}
