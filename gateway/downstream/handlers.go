package downstream

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/churnlint/churnlint/gateway/auth"
	"github.com/churnlint/churnlint/gateway/plugin"
	"github.com/churnlint/churnlint/gateway/tracing"
	"github.com/churnlint/churnlint/gateway/upstream"
)

// ErrShuttingDown answers calls that arrive while the gateway drains, and
// calls still in flight when the drain deadline passes. It goes to the
// client as a JSON-RPC error (not a tool result): the call never ran, or
// was cut, through no fault of its own, and may be retried elsewhere.
var ErrShuttingDown = errors.New("gateway is shutting down")

// Outcome labels for metrics.
const (
	outcomeOK          = "ok"
	outcomeToolError   = "tool_error"
	outcomeError       = "error"
	outcomeBlocked     = "blocked"
	outcomePluginError = "plugin_error"
	outcomeDraining    = "draining"
	outcomeDenied      = "denied"
)

// startSpan starts the span of one proxied call: a client span (the
// gateway calls the upstream), child of the downstream request's span, and
// parent of the upstream HTTP request's span (which carries traceparent).
func (f *Federation) startSpan(ctx context.Context, method, name, up, target string, what attribute.KeyValue) (context.Context, trace.Span) {
	if _, off := f.opts.Tracer.(noop.Tracer); off {
		// Tracing is off: skip building attributes nobody records.
		return ctx, noop.Span{}
	}
	attrs := []attribute.KeyValue{
		tracing.AttrMethod.String(method), what, tracing.AttrUpstream.String(up),
		tracing.AttrPrincipal.String(principalName(ctx)),
	}
	if target != "" {
		attrs = append(attrs, tracing.AttrTarget.String(target))
	}
	return f.opts.Tracer.Start(ctx, method+" "+name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
}

// endSpan records the outcome; anything but ok and a tool's own error
// result marks the span as an error.
func endSpan(span trace.Span, outcome string) {
	span.SetAttributes(tracing.AttrOutcome.String(outcome))
	if outcome != outcomeOK && outcome != outcomeToolError {
		span.SetStatus(codes.Error, outcome)
	}
	span.End()
}

func principalName(ctx context.Context) string {
	if p, ok := auth.FromContext(ctx); ok {
		return p.Name
	}
	return ""
}

// pluginOutcome maps a plugin chain error to a metrics outcome.
func pluginOutcome(err error) string {
	var blocked *plugin.BlockedError
	if errors.As(err, &blocked) {
		return outcomeBlocked
	}
	return outcomePluginError
}

func (f *Federation) session(up string) (*upstream.Session, error) {
	s, ok := f.opts.Sessions.Session(up)
	if !ok {
		return nil, fmt.Errorf("%w: unknown upstream %q", upstream.ErrUnavailable, up)
	}
	return s, nil
}

// toolHandler returns the handler for one namespaced tool. It only looks
// things up and forwards; the connection pool is the session's.
func (f *Federation) toolHandler(up, tool string) mcpserver.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return f.callTool(ctx, up, tool, req)
	}
}

