package pool

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/churnlint/churnlint/gateway/metrics"
)

// Instrumentation observes one connection pool: it dials (counting open
// connections) and wraps round trips with an httptrace.ClientTrace that
// tells new connections from reused ones. It holds no pool itself.
type Instrumentation struct {
	dialer *net.Dialer

	opened   prometheus.Counter
	reused   prometheus.Counter
	idle     prometheus.Gauge
	open     prometheus.Gauge
	idleTime prometheus.Observer
	returned prometheus.Counter

	// Plain counters for tests and logs; Prometheus has the same numbers.
	Opened atomic.Int64
	Reused atomic.Int64
}

// NewInstrumentation labels every metric with label ("shared", a TLS
// profile, or a plugin name).
func NewInstrumentation(m *metrics.Metrics, label string, dialer *net.Dialer) *Instrumentation {
	return &Instrumentation{
		dialer:   dialer,
		opened:   m.PoolConnsOpened.WithLabelValues(label),
		reused:   m.PoolConnsReused.WithLabelValues(label),
		idle:     m.PoolConnsIdle.WithLabelValues(label),
		open:     m.PoolConnsOpen.WithLabelValues(label),
		idleTime: m.PoolIdleTime.WithLabelValues(label),
		returned: m.PoolIdleReturned.WithLabelValues(label),
	}
}

// DialContext dials through the configured dialer and tracks the
// connection's lifetime; use it as http.Transport.DialContext.
func (in *Instrumentation) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := in.dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	in.open.Inc()
	return &trackedConn{Conn: c, in: in}, nil
}

// Wrap returns a RoundTripper that traces every request through next.
func (in *Instrumentation) Wrap(next *http.Transport) *TracingRoundTripper {
	return &TracingRoundTripper{next: next, in: in}
}

// TracingRoundTripper records, per request, whether the connection was new
// or reused. It forwards CloseIdleConnections so that
// http.Client.CloseIdleConnections still reaches the transport.
type TracingRoundTripper struct {
	next *http.Transport
	in   *Instrumentation

	// directs are the pool's Direct pools, one per host (DirectFor).
	directMu sync.Mutex
	directs  map[string]*Direct
}

// RoundTrip implements http.RoundTripper.
func (rt *TracingRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	// GotConn and PutIdleConn run on different goroutines (round trip vs.
	// the connection's read loop), hence the atomic hand-off.
	var conn atomic.Pointer[trackedConn]
	in := rt.in
	trace := &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) {
			tc := unwrapConn(info.Conn)
			conn.Store(tc)
			if info.Reused {
				in.reused.Inc()
				in.Reused.Add(1)
				if info.WasIdle {
					in.idleTime.Observe(info.IdleTime.Seconds())
				}
			} else {
				in.opened.Inc()
				in.Opened.Add(1)
			}
			if tc != nil {
				tc.setIdle(false)
			}
		},
		PutIdleConn: func(err error) {
			if err != nil {
				return
			}
			in.returned.Inc()
			if tc := conn.Load(); tc != nil {
				tc.setIdle(true)
			}
		},
	}
	return rt.next.RoundTrip(req.WithContext(httptrace.WithClientTrace(req.Context(), trace)))
}

// CloseIdleConnections closes the wrapped transport's idle connections,
// and its Direct pools'.
func (rt *TracingRoundTripper) CloseIdleConnections() {
	rt.next.CloseIdleConnections()
	rt.closeDirectIdle()
}

// trackedConn keeps the open/idle gauges right whichever way the connection
// ends: closed in use, closed while idle by IdleConnTimeout, or closed by
// CloseIdleConnections.
type trackedConn struct {
	net.Conn
	in *Instrumentation

	mu     sync.Mutex
	idle   bool
	closed bool
}

func (c *trackedConn) setIdle(idle bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.idle == idle {
		return
	}
	c.idle = idle
	if idle {
		c.in.idle.Inc()
	} else {
		c.in.idle.Dec()
	}
}

func (c *trackedConn) Close() error {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		c.in.open.Dec()
		if c.idle {
			c.idle = false
			c.in.idle.Dec()
		}
	}
	c.mu.Unlock()
	return c.Conn.Close()
}

// unwrapConn finds our trackedConn under a TLS connection, if any.
func unwrapConn(c net.Conn) *trackedConn {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	tc, _ := c.(*trackedConn)
	return tc
}
