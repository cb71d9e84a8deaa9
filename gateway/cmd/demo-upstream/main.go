// Command demo-upstream serves the demo MCP server (tools echo, add and
// sleep, a resource, a resource template and a prompt) for trying the
// gateway locally.
//
//	demo-upstream -addr 127.0.0.1:9001 -transport streamable-http   (/mcp)
//	demo-upstream -addr 127.0.0.1:9002 -transport sse               (/sse)
package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/churnlint/churnlint/gateway/demoupstream"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9001", "listen address")
	transport := flag.String("transport", "streamable-http", "streamable-http (serves /mcp) or sse (serves /sse)")
	name := flag.String("name", "demo", "server name")
	flag.Parse()

	mcp := demoupstream.New(*name)
	var handler http.Handler
	var shutdown func(context.Context) error
	switch *transport {
	case "streamable-http":
		s := server.NewStreamableHTTPServer(mcp)
		mux := http.NewServeMux()
		mux.Handle("/mcp", s)
		handler, shutdown = mux, s.Shutdown
	case "sse":
		s := server.NewSSEServer(mcp)
		handler, shutdown = s, func(context.Context) error { s.CloseSessions(); return nil }
	default:
		slog.Error("unknown transport", "transport", *transport)
		os.Exit(2)
	}
	srv := &http.Server{Addr: *addr, Handler: handler, ReadHeaderTimeout: 10 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = shutdown(sctx)
		_ = srv.Shutdown(sctx)
	}()
	slog.Info("demo upstream listening", "addr", *addr, "transport", *transport)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		slog.Error("serve failed", "err", err)
		os.Exit(1)
	}
}
