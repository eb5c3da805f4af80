package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/wufang-kiosk/wufang/edge/uplink/brokertest"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// BenchmarkCatchUp: 20 devices' backlog of CATCHUP_EVENTS events in total
// (default 1,000,000) waits at the broker for a stopped hub (its persistent
// session); then the hub starts and drains it into SQLite. It reports the
// drain time, the rate and the hub's peak RSS (VmHWM).
//
//	go test -run XXX -bench CatchUp -benchtime 1x ./edge/cmd/wufang-hub
func BenchmarkCatchUp(b *testing.B) {
	total := 1_000_000
	if v := os.Getenv("CATCHUP_EVENTS"); v != "" {
		total, _ = strconv.Atoi(v)
	}
	for range b.N {
		catchUp(b, total)
	}
}

func catchUp(b *testing.B, total int) {
	bin := build(b, ".", "wufang-hub")
	br := brokertest.Start(b, brokertest.Options{})
	dir := b.TempDir()
	addr := freeAddr(b)
	cfg := filepath.Join(dir, "hub.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("data_dir: %s\nmqtt:\n  broker: %s\n  client_id: hub-catchup\n  share_group: \"\"\nhttp:\n  listen: %s\n", dir, br.URL(), addr)), 0o600); err != nil {
		b.Fatal(err)
	}
	logPath := filepath.Join(dir, "hub.log")
	// A first run makes the session and its subscriptions, then stops.
	p := startProc(b, logPath, bin, "--config", cfg, "run")
	waitHTTP(b, "http://"+addr+"/healthz")
	time.Sleep(500 * time.Millisecond)
	if err := p.term(b); err != nil {
		b.Fatal(err)
	}
	// The backlog: 20 devices, published while the hub is away.
	c := mqtt.NewClient(br.ClientOptions("catchup-pub").SetMaxResumePubInFlight(1000))
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		b.Fatal(tok.Error())
	}
	start := time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC)
	per := total / 20
	t0 := time.Now()
	var toks []mqtt.Token
	for s := 1; s <= per; s++ {
		for dev := range 20 {
			e := wire.Event{V: 1, Epoch: "00000000000000c1", Seq: uint64(s), Boot: 1, Time: start.Add(time.Duration(s) * time.Second), Kind: wire.DoorEntry}
			payload, _ := json.Marshal(e)
			toks = append(toks, c.Publish(fmt.Sprintf("wufang/v1/site-%d/door-%d/event", dev%4, dev), 1, false, payload))
			if len(toks) >= 1000 {
				for _, tk := range toks {
					tk.Wait()
				}
				toks = toks[:0]
			}
		}
	}
	for _, tk := range toks {
		tk.Wait()
	}
	c.Disconnect(100)
	b.Logf("published %d events in %v", per*20, time.Since(t0).Round(time.Millisecond))

	b.ResetTimer()
	t1 := time.Now()
	p = startProc(b, logPath, bin, "--config", cfg, "run")
	re := regexp.MustCompile(`(?m)^wufang_hub_events_stored_total (\d+)`)
	var peak int64
	for {
		if kb := vmHWM(p.cmd.Process.Pid); kb > peak {
			peak = kb
		}
		resp, err := http.Get("http://" + addr + "/metrics")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if m := re.FindSubmatch(body); m != nil {
				if n, _ := strconv.Atoi(string(m[1])); n >= per*20 {
					break
				}
			}
		}
		if time.Since(t1) > 30*time.Minute {
			b.Fatal("the hub did not drain in 30 minutes")
		}
		time.Sleep(200 * time.Millisecond)
	}
	drain := time.Since(t1)
	b.StopTimer()
	if kb := vmHWM(p.cmd.Process.Pid); kb > peak {
		peak = kb
	}
	_ = p.term(b)
	b.ReportMetric(drain.Seconds(), "s-drain")
	b.ReportMetric(float64(per*20)/drain.Seconds(), "events/s")
	b.ReportMetric(float64(peak)/1024, "MiB-peak-rss")
}

// vmHWM is a process's peak resident set in KiB.
func vmHWM(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				n, _ := strconv.ParseInt(f[1], 10, 64)
				return n
			}
		}
	}
	return 0
}
