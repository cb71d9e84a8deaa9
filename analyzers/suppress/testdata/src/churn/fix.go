package churn

import "net/http"

// Both transports are configured from constants only, so both findings
// offer a fix that hoists the transport; only the one not suppressed is
// applied (fix.go.golden).

func suppressedFix(w http.ResponseWriter, r *http.Request) {
	//churnlint:ignore clientchurn called once a day by the operator; keep it self-contained
	t := &http.Transport{MaxIdleConnsPerHost: 4}
	t.RoundTrip(r)
}

func appliedFix(w http.ResponseWriter, r *http.Request) {
	t := &http.Transport{MaxIdleConnsPerHost: 4} // want `appliedFix creates a new HTTP transport per call and drops it`
	t.RoundTrip(r)
}
