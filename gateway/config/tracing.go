package config

import (
	"net/url"
	"slices"
)

// Tracing exporters.
const (
	ExporterNone     = "none"
	ExporterOTLPGRPC = "otlp-grpc"
	ExporterOTLPHTTP = "otlp-http"
	ExporterStdout   = "stdout"
)

// TracingConfig configures OpenTelemetry tracing. It is off unless an
// exporter is chosen here or, when Exporter is empty, by the standard
// OTEL_TRACES_EXPORTER variable; the other OTEL_* variables (endpoint,
// headers, service name, resource attributes, sampler) apply as usual and
// the keys set here take precedence.
type TracingConfig struct {
	// Exporter is otlp-grpc, otlp-http, stdout or none.
	Exporter string `yaml:"exporter"`
	// Endpoint is the collector URL (http://host:4317 for gRPC,
	// http://host:4318 for HTTP); empty means OTEL_EXPORTER_OTLP_* or
	// the exporter's default (localhost).
	Endpoint string `yaml:"endpoint"`
	// SampleRatio samples this fraction of new traces (parent-based:
	// a sampled caller's trace is always continued). Unset: the
	// OTEL_TRACES_SAMPLER variables, or every trace.
	SampleRatio *float64 `yaml:"sample_ratio"`
	// ServiceName is the service.name resource attribute; empty means
	// OTEL_SERVICE_NAME or "churnlint-mcp-gateway".
	ServiceName string `yaml:"service_name"`
}

func (c *Config) validateTracing(v *validator) {
	t := c.Tracing
	if t.Exporter != "" && !slices.Contains([]string{ExporterNone, ExporterOTLPGRPC, ExporterOTLPHTTP, ExporterStdout}, t.Exporter) {
		v.add("tracing.exporter", "must be one of %s, %s, %s, %s", ExporterOTLPGRPC, ExporterOTLPHTTP, ExporterStdout, ExporterNone)
	}
	if t.Endpoint != "" {
		u, err := url.Parse(t.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.add("tracing.endpoint", "must be an absolute http or https URL, e.g. http://127.0.0.1:4317")
		}
		if t.Exporter == ExporterStdout || t.Exporter == ExporterNone {
			v.add("tracing.endpoint", "not used with exporter %s", t.Exporter)
		}
	}
	if r := t.SampleRatio; r != nil && (*r < 0 || *r > 1) {
		v.add("tracing.sample_ratio", "must be between 0 and 1")
	}
}
