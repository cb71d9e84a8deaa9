package unseenowners

import (
	"log"
	"net/http"
)

// hookClient posts to a chat's incoming webhook with a transport of its
// own and serves the chat's outgoing webhooks itself: New starts its own
// server on the bind address (matterbridge's matterhook). Nothing hosts it
// but the process, made once per bridge. Not reported.
type hookClient struct {
	url  string
	bind string
	hc   *http.Client
}

func newHookClient(url, bind string) *hookClient {
	c := &hookClient{url: url, bind: bind, hc: &http.Client{Transport: &http.Transport{}}}
	go c.startServer()
	return c
}

func (c *hookClient) startServer() {
	mux := http.NewServeMux()
	mux.Handle("/", c)
	srv := &http.Server{Addr: c.bind, Handler: mux}
	if err := srv.ListenAndServe(); err != nil {
		log.Fatal(err)
	}
}

func (c *hookClient) ServeHTTP(w http.ResponseWriter, r *http.Request) {}

func (c *hookClient) Send(body string) error {
	resp, err := c.hc.Post(c.url, "application/json", nil)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// hostedHook is the same client served by a host's router instead: a
// handler the host may rebuild on reload. Reported.
type hostedHook struct{ hc *http.Client } // want `hostedHook keeps an HTTP transport`

func newHostedHook() *hostedHook {
	return &hostedHook{hc: &http.Client{Transport: &http.Transport{}}}
}

func (h *hostedHook) ServeHTTP(w http.ResponseWriter, r *http.Request) {}
