package gateway

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/churnlint/churnlint/gateway/jsonrpc"
	"github.com/churnlint/churnlint/gateway/plugin"
)

// answerUnavailable (view: "" for the main server, else the virtual
// server's name) answers calls into the namespace of an upstream that
// is down and so has nothing registered (mcp-go would say "tool not
// found"): a tool call gets the same error result a registered tool of a
// lost upstream gets, a prompt or resource a JSON-RPC error. Streamable
// HTTP only: on legacy SSE the reply would have to travel on the stream.
func (g *Gateway) answerUnavailable(view string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		msg, ok := jsonrpc.FromContext(r)
		if !ok || !msg.IsRequest() {
			next.ServeHTTP(w, r)
			return
		}
		var params struct {
			Name string `json:"name"`
			URI  string `json:"uri"`
		}
		var kind plugin.Kind
		switch mcp.MCPMethod(msg.Method) {
		case mcp.MethodToolsCall:
			kind = plugin.KindTool
		case mcp.MethodPromptsGet:
			kind = plugin.KindPrompt
		case mcp.MethodResourcesRead:
			kind = plugin.KindResource
		default:
			next.ServeHTTP(w, r)
			return
		}
		if json.Unmarshal(msg.Params, &params) != nil {
			next.ServeHTTP(w, r)
			return
		}
		name := params.Name
		if kind == plugin.KindResource {
			name = params.URI
		}
		up, down := g.fed.Unavailable(r.Context(), view, kind, name)
		if !down {
			next.ServeHTTP(w, r)
			return
		}
		text := fmt.Sprintf("upstream %s is unavailable", up)
		if kind != plugin.KindTool {
			jsonrpc.WriteError(w, http.StatusOK, &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: text, ID: msg.ID})
			return
		}
		body, _ := json.Marshal(struct {
			JSONRPC string              `json:"jsonrpc"`
			ID      json.RawMessage     `json:"id"`
			Result  *mcp.CallToolResult `json:"result"`
		}{"2.0", msg.ID, mcp.NewToolResultError(text)})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
}
