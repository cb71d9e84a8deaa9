package churn

import (
	"net/http"
	"time"
)

// Package-level pools, also when initialised through a helper: not churn.
var (
	apiTransport = &http.Transport{MaxIdleConnsPerHost: 32}
	apiClient    = &http.Client{Transport: apiTransport, Timeout: 10 * time.Second}
	helperClient = getHTTPClient()
)

var initClient *http.Client

func init() {
	initClient = &http.Client{Transport: &http.Transport{}}
	for i := 0; i < 3; i++ {
		// a startup loop in init runs once
		t := &http.Transport{}
		t.CloseIdleConnections()
	}
}

func usePackageVars(w http.ResponseWriter, r *http.Request) {
	apiClient.Get("http://upstream")
	helperClient.Get("http://upstream")
	initClient.Get("http://upstream")
}
