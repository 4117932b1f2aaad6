//go:build linux

package mcp

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// prSetChildSubreaper is PR_SET_CHILD_SUBREAPER from <linux/prctl.h>.
const prSetChildSubreaper = 36

// procAttrs starts a server as the leader of its own process group with a
// parent-death signal: if bsai dies without cleaning up (kill -9, OOM
// killer), the kernel SIGKILLs the server instead of leaving it to finish
// its call and linger.
func procAttrs() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

var (
	subreaperOnce sync.Once
	subreaperOK   bool
)

// becomeSubreaper makes bsai the child subreaper of everything it spawns:
// a server's descendants whose parent exits (a daemonising double fork, a
// grandchild in its own session) are re-parented to bsai instead of init,
// so killOrphans can find them.
func becomeSubreaper() {
	subreaperOnce.Do(func() {
		_, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0)
		subreaperOK = errno == 0
	})
}

// spawner starts every server from one goroutine locked to an OS thread
// that never exits: Linux sends the parent-death signal when the *thread*
// that forked the child ends, and the Go runtime may retire other threads.
var spawner struct {
	once sync.Once
	reqs chan spawnReq
}

type spawnReq struct {
	cmd  *exec.Cmd
	errc chan error
}

func startProcess(cmd *exec.Cmd) error {
	spawner.once.Do(func() {
		spawner.reqs = make(chan spawnReq)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread lives as long as bsai
			for r := range spawner.reqs {
				r.errc <- r.cmd.Start()
			}
		}()
	})
	errc := make(chan error, 1)
	spawner.reqs <- spawnReq{cmd, errc}
	return <-errc
}

// proc is one process as /proc shows it; start (clock ticks since boot)
// tells a pid apart from a later process that reuses it.
type proc struct {
	pid, ppid int
	start     string
}

func readProcs() []proc {
	ents, _ := os.ReadDir("/proc")
	var out []proc
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if p, ok := readProc(pid); ok {
			out = append(out, p)
		}
	}
	return out
}

func readProc(pid int) (proc, bool) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return proc{}, false
	}
	// "pid (comm) state ppid pgrp session ... starttime(22) ..."; comm may
	// hold spaces and parentheses, so fields start after the last ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return proc{}, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 || f[0] == "Z" {
		return proc{}, false
	}
	ppid, _ := strconv.Atoi(f[1])
	return proc{pid: pid, ppid: ppid, start: f[19]}, true
}

// descendants lists every live process below pid, whatever process group
// or session it moved to.
func descendants(pid int) []proc {
	all := readProcs()
	kids := map[int][]proc{}
	for _, p := range all {
		kids[p.ppid] = append(kids[p.ppid], p)
	}
	var out []proc
	queue := []int{pid}
	seen := map[int]bool{pid: true}
	for len(queue) > 0 {
		for _, k := range kids[queue[0]] {
			if !seen[k.pid] {
				seen[k.pid] = true
				out = append(out, k)
				queue = append(queue, k.pid)
			}
		}
		queue = queue[1:]
	}
	return out
}

// killProcs SIGKILLs processes that still are what was listed (same pid
// and start time) and reaps those that were re-parented to us.
func killProcs(ps []proc) {
	for _, p := range ps {
		if now, ok := readProc(p.pid); ok && now.start == p.start {
			_ = syscall.Kill(p.pid, syscall.SIGKILL)
		}
	}
	reapOurs(ps)
}

// reapOurs waits for listed processes that are now our children (orphans
// re-parented to the subreaper), so they don't stay zombies.
func reapOurs(ps []proc) {
	me := os.Getpid()
	deadline := time.Now().Add(time.Second)
	for _, p := range ps {
		for time.Now().Before(deadline) {
			now, ok := readProc(p.pid)
			if ok && now.start != p.start {
				break
			}
			var ws syscall.WaitStatus
			wpid, err := syscall.Wait4(p.pid, &ws, syscall.WNOHANG, nil)
			if wpid == p.pid || err == syscall.ECHILD && !ok {
				break
			}
			if err == syscall.ECHILD && ok && now.ppid != me {
				break // someone else's child now; it got SIGKILL, nothing to reap
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// orphans are processes re-parented to bsai as subreaper that came from a
// server we started: our children that are not a live server (known) and
// carry ownerEnv in their environment, which servers pass on to what they
// spawn. Children of ours from elsewhere (a test process runs other
// children) are left alone.
func orphans(known map[int]bool) []proc {
	if !subreaperOK {
		return nil
	}
	me := os.Getpid()
	mark := []byte(ownerEnv() + "\x00")
	var out []proc
	for _, p := range readProcs() {
		if p.ppid != me || known[p.pid] {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p.pid), "environ"))
		if err != nil || !bytes.Contains(append([]byte{0}, env...), append([]byte{0}, mark...)) {
			continue
		}
		out = append(out, p)
		out = append(out, descendants(p.pid)...)
	}
	return out
}
