package downstream

import "github.com/mark3labs/mcp-go/mcp"

// scrubResult removes from an upstream's result what belongs to the
// upstream's own protocol session, not to the gateway's with its client:
// the upstream's identity (_meta serverInfo, never to be leaked) and
// resultType. mcp-go stamps the gateway's own values back for a client on
// protocol 2026-07-28 or later and leaves them out for older clients,
// which the gateway's upstream protocol version must not decide.
func scrubResult(r *mcp.Result) {
	r.ResultType = ""
	if r.Meta == nil {
		return
	}
	delete(r.Meta.AdditionalFields, mcp.MetaKeyServerInfo)
	if len(r.Meta.AdditionalFields) == 0 && r.Meta.ProgressToken == nil {
		r.Meta = nil
	}
}
