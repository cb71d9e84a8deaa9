// Command demo-upstream serves the demo MCP server (tools echo, add and
// sleep, a resource, a resource template and a prompt) for trying the
// gateway locally.
//
//	demo-upstream -addr 127.0.0.1:9001 -transport streamable-http   (/mcp)
//	demo-upstream -addr 127.0.0.1:9002 -transport sse               (/sse)
//	demo-upstream -transport stdio     (MCP on stdin/stdout, logs on stderr)
//
// With -metrics ADDR it also serves Prometheus metrics on a separate
// listener: demo_upstream_connections_accepted_total and
// demo_upstream_connections_open count the MCP listener's TCP connections
// (the load test uses them to measure connection churn), plus the Go
// runtime and process metrics.
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
	"github.com/churnlint/churnlint/gateway/internal/pprofserve"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9001", "listen address")
	transport := flag.String("transport", "streamable-http", "streamable-http (serves /mcp), sse (serves /sse) or stdio (stdin/stdout)")
	name := flag.String("name", "demo", "server name")
	metricsAddr := flag.String("metrics", "", "serve Prometheus metrics (connection counters, Go runtime) on this address; empty: off")
	pprofAddr := flag.String("pprof", "", "serve net/http/pprof on this loopback address; empty: off")
	flag.Parse()
	if *pprofAddr != "" {
		stopPprof, err := pprofserve.Start(*pprofAddr)
		if err != nil {
			slog.Error("pprof", "err", err)
			os.Exit(2)
		}
		defer stopPprof()
	}

	mcp := demoupstream.New(*name)
	if *transport == "stdio" {
		// The gateway reads stdout as MCP; logs go to stderr.
		if err := demoupstream.ServeStdio(mcp, os.Stdin, os.Stdout); err != nil {
			slog.Error("stdio serve failed", "err", err)
			os.Exit(1)
		}
		return
	}
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
	var stats demoupstream.ConnStats
	srv := &http.Server{Addr: *addr, Handler: handler, ReadHeaderTimeout: 10 * time.Second, ConnState: stats.ConnState}
	var metricsSrv *http.Server
	if *metricsAddr != "" {
		mux := http.NewServeMux()
		mux.Handle("/metrics", stats.MetricsHandler())
		metricsSrv = &http.Server{Addr: *metricsAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := metricsSrv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				slog.Error("metrics listener failed", "err", err)
				os.Exit(1)
			}
		}()
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = shutdown(sctx)
		_ = srv.Shutdown(sctx)
		if metricsSrv != nil {
			_ = metricsSrv.Shutdown(sctx)
		}
	}()
	slog.Info("demo upstream listening", "addr", *addr, "transport", *transport, "metrics", *metricsAddr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		slog.Error("serve failed", "err", err)
		os.Exit(1)
	}
}
