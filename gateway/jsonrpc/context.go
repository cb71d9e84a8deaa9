package jsonrpc

import (
	"context"
	"net/http"
)

func contextWithMessage(r *http.Request, m *Message) context.Context {
	return context.WithValue(r.Context(), messageKey{}, m)
}
