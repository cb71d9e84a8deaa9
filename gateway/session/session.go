// Package session mints and verifies downstream streamable-HTTP session ids
// that carry their own proof: an HMAC over the principal that opened the
// session, the server (main or virtual) it was opened on, an expiry and a
// nonce. Any replica configured with the same secret verifies an id without
// shared state, and an id is worthless to another principal, on another
// server, after its expiry, or if forged.
package session

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash"
	"net/http"
	"strings"
	"sync"
	"time"

	mcpserver "github.com/mark3labs/mcp-go/server"

	"github.com/churnlint/churnlint/gateway/auth"
)

// prefix marks ids of this format (and version).
const prefix = "gw1."

// ErrUnknown is returned for every id that does not verify: malformed,
// forged, foreign, expired or terminated. Callers answer all of them the
// same way (404), so a prober learns nothing.
var ErrUnknown = errors.New("unknown session")

// Signer mints and verifies session ids. It is safe for concurrent use.
type Signer struct {
	key      []byte
	lifetime time.Duration
	now      func() time.Time

	macs sync.Pool // of *macState, HMAC-SHA256 keyed with key

	mu         sync.RWMutex         // every request's Verify reads terminated
	terminated map[string]time.Time // id -> its expiry, when it can be forgotten
}

// NewSigner returns a signer keyed by secret. An empty secret selects a
// random key: ids then verify only in this process (a single replica).
func NewSigner(secret []byte, lifetime time.Duration) *Signer {
	key := secret
	if len(key) == 0 {
		key = make([]byte, 32)
		_, _ = rand.Read(key)
	}
	return &Signer{key: key, lifetime: lifetime, now: time.Now, terminated: map[string]time.Time{}}
}

// Mint returns a new id bound to principal and server.
func (s *Signer) Mint(principal, server string) string {
	var body [8 + 16]byte
	binary.BigEndian.PutUint64(body[:8], uint64(s.now().Add(s.lifetime).Unix()))
	_, _ = rand.Read(body[8:])
	mac := s.mac(body[:], principal, server)
	return prefix + base64.RawURLEncoding.EncodeToString(body[:]) + "." + base64.RawURLEncoding.EncodeToString(mac)
}

// Verify checks that id was minted by a signer with this key for
// principal on server, has not expired and was not terminated here.
func (s *Signer) Verify(id, principal, server string) error {
	rest, ok := strings.CutPrefix(id, prefix)
	if !ok {
		return ErrUnknown
	}
	b64body, b64mac, ok := strings.Cut(rest, ".")
	if !ok {
		return ErrUnknown
	}
	st := s.macState()
	defer s.macs.Put(st)
	// Decoded into arrays of the only valid sizes: a longer field fails
	// DecodedLen, a shorter one the decoded length.
	var body [24]byte
	var mac [sha256.Size]byte
	if base64.RawURLEncoding.DecodedLen(len(b64body)) != len(body) || base64.RawURLEncoding.DecodedLen(len(b64mac)) != len(mac) {
		return ErrUnknown
	}
	st.buf = append(st.buf[:0], b64body...)
	if n, err := base64.RawURLEncoding.Decode(body[:], st.buf); err != nil || n != len(body) {
		return ErrUnknown
	}
	st.buf = append(st.buf[:0], b64mac...)
	if n, err := base64.RawURLEncoding.Decode(mac[:], st.buf); err != nil || n != len(mac) {
		return ErrUnknown
	}
	if !hmac.Equal(mac[:], st.sum(body[:], principal, server)) {
		return ErrUnknown
	}
	if exp := time.Unix(int64(binary.BigEndian.Uint64(body[:8])), 0); !s.now().Before(exp) {
		return ErrUnknown
	}
	s.mu.RLock()
	_, gone := s.terminated[id]
	s.mu.RUnlock()
	if gone {
		return ErrUnknown
	}
	return nil
}

// Terminate verifies id for principal on server and marks it terminated in
// this process.
func (s *Signer) Terminate(id, principal, server string) error {
	if err := s.Verify(id, principal, server); err != nil {
		return err
	}
	body, _ := base64.RawURLEncoding.DecodeString(strings.SplitN(strings.TrimPrefix(id, prefix), ".", 2)[0])
	exp := time.Unix(int64(binary.BigEndian.Uint64(body[:8])), 0)
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for old, until := range s.terminated {
		if !now.Before(until) {
			delete(s.terminated, old) // expired anyway
		}
	}
	s.terminated[id] = exp
	return nil
}

func (s *Signer) mac(body []byte, principal, server string) []byte {
	st := s.macState()
	defer s.macs.Put(st)
	return append([]byte(nil), st.sum(body, principal, server)...)
}

// macState is what computing one HMAC takes: every request verifies one,
// so they are pooled.
type macState struct {
	h   hash.Hash
	buf []byte
	out [sha256.Size]byte
}

func (s *Signer) macState() *macState {
	if st, ok := s.macs.Get().(*macState); ok {
		return st
	}
	return &macState{h: hmac.New(sha256.New, s.key)}
}

// sum returns the HMAC of body bound to principal and server, in st's
// memory (valid until st is used again).
func (st *macState) sum(body []byte, principal, server string) []byte {
	// Length-prefixed fields: no two (principal, server) pairs collide.
	b := st.buf[:0]
	b = binary.BigEndian.AppendUint32(b, uint32(len(principal)))
	b = append(b, principal...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(server)))
	b = append(b, server...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(body)))
	b = append(b, body...)
	st.buf = b
	st.h.Reset()
	st.h.Write(b)
	return st.h.Sum(st.out[:0])
}

// Resolver plugs the signer into mcp-go's streamable-HTTP server for one
// server name: ids are minted for, and verified against, the request's
// principal.
type Resolver struct {
	Signer *Signer
	Server string
}

// ResolveSessionIdManager implements mcpserver.SessionIdManagerResolver.
// r is nil for mcp-go's idle sweeper, which only terminates.
func (res Resolver) ResolveSessionIdManager(r *http.Request) mcpserver.SessionIdManager {
	m := &manager{signer: res.Signer, server: res.Server}
	if r != nil {
		if p, ok := auth.FromContext(r.Context()); ok {
			m.principal, m.known = p.Name, true
		}
	}
	return m
}

type manager struct {
	signer    *Signer
	server    string
	principal string
	known     bool
}

func (m *manager) Generate() string { return m.signer.Mint(m.principal, m.server) }

func (m *manager) Validate(id string) (bool, error) {
	if !m.known {
		return false, ErrUnknown
	}
	return false, m.signer.Verify(id, m.principal, m.server)
}

func (m *manager) Terminate(id string) (bool, error) {
	if !m.known {
		// The idle sweeper: the id expires on its own.
		return false, nil
	}
	return false, m.signer.Terminate(id, m.principal, m.server)
}
