package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/churnlint/churnlint/gateway/config"
)

const hsSecret = "0123456789abcdef0123456789abcdef"

func newAuth(t *testing.T, cfg config.AuthConfig) *Authenticator {
	t.Helper()
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func request(token string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/mcp", nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	return r
}

func TestStaticTokens(t *testing.T) {
	a := newAuth(t, config.AuthConfig{Tokens: []config.Token{
		{Name: "all", Token: "token-all-0123456789"},
		{Name: "few", Token: "token-few-0123456789", AllowedTools: []string{"x__*"}},
	}})
	p, err := a.Authenticate(request("token-few-0123456789"))
	if err != nil || p.Name != "few" || !p.MayCall("x__y") || p.MayCall("z__y") {
		t.Fatalf("few: %+v %v", p, err)
	}
	p, err = a.Authenticate(request("token-all-0123456789"))
	if err != nil || !p.MayCall("anything") {
		t.Fatalf("all: %+v %v", p, err)
	}
	for _, h := range []string{"", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "token-all-0123456789", "Bearer token-all-012345678"} {
		r := httptest.NewRequest(http.MethodPost, "/mcp", nil)
		if h != "" {
			r.Header.Set("Authorization", h)
		}
		if _, err := a.Authenticate(r); err == nil {
			t.Errorf("header %q accepted", h)
		}
	}
	// The scheme is case-insensitive.
	r := httptest.NewRequest(http.MethodPost, "/mcp", nil)
	r.Header.Set("Authorization", "bearer token-all-0123456789")
	if _, err := a.Authenticate(r); err != nil {
		t.Fatal(err)
	}
}

func TestJWTHS256(t *testing.T) {
	a := newAuth(t, config.AuthConfig{JWT: &config.JWT{Algorithm: "HS256", Secret: hsSecret, Issuer: "iss", Audience: "gw", ToolsClaim: "tools"}})
	sign := func(claims jwt.MapClaims, method jwt.SigningMethod, key any) string {
		s, err := jwt.NewWithClaims(method, claims).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	exp := time.Now().Add(time.Hour).Unix()
	good := sign(jwt.MapClaims{"sub": "bob", "iss": "iss", "aud": "gw", "exp": exp, "tools": []string{"a__*"}}, jwt.SigningMethodHS256, []byte(hsSecret))
	p, err := a.Authenticate(request(good))
	if err != nil || p.Name != "jwt:bob" || !p.MayCall("a__b") || p.MayCall("c__d") {
		t.Fatalf("good: %+v %v", p, err)
	}
	empty := sign(jwt.MapClaims{"sub": "bob", "iss": "iss", "aud": "gw", "exp": exp, "tools": []string{}}, jwt.SigningMethodHS256, []byte(hsSecret))
	if p, err := a.Authenticate(request(empty)); err != nil || p.MayCall("a__b") {
		t.Fatalf("empty tools claim must grant nothing: %+v %v", p, err)
	}
	bad := map[string]string{
		"wrong aud":   sign(jwt.MapClaims{"sub": "b", "iss": "iss", "aud": "x", "exp": exp}, jwt.SigningMethodHS256, []byte(hsSecret)),
		"expired":     sign(jwt.MapClaims{"sub": "b", "iss": "iss", "aud": "gw", "exp": time.Now().Add(-time.Minute).Unix()}, jwt.SigningMethodHS256, []byte(hsSecret)),
		"not yet":     sign(jwt.MapClaims{"sub": "b", "iss": "iss", "aud": "gw", "exp": exp, "nbf": exp}, jwt.SigningMethodHS256, []byte(hsSecret)),
		"bad tools":   sign(jwt.MapClaims{"sub": "b", "iss": "iss", "aud": "gw", "exp": exp, "tools": "a__*"}, jwt.SigningMethodHS256, []byte(hsSecret)),
		"hs512":       sign(jwt.MapClaims{"sub": "b", "iss": "iss", "aud": "gw", "exp": exp}, jwt.SigningMethodHS512, []byte(hsSecret)),
		"unsigned":    sign(jwt.MapClaims{"sub": "b", "iss": "iss", "aud": "gw", "exp": exp}, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType),
		"tampered":    good[:len(good)-3] + "abc",
		"three parts": "x.y.z",
	}
	for name, tok := range bad {
		if _, err := a.Authenticate(request(tok)); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func TestJWTRS256(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	path := filepath.Join(t.TempDir(), "pub.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	a := newAuth(t, config.AuthConfig{JWT: &config.JWT{Algorithm: "RS256", PublicKeyFile: path, ToolsClaim: "tools"}})
	tok, _ := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"sub": "svc", "exp": time.Now().Add(time.Hour).Unix()}).SignedString(key)
	if p, err := a.Authenticate(request(tok)); err != nil || p.Name != "jwt:svc" || p.Tools != nil {
		t.Fatalf("rs256: %+v %v", p, err)
	}
	// Algorithm confusion: HS256 signed with the public key bytes.
	pubPEM, _ := os.ReadFile(path)
	forged, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "evil", "exp": time.Now().Add(time.Hour).Unix()}).SignedString(pubPEM)
	if _, err := a.Authenticate(request(forged)); err == nil {
		t.Fatal("HS256 token signed with the RSA public key accepted")
	}
}

func TestMiddleware(t *testing.T) {
	a := newAuth(t, config.AuthConfig{
		Tokens:    []config.Token{{Name: "n", Token: "token-n-0123456789"}},
		RateLimit: config.RateLimitConfig{RequestsPerSecond: 0.0001, Burst: 2},
	})
	h := a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := FromContext(r.Context()); !ok || p.Name != "n" {
			t.Error("principal missing")
		}
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, request(""))
	if rec.Code != 401 || !strings.Contains(rec.Body.String(), `"code":-32001`) || rec.Header().Get("WWW-Authenticate") == "" {
		t.Fatalf("no token: %d %s", rec.Code, rec.Body)
	}
	codes := []int{}
	for range 3 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, request("token-n-0123456789"))
		codes = append(codes, rec.Code)
	}
	if codes[0] != 200 || codes[1] != 200 || codes[2] != 429 {
		t.Fatalf("codes = %v", codes)
	}
}

