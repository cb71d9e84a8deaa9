package gateway

import (
	"net/http"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"

	"github.com/churnlint/churnlint/gateway/auth"
	"github.com/churnlint/churnlint/gateway/jsonrpc"
	"github.com/churnlint/churnlint/gateway/session"
)

// bindSession checks the Mcp-Session-Id of every streamable-HTTP request
// (POST, GET stream, DELETE) before mcp-go sees it: the id must have been
// minted for this principal on this server. Unknown, forged, foreign and
// expired ids all get 404, which MCP clients answer by initialising a new
// session. mcp-go validates POSTs itself but not GET or DELETE.
func (g *Gateway) bindSession(server string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(mcpserver.HeaderKeySessionID)
		if id == "" || mcp.IsModernProtocol(r.Header.Get(mcp.HeaderProtocolVersion)) {
			// No session (initialize, or protocol 2026-07-28, which has none).
			next.ServeHTTP(w, r)
			return
		}
		msg, hasMsg := jsonrpc.FromContext(r)
		if hasMsg && msg.Method == string(mcp.MethodInitialize) {
			// A new session is minted whatever id came along.
			next.ServeHTTP(w, r)
			return
		}
		p, ok := auth.FromContext(r.Context())
		if !ok || g.signer.Verify(id, p.Name, server) != nil {
			e := &jsonrpc.Error{Code: jsonrpc.CodeInvalidRequest, Message: "unknown session"}
			if hasMsg {
				e.ID = msg.ID
			}
			jsonrpc.WriteError(w, http.StatusNotFound, e)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// sessionOption makes mcp-go mint (and validate) signed ids for server.
func (g *Gateway) sessionOption(server string) mcpserver.StreamableHTTPOption {
	return mcpserver.WithSessionIdManagerResolver(session.Resolver{Signer: g.signer, Server: server})
}
