package unseenowners

import (
	"context"
	"net/http"

	"cloud.google.com/go/storage"
	"google.golang.org/api/option"
)

// gsBackend rides the caller's transport through option.WithHTTPClient
// (restic's gs backend): storage.NewClient makes no pool of its own, and
// there is nothing for the backend to release. Not reported.
type gsBackend struct{ c *storage.Client }

func openGS(rt http.RoundTripper) (*gsBackend, error) {
	c, err := storage.NewClient(context.Background(), option.WithHTTPClient(&http.Client{Transport: rt}))
	if err != nil {
		return nil, err
	}
	return &gsBackend{c: c}, nil
}

func (b *gsBackend) ServeHTTP(w http.ResponseWriter, r *http.Request) {}

func (b *gsBackend) Close() error { return nil }

// ownGSBackend lets storage.NewClient make its own pool and never closes
// it. Reported.
type ownGSBackend struct{ c *storage.Client }

func openOwnGS() (*ownGSBackend, error) {
	c, err := storage.NewClient(context.Background(), option.WithEndpoint("https://storage.example"))
	if err != nil {
		return nil, err
	}
	return &ownGSBackend{c: c}, nil
}

func (b *ownGSBackend) ServeHTTP(w http.ResponseWriter, r *http.Request) {}

func (b *ownGSBackend) Close() error { return nil } // want `ownGSBackend.Close does not release ownGSBackend.c`
