package node

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/config"
	"github.com/wufang-kiosk/wufang/edge/store"
	"github.com/wufang-kiosk/wufang/edge/uplink/brokertest"
	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/sensors"
)

func testConfig(t *testing.T, broker string) *config.Config {
	t.Helper()
	cfg := config.Default()
	cfg.Site, cfg.Device = "test-site", "door-1"
	cfg.DataDir = t.TempDir()
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.Sensors.Simulate = true
	cfg.MQTT.Broker = broker
	cfg.Kiosk.OpeningHours = nil // always open
	return cfg
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	return string(b)
}

func TestNodeRecordsDoorAndPublishes(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	cfg := testConfig(t, b.URL())
	topics, _ := wire.NewTopics(cfg.MQTT.TopicRoot, cfg.Site, cfg.Device)
	sub := b.Subscribe(t, topics.Root+"/#")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n, err := Start(ctx, cfg, Options{Version: "1.2.3", UplinkBackoff: func(int) time.Duration { return 50 * time.Millisecond }})
	if err != nil {
		t.Fatal(err)
	}
	if n.Sim == nil {
		t.Fatal("simulate: true but no Sim")
	}
	events := n.Sensors()
	for _, cross := range []func(context.Context) error{n.Sim.Enter, n.Sim.Enter, n.Sim.Exit} {
		if err := cross(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond) // the beams' debounce between people
	}
	var got []sensors.Kind
	for len(got) < 3 {
		select {
		case e := <-events:
			if e.Kind == sensors.DoorEntry || e.Kind == sensors.DoorExit {
				got = append(got, e.Kind)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("sensor copies: %v", got)
		}
	}
	if !sub.WaitFor(10*time.Second, func(m []brokertest.Message) bool {
		for i := len(m) - 1; i >= 0; i-- {
			if m[i].Topic == topics.Totals() {
				tot, err := wire.DecodeTotals(m[i].Payload)
				return err == nil && tot.Lifetime.Entries == 2 && tot.Lifetime.Exits == 1
			}
		}
		return false
	}) {
		t.Fatalf("no totals with 2 entries and 1 exit; status %+v", n.Status().Uplink)
	}

	base := "http://" + n.HTTPAddr()
	var st Status
	if err := json.Unmarshal([]byte(get(t, base+"/status")), &st); err != nil {
		t.Fatal(err)
	}
	if st.Lifetime.Entries != 2 || st.Lifetime.Exits != 1 || !st.Uplink.Connected || st.App != "1.2.3" || st.Store.LastSeq < 3 {
		t.Fatalf("status: %+v", st)
	}
	metrics := get(t, base+"/metrics")
	if st.Store.State != store.StateOK || st.Store.RecordFailures != 0 {
		t.Errorf("store state %+v", st.Store)
	}
	for _, want := range []string{"wufang_store_ok 1\n", `wufang_store_state{state="disk full"} 0`, "wufang_store_record_failures_total 0\n", "wufang_door_entries_total 2\n", "wufang_door_exits_total 1\n", "wufang_uplink_connected 1\n", `wufang_info{site="test-site",device="door-1",app="1.2.3"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q:\n%s", want, metrics)
		}
	}
	cancel()
	if err := n.Wait(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-events; ok {
		// drain: the channel must end up closed
		for range events {
		}
	}
}

func TestAfterHoursDoorEvents(t *testing.T) {
	cfg := testConfig(t, "")
	cfg.Kiosk.OpeningHours = map[string]string{"daily": "closed"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n, err := Start(ctx, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Sim.Enter(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for n.Store.Totals().Lifetime.Entries == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if l := n.Store.Totals().Lifetime; l.Entries != 1 || l.AfterHoursEntries != 1 {
		t.Fatalf("lifetime %+v", l)
	}
	cancel()
	if err := n.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestSensorFaultRecorded(t *testing.T) {
	cfg := testConfig(t, "")
	cfg.Sensors.StuckAfter = config.Duration(300 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n, err := Start(ctx, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	events := n.Sensors()
	if err := n.Sim.Beam("outer", true); err != nil { // someone leaves a bag in the beam
		t.Fatal(err)
	}
	waitKind := func(k sensors.Kind) sensors.Event {
		t.Helper()
		for {
			select {
			case e := <-events:
				if e.Kind == k {
					return e
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("no %s event", k)
			}
		}
	}
	f := waitKind(sensors.Fault)
	if err := n.Sim.Beam("outer", false); err != nil {
		t.Fatal(err)
	}
	waitKind(sensors.OK)
	time.Sleep(100 * time.Millisecond)
	if got := n.Store.Totals().Lifetime.SensorFaults; got != 1 {
		t.Fatalf("sensor faults counted %d, want 1 (fault %+v)", got, f)
	}
	st := n.Status()
	if len(st.Sensors) == 0 {
		t.Fatal("no sensor health in status")
	}
	cancel()
	if err := n.Wait(); err != nil {
		t.Fatal(err)
	}
	// Recorded as sensor.fault then sensor.ok, with the sensor's name.
	s, err := store.OpenReadOnly(StorePath(cfg), StoreOptions(cfg, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	evs, _ := s.Pending(0, 100)
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, string(e.Kind)+"/"+e.Sensor)
	}
	if got := strings.Join(kinds, " "); !strings.Contains(got, "sensor.fault/door") || !strings.Contains(got, "sensor.ok/door") {
		t.Fatalf("recorded %s", got)
	}
}

func TestNoGPIOFallsBackToSimulation(t *testing.T) {
	if chips, _ := filepath.Glob("/dev/gpiochip*"); len(chips) > 0 {
		t.Skip("this machine has GPIO")
	}
	cfg := testConfig(t, "")
	cfg.Sensors.Simulate = false
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n, err := Start(ctx, cfg, Options{})
	if err != nil {
		t.Fatalf("without GPIO the node must fall back to simulated sensors: %v", err)
	}
	defer func() { cancel(); n.Wait() }()
	if n.Sim == nil {
		t.Fatal("no GPIO, yet no simulated sensors")
	}
}

// TestHTTPIdleConnectionsClosed: idle keep-alive connections to the status
// endpoint were never closed (no IdleTimeout, ReadTimeout, WriteTimeout).
func TestHTTPIdleConnectionsClosed(t *testing.T) {
	defer func(d time.Duration) { httpIdleTimeout = d }(httpIdleTimeout)
	httpIdleTimeout = 300 * time.Millisecond
	cfg := testConfig(t, "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n, err := Start(ctx, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", n.HTTPAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /status HTTP/1.1\r\nHost: x\r\n\r\n")
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	// Now idle: the server hangs up after the idle timeout.
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	if _, err := r.ReadByte(); err != io.EOF {
		t.Fatalf("idle connection: read %v after %v, want EOF", err, time.Since(start))
	}
	cancel()
	n.Wait()
}
