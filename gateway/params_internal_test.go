package gateway

import (
	"encoding/json"
	"testing"
)

// parseCallParams reads what routeCall needs of a call's params, by the
// member walk and, for escaped keys, by decoding: both must agree.
func TestParseCallParams(t *testing.T) {
	for _, tc := range []struct {
		raw   string
		ok    bool
		want  callParams
		wantA string
	}{
		{`{"name":"a__echo","arguments":{"m":"x"}}`, true, callParams{name: "a__echo"}, `{"m":"x"}`},
		{`{"name":"a__echo"}`, true, callParams{name: "a__echo"}, ``},
		{`{"name":"a\u005f_echo","arguments":{}}`, true, callParams{name: "a__echo"}, `{}`},
		{`{"n\u0061me":"a__echo","arguments":{}}`, true, callParams{name: "a__echo"}, `{}`},
		{`{"name":"a__echo","_meta":{"progressToken":1}}`, true, callParams{name: "a__echo", extra: true}, ``},
		{`{"name":"a__echo","\u005fmeta":{}}`, true, callParams{name: "a__echo", extra: true}, ``},
		{`{"uri":"a__demo://x"}`, true, callParams{uri: "a__demo://x", extra: true}, ``},
		{`{"name":7}`, true, callParams{}, ``},
		{`null`, false, callParams{}, ``},
	} {
		got, ok := parseCallParams(json.RawMessage(tc.raw))
		if ok != tc.ok || got.name != tc.want.name || got.uri != tc.want.uri || got.extra != tc.want.extra || string(got.arguments) != tc.wantA {
			t.Errorf("parseCallParams(%s) = %+v (args %s), %v; want %+v (args %s), %v", tc.raw, got, got.arguments, ok, tc.want, tc.wantA, tc.ok)
		}
	}
}
