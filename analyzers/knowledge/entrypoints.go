package knowledge

// EntryPoint is a convention by which a framework calls a function once
// per request, event or item.
type EntryPoint struct {
	Name   string // a method name, or a parameter type as import/path.Type
	Why    string // completes "<function> ...", for diagnostics
	Source string // whose convention it is
}

// EntryPoints are the conventions by which frameworks call a function per
// request, event or item: a method name (ServeHTTP), or the type of a
// parameter (import/path.Type), the two forms -entrypoints accepts.
var EntryPoints = []EntryPoint{
	{"ServeHTTP", "is an HTTP handler", "net/http: http.Handler"},
	{"RoundTrip", "is an http.RoundTripper, called for every request", "net/http: http.RoundTripper"},
	{"Gather", "runs on every metrics scrape", "prometheus/client_golang: prometheus.Gatherer"},
	{"Collect", "runs on every metrics scrape", "prometheus/client_golang: prometheus.Collector"},
	{"Scrape", "runs on every scrape", "Prometheus exporters: a scraper's Scrape runs per scrape"},
	{"Reconcile", "runs on every reconcile", "controller-runtime: reconcile.Reconciler"},
	{"refresh", "runs on every refresh", "service discovery and credential refresh loops (nomad, traefik)"},
	{"Refresh", "runs on every refresh", "service discovery and credential refresh loops (nomad, traefik)"},
	{"CreateFilter", "runs for every new filter chain", "proxy filter factories (a filter built per filter chain)"},
	{"ServeDNS", "is a DNS handler", "miekg/dns: dns.Handler"},
	{"net/http.ResponseWriter", "handles an HTTP request", "net/http: a handler function"},
	{"github.com/gin-gonic/gin.Context", "is a gin handler", "gin: gin.HandlerFunc"},
	{"github.com/labstack/echo/v4.Context", "is an echo handler", "echo v4: echo.HandlerFunc"},
	{"github.com/gofiber/fiber/v2.Ctx", "is a fiber handler", "fiber v2: fiber.Handler"},
	{"github.com/mark3labs/mcp-go/mcp.CallToolRequest", "is an MCP tool handler", "mark3labs/mcp-go: server.ToolHandlerFunc"},
	{"github.com/mark3labs/mcp-go/mcp.ReadResourceRequest", "is an MCP resource handler", "mark3labs/mcp-go: server.ResourceHandlerFunc"},
	{"github.com/mark3labs/mcp-go/mcp.GetPromptRequest", "is an MCP prompt handler", "mark3labs/mcp-go: server.PromptHandlerFunc"},
	{"github.com/modelcontextprotocol/go-sdk/mcp.CallToolParams", "is an MCP tool handler", "modelcontextprotocol/go-sdk: a tool handler"},
	{"github.com/modelcontextprotocol/go-sdk/mcp.CallToolRequest", "is an MCP tool handler", "modelcontextprotocol/go-sdk: a tool handler"},
	{"sigs.k8s.io/controller-runtime/pkg/reconcile.Request", "runs on every reconcile", "controller-runtime: reconcile.Func"},
}

// PeriodicEntryPoints are the entry points above that a framework calls on
// a schedule (a scrape, a reconcile, a refresh) rather than once per
// request. A pool made and closed on each of those calls costs a handshake
// every few seconds: the fix upstream projects choose for a pool dropped
// there (netscaler's Collect, cloud-on-k8s's reconcile, Naglfar's
// reconcile), not churn. A pool dropped there is still reported.
var PeriodicEntryPoints = []Name{
	{"Gather", "prometheus/client_golang: per scrape"},
	{"Collect", "prometheus/client_golang: per scrape"},
	{"Scrape", "Prometheus exporters: per scrape"},
	{"Reconcile", "controller-runtime: per reconcile"},
	{"refresh", "discovery and credential refresh loops"},
	{"Refresh", "discovery and credential refresh loops"},
	{"sigs.k8s.io/controller-runtime/pkg/reconcile.Request", "controller-runtime: per reconcile"},
}

// ConfiguredEntry is the reason given for an entry point named by the
// -entrypoints setting.
const ConfiguredEntry = "is a configured per-call entry point"

// OperationMethods are the verbs of a library value's operations: an
// exported method of this name, on a type its package builds with a
// constructor (New..., ConstructorPrefixes), exists to be called again and again by the
// value's users, in other modules churnlint never sees.
var OperationMethods = []Name{
	{"Get", "HTTP-style clients and getters (go-getter's Getter.Get)"},
	{"Do", "net/http.Client.Do and its wrappers"},
	{"Fetch", "fetchers"}, {"Download", "downloaders"}, {"Upload", "uploaders"},
	{"Send", "senders and notifiers"}, {"Post", "HTTP-style clients"}, {"Put", "HTTP-style clients"},
	{"Query", "query clients"}, {"Call", "RPC clients"}, {"Invoke", "RPC clients"},
	{"Request", "HTTP-style clients"}, {"Ping", "health checkers"}, {"Probe", "probers"},
	{"Publish", "publishers"}, {"Notify", "notifiers"}, {"Lookup", "resolvers"}, {"Resolve", "resolvers"},
}

// ConstructorPrefixes start the names of the exported functions through
// which a package hands its users a value to keep and reuse: a type that
// one of them returns is such a value, and its OperationMethods are its
// operations.
var ConstructorPrefixes = []Name{
	{"New", "Go convention: NewClient returns a Client"},
	{"Init", "packages whose entry function builds the client (CycleTLS's Init returns a CycleTLS)"},
}

// OperationWhy completes "<method> ..." for an operation method.
const OperationWhy = "is an operation of a reusable value, called again and again by its users"

// LibraryOperationWhy completes "<function> ..." for an exported function
// of a library package whose name starts with an operation verb
// (OperationMethods): FetchMetricFamilies, called per scrape by its users.
const LibraryOperationWhy = "is an exported operation of a library package, called again and again by its users in other modules"
