//go:build unix

package upstream

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts the child in a process group of its own, so that
// stop can kill it with everything it spawned (npx, uvx and shells start
// grandchildren) and a signal to the gateway's group does not reach it
// before the gateway is done with it.
func setProcessGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	setParentDeathSignal(cmd.SysProcAttr)
}

// killProcessGroup sends SIGKILL to the process group led by pid. The
// leader is usually reaped already; the group lives on while any member
// does, and its id is not reused until then.
func killProcessGroup(pid int) {
	_ = syscall.Kill(-pid, syscall.SIGKILL)
}
