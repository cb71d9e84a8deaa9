package unseen

import (
	"context"
	"net/http"
	"time"

	"github.com/robfig/cron/v3"
	"go.temporal.io/sdk/worker"
)

// A cron job runs on every tick of its schedule.
func scheduleReports(c *cron.Cron) {
	c.AddFunc("@every 1m", func() {
		hc := &http.Client{Transport: &http.Transport{}} // want `scheduleReports.func1 creates a new HTTP transport per call and drops it`
		hc.Get("http://reports/flush")
	})
}

// An activity runs once per workflow step.
func SendInvoice(ctx context.Context, id string) error {
	hc := &http.Client{Transport: &http.Transport{}} // want `SendInvoice creates a new HTTP transport per call and drops it`
	_, err := hc.Get("http://billing/" + id)
	return err
}

func registerActivities(w worker.Worker) {
	w.RegisterActivity(SendInvoice)
}

// collectStats is called on every tick of a ticker, even from main-like
// startup code.
func collectStats(ctx context.Context) {
	hc := &http.Client{Transport: &http.Transport{}} // want `collectStats creates a new HTTP transport per call and drops it`
	hc.Get("http://stats/")
}

func runStats(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for range t.C {
		collectStats(ctx)
	}
}
