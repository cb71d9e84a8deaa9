//go:build unix

package pool

import (
	"errors"
	"syscall"
)

// connAlive reports whether an idle connection is still open: a
// non-blocking peek at its socket finds nothing to read (EAGAIN). An
// idle connection has nothing to read unless the upstream closed it
// (EOF) or sent what it should not have; either way it is not reused.
func connAlive(dc *directConn) bool {
	if dc.br.Buffered() > 0 {
		return false
	}
	sc, ok := dc.tc.Conn.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	alive := false
	var b [1]byte
	err = rc.Read(func(fd uintptr) bool {
		_, _, rerr := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		alive = errors.Is(rerr, syscall.EAGAIN) || errors.Is(rerr, syscall.EWOULDBLOCK)
		return true // never wait for the socket: this is a peek
	})
	return err == nil && alive
}
