package upstream

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/internal/jsonscan"
	"github.com/churnlint/churnlint/gateway/pool"
)

// ErrNoRawPath means the session cannot forward a call as raw JSON (not
// a session-oriented streamable-HTTP session, or not connected); nothing
// was sent, so the caller takes the mcp-go client's path instead.
var ErrNoRawPath = errors.New("upstream session cannot forward raw calls")

// RPCError is a JSON-RPC error the upstream answered a call with.
type RPCError struct {
	Code    int
	Message string
}

func (e *RPCError) Error() string { return e.Message }

// maxRawResponse bounds one upstream answer read by the raw path.
const maxRawResponse = 32 << 20

// rawIDs numbers raw calls. Their ids are strings ("gw-N"), so they never
// collide with the mcp-go client's integer ids on the same upstream session.
var rawIDs atomic.Uint64

// rawTarget is what a raw call needs of the live session.
type rawTarget struct {
	sessionID, protocol string
	headers             map[string]string
	conn                *conn
}

func (s *Session) rawTarget() (rawTarget, bool) {
	if s.cfg.Transport != config.TransportStreamableHTTP {
		return rawTarget{}, false
	}
	s.mu.RLock()
	c := s.conn
	s.mu.RUnlock()
	if c == nil || c.staticHeaders == nil || mcp.IsModernProtocol(c.protocol) {
		return rawTarget{}, false
	}
	sh, ok := c.client.GetTransport().(*transport.StreamableHTTP)
	if !ok || sh.GetSessionId() == "" {
		return rawTarget{}, false
	}
	return rawTarget{sessionID: sh.GetSessionId(), protocol: c.protocol, headers: c.staticHeaders, conn: c}, true
}

// rawHeaders are the headers every raw call of a session carries: the
// configured ones, and the raw path's own, which a forwarded header
// cannot replace.
func rawHeaders(static map[string]string, protocol string) (configured, own http.Header) {
	configured = make(http.Header, len(static))
	for k, v := range static {
		configured.Set(k, v)
	}
	own = http.Header{}
	own.Set("Content-Type", "application/json")
	own.Set("Accept", "application/json, text/event-stream")
	own.Set(mcp.HeaderProtocolVersion, protocol)
	return configured, own
}

// sharedHeader is a raw call's header for one upstream session id.
type sharedHeader struct {
	sessionID string
	h         http.Header
	// head is the request line and h as pool.Direct writes them, built
	// on first use (nil: not yet, or h does not make a valid head).
	head atomic.Pointer[[]byte]
}

// header returns the header of one raw call: the configured headers, the
// forwarded ones, the raw path's own and the session id, later ones
// winning. Value slices are shared, not copied; with nothing forwarded
// the whole header is the session's shared one (the transport only reads
// a request's header: TestRawHeaderIsShared).
func (t rawTarget) header(forwarded http.Header) http.Header {
	h, _ := t.headerShared(forwarded)
	return h
}

// headerShared is header, with the session's sharedHeader when the
// header is that one (nil otherwise).
func (t rawTarget) headerShared(forwarded http.Header) (http.Header, *sharedHeader) {
	c := t.conn
	if len(forwarded) == 0 {
		if sh := c.rawShared.Load(); sh != nil && sh.sessionID == t.sessionID {
			return sh.h, sh
		}
		sh := &sharedHeader{sessionID: t.sessionID, h: t.build(nil)}
		c.rawShared.Store(sh)
		return sh.h, sh
	}
	return t.build(forwarded), nil
}

func (t rawTarget) build(forwarded http.Header) http.Header {
	c := t.conn
	sid := c.rawSessionID.Load()
	if sid == nil || (*sid)[0] != t.sessionID {
		sid = &[]string{t.sessionID}
		c.rawSessionID.Store(sid)
	}
	h := make(http.Header, len(c.rawStatic)+len(forwarded)+len(c.rawFixed)+1)
	for k, vs := range c.rawStatic {
		h[k] = vs
	}
	for k, vs := range forwarded {
		h[k] = vs
	}
	for k, vs := range c.rawFixed {
		h[k] = vs
	}
	h["Mcp-Session-Id"] = *sid
	return h
}

