package gateway

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"

	"github.com/churnlint/churnlint/gateway/internal/jsonscan"
	"github.com/churnlint/churnlint/gateway/jsonrpc"
	"github.com/churnlint/churnlint/gateway/plugin"
)

// callParams are the params of tools/call, prompts/get and resources/read,
// one level deep: the names route the call, and any member beyond name
// and arguments (_meta with a progress token, task) sends a tool call down
// mcp-go's path, which knows what to do with it.
type callParams struct {
	name, uri string
	arguments json.RawMessage
	extra     bool // a member other than name and arguments
}

// parseCallParams reads raw (an object; anything else: false) by walking
// its members, or, when a key has an escape sequence, by decoding it.
func parseCallParams(raw json.RawMessage) (callParams, bool) {
	o, ok := jsonscan.Open(raw)
	if !ok {
		return callParams{}, false
	}
	var p callParams
	var name, uri json.RawMessage
	for k, v, more := o.Next(); more; k, v, more = o.Next() {
		switch string(k) {
		case "name":
			name = v
		case "arguments":
			p.arguments = v
		case "uri":
			uri, p.extra = v, true
		default:
			p.extra = true
		}
	}
	if o.Escaped() {
		var members map[string]json.RawMessage
		if json.Unmarshal(raw, &members) != nil {
			return callParams{}, false
		}
		p = callParams{arguments: members["arguments"]}
		name, uri = members["name"], members["uri"]
		for k := range members {
			p.extra = p.extra || k != "name" && k != "arguments"
		}
	}
	p.name, p.uri = jsonString(name), jsonString(uri)
	return p, true
}

// jsonString is the string raw holds ("" if none).
func jsonString(raw json.RawMessage) string {
	if s, ok := jsonscan.PlainString(raw); ok {
		return string(s)
	}
	var s string
	if raw != nil {
		_ = json.Unmarshal(raw, &s)
	}
	return s
}

// routeCall (view: "" for the main server, else the virtual server's
// name) looks at calls before mcp-go does, with the params decoded once:
//
//   - a call into the namespace of an upstream that is down, and so has
//     nothing registered (mcp-go would say "tool not found"), gets the
//     same error result a registered tool of a lost upstream gets, a
//     prompt or resource a JSON-RPC error;
//   - a plain tools/call or prompts/get on a session-oriented downstream
//     session is forwarded by Federation.ForwardToolCall / ForwardPrompt
//     without mcp-go's decoding and re-encoding, when nothing (plugins,
//     _meta, a stateless client) asks for more.
//
// Streamable HTTP only: on legacy SSE the reply would have to travel on
// the stream.
func (g *Gateway) routeCall(view string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		msg, ok := jsonrpc.FromContext(r)
		if !ok || !msg.IsRequest() {
			next.ServeHTTP(w, r)
			return
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
		params, ok := parseCallParams(msg.Params)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		name := params.name
		if kind == plugin.KindResource {
			name = params.uri
		}
		if up, down := g.fed.Unavailable(r.Context(), view, kind, name); down {
			text := fmt.Sprintf("upstream %s is unavailable", up)
			if kind != plugin.KindTool {
				jsonrpc.WriteError(w, http.StatusOK, &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: text, ID: msg.ID})
				return
			}
			data, _ := json.Marshal(mcp.NewToolResultError(text))
			writeResult(w, msg.ID, data)
			return
		}
		if up, ok := g.fed.UpstreamFor(name); ok {
			ad := g.admission.upstream(up, g.live.Load())
			if !ad.acquire(r.Context(), g.admission.queueUntil(r)) {
				g.admission.refuse(w, r, "upstream "+up)
				return
			}
			defer ad.release()
		}
		if (kind == plugin.KindTool || kind == plugin.KindPrompt) && g.mayForward(view, r, params) {
			forward := g.fed.ForwardToolCall
			if kind == plugin.KindPrompt {
				forward = g.fed.ForwardPrompt
			}
			if out, ok := forward(r.Context(), view, name, params.arguments, r.Header); ok {
				if out.Err != nil {
					// As mcp-go answers a handler's error.
					jsonrpc.WriteError(w, http.StatusOK, &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: out.Err.Error(), ID: msg.ID})
					return
				}
				writeResult(w, msg.ID, out.Result)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// mayForward reports whether r may skip mcp-go's server: a session the
// signer verified (bindSession ran), on a session-oriented revision mcp-go
// accepts, a JSON body, params with nothing but name and arguments, and a
// session that mcp-go's server has seen recently (its idle sweeper counts
// only the requests it sees; sessionTouches sends one in a while).
func (g *Gateway) mayForward(view string, r *http.Request, params callParams) bool {
	id := r.Header.Get(mcpserver.HeaderKeySessionID)
	version := r.Header.Get(mcp.HeaderProtocolVersion)
	if id == "" || version == "" || mcp.IsModernProtocol(version) || !mcp.IsValidProtocolVersion(version) {
		return false
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		if media, _, err := mime.ParseMediaType(ct); err != nil || media != "application/json" {
			return false
		}
	}
	if params.extra || params.arguments != nil && params.arguments[0] != '{' {
		return false
	}
	return g.touches.fresh(touchKey{view: view, session: id})
}

// writeResult writes a JSON-RPC result as mcp-go's streamable-HTTP server
// writes one on a session-oriented session.
func writeResult(w http.ResponseWriter, id json.RawMessage, result json.RawMessage) {
	body := make([]byte, 0, 40+len(id)+len(result))
	body = append(body, `{"jsonrpc":"2.0","id":`...)
	body = append(body, id...)
	body = append(body, `,"result":`...)
	body = append(body, result...)
	body = append(body, "}\n"...)
	w.Header()["Content-Type"] = jsonContentType
	_, _ = w.Write(body)
}

// jsonContentType is the Content-Type of every forwarded answer, one slice
// for all (Header.Set would make one per answer; an Add to it copies,
// its capacity being its length).
var jsonContentType = []string{"application/json"}

// sessionTouches remembers which downstream sessions mcp-go's server saw
// recently. A session not seen for a while takes mcp-go's path once, which
// refreshes mcp-go's idle timer; so forwarding never lets mcp-go's sweeper
// drop the state (a GET stream's registration) of a busy session. Two
// generations, swapped every period, bound the memory to the sessions of
// the last two periods.
type sessionTouches struct {
	period time.Duration

	// Every forwarded call asks: a hit, the common case, takes the lock
	// shared.
	mu        sync.RWMutex
	since     time.Time
	cur, prev map[touchKey]struct{}
}

// touchKey is a downstream session of a server (view).
type touchKey struct{ view, session string }

func newSessionTouches(idleTTL time.Duration) *sessionTouches {
	return &sessionTouches{period: max(idleTTL/4, time.Second), since: time.Now(), cur: map[touchKey]struct{}{}, prev: map[touchKey]struct{}{}}
}

// fresh reports whether key was seen in this period or the last one; if
// not, it records it as seen, since the request goes to mcp-go.
func (t *sessionTouches) fresh(key touchKey) bool {
	now := time.Now()
	t.mu.RLock()
	_, inCur := t.cur[key]
	_, inPrev := t.prev[key]
	current := now.Sub(t.since) < t.period
	t.mu.RUnlock()
	if current && (inCur || inPrev) {
		return true
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if now.Sub(t.since) >= t.period {
		t.prev, t.cur, t.since = t.cur, make(map[touchKey]struct{}, len(t.cur)), now
	}
	if _, ok := t.cur[key]; ok {
		return true
	}
	if _, ok := t.prev[key]; ok {
		return true
	}
	t.cur[key] = struct{}{}
	return false
}
