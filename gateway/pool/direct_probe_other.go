//go:build !unix

package pool

// connAlive cannot peek at a socket here: a connection idle for
// directProbeAfter is not reused.
func connAlive(*directConn) bool { return false }
