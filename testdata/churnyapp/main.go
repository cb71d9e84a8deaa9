// Command churnyapp is a small service with client churn in it: the
// example churnlint runs on.
package main

import (
	"net/http"

	"example.com/churnyapp/clean"
	"example.com/churnyapp/handlers"
	"example.com/churnyapp/notify"
	"example.com/churnyapp/reports"
)

func main() {
	mux := http.NewServeMux()
	mux.Handle("/proxy/", &handlers.Proxy{Target: "http://127.0.0.1:9"})
	mux.HandleFunc("/health", handlers.Health)
	mux.HandleFunc("/metrics", handlers.Metrics)
	mux.HandleFunc("/clean", clean.Handler)
	mux.HandleFunc("/report", reports.Handler)
	n := notify.New("http://127.0.0.1:9/events")
	n.Start()
	http.ListenAndServe("127.0.0.1:8080", mux)
}
