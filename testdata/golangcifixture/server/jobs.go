package server

import (
	"context"
	"net/http"
)

// Job is run by a worker pool that calls Handle once per job. churnlint
// knows Handle is per-call only through the entrypoints setting.
type Job struct{ URL string }

// Handle fetches the job's URL with a transport of its own.
func (j *Job) Handle(ctx context.Context) error {
	c := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 2}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.URL, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
