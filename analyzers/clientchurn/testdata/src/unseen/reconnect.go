package unseen

import (
	"context"
	"time"

	"google.golang.org/grpc"
)

type Event struct{}

type Stream struct{ conn *grpc.ClientConn }

func (s *Stream) Recv() (*Event, error) { return nil, s.conn.Invoke(context.Background(), "/Recv") }

func subscribe(ctx context.Context, conn *grpc.ClientConn) (*Stream, error) {
	return &Stream{conn: conn}, conn.Invoke(ctx, "/Subscribe")
}

// Watch keeps one long-lived stream and redials only after it breaks: a
// connection per reconnect, not per request.
func Watch(ctx context.Context, addr string, handle func(*Event)) {
	for ctx.Err() == nil {
		conn, err := grpc.NewClient(addr)
		if err != nil {
			time.Sleep(time.Second)
			continue
		}
		stream, err := subscribe(ctx, conn)
		for err == nil {
			var ev *Event
			ev, err = stream.Recv()
			if err == nil {
				handle(ev)
			}
		}
		conn.Close()
		time.Sleep(time.Second)
	}
}

// Poll dials once per tick for a single call: that is churn.
func Poll(ctx context.Context, addr string) {
	for ctx.Err() == nil {
		conn, err := grpc.NewClient(addr) // want `Poll creates a new client connection per call and closes it`
		if err != nil {
			continue
		}
		conn.Invoke(ctx, "/Status")
		conn.Close()
		time.Sleep(time.Minute)
	}
}

// Ping's deferred Close runs only when Ping returns, which it never does:
// every tick's connection stays open.
func Ping(ctx context.Context, addr string) {
	for {
		conn, err := grpc.NewClient(addr) // want `Ping creates a new client connection per call and drops it`
		if err != nil {
			continue
		}
		defer conn.Close()
		conn.Invoke(ctx, "/Ping")
		time.Sleep(time.Minute)
	}
}
