package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
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
	"github.com/wufang-kiosk/wufang/edge/hub"
	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/hub/pgtest"
	"github.com/wufang-kiosk/wufang/edge/node"
	"github.com/wufang-kiosk/wufang/edge/store"
	"github.com/wufang-kiosk/wufang/edge/uplink/brokertest"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// build builds a command of this module into a temporary folder.
func build(t testing.TB, pkg, name string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// proc is a child process with its log in a file.
type proc struct {
	cmd  *exec.Cmd
	done chan error
}

func startProc(t testing.TB, logPath string, bin string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logf.Close()
	p := &proc{cmd: cmd, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() { p.kill() })
	return p
}

// kill ends the process (a no-op once it has exited) and waits for it. It
// must not look at cmd.ProcessState, which the Wait goroutine writes.
func (p *proc) kill() {
	_ = p.cmd.Process.Kill()
	select {
	case err := <-p.done:
		p.done <- err
	case <-time.After(10 * time.Second):
	}
}

// term stops the process with SIGTERM and returns its exit error.
func (p *proc) term(t testing.TB) error {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		t.Fatalf("%s did not stop on SIGTERM", p.cmd.Path)
		return nil
	}
}

type device struct {
	site, id, tz string
	cfgPath      string
	httpAddr     string
	log          string
	p            *proc
}

// waitHTTP waits until url answers.
func waitHTTP(t testing.TB, url string) {
	t.Helper()
	waitHTTPVia(t, &http.Client{Timeout: 2 * time.Second}, url)
}

// waitHTTPVia is waitHTTP with the client c.
func waitHTTPVia(t testing.TB, c *http.Client, url string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var v map[string]any
		if getJSONVia(c, url, &v) == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer", url)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func getJSON(url string, v any) error {
	return getJSONVia(&http.Client{Timeout: 2 * time.Second}, url, v)
}

// getJSONVia is getJSON with the client c (one that trusts a test CA).
func getJSONVia(c *http.Client, url string, v any) error {
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// TestEndToEnd runs 6 simulated devices (real wufang-edge processes) on two
// sites in different time zones, a real broker and a real wufang-hub on
// SQLite; devices are SIGKILLed and restarted at random, the broker is
// restarted, and the hub is SIGKILLed and restarted in the middle. One hub
// on Mosquitto takes the events plainly (share_group ""), as its config
// documents: Mosquitto 2.0 forgets shared subscriptions when it restarts. At the
// end the hub's site totals, per-day and per-hour counts equal the sums of
// the devices' own stores exactly, and every event is stored once.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test in -short mode")
	}
	endToEnd(t, e2eOptions{replicas: 1, brokerRestarts: true})
}

// TestReplicasPostgres runs two hub replicas on one PostgreSQL database with
// the shared subscription; one is SIGKILLed mid-run and comes back under its
// client id. The same exactness holds, and no event is stored twice.
func TestReplicasPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test in -short mode")
	}
	srv := pgtest.Start(t)
	endToEnd(t, e2eOptions{replicas: 2, dbURL: srv.NewDatabase(t)})
}

type e2eOptions struct {
	replicas       int
	dbURL          string // "" for SQLite
	brokerRestarts bool
}

// hubReplica is one wufang-hub process of the test.
type hubReplica struct {
	addr, cfg, log string
	p              *proc
}

