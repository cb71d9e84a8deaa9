package upstream

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// ErrFiltered is returned for names the upstream's filters exclude.
var ErrFiltered = errors.New("excluded by upstream filter")

// CallTool calls tool on the upstream. header carries the downstream
// headers configured for forwarding (nil for none). The call is bounded by
// the upstream's call timeout on top of ctx.
func (s *Session) CallTool(ctx context.Context, tool string, args map[string]any, header http.Header) (*mcp.CallToolResult, error) {
	if !s.filt.Load().f.tools.Admits(tool) {
		return nil, fmt.Errorf("tool %q: %w", tool, ErrFiltered)
	}
	c, err := s.current()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeouts.Call)
	defer cancel()
	req := mcp.CallToolRequest{Header: header}
	req.Params.Name = tool
	req.Params.Arguments = args
	res, err := c.CallTool(ctx, req)
	return res, s.classify(ctx, err)
}

// ReadResource reads uri from the upstream. Deny rules are checked against
// the concrete URI too, so a broad template cannot reach a denied resource.
func (s *Session) ReadResource(ctx context.Context, uri string, header http.Header) ([]mcp.ResourceContents, error) {
	if s.filt.Load().f.resources.Deny.MatchURI(uri) {
		return nil, fmt.Errorf("resource %q: %w", uri, ErrFiltered)
	}
	c, err := s.current()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeouts.Call)
	defer cancel()
	req := mcp.ReadResourceRequest{Header: header}
	req.Params.URI = uri
	res, err := c.ReadResource(ctx, req)
	if err = s.classify(ctx, err); err != nil {
		return nil, err
	}
	return res.Contents, nil
}

// GetPrompt renders prompt on the upstream.
func (s *Session) GetPrompt(ctx context.Context, prompt string, args map[string]string, header http.Header) (*mcp.GetPromptResult, error) {
	if !s.filt.Load().f.prompts.Admits(prompt) {
		return nil, fmt.Errorf("prompt %q: %w", prompt, ErrFiltered)
	}
	c, err := s.current()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeouts.Call)
	defer cancel()
	req := mcp.GetPromptRequest{Header: header}
	req.Params.Name = prompt
	req.Params.Arguments = args
	res, err := c.GetPrompt(ctx, req)
	return res, s.classify(ctx, err)
}

// classify counts upstream errors and asks for a health probe when the
// failure looks like a broken connection rather than an upstream answer.
// Caller cancellations are not the upstream's fault and are not counted.
func (s *Session) classify(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return err
	}
	s.metrics.UpstreamErrors.WithLabelValues(s.cfg.Name, "call").Inc()
	if errors.Is(err, transport.ErrSessionTerminated) {
		// The upstream forgot the session (it restarted): no probe can
		// fix that, a new initialize does.
		s.mu.RLock()
		if s.conn != nil {
			s.conn.markLost(fmt.Errorf("upstream ended the session: %w", err))
		}
		s.mu.RUnlock()
		return err
	}
	var terr *transport.Error
	if errors.As(err, &terr) && !errors.Is(err, context.DeadlineExceeded) || processGone(err) {
		signal(s.kick)
	}
	return err
}
