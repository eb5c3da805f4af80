package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/wufang-kiosk/wufang/internal/sdnotify"
	"github.com/wufang-kiosk/wufang/internal/sdnotify/sdnotifytest"
)

// TestWatchdogGating: with Fyne's test driver as the UI loop, the kiosk
// feeds systemd's watchdog while the loop runs posted functions and the
// node is healthy; a loop that stops turning, or a node whose store fails,
// stops the pings with the reason in STATUS=; pings resume once both hold.
func TestWatchdogGating(t *testing.T) {
	test.NewTempApp(t)
	var wedged atomic.Bool
	stuck := make(chan func(), 100) // what a wedged loop never runs
	do := func(f func()) {
		if wedged.Load() {
			stuck <- f
			return
		}
		fyne.Do(f)
	}
	var woken atomic.Int64
	var nodeErr atomic.Pointer[error]
	nodeHealthy := func() error {
		if p := nodeErr.Load(); p != nil {
			return *p
		}
		return nil
	}
	sock := sdnotifytest.Listen(t, false)
	n := sdnotify.New(sock.Addr, time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := n.Serve(ctx, "running", func(ctx context.Context) error {
		return kioskHealth(ctx, nodeHealthy, do, func() { woken.Add(1) })
	}, nil)
	const wait = 10 * time.Second
	sock.WaitFor(t, "READY=1", wait)
	sock.WaitFor(t, "WATCHDOG=1", wait)
	sock.WaitFor(t, "WATCHDOG=1", wait)
	if woken.Load() == 0 {
		t.Error("the probe never woke the idle pump")
	}

	broken := func(breakIt, mend func(), reasons ...string) {
		t.Helper()
		breakIt()
		var status string
		for status == "" {
			m, ok := sock.Next(wait)
			if !ok {
				t.Fatalf("no STATUS= after breaking (%s): %q", reasons[0], sock.All())
			}
			if v, _ := sdnotifytest.Value(m, "STATUS"); strings.HasPrefix(v, "unhealthy: ") {
				status = v
			}
		}
		if !slices.ContainsFunc(reasons, func(r string) bool { return strings.Contains(status, r) }) {
			t.Fatalf("STATUS=%s, want one of %q", status, reasons)
		}
		sock.NoPing(t, 2*time.Second) // four ping times
		mend()
		for _, m := range sock.WaitFor(t, "STATUS=running", wait) {
			if sdnotifytest.HasLine(m, "WATCHDOG=1") {
				t.Fatalf("a ping while unhealthy: %q", m)
			}
		}
		sock.WaitFor(t, "WATCHDOG=1", wait)
	}
	broken(func() { wedged.Store(true) }, func() {
		wedged.Store(false)
		for len(stuck) > 0 { // the loop turns again: what waited runs
			(<-stuck)()
		}
		// The probe's own deadline comes a little before the next ping
		// time; on a loaded machine the ping time may come first.
	}, "the screen's UI loop has not turned", "the health check has not answered")
	storeErr := errors.New("the event store does not accept writes (write error): disk I/O error")
	broken(func() { nodeErr.Store(&storeErr) }, func() { nodeErr.Store(nil) }, "the event store does not accept writes")

	stop()
	if m, _ := sock.Next(wait); !sdnotifytest.HasLine(m, "STOPPING=1") {
		// A ping may still have been on its way; STOPPING=1 follows it.
		sock.WaitFor(t, "STOPPING=1", wait)
	}
}

// TestWatchdogRealKiosk runs the real kiosk under Xvfb as systemd would
// (through the session relay, NOTIFY_SOCKET and WATCHDOG_USEC are the
// kiosk's own): READY=1 once the first screen is on, then WATCHDOG=1 pings
// through Fyne's real loop while the idle pump sleeps (the probe wakes
// it), and STOPPING=1 on SIGTERM.
func TestWatchdogRealKiosk(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode")
	}
	bin, cfg, dir, display := kioskOnXvfb(t, "kiosk-wd")
	sock := sdnotifytest.Listen(t, false)
	var out bytes.Buffer
	cmd := exec.Command(bin, "--config", cfg)
	// 2 s: a ping a second, far more often than the idle pump's 30 s wait.
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "LANG=en_US.UTF-8", "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir,
		"NOTIFY_SOCKET="+sock.Addr, "WATCHDOG_USEC=2000000", "WATCHDOG_PID=")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		cmd.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("kiosk output:\n%s", out.String())
		}
	}()
	const wait = 60 * time.Second
	sock.WaitFor(t, "READY=1", wait)
	for range 5 {
		sock.WaitFor(t, "WATCHDOG=1", wait)
	}
	for _, m := range sock.All() {
		if v, ok := sdnotifytest.Value(m, "STATUS"); ok && strings.HasPrefix(v, "unhealthy") {
			t.Errorf("STATUS=%s from a healthy kiosk", v)
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	sock.WaitFor(t, "STOPPING=1", wait)
	if err := <-done; err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
	done <- nil
}

// kioskOnXvfb builds the kiosk and starts an 800x480 Xvfb: the binary, a
// config for device (simulated sensors, no status endpoint, the data in
// dir) and DISPLAY.
func kioskOnXvfb(t *testing.T, device string) (bin, cfg, dir, display string) {
	t.Helper()
	needTools(t, "xvfb", "Xvfb")
	dir = t.TempDir()
	bin = buildKiosk(t, dir)
	cfg = filepath.Join(dir, "wufang.yaml")
	writeFile(t, cfg, fmt.Sprintf("site: test\ndevice: %s\ndata_dir: %s\nhttp: {listen: \"\"}\nsensors: {simulate: true}\n",
		device, filepath.Join(dir, "data")))
	return bin, cfg, dir, startXvfb(t, "800x480x24")
}
