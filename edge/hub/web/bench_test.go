package web

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wufang-kiosk/wufang/edge/hub"
	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// The dashboard's performance, against the scale: 200 rooms with a
// year of history each (one door, ten open hours a day, events stored
// through the hub's own write path so every aggregate is real).
//
//	go test -run '^$' -bench 'Page|FCP' -benchtime 20x ./edge/hub/web/
//
// Each page benchmark reports the first request's time, p50 and p95 server
// time over all requests, and the page weight with its assets, with the
// dashboard's caches kept warm by Run as in wufang-hub run; BenchmarkFCP
// reports first contentful paint in headless Chromium on loopback;
// BenchmarkColdOverview and BenchmarkFCPCold the first load after a start.
var benchRooms = flag.Int("rooms", 200, "rooms in the dashboard benchmarks")

var (
	benchOnce sync.Once
	benchSrv  *httptest.Server
	benchWeb  *Server
	benchErr  error
	benchDir  string
)

// benchHub fills a database once per run (about a minute for 200 rooms).
func benchHub(b *testing.B) *httptest.Server {
	b.Helper()
	benchOnce.Do(func() {
		dir, err := osMkdirTemp()
		if err != nil {
			benchErr = err
			return
		}
		benchDir = dir
		d, err := db.Open(context.Background(), filepath.Join(dir, "hub.db"))
		if err != nil {
			benchErr = err
			return
		}
		nowT := time.Date(2026, 12, 3, 4, 0, 0, 0, time.UTC) // noon in Shanghai
		h := hub.New(d, hub.Options{Now: func() time.Time { return nowT }})
		loc, _ := time.LoadLocation("Asia/Shanghai")
		start := time.Date(2025, 12, 4, 0, 0, 0, 0, loc)
		for r := range *benchRooms {
			site := fmt.Sprintf("room-%03d", r)
			tot := wire.Totals{V: 1, Site: site, Device: "door1", Epoch: epochA, Boot: 1, Date: "2026-12-03", TimeZone: "Asia/Shanghai", Time: nowT}
			if _, err := d.StoreTotals(context.Background(), epochA, tot, nowT); err != nil {
				benchErr = err
				return
			}
			var evs []db.Event
			var seq uint64
			for day := 0; day < 365; day++ {
				for hr := 9; hr < 19; hr++ {
					t := start.AddDate(0, 0, day).Add(time.Duration(hr)*time.Hour + 17*time.Minute)
					if t.After(nowT) {
						break
					}
					seq++
					evs = append(evs, db.Event{Site: site, Device: "door1", Epoch: epochA,
						Event: wire.Event{V: 1, Seq: seq, Boot: 1, Time: t.UTC(), Kind: wire.DoorEntry}})
				}
			}
			if _, err := d.StoreEvents(context.Background(), evs, nowT); err != nil {
				benchErr = err
				return
			}
			tot.Seq = seq
			tot.Lifetime = wire.Counters{Entries: seq}
			tot.Today = wire.Counters{Entries: 3}
			if _, err := d.StoreTotals(context.Background(), epochA, tot, nowT); err != nil {
				benchErr = err
				return
			}
			st := wire.Status{V: 1, Epoch: epochA, Online: true, App: "1.4.0", Boot: 1, Sensors: map[string]string{"door": "ok"}, Time: nowT}
			if err := d.StoreStatus(context.Background(), site, "door1", epochA, st, nowT); err != nil {
				benchErr = err
				return
			}
		}
		w, err := New(h, Options{Open: true, Now: func() time.Time { return nowT }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			benchErr = err
			return
		}
		benchWeb = w
		// As wufang-hub run does: Run keeps the caches warm; the page
		// benchmarks start once it has warmed them (BenchmarkColdOverview
		// and BenchmarkFCPCold measure the first load after a start).
		go w.Run(context.Background())
		for warming := true; warming; time.Sleep(10 * time.Millisecond) {
			w.cache.mu.Lock()
			warming = !w.cache.running || w.cache.warming
			w.cache.mu.Unlock()
		}
		benchSrv = httptest.NewServer(w.Handler(http.NotFoundHandler()))
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchSrv
}

// benchPage loads path b.N times and reports p50/p95 of the server time
// (request to last byte, on loopback) and the page's weight with its
// stylesheet and script.
func benchPage(b *testing.B, path string) {
	srv := benchHub(b)
	var times []time.Duration
	var size int
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("%s: %s", path, resp.Status)
		}
		times = append(times, time.Since(t0))
		size = int(n)
	}
	b.StopTimer()
	for _, a := range []string{"/static/style.css", "/static/live.js", "/static/icon.svg"} {
		resp, err := http.Get(srv.URL + a)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		size += int(n)
	}
	b.ReportMetric(float64(times[0].Microseconds())/1000, "first-ms")
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[(len(times)*95+99)/100-1].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(size)/1024, "KiB-with-assets")
}

