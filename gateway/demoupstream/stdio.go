package demoupstream

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/mark3labs/mcp-go/server"
)

// ServeStdio serves s over MCP's stdio transport until in ends (the
// client closed it) or SIGTERM/SIGINT arrives. It announces itself on
// stderr with the process id, as stdio servers log: the gateway streams
// that into its own log.
func ServeStdio(s *server.MCPServer, in io.Reader, out io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	slog.Info("demo upstream serving on stdio", "pid", os.Getpid())
	err := server.NewStdioServer(s).Listen(ctx, in, out)
	if errors.Is(err, context.Canceled) || errors.Is(err, io.EOF) {
		return nil
	}
	return err
}
