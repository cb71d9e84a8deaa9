// Package jsonrpc validates downstream JSON-RPC 2.0 messages before they
// reach the MCP server, and writes spec-conformant JSON-RPC errors.
package jsonrpc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/churnlint/churnlint/gateway/internal/jsonscan"
)

// Standard JSON-RPC 2.0 error codes.
const (
	CodeParseError     = -32700
	CodeInvalidRequest = -32600
	CodeMethodNotFound = -32601
	CodeInvalidParams  = -32602
	CodeInternalError  = -32603
	// CodeUnauthorized and CodeRateLimited are implementation-defined server
	// errors (the -32000..-32099 range).
	CodeUnauthorized = -32001
	CodeRateLimited  = -32029
	// CodeOverloaded answers a request admission control refused (HTTP
	// 503 with Retry-After): nothing was done, retrying later is safe.
	CodeOverloaded = -32030
)

// Error is a JSON-RPC error object plus the id it answers.
type Error struct {
	Code    int
	Message string
	// ID is the request id when it could be recovered, else nil (JSON null).
	ID json.RawMessage
}

func (e *Error) Error() string { return fmt.Sprintf("jsonrpc %d: %s", e.Code, e.Message) }

// Message is the parsed envelope of one JSON-RPC message.
type Message struct {
	ID     json.RawMessage // nil for notifications
	Method string          // empty for responses
	Params json.RawMessage
}

// IsRequest reports whether the message expects a response.
func (m *Message) IsRequest() bool { return m.Method != "" && m.ID != nil }

var allowedMembers = map[string]bool{
	"jsonrpc": true, "id": true, "method": true, "params": true, "result": true, "error": true,
}

// Validate parses body strictly as a single JSON-RPC 2.0 message: request,
// notification, or response (clients answer server requests too). Batches
// are rejected: MCP removed them in protocol revision 2025-06-18.
//
// Every request passes here, so it decodes nothing it does not need: one
// json.Valid pass over the body, then a walk over the envelope's members
// (jsonscan) whose values stay slices of body. A key with an escape
// sequence, which only encoding/json unescapes, takes validateDecoded,
// the same checks over a decoded map.
func Validate(body []byte) (*Message, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, &Error{Code: CodeParseError, Message: "empty body"}
	}
	if !json.Valid(trimmed) {
		return nil, &Error{Code: CodeParseError, Message: "parse error: body is not valid JSON"}
	}
	if err := notAnObject(trimmed); err != nil {
		return nil, err
	}
	o, _ := jsonscan.Open(trimmed)
	var env envelope
	for k, v, more := o.Next(); more; k, v, more = o.Next() {
		switch string(k) {
		case "jsonrpc":
			env.jsonrpc = v
		case "id":
			env.id = v
		case "method":
			env.method = v
		case "params":
			env.params = v
		case "result":
			env.result = v
		case "error":
			env.error = v
		default:
			if env.unknown == nil {
				env.unknown = k
			}
		}
	}
	if o.Escaped() {
		return validateDecoded(trimmed)
	}
	return env.check()
}

// notAnObject answers a valid JSON body that is not an object.
func notAnObject(trimmed []byte) error {
	switch trimmed[0] {
	case '{':
		return nil
	case '[':
		return &Error{Code: CodeInvalidRequest, Message: "invalid request: batch requests are not supported"}
	}
	return &Error{Code: CodeInvalidRequest, Message: "invalid request: message must be a JSON object"}
}

// envelope is the members of a message as they appear in its body (nil:
// absent); unknown is the first member JSON-RPC does not define.
type envelope struct {
	jsonrpc, id, method, params, result, error json.RawMessage
	unknown                                    []byte
}

// check applies JSON-RPC's rules to the members, in the order
// validateDecoded applies them.
func (env *envelope) check() (*Message, error) {
	msg := &Message{}
	// Recover the id first so that even invalid requests are answered
	// against the right id, as JSON-RPC asks.
	if env.id != nil {
		if !validID(env.id) {
			return nil, &Error{Code: CodeInvalidRequest, Message: "invalid request: id must be a string or an integer"}
		}
		msg.ID = env.id
	}
	invalid := func(format string, args ...any) (*Message, error) {
		return nil, &Error{Code: CodeInvalidRequest, Message: "invalid request: " + fmt.Sprintf(format, args...), ID: msg.ID}
	}
	if env.unknown != nil {
		return invalid("unknown member %q", env.unknown)
	}
	if !isVersion2(env.jsonrpc) {
		return invalid(`"jsonrpc" must be "2.0"`)
	}
	hasResult, hasError := env.result != nil, env.error != nil
	switch {
	case env.method != nil:
		if hasResult || hasError {
			return invalid("a request cannot carry result or error")
		}
		if s, ok := jsonscan.PlainString(env.method); ok {
			msg.Method = string(s)
		} else if err := json.Unmarshal(env.method, &msg.Method); err != nil {
			return invalid(`"method" must be a non-empty string`)
		}
		if msg.Method == "" {
			return invalid(`"method" must be a non-empty string`)
		}
		if len(msg.Method) > 256 {
			return invalid(`"method" is too long`)
		}
		if p := env.params; p != nil {
			// MCP params are always named (an object); null is tolerated
			// as "no params".
			if t := firstByte(p); t != '{' && !bytes.Equal(bytes.TrimSpace(p), []byte("null")) {
				return invalid(`"params" must be an object`)
			}
			msg.Params = p
		}
	case hasResult || hasError:
		if hasResult == hasError {
			return invalid("a response must carry exactly one of result or error")
		}
		if msg.ID == nil {
			return invalid("a response must carry an id")
		}
		if env.params != nil {
			return invalid("a response cannot carry params")
		}
	default:
		return invalid(`missing "method"`)
	}
	return msg, nil
}

