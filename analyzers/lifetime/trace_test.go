package lifetime

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"
)

// lockedBuffer collects trace lines from passes run in parallel.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// TestTrace checks that CHURNLINT_TRACE's output gives each site's fate,
// as testdata/realworld/README.md tells a reader of misses to use it.
func TestTrace(t *testing.T) {
	out := new(lockedBuffer)
	traceOut = out
	defer func() { traceOut = nil }()
	analysistest.Run(t, analysistest.TestData(), Analyzer, "facts")
	var sites int
	for _, line := range strings.Split(out.buf.String(), "\n") {
		if strings.HasPrefix(line, "TRACE ") && strings.Contains(line, "testdata/src/facts/") &&
			strings.Contains(line, " chain=") && strings.Contains(line, " kept=") && strings.Contains(line, " returned=") {
			sites++
		}
	}
	if sites == 0 {
		t.Fatalf("no site of the facts fixture traced; output:\n%s", out.buf.String())
	}
}
