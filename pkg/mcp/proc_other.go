//go:build !unix

package mcp

import (
	"os"
	"os/exec"
	"syscall"
)

var (
	sigTerm = os.Kill
	sigKill = os.Kill
)

// setProcessGroup is a no-op where process groups don't exist; only the
// direct child is killed there.
func setProcessGroup(cmd *exec.Cmd) {}

func signalGroup(pid int, sig os.Signal) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return nil
	}
	_ = p.Kill()
	return nil
}

func procAttrs() *syscall.SysProcAttr { return nil }
