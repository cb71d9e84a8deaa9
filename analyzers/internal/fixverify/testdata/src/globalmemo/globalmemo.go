package globalmemo

import (
	"crypto/tls"
	"net/http"
)

// fetch picks the default client, or an insecure one when the request asks
// for it. clientchurn reads the merge with http.DefaultClient as a broken
// memoisation and builds the fix "DefaultClient = c": a store into another
// package's variable, written as if it were this package's. It does not
// compile (undefined: DefaultClient), so fixverify drops it and says why.
func fetch(w http.ResponseWriter, r *http.Request) {
	c := http.DefaultClient
	if r.URL.Query().Get("insecure") != "" {
		c = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} // want `fetch checks DefaultClient for nil but never stores the new HTTP transport in it .*\(no automatic fix: the fix would not compile: undefined: DefaultClient\)$`
	}
	c.Get("http://upstream")
}

func main() {
	http.HandleFunc("/", fetch)
}
