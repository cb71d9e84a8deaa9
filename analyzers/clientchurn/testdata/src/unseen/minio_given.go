package unseen

import (
	"net/http"

	"github.com/minio/minio-go/v7"
)

var sharedMinioTransport = &http.Transport{}

// BucketHandler makes a minio client per request. Without a transport of
// its own it is a new pool per request (minio-operator before its fix);
// given the shared transport it is not (after).
func BucketHandler(w http.ResponseWriter, r *http.Request) {
	c, err := minio.New("minio:9000", &minio.Options{Secure: true}) // want `BucketHandler creates a new HTTP client per call and drops it`
	if err != nil {
		return
	}
	c.BucketExists(r.URL.Path)
}

func SharedBucketHandler(w http.ResponseWriter, r *http.Request) {
	c, err := minio.New("minio:9000", &minio.Options{Secure: true, Transport: sharedMinioTransport})
	if err != nil {
		return
	}
	c.BucketExists(r.URL.Path)
}
