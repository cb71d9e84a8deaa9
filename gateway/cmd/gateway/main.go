// Command gateway runs the churnlint reference MCP gateway.
//
//	gateway -config gateway.yaml      serve
//	gateway -config gateway.yaml -validate   check the config and exit
//	gateway -version                  print the version and exit
//	gateway -config gateway.yaml -healthcheck   GET /healthz on the configured
//	                                  listener, exit 0 if it answers 200 (the
//	                                  container HEALTHCHECK: distroless has no curl)
//
// SIGHUP re-reads the config file and reloads it (see README "Hot
// reload"); -watch also reloads whenever the file changes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/churnlint/churnlint/gateway"
	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/internal/pprofserve"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("gateway", flag.ContinueOnError)
	flags.SetOutput(stderr)
	configPath := flags.String("config", "gateway.yaml", "path to the YAML configuration")
	validate := flags.Bool("validate", false, "validate the configuration and exit")
	version := flags.Bool("version", false, "print the version and exit")
	watch := flags.Bool("watch", false, "reload the configuration whenever the file changes")
	healthcheck := flags.Bool("healthcheck", false, "check /healthz of the gateway the config describes and exit 0 (healthy) or 1")
	pprofAddr := flags.String("pprof", "", "serve net/http/pprof on this loopback address (profiling; see LOADTEST.md); empty: off")
	if err := flags.Parse(args); err != nil {
		return 2
	}

	if *version {
		fmt.Fprintln(stdout, gateway.Version)
		return 0
	}
	cfg, err := config.Load(*configPath)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if *healthcheck {
		return checkHealth(cfg.Listen, stdout, stderr)
	}
	if *validate {
		// Everything New checks, short of connecting upstreams.
		if err := gateway.Validate(cfg, gateway.Options{}); err != nil {
			fmt.Fprintf(stderr, "config %s: %v\n", *configPath, err)
			return 2
		}
		fmt.Fprintf(stdout, "%s: configuration is valid (%d upstreams, %d plugins, %d virtual servers)\n",
			*configPath, len(cfg.Upstreams), len(cfg.Plugins), len(cfg.VirtualServers))
		return 0
	}
	logger := newLogger(cfg.Log, stderr)
	slog.SetDefault(logger)
	if *pprofAddr != "" {
		stopPprof, err := pprofserve.Start(*pprofAddr)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		defer stopPprof()
	}

	g, err := gateway.New(cfg, gateway.Options{Logger: logger, ConfigPath: *configPath})
	if err != nil {
		logger.Error("gateway setup failed", "err", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	if err := g.Start(ctx); err != nil {
		logger.Error("gateway start failed", "err", err)
		_ = g.Shutdown(context.Background())
		return 1
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- g.ListenAndServe() }()
	stopReloads := handleReloads(ctx, g, *watch, logger)
	defer stopReloads()

	code := 0
	select {
	case <-ctx.Done():
		logger.Info("signal received, shutting down", "drain_grace", cfg.Readiness.DrainGrace, "timeout", cfg.ShutdownTimeout)
	case err := <-serveErr:
		if !errors.Is(err, http.ErrServerClosed) {
			logger.Error("serve failed", "err", err)
			code = 1
		}
	}
	stop() // a second signal now kills the process the default way
	stopReloads()

	// The drain deadline in force (a reload may change shutdown_timeout).
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.Readiness.DrainGrace+g.Config().ShutdownTimeout)
	defer cancel()
	if err := g.Shutdown(shutdownCtx); err != nil {
		logger.Error("shutdown was not clean", "err", err)
		code = 1
	}
	return code
}

func newLogger(c config.LogConfig, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// handleReloads reloads on SIGHUP and, with watch, on file changes, until
// the returned stop is called (idempotent; it waits for both to end).
func handleReloads(ctx context.Context, g *gateway.Gateway, watch bool, logger *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				logger.Info("SIGHUP received, reloading the configuration")
				// Errors are logged and counted by the reload itself.
				_, _ = g.ReloadFile(ctx, gateway.TriggerSignal)
			}
		}
	})
	if watch {
		wg.Go(func() {
			if err := g.WatchConfig(ctx); err != nil {
				logger.Error("config watch failed", "err", err)
			}
		})
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			signal.Stop(hup)
			cancel()
			wg.Wait()
		})
	}
}
