// Package controllers reconciles microvms through a client factory held
// in a function-typed field that only main sets.
package controllers

import (
	"context"
	"errors"

	"example.com/wiringfixed/flclient"
)

// MachineReconciler reconciles one machine per call.
type MachineReconciler struct {
	MvmClientFunc flclient.FactoryFunc
}

// Reconcile runs on every reconcile.
func (r *MachineReconciler) Reconcile(ctx context.Context, name string) error {
	svc, err := r.getMicrovmService(name)
	if err != nil {
		return err
	}
	defer svc.Close()
	return svc.Get(name)
}

func (r *MachineReconciler) getMicrovmService(addr string) (flclient.MicroVMClient, error) {
	if r.MvmClientFunc == nil {
		return nil, errors.New("no client factory")
	}
	return r.MvmClientFunc(addr)
}
