package session

import (
	"testing"
	"time"
)

func TestSignerBindsPrincipalServerAndExpiry(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"), time.Hour)
	s.now = func() time.Time { return now }
	id := s.Mint("alice", "/")
	if err := s.Verify(id, "alice", "/"); err != nil {
		t.Fatalf("own id: %v", err)
	}
	other := NewSigner([]byte("another-secret-0123456789abcdef!"), time.Hour)
	same := NewSigner([]byte("0123456789abcdef0123456789abcdef"), time.Hour)
	for what, err := range map[string]error{
		"other principal":  s.Verify(id, "bob", "/"),
		"other server":     s.Verify(id, "alice", "math"),
		"other secret":     other.Verify(id, "alice", "/"),
		"not ours":         s.Verify("mcp-session-1234", "alice", "/"),
		"truncated":        s.Verify(id[:len(id)-1], "alice", "/"),
		"principal suffix": s.Verify(s.Mint("ali", "ce/"), "alice", "/"),
	} {
		if err == nil {
			t.Errorf("%s: verified", what)
		}
	}
	if err := same.Verify(id, "alice", "/"); err != nil {
		t.Errorf("replica with the same secret: %v", err)
	}
	now = now.Add(time.Hour)
	if err := s.Verify(id, "alice", "/"); err == nil {
		t.Error("expired id verified")
	}
}

// Every request verifies its session id: the check is cheap, and still
// refuses ids of the wrong shape.
func TestVerifyCost(t *testing.T) {
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"), time.Hour)
	id := s.Mint("alice", "/")
	if n := testing.AllocsPerRun(100, func() { _ = s.Verify(id, "alice", "/") }); n > 1 && !raceEnabled {
		t.Errorf("Verify: %v allocations, want at most 1 (the pool refilled after a GC)", n)
	}
	for _, bad := range []string{id + "A", id[:len(id)-2], prefix + "." + id[len(prefix):], id + "=="} {
		if s.Verify(bad, "alice", "/") == nil {
			t.Errorf("%q verified", bad)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"), time.Hour)
	id := s.Mint("alice", "/")
	b.ReportAllocs()
	for b.Loop() {
		if s.Verify(id, "alice", "/") != nil {
			b.Fatal("own id refused")
		}
	}
}
