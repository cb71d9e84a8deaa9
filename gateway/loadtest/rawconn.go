package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// rawJob is one raw call handed to a connection worker.
type rawJob struct {
	i   int
	due time.Time
}

// rawPool sends the raw calls (Config.RawCalls) over its own HTTP/1.1
// connections, one worker goroutine each, taking calls from one queue in
// the order they fell due: one prepared request written per call and its
// answer read on the worker's goroutine, where net/http's client hands
// each request to a connection's write loop and its answer back from the
// read loop (three goroutines per call) and allocates a request and a
// response. It is the generator of the overload check, which must offer
// 4x what the gateway can do from a CPU of its own. Calls stay open loop:
// each is due when the schedule says, waits in the queue while every
// connection is busy, and its latency counts from when it was due.
type rawPool struct {
	g       *generator
	addr    string
	sources []net.Addr // local addresses the workers dial from, round robin (nil: the kernel's choice)
	jobs    chan rawJob
	heads   [][]byte // per session: the request line and headers up to Content-Length
	wg      sync.WaitGroup
}

// rawSourceAddrs are the local addresses raw calls to target dial from:
// rawSources loopback addresses for a target on 127.0.0.1 (Linux routes
// all of 127.0.0.0/8 to the loopback interface), else the kernel's
// choice alone (nil).
func rawSourceAddrs(target string) []net.Addr {
	u, err := url.Parse(target)
	if err != nil || u.Hostname() != "127.0.0.1" || runtime.GOOS != "linux" {
		return []net.Addr{nil}
	}
	out := make([]net.Addr, rawSources)
	for i := range out {
		out[i] = &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(1+i))}
	}
	return out
}

// newRawPool starts perSource workers for each of the target's source
// addresses (rawSourceAddrs), one connection each.
func newRawPool(ctx context.Context, g *generator, perSource int) (*rawPool, error) {
	u, err := url.Parse(g.target.URL)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("raw calls speak plain HTTP/1.1, not %s", u.Scheme)
	}
	p := &rawPool{g: g, addr: u.Host, jobs: make(chan rawJob, g.cfg.MaxInFlight), sources: rawSourceAddrs(g.target.URL)}
	path := u.RequestURI()
	for _, c := range g.sessions {
		var h bytes.Buffer
		fmt.Fprintf(&h, "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: churnlint-loadtest\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n", path, u.Host)
		if g.target.Token != "" {
			fmt.Fprintf(&h, "Authorization: Bearer %s\r\n", g.target.Token)
		}
		if st, ok := c.GetTransport().(*transport.StreamableHTTP); ok && st.GetSessionId() != "" {
			fmt.Fprintf(&h, "Mcp-Session-Id: %s\r\n", st.GetSessionId())
		}
		if g.cfg.Protocol != "" {
			fmt.Fprintf(&h, "%s: %s\r\n", mcp.HeaderProtocolVersion, g.cfg.Protocol)
		}
		h.WriteString("Content-Length: ")
		p.heads = append(p.heads, h.Bytes())
	}
	for i := range perSource * len(p.sources) {
		p.wg.Add(1)
		go p.work(ctx, p.sources[i%len(p.sources)])
	}
	return p, nil
}

// close ends the workers once the queue is empty.
func (p *rawPool) close() {
	close(p.jobs)
	p.wg.Wait()
}

func (p *rawPool) work(ctx context.Context, source net.Addr) {
	defer p.wg.Done()
	w := &rawWorker{pool: p, source: source}
	defer w.drop()
	for job := range p.jobs {
		class := w.call(ctx, job.i)
		p.g.inflight.Add(-1)
		p.g.record(OpCall, job.due, time.Now(), class)
		p.g.wg.Done()
	}
}

// rawWorker is one connection and what it reads and writes with.
type rawWorker struct {
	pool   *rawPool
	source net.Addr // the local address it dials from (nil: any)
	conn   net.Conn
	br     *bufio.Reader
	req    []byte
	body   []byte
	echo   []byte
}

func (w *rawWorker) drop() {
	if w.conn != nil {
		_ = w.conn.Close()
		w.conn = nil
	}
}

// call sends call i and classifies the answer ("" is success).
func (w *rawWorker) call(ctx context.Context, i int) string {
	g := w.pool.g
	if ctx.Err() != nil {
		return ErrCanceled
	}
	if w.conn == nil {
		d := net.Dialer{Timeout: g.cfg.Timeout, LocalAddr: w.source}
		c, err := d.DialContext(ctx, "tcp", w.pool.addr)
		if err != nil {
			return ErrTransport
		}
		w.conn = c
		if w.br == nil {
			w.br = bufio.NewReaderSize(c, 8<<10)
		} else {
			w.br.Reset(c)
		}
	}
	g.rawOnce.Do(g.prepareRaw)
	var num [20]byte
	n := strconv.AppendInt(num[:0], int64(i), 10)
	w.body = append(w.body[:0], g.rawPrefix...)
	w.body = strconv.AppendInt(w.body, int64(i)+1, 10)
	w.body = append(w.body, g.rawMiddle...)
	w.body = append(w.body, n...)
	w.body = append(w.body, g.rawSuffix...)
	w.req = append(w.req[:0], w.pool.heads[i%len(w.pool.heads)]...)
	w.req = strconv.AppendInt(w.req, int64(len(w.body)), 10)
	w.req = append(w.req, "\r\n\r\n"...)
	w.req = append(w.req, w.body...)
	_ = w.conn.SetDeadline(time.Now().Add(g.cfg.Timeout))
	if _, err := w.conn.Write(w.req); err != nil {
		w.drop()
		return classifyNetErr(err)
	}
	status, body, keep, err := readRawResponse(w.br, w.body[:0])
	w.body = body[:0]
	if err != nil {
		w.drop()
		return classifyNetErr(err)
	}
	if !keep {
		w.drop()
	}
	switch status {
	case 200:
	case 503:
		return ErrRejected
	default:
		return ErrTransport
	}
	w.echo = append(append(append(w.echo[:0], `"text":"load-`...), n...), '"')
	if !bytes.Contains(body, w.echo) {
		return ErrResult
	}
	return ""
}

func classifyNetErr(err error) string {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ErrTimeout
	}
	return ErrTransport
}

// readRawResponse reads one HTTP/1.1 response with a Content-Length body
// (what the reference gateway sends for calls and refusals) into buf.
// keep is false when the connection cannot carry another request.
func readRawResponse(br *bufio.Reader, buf []byte) (status int, body []byte, keep bool, err error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, buf, false, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, buf, false, fmt.Errorf("bad status line %q", line)
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, buf, false, fmt.Errorf("bad status line %q", line)
	}
	length, keep := -1, line[7] == '1'
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			return status, buf, false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 || length > 1<<20 {
				return status, buf, false, fmt.Errorf("bad Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Connection")) && bytes.EqualFold(value, []byte("close")):
			keep = false
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return status, buf, false, fmt.Errorf("unsupported Transfer-Encoding %q", value)
		}
	}
	if length < 0 {
		// No length: the body ends with the connection.
		body, err = io.ReadAll(io.LimitReader(br, 1<<20))
		return status, append(buf, body...), false, err
	}
	if cap(buf) < length {
		buf = make([]byte, length)
	}
	buf = buf[:length]
	_, err = io.ReadFull(br, buf)
	return status, buf, keep, err
}
