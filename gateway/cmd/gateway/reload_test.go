package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/churnlint/churnlint/gateway/internal/upstreamtest"
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

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func readyz(url string) string {
	resp, err := http.Get(url)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return string(data)
}

// TestSIGHUPReloads: the command reloads its config file on SIGHUP (an
// upstream is added), and still shuts down cleanly on SIGTERM.
func TestSIGHUPReloads(t *testing.T) {
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable).Start()
	beta := upstreamtest.New(t, "beta", upstreamtest.Streamable).Start()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	write := func(urls ...string) string {
		var b strings.Builder
		fmt.Fprintf(&b, "listen: %s\nshutdown_timeout: 10s\nauth: {disabled: true}\nupstreams:\n", addr)
		for i, u := range urls {
			fmt.Fprintf(&b, "  - {name: %s, url: %q}\n", []string{"alpha", "beta"}[i], u)
		}
		return b.String()
	}
	path := filepath.Join(t.TempDir(), "gateway.yaml")
	if err := os.WriteFile(path, []byte(write(alpha.URL())), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr lockedBuffer
	code := make(chan int, 1)
	go func() { code <- run([]string{"-config", path}, &stdout, &stderr) }()
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s\n%s", what, stderr.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitFor("ready", func() bool { return strings.Contains(readyz("http://"+addr+"/readyz"), `"ready":true`) })

	if err := os.WriteFile(path, []byte(write(alpha.URL(), beta.URL())), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor("beta after SIGHUP", func() bool { return strings.Contains(readyz("http://"+addr+"/readyz"), `"name":"beta","up":true`) })
	if !strings.Contains(stderr.String(), "SIGHUP received") || !strings.Contains(stderr.String(), `"trigger":"signal"`) {
		t.Errorf("no signal reload in the log:\n%s", stderr.String())
	}

	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-code:
		if c != 0 {
			t.Fatalf("exit code %d\n%s", c, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
}