func (f *Federation) callTool(ctx context.Context, up, tool string, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	start := time.Now()
	// Held for the whole call, audit included: a reload shuts the
	// replaced plugins down only after their last call released them.
	chain, release := f.opts.Plugins.Acquire()
	defer release()
	name := req.Params.Name
	outcome := outcomeOK
	ctx, span := f.startSpan(ctx, "tools/call", name, up, tool, tracing.AttrTool.String(name))
	var failure error
	audited := &plugin.Call{Kind: plugin.KindTool, Upstream: up, Name: name, Target: tool, Principal: principalName(ctx), Arguments: req.GetArguments()}
	defer func() {
		f.opts.Metrics.ObserveRequest(up, string(plugin.KindTool), name, outcome, time.Since(start))
		chain.Audit(ctx, audited, plugin.Record{Outcome: outcome, Err: failure, Duration: time.Since(start)})
		endSpan(span, outcome)
	}()

	if !f.flight.enter() {
		outcome = outcomeDraining
		return nil, ErrShuttingDown
	}
	defer f.flight.leave()
	f.opts.Metrics.InFlight.Inc()
	defer f.opts.Metrics.InFlight.Dec()
	ctx, done := f.callContext(ctx)
	defer done()

	sess, err := f.session(up)
	if err != nil {
		outcome = outcomeError
		return mcp.NewToolResultError(err.Error()), nil
	}
	call := &plugin.Call{
		Kind: plugin.KindTool, Upstream: up, Name: name, Target: tool,
		Principal: principalName(ctx), Arguments: req.GetArguments(),
	}
	call, err = chain.Pre(ctx, call)
	if err != nil {
		outcome = pluginOutcome(err)
		failure = err
		return mcp.NewToolResultError(f.clientMessage(ctx, up, name, err, 0)), nil
	}
	res, err := sess.CallTool(ctx, call.Target, call.Arguments, f.forwardedHeaders(up, req.Header))
	if aborted(ctx) {
		outcome = outcomeDraining
		return nil, ErrShuttingDown
	}
	out, perr := chain.Post(ctx, call, &plugin.Outcome{Tool: res, Err: err, Duration: time.Since(start)})
	if perr != nil {
		outcome = pluginOutcome(perr)
		failure = perr
		return mcp.NewToolResultError(f.clientMessage(ctx, up, name, perr, 0)), nil
	}
	if out.Err != nil {
		outcome = outcomeError
		failure = out.Err
		f.opts.Logger.WarnContext(ctx, "upstream tool call failed", "upstream", up, "tool", tool, "err", out.Err)
		// Tool failures go back as tool results so the model can see and
		// react to them; JSON-RPC errors are for protocol problems.
		return mcp.NewToolResultError(f.clientMessage(ctx, up, name, out.Err, sess.Config().Timeouts.Call)), nil
	}
	if out.Tool == nil {
		outcome = outcomeError
		return mcp.NewToolResultError(fmt.Sprintf("upstream %s returned no result", up)), nil
	}
	if out.Tool.IsError {
		outcome = outcomeToolError
	}
	scrubResult(&out.Tool.Result)
	return out.Tool, nil
}

// resourceHandler serves both plain resources and resource templates of
// one upstream: the URI carries everything needed.
func (f *Federation) resourceHandler(up string) mcpserver.ResourceHandlerFunc {
	return func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		return f.readResource(ctx, up, req)
	}
}

func (f *Federation) readResource(ctx context.Context, up string, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
	start := time.Now()
	// Held for the whole call, audit included: a reload shuts the
	// replaced plugins down only after their last call released them.
	chain, release := f.opts.Plugins.Acquire()
	defer release()
	uri := req.Params.URI
	// Label resources by upstream only: URIs from templates are unbounded
	// and would explode metric cardinality.
	outcome := outcomeOK
	ctx, span := f.startSpan(ctx, "resources/read", uri, up, "", tracing.AttrResource.String(uri))
	var failure error
	audited := &plugin.Call{Kind: plugin.KindResource, Upstream: up, Name: uri, Target: strings.TrimPrefix(uri, f.Namespaced(up, "")), Principal: principalName(ctx)}
	defer func() {
		f.opts.Metrics.ObserveRequest(up, string(plugin.KindResource), "", outcome, time.Since(start))
		chain.Audit(ctx, audited, plugin.Record{Outcome: outcome, Err: failure, Duration: time.Since(start)})
		endSpan(span, outcome)
	}()
	if !f.flight.enter() {
		outcome = outcomeDraining
		return nil, ErrShuttingDown
	}
	defer f.flight.leave()
	f.opts.Metrics.InFlight.Inc()
	defer f.opts.Metrics.InFlight.Dec()
	ctx, done := f.callContext(ctx)
	defer done()

	if !mayRead(ctx, uri) {
		// Answered like a resource that does not exist.
		outcome = outcomeDenied
		return nil, fmt.Errorf("resource %q not found", uri)
	}
	prefix := f.Namespaced(up, "")
	target, ok := strings.CutPrefix(uri, prefix)
	if !ok {
		outcome = outcomeError
		return nil, fmt.Errorf("resource %q does not belong to upstream %s", uri, up)
	}
	sess, err := f.session(up)
	if err != nil {
		outcome = outcomeError
		return nil, err
	}
	call := &plugin.Call{Kind: plugin.KindResource, Upstream: up, Name: uri, Target: target, Principal: principalName(ctx)}
	if call, err = chain.Pre(ctx, call); err != nil {
		outcome = pluginOutcome(err)
		failure = err
		return nil, errors.New(f.clientMessage(ctx, up, uri, err, 0))
	}
	contents, err := sess.ReadResource(ctx, call.Target, f.forwardedHeaders(up, req.Header))
	if aborted(ctx) {
		outcome = outcomeDraining
		return nil, ErrShuttingDown
	}
	out, perr := chain.Post(ctx, call, &plugin.Outcome{Resource: contents, Err: err, Duration: time.Since(start)})
	if perr != nil {
		outcome = pluginOutcome(perr)
		failure = perr
		return nil, errors.New(f.clientMessage(ctx, up, uri, perr, 0))
	}
	if out.Err != nil {
		outcome = outcomeError
		failure = out.Err
		return nil, errors.New(f.clientMessage(ctx, up, uri, out.Err, sess.Config().Timeouts.Call))
	}
	// Contents name upstream URIs; clients must see the namespaced ones.
	rewritten := make([]mcp.ResourceContents, 0, len(out.Resource))
	for _, c := range out.Resource {
		switch {
		case isText(c):
			tc, _ := mcp.AsTextResourceContents(c)
			n := *tc
			n.URI = prefix + n.URI
			rewritten = append(rewritten, n)
		case isBlob(c):
			bc, _ := mcp.AsBlobResourceContents(c)
			n := *bc
			n.URI = prefix + n.URI
			rewritten = append(rewritten, n)
		default:
			rewritten = append(rewritten, c)
		}
	}
	return rewritten, nil
}