func BenchmarkPageOverview(b *testing.B) { benchPage(b, "/?lang=zh") }
func BenchmarkPageSite(b *testing.B)     { benchPage(b, "/site/room-007?lang=zh") }
func BenchmarkPageSite365(b *testing.B)  { benchPage(b, "/site/room-007?days=365&lang=zh") }
func BenchmarkPageReport(b *testing.B)   { benchPage(b, "/report?site=room-007&month=2026-11&lang=zh") }

// BenchmarkFCP loads the overview and a site page in headless Chromium and
// reports the browser's first-contentful-paint entry.
func BenchmarkFCP(b *testing.B) {
	srv := benchHub(b)
	br := newBrowser(b)
	for _, p := range []string{"/?lang=zh", "/site/room-007?lang=zh"} {
		var fcps []float64
		for range max(b.N, 3) {
			if err := chromedp.Do(br.ctx, chromedp.EmulateViewport(1366, 768), chromedp.Navigate(srv.URL+p), chromedp.WaitVisible(chromedp.CSS("footer"))); err != nil {
				b.Fatal(err)
			}
			fcp, err := chromedp.Run(br.ctx, chromedp.Poll[float64](`(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime`, chromedp.WithPollingTimeout(10*time.Second)))
			if err != nil {
				b.Fatal(err)
			}
			fcps = append(fcps, fcp)
		}
		slices.Sort(fcps)
		name := "overview"
		if strings.Contains(p, "site") {
			name = "site"
		}
		b.ReportMetric(fcps[len(fcps)/2], name+"-fcp-ms")
	}
}

func osMkdirTemp() (string, error) { return os.MkdirTemp("", "wufang-web-bench-") }

