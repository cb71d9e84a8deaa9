package unseenowners

import "net/http"

// Output's Close drops the client without closing it: the host rebuilds
// outputs on every reload, and the transports' goroutines survive each one.
type Output struct {
	url    string
	client *http.Client
}

func NewOutput(url string) *Output {
	return &Output{url: url, client: &http.Client{Transport: &http.Transport{}}}
}

func (o *Output) Write(b []byte) error {
	resp, err := o.client.Get(o.url)
	if err == nil {
		resp.Body.Close()
	}
	return err
}

func (o *Output) Close() error { // want `Output.Close sets Output.client to nil without releasing it`
	o.client = nil
	return nil
}

// Sink's Close starts with a guard; the release goes after it, where the
// receiver is known not to be nil.
type Sink struct {
	client *http.Client
	closed bool
}

func NewSink() *Sink { return &Sink{client: &http.Client{Transport: &http.Transport{}}} }

func (s *Sink) Close() error { // want `Sink.Close does not release Sink.client`
	if s == nil {
		return nil
	}
	s.closed = true
	return nil
}
