package upstream

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"testing"
)

// countingWriter counts the writes that reach it: each is a write
// syscall, and a TCP segment, on a connection.
type countingWriter struct {
	writes int
	buf    bytes.Buffer
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes++
	return w.buf.Write(p)
}

// TestRawRequestIsOneWrite: a raw call's request goes out in one write,
// headers and body together. net/http flushes the headers on their own
// before any body it does not know to be in memory: that was a second
// write per forwarded call for the gateway, and a second segment for the
// upstream to read.
func TestRawRequestIsOneWrite(t *testing.T) {
	u, err := url.Parse("http://127.0.0.1:9/mcp")
	if err != nil {
		t.Fatal(err)
	}
	s := &Session{rawURL: u}
	body := []byte(`{"jsonrpc":"2.0","id":"gw-1","method":"tools/call","params":{"name":"echo","arguments":{}}}`)
	req, err := s.newRawRequest(context.Background(), body, http.Header{"Content-Type": {"application/json"}})
	if err != nil {
		t.Fatal(err)
	}
	var w countingWriter
	if err := req.Write(&w); err != nil {
		t.Fatal(err)
	}
	if w.writes != 1 {
		t.Errorf("request written in %d writes, want 1", w.writes)
	}
	if !bytes.HasSuffix(w.buf.Bytes(), body) {
		t.Errorf("request does not end with the body:\n%s", w.buf.Bytes())
	}
	// The transport's retry on a connection the upstream closed reads the
	// body again.
	again, err := req.GetBody()
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := io.ReadAll(again); !bytes.Equal(data, body) {
		t.Errorf("GetBody gave %q", data)
	}
}

// TestRawHeaderIsShared: a raw call that forwards no client header gets
// its session's one header, the same map every time while the session id
// stays (nothing below the transport writes to a request's header); one
// that forwards headers, or a new session id, gets its own.
func TestRawHeaderIsShared(t *testing.T) {
	configured, own := rawHeaders(map[string]string{"X-Tenant": "t1"}, "2025-11-25")
	c := &conn{rawStatic: configured, rawFixed: own}
	target := rawTarget{sessionID: "s1", conn: c}
	first, second := target.header(nil), target.header(http.Header{})
	if reflect.ValueOf(first).UnsafePointer() != reflect.ValueOf(second).UnsafePointer() {
		t.Error("two calls forwarding nothing got two headers")
	}
	if first.Get("Mcp-Session-Id") != "s1" || first.Get("X-Tenant") != "t1" || first.Get("Mcp-Protocol-Version") != "2025-11-25" {
		t.Errorf("shared header %v", first)
	}
	fwd := target.header(http.Header{"X-Request-Id": {"r-1"}})
	if fwd.Get("X-Request-Id") != "r-1" || fwd.Get("Mcp-Session-Id") != "s1" || first.Get("X-Request-Id") != "" {
		t.Errorf("forwarding: %v (shared: %v)", fwd, first)
	}
	renewed := rawTarget{sessionID: "s2", conn: c}.header(nil)
	if renewed.Get("Mcp-Session-Id") != "s2" || first.Get("Mcp-Session-Id") != "s1" {
		t.Errorf("after a new session id: %v (the old one's: %v)", renewed, first)
	}
}
