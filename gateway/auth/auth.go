// Package auth authenticates downstream callers (static bearer tokens or
// JWTs), attaches the caller's Principal to the request context, enforces a
// per-caller rate limit, and answers 401/429 with JSON-RPC error bodies.
package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/jsonrpc"
	"github.com/churnlint/churnlint/gateway/namefilter"
)

// maxTokenLength bounds work on hostile Authorization headers.
const maxTokenLength = 8 << 10

// ErrUnauthenticated is returned for missing or invalid credentials.
var ErrUnauthenticated = errors.New("unauthenticated")

// Principal is an authenticated caller.
type Principal struct {
	// Name identifies the caller: the token name, "jwt:<sub>", or
	// "anonymous" when auth is disabled.
	Name string
	// Tools restricts callable downstream tools; nil means all tools.
	Tools namefilter.Set
	// Resources restricts readable downstream resource URIs and visible
	// URI templates; nil means all.
	Resources namefilter.Set
	// Prompts restricts downstream prompts; nil means all.
	Prompts namefilter.Set
}

// MayCall reports whether the principal may see and call tool.
func (p *Principal) MayCall(tool string) bool {
	return p.Tools == nil || p.Tools.Match(tool)
}

// MayRead reports whether the principal may see and read the resource
// uri; the URI is matched normalised, so no spelling of it slips past.
func (p *Principal) MayRead(uri string) bool {
	return p.Resources == nil || p.Resources.AllowsURI(uri)
}

// MaySeeTemplate reports whether the principal may see a URI template.
func (p *Principal) MaySeeTemplate(raw string) bool {
	return p.Resources == nil || p.Resources.Match(raw)
}

// MayGetPrompt reports whether the principal may see and get prompt.
func (p *Principal) MayGetPrompt(prompt string) bool {
	return p.Prompts == nil || p.Prompts.Match(prompt)
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal attached by the middleware.
func FromContext(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok
}

type staticToken struct {
	hash      [sha256.Size]byte
	principal *Principal
}

// Authenticator verifies credentials. It is safe for concurrent use.
type Authenticator struct {
	disabled   bool
	tokens     []staticToken
	jwtKey     any
	jwtParser  *jwt.Parser
	toolsClaim string
	// resourcesClaim and promptsClaim name the other allowlist claims.
	resourcesClaim, promptsClaim string
	limiter                      RateLimiter
	// failures is keyed by client IP and drawn from only by failed
	// authentications.
	failures *Limiter
}

// Option adjusts an Authenticator.
type Option func(*Authenticator)

// WithRateLimiter replaces the in-process per-principal limiter built from
// auth.rate_limit (e.g. by one shared across replicas).
func WithRateLimiter(l RateLimiter) Option { return func(a *Authenticator) { a.limiter = l } }

// New builds an Authenticator from config. For RS256 it reads the public
// key file once here.
func New(cfg config.AuthConfig, opts ...Option) (*Authenticator, error) {
	a := &Authenticator{disabled: cfg.Disabled}
	defer func() {
		for _, o := range opts {
			o(a)
		}
	}()
	for i, t := range cfg.Tokens {
		p := &Principal{Name: t.Name}
		for _, list := range []struct {
			key      string
			patterns []string
			set      *namefilter.Set
		}{
			{"allowed_tools", t.AllowedTools, &p.Tools},
			{"allowed_resources", t.AllowedResources, &p.Resources},
			{"allowed_prompts", t.AllowedPrompts, &p.Prompts},
		} {
			if len(list.patterns) == 0 {
				continue
			}
			set, err := namefilter.CompileSet(list.patterns)
			if err != nil {
				return nil, fmt.Errorf("auth.tokens[%d].%s%w", i, list.key, err)
			}
			*list.set = set
		}
		p.restrictUnlisted()
		a.tokens = append(a.tokens, staticToken{hash: sha256.Sum256([]byte(t.Token)), principal: p})
	}
	if j := cfg.JWT; j != nil {
		switch j.Algorithm {
		case "HS256":
			a.jwtKey = []byte(j.Secret)
		case "RS256":
			pem, err := os.ReadFile(j.PublicKeyFile)
			if err != nil {
				return nil, fmt.Errorf("auth.jwt.public_key_file: %w", err)
			}
			key, err := jwt.ParseRSAPublicKeyFromPEM(pem)
			if err != nil {
				return nil, fmt.Errorf("auth.jwt.public_key_file: %w", err)
			}
			a.jwtKey = key
		default:
			return nil, fmt.Errorf("auth.jwt.algorithm: unsupported %q", j.Algorithm)
		}
		opts := []jwt.ParserOption{
			// Pinning the method defeats alg-confusion ("none", HS256
			// signed with an RSA public key).
			jwt.WithValidMethods([]string{j.Algorithm}),
			jwt.WithExpirationRequired(),
			jwt.WithLeeway(j.Leeway),
		}
		if j.Issuer != "" {
			opts = append(opts, jwt.WithIssuer(j.Issuer))
		}
		if j.Audience != "" {
			opts = append(opts, jwt.WithAudience(j.Audience))
		}
		a.jwtParser = jwt.NewParser(opts...)
		a.toolsClaim = j.ToolsClaim
		a.resourcesClaim, a.promptsClaim = j.ResourcesClaim, j.PromptsClaim
	}
	if rl := cfg.RateLimit; rl.RequestsPerSecond > 0 {
		a.limiter = Local(NewLimiter(rl.RequestsPerSecond, rl.Burst, 0))
	}
	if rl := cfg.UnauthenticatedRateLimit; rl.RequestsPerSecond > 0 && !cfg.Disabled {
		a.failures = NewLimiter(rl.RequestsPerSecond, rl.Burst, 0)
	}
	return a, nil
}

// Authenticate checks the request's bearer credentials.
func (a *Authenticator) Authenticate(r *http.Request) (*Principal, error) {
	if a.disabled {
		return &Principal{Name: "anonymous"}, nil
	}
	token, ok := bearerToken(r.Header.Get("Authorization"))
	if !ok {
		return nil, fmt.Errorf("%w: missing bearer token", ErrUnauthenticated)
	}
	if p := a.matchStatic(token); p != nil {
		return p, nil
	}
	if a.jwtParser != nil && strings.Count(token, ".") == 2 {
		return a.verifyJWT(token)
	}
	return nil, fmt.Errorf("%w: invalid token", ErrUnauthenticated)
}

// matchStatic compares the token's hash with every configured hash in
// constant time, without stopping at the first match, so timing reveals
// neither which token matched nor how much of it.
func (a *Authenticator) matchStatic(token string) *Principal {
	h := sha256.Sum256([]byte(token))
	var found *Principal
	for i := range a.tokens {
		if subtle.ConstantTimeCompare(h[:], a.tokens[i].hash[:]) == 1 {
			found = a.tokens[i].principal
		}
	}
	return found
}

func (a *Authenticator) verifyJWT(token string) (*Principal, error) {
	claims := jwt.MapClaims{}
	_, err := a.jwtParser.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return a.jwtKey, nil })
	if err != nil {
		return nil, fmt.Errorf("%w: jwt: %v", ErrUnauthenticated, err)
	}
	sub, err := claims.GetSubject()
	if err != nil || sub == "" {
		return nil, fmt.Errorf("%w: jwt: missing sub claim", ErrUnauthenticated)
	}
	p := &Principal{Name: "jwt:" + sub}
	for _, c := range []struct {
		claim string
		set   *namefilter.Set
	}{{a.toolsClaim, &p.Tools}, {a.resourcesClaim, &p.Resources}, {a.promptsClaim, &p.Prompts}} {
		set, present, err := globClaim(claims, c.claim)
		if err != nil {
			return nil, err
		}
		if present {
			*c.set = set
		}
	}
	p.restrictUnlisted()
	return p, nil
}

