package knowledge

import (
	"strings"

	"github.com/churnlint/churnlint/analyzers/catalog"
)

// HTTPPackage is a package with net/http's client API: the standard
// library, or a fork that keeps its types and methods (Transport with
// Clone and CloseIdleConnections, Client, RoundTripper) and changes what
// goes on the wire. A fork's Transport is a pool exactly as net/http's is.
type HTTPPackage struct {
	Path  string
	HTTP2 string // its HTTP/2 package, whose Transport is a pool too; "" for none
	// Source says whose it is, and why it is a fork of net/http.
	Source string
}

// HTTPPackages are net/http and the forks of it churnlint knows.
var HTTPPackages = []HTTPPackage{
	{"net/http", "golang.org/x/net/http2", "Go standard library (HTTP/2 from golang.org/x/net)"},
	{"github.com/Danny-Dasilva/fhttp", "github.com/Danny-Dasilva/fhttp/http2", "Danny-Dasilva/fhttp: net/http fork with header ordering, used by CycleTLS"},
}

// IsHTTPPackage reports whether path is net/http or a fork of it.
func IsHTTPPackage(path string) bool {
	for _, p := range HTTPPackages {
		if p.Path == path {
			return true
		}
	}
	return false
}

// PoolTypes are the struct types whose allocation (&T{}, new(T)) is a new
// connection pool: the Transport of every HTTP package and of its HTTP/2
// package.
var PoolTypes = poolTypes()

func poolTypes() []catalog.PoolType {
	var out []catalog.PoolType
	for _, p := range HTTPPackages {
		out = append(out, catalog.PoolType{Pkg: p.Path, Name: "Transport"})
		if p.HTTP2 != "" {
			out = append(out, catalog.PoolType{Pkg: p.HTTP2, Name: "Transport"})
		}
	}
	return out
}

// ConnOnlyMethods are methods of a pool type that use its settings on a
// connection the caller gives and never its pool: a pool value used only
// through them (and built field by field) keeps no idle connections of its
// own. Keyed import/path.Type.Method.
var ConnOnlyMethods = connOnlyMethods()

func connOnlyMethods() map[string]string {
	out := make(map[string]string)
	for _, p := range HTTPPackages {
		if p.HTTP2 != "" {
			// Transport.NewClientConn(c) makes a ClientConn on c and does
			// not add it to the transport's pool.
			out[p.HTTP2+".Transport.NewClientConn"] = p.Source + ": NewClientConn runs HTTP/2 on the caller's connection, outside the transport's pool"
		}
	}
	return out
}

// Constructor is a function or method that returns a fresh pool.
type Constructor struct {
	catalog.Entry
	Source string // the library, and why its result is a pool
}

// Constructors are the catalogued functions and methods that return a new
// pool on every call.
var Constructors = append(clones(), []Constructor{
	// cleanhttp.DefaultTransport and DefaultClient disable keep-alives:
	// they keep no idle connections, so making one per call costs nothing
	// a shared one would save. Only the pooled variants are pools.
	{catalog.Entry{Pkg: "github.com/hashicorp/go-cleanhttp", Name: "DefaultPooledTransport", Kind: catalog.Transport}, "hashicorp/go-cleanhttp: a new http.Transport with keep-alives"},
	{catalog.Entry{Pkg: "github.com/hashicorp/go-cleanhttp", Name: "DefaultPooledClient", Kind: catalog.Client}, "hashicorp/go-cleanhttp: a client on a new pooled transport"},
	{catalog.Entry{Pkg: "github.com/go-resty/resty/v2", Name: "New", Kind: catalog.Client}, "go-resty/resty v2: a client on a new transport"},
	{catalog.Entry{Pkg: "resty.dev/v3", Name: "New", Kind: catalog.Client}, "resty v3: a client on a new transport"},
	{catalog.Entry{Pkg: "github.com/hashicorp/go-retryablehttp", Name: "NewClient", Kind: catalog.Client}, "hashicorp/go-retryablehttp: a client on a cleanhttp pooled transport"},
	{catalog.Entry{Pkg: "github.com/minio/minio-go/v7", Name: "New", Kind: catalog.Client, GivenArg: 1, GivenField: "Transport"}, "minio/minio-go v7: a client on a new transport unless Options.Transport is given"},
	{catalog.Entry{Pkg: "google.golang.org/grpc", Name: "Dial", Kind: catalog.Conn}, "grpc-go: a ClientConn with its own connections"},
	{catalog.Entry{Pkg: "google.golang.org/grpc", Name: "DialContext", Kind: catalog.Conn}, "grpc-go: a ClientConn with its own connections"},
	{catalog.Entry{Pkg: "google.golang.org/grpc", Name: "NewClient", Kind: catalog.Conn}, "grpc-go: a ClientConn with its own connections"},
	{catalog.Entry{Pkg: "go.etcd.io/etcd/client/v3", Name: "New", Kind: catalog.Conn}, "etcd client v3: a client on its own gRPC connection (Close releases it)"},
	{catalog.Entry{Pkg: "go.etcd.io/etcd/clientv3", Name: "New", Kind: catalog.Conn}, "etcd clientv3 (pre-module path): a client on its own gRPC connection"},
	{catalog.Entry{Pkg: "cloud.google.com/go/monitoring/apiv3", Name: "NewMetricClient", Kind: catalog.Conn}, "Google Cloud Monitoring: a client on its own gRPC connection pool (Close releases it)"},
	{catalog.Entry{Pkg: "cloud.google.com/go/monitoring/apiv3/v2", Name: "NewMetricClient", Kind: catalog.Conn}, "Google Cloud Monitoring v2: a client on its own gRPC connection pool"},
	{catalog.Entry{Pkg: "cloud.google.com/go/trace/apiv2", Name: "NewClient", Kind: catalog.Conn}, "Google Cloud Trace: a client on its own gRPC connection pool (Close releases it)"},
	{catalog.Entry{Pkg: "cloud.google.com/go/storage", Name: "NewClient", Kind: catalog.Conn}, "Google Cloud Storage: a client on its own connection pool (Close releases it)"},
	{catalog.Entry{Pkg: "cloud.google.com/go/pubsub", Name: "NewClient", Kind: catalog.Conn}, "Google Cloud Pub/Sub: a client on its own gRPC connection pool (Close releases it)"},
}...)

