package churn

import (
	"context"
	"net/http"

	"github.com/go-resty/resty/v2"
	cleanhttp "github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
	"google.golang.org/grpc"
)

func cleanHandler(w http.ResponseWriter, r *http.Request) {
	c := cleanhttp.DefaultPooledClient() // want `cleanHandler creates a new HTTP client per call and drops it; create it once and reuse it`
	c.Get("http://upstream")
}

func restyHandler(w http.ResponseWriter, r *http.Request) {
	resty.New().R().Get("http://upstream") // want `restyHandler creates a new HTTP client per call and drops it; create it once and reuse it`
}

func retryHandler(w http.ResponseWriter, r *http.Request) {
	c := retryablehttp.NewClient() // want `retryHandler creates a new HTTP client per call and drops it; create it once and reuse it`
	c.Get("http://upstream")
}

func grpcHandler(w http.ResponseWriter, r *http.Request) {
	conn, err := grpc.Dial("upstream:443") // want `grpcHandler creates a new client connection per call and closes it; create it once and reuse it`
	if err != nil {
		return
	}
	defer conn.Close()
	conn.Invoke(context.Background(), "/svc/Method")
}

// resty wrapping a shared client is fine.
var shared = &http.Client{Transport: &http.Transport{}}

func restyShared(w http.ResponseWriter, r *http.Request) {
	resty.NewWithClient(shared).R().Get("http://upstream")
}