// CanRawCall reports whether RawCallTool would send the call (it can still
// fail after sending).
func (s *Session) CanRawCall() bool {
	_, ok := s.rawTarget()
	return ok
}

// RawCallTool forwards tools/call for tool with the already-validated JSON
// arguments and returns the upstream's result object as it came, without
// decoding it into mcp-go types and encoding it again: the gateway's hot
// path. It speaks exactly what the mcp-go client would on this session
// (same HTTP client and pool, session id, protocol version, headers, the
// upstream's call timeout) and accepts a JSON or an event-stream answer.
// ErrNoRawPath: nothing was sent.
func (s *Session) RawCallTool(ctx context.Context, tool string, args json.RawMessage, header http.Header) (json.RawMessage, error) {
	if !s.filt.Load().f.tools.Admits(tool) {
		return nil, fmt.Errorf("tool %q: %w", tool, ErrFiltered)
	}
	t, ok := s.rawTarget()
	if !ok {
		return nil, ErrNoRawPath
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeouts.Call)
	defer cancel()
	res, err := s.rawExchange(ctx, t, "tools/call", tool, args, header)
	return res, s.classify(ctx, err)
}

// RawGetPrompt is RawCallTool for prompts/get: args is the arguments
// object (string values, checked by the caller).
func (s *Session) RawGetPrompt(ctx context.Context, prompt string, args json.RawMessage, header http.Header) (json.RawMessage, error) {
	if !s.filt.Load().f.prompts.Admits(prompt) {
		return nil, fmt.Errorf("prompt %q: %w", prompt, ErrFiltered)
	}
	t, ok := s.rawTarget()
	if !ok {
		return nil, ErrNoRawPath
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeouts.Call)
	defer cancel()
	res, err := s.rawExchange(ctx, t, "prompts/get", prompt, args, header)
	return res, s.classify(ctx, err)
}

