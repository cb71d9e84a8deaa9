package upstream

import (
	"bytes"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/metrics"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// TestStderrIsBounded: lines are logged one record each, a long line is
// cut at StderrMaxLine, a flood beyond the burst is dropped and counted,
// and EOF reports the exit.
func TestStderrIsBounded(t *testing.T) {
	var logs lockedBuffer
	m := metrics.New()
	exited := make(chan struct{})
	c := &childProcess{
		cfg: config.Upstream{Name: "noisy"}, logger: slog.New(slog.NewJSONHandler(&logs, nil)), metrics: m,
		exited: func() { close(exited) },
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go c.readStderr(r, done)

	long := strings.Repeat("x", 3*StderrMaxLine)
	var input bytes.Buffer
	input.WriteString("first line\n" + long + "\nafter long\n")
	flood := 3 * StderrBurst
	for range flood {
		input.WriteString("flood\n")
	}
	if _, err := w.Write(input.Bytes()); err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	<-exited
	<-done
	_ = r.Close()

	out := logs.b.String()
	for _, want := range []string{`"line":"first line"`, `"line":"after long"`, `"truncated":true`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s", want)
		}
	}
	for _, rec := range strings.Split(out, "\n") {
		if len(rec) > StderrMaxLine+200 {
			t.Fatalf("a log record of %d bytes: long lines are not cut", len(rec))
		}
	}
	logged := testutil.ToFloat64(m.StderrLines.WithLabelValues("noisy"))
	dropped := testutil.ToFloat64(m.StderrDropped.WithLabelValues("noisy"))
	if logged+dropped != float64(flood+3) {
		t.Fatalf("logged %v + dropped %v != %d lines written", logged, dropped, flood+3)
	}
	if dropped == 0 || logged > StderrBurst+StderrLinesPerSecond {
		t.Fatalf("rate limit did not hold: logged %v, dropped %v", logged, dropped)
	}
	if testutil.ToFloat64(m.ProcessExits.WithLabelValues("noisy")) != 1 {
		t.Fatal("exit not counted")
	}
}