func isVersion2(raw json.RawMessage) bool {
	if string(raw) == `"2.0"` {
		return true
	}
	var version string
	return raw != nil && json.Unmarshal(raw, &version) == nil && version == "2.0"
}

// validateDecoded is Validate over the body decoded into a map, for the
// bodies whose keys only encoding/json can read.
func validateDecoded(trimmed []byte) (*Message, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &members); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return nil, &Error{Code: CodeParseError, Message: "parse error: body is not valid JSON"}
		}
		return nil, &Error{Code: CodeParseError, Message: "parse error: " + err.Error()}
	}
	env := envelope{
		jsonrpc: members["jsonrpc"], id: members["id"], method: members["method"],
		params: members["params"], result: members["result"], error: members["error"],
	}
	for k := range members {
		if !allowedMembers[k] {
			env.unknown = []byte(k)
			break
		}
	}
	return env.check()
}

func validID(raw json.RawMessage) bool {
	switch firstByte(raw) {
	case '"':
		if _, ok := jsonscan.PlainString(raw); ok {
			return true
		}
		var s string
		return json.Unmarshal(raw, &s) == nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return isInt64(bytes.TrimSpace(raw))
	default:
		// null ids are ambiguous (they are how errors say "unknown id");
		// MCP forbids them.
		return false
	}
}

// isInt64 reports whether the valid JSON number raw is an integer that
// fits in an int64 (what json.Number.Int64 accepts).
func isInt64(raw []byte) bool {
	digits := raw
	limit := "9223372036854775807"
	if len(digits) > 0 && digits[0] == '-' {
		digits, limit = digits[1:], "9223372036854775808"
	}
	if len(digits) == 0 || len(digits) > len(limit) {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false // a fraction or an exponent
		}
	}
	return len(digits) < len(limit) || string(digits) <= limit
}

func firstByte(raw json.RawMessage) byte {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return 0
	}
	return t[0]
}

// WriteError writes a JSON-RPC error response with the given HTTP status.
func WriteError(w http.ResponseWriter, status int, e *Error) {
	id := e.ID
	if id == nil {
		id = json.RawMessage("null")
	}
	body, _ := json.Marshal(struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}{JSONRPC: "2.0", ID: id, Error: struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}{e.Code, e.Message}})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

type messageKey struct{}

// FromContext returns the validated message of the current request, if the
// Guard middleware ran.
func FromContext(r *http.Request) (*Message, bool) {
	m, ok := r.Context().Value(messageKey{}).(*Message)
	return m, ok
}

// Guard enforces maxBytes on POST bodies and validates them with Validate,
// answering 413 / 400 with a JSON-RPC error when they fail. The body must
// arrive within readTimeout (0: no limit) or the request is answered 408
// and the connection closed. Valid bodies are buffered and handed on
// unchanged. Other methods pass through (GET opens streams, DELETE ends
// sessions).
func Guard(maxBytes int64, readTimeout time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		if r.ContentLength > maxBytes {
			w.Header().Set("Connection", "close")
			WriteError(w, http.StatusRequestEntityTooLarge, &Error{Code: CodeInvalidRequest, Message: fmt.Sprintf("request body exceeds %d bytes", maxBytes)})
			return
		}
		rc := http.NewResponseController(w)
		bounded := readTimeout > 0 && rc.SetReadDeadline(time.Now().Add(readTimeout)) == nil
		body, err := readBody(w, r, maxBytes)
		if bounded {
			// The deadline was for the body only: left in place, it would
			// end the call (net/http cancels the request context when
			// its background read fails) once it passed.
			_ = rc.SetReadDeadline(time.Time{})
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			w.Header().Set("Connection", "close")
			switch {
			case errors.As(err, &tooBig):
				WriteError(w, http.StatusRequestEntityTooLarge, &Error{Code: CodeInvalidRequest, Message: fmt.Sprintf("request body exceeds %d bytes", maxBytes)})
			case errors.Is(err, os.ErrDeadlineExceeded):
				WriteError(w, http.StatusRequestTimeout, &Error{Code: CodeInvalidRequest, Message: fmt.Sprintf("request body not received within %s", readTimeout)})
			default:
				WriteError(w, http.StatusBadRequest, &Error{Code: CodeParseError, Message: "could not read request body"})
			}
			return
		}
		msg, err := Validate(body)
		if err != nil {
			var rpcErr *Error
			if !errors.As(err, &rpcErr) {
				rpcErr = &Error{Code: CodeInternalError, Message: err.Error()}
			}
			WriteError(w, http.StatusBadRequest, rpcErr)
			return
		}
		r2 := r.WithContext(contextWithMessage(r, msg))
		buffered := &bufferedBody{}
		buffered.Reset(body)
		r2.Body = buffered
		r2.ContentLength = int64(len(body))
		next.ServeHTTP(w, r2)
	})
}

// readBody reads r's body, at most maxBytes of it. A declared length
// (within maxBytes, as Guard checked) is read into a buffer of that size:
// net/http's body reader ends there, so no growing buffer and no limit
// reader is needed.
func readBody(w http.ResponseWriter, r *http.Request, maxBytes int64) ([]byte, error) {
	if n := r.ContentLength; n > 0 && n <= maxBytes {
		body := make([]byte, n)
		if _, err := io.ReadFull(r.Body, body); err != nil {
			return nil, err
		}
		return body, nil
	}
	return io.ReadAll(http.MaxBytesReader(w, r.Body, maxBytes))
}

// bufferedBody hands a read body on (io.NopCloser and a bytes.Reader in
// one allocation).
type bufferedBody struct{ bytes.Reader }

func (*bufferedBody) Close() error { return nil }