func (s *Session) rawExchange(ctx context.Context, t rawTarget, method, target string, args json.RawMessage, header http.Header) (json.RawMessage, error) {
	body := make([]byte, 0, 96+len(target)+len(args))
	body = append(body, `{"jsonrpc":"2.0","id":`...)
	idStart := len(body)
	body = append(body, `"gw-`...)
	body = strconv.AppendUint(body, rawIDs.Add(1), 10)
	body = append(body, '"')
	id := body[idStart:]
	body = append(body, `,"method":"`...)
	body = append(body, method...)
	body = append(body, `","params":{"name":`...)
	body = appendJSONString(body, target)
	if len(args) > 0 {
		body = append(body, `,"arguments":`...)
		body = append(body, args...)
	}
	body = append(body, "}}"...)
	id = id[:len(id):len(id)] // body's later appends must not reach it

	h, shared := t.headerShared(header)
	resp, err := s.postDirect(ctx, h, shared, body)
	if errors.Is(err, pool.ErrDirectBusy) || errors.Is(err, errNoDirect) {
		var req *http.Request
		if req, err = s.newRawRequest(ctx, body, h); err != nil {
			return nil, err
		}
		resp, err = s.http.Do(req)
	}
	if err != nil {
		return nil, transport.NewError(err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, fmt.Errorf("%s: %w", method, transport.ErrSessionTerminated)
	case resp.StatusCode != http.StatusOK:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, transport.NewError(fmt.Errorf("%s: upstream answered HTTP %d", method, resp.StatusCode))
	}
	ct := resp.Header.Get("Content-Type")
	media := ct
	if ct != "application/json" && ct != "text/event-stream" {
		media, _, _ = mime.ParseMediaType(ct)
	}
	switch media {
	case "application/json":
		data, err := readRawAnswer(resp)
		if err != nil {
			return nil, transport.NewError(err)
		}
		if len(data) > maxRawResponse {
			return nil, transport.NewError(fmt.Errorf("%s: answer larger than %d bytes", method, maxRawResponse))
		}
		return parseRawAnswer(data, id)
	case "text/event-stream":
		return s.readRawStream(ctx, t, resp.Body, id)
	}
	return nil, transport.NewError(fmt.Errorf("%s: unexpected content type %q", method, ct))
}

// errNoDirect: the session has no pool.Direct for its URL, or its header
// makes no valid request head; nothing was sent.
var errNoDirect = errors.New("no direct connection for this call")

// postDirect sends a raw call on the session's pool.Direct: the request
// written and the answer read on this goroutine. The head of a call with
// the session's shared header is built once.
func (s *Session) postDirect(ctx context.Context, h http.Header, shared *sharedHeader, body []byte) (*http.Response, error) {
	if s.direct == nil {
		return nil, errNoDirect
	}
	var head []byte
	if shared != nil {
		if p := shared.head.Load(); p != nil {
			head = *p
		}
	}
	if head == nil {
		built, err := pool.AppendRequestHead(nil, s.rawURL, h)
		if err != nil {
			// net/http refuses it the same way, with a clearer error.
			return nil, errNoDirect
		}
		head = built
		if shared != nil {
			shared.head.Store(&built)
		}
	}
	return s.direct.Post(ctx, head, body)
}

// newRawRequest is http.NewRequestWithContext for the session's URL,
// parsed once: a copy of the session's template request.
func (s *Session) newRawRequest(ctx context.Context, body []byte, h http.Header) (*http.Request, error) {
	if s.rawURL == nil {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.URL, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header = h
		return req, nil
	}
	u := *s.rawURL
	req := (&http.Request{
		Method: http.MethodPost, URL: &u, Host: u.Host,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, ContentLength: int64(len(body)),
	}).WithContext(ctx)
	// io.NopCloser over a *bytes.Reader is a body net/http knows to be
	// in memory: it writes the headers and the body in one write (one
	// TCP segment, one read for the upstream). Any other type makes it
	// flush the headers first, a second write per call.
	req.Body = io.NopCloser(bytes.NewReader(body))
	// What lets the transport resend a request it could not write to a
	// pooled connection the upstream had closed.
	req.GetBody = func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(body)), nil
	}
	return req, nil
}

// readRawAnswer reads a JSON answer, at most maxRawResponse+1 bytes of
// it: a declared length into a buffer of that size.
func readRawAnswer(resp *http.Response) ([]byte, error) {
	if n := resp.ContentLength; n > 0 && n <= maxRawResponse {
		data := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, data); err != nil {
			return nil, err
		}
		return data, nil
	}
	return io.ReadAll(io.LimitReader(resp.Body, maxRawResponse+1))
}

// appendJSONString appends s as a JSON string: as it is when it needs no
// escaping (tool and prompt names do not), else as encoding/json writes
// it.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(dst, q...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// rawEnvelope is one JSON-RPC message from the upstream: its members as
// slices of the answer (nil: absent).
type rawEnvelope struct {
	ID, Method, Result, Error json.RawMessage
}

// parseEnvelope checks that data is JSON and reads the envelope's
// members by walking them (an answer with an escaped key is decoded).
func parseEnvelope(data []byte) (rawEnvelope, error) {
	var env rawEnvelope
	if !json.Valid(data) {
		return env, errors.New("invalid JSON")
	}
	o, ok := jsonscan.Open(data)
	if !ok {
		return env, errors.New("not an object")
	}
	for k, v, more := o.Next(); more; k, v, more = o.Next() {
		switch string(k) {
		case "id":
			env.ID = v
		case "method":
			env.Method = v
		case "result":
			env.Result = v
		case "error":
			env.Error = v
		}
	}
	if o.Escaped() {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(data, &m); err != nil {
			return env, err
		}
		env = rawEnvelope{ID: m["id"], Method: m["method"], Result: m["result"], Error: m["error"]}
	}
	if env.Method != nil {
		if _, plain := jsonscan.PlainString(env.Method); !plain {
			var method string
			if err := json.Unmarshal(env.Method, &method); err != nil {
				return env, fmt.Errorf("method: %w", err)
			}
		}
	}
	return env, nil
}

