package upstream

import "syscall"

// setParentDeathSignal makes the kernel kill the child if the gateway dies
// without stopping it (SIGKILL, a crash). Go does not end the OS thread
// that started a child unless a goroutine locked to it exits, which the
// gateway never does.
func setParentDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
