package globalmemo

import (
	"crypto/tls"
	"net/http"
)

// fetch picks the default client, or an insecure one per request. The
// merge with http.DefaultClient is no broken memoisation (clientchurn once
// offered "DefaultClient = c", which does not compile): it is a new
// transport per call.
func fetch(w http.ResponseWriter, r *http.Request) {
	c := http.DefaultClient
	if r.URL.Query().Get("insecure") != "" {
		c = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} // want `fetch creates a new HTTP transport per call and drops it`
	}
	c.Get("http://upstream")
}

func main() {
	http.HandleFunc("/", fetch)
}
