package unseen

import (
	"crypto/tls"
	"io"
	"net/http"
)

// FetchMetricFamilies is a library's exported operation (prom2json before
// its fix): exporters call it per scrape from other modules, and each call
// builds a transport and drops it with the client.
func FetchMetricFamilies(url string, skipVerify bool) ([]byte, error) {
	var transport *http.Transport
	if skipVerify {
		transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} // want `FetchMetricFamilies creates a new HTTP transport per call and drops it`
	} else {
		transport = &http.Transport{} // want `FetchMetricFamilies creates a new HTTP transport per call and drops it`
	}
	client := &http.Client{Transport: transport}
	resp, err := client.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// FetchOnce closes what it made: a handshake per call, the price its
// callers chose; the name alone does not say how often that is.
func FetchOnce(url string) error {
	t := &http.Transport{}
	defer t.CloseIdleConnections()
	resp, err := (&http.Client{Transport: t}).Get(url)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// LoadSettings is no operation verb: a start-up helper.
func LoadSettings(url string) error {
	resp, err := (&http.Client{Transport: &http.Transport{}}).Get(url)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
