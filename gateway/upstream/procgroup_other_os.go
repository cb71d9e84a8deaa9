//go:build !unix

package upstream

import "os/exec"

// Process groups are a unix notion; elsewhere only the leader is stopped.
func setProcessGroup(*exec.Cmd) {}
func killProcessGroup(int)      {}
func exitedUnreaped(int) bool   { return false }
