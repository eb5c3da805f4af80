package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestQuitOnSignal starts the real kiosk under Xvfb again and again and
// stops it with SIGTERM at moments spread over start-up and the attract
// loop, as systemd and the session script do: every run must exit 0
// within seconds, without a panic. (The idle pump once called GLFW after
// Fyne had terminated it, a panic and exit status 2 in about one stop in
// seven.)
func TestQuitOnSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode")
	}
	bin, cfg, dir, display := kioskOnXvfb(t, "kiosk-quit")

	const runs = 10
	for i := range runs {
		var out bytes.Buffer
		cmd := exec.Command(bin, "--config", cfg)
		cmd.Env = append(os.Environ(), "DISPLAY="+display, "LANG=en_US.UTF-8", "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir)
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		wait := time.Duration(300+i*450) * time.Millisecond // 0.3 s to 4.35 s: start-up, then the idle pump waiting
		time.Sleep(wait)
		stopped := time.Now()
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil || strings.Contains(out.String(), "panic") {
				t.Fatalf("run %d, SIGTERM after %v: %v\n%s", i, wait, err, out.String())
			}
			if took := time.Since(stopped); took > 5*time.Second {
				t.Errorf("run %d took %v to stop", i, took)
			}
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("run %d did not stop within 15 s of SIGTERM\n%s", i, out.String())
		}
	}
}