func endToEnd(t *testing.T, o e2eOptions) {
	edgeBin := build(t, "../wufang-edge", "wufang-edge")
	hubBin := build(t, ".", "wufang-hub")
	b := brokertest.Start(t, brokertest.Options{})
	dir := t.TempDir()

	// The visitor script: people in and out as fast as the simulated door
	// counts them exactly, with presence now and then.
	var script strings.Builder
	for i := range 30 {
		fmt.Fprintf(&script, "+400ms enter\n+400ms exit\n")
		if i%4 == 0 {
			fmt.Fprintf(&script, "+0 wave\n")
		}
	}
	scriptPath := filepath.Join(dir, "visitors.txt")
	if err := os.WriteFile(scriptPath, []byte(script.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var devices []*device
	for _, s := range []struct{ site, tz string }{{"site-sh", "Asia/Shanghai"}, {"site-ldn", "Europe/London"}} {
		for i := 1; i <= 3; i++ {
			d := &device{site: s.site, id: fmt.Sprintf("door-%d", i), tz: s.tz, httpAddr: freeAddr(t)}
			ddir := filepath.Join(dir, s.site+"-"+d.id)
			d.cfgPath = filepath.Join(ddir, "wufang.yaml")
			d.log = filepath.Join(ddir, "edge.log")
			text := fmt.Sprintf("site: %s\ndevice: %s\ntimezone: %s\ndata_dir: %s\nmqtt:\n  broker: %s\n  keepalive: 5s\nhttp:\n  listen: %s\nsensors:\n  simulate: true\n",
				d.site, d.id, d.tz, filepath.Join(ddir, "data"), b.URL(), d.httpAddr)
			if err := os.MkdirAll(ddir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(d.cfgPath, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			devices = append(devices, d)
		}
	}
	hubData := filepath.Join(dir, "hub")
	var replicas []*hubReplica
	for r := range o.replicas {
		hr := &hubReplica{addr: freeAddr(t), cfg: filepath.Join(dir, fmt.Sprintf("hub-%d.yaml", r)), log: filepath.Join(dir, fmt.Sprintf("hub-%d.log", r))}
		share := "" // the default group: replicas split the event stream
		if o.dbURL == "" {
			// One hub on Mosquitto: a plain subscription (see the package doc).
			share = "  share_group: \"\"\n"
		}
		text := fmt.Sprintf("data_dir: %s\nmqtt:\n  broker: %s\n  client_id: hub-e2e-%d\n  keepalive: 5s\n%shttp:\n  listen: %s\n", hubData, b.URL(), r, share, hr.addr)
		if o.dbURL != "" {
			text += "database:\n  url: " + o.dbURL + "\n"
		}
		if err := os.WriteFile(hr.cfg, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		replicas = append(replicas, hr)
	}
	startHub := func(hr *hubReplica) {
		hr.p = startProc(t, hr.log, hubBin, "--config", hr.cfg, "run")
		deadline := time.Now().Add(15 * time.Second)
		for {
			var h map[string]any
			if getJSON("http://"+hr.addr+"/healthz", &h) == nil {
				return
			}
			if time.Now().After(deadline) {
				log, _ := os.ReadFile(hr.log)
				t.Fatalf("the hub did not come up:\n%s", log)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	for _, hr := range replicas {
		startHub(hr)
	}
	for _, d := range devices {
		d.p = startProc(t, d.log, edgeBin, "--config", d.cfgPath, "run", "--sim-script", scriptPath)
	}

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 14))
	kills, brokerRestarts := 0, 0
	chaos := time.Now().Add(20 * time.Second)
	hubRestarted := false
	for time.Now().Before(chaos) {
		time.Sleep(time.Duration(300+rng.IntN(900)) * time.Millisecond)
		switch r := rng.IntN(10); {
		case r < 7:
			d := devices[rng.IntN(len(devices))]
			d.p.kill()
			kills++
			d.p = startProc(t, d.log, edgeBin, "--config", d.cfgPath, "run", "--sim-script", scriptPath)
		case r < 9 && o.brokerRestarts:
			b.Stop()
			brokerRestarts++
			time.Sleep(time.Duration(rng.IntN(500)) * time.Millisecond)
			b.Start()
		}
		if !hubRestarted && time.Until(chaos) < 10*time.Second {
			hr := replicas[rng.IntN(len(replicas))]
			hr.p.kill()
			time.Sleep(500 * time.Millisecond)
			startHub(hr)
			hubRestarted = true
		}
	}
	t.Logf("%d device kills, %d broker restarts, 1 hub kill (%d replicas)", kills, brokerRestarts, len(replicas))

	// Every device: a last run without visitors, left to send everything,
	// then stopped cleanly.
	for _, d := range devices {
		d.p.kill()
		d.p = startProc(t, d.log, edgeBin, "--config", d.cfgPath, "run")
	}
	for _, d := range devices {
		var st node.Status
		var last uint64
		var stable time.Time
		deadline := time.Now().Add(40 * time.Second)
		for {
			if time.Now().After(deadline) {
				t.Fatalf("%s/%s did not drain: %+v", d.site, d.id, st)
			}
			time.Sleep(100 * time.Millisecond)
			if err := getJSON("http://"+d.httpAddr+"/status", &st); err != nil {
				continue
			}
			if st.Store.LastSeq != last || st.Store.Backlog != 0 || !st.Uplink.Connected {
				last, stable = st.Store.LastSeq, time.Time{}
				continue
			}
			if stable.IsZero() {
				stable = time.Now()
			}
			if time.Since(stable) > 1500*time.Millisecond {
				break
			}
		}
	}
	for _, d := range devices {
		if err := d.p.term(t); err != nil {
			log, _ := os.ReadFile(d.log)
			if len(log) > 2000 {
				log = log[len(log)-2000:]
			}
			t.Errorf("%s/%s: exit on SIGTERM: %v; the end of its log:\n%s", d.site, d.id, err, log)
		}
	}

	// What the devices themselves counted.
	type want struct {
		lifetime wire.Counters
		events   int
		days     map[string]int64 // entries per local day
		hours    map[string]map[int]int64
		exits    map[string]int64
	}
	sites := map[string]*want{}
	var totalEvents int
	for _, d := range devices {
		cfg, err := config.Load(d.cfgPath)
		if err != nil {
			t.Fatal(err)
		}
		s, err := store.OpenReadOnly(node.StorePath(cfg), node.StoreOptions(cfg, slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatal(err)
		}
		w := sites[d.site]
		if w == nil {
			w = &want{days: map[string]int64{}, hours: map[string]map[int]int64{}, exits: map[string]int64{}}
			sites[d.site] = w
		}
		w.lifetime.Merge(s.Totals().Lifetime)
		stats := s.Stats()
		evs, err := s.Pending(0, int(stats.LastSeq)+1)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		if uint64(len(evs)) != stats.LastSeq {
			t.Fatalf("%s/%s holds %d events, last seq %d", d.site, d.id, len(evs), stats.LastSeq)
		}
		loc, _ := time.LoadLocation(d.tz)
		for _, e := range evs {
			lt := e.Time.In(loc)
			day := lt.Format(wire.DateLayout)
			switch e.Kind {
			case wire.DoorEntry:
				w.days[day]++
				if w.hours[day] == nil {
					w.hours[day] = map[int]int64{}
				}
				w.hours[day][lt.Hour()]++
			case wire.DoorExit:
				w.exits[day]++
			}
		}
		t.Logf("%s/%s: epoch %s, %d events", d.site, d.id, stats.Epoch, len(evs))
		w.events += len(evs)
		totalEvents += len(evs)
	}

	// The hub catches up, then stops cleanly.
	dbURL := o.dbURL
	if dbURL == "" {
		dbURL = filepath.Join(hubData, "hub.db")
	}
	hubDB, err := db.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer hubDB.Close()
	ctx := context.Background()
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, _, err := hubDB.EventStats(ctx, "")
		var got hub.Site
		ok := err == nil && n == int64(totalEvents)
		for site, w := range sites {
			for _, hr := range replicas {
				if getJSON("http://"+hr.addr+"/api/v1/sites/"+site, &got) != nil || !got.Lifetime.Equal(w.lifetime) {
					ok = false
				}
			}
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(replicas[0].log)
			streams, _ := hubDB.Streams(ctx, "")
			t.Fatalf("the hub holds %d of %d events (%v); site %+v\nstreams %+v\nhub log:\n%s", n, totalEvents, err, got.Lifetime, streams, lastLines(string(log), 10))
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(replicas) > 1 {
		// The shared subscription really split the stream.
		for _, hr := range replicas {
			resp, err := http.Get("http://" + hr.addr + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			var m strings.Builder
			_, _ = io.Copy(&m, resp.Body)
			resp.Body.Close()
			if !strings.Contains(m.String(), `wufang_hub_messages_received_total{kind="event"}`) {
				t.Errorf("replica %s received no event since its start:\n%s", hr.addr, m.String())
			}
		}
	}
	for _, hr := range replicas {
		if err := hr.p.term(t); err != nil {
			t.Errorf("wufang-hub: exit on SIGTERM: %v", err)
		}
	}

	h := hub.New(hubDB, hub.Options{})
	n, dup, err := hubDB.EventStats(ctx, "")
	if err != nil || dup != 0 || n != int64(totalEvents) {
		t.Fatalf("hub: %d events, %d stored twice, %v; devices recorded %d", n, dup, err, totalEvents)
	}
	for site, w := range sites {
		s, err := h.Site(ctx, site)
		if err != nil {
			t.Fatal(err)
		}
		if !s.Lifetime.Equal(w.lifetime) {
			t.Errorf("%s lifetime: hub %+v, devices %+v", site, s.Lifetime, w.lifetime)
		}
		if !s.Completeness.Complete && s.Completeness.Missing != 0 {
			t.Errorf("%s: %d events missing: %+v", site, s.Completeness.Missing, s.Completeness)
		}
		for day, entries := range w.days {
			days, err := h.Days(ctx, site, day, day)
			if err != nil {
				t.Fatal(err)
			}
			if got := days.Days[0]; got.Entries != entries || got.Exits != w.exits[day] {
				t.Errorf("%s %s: hub entries %d exits %d, devices %d and %d", site, day, got.Entries, got.Exits, entries, w.exits[day])
			}
			hours, err := h.Hours(ctx, site, day)
			if err != nil {
				t.Fatal(err)
			}
			for hr := range 24 {
				if hours.Hours[hr].Entries != w.hours[day][hr] {
					t.Errorf("%s %s %02d:00: hub %d entries, devices %d", site, day, hr, hours.Hours[hr].Entries, w.hours[day][hr])
				}
			}
		}
		t.Logf("%s: %d events, lifetime entries %d exits %d", site, w.events, w.lifetime.Entries, w.lifetime.Exits)
	}
	for _, hr := range replicas {
		log, _ := os.ReadFile(hr.log)
		if strings.Contains(string(log), "payload refused") {
			t.Errorf("the hub refused payloads of real devices:\n%s", lastLines(string(log), 20))
		}
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
