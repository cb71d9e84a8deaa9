package churn

import (
	"crypto/tls"
	"net/http"
	"time"
)

// Each handler below builds a transport configured for the request's host,
// which is churn (and has no automatic fix: the configuration is per call).

func onTheLine(w http.ResponseWriter, r *http.Request) {
	t := &http.Transport{TLSClientConfig: &tls.Config{ServerName: r.Host}} //churnlint:ignore clientchurn one probe per request, by design
	t.RoundTrip(r)
}

func lineAbove(w http.ResponseWriter, r *http.Request) {
	//churnlint:ignore clientchurn the debug endpoint is rate-limited to one call a minute
	t := &http.Transport{TLSClientConfig: &tls.Config{ServerName: r.Host}}
	t.RoundTrip(r)
}

// The line above a statement covers the whole statement.
func statementAbove(w http.ResponseWriter, r *http.Request) {
	//churnlint:ignore clientchurn // a reason may follow // as well
	c := &http.Client{
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{ServerName: r.Host},
		},
	}
	c.Get("https://" + r.Host)
}

func commaList(w http.ResponseWriter, r *http.Request) {
	//churnlint:ignore clientshutdown, clientchurn a list may have spaces after its commas
	t := &http.Transport{TLSClientConfig: &tls.Config{ServerName: r.Host}}
	t.RoundTrip(r)
}

func wrongName(w http.ResponseWriter, r *http.Request) {
	// want +1 `//churnlint:ignore names "clientchrun", which is not a check \(the checks are clientchurn and clientshutdown\)`
	//churnlint:ignore clientchrun a misspelt check suppresses nothing
	t := &http.Transport{TLSClientConfig: &tls.Config{ServerName: r.Host}} // want `wrongName creates a new HTTP transport per call and drops it`
	t.RoundTrip(r)
}

func noReason(w http.ResponseWriter, r *http.Request) {
	// want +1 `//churnlint:ignore clientchurn has no reason, so it suppresses nothing`
	//churnlint:ignore clientchurn
	t := &http.Transport{TLSClientConfig: &tls.Config{ServerName: r.Host}} // want `noReason creates a new HTTP transport per call and drops it`
	t.RoundTrip(r)
}

func noCheck(w http.ResponseWriter, r *http.Request) {
	// want +1 `//churnlint:ignore needs a check \(clientchurn or clientshutdown\) and a reason`
	//churnlint:ignore
	t := &http.Transport{TLSClientConfig: &tls.Config{ServerName: r.Host}} // want `noCheck creates a new HTTP transport per call and drops it`
	t.RoundTrip(r)
}

// The client was made cheap and the directive stayed behind.
func unused(w http.ResponseWriter, r *http.Request) {
	// want +1 `//churnlint:ignore clientchurn suppresses nothing \(no clientchurn finding on line 65\); remove it`
	//churnlint:ignore clientchurn this used to build its own transport
	c := &http.Client{Timeout: time.Second}
	c.Get("https://" + r.Host)
}

// A directive after code covers its own line, not the next one.
func trailing(w http.ResponseWriter, r *http.Request) {
	// want +1 `//churnlint:ignore clientchurn suppresses nothing \(no clientchurn finding on line 72`
	host := r.Host //churnlint:ignore clientchurn meant for the line below
	t := &http.Transport{TLSClientConfig: &tls.Config{ServerName: host}} // want `trailing creates a new HTTP transport per call and drops it`
	t.RoundTrip(r)
}

// A directive for the other check: clientchurn still reports, and leaves
// the directive to clientshutdown.
func otherCheck(w http.ResponseWriter, r *http.Request) {
	//churnlint:ignore clientshutdown names the other check
	t := &http.Transport{TLSClientConfig: &tls.Config{ServerName: r.Host}} // want `otherCheck creates a new HTTP transport per call and drops it`
	t.RoundTrip(r)
}

// A directive covers a statement, not the function literals in it.
func literalBody(w http.ResponseWriter, r *http.Request) {
	// want +1 `//churnlint:ignore clientchurn suppresses nothing`
	//churnlint:ignore clientchurn covers the call, not the literal's body
	func() {
		t := &http.Transport{TLSClientConfig: &tls.Config{ServerName: r.Host}} // want `creates a new HTTP transport per call and drops it`
		t.RoundTrip(r)
	}()
}

// Not a directive: a word that only starts like one.
func lookalike(w http.ResponseWriter, r *http.Request) {
	//churnlint:ignored clientchurn not the directive
	t := &http.Transport{TLSClientConfig: &tls.Config{ServerName: r.Host}} // want `lookalike creates a new HTTP transport per call and drops it`
	t.RoundTrip(r)
}
