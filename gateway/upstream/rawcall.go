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
	id := `"gw-` + strconv.FormatUint(rawIDs.Add(1), 10) + `"`
	name, _ := json.Marshal(target)
	body := make([]byte, 0, 96+len(name)+len(args))
	body = append(body, `{"jsonrpc":"2.0","id":`...)
	body = append(body, id...)
	body = append(body, `,"method":"`...)
	body = append(body, method...)
	body = append(body, `","params":{"name":`...)
	body = append(body, name...)
	if len(args) > 0 {
		body = append(body, `,"arguments":`...)
		body = append(body, args...)
	}
	body = append(body, "}}"...)

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range t.headers {
		req.Header.Set(k, v)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Session-Id", t.sessionID)
	req.Header.Set(mcp.HeaderProtocolVersion, t.protocol)
	resp, err := s.http.Do(req)
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
	media, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	switch media {
	case "application/json":
		data, err := io.ReadAll(io.LimitReader(resp.Body, maxRawResponse+1))
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
	return nil, transport.NewError(fmt.Errorf("%s: unexpected content type %q", method, resp.Header.Get("Content-Type")))
}

// rawEnvelope is one JSON-RPC message from the upstream.
type rawEnvelope struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// parseRawAnswer checks that data answers id and returns its result.
func parseRawAnswer(data []byte, id string) (json.RawMessage, error) {
	var env rawEnvelope
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, transport.NewError(fmt.Errorf("answer is not JSON-RPC: %w", err))
	}
	return env.answer(id)
}

func (env *rawEnvelope) answer(id string) (json.RawMessage, error) {
	if string(env.ID) != id {
		return nil, transport.NewError(fmt.Errorf("answer for id %s, want %s", env.ID, id))
	}
	if env.Error != nil {
		return nil, &RPCError{Code: env.Error.Code, Message: env.Error.Message}
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
func (s *Session) readRawStream(ctx context.Context, t rawTarget, body io.Reader, id string) (json.RawMessage, error) {
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
		var env rawEnvelope
		err := json.Unmarshal(data, &env)
		data = data[:0]
		switch {
		case err != nil:
			return nil, transport.NewError(fmt.Errorf("event is not JSON-RPC: %w", err))
		case env.Method != "" && len(env.ID) > 0:
			s.refuseServerRequest(ctx, t, env.ID)
		case env.Method != "":
			// a notification
		default:
			return env.answer(id)
		}
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