// restrictUnlisted: a caller restricted in one kind (a "math-only"
// token) is restricted in all, so an allowlist left out grants nothing
// rather than everything. A caller with no allowlist at all is unrestricted.
func (p *Principal) restrictUnlisted() {
	if p.Tools == nil && p.Resources == nil && p.Prompts == nil {
		return
	}
	for _, set := range []*namefilter.Set{&p.Tools, &p.Resources, &p.Prompts} {
		if *set == nil {
			*set = namefilter.Set{}
		}
	}
}

// globClaim reads a claim holding a list of globs. A missing claim grants
// everything (present false); an empty list grants nothing.
func globClaim(claims jwt.MapClaims, name string) (namefilter.Set, bool, error) {
	raw, ok := claims[name]
	if !ok || name == "" {
		return nil, false, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, false, fmt.Errorf("%w: jwt: claim %q must be a list of strings", ErrUnauthenticated, name)
	}
	patterns := make([]string, 0, len(list))
	for _, v := range list {
		s, ok := v.(string)
		if !ok {
			return nil, false, fmt.Errorf("%w: jwt: claim %q must be a list of strings", ErrUnauthenticated, name)
		}
		patterns = append(patterns, s)
	}
	set, err := namefilter.CompileSet(patterns)
	if err != nil {
		return nil, false, fmt.Errorf("%w: jwt: claim %q: %v", ErrUnauthenticated, name, err)
	}
	if set == nil {
		set = namefilter.Set{}
	}
	return set, true, nil
}

func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	if token == "" || len(token) > maxTokenLength {
		return "", false
	}
	return token, true
}

// Middleware authenticates every request from its headers alone, before
// any of the body is read, rate-limits per principal, and passes the
// principal on in the request context.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := clientIP(r)
		if a.failures != nil && a.failures.Exhausted(ip) {
			refuse(w, r, http.StatusTooManyRequests, a.failures.Wait(ip), &jsonrpc.Error{Code: jsonrpc.CodeRateLimited, Message: "too many failed authentications"})
			return
		}
		p, err := a.Authenticate(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="mcp-gateway", error="invalid_token"`)
			if a.failures != nil {
				a.failures.Allow(ip)
			}
			refuse(w, r, http.StatusUnauthorized, 0, &jsonrpc.Error{Code: jsonrpc.CodeUnauthorized, Message: "unauthorized"})
			return
		}
		if a.limiter != nil {
			if ok, retry := a.limiter.Allow(r.Context(), p.Name); !ok {
				refuse(w, r, http.StatusTooManyRequests, retry, &jsonrpc.Error{Code: jsonrpc.CodeRateLimited, Message: "rate limit exceeded"})
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
	})
}

// refuse answers a request whose body was never read. It closes the
// connection after the reply: otherwise net/http would first read (up to
// 256 KiB of) the unread body to keep the connection, and a client that
// trickles or never sends it would hold the refusal back indefinitely.
func refuse(w http.ResponseWriter, r *http.Request, status int, retry time.Duration, e *jsonrpc.Error) {
	if r.ContentLength != 0 {
		w.Header().Set("Connection", "close")
	}
	if retry > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(retry.Seconds())+1))
	}
	jsonrpc.WriteError(w, status, e)
}

// clientIP is the TCP peer's address. Forwarded-for headers are not
// trusted: anyone can send them.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
