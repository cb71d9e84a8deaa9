// Package appfetch is an application's own package under pkg/: its
// exported FetchRemoteConfig is called where the application says (once at
// start-up here), not per call by users in other modules.
package appfetch

import (
	"io"
	"net/http"
)

func FetchRemoteConfig(url string) ([]byte, error) {
	c := &http.Client{Transport: &http.Transport{}}
	resp, err := c.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}
