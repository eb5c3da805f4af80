package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/hub/pgtest"
	"github.com/wufang-kiosk/wufang/edge/uplink/brokertest"
	"github.com/wufang-kiosk/wufang/internal/sdnotify/sdnotifytest"
)

// TestWatchdog runs the real hub on PostgreSQL as systemd would with
// Type=notify and WatchdogSec=: READY=1, then WATCHDOG=1 pings, which go on
// while the broker is down (an outage is ridden out, not restarted) and
// stop while the database does not answer (PostgreSQL frozen: every ping
// hangs), with the reason in STATUS=; they come back when it answers
// again; SIGTERM sends STOPPING=1.
func TestWatchdog(t *testing.T) {
	bin := build(t, ".", "wufang-hub")
	b := brokertest.Start(t, brokertest.Options{})
	pg := pgtest.Start(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "hub.yaml")
	text := fmt.Sprintf("data_dir: %s\nmqtt:\n  broker: %s\n  client_id: hub-wd\n  share_group: \"\"\nhttp:\n  listen: \"\"\ndatabase:\n  url: %s\n",
		dir, b.URL(), pg.NewDatabase(t))
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	sock := sdnotifytest.Listen(t, false)
	// 4 s: a ping every 2 s, each check given 1.6 s.
	t.Setenv("NOTIFY_SOCKET", sock.Addr)
	t.Setenv("WATCHDOG_USEC", "4000000")
	t.Setenv("WATCHDOG_PID", "")
	logPath := filepath.Join(dir, "hub.log")
	p := startProc(t, logPath, bin, "--config", cfg, "run")
	defer func() {
		pg.Resume()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("hub log:\n%s", b)
		}
	}()
	const wait = 30 * time.Second
	sock.WaitFor(t, "READY=1", wait)
	sock.WaitFor(t, "WATCHDOG=1", wait)

	b.Stop()
	for range 3 {
		sock.WaitFor(t, "WATCHDOG=1", wait)
	}
	for _, m := range sock.All() {
		if v, _ := sdnotifytest.Value(m, "STATUS"); strings.HasPrefix(v, "unhealthy") {
			t.Fatalf("STATUS=%s with only the broker down", v)
		}
	}
	b.Start()

	pg.Pause()
	var status string
	for deadline := time.Now().Add(wait); status == ""; {
		m, ok := sock.Next(time.Until(deadline))
		if !ok {
			t.Fatalf("no STATUS= while the database is frozen: %q", sock.All())
		}
		if v, _ := sdnotifytest.Value(m, "STATUS"); strings.HasPrefix(v, "unhealthy: ") {
			status = v
		}
	}
	if !strings.Contains(status, "the postgres database does not answer") && !strings.Contains(status, "the health check has not answered") {
		t.Fatalf("STATUS=%s", status)
	}
	sock.NoPing(t, 6*time.Second) // three ping times
	pg.Resume()
	for _, m := range sock.WaitFor(t, "STATUS=running", wait) {
		if sdnotifytest.HasLine(m, "WATCHDOG=1") {
			t.Fatalf("a ping before the database answered: %q", m)
		}
	}
	sock.WaitFor(t, "WATCHDOG=1", wait)

	if err := p.term(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	sock.WaitFor(t, "STOPPING=1", wait)
}
