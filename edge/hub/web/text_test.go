package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/wufang-kiosk/wufang/edge/hub"
	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

var alertKinds = []string{hub.AlertOffline, hub.AlertSensorFault, hub.AlertBacklogGrowing, hub.AlertDoorImbalance, hub.AlertSessionsLow}

// verbs are a message's numbered verbs (%[1]s, %v...), sorted.
var verbRe = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// TestMessagesSameVerbs: both languages of every message take the same
// values (a sentence that drops or doubles a number in one language is
// caught here, not on a page).
func TestMessagesSameVerbs(t *testing.T) {
	for k, m := range messages {
		zh, en := verbRe.FindAllString(m[0], -1), verbRe.FindAllString(m[1], -1)
		slices.Sort(zh)
		slices.Sort(en)
		if !slices.Equal(zh, en) {
			t.Errorf("message %q: zh verbs %v, en verbs %v", k, zh, en)
		}
	}
	for _, kind := range alertKinds {
		if _, ok := messages["alertmsg."+kind]; !ok {
			t.Errorf("no message for alert %s", kind)
		}
	}
}

// alertHub is a hub whose site "s" (Shanghai) has one alert of every
// kind: d1's door sensor is faulty, d2 has been offline for an hour and
// more, d3's backlog has grown for over an hour, and yesterday had 30
// entries but 10 exits and one kiosk session (against 15 a day before).
func alertHub(t *testing.T) (*hub.Hub, *clock, *httptest.Server) {
	t.Helper()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	sh, _ := time.LoadLocation("Asia/Shanghai")
	c := &clock{t: time.Date(2026, 3, 29, 2, 0, 0, 0, time.UTC)} // 10:00 in Shanghai
	h := hub.New(d, hub.Options{Now: c.Now})
	var seq uint64
	var evs []db.Event
	add := func(day time.Time, kind wire.Kind, n int) {
		for range n {
			seq++
			evs = append(evs, db.Event{Site: "s", Device: "d1", Epoch: epochA, Event: wire.Event{V: 1, Seq: seq, Boot: 1, Time: day.UTC(), Kind: kind}})
		}
	}
	for i := 28; i >= 1; i-- {
		day := time.Date(2026, 3, 29-i, 11, 0, 0, 0, sh)
		exits, sessions := 30, 15
		if i == 1 {
			exits, sessions = 10, 1
		}
		add(day, wire.DoorEntry, 30)
		add(day, wire.DoorExit, exits)
		add(day, wire.SessionStart, sessions)
	}
	tot := wire.Totals{V: 1, Site: "s", Device: "d1", Epoch: epochA, Seq: seq, Boot: 1, Date: "2026-03-29", TimeZone: "Asia/Shanghai", Time: c.Now()}
	if _, err := d.StoreTotals(ctx, epochA, tot, c.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := d.StoreEvents(ctx, evs, c.Now()); err != nil {
		t.Fatal(err)
	}
	status := func(dev string, online bool, backlog uint64, sensors map[string]string) {
		t.Helper()
		st := wire.Status{V: 1, Epoch: epochA, Online: online, App: "1.4.0", Boot: 1, Backlog: backlog, Sensors: sensors, Time: c.Now()}
		if err := d.StoreStatus(ctx, "s", dev, epochA, st, c.Now()); err != nil {
			t.Fatal(err)
		}
	}
	status("d1", true, 0, map[string]string{"door": "fault: beam blocked", "presence": "warning: no motion for 3 opening hours"})
	status("d2", true, 0, nil)
	c.Add(time.Second)
	status("d2", false, 0, nil)
	// d3's backlog grows, sampled as the run loop does.
	for i, b := range []uint64{10, 20, 35} {
		status("d3", true, b, nil)
		if _, err := h.Alerts(ctx); err != nil {
			t.Fatal(err)
		}
		if i < 2 {
			c.Add(31 * time.Minute)
		}
	}
	w, err := New(h, Options{Open: true, Now: c.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(w.Handler(http.NotFoundHandler()))
	t.Cleanup(srv.Close)
	return h, c, srv
}

// latinRe finds Latin words: what an English sentence left in a Chinese
// page is made of.
var latinRe = regexp.MustCompile(`[A-Za-z][A-Za-z0-9'’-]*`)

// allowedLatin are the Latin words a Chinese page may show: ids (sites,
// devices, sensors, zones, packs), what devices send as they sent it, the
// name of the other language on the switch, units and file formats, and
// the hub's own command.
var allowedLatin = map[string]bool{
	"s": true, "d1": true, "d2": true, "d3": true, "door": true, "presence": true, "Asia": true, "Shanghai": true,
	"beam": true, "blocked": true, "no": true, "motion": true, "for": true, "opening": true, "hours": true, // the devices' own fault details
	"English": true, "UTC": true, "CSV": true, "Excel": true, "A4": true, "wufang-hub": true, "hash-password": true, "http": true, "users": true,
}

// pageWords returns the page's visible words: text nodes, and the
// attributes a reader sees (a phone's card labels, titles, tooltips).
func pageWords(t *testing.T, body string) string {
	t.Helper()
	root := doc(t, body)
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data + " ")
		case html.ElementNode:
			for _, a := range n.Attr {
				switch a.Key {
				case "data-label", "title", "aria-label", "data-off", "placeholder", "alt":
					b.WriteString(a.Val + " ")
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return b.String()
}

func englishLeft(words string) []string {
	var out []string
	for _, w := range latinRe.FindAllString(words, -1) {
		if !allowedLatin[w] && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// TestAlertsInBothLanguages: every alert kind the hub raises is shown on
// the site page, titled and written in the chosen language with that
// language's dates and numbers; the Chinese page has no English left but
// ids and what the devices sent.
func TestAlertsInBothLanguages(t *testing.T) {
	h, c, srv := alertHub(t)
	alerts, err := h.Alerts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, a := range alerts {
		kinds = append(kinds, a.Kind)
	}
	for _, k := range alertKinds {
		if !slices.Contains(kinds, k) {
			t.Fatalf("the fixture raises %v, not %s", kinds, k)
		}
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	for _, l := range []Lang{ZH, EN} {
		resp, err := http.Get(srv.URL + "/site/s?lang=" + string(l))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body := string(b)
		rows := tableRows(t, doc(t, body), "alerts")
		if len(rows) != len(alerts) { // the heading row has no td
			t.Fatalf("%s: %d alert rows for %d alerts: %q", l, len(rows), len(alerts), rows)
		}
		v := &view{Lang: l}
		words := strings.Join(strings.Fields(pageWords(t, body)), " ")
		for i, a := range alerts {
			r := rows[i]
			want := v.AlertText(a, sh, c.Now())
			if r[0] != l.T("alert."+a.Kind) || r[3] != want {
				t.Errorf("%s %s: row %q, want %q, %q", l, a.Kind, r, l.T("alert."+a.Kind), want)
			}
		}
		if l == EN {
			for _, s := range []string{
				"d2 has been offline for 1 h 2 min during opening hours", // 62 min before now
				"d1: sensor door reports fault: beam blocked.",
				"d3: 35 events waiting to be sent, and growing for 1 h 2 min",
				"Sat 28 Mar 2026: 30 entries but 10 exits",
				"Sat 28 Mar 2026: 0.03 kiosk sessions per visitor, the 4-week median is 0.50",
				"warning: no motion for 3 opening hours", // the device table's sensor state
			} {
				if !strings.Contains(words, s) {
					t.Errorf("the English page does not say %q", s)
				}
			}
			continue
		}
		for _, s := range []string{
			"d2 在开放时间内已离线 1 小时 2 分钟",
			"d1：传感器 door 报告故障：beam blocked。",
			"d3：有 35 个事件等待上传，且已持续增长 1 小时 2 分钟",
			"2026年3月28日 周六：入场 30 人次，离场却只有 10 人次",
			"2026年3月28日 周六：每位访客 0.03 次互动，而近 4 周的中位数是 0.50",
			"警告：no motion for 3 opening hours",
			"自 2026年3月29日 10:00 UTC+8 起离线", // d2's state, in the site's zone
		} {
			if !strings.Contains(words, s) {
				t.Errorf("the Chinese page does not say %q", s)
			}
		}
		if left := englishLeft(words); len(left) > 0 {
			t.Errorf("English left on the Chinese site page: %q", left)
		}
	}
	// The overview's and the report's own text too.
	for _, path := range []string{"/?lang=zh", "/report?lang=zh", "/report?lang=zh&from=2026-01-01&to=2026-12-31", "/report?lang=zh&month=x", "/site/nowhere?lang=zh"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		words := pageWords(t, string(b))
		if left := englishLeft(strings.ReplaceAll(words, `"x"`, "")); len(left) > 0 {
			t.Errorf("English left on the Chinese page %s: %q", path, left)
		}
	}
}

// TestIncompleteNotes: why a number is incomplete, in both languages, with
// the site's time labelled.
func TestIncompleteNotes(t *testing.T) {
	ldn, _ := time.LoadLocation("Europe/London")
	sh, _ := time.LoadLocation("Asia/Shanghai")
	c := hub.Completeness{Devices: 2, Online: 1, Offline: []hub.Offline{{Device: "door1", Since: time.Date(2026, 7, 1, 9, 30, 0, 0, time.UTC)}},
		Backlog: 1234, Missing: 5, Dropped: 2}
	got := (&view{Lang: EN}).notes(c, ldn)
	want := []string{"door1 offline since 1 Jul 2026 10:30 UTC+1", "1,234 events waiting on devices", "5 events not received", "2 events dropped by devices"}
	if !slices.Equal(got, want) {
		t.Errorf("en notes %q, want %q", got, want)
	}
	got = (&view{Lang: ZH}).notes(c, sh)
	want = []string{"door1 自 2026年7月1日 17:30 UTC+8 起离线", "设备上还有 1,234 个事件待上传", "5 个事件未收到", "设备丢弃了 2 个事件"}
	if !slices.Equal(got, want) {
		t.Errorf("zh notes %q, want %q", got, want)
	}
	one := hub.Completeness{Devices: 1, Online: 1, Backlog: 1, Missing: 1, Dropped: 1}
	if got, want := (&view{Lang: EN}).notes(one, ldn), []string{"1 event waiting on a device", "1 event not received", "1 event dropped by a device"}; !slices.Equal(got, want) {
		t.Errorf("en notes of one %q, want %q", got, want)
	}
	for d, w := range map[time.Duration][2]string{
		0: {"0 分钟", "0 min"}, 59 * time.Second: {"1 分钟", "1 min"}, 2*time.Hour + 5*time.Minute: {"2 小时 5 分钟", "2 h 5 min"},
		3 * time.Hour: {"3 小时", "3 h"}, 49*time.Hour + 10*time.Minute: {"2 天 1 小时", "2 d 1 h"}, 48 * time.Hour: {"2 天", "2 d"},
	} {
		if z, e := (&view{Lang: ZH}).Dur(d), (&view{Lang: EN}).Dur(d); z != w[0] || e != w[1] {
			t.Errorf("%v: %q %q, want %q", d, z, e, w)
		}
	}
	india, _ := time.LoadLocation("Asia/Kolkata")
	if got := zoneLabel(time.Date(2026, 1, 1, 0, 0, 0, 0, india)); got != "UTC+5:30" {
		t.Errorf("India: %s", got)
	}
	ny, _ := time.LoadLocation("America/New_York")
	if got := zoneLabel(time.Date(2026, 1, 1, 0, 0, 0, 0, ny)); got != "UTC-5" {
		t.Errorf("New York: %s", got)
	}
}

// TestRunWarmsAndRefreshes: Run fills every site's sums at start; a page
// that finds them older than pastTTL gets them at once and has Run
// refresh them, so a late event of an earlier day shows on the next page.
func TestRunWarmsAndRefreshes(t *testing.T) {
	f := newFixture(t)
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { f.web.Run(rctx); close(done) }()
	defer func() { cancel(); <-done }()
	filled := func() int {
		f.web.cache.mu.Lock()
		defer f.web.cache.mu.Unlock()
		return len(f.web.cache.past)
	}
	for i := 0; filled() < 4; i++ { // sh and ldn, week and year
		if i > 500 {
			t.Fatalf("Run did not warm the sums: %d ranges", filled())
		}
		time.Sleep(10 * time.Millisecond)
	}
	c := f.loggedIn(t)
	week := func() string {
		_, body := get(t, c, f.srv.URL+"/?lang=en")
		cells, _ := overviewCells(t, body)
		return cells["sh"]["week"]
	}
	if got := week(); got != "7" {
		t.Fatalf("sh week %q, want 7", got)
	}
	// A late event of Monday arrives; the sums are a quiet spell old.
	f.events(t, "sh", "door1", "Asia/Shanghai", wire.Event{Kind: wire.DoorEntry, Time: at("Asia/Shanghai", "2026-03-09 17:00")})
	f.web.cache.mu.Lock()
	for k, v := range f.web.cache.past {
		v.at = v.at.Add(-2 * pastTTL)
		f.web.cache.past[k] = v
	}
	f.web.cache.mu.Unlock()
	if got := week(); got != "7" {
		t.Fatalf("sh week %q: the page waited for the sums instead of showing the kept ones", got)
	}
	for i := 0; week() != "8"; i++ {
		if i > 100 {
			t.Fatalf("Run did not refresh the sums after the page asked: week %q", week())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestOverviewDoesNotWaitForWarming: a page that comes while Run is still
// warming (just after a start) does not wait for every site's year: its
// week and year say "counting…", and once warmed they are the numbers.
func TestOverviewDoesNotWaitForWarming(t *testing.T) {
	f := newFixture(t)
	f.web.cache.mu.Lock()
	f.web.cache.running, f.web.cache.warming = true, true // as Run before its first Warm
	f.web.cache.mu.Unlock()
	c := f.loggedIn(t)
	_, body := get(t, c, f.srv.URL+"/?lang=en")
	cells, _ := overviewCells(t, body)
	if cells["sh"]["week"] != "counting…" || cells["sh"]["year"] != "counting…" || cells["sh"]["today"] != "6" {
		t.Fatalf("while warming: %v", cells["sh"])
	}
	rows, err := f.web.overviewRows(ctx, &view{Lang: EN})
	if err != nil {
		t.Fatal(err)
	}
	if live := liveRows(rows, EN.T("counting"))["sh"]; !live["week"].Pending || live["week"].Text != "counting…" || !live["alerts"].Pending || live["today"].Pending {
		t.Errorf("the live stream sends %+v while warming", live)
	}
	if cells["sh"]["alerts"] != "counting…" || !strings.Contains(body, `data-pending="1"`) {
		t.Errorf("while warming the alerts read %q (the page should wait for nothing)", cells["sh"]["alerts"])
	}
	// The site page of one site counts its own.
	_, body = get(t, c, f.srv.URL+"/site/sh?lang=en")
	if got := text(byID(t, doc(t, body), "n-week")); got != "7" {
		t.Errorf("site page week while warming: %q", got)
	}
	if err := f.web.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	_, body = get(t, c, f.srv.URL+"/?lang=en")
	cells, _ = overviewCells(t, body)
	if cells["sh"]["week"] != "7" || cells["sh"]["year"] != "10" || cells["ldn"]["alerts"] != "2" || strings.Contains(body, "data-pending") {
		t.Fatalf("once warmed: %v", cells)
	}
}

// TestReportSaysIncomplete: a report whose range a device's absence or
// backlog touches says so, site by site; a complete site's does not.
func TestReportSaysIncomplete(t *testing.T) {
	f := newFixture(t)
	c := f.loggedIn(t)
	_, body := get(t, c, f.srv.URL+"/report?site=ldn&month=2026-03&lang=en")
	words := strings.Join(strings.Fields(pageWords(t, body)), " ")
	if !strings.Contains(words, "ldn: door1 offline since 10 Mar 2026 11:00 UTC; 7 events waiting on devices") {
		t.Errorf("the ldn report does not say why it is incomplete: %s", words)
	}
	_, body = get(t, c, f.srv.URL+"/report?site=ldn&month=2026-03&lang=zh")
	words = strings.Join(strings.Fields(pageWords(t, body)), " ")
	if !strings.Contains(words, "ldn：door1 自 2026年3月10日 11:00 UTC 起离线；设备上还有 7 个事件待上传") {
		t.Errorf("the Chinese ldn report does not say why it is incomplete: %s", words)
	}
	_, body = get(t, c, f.srv.URL+"/report?site=sh&month=2026-03&lang=en")
	if strings.Contains(body, "report-incomplete") {
		t.Error("the complete sh's report says it is incomplete")
	}
	// February ended before ldn's device went away, but its backlog may
	// hold any day's events.
	_, body = get(t, c, f.srv.URL+"/report?site=ldn&month=2026-02&lang=en")
	if !strings.Contains(body, "report-incomplete") {
		t.Error("ldn's February report, with 7 events still on the device, does not say it may change")
	}
}
