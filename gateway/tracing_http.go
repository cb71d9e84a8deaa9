package gateway

import (
	"net/http"

	"go.opentelemetry.io/otel/trace"

	"github.com/churnlint/churnlint/gateway/auth"
	"github.com/churnlint/churnlint/gateway/jsonrpc"
	"github.com/churnlint/churnlint/gateway/tracing"
)

// annotateSpan adds the MCP method and the caller to the downstream
// request's server span, once auth and body validation have run.
func (g *Gateway) annotateSpan(next http.Handler) http.Handler {
	if !g.tracing.Enabled() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		span := trace.SpanFromContext(r.Context())
		if msg, ok := jsonrpc.FromContext(r); ok && msg.Method != "" {
			span.SetAttributes(tracing.AttrMethod.String(msg.Method))
		}
		if p, ok := auth.FromContext(r.Context()); ok {
			span.SetAttributes(tracing.AttrPrincipal.String(p.Name))
		}
		next.ServeHTTP(w, r)
	})
}
