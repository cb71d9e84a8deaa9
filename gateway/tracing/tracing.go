// Package tracing sets up OpenTelemetry tracing for the gateway: a tracer
// provider with the configured exporter (OTLP over gRPC or HTTP, stdout,
// or none), W3C trace context propagation, the span attributes the gateway
// records, and the wrappers that trace downstream requests and upstream
// HTTP calls. Off, it costs nothing: the tracer is a no-op and nothing is
// wrapped.
package tracing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/churnlint/churnlint/gateway/config"
)

// InstrumentationName names the gateway's tracer.
const InstrumentationName = "github.com/churnlint/churnlint/gateway"

// Span attribute keys the gateway sets.
const (
	AttrMethod   = attribute.Key("mcp.method.name")
	AttrTool     = attribute.Key("gen_ai.tool.name")
	AttrResource = attribute.Key("mcp.resource.uri")
	AttrPrompt   = attribute.Key("mcp.prompt.name")
	AttrUpstream = attribute.Key("mcp_gateway.upstream")
	// AttrTarget is the upstream-side name of a namespaced tool/prompt.
	AttrTarget    = attribute.Key("mcp_gateway.upstream.name")
	AttrPrincipal = attribute.Key("enduser.id")
	AttrOutcome   = attribute.Key("mcp_gateway.outcome")
)

// Options are test and embedding hooks.
type Options struct {
	// Exporter, if set, replaces the configured one (tests use an
	// in-memory exporter); spans are exported synchronously then.
	Exporter sdktrace.SpanExporter
	// Stdout is where the stdout exporter writes; nil means os.Stdout.
	Stdout io.Writer
	// ServiceVersion is the service.version resource attribute.
	ServiceVersion string
}

// Provider is the gateway's tracing: enabled with an SDK provider, or a
// no-op.
type Provider struct {
	sdk        *sdktrace.TracerProvider // nil when off
	tracer     trace.Tracer
	propagator propagation.TextMapPropagator
}

// Exporter resolves which exporter cfg and the environment ask for.
func Exporter(cfg config.TracingConfig) string {
	if cfg.Exporter != "" {
		return cfg.Exporter
	}
	switch strings.TrimSpace(os.Getenv("OTEL_TRACES_EXPORTER")) {
	case "otlp":
		proto := os.Getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
		if proto == "" {
			proto = os.Getenv("OTEL_EXPORTER_OTLP_PROTOCOL")
		}
		if proto == "grpc" {
			return config.ExporterOTLPGRPC
		}
		// The specification's default protocol is http/protobuf.
		return config.ExporterOTLPHTTP
	case "console":
		return config.ExporterStdout
	}
	return config.ExporterNone
}

// New builds the provider cfg asks for. With exporter none it returns a
// no-op provider.
func New(ctx context.Context, cfg config.TracingConfig, opts Options) (*Provider, error) {
	p := &Provider{propagator: propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})}
	exporterName := Exporter(cfg)
	if opts.Exporter == nil && exporterName == config.ExporterNone {
		p.tracer = noop.NewTracerProvider().Tracer(InstrumentationName)
		return p, nil
	}
	var exp sdktrace.SpanExporter
	var err error
	switch {
	case opts.Exporter != nil:
		exp = opts.Exporter
	case exporterName == config.ExporterStdout:
		w := opts.Stdout
		if w == nil {
			w = os.Stdout
		}
		exp, err = stdouttrace.New(stdouttrace.WithWriter(w))
	case exporterName == config.ExporterOTLPGRPC:
		var o []otlptracegrpc.Option
		if cfg.Endpoint != "" {
			o = append(o, otlptracegrpc.WithEndpointURL(cfg.Endpoint))
		}
		// The gRPC connection is made lazily; New does not dial.
		exp, err = otlptracegrpc.New(ctx, o...)
	case exporterName == config.ExporterOTLPHTTP:
		var o []otlptracehttp.Option
		if cfg.Endpoint != "" {
			o = append(o, otlptracehttp.WithEndpointURL(cfg.Endpoint))
		}
		exp, err = otlptracehttp.New(ctx, o...)
	default:
		return nil, fmt.Errorf("tracing.exporter: unknown exporter %q", exporterName)
	}
	if err != nil {
		return nil, fmt.Errorf("tracing: %s exporter: %w", exporterName, err)
	}
	name := cfg.ServiceName
	if name == "" {
		name = os.Getenv("OTEL_SERVICE_NAME")
	}
	if name == "" {
		name = "churnlint-mcp-gateway"
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(
		semconv.ServiceName(name), semconv.ServiceVersion(opts.ServiceVersion)))
	if err != nil {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	if envRes, err := resource.New(ctx, resource.WithFromEnv()); err == nil {
		if merged, err := resource.Merge(res, envRes); err == nil {
			res = merged
		}
	}
	tpOpts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	if opts.Exporter != nil {
		tpOpts = append(tpOpts, sdktrace.WithSyncer(exp))
	} else {
		tpOpts = append(tpOpts, sdktrace.WithBatcher(exp))
	}
	if r := cfg.SampleRatio; r != nil {
		tpOpts = append(tpOpts, sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(*r))))
	}
	p.sdk = sdktrace.NewTracerProvider(tpOpts...)
	p.tracer = p.sdk.Tracer(InstrumentationName)
	return p, nil
}

// Enabled reports whether spans are recorded and exported.
func (p *Provider) Enabled() bool { return p.sdk != nil }

// Tracer is the gateway's tracer (a no-op when off).
func (p *Provider) Tracer() trace.Tracer { return p.tracer }

// Propagator is the W3C trace context (and baggage) propagator.
func (p *Provider) Propagator() propagation.TextMapPropagator { return p.propagator }

// Handler wraps a downstream route: one server span per request,
// continuing the caller's traceparent. Off, next is returned as is.
func (p *Provider) Handler(next http.Handler, operation string) http.Handler {
	if p.sdk == nil {
		return next
	}
	return otelhttp.NewHandler(next, operation,
		otelhttp.WithTracerProvider(p.sdk), otelhttp.WithPropagators(p.propagator))
}

// WrapTransport wraps an upstream pool's round tripper: a client span per
// upstream HTTP request, with traceparent injected. The pool's transport
// stays underneath (it is wrapped, never replaced), and
// CloseIdleConnections still reaches it, which otelhttp's Transport alone
// would not forward. Off, rt is returned as is.
func (p *Provider) WrapTransport(rt http.RoundTripper) http.RoundTripper {
	if p.sdk == nil {
		return rt
	}
	return &tracedTransport{
		traced: otelhttp.NewTransport(rt, otelhttp.WithTracerProvider(p.sdk), otelhttp.WithPropagators(p.propagator)),
		base:   rt,
	}
}

type tracedTransport struct {
	traced http.RoundTripper
	base   http.RoundTripper
}

func (t *tracedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return t.traced.RoundTrip(r)
}

// CloseIdleConnections releases the pool underneath.
func (t *tracedTransport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// Shutdown flushes buffered spans and stops the exporter (closing its
// connection to the collector).
func (p *Provider) Shutdown(ctx context.Context) error {
	if p.sdk == nil {
		return nil
	}
	if err := p.sdk.Shutdown(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("tracing shutdown: %w", err)
	}
	return nil
}
