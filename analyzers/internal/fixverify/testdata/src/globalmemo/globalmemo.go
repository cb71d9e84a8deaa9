package globalmemo

import (
	"crypto/tls"
	"net/http"
)

// fetch gets a fix from brokenFix that does not compile; fixverify drops
// it and says why.
func fetch(w http.ResponseWriter, r *http.Request) { // want `fetch needs a fix \| no automatic fix: the fix would not compile: undefined: undefinedName`
	c := http.DefaultClient
	if r.URL.Query().Get("insecure") != "" {
		c = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	}
	c.Get("http://upstream")
}

func main() {
	http.HandleFunc("/", fetch)
}
