package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/wufang-kiosk/wufang/internal/sdnotify/sdnotifytest"
)

// setFileSizeLimit sets the soft RLIMIT_FSIZE of process pid (prlimit(2);
// the hard limit stays, so it can be raised again): bytes 0 would forbid
// nothing, so 1 is the way to make every write past the file's first byte
// fail with EFBIG, the store's pages included (its first page holds a meta
// page, written only after the data pages, which now fail first).
func setFileSizeLimit(t *testing.T, pid int, bytes uint64) {
	t.Helper()
	lim := struct{ cur, max uint64 }{bytes, ^uint64(0)}
	if _, _, e := syscall.RawSyscall6(syscall.SYS_PRLIMIT64, uintptr(pid), uintptr(syscall.RLIMIT_FSIZE),
		uintptr(unsafe.Pointer(&lim)), 0, 0, 0); e != 0 {
		t.Fatalf("prlimit(%d, RLIMIT_FSIZE, %d): %v", pid, bytes, e)
	}
}

// TestWatchdog runs the real daemon as systemd would with Type=notify and
// WatchdogSec=: READY=1 once it runs, then WATCHDOG=1 pings; when its
// store can no longer write (every write refused with EFBIG, as a failing
// SD card refuses them) the pings stop and STATUS= says why, so systemd
// would restart it; once writes work again the pings come back; SIGTERM
// sends STOPPING=1. A broker that is down (mqtt.broker points at a closed
// port) never stops the pings.
func TestWatchdog(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "wufang.yaml")
	cfg := fmt.Sprintf("site: wd-site\ndevice: door-1\ndata_dir: %s\nmqtt:\n  broker: tcp://%s\nhttp:\n  listen: \"\"\nsensors:\n  simulate: true\n",
		filepath.Join(dir, "data"), freeAddr(t))
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	// Visitors for as long as the test runs: something to record.
	script := strings.Repeat("+400ms enter\n+400ms exit\n", 1000)
	scriptPath := filepath.Join(dir, "visitors.txt")
	if err := os.WriteFile(scriptPath, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	sock := sdnotifytest.Listen(t, false)
	cmd := exec.Command(bin, "--config", cfgPath, "run", "--sim-script", scriptPath)
	// A pipe, not a file: the file size limit below must not touch the log.
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	// 1 s: a ping every 500 ms. No WATCHDOG_PID: systemd's would be the
	// child's own pid, unknown before it starts (absent means any).
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock.Addr, "WATCHDOG_USEC=1000000", "WATCHDOG_PID=")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("daemon log:\n%s", logs.String())
		}
	}()
	const wait = 30 * time.Second
	if before := sock.WaitFor(t, "READY=1", wait); len(before) > 0 {
		t.Fatalf("sent before READY=1: %q", before)
	}
	for range 3 {
		sock.WaitFor(t, "WATCHDOG=1", wait)
	}

	setFileSizeLimit(t, cmd.Process.Pid, 1)
	var status string
	for status == "" {
		m, ok := sock.Next(wait)
		if !ok {
			t.Fatalf("no STATUS= after the store's writes began to fail: %q", sock.All())
		}
		if v, _ := sdnotifytest.Value(m, "STATUS"); strings.HasPrefix(v, "unhealthy: ") {
			status = v
		}
	}
	if !strings.Contains(status, "the event store does not accept writes (write error)") {
		t.Fatalf("STATUS=%s", status)
	}
	// Six ping times with the store still failing: no ping.
	sock.NoPing(t, 3*time.Second)
	setFileSizeLimit(t, cmd.Process.Pid, ^uint64(0))
	for _, m := range sock.WaitFor(t, "STATUS=running", wait) {
		if sdnotifytest.HasLine(m, "WATCHDOG=1") {
			t.Fatalf("a ping before health came back: %q", m)
		}
	}
	sock.WaitFor(t, "WATCHDOG=1", wait)

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	sock.WaitFor(t, "STOPPING=1", wait)
	if err := <-done; err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	done <- nil
}
