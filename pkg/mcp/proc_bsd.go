//go:build unix && !linux

package mcp

import "syscall"

// procAttrs starts a server as the leader of its own process group (no
// parent-death signal exists outside Linux).
func procAttrs() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
