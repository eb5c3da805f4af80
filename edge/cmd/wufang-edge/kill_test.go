package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/config"
	"github.com/wufang-kiosk/wufang/edge/node"
	"github.com/wufang-kiosk/wufang/edge/store"
	"github.com/wufang-kiosk/wufang/edge/uplink/brokertest"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// buildBinary builds wufang-edge into a temporary folder.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "wufang-edge")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestKill runs the real daemon with simulated sensors playing a fast
// visitor stream, SIGKILLs it at random moments (restarting the broker at
// random too) and restarts it each time. At the end the retained totals at
// the broker must equal the store's counters, and every recorded sequence
// number must have reached a subscriber.
func TestKill(t *testing.T) {
	if testing.Short() {
		t.Skip("kill test in -short mode")
	}
	bin := buildBinary(t)
	b := brokertest.Start(t, brokertest.Options{})
	dir := t.TempDir()
	httpAddr := freeAddr(t)
	cfgPath := filepath.Join(dir, "wufang.yaml")
	cfgText := fmt.Sprintf(`site: kill-site
device: door-1
data_dir: %s
mqtt:
  broker: %s
  keepalive: 5s
http:
  listen: %s
sensors:
  simulate: true
kiosk:
  opening_hours: {daily: "06:00-22:00"}
`, filepath.Join(dir, "data"), b.URL(), httpAddr)
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o600); err != nil {
		t.Fatal(err)
	}
	// A stream of people in and out as fast as the simulated door counts
	// them exactly (a crossing takes 0.3 s, and the counter needs the beams
	// clear a little while between people), with presence now and then.
	var script strings.Builder
	for i := range 40 {
		fmt.Fprintf(&script, "+400ms enter\n+400ms exit\n")
		if i%5 == 0 {
			fmt.Fprintf(&script, "+0 wave\n")
		}
	}
	scriptPath := filepath.Join(dir, "visitors.txt")
	if err := os.WriteFile(scriptPath, []byte(script.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	topics, _ := wire.NewTopics(cfg.MQTT.TopicRoot, cfg.Site, cfg.Device)
	events := b.Subscribe(t, topics.Event())
	statuses := b.Subscribe(t, topics.Status())

	start := func(args ...string) (*exec.Cmd, chan error) {
		cmd := exec.Command(bin, append([]string{"--config", cfgPath, "run"}, args...)...)
		logf, err := os.OpenFile(filepath.Join(dir, "daemon.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = logf, logf
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		logf.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		return cmd, done
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	kills, brokerRestarts := 0, 0
	for kills < 22 {
		cmd, done := start("--sim-script", scriptPath)
		time.Sleep(time.Duration(300+rng.IntN(1500)) * time.Millisecond)
		if rng.IntN(4) == 0 {
			b.Stop()
			brokerRestarts++
			time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond)
			if rng.IntN(2) == 0 {
				_ = cmd.Process.Kill() // killed while the broker is down
				<-done
				kills++
				b.Start()
				continue
			}
			b.Start()
			time.Sleep(time.Duration(rng.IntN(500)) * time.Millisecond)
		}
		_ = cmd.Process.Kill()
		<-done
		kills++
	}
	t.Logf("%d kills, %d broker restarts", kills, brokerRestarts)

	// A last run without visitors, left to finish sending, then stopped
	// cleanly.
	cmd, done := start()
	var st node.Status
	var lastSeq uint64
	stable := time.Time{}
	waitUntil := time.Now().Add(30 * time.Second)
	for {
		if time.Now().After(waitUntil) {
			t.Fatalf("the daemon did not drain: %+v", st)
		}
		time.Sleep(100 * time.Millisecond)
		if err := getJSON("http://"+httpAddr+"/status", &st); err != nil {
			continue
		}
		if st.Store.LastSeq != lastSeq || st.Store.Backlog != 0 || !st.Uplink.Connected {
			lastSeq, stable = st.Store.LastSeq, time.Time{}
			continue
		}
		if stable.IsZero() {
			stable = time.Now()
		}
		// Sent everything and nothing new for 1.5 s: totals are out too.
		if time.Since(stable) > 1500*time.Millisecond {
			break
		}
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the daemon did not exit cleanly on SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the daemon did not stop on SIGTERM")
	}

	s, err := store.OpenReadOnly(node.StorePath(cfg), node.StoreOptions(cfg, slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	stats := s.Stats()
	if stats.Boot < uint64(kills)+1 {
		t.Errorf("boot %d after %d starts", stats.Boot, kills+1)
	}
	if stats.LastSeq < 20 {
		t.Fatalf("only %d events recorded; see %s", stats.LastSeq, filepath.Join(dir, "daemon.log"))
	}
	want := s.Totals()
	got := b.Retained(t, topics.Totals(), 200*time.Millisecond)[topics.Totals()]
	tot, err := wire.DecodeTotals(got)
	if err != nil {
		t.Fatalf("retained totals %s: %v", got, err)
	}
	if !tot.Lifetime.Equal(want.Lifetime) || tot.Seq != want.Seq {
		t.Fatalf("retained totals seq %d %+v\nstore seq %d %+v", tot.Seq, tot.Lifetime, want.Seq, want.Lifetime)
	}
	recorded, err := s.Pending(0, int(stats.LastSeq)+1)
	if err != nil {
		t.Fatal(err)
	}
	if uint64(len(recorded)) != stats.LastSeq {
		t.Fatalf("store holds %d events, last seq %d", len(recorded), stats.LastSeq)
	}
	received := map[uint64]bool{}
	if !events.WaitFor(10*time.Second, func(m []brokertest.Message) bool { return len(m) >= len(recorded) }) {
		t.Fatalf("subscriber got %d messages for %d events", len(events.Messages()), len(recorded))
	}
	for _, m := range events.Messages() {
		e, err := wire.DecodeEvent(m.Payload)
		if err != nil {
			t.Fatalf("event payload %s: %v", m.Payload, err)
		}
		received[e.Seq] = true
	}
	for _, e := range recorded {
		if !received[e.Seq] {
			t.Errorf("recorded event seq %d (%s) never reached the subscriber", e.Seq, e.Kind)
		}
	}
	offline := 0
	for _, m := range statuses.Messages() {
		if st, err := wire.DecodeStatus(m.Payload); err == nil && !st.Online {
			offline++
		}
	}
	if offline < 2 {
		t.Errorf("%d offline statuses: the last will after a kill should have said offline", offline)
	}
	t.Logf("%d events recorded over %d boots, %d event messages, lifetime entries %d exits %d",
		stats.LastSeq, stats.Boot, len(events.Messages()), want.Lifetime.Entries, want.Lifetime.Exits)
}

func getJSON(url string, v any) error {
	c := &http.Client{Timeout: time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}
