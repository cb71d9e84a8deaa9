package unseenowners

import (
	"sync"

	"google.golang.org/grpc"
)

// A pooled handle's Close gives the connection back to its pool, which
// closes it or keeps it for reuse (go-micro's client/grpc poolConn): the
// handle does release it, through the pool. Quiet.
type connPool struct {
	mu   sync.Mutex
	idle []*pooledConn
	max  int
}

type pooledConn struct {
	conn *grpc.ClientConn
	pool *connPool
	err  error
}

func (p *connPool) get(addr string) (*pooledConn, error) {
	cc, err := grpc.NewClient(addr)
	if err != nil {
		return nil, err
	}
	return &pooledConn{conn: cc, pool: p}, nil
}

func (p *connPool) release(c *pooledConn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c.err != nil || len(p.idle) >= p.max {
		c.conn.Close()
		return
	}
	p.idle = append(p.idle, c)
}

func (c *pooledConn) Close() { c.pool.release(c) }
