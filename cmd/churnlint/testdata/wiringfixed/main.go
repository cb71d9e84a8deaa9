// Command wiring wires the factories together: the only package that
// imports both the implementations and their callers.
package main

import (
	"context"
	"net/http"
	"time"

	"example.com/wiringfixed/client"
	"example.com/wiringfixed/controllers"
	"example.com/wiringfixed/flclient"
	"example.com/wiringfixed/frontend"
	"example.com/wiringfixed/rpc"
)

func main() {
	h := &frontend.Admin{Clients: client.NewFactory(rpc.NewFactory(10 * time.Second))}
	r := &controllers.MachineReconciler{MvmClientFunc: flclient.NewClient}
	go func() { _ = r.Reconcile(context.Background(), "vm-1") }()
	_ = http.ListenAndServe("127.0.0.1:8080", h)
}
