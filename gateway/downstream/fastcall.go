package downstream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/churnlint/churnlint/gateway/auth"
	"github.com/churnlint/churnlint/gateway/internal/jsonscan"
	"github.com/churnlint/churnlint/gateway/plugin"
	"github.com/churnlint/churnlint/gateway/tracing"
	"github.com/churnlint/churnlint/gateway/upstream"
)

// Forwarded is the answer to a tools/call the raw path forwarded: exactly
// one of Result (the result object, as JSON) and Err (a JSON-RPC error)
// is set.
type Forwarded struct {
	Result json.RawMessage
	Err    error
}

// ForwardToolCall is the hot path of tools/call: when nothing asks for
// more than forwarding (no plugin chain, the tool registered on the view
// and allowed to the caller, an upstream session that speaks a
// session-oriented revision over streamable HTTP), the arguments go to the
// upstream as the client sent them and the upstream's result comes back
// with only the gateway's scrubbing applied, with no decoding into mcp-go
// types and re-encoding on either leg. Every other check of callTool is
// kept: the drain, the per-call timeout, the upstream filters, metrics,
// the span, error messages that hide internal detail. ok is false when the
// call must take mcp-go's path; then nothing was done.
func (f *Federation) ForwardToolCall(ctx context.Context, view, name string, args json.RawMessage, header http.Header) (out Forwarded, ok bool) {
	up, tool, isNamespaced := f.upstreamOf(name)
	if !isNamespaced || !f.registered(view, name) {
		return out, false
	}
	if p, has := auth.FromContext(ctx); !has || !p.MayCall(name) {
		return out, false // mcp-go's filter answers "not found"
	}
	sess, has := f.opts.Sessions.Session(up)
	if !has || !sess.CanRawCall() {
		return out, false
	}
	chain, release := f.opts.Plugins.Acquire()
	if chain.Len() > 0 {
		// Plugins see and may rewrite typed calls and results.
		release()
		return out, false
	}
	defer release()
	if !f.flight.enter() {
		return out, false // mcp-go's path answers "shutting down"
	}
	defer f.flight.leave()

	start := time.Now()
	outcome := outcomeOK
	ctx, span := f.startSpan(ctx, "tools/call", name, up, tool, tracing.AttrTool.String(name))
	defer func() {
		f.opts.Metrics.ObserveRequest(up, string(plugin.KindTool), name, outcome, time.Since(start))
		endSpan(span, outcome)
	}()
	f.opts.Metrics.InFlight.Inc()
	defer f.opts.Metrics.InFlight.Dec()
	ctx, done := f.callContext(ctx)
	defer done()

	res, err := sess.RawCallTool(ctx, tool, args, f.forwardedHeaders(up, header))
	switch {
	case errors.Is(err, upstream.ErrNoRawPath):
		// Lost the session between the check and the call: say so as
		// callTool does for a session that is gone.
		err = fmt.Errorf("%w: %s", upstream.ErrUnavailable, up)
	case aborted(ctx):
		outcome = outcomeDraining
		return Forwarded{Err: ErrShuttingDown}, true
	}
	if err != nil {
		outcome = outcomeError
		f.opts.Logger.WarnContext(ctx, "upstream tool call failed", "upstream", up, "tool", tool, "err", err)
		return Forwarded{Result: toolError(f.clientMessage(ctx, up, name, err, sess.Config().Timeouts.Call))}, true
	}
	scrubbed, isError, err := scrubRaw(res, "content")
	if err != nil {
		outcome = outcomeError
		return Forwarded{Result: toolError(fmt.Sprintf("upstream %s returned an invalid result", up))}, true
	}
	if isError {
		outcome = outcomeToolError
	}
	return Forwarded{Result: scrubbed}, true
}

// ForwardPrompt is ForwardToolCall for prompts/get: args must be an
// object of strings (what mcp-go's path accepts); failures are JSON-RPC
// errors, as on mcp-go's path.
func (f *Federation) ForwardPrompt(ctx context.Context, view, name string, args json.RawMessage, header http.Header) (out Forwarded, ok bool) {
	up, prompt, isNamespaced := f.upstreamOf(name)
	if !isNamespaced || !f.registeredPrompt(view, name) {
		return out, false
	}
	if len(args) > 0 {
		var strs map[string]string
		if json.Unmarshal(args, &strs) != nil {
			return out, false
		}
	}
	if p, has := auth.FromContext(ctx); !has || !p.MayGetPrompt(name) {
		return out, false
	}
	sess, has := f.opts.Sessions.Session(up)
	if !has || !sess.CanRawCall() {
		return out, false
	}
	chain, release := f.opts.Plugins.Acquire()
	if chain.Len() > 0 {
		release()
		return out, false
	}
	defer release()
	if !f.flight.enter() {
		return out, false
	}
	defer f.flight.leave()

	start := time.Now()
	outcome := outcomeOK
	ctx, span := f.startSpan(ctx, "prompts/get", name, up, prompt, tracing.AttrPrompt.String(name))
	defer func() {
		f.opts.Metrics.ObserveRequest(up, string(plugin.KindPrompt), name, outcome, time.Since(start))
		endSpan(span, outcome)
	}()
	f.opts.Metrics.InFlight.Inc()
	defer f.opts.Metrics.InFlight.Dec()
	ctx, done := f.callContext(ctx)
	defer done()

	res, err := sess.RawGetPrompt(ctx, prompt, args, f.forwardedHeaders(up, header))
	switch {
	case errors.Is(err, upstream.ErrNoRawPath):
		err = fmt.Errorf("%w: %s", upstream.ErrUnavailable, up)
	case aborted(ctx):
		outcome = outcomeDraining
		return Forwarded{Err: ErrShuttingDown}, true
	}
	if err != nil {
		outcome = outcomeError
		return Forwarded{Err: errors.New(f.clientMessage(ctx, up, name, err, sess.Config().Timeouts.Call))}, true
	}
	scrubbed, _, err := scrubRaw(res, "messages")
	if err != nil {
		outcome = outcomeError
		return Forwarded{Err: fmt.Errorf("upstream %s returned an invalid result", up)}, true
	}
	return Forwarded{Result: scrubbed}, true
}

