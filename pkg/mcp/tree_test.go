package mcp

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/internal/testkit"
	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
)

// groupGone waits until no process is left in the group (zombies are reaped
// by their parents or init shortly after the kill).
func groupGone(t *testing.T, pgid int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if err := syscall.Kill(-pgid, 0); err == syscall.ESRCH {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("process group %d still has members: %s", pgid, groupMembers(pgid))
}

// groupMembers lists /proc entries whose pgid is pgid (for the failure
// message).
func groupMembers(pgid int) string {
	ents, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range ents {
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) > 2 && f[2] == itoa(pgid) {
			out = append(out, e.Name()+":"+s[strings.IndexByte(s, '(')+1:i]+":"+f[0])
		}
	}
	return strings.Join(out, ", ")
}

// A wrapper shell that spawns node (as npx-style launchers do) must not
// leave node behind when a call times out.
func TestProcessTreeGoneAfterTimeout(t *testing.T) {
	entry := testkit.NPMServer(t, "server-everything")
	r := New(Options{Servers: map[string]config.MCPServer{
		"tree": {Command: "sh", Args: []string{"-c", "node '" + entry + "' stdio; echo wrapper-still-here >&2"}, Transport: config.MCPStdio},
	}})
	defer r.Close()
	ctx := context.Background()
	if _, err := r.ListTools(ctx, "tree"); err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	pgid := r.conns["tree"].cmd.Process.Pid
	r.mu.Unlock()
	if members := groupMembers(pgid); !strings.Contains(members, ":node:") || !strings.Contains(members, ":sh:") {
		t.Fatalf("expected sh and node in group %d, got %s", pgid, members)
	}
	_, err := r.CallToolWith(ctx, "tree", "trigger-long-running-operation",
		map[string]any{"duration": 30, "steps": 2}, CallOptions{Timeout: 500 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("want timeout, got %v", err)
	}
	groupGone(t, pgid)
}

// SIGINT to bsai (Ctrl-C) cancels the call; closing the registry then kills
// the server's whole tree, which never saw the SIGINT itself because it runs
// in its own process group.
func TestProcessTreeGoneAfterSIGINT(t *testing.T) {
	entry := testkit.NPMServer(t, "server-everything")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "BSAI_MCP_TEST_HELPER=sigint",
		"BSAI_MCP_TEST_CMD=node '"+entry+"' stdio; echo wrapper-still-here >&2")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("helper said nothing: %v", err)
	}
	var pgid int
	if _, err := fmt.Sscanf(line, "pgid %d", &pgid); err != nil || pgid <= 0 {
		t.Fatalf("bad helper line %q", line)
	}
	if !strings.Contains(groupMembers(pgid), ":node:") {
		t.Fatalf("node not running in group %d: %s", pgid, groupMembers(pgid))
	}
	time.Sleep(300 * time.Millisecond) // let the long call start
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("helper exit: %v", err)
	}
	groupGone(t, pgid)
}

// A server that never answers the handshake fails after the server's
// timeout, and its tree is killed.
func TestStartTimeoutKillsTree(t *testing.T) {
	r := New(Options{Servers: map[string]config.MCPServer{
		"mute": {Command: "sh", Args: []string{"-c", "echo about to hang >&2; sleep 31.4159; echo never"}, Transport: config.MCPStdio,
			Timeout: config.Duration{Duration: 400 * time.Millisecond}},
	}})
	defer r.Close()
	var pgid int
	start := time.Now()
	_, err := r.ListTools(context.Background(), "mute")
	if err == nil || !strings.Contains(err.Error(), "did not finish the handshake within 400ms") {
		t.Fatalf("%v", err)
	}
	if !strings.Contains(errs.HintOf(err), "about to hang") {
		t.Fatalf("hint should carry the server's last stderr line: %q", errs.HintOf(err))
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("took %s", time.Since(start))
	}
	// Neither the shell nor its sleep child survive (unique duration so
	// other processes on the machine never match).
	deadline := time.Now().Add(3 * time.Second)
	for {
		out, _ := exec.Command("pgrep", "-f", "31.4159").Output()
		if len(strings.Fields(string(out))) == 0 {
			break
		}
		if time.Now().After(deadline) {
			fmt.Sscanf(string(out), "%d", &pgid)
			t.Fatalf("server process %d survived the start timeout", pgid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Closing one registry kills its servers and orphans, never the live
// servers of another registry in the same process (they carry the same
// BSAI_MCP_OWNER mark and are our children too).
func TestCloseLeavesOtherRegistriesServers(t *testing.T) {
	raw := config.MCPServer{Command: os.Args[0], Args: []string{"-test.run=^$"}, Env: map[string]string{"BSAI_MCP_TEST_HELPER": "rawserver"},
		Transport: config.MCPStdio, ProtocolVersion: "2025-06-18"}
	r1 := New(Options{Servers: map[string]config.MCPServer{"raw": raw}})
	r2 := New(Options{Servers: map[string]config.MCPServer{"raw": raw}})
	defer r2.Close()
	ctx := context.Background()
	for _, r := range []*Registry{r1, r2} {
		if _, err := r.ListTools(ctx, "raw"); err != nil {
			t.Fatal(err)
		}
	}
	if err := r1.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r2.CallTool(ctx, "raw", "hello", nil); err != nil {
		t.Fatalf("the other registry's server was killed: %v", err)
	}
}
