package tracing

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/goleak"

	"github.com/churnlint/churnlint/gateway/config"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestExporterResolution(t *testing.T) {
	for _, tc := range []struct {
		cfg, env, proto, want string
	}{
		{"", "", "", config.ExporterNone},
		{"stdout", "otlp", "", config.ExporterStdout}, // the config block wins
		{"", "otlp", "", config.ExporterOTLPHTTP},
		{"", "otlp", "grpc", config.ExporterOTLPGRPC},
		{"", "console", "", config.ExporterStdout},
		{"", "none", "", config.ExporterNone},
	} {
		t.Setenv("OTEL_TRACES_EXPORTER", tc.env)
		t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", tc.proto)
		if got := Exporter(config.TracingConfig{Exporter: tc.cfg}); got != tc.want {
			t.Errorf("exporter %q, env %q/%q: %s, want %s", tc.cfg, tc.env, tc.proto, got, tc.want)
		}
	}
}

// TestOffIsANoop: no exporter, nothing wrapped, nothing recorded.
func TestOffIsANoop(t *testing.T) {
	t.Setenv("OTEL_TRACES_EXPORTER", "")
	p, err := New(context.Background(), config.TracingConfig{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Enabled() {
		t.Fatal("enabled without an exporter")
	}
	rt := http.DefaultTransport
	if p.WrapTransport(rt) != rt {
		t.Fatal("off, the transport was wrapped")
	}
	_, span := p.Tracer().Start(context.Background(), "x")
	if span.SpanContext().IsValid() {
		t.Fatal("off, a real span was started")
	}
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestStdoutExporter prints the spans of a traced request.
func TestStdoutExporter(t *testing.T) {
	var out bytes.Buffer
	p, err := New(context.Background(), config.TracingConfig{Exporter: config.ExporterStdout, ServiceName: "gw-test"}, Options{Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	h := p.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, span := p.Tracer().Start(r.Context(), "tools/call demo__echo")
		span.End()
	}), "mcp")
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/mcp", nil))
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"Name":"tools/call demo__echo"`, `"Value":"gw-test"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout export lacks %s:\n%s", want, out.String())
		}
	}
}

// TestSampleRatioZero: new traces are not sampled; a sampled parent is
// still followed.
func TestSampleRatioZero(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	zero := 0.0
	p, err := New(context.Background(), config.TracingConfig{SampleRatio: &zero}, Options{Exporter: exp})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = p.Shutdown(context.Background()) }()
	h := p.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), "mcp")
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/mcp", nil))
	if n := len(exp.GetSpans()); n != 0 {
		t.Fatalf("ratio 0 recorded %d spans", n)
	}
	req := httptest.NewRequest(http.MethodPost, "/mcp", nil)
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if n := len(exp.GetSpans()); n != 1 {
		t.Fatalf("a sampled caller's trace was not continued (%d spans)", n)
	}
}
