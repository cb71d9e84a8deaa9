// Package clientshutdown defines an Analyzer that reports owner types that
// open a connection pool and never release it.
//
// # Analyzer clientshutdown
//
// clientshutdown: report owners that open a client and never release it
//
// A type that creates a pool owner (an http.Transport, an http.Client with
// its own transport, a gRPC connection, or any catalogued constructor) and
// keeps it in a field must release it when it is shut down: otherwise its
// idle connections, and the two goroutines each one holds, outlive it. A
// plugin that opens a client in its constructor or Init is the classic case.
//
// The check reports:
//
//   - an owner with no release method (Shutdown, Close, Stop) at all, when
//     a host manages it (it has a lifecycle: Init, Start, ServeHTTP, ...),
//     or when it is a library value (an exported type its package hands out
//     through an exported New... constructor) that keeps a connection it
//     dialled, such as a gRPC ClientConn, in a field its users cannot reach
//     (a package under internal/, cmd/ or pkg/ is an application's own code,
//     not a library);
//   - an owner whose only release method is promoted from an embedded base
//     (a no-op Shutdown every plugin inherits), which cannot release the
//     owner's own pools;
//   - a release method that does not release the field (an unexported one,
//     closeIdleConnections or close, is the owner's own teardown and counts),
//     directly or through the methods, helpers, defers and function literals
//     it calls (or only sets it to nil, which closes nothing);
//   - an owner that implements its host's lifecycle interface (any interface
//     in scope declaring Shutdown(context.Context) error, or one named by
//     -lifecycle) but releases the client only in a method the host never
//     calls;
//   - a reload method that replaces the field with a new pool without
//     releasing the old one;
//   - a pool created in a function that is released on some paths and
//     dropped on another (an early return).
//
// An http.RoundTripper that keeps a pool is told to forward
// CloseIdleConnections, which http.Client.CloseIdleConnections calls on its
// Transport: a Close on it would have no caller.
//
// It is quiet on owners whose pool came from outside (a shared client
// passed in), on pools created in main and init, on clients using the
// default transport, on components run until the process exits (Run or
// Serve beside their setup, or Start given the context that ends them)
// unless a host of the module drives them through an interface, and in
// test and generated files unless -tests or -generated is set.
//
// Where it can, it offers a fix: a Close (or the host's Shutdown) method
// that calls CloseIdleConnections on the field, the owner's own version of a
// promoted method (releasing, then calling the embedded one), or the missing
// release call inserted in the existing release method after its leading
// guards. No fix is offered for a field that may also hold a shared default
// (http.DefaultClient), nor a Close for an owner whose host drives it
// through an interface with no release method (nothing would call it).
//
// To silence one finding, say why on its line or on a line of its own just
// above it (the finding is on the owner type, or on its release method):
//
//	//churnlint:ignore clientshutdown lives as long as the process
//	type Registry struct {
//
// The reason is mandatory, and the directive may name both checks
// (clientchurn,clientshutdown). A directive naming clientshutdown that has
// no reason, or that no longer suppresses a clientshutdown finding, is
// itself reported. A suppressed finding's fix is not applied.
package clientshutdown
