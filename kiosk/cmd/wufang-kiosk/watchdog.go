package main

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
)

// kioskHealth is the kiosk's health for the systemd watchdog
// (sdnotify.Watchdog): the edge node's (its store accepts writes, its
// sensor and uplink loops run: node.Healthy) and the screen's: a function
// posted to Fyne's main thread with do runs before ctx ends. wake
// interrupts the idle pump's wait, so a loop that still turns answers at
// once instead of after up to 30 s.
func kioskHealth(ctx context.Context, nodeHealthy func() error, do func(func()), wake func()) error {
	if err := nodeHealthy(); err != nil {
		return err
	}
	asked := time.Now()
	ran := make(chan struct{})
	// do may block too, when Fyne's queue is full and the loop stuck.
	go func() {
		do(func() { close(ran) })
		wake()
	}()
	select {
	case <-ran:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("the screen's UI loop has not turned for %v", time.Since(asked).Round(100*time.Millisecond))
	}
}

// serveNotify tells systemd the kiosk is up (READY=1: its first screen is
// on) and feeds the watchdog while kioskHealth holds.
func (k *kiosk) serveNotify(ctx context.Context) {
	stop := k.notify.Serve(ctx, "running", func(ctx context.Context) error {
		return kioskHealth(ctx, k.node.Healthy, fyne.Do, k.pump.wake)
	}, k.log)
	k.stopNotify.Store(&stop)
}

// stopNotifying ends the watchdog and sends STOPPING=1.
func (k *kiosk) stopNotifying() {
	if stop := k.stopNotify.Load(); stop != nil {
		(*stop)()
		return
	}
	_ = k.notify.Stopping()
}