func TestDisabled(t *testing.T) {
	a := newAuth(t, config.AuthConfig{Disabled: true})
	if p, err := a.Authenticate(request("")); err != nil || p.Name != "anonymous" {
		t.Fatalf("%+v %v", p, err)
	}
}

func TestLimiterBounded(t *testing.T) {
	l := NewLimiter(1000, 1, 10)
	for i := range 100 {
		l.Allow(strings.Repeat("k", i%50+1))
	}
	if l.Len() > 10 {
		t.Fatalf("limiter grew to %d buckets", l.Len())
	}
}

// FuzzAuthMiddleware: arbitrary Authorization headers never panic and
// never get through without a valid credential.
func FuzzAuthMiddleware(f *testing.F) {
	a, err := New(config.AuthConfig{
		Tokens: []config.Token{{Name: "n", Token: "token-n-0123456789"}},
		JWT:    &config.JWT{Algorithm: "HS256", Secret: hsSecret, ToolsClaim: "tools"},
	})
	if err != nil {
		f.Fatal(err)
	}
	good, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "s", "exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte(hsSecret))
	for _, seed := range []string{
		"", "Bearer token-n-0123456789", "Bearer " + good, "Bearer " + good + "x", "bearer   a.b.c",
		"Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "Basic Zm9vOmJhcg==", "Bearer \x00\xff", "Bearer " + strings.Repeat("a.", 5000),
	} {
		f.Add(seed)
	}
	h := a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	f.Fuzz(func(t *testing.T, header string) {
		r := httptest.NewRequest(http.MethodPost, "/mcp", nil)
		r.Header["Authorization"] = []string{header}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		valid := header == "Bearer token-n-0123456789" || strings.EqualFold(strings.TrimSpace(header), "Bearer "+good)
		switch rec.Code {
		case http.StatusOK:
			if _, err := a.Authenticate(r); err != nil {
				t.Fatalf("passed but does not authenticate: %q", header)
			}
		case http.StatusUnauthorized:
			if valid {
				t.Fatalf("valid credential rejected: %q", header)
			}
		default:
			t.Fatalf("status %d for %q", rec.Code, header)
		}
	})
}
