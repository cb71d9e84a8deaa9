// Package connlimit caps concurrent connections per client IP at the
// listener, before any byte of a request is read.
package connlimit

import (
	"net"
	"sync"
)

// Listener wraps a net.Listener: a connection that would take its client
// IP over the cap is closed as soon as it is accepted.
type Listener struct {
	net.Listener
	max int

	mu     sync.Mutex
	open   map[string]int
	refuse func(ip string) // called for each refused connection, may be nil
}

// New caps ln at max connections per IP. max < 1 means no cap; refused may
// be nil.
func New(ln net.Listener, max int, refused func(ip string)) net.Listener {
	if max < 1 {
		return ln
	}
	return &Listener{Listener: ln, max: max, open: map[string]int{}, refuse: refused}
}

// Accept returns the next connection within the cap.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := hostOf(c.RemoteAddr())
		l.mu.Lock()
		over := l.open[ip] >= l.max
		if !over {
			l.open[ip]++
		}
		l.mu.Unlock()
		if over {
			_ = c.Close()
			if l.refuse != nil {
				l.refuse(ip)
			}
			continue
		}
		return &conn{Conn: c, release: func() { l.release(ip) }}, nil
	}
}

// Open returns the number of open connections from ip.
func (l *Listener) Open(ip string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open[ip]
}

func (l *Listener) release(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[ip]--; l.open[ip] <= 0 {
		delete(l.open, ip)
	}
}

func hostOf(a net.Addr) string {
	if tcp, ok := a.(*net.TCPAddr); ok {
		return tcp.IP.String()
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}

// conn releases its slot once, however often it is closed.
type conn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
