package jsonrpc

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	cases := []struct {
		body string
		code int // 0 = valid
	}{
		{`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, 0},
		{`{"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"name":"x"}}`, 0},
		{`{"jsonrpc":"2.0","method":"notifications/initialized"}`, 0},
		{`{"jsonrpc":"2.0","id":1,"method":"ping","params":null}`, 0},
		{`{"jsonrpc":"2.0","id":1,"result":{}}`, 0},
		{`{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"x"}}`, 0},
		{`  {"jsonrpc":"2.0","id":-5,"method":"ping"}  `, 0},
		{``, CodeParseError},
		{`{`, CodeParseError},
		{`nul`, CodeParseError},
		{`[]`, CodeInvalidRequest},
		{`"str"`, CodeInvalidRequest},
		{`{"id":1,"method":"ping"}`, CodeInvalidRequest},
		{`{"jsonrpc":2,"id":1,"method":"ping"}`, CodeInvalidRequest},
		{`{"jsonrpc":"2.0","id":1.5,"method":"ping"}`, CodeInvalidRequest},
		{`{"jsonrpc":"2.0","id":true,"method":"ping"}`, CodeInvalidRequest},
		{`{"jsonrpc":"2.0","id":1,"method":""}`, CodeInvalidRequest},
		{`{"jsonrpc":"2.0","id":1,"method":5}`, CodeInvalidRequest},
		{`{"jsonrpc":"2.0","id":1,"method":"x","result":1}`, CodeInvalidRequest},
		{`{"jsonrpc":"2.0","id":1,"result":1,"error":{}}`, CodeInvalidRequest},
		{`{"jsonrpc":"2.0","result":1}`, CodeInvalidRequest},
		{`{"jsonrpc":"2.0","id":1,"method":"x","params":"s"}`, CodeInvalidRequest},
		{`{"jsonrpc":"2.0","id":1,"method":"` + strings.Repeat("m", 300) + `"}`, CodeInvalidRequest},
	}
	for _, tc := range cases {
		_, err := Validate([]byte(tc.body))
		code := 0
		var e *Error
		if errors.As(err, &e) {
			code = e.Code
		} else if err != nil {
			t.Fatalf("%s: non-JSON-RPC error %v", tc.body, err)
		}
		if code != tc.code {
			t.Errorf("%s: code %d, want %d (%v)", tc.body, code, tc.code, err)
		}
	}
	// The id of an invalid request is kept for the error reply.
	_, err := Validate([]byte(`{"jsonrpc":"2.0","id":"k","bogus":1,"method":"x"}`))
	var e *Error
	if !errors.As(err, &e) || string(e.ID) != `"k"` {
		t.Fatalf("err = %#v", err)
	}
}

func TestGuard(t *testing.T) {
	var seen []byte
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen, _ = io.ReadAll(r.Body)
		if _, ok := FromContext(r); !ok && r.Method == http.MethodPost {
			t.Error("message not in context")
		}
		w.WriteHeader(http.StatusTeapot)
	})
	h := Guard(64, 0, next)
	do := func(method, body string, chunked bool) *httptest.ResponseRecorder {
		var r io.Reader = strings.NewReader(body)
		if chunked {
			r = io.MultiReader(r) // hides the length
		}
		req := httptest.NewRequest(method, "/mcp", r)
		if chunked {
			req.ContentLength = -1
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	ok := `{"jsonrpc":"2.0","id":1,"method":"ping"}`
	if rec := do("POST", ok, false); rec.Code != http.StatusTeapot || string(seen) != ok {
		t.Fatalf("valid: %d %q", rec.Code, seen)
	}
	big := `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"p":"` + strings.Repeat("x", 100) + `"}}`
	for _, chunked := range []bool{false, true} {
		rec := do("POST", big, chunked)
		if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), `"code":-32600`) {
			t.Fatalf("oversized (chunked=%v): %d %s", chunked, rec.Code, rec.Body)
		}
	}
	rec := do("POST", `{oops`, false)
	var reply struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &reply); err != nil || rec.Code != 400 || reply.Error.Code != CodeParseError || string(reply.ID) != "null" || reply.JSONRPC != "2.0" {
		t.Fatalf("parse error reply: %d %s", rec.Code, rec.Body)
	}
	if rec := do("GET", "", false); rec.Code != http.StatusTeapot {
		t.Fatalf("GET must pass through: %d", rec.Code)
	}
}

