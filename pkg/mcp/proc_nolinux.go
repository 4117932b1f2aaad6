//go:build !linux

package mcp

import (
	"os/exec"
)

// Outside Linux there is no parent-death signal or child subreaper: a
// server outlives a bsai killed with SIGKILL until its stdin read fails, and
// descendants that leave the server's process group are not tracked (see
// the README's Security section).

type proc struct{ pid int }

func becomeSubreaper()                  {}
func startProcess(cmd *exec.Cmd) error  { return cmd.Start() }
func descendants(pid int) []proc        { return nil }
func killProcs(ps []proc)               {}
func orphans(known map[int]bool) []proc { return nil }
