// Package worker is a stub of go.temporal.io/sdk/worker.
package worker

type Worker interface {
	RegisterActivity(a interface{})
	RegisterWorkflow(w interface{})
	Run(interruptCh <-chan interface{}) error
}
