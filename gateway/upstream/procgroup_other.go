//go:build unix && !linux

package upstream

import "syscall"

// setParentDeathSignal: only Linux has a parent-death signal.
func setParentDeathSignal(*syscall.SysProcAttr) {}

// exitedUnreaped: without /proc, exits are seen through stderr only.
func exitedUnreaped(int) bool { return false }
