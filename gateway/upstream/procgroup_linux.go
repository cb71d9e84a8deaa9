package upstream

import (
	"fmt"
	"os"
	"strings"
	"syscall"
)

// setParentDeathSignal makes the kernel kill the child if the gateway dies
// without stopping it (SIGKILL, a crash). Go does not end the OS thread
// that started a child unless a goroutine locked to it exits, which the
// gateway never does.
func setParentDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }

// exitedUnreaped reports whether pid has exited and waits to be reaped (a
// zombie): nobody has called Wait on it yet, so the pid is still ours.
func exitedUnreaped(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name.
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && s[i+2] == 'Z'
}