func isText(c mcp.ResourceContents) bool { _, ok := mcp.AsTextResourceContents(c); return ok }
func isBlob(c mcp.ResourceContents) bool { _, ok := mcp.AsBlobResourceContents(c); return ok }

// promptHandler returns the handler for one namespaced prompt.
func (f *Federation) promptHandler(up, prompt string) mcpserver.PromptHandlerFunc {
	return func(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		return f.getPrompt(ctx, up, prompt, req)
	}
}

func (f *Federation) getPrompt(ctx context.Context, up, prompt string, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
	start := time.Now()
	// Held for the whole call, audit included: a reload shuts the
	// replaced plugins down only after their last call released them.
	chain, release := f.opts.Plugins.Acquire()
	defer release()
	name := req.Params.Name
	outcome := outcomeOK
	ctx, span := f.startSpan(ctx, "prompts/get", name, up, prompt, tracing.AttrPrompt.String(name))
	var failure error
	audited := &plugin.Call{Kind: plugin.KindPrompt, Upstream: up, Name: name, Target: prompt, Principal: principalName(ctx)}
	defer func() {
		f.opts.Metrics.ObserveRequest(up, string(plugin.KindPrompt), name, outcome, time.Since(start))
		chain.Audit(ctx, audited, plugin.Record{Outcome: outcome, Err: failure, Duration: time.Since(start)})
		endSpan(span, outcome)
	}()
	if !f.flight.enter() {
		outcome = outcomeDraining
		return nil, ErrShuttingDown
	}
	defer f.flight.leave()
	f.opts.Metrics.InFlight.Inc()
	defer f.opts.Metrics.InFlight.Dec()
	ctx, done := f.callContext(ctx)
	defer done()

	sess, err := f.session(up)
	if err != nil {
		outcome = outcomeError
		return nil, err
	}
	args := make(map[string]any, len(req.Params.Arguments))
	for k, v := range req.Params.Arguments {
		args[k] = v
	}
	call := &plugin.Call{Kind: plugin.KindPrompt, Upstream: up, Name: name, Target: prompt, Principal: principalName(ctx), Arguments: args}
	if call, err = chain.Pre(ctx, call); err != nil {
		outcome = pluginOutcome(err)
		failure = err
		return nil, errors.New(f.clientMessage(ctx, up, name, err, 0))
	}
	strArgs := make(map[string]string, len(call.Arguments))
	for k, v := range call.Arguments {
		if s, ok := v.(string); ok {
			strArgs[k] = s
		} else {
			strArgs[k] = fmt.Sprint(v)
		}
	}
	res, err := sess.GetPrompt(ctx, call.Target, strArgs, f.forwardedHeaders(up, req.Header))
	if aborted(ctx) {
		outcome = outcomeDraining
		return nil, ErrShuttingDown
	}
	out, perr := chain.Post(ctx, call, &plugin.Outcome{Prompt: res, Err: err, Duration: time.Since(start)})
	if perr != nil {
		outcome = pluginOutcome(perr)
		failure = perr
		return nil, errors.New(f.clientMessage(ctx, up, name, perr, 0))
	}
	if out.Err != nil {
		outcome = outcomeError
		failure = out.Err
		return nil, errors.New(f.clientMessage(ctx, up, name, out.Err, sess.Config().Timeouts.Call))
	}
	if out.Prompt != nil {
		scrubResult(&out.Prompt.Result)
	}
	return out.Prompt, nil
}