// clones are Transport.Clone of every HTTP package: a clone has its own
// idle connections.
func clones() []Constructor {
	var out []Constructor
	for _, p := range HTTPPackages {
		out = append(out, Constructor{catalog.Entry{Pkg: p.Path, Recv: "Transport", Name: "Clone", Kind: catalog.Transport}, p.Source + ": a clone has its own idle connections"})
	}
	return out
}

// ConstructorEntries returns the constructors as catalog entries.
func ConstructorEntries() []catalog.Entry {
	out := make([]catalog.Entry, len(Constructors))
	for i, c := range Constructors {
		out[i] = c.Entry
	}
	return out
}

// ConfiguresOnly lists functions outside the analysed code that take a
// pool as an argument, configure or wrap it, and do not keep it anywhere.
// Anything not listed and not analysed is assumed to keep its arguments.
var ConfiguresOnly = map[string]string{
	"golang.org/x/net/http2.ConfigureTransport":  "golang.org/x/net/http2: adds HTTP/2 to the transport it is given",
	"golang.org/x/net/http2.ConfigureTransports": "golang.org/x/net/http2: adds HTTP/2 to the transport it is given",
}

// NoIdleOptions lists options that, passed to a pool's constructor, make
// its transport keep no idle connection (DisableKeepAlives): each
// connection is closed after its request, so a transport dropped after
// the call strands nothing, and a prober that wants a fresh connection
// per probe asks for exactly that. Keyed import/path.Func.
var NoIdleOptions = map[string]string{
	"github.com/prometheus/common/config.WithKeepAlivesDisabled": "prometheus/common: the round tripper it builds sets DisableKeepAlives",
}

// WrapsArgument lists functions outside the analysed code that return a
// value holding one of their arguments and keep it nowhere else: what
// happens to the result happens to the argument. Keyed import/path.Func,
// the value is the argument's index and why.
var WrapsArgument = map[string]Wrapping{
	"github.com/prometheus/client_golang/prometheus/promhttp.HandlerFor":              {0, "promhttp: a handler serving the gatherer it is given (a multi-target exporter's per-probe registry)"},
	"github.com/prometheus/client_golang/prometheus/promhttp.HandlerForTransactional": {0, "promhttp: a handler serving the gatherer it is given"},
	"google.golang.org/api/support/bundler.NewBundler":                                {1, "google.golang.org/api bundler: a Bundler calling the handler it is given (an exporter's upload closure over itself)"},
	"github.com/mark3labs/mcp-go/client/transport.NewStreamableHTTP":                  {1, "mcp-go: the transport keeps the client its options give it (WithHTTPBasicClient)"},
	"github.com/mark3labs/mcp-go/client/transport.NewSSE":                             {1, "mcp-go: the transport keeps the client its options give it (WithHTTPClient)"},
	"github.com/mark3labs/mcp-go/client.NewStreamableHttpClient":                      {1, "mcp-go: the client's transport keeps the client its options give it"},
	"github.com/mark3labs/mcp-go/client.NewSSEMCPClient":                              {1, "mcp-go: the client's transport keeps the client its options give it"},
	"go.elastic.co/apm/module/apmelasticsearch.WrapRoundTripper":                      {0, "Elastic APM: a tracing round tripper over the one it is given (cloud-on-k8s's Elasticsearch client)"},
	"go.elastic.co/apm/module/apmelasticsearch/v2.WrapRoundTripper":                   {0, "Elastic APM v2: a tracing round tripper over the one it is given"},
	"go.elastic.co/apm/module/apmhttp.WrapRoundTripper":                               {0, "Elastic APM: a tracing round tripper over the one it is given"},
	"go.elastic.co/apm/module/apmhttp/v2.WrapRoundTripper":                            {0, "Elastic APM v2: a tracing round tripper over the one it is given"},
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp.NewTransport":      {0, "OpenTelemetry: a tracing round tripper over the one it is given"},
	"github.com/elastic/go-elasticsearch/v7.NewClient":                                {0, "go-elasticsearch: the client's transport keeps Config.Transport (kubernetes-event-exporter's sink)"},
	"github.com/elastic/go-elasticsearch/v8.NewClient":                                {0, "go-elasticsearch: the client's transport keeps Config.Transport"},
	"github.com/elastic/go-elasticsearch/v8.NewTypedClient":                           {0, "go-elasticsearch: the client's transport keeps Config.Transport"},
	"google.golang.org/api/option.WithGRPCConn":                                       {0, "google.golang.org/api: an option handing the client the conn it is given (pubsub's emulator conn)"},
	"google.golang.org/api/option.WithHTTPClient":                                     {0, "google.golang.org/api: an option handing the client the *http.Client it is given"},
	"github.com/opensearch-project/opensearch-go.NewClient":                           {0, "opensearch-go: the client's transport keeps Config.Transport (kubernetes-event-exporter's sink)"},
	"github.com/opensearch-project/opensearch-go/v2.NewClient":                        {0, "opensearch-go v2: the client's transport keeps Config.Transport"},
	"github.com/opensearch-project/opensearch-go/v4.NewClient":                        {0, "opensearch-go v4: the client's transport keeps Config.Transport"},
}