// registered reports whether name is a tool view (main: "") serves now.
func (f *Federation) registered(view, name string) bool {
	f.mu.RLock()
	defer f.mu.RUnlock()
	v := f.viewLocked(view)
	if v == nil {
		return false
	}
	_, ok := v.toolDefs[name]
	return ok
}

// registeredPrompt is registered for prompts.
func (f *Federation) registeredPrompt(view, name string) bool {
	f.mu.RLock()
	defer f.mu.RUnlock()
	v := f.viewLocked(view)
	if v == nil {
		return false
	}
	_, ok := v.promptDefs[name]
	return ok
}

func (f *Federation) viewLocked(view string) *view {
	if view == "" {
		return f.main
	}
	return f.virtual[view]
}

func toolError(text string) json.RawMessage {
	data, _ := json.Marshal(mcp.NewToolResultError(text))
	return data
}

// scrubRaw does to a raw result what scrubResult does to a typed one
// (removes resultType and the upstream's serverInfo) and checks its shape
// as the mcp-go client would: an object whose list (content of a tool
// result, messages of a prompt) is a list. Results with nothing to remove
// are returned as they are. res is valid JSON (the upstream's answer was
// checked): its members are walked, not decoded, unless a key has an
// escape sequence or there is something to remove.
func scrubRaw(res json.RawMessage, list string) (json.RawMessage, bool, error) {
	o, ok := jsonscan.Open(res)
	if !ok {
		return nil, false, errors.New("result is not an object")
	}
	var items, isError, meta json.RawMessage
	hasResultType := false
	for k, v, more := o.Next(); more; k, v, more = o.Next() {
		switch string(k) {
		case list:
			items = v
		case "isError":
			isError = v
		case "resultType":
			hasResultType = true
		case "_meta":
			meta = v
		}
	}
	if o.Escaped() {
		return scrubDecoded(res, list)
	}
	if len(items) == 0 || items[0] != '[' {
		return nil, false, fmt.Errorf("%s is not a list", list)
	}
	var flagged bool
	switch string(isError) {
	case "", "false", "null":
	case "true":
		flagged = true
	default:
		return nil, false, errors.New("isError is not a boolean")
	}
	hasInfo := false
	switch {
	case meta == nil || string(meta) == "null":
	case meta[0] != '{':
		return nil, false, errors.New("_meta is not an object")
	default:
		m, _ := jsonscan.Open(meta)
		for k, _, more := m.Next(); more && !hasInfo; k, _, more = m.Next() {
			hasInfo = string(k) == mcp.MetaKeyServerInfo
		}
		hasInfo = hasInfo || m.Escaped() // decoded below, where it is unescaped
	}
	if !hasResultType && !hasInfo {
		return res, flagged, nil
	}
	return scrubDecoded(res, list)
}

// rawResult is what scrubDecoded reads of a tools/call or prompts/get
// result.
type rawResult struct {
	Content    json.RawMessage            `json:"content"`
	Messages   json.RawMessage            `json:"messages"`
	IsError    bool                       `json:"isError"`
	ResultType json.RawMessage            `json:"resultType"`
	Meta       map[string]json.RawMessage `json:"_meta"`
}

// scrubDecoded is scrubRaw by decoding: for results with something to
// remove, or keys only encoding/json reads.
func scrubDecoded(res json.RawMessage, list string) (json.RawMessage, bool, error) {
	var r rawResult
	if err := json.Unmarshal(res, &r); err != nil {
		return nil, false, err
	}
	items := r.Content
	if list == "messages" {
		items = r.Messages
	}
	if len(items) == 0 || items[0] != '[' {
		return nil, false, fmt.Errorf("%s is not a list", list)
	}
	_, hasInfo := r.Meta[mcp.MetaKeyServerInfo]
	if r.ResultType == nil && !hasInfo {
		return res, r.IsError, nil
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(res, &members); err != nil {
		return nil, false, err
	}
	delete(members, "resultType")
	if hasInfo {
		delete(r.Meta, mcp.MetaKeyServerInfo)
		if len(r.Meta) == 0 {
			delete(members, "_meta")
		} else {
			meta, _ := json.Marshal(r.Meta)
			members["_meta"] = meta
		}
	}
	out, err := json.Marshal(members)
	return bytes.TrimSpace(out), r.IsError, err
}
