package loadtest

import (
	"context"
	"fmt"
	"io"
	"net/http"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Metric names read from the targets' Prometheus endpoints.
const (
	MetricHeapInuse        = "go_memstats_heap_inuse_bytes"
	MetricGoroutines       = "go_goroutines"
	MetricUpstreamAccepted = "demo_upstream_connections_accepted_total"
	MetricUpstreamOpen     = "demo_upstream_connections_open"
	// MetricAdmissionRejected is the reference gateway's count of requests
	// refused by admission control.
	MetricAdmissionRejected = "mcp_gateway_admission_rejected_total"
)

// maxScrapeBytes bounds how much of a metrics page is read.
const maxScrapeBytes = 8 << 20

// Scrape reads a Prometheus text-format page and returns the values of the
// named metrics, summed over their label sets. Metrics that are absent are
// absent from the map.
func Scrape(ctx context.Context, hc *http.Client, url string, names ...string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return parseMetrics(io.LimitReader(resp.Body, maxScrapeBytes), names)
}

// parseMetrics reads a page with prometheus/common's text parser and sums
// each named counter, gauge or untyped metric over its label sets.
func parseMetrics(r io.Reader, names []string) (map[string]float64, error) {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(r)
	if err != nil {
		return nil, err
	}
	out := make(map[string]float64, len(names))
	for _, name := range names {
		mf, ok := families[name]
		if !ok {
			continue
		}
		var sum float64
		for _, m := range mf.GetMetric() {
			switch mf.GetType() {
			case dto.MetricType_COUNTER:
				sum += m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				sum += m.GetGauge().GetValue()
			case dto.MetricType_UNTYPED:
				sum += m.GetUntyped().GetValue()
			default:
				return nil, fmt.Errorf("metric %s: type %s is not a number to read", name, mf.GetType())
			}
		}
		out[name] = sum
	}
	return out, nil
}
