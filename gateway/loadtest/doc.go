// Package loadtest drives a bounded, open-loop MCP load (tools/call mixed
// with tools/list, resources/read and prompts/get) at a fixed rate against
// a gateway on the loopback interface, samples the gateway every second
// (achieved rate, HDR latency percentiles, errors, RSS, Go heap and
// goroutines, open fds, TCP connections to the upstream, new upstream
// connections), and writes report.json, samples.csv and a chart.
//
// It can build and start what it measures (the demo upstream, the
// reference gateway, the churny fixture under testdata/churnygateway and
// the same fixture after churnlint -fix) as separate processes, one target
// after another with the same load, so that connection churn shows up as
// numbers: new upstream connections per request, sockets left in
// TIME_WAIT, goroutines and memory that grow with the request count.
//
// Every loop is bounded in count and time, and every address it talks to
// must be a loopback address.
package loadtest