// OptionTypes are the option types of client libraries whose constructors
// keep what their options carry: a conn or client handed over in one
// (option.WithGRPCConn(conn)) and passed, alone or in a slice, to a
// function that returns a value lives as long as that value. The options
// are applied through an interface or a function value, which a summary of
// the constructor cannot see into. Keyed import/path.Type.
var OptionTypes = map[string]string{
	"google.golang.org/api/option.ClientOption": "google.golang.org/api: generated Google clients keep the conn or client an option gives (cloud.google.com/go/pubsub's emulator conn)",
}

// PoolOptions are option constructors that hand a library the caller's own
// pool. A library function that makes a pool per call only when it is
// given none (helm's HTTPGetter with no transport option) makes none on a
// call given one of these. Keyed import/path.Func.
var PoolOptions = map[string]string{
	"helm.sh/helm/v3/pkg/getter.WithTransport":    "helm v3: the getter uses the transport it is given (fluxcd source-controller's transport pool)",
	"helm.sh/helm/v4/pkg/getter.WithTransport":    "helm v4: the getter uses the transport it is given",
	"google.golang.org/api/option.WithHTTPClient": "google.golang.org/api: the client uses the *http.Client it is given",
	"google.golang.org/api/option.WithGRPCConn":   "google.golang.org/api: the client uses the conn it is given",
}

// PoolOnlyWith are library constructors that build a pool of their own
// only when given one of the listed options: without them they use the
// caller's client or http.DefaultTransport. Keyed import/path.Func, with
// a major-version element written vN (every go-github major).
var PoolOnlyWith = map[string]PoolOptionSet{
	"github.com/google/go-github/vN/github.NewClient": {
		Options: []string{"WithEnvProxy"},
		Source:  "go-github: newClient clones the transport only for WithEnvProxy; else it uses the given client or a plain &http.Client{} (github-mcp-server builds one per tool call)",
	},
}

// PoolOptionSet names the options of one PoolOnlyWith constructor, in its
// own package.
type PoolOptionSet struct {
	Options []string
	Source  string
}

// VersionlessPath writes a module major-version element of an import
// path (/v89/) as /vN/, the form PoolOnlyWith is keyed by.
func VersionlessPath(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if i > 0 && len(p) > 1 && p[0] == 'v' && strings.Trim(p[1:], "0123456789") == "" {
			parts[i] = "vN"
		}
	}
	return strings.Join(parts, "/")
}

// ComparisonMethods are interface methods that compare their argument
// with the receiver and keep neither: a.Equal(b) does not make b outlive
// the call (cloud-on-k8s's observer comparing the reconcile's new client
// with the one it holds).
var ComparisonMethods = []Name{
	{"Equal", "Go convention: time.Time.Equal, net.IP.Equal, go-cmp's Equal method"},
	{"Equals", "Go convention, from Java-style APIs"},
}

// Wrapping is the argument a WrapsArgument function holds in its result.
type Wrapping struct {
	Arg    int
	Source string
}

// UsesArguments are packages whose functions only read their arguments
// (format, log or wrap them) and keep none: passing a pool to them does
// not make it outlive the call.
var UsesArguments = map[string]string{
	"fmt":      "Go standard library: formatting",
	"log":      "Go standard library: logging",
	"log/slog": "Go standard library: structured logging",
	"errors":   "Go standard library: error wrapping",
}
