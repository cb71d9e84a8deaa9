// Command churnygateway runs the churny MCP gateway: downstream streamable
// HTTP on /mcp, Prometheus metrics on /metrics, liveness on /healthz.
//
//	churnygateway -listen 127.0.0.1:8090 -upstream http://127.0.0.1:9001/mcp
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

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"example.com/churnygateway/gateway"
	"example.com/churnygateway/plugins"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8090", "downstream listen address")
	upstream := flag.String("upstream", "http://127.0.0.1:9001/mcp", "upstream MCP endpoint (streamable HTTP)")
	name := flag.String("name", "demo", "the upstream's name: downstream names are <name>__<upstream name>")
	moderationURL := flag.String("moderation-url", "", "moderation service endpoint (empty: local word list only)")
	auditURL := flag.String("audit-url", "", "audit webhook URL (empty: no audit events)")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	g := gateway.New(*name, *upstream, logger,
		plugins.NewModeration(*moderationURL, "forbidden-word"),
		plugins.NewAudit(*auditURL),
	)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	startCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	err := g.Start(startCtx)
	cancel()
	if err != nil {
		logger.Error("start failed", "err", err)
		os.Exit(1)
	}

	mux := http.NewServeMux()
	mux.Handle("/mcp", g)
	mux.Handle("GET /metrics", promhttp.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	srv := &http.Server{Addr: *listen, Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = g.Shutdown(sctx)
		_ = srv.Shutdown(sctx)
	}()
	logger.Info("churnygateway listening", "addr", *listen, "upstream", *upstream)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Error("serve failed", "err", err)
		os.Exit(1)
	}
	<-done
}
