// Package clientchurn defines an Analyzer that reports connection pools
// (HTTP transports, clients with their own transport, gRPC connections)
// created on every call of a per-call function and then dropped.
//
// # Analyzer clientchurn
//
// clientchurn: report connection pools created per call and dropped
//
// In Go the connection pool lives in the http.Transport. A transport
// created for one request and dropped pays a TCP and TLS handshake on every
// call, leaves sockets in TIME_WAIT, and keeps its idle connections (each
// with a read and a write goroutine) alive until CloseIdleConnections is
// called, which a dropped transport never gets. Under load this is memory
// that grows by the minute and throughput that collapses.
//
// The check follows each pool a function creates, directly or through
// helpers and constructors in any package, and reports it when the
// function runs once per request or item (an HTTP handler, a RoundTripper,
// a Gather/Collect/Reconcile/refresh method, an MCP tool handler, a
// function literal returned by a factory, a loop body, a gRPC service
// method, cron job or Temporal activity by its registration, an exported
// operation such as Get or Do of a value its package constructs or shares
// as an exported variable, or
// anything such a function calls, through interfaces and function values
// the package can resolve) and the pool does not outlive the call:
//
//	func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
//		c := &http.Client{Transport: &http.Transport{MaxIdleConns: 10}} // reported
//		...
//	}
//
// It stays quiet when the pool is kept: a package-level variable, a field
// set in a constructor, a lazily filled field, sync.Once, a cache keyed by
// host; and on code that runs once (main, init, a CLI command's action) or
// redials only when a long-lived stream breaks. A per-call
// &http.Client{Timeout: t} with no Transport of its own uses
// http.DefaultTransport and is not churn. A map keyed by a value made new
// on every call (a random ticket) is no cache, and is reported.
//
// It also reports broken memoisation: a nil check on a field that builds a
// new pool but never stores it back, so every call builds one; and a pool
// stored over a package-level value on every call with no check of what
// it holds (a webhook setting http.DefaultClient.Transport per event): kept,
// but each call replaces the last pool, which nothing closes; and a pool
// cached under an interface value the caller passed while it connects to a
// method of that value (connMap[target] = grpc.Dial(target.Indicator())):
// a new value for the same target misses and connects again; and a pool
// handed to a function that keeps it on some paths and returns normally
// without it on another (an observer manager keeping a cluster's first
// client): dropped whenever that path runs.
//
// A pool made only on the miss path of a cache lookup, in a function
// that fills that cache, runs once per entry and is not reported.
//
// An exported function of a library package (not under internal/, cmd/ or pkg/)
// whose name starts with an operation verb (FetchMetricFamilies:
// knowledge.OperationMethods) counts as called per call by its users in
// other modules, like an exported operation method; so do the methods of a
// type an exported constructor returns as an interface (NewWebhook handing
// out &Webhook{} as a Sink). Only pools they drop are reported: closing per
// call is their callers' choice.
//
// A method that returns a new pool on every call is reported at its
// creation site when a per-call function of a package it depends on calls
// it through an interface and drops the result (a plugin's factory called
// by the server it plugs into): the caller cannot see the implementation,
// so the finding is the implementation's, with each dropping caller as
// related information. The standalone command, which loads the whole
// program, also matches callers and implementations that no import joins
// (both wired together by main or a dependency-injection container): an
// interface whose implementation only hands back what a second interface
// call returned (a client factory over an RPC factory), and a
// function-typed field that only another package sets
// (r.newClient = client.New in main). go vet -vettool and golangci-lint
// analyse one package at a time and do not report these: there an
// implementation is matched only when its package imports the caller's,
// directly or not, and the implementation itself returns the new pool.
//
// A finding is one sentence ("Handler creates a new HTTP transport per call
// and drops it; create it once and reuse it"); its related information
// gives the chain of calls the pool comes from, why the function runs per
// call, where the pool is created, and, when there is no suggested fix,
// why. The remedy is to create the pool once and share it: a
// package-level variable, a field set in the owner's constructor (and
// released in its Close), or one pool per host in a map guarded by a
// mutex. A per-call transport that is closed each call reuses no
// connection: each call still pays the handshake. Not reported: a
// transport that keeps no idle connection (DisableKeepAlives, or an option
// in knowledge.NoIdleOptions), a connection a prober or health check (Probe..., Ping...) makes
// and closes per probe, which is what it measures, and a pool made and
// closed per scrape or reconcile (knowledge.PeriodicEntryPoints). -fix applies the
// suggested fix where one is safe (a package-level variable, a field set
// lazily or in the constructor).
//
// Flags (shared with clientshutdown): -constructors adds pool constructors
// (import/path.Func or import/path.Type.Method), -entrypoints adds per-call
// entry points (method names or parameter types), -tests and -generated
// report in test and generated files too.
//
// To silence one finding, say why on its line or on a line of its own just
// above it (above a statement that spans several lines, it covers the whole
// statement):
//
//	//churnlint:ignore clientchurn the debug endpoint runs once a minute
//	t := &http.Transport{TLSClientConfig: perRequestTLS(r)}
//
// The reason is mandatory, and the directive may name both checks
// (clientchurn,clientshutdown). A directive that has no reason, that names
// no check or an unknown one, or that no longer suppresses a clientchurn
// finding is itself reported, so it cannot outlive the code it was written
// for. A suppressed finding's fix is not applied.
package clientchurn
