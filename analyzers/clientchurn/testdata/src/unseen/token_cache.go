package unseen

import (
	"context"
	"net/http"
	"sync"

	"google.golang.org/grpc"
)

// tokenCache is go-cache's shape: Get says whether it hit.
type tokenCache struct {
	mu sync.Mutex
	m  map[string]string
}

func (c *tokenCache) Get(k string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

func (c *tokenCache) Set(k string, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[k] = v.(string)
}

var tokens = &tokenCache{m: map[string]string{}}

// relayToken runs per relayed request, but dials the credentials service
// only when the cached token is missing, and caches what it got (one-api's
// Vertex AI getToken): once per token lifetime. Not reported.
func relayToken(ctx context.Context, channel string) (string, error) {
	if t, found := tokens.Get(channel); found {
		return t.(string), nil
	}
	conn, err := grpc.NewClient("iamcredentials.googleapis.com:443")
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if err := conn.Invoke(ctx, "/iam.Credentials/GenerateAccessToken"); err != nil {
		return "", err
	}
	token := "t:" + channel
	tokens.Set(channel, token)
	return token, nil
}

var regions = map[string]string{}

// regionFor fills a plain map the same way. Not reported.
func regionFor(ctx context.Context, name string) string {
	if r, ok := regions[name]; ok {
		return r
	}
	conn, err := grpc.NewClient("metadata:443")
	if err != nil {
		return ""
	}
	defer conn.Close()
	_ = conn.Invoke(ctx, "/meta/Region")
	r := "r:" + name
	regions[name] = r
	return r
}

// staleToken looks the cache up but never fills it: every call misses
// and dials. Reported.
func staleToken(ctx context.Context, channel string) (string, error) {
	if t, found := tokens.Get(channel); found {
		return t.(string), nil
	}
	conn, err := grpc.NewClient("iamcredentials.googleapis.com:443") // want `staleToken creates a new client connection per call and closes it`
	if err != nil {
		return "", err
	}
	defer conn.Close()
	err = conn.Invoke(ctx, "/iam.Credentials/GenerateAccessToken")
	return "t:" + channel, err
}

// tokenRelay calls them per request.
type tokenRelay struct{}

func (tokenRelay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = relayToken(r.Context(), r.URL.Path)
	_ = regionFor(r.Context(), r.Host)
	_, _ = staleToken(r.Context(), r.URL.Path)
}

// ticketToken fills the cache under a key drawn at random each call: every
// lookup misses, and every call dials. Reported.
func ticketToken(ctx context.Context) (string, error) {
	key := randString(32)
	if t, found := tokens.Get(key); found {
		return t.(string), nil
	}
	conn, err := grpc.NewClient("iamcredentials.googleapis.com:443") // want `ticketToken creates a new client connection per call and closes it`
	if err != nil {
		return "", err
	}
	defer conn.Close()
	err = conn.Invoke(ctx, "/iam.Credentials/GenerateAccessToken")
	tokens.Set(key, "t")
	return "t", err
}

type ticketRelay struct{}

func (ticketRelay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = ticketToken(r.Context())
}