// FuzzValidate: the validator never panics, never accepts invalid JSON, and
// everything it accepts is a single JSON object with a proper envelope.
func FuzzValidate(f *testing.F) {
	for _, seed := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a__b","arguments":{"x":[1,2]}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":"x","result":{}}`,
		`[{"jsonrpc":"2.0","id":1,"method":"ping"}]`,
		`{"jsonrpc":"2.0","id":null,"method":"ping"}`,
		`{"jsonrpc":"2.0","id":1e400,"method":"ping"}`,
		`{"jsonrpc":"2.0","id":1,"method":"ping","method":"x"}`,
		"\xff\xfe",
		``,
		`{}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		msg, err := Validate(body)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || (e.Code != CodeParseError && e.Code != CodeInvalidRequest) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if !json.Valid(body) || bytes.TrimSpace(body)[0] != '{' {
			t.Fatalf("accepted non-object %q", body)
		}
		if msg.Method == "" && msg.ID == nil {
			t.Fatalf("accepted message with neither method nor id: %q", body)
		}
	})
}

// The member walk and the decoded map must judge every body alike: same
// error code and message, same id, method and params.
func FuzzValidateAgreesWithDecoding(f *testing.F) {
	for _, s := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`,
		`{"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"name":"x","arguments":{"k":"}"}}}`,
		`{"jsonrpc":"2\u002e0","id":"\u0061","method":"tools\/call"}`,
		`{"jsonrpc":"2.0","id":9223372036854775808,"method":"x"}`,
		`{"jsonrpc":"2.0","id":-9223372036854775808,"method":"x"}`,
		`{"jsonrpc":"2.0","id":1e3,"method":"x"}`,
		`{"jsonrpc":"2.0","id":1,"method":"x","method":"y"}`,
		`{"jsonrpc":"2.0","id":1,"result":null}`,
		`{"jsonrpc":"2.0","id":1,"method":"x","params":null}`,
		`{"jsonrpc":"2.0","id":1,"bogus":1,"method":"x"}`,
		`{"jsonrpc":"2.0","id":1,"method":"` + "\xff" + `"}`,
		` [] `, `"s"`, `{`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fast, errFast := Validate(body)
		trimmed := bytes.TrimSpace(body)
		if len(trimmed) == 0 || !json.Valid(trimmed) || trimmed[0] != '{' {
			return // answered before either walk
		}
		slow, errSlow := validateDecoded(trimmed)
		var ef, es *Error
		errors.As(errFast, &ef)
		errors.As(errSlow, &es)
		switch {
		case (ef == nil) != (es == nil):
			t.Fatalf("%q: walk %v, decoded %v", body, errFast, errSlow)
		case ef != nil:
			unknown := strings.HasPrefix(ef.Message, "invalid request: unknown member")
			if ef.Code != es.Code || string(ef.ID) != string(es.ID) || ef.Message != es.Message && !unknown {
				t.Fatalf("%q: walk %#v, decoded %#v", body, ef, es)
			}
		default:
			if fast.Method != slow.Method || string(fast.ID) != string(bytes.TrimSpace(slow.ID)) ||
				string(fast.Params) != string(bytes.TrimSpace(slow.Params)) {
				t.Fatalf("%q: walk %+v, decoded %+v", body, fast, slow)
			}
		}
	})
}

func TestValidateAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector")
	}
	body := []byte(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"fake__echo","arguments":{"message":"bench"}}}`)
	// The Message and its Method: nothing else.
	if n := testing.AllocsPerRun(100, func() { _, _ = Validate(body) }); n > 2 {
		t.Fatalf("Validate: %v allocations per call, want at most 2", n)
	}
}

// BenchmarkValidate compares the member walk with the decoded map it
// replaced, on a forwarded tools/call.
func BenchmarkValidate(b *testing.B) {
	body := []byte(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"fake__echo","arguments":{"message":"bench"}}}`)
	b.Run("walk", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = Validate(body)
		}
	})
	b.Run("decoded", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = validateDecoded(body)
		}
	})
}
