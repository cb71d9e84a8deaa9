package gateway

import (
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"

	"github.com/churnlint/churnlint/gateway/jsonrpc"
)

// hostGuard is the DNS-rebinding guard of the MCP routes (mcp-go's own is
// turned off: it knows only loopback names, so it refused a same-host
// reverse proxy's Host). A request's Host must be one of
// http.allowed_hosts ("*" admits any) or, as MCP's security guidance asks
// of a server on a loopback listener, a loopback name. Without
// allowed_hosts, a non-loopback listener admits any Host.
func (g *Gateway) hostGuard(next http.Handler) http.Handler {
	allowed := make([]string, 0, len(g.cfg.HTTP.AllowedHosts))
	for _, h := range g.cfg.HTTP.AllowedHosts {
		allowed = append(allowed, strings.ToLower(h))
	}
	admitAll := slices.Contains(allowed, "*")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if admitAll {
			next.ServeHTTP(w, r)
			return
		}
		host := hostOnly(r.Host)
		if isLoopbackName(host) || slices.Contains(allowed, host) {
			next.ServeHTTP(w, r)
			return
		}
		local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
		if len(allowed) == 0 && (local == nil || !isLoopbackName(hostOnly(local.String()))) {
			next.ServeHTTP(w, r)
			return
		}
		jsonrpc.WriteError(w, http.StatusForbidden, &jsonrpc.Error{Code: jsonrpc.CodeInvalidRequest, Message: "host not allowed (see http.allowed_hosts)"})
	})
}

func hostOnly(hostport string) string {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	return strings.ToLower(strings.Trim(host, "[]"))
}

func isLoopbackName(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
