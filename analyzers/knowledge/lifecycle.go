package knowledge

// Name is a method name with whose convention it is.
type Name struct {
	Name   string
	Source string
}

// ReleaseNames are the methods that release a pool, or an owner of pools.
// The -release setting adds to them.
var ReleaseNames = []Name{
	{"CloseIdleConnections", "net/http: Transport and Client"},
	{"Close", "io.Closer; grpc.ClientConn; owners of clients"},
	{"Shutdown", "net/http.Server and hosts' lifecycle interfaces (Shutdown(ctx) error)"},
	{"Stop", "components started and stopped by a host"},
	{"Cleanup", "caddy: caddy.CleanerUpper, a module's teardown"},
}

// LifecycleMethods mark a component that a host creates, serves through
// and replaces (a handler, a transport, a plugin, a provider): such a type
// needs a release method. A plain client wrapper with none of these lives
// as long as whatever holds it (often the whole process, in a CLI).
var LifecycleMethods = []Name{
	{"ServeHTTP", "net/http: http.Handler"},
	{"RoundTrip", "net/http: http.RoundTripper"},
	{"Init", "plugin and provider hosts (traefik providers, nomad plugins)"},
	{"Initialize", "plugin hosts"},
	{"Start", "services a host starts and stops"},
	{"Provision", "caddy: caddy.Provisioner"},
	{"Configure", "terraform: backend.Backend; providers"},
	{"Setup", "plugin hosts"},
	{"Open", "connections and stores opened by a host"},
	{"Connect", "clients a host connects"},
	{"Run", "services a host runs"},
	{"Serve", "servers a host runs"},
	{"Reload", "components a host reloads"},
}

// SetupMethods are how a host brings a component up. An interface with
// one of these and no release method is a host that never tears down.
var SetupMethods = []Name{
	{"Init", "plugin and provider hosts (traefik's provider.Provider)"},
	{"Initialize", "plugin hosts"},
	{"Start", "services a host starts"},
	{"Provision", "caddy: caddy.Provisioner"},
	{"Configure", "terraform: backend.Backend"},
	{"Setup", "plugin hosts"},
	{"Open", "connections and stores opened by a host"},
	{"Connect", "clients a host connects"},
}

// ReloadWords start a word of a method name that replaces what the value
// holds ("reloadConfig", "RefreshClient"); "ensureConnected" has none.
var ReloadWords = []string{"reload", "reconfigure", "refresh", "rotate", "update", "reset", "apply", "reconnect"}

// ProbePrefixes start the name of a function whose job is to open a
// connection and time it (blackbox_exporter's ProbeGRPC, ProbeTCP), or to
// check that one can be opened (Videra's pingDataNode, per data node per
// health-check tick): a pool made and closed on every probe is the
// measurement, not churn. A probe that drops its pool still leaks and is
// still reported.
var ProbePrefixes = []string{"probe", "ping", "healthcheck"}

// ProbeWords mark a prober anywhere in its name, not only at the start
// (gatus's PerformGRPCHealthCheck, dialling, checking and closing per
// monitoring tick; runProbe). "ping" stays a prefix: it ends many words.
var ProbeWords = []string{"probe", "healthcheck"}

// Names returns the set of names in ns.
func Names(ns []Name) map[string]bool {
	out := make(map[string]bool, len(ns))
	for _, n := range ns {
		out[n.Name] = true
	}
	return out
}

// ProcessLifetimeMethods are lifecycle methods that mark a component run
// until the process exits, whatever setup methods it has besides (a server
// a CLI command builds, initialises and runs: jaeger's HotROD frontend,
// argo-cd's API server): unless a host of the module drives it through an
// interface, it needs no release method.
var ProcessLifetimeMethods = []Name{
	{"Run", "a server or worker a command runs until exit"},
	{"Serve", "a server a command runs until exit"},
}

// PerLoadSetup is a function a host runs on every load of its
// configuration (a reload included), known by the type of its parameter,
// with the methods on that parameter that register the teardown of what
// it builds. A pool it builds and keeps, with no teardown registered,
// survives every reload.
type PerLoadSetup struct {
	Param    string   // import/path.Type of the parameter (a pointer to it)
	Teardown []string // methods of Param that register a teardown
	Why      string   // completes "<function> ...", for diagnostics
	Source   string
}

// PerLoadSetups are the hosts' setup conventions churnlint knows.
var PerLoadSetups = []PerLoadSetup{
	{"github.com/coredns/caddy.Controller", []string{"OnShutdown", "OnFinalShutdown", "OnRestart"},
		"is a CoreDNS plugin setup, run again on every Corefile reload", "CoreDNS: plugin.Register setup funcs; c.OnShutdown registers teardown"},
	{"github.com/caddyserver/caddy.Controller", []string{"OnShutdown", "OnFinalShutdown", "OnRestart"},
		"is a Caddy v1 plugin setup, run again on every config reload", "Caddy v1 (older CoreDNS): caddy.RegisterPlugin setup funcs"},
}
