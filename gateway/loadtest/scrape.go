package loadtest

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"

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
	var out map[string]float64
	err := fetchMetrics(ctx, hc, url, func(page io.Reader) (err error) {
		out, err = parseMetrics(page, names)
		return err
	})
	return out, err
}

// fetchMetrics GETs a metrics page and hands at most maxScrapeBytes of it
// to read.
func fetchMetrics(ctx context.Context, hc *http.Client, url string, read func(io.Reader) error) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	// Uncompressed: the harness reads the page once a second over
	// loopback, and gzip would be CPU spent by the target on the
	// measurement (a peer without /metrics spends none), counted in its
	// CPU per request.
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return read(io.LimitReader(resp.Body, maxScrapeBytes))
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

// MetricHTTPDuration is the reference gateway's histogram of the time it
// held each downstream HTTP request, by route and status code.
const MetricHTTPDuration = "mcp_gateway_http_request_duration_seconds"

// Buckets is a cumulative histogram: Counts[i] observations at most
// Bounds[i] seconds (the last bound is +Inf).
type Buckets struct {
	Bounds []float64
	Counts []float64
}

// ScrapeHistogram reads the histogram name from a metrics page and returns
// its buckets by the value of the label by, summed over its other labels
// where only = value (only empty: every series).
func ScrapeHistogram(ctx context.Context, hc *http.Client, url, name, by, only, value string) (map[string]Buckets, error) {
	var families map[string]*dto.MetricFamily
	err := fetchMetrics(ctx, hc, url, func(page io.Reader) (err error) {
		parser := expfmt.NewTextParser(model.UTF8Validation)
		families, err = parser.TextToMetricFamilies(page)
		return err
	})
	if err != nil {
		return nil, err
	}
	mf, ok := families[name]
	if !ok {
		return nil, nil
	}
	if mf.GetType() != dto.MetricType_HISTOGRAM {
		return nil, fmt.Errorf("metric %s: type %s, want a histogram", name, mf.GetType())
	}
	out := map[string]Buckets{}
	for _, m := range mf.GetMetric() {
		key, keep := "", only == ""
		for _, l := range m.GetLabel() {
			if l.GetName() == by {
				key = l.GetValue()
			}
			if l.GetName() == only && l.GetValue() == value {
				keep = true
			}
		}
		if !keep {
			continue
		}
		b := out[key]
		h := m.GetHistogram()
		for i, bk := range h.GetBucket() {
			if len(b.Bounds) <= i {
				b.Bounds = append(b.Bounds, bk.GetUpperBound())
				b.Counts = append(b.Counts, 0)
			}
			b.Counts[i] += float64(bk.GetCumulativeCount())
		}
		if n := len(h.GetBucket()); n == 0 || !math.IsInf(h.GetBucket()[n-1].GetUpperBound(), 1) {
			// The +Inf bucket is the sample count.
			if len(b.Bounds) == n {
				b.Bounds = append(b.Bounds, math.Inf(1))
				b.Counts = append(b.Counts, 0)
			}
			b.Counts[n] += float64(h.GetSampleCount())
		}
		out[key] = b
	}
	return out, nil
}

// Sub returns the observations in b that are not in earlier (the same
// histogram read before).
func (b Buckets) Sub(earlier Buckets) Buckets {
	out := Buckets{Bounds: b.Bounds, Counts: slices.Clone(b.Counts)}
	if len(earlier.Counts) == len(b.Counts) {
		for i := range out.Counts {
			out.Counts[i] -= earlier.Counts[i]
		}
	}
	return out
}

// Total is the number of observations.
func (b Buckets) Total() float64 {
	if len(b.Counts) == 0 {
		return 0
	}
	return b.Counts[len(b.Counts)-1]
}

// Quantile estimates the q-quantile (0..1) in seconds by linear
// interpolation within its bucket, as Prometheus's histogram_quantile does
// (the +Inf bucket answers with the highest finite bound); -1 when empty.
func (b Buckets) Quantile(q float64) float64 {
	total := b.Total()
	if total <= 0 {
		return -1
	}
	rank := q * total
	for i, c := range b.Counts {
		if c < rank {
			continue
		}
		if math.IsInf(b.Bounds[i], 1) {
			if i == 0 {
				return -1
			}
			return b.Bounds[i-1]
		}
		lo, below := 0.0, 0.0
		if i > 0 {
			lo, below = b.Bounds[i-1], b.Counts[i-1]
		}
		if c == below {
			return b.Bounds[i]
		}
		return lo + (b.Bounds[i]-lo)*(rank-below)/(c-below)
	}
	return b.Bounds[len(b.Bounds)-1]
}
