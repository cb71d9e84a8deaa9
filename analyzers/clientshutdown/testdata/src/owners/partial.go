package owners

import (
	"errors"
	"net/http"

	"google.golang.org/grpc"
)

// probe releases its transport on the happy path only.
func probe(url string) error {
	t := &http.Transport{} // want `probe releases the HTTP transport it creates on some paths but not at line 15; defer the release \| the pool comes from &http.Transport\{\}`
	resp, err := (&http.Client{Transport: t}).Get(url)
	if err != nil {
		return err
	}
	resp.Body.Close()
	t.CloseIdleConnections()
	return nil
}

// dial checks the error before deferring Close: nothing to release when
// Dial failed, so every path is covered.
func dial(target string) error {
	conn, err := grpc.Dial(target)
	if err != nil {
		return err
	}
	defer conn.Close()
	if target == "" {
		return errors.New("empty")
	}
	return nil
}