func TestMain(m *testing.M) {
	code := m.Run()
	if benchSrv != nil {
		benchSrv.Close()
	}
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// freshDashboard is a new dashboard (every cache empty, as after a start)
// on the benchmark's hub, served on a new port (a new origin: the browser
// has nothing of it cached either).
func freshDashboard(b *testing.B) (*Server, *httptest.Server) {
	b.Helper()
	w, err := New(benchWeb.hub, Options{Open: true, Now: benchWeb.opts.Now, Log: benchWeb.opts.Log})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(w.Handler(http.NotFoundHandler()))
	b.Cleanup(func() { srv.CloseClientConnections(); srv.Close() }) // the overview's live stream stays open
	return w, srv
}

func getTime(b *testing.B, url string) time.Duration {
	b.Helper()
	t0 := time.Now()
	resp, err := http.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Fatalf("%s: %s", url, resp.Status)
	}
	return time.Since(t0)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// BenchmarkColdOverview: the overview's first load after a start. Each
// iteration makes a fresh dashboard and reports (medians over the
// iterations): cold-ms, the first load with nothing warmed (the page
// computes the alerts and every site's sums itself); warm-start-ms, what
// Run's warming at start takes; first-ms, the first load once warmed;
// warm-ms, a later load (the baseline). old-days-ms is what the cold
// overview used to query, two Days a site (week and year), against
// sums-ms, the two Sums queries that replace them, in the same run.
func BenchmarkColdOverview(b *testing.B) {
	benchHub(b)
	var cold, warming, first, warm, old, sums []time.Duration
	for b.Loop() {
		_, srv := freshDashboard(b)
		cold = append(cold, getTime(b, srv.URL+"/?lang=zh"))

		w, srv := freshDashboard(b)
		t0 := time.Now()
		if err := w.Warm(ctx); err != nil {
			b.Fatal(err)
		}
		warming = append(warming, time.Since(t0))
		first = append(first, getTime(b, srv.URL+"/?lang=zh"))
		warm = append(warm, getTime(b, srv.URL+"/?lang=zh"))

		sites, err := benchWeb.hub.Sites(ctx)
		if err != nil {
			b.Fatal(err)
		}
		loc, _ := time.LoadLocation("Asia/Shanghai")
		t0 = time.Now()
		for _, st := range sites {
			for _, k := range pastRanges(st, loc) {
				if _, err := benchWeb.hub.Days(ctx, k.site, k.from, k.to); err != nil {
					b.Fatal(err)
				}
			}
		}
		old = append(old, time.Since(t0))
		t0 = time.Now()
		for _, k := range pastRanges(sites[0], loc) {
			if _, err := benchWeb.hub.Sums(ctx, k.from, k.to); err != nil {
				b.Fatal(err)
			}
		}
		sums = append(sums, time.Since(t0))
	}
	c, f, wm := median(cold), median(first), median(warm)
	b.ReportMetric(ms(c), "cold-ms")
	b.ReportMetric(ms(median(warming)), "warm-start-ms")
	b.ReportMetric(ms(f), "first-ms")
	b.ReportMetric(ms(wm), "warm-ms")
	b.ReportMetric(float64(c)/float64(wm), "cold/warm")
	b.ReportMetric(float64(f)/float64(wm), "first/warm")
	b.ReportMetric(ms(median(old)), "old-days-ms")
	b.ReportMetric(ms(median(sums)), "sums-ms")
	b.ReportMetric(float64(median(old))/float64(median(sums)), "old/sums")
}

// BenchmarkFCPCold: first contentful paint of the overview in headless
// Chromium for the first load after a start, as wufang-hub run starts the
// dashboard (Run warming its caches): nowarm-fcp-ms, a dashboard without
// Run (the page computes the alerts and every site's sums itself, as the
// first load after a start used to); start-fcp-ms, the load sent the
// moment the dashboard starts (racing the warming); first-fcp-ms, the first
// load once warmed; warm-fcp-ms, a later load (the baseline); with the
// server's time of each (start-server-ms: the racing load's time to the
// last byte).
func BenchmarkFCPCold(b *testing.B) {
	benchHub(b)
	br := newBrowser(b)
	fcp := func(url string) float64 {
		if err := chromedp.Do(br.ctx, chromedp.EmulateViewport(1366, 768), chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("footer"))); err != nil {
			b.Fatal(err)
		}
		v, err := chromedp.Run(br.ctx, chromedp.Poll[float64](`(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime`, chromedp.WithPollingTimeout(10*time.Second)))
		if err != nil {
			b.Fatal(err)
		}
		return v
	}
	var start, first, warm, nowarm []float64
	var startServer []time.Duration
	for b.Loop() {
		_, srv := freshDashboard(b) // no Run: the page computes everything itself
		nowarm = append(nowarm, fcp(srv.URL+"/?lang=zh"))

		w, srv := freshDashboard(b)
		rctx, cancel := context.WithCancel(ctx)
		go w.Run(rctx)
		start = append(start, fcp(srv.URL+"/?lang=zh"))
		cancel()

		w, srv = freshDashboard(b)
		rctx, cancel = context.WithCancel(ctx)
		go w.Run(rctx)
		startServer = append(startServer, getTime(b, srv.URL+"/?lang=zh"))
		cancel()

		w, srv = freshDashboard(b)
		if err := w.Warm(ctx); err != nil {
			b.Fatal(err)
		}
		first = append(first, fcp(srv.URL+"/?lang=zh"))
		warm = append(warm, fcp(srv.URL+"/?lang=zh"))
	}
	med := func(xs []float64) float64 { slices.Sort(xs); return xs[len(xs)/2] }
	s, f, wm := med(start), med(first), med(warm)
	b.ReportMetric(ms(median(startServer)), "start-server-ms")
	b.ReportMetric(s, "start-fcp-ms")
	b.ReportMetric(f, "first-fcp-ms")
	b.ReportMetric(wm, "warm-fcp-ms")
	b.ReportMetric(s/wm, "start/warm")
	b.ReportMetric(med(nowarm), "nowarm-fcp-ms")
	b.ReportMetric(med(nowarm)/wm, "nowarm/warm")
	b.ReportMetric(f/wm, "first/warm")
}