// isRequestOrNotification reports whether env is a message from the
// upstream rather than an answer.
func (env *rawEnvelope) isRequestOrNotification() bool {
	return env.Method != nil && string(env.Method) != `""` && string(env.Method) != "null"
}

// parseRawAnswer checks that data answers id and returns its result.
func parseRawAnswer(data, id []byte) (json.RawMessage, error) {
	env, err := parseEnvelope(data)
	if err != nil {
		return nil, transport.NewError(fmt.Errorf("answer is not JSON-RPC: %w", err))
	}
	return env.answer(id)
}

func (env *rawEnvelope) answer(id []byte) (json.RawMessage, error) {
	if !bytes.Equal(env.ID, id) {
		return nil, transport.NewError(fmt.Errorf("answer for id %s, want %s", env.ID, id))
	}
	if e := env.Error; e != nil && string(e) != "null" {
		var rpc struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(e, &rpc); err != nil {
			return nil, transport.NewError(fmt.Errorf("answer is not JSON-RPC: %w", err))
		}
		return nil, &RPCError{Code: rpc.Code, Message: rpc.Message}
	}
	if len(env.Result) == 0 || env.Result[0] != '{' {
		return nil, transport.NewError(errors.New("answer has no result object"))
	}
	return env.Result, nil
}

// readRawStream reads an event-stream answer up to the response for id.
// Notifications on it (progress, logging) are dropped, as the mcp-go
// client's path drops them; a request from the upstream (sampling,
// elicitation, roots) is answered "method not found", as the gateway's
// mcp-go client answers it, so the call is not left waiting.
func (s *Session) readRawStream(ctx context.Context, t rawTarget, body io.Reader, id []byte) (json.RawMessage, error) {
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 0, 64<<10), maxRawResponse)
	var data []byte
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) > 0 {
			if rest, ok := bytes.CutPrefix(line, []byte("data:")); ok {
				if len(data) > 0 {
					data = append(data, '\n')
				}
				data = append(data, bytes.TrimPrefix(rest, []byte(" "))...)
			}
			continue
		}
		if len(data) == 0 {
			continue
		}
		env, err := parseEnvelope(data)
		switch {
		case err != nil:
			return nil, transport.NewError(fmt.Errorf("event is not JSON-RPC: %w", err))
		case env.isRequestOrNotification() && len(env.ID) > 0:
			s.refuseServerRequest(ctx, t, env.ID)
		case env.isRequestOrNotification():
			// a notification
		default:
			res, err := env.answer(id)
			// The result is a slice of data, which the scanner's buffer
			// would overwrite.
			return bytes.Clone(res), err
		}
		data = data[:0]
	}
	if err := sc.Err(); err != nil {
		return nil, transport.NewError(err)
	}
	return nil, transport.NewError(errors.New("event stream ended without an answer"))
}

func (s *Session) refuseServerRequest(ctx context.Context, t rawTarget, id json.RawMessage) {
	body := `{"jsonrpc":"2.0","id":` + string(id) + `,"error":{"code":-32601,"message":"method not found"}}`
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.URL, strings.NewReader(body))
	if err != nil {
		return
	}
	for k, v := range t.headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Session-Id", t.sessionID)
	req.Header.Set(mcp.HeaderProtocolVersion, t.protocol)
	if resp, err := s.http.Do(req); err == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
	}
}
