package unseen

import (
	"context"
	"time"

	"google.golang.org/grpc"
)

type NameNode struct {
	interval time.Duration
	nodes    []string
}

// PingDataNodes pings every data node on each health-check tick through a
// helper whose deferred Close runs per ping (Videra after its fix): a
// health check that opens a connection is checking that one can be
// opened.
func (n *NameNode) PingDataNodes() {
	for range time.Tick(n.interval) {
		for _, addr := range n.nodes {
			n.pingDataNode(addr)
		}
	}
}

func (n *NameNode) pingDataNode(addr string) {
	conn, err := grpc.Dial(addr)
	if err != nil {
		return
	}
	defer conn.Close()
	_ = conn.Invoke(context.Background(), "/dn.DataNode/HealthCheck")
}

// PingAll dials inside the endless loop with a defer that never runs
// (Videra before its fix): every tick strands a conn per node.
func (n *NameNode) PingAll() {
	for range time.Tick(n.interval) {
		for _, addr := range n.nodes {
			conn, err := grpc.Dial(addr) // want `NameNode.PingAll creates a new client connection per call and drops it`
			if err != nil {
				continue
			}
			defer conn.Close()
			_ = conn.Invoke(context.Background(), "/dn.DataNode/HealthCheck")
		}
	}
}
