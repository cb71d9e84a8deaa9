package downstream

import (
	"bytes"
	"encoding/json"
	"testing"
)

// foldsToAMember reports results where encoding/json, which matches keys
// case-insensitively, would read a member the walk does not ("Content"):
// the walk takes the member names as MCP spells them.
func foldsToAMember(res []byte) bool {
	for _, c := range res {
		if c >= 0x80 {
			return true // Unicode case folding
		}
	}
	lower := bytes.ToLower(res)
	for _, name := range []string{"content", "messages", "isError", "resultType", "_meta", "io.modelcontextprotocol/serverInfo"} {
		exact := []byte(`"` + name + `"`)
		if bytes.Count(lower, bytes.ToLower(exact)) != bytes.Count(res, exact) {
			return true
		}
	}
	return false
}

// scrubRaw walks a result and decodes only what it must change; it must
// come to what decoding every result (scrubDecoded) comes to.
func FuzzScrubRawAgreesWithDecoding(f *testing.F) {
	for _, s := range []string{
		`{"content":[{"type":"text","text":"hi"}]}`,
		`{"content":[],"isError":true}`,
		`{"content":[],"isError":null}`,
		`{"content":[],"isError":"yes"}`,
		`{"content":{}}`,
		`{"content":null}`,
		`{"isError":false}`,
		`{"content":[],"resultType":"complete"}`,
		`{"content":[],"resultType":null}`,
		`{"content":[],"_meta":{"io.modelcontextprotocol/serverInfo":{"name":"up"},"k":1}}`,
		`{"content":[],"_meta":{"io.modelcontextprotocol/serverInfo":{"name":"up"}}}`,
		`{"content":[],"_meta":{"io.modelcontextprotocol\/serverInfo":{}}}`,
		`{"content":[],"_meta":{"k":1}}`,
		`{"content":[],"_meta":null}`,
		`{"content":[],"_meta":5}`,
		`{"\u0063ontent":[]}`,
		`{"messages":[{"role":"user"}],"description":"d"}`,
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, res []byte, prompt bool) {
		if !json.Valid(res) || foldsToAMember(res) {
			return // the upstream's answer was checked before
		}
		list := "content"
		if prompt {
			list = "messages"
		}
		got, gotErr, err1 := scrubRaw(res, list)
		want, wantErr, err2 := scrubDecoded(res, list)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("%s: walk %v, decoded %v", res, err1, err2)
		}
		if err1 == nil && (string(got) != string(want) || gotErr != wantErr) {
			t.Fatalf("%s: walk %s %v, decoded %s %v", res, got, gotErr, want, wantErr)
		}
	})
}
