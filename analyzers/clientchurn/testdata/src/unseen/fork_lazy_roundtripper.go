package unseen

import (
	"context"
	"net"
	"sync"
	"time"

	http "github.com/Danny-Dasilva/fhttp"
	http2 "github.com/Danny-Dasilva/fhttp/http2"
)

// uTLSRoundTripper is CycleTLS's roundTripper on the net/http fork fhttp:
// it makes one transport per address on first use (HTTP/2 or HTTP/1.1,
// whichever the handshake negotiated) and caches it in a map it holds.
// Each value fills its own map, so allocating one is making a pool.
type uTLSRoundTripper struct {
	sync.Mutex
	cachedTransports map[string]http.RoundTripper
	dialer           contextDialer
}

type contextDialer interface {
	DialContext(ctx context.Context, network, addr string) (net.Conn, error)
}

func (rt *uTLSRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	addr := req.URL.Host
	if _, ok := rt.cachedTransports[addr]; !ok {
		rt.negotiate(req.URL.Scheme == "h2", addr)
	}
	return rt.cachedTransports[addr].RoundTrip(req)
}

func (rt *uTLSRoundTripper) negotiate(h2 bool, addr string) {
	rt.Lock()
	defer rt.Unlock()
	if conn, err := rt.dialTLS(context.Background(), "tcp", addr); err == nil {
		conn.Close() // the handshake told which protocol
	}
	if h2 {
		rt.cachedTransports[addr] = &http2.Transport{Navigator: "chrome"}
		return
	}
	rt.cachedTransports[addr] = &http.Transport{DialTLSContext: rt.dialTLS}
}

func (rt *uTLSRoundTripper) dialTLS(ctx context.Context, network, addr string) (net.Conn, error) {
	return rt.dialer.DialContext(ctx, network, addr)
}

func newUTLSRoundTripper() http.RoundTripper {
	return &uTLSRoundTripper{cachedTransports: make(map[string]http.RoundTripper), dialer: &proxyH2Dialer{}}
}

// uTLSClientBuilder returns the client by value, as CycleTLS's
// clientBuilder does.
func uTLSClientBuilder(timeout int) http.Client {
	return http.Client{Transport: newUTLSRoundTripper(), Timeout: time.Duration(timeout) * time.Second}
}

type uTLSRequest struct {
	req    *http.Request
	client http.Client
}

func prepareUTLS(url string) uTLSRequest {
	req, _ := http.NewRequest("GET", url, nil)
	return uTLSRequest{req: req, client: uTLSClientBuilder(15)}
}

func dispatchUTLS(r uTLSRequest) (int, error) {
	resp, err := r.client.Do(r.req)
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// UTLSSession is the library's value, built by InitUTLS as CycleTLS's
// Init builds a CycleTLS; its users call Do again and again.
type UTLSSession struct {
	ReqChan chan uTLSRequest
}

func InitUTLS() UTLSSession { return UTLSSession{} }

// Do builds a client, with its own round tripper, for every request and
// drops it (CycleTLS before its fix).
func (s UTLSSession) Do(url string) (int, error) {
	r := prepareUTLS(url) // want `UTLSSession.Do creates a new HTTP transport per call and drops it.*&uTLSRoundTripper\{\} \(its RoundTrip makes &http2.Transport\{\}\)`
	return dispatchUTLS(r)
}

// SharedUTLSSession builds its client once: quiet.
type SharedUTLSSession struct {
	client http.Client
}

func NewSharedUTLSSession() *SharedUTLSSession {
	return &SharedUTLSSession{client: uTLSClientBuilder(15)}
}

func (s *SharedUTLSSession) Do(url string) (int, error) {
	req, _ := http.NewRequest("GET", url, nil)
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// proxyH2Dialer is CycleTLS's connectDialer, which the round tripper
// calls for every new address: an HTTP/2 CONNECT through a proxy runs on
// the proxy connection it dialled, through a transport used only for
// NewClientConn, whose pool never holds a connection: quiet.
type proxyH2Dialer struct{ dialer net.Dialer }

func (d *proxyH2Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	rawConn, err := d.dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	t := http2.Transport{Navigator: "chrome"}
	cc, err := t.NewClientConn(rawConn)
	if err != nil {
		rawConn.Close()
		return nil, err
	}
	_ = cc
	return rawConn, nil
}

// h2PerRequest round-trips through a fork transport it makes per
// request: a pool per request, as with net/http.
type h2PerRequest struct{}

func (h2PerRequest) RoundTrip(req *http.Request) (*http.Response, error) {
	t := &http2.Transport{Navigator: "chrome"} // want `h2PerRequest.RoundTrip creates a new HTTP transport per call and drops it`
	return t.RoundTrip(req)
}
