package web

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/hub"
	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/hub/studio"
	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/internal/phc"
)

var ctx = context.Background()

// cheap keeps the tests fast.
var cheap = phc.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

const (
	testUser     = "wang"
	testEditor   = "li" // has the content role
	testPassword = "correct horse battery"
	testToken    = "read-only-token-0123456789"
	epochA       = "00000000000000aa"
	epochB       = "00000000000000bb"
)

// clock is a settable clock shared by the hub and the dashboard.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// fixture is a hub with known data and its dashboard.
type fixture struct {
	db    *db.DB
	hub   *hub.Hub
	web   *Server
	clock *clock
	srv   *httptest.Server
	seq   map[string]uint64
}

// now: Tuesday 10 March 2026, 12:00 UTC (20:00 in Shanghai, 12:00 in
// London).
var now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// questionText is what the hub's pack lookup returns: input from a pack,
// so the XSS attempt in it must come out escaped.
func questionText(pack, step string) map[string]string {
	switch step {
	case "fire-q1":
		return map[string]string{"zh": "发现火情先做什么？", "en": "What do you do first in a fire?"}
	case "fire-q2":
		return map[string]string{"zh": "<script>alert(1)</script>", "en": `<img src=x onerror="alert(2)">`}
	}
	return nil
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	c := &clock{t: now}
	h := hub.New(d, hub.Options{Now: c.Now, Questions: questionText})
	hash, err := phc.HashWith(testPassword, cheap, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	w, err := New(h, Options{Users: map[string]string{testUser: hash, testEditor: hash}, Roles: map[string][]string{testEditor: {RoleContent}}, Token: testToken, Now: c.Now, Studio: &StudioOptions{Store: studio.NewStore(d.SQL(), c.Now)}, Live: 50 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(testLog{t}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: d, hub: h, web: w, clock: c, seq: map[string]uint64{}}
	api := http.NewServeMux()
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "api "+r.URL.Path) })
	f.srv = httptest.NewServer(w.Handler(api))
	t.Cleanup(f.srv.Close)
	t.Cleanup(func() { f.web.Close() }) // f.web may be replaced (withOffers)
	f.fill(t)
	return f
}

func tru() *bool { b := true; return &b }
func fls() *bool { b := false; return &b }

// events stores events of site/device at local times "2006-01-02 15:04".
func (f *fixture) events(t *testing.T, site, device, tz string, evs ...wire.Event) {
	t.Helper()
	loc, _ := time.LoadLocation(tz)
	var batch []db.Event
	key := site + "/" + device
	for _, e := range evs {
		f.seq[key]++
		e.V, e.Seq, e.Boot = 1, f.seq[key], 1
		e.Time = e.Time.In(time.UTC)
		_ = loc
		batch = append(batch, db.Event{Site: site, Device: device, Epoch: epochA, Event: e})
	}
	if _, err := f.db.StoreEvents(ctx, batch, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
}

func at(tz, s string) time.Time {
	loc, _ := time.LoadLocation(tz)
	tm, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return tm
}

// totals stores a totals of site/device counting today and lifetime.
func (f *fixture) totals(t *testing.T, site, device, tz string, today, life wire.Counters) {
	t.Helper()
	loc, _ := time.LoadLocation(tz)
	n := f.clock.Now()
	tot := wire.Totals{V: 1, Site: site, Device: device, Epoch: epochA, Seq: f.seq[site+"/"+device], Boot: 1,
		Date: n.In(loc).Format(wire.DateLayout), TimeZone: tz, Time: n, Lifetime: life, Today: today}
	if _, err := f.db.StoreTotals(ctx, epochA, tot, n); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) status(t *testing.T, site, device string, online bool, backlog uint64, sensors map[string]string) {
	t.Helper()
	st := wire.Status{V: 1, Epoch: epochA, Online: online, App: "1.4.0", Pack: "wufang-basic", PackVersion: "2026.3",
		Boot: 1, Backlog: backlog, Sensors: sensors, Time: f.clock.Now()}
	if err := f.db.StoreStatus(ctx, site, device, epochA, st, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
}

// fill: site sh (Shanghai) with a door and a kiosk, complete; site ldn
// (London) with one door, offline with a backlog; site new, heard from
// but with no zone and no totals yet.
func (f *fixture) fill(t *testing.T) {
	const sh, ldn = "Asia/Shanghai", "Europe/London"
	door := func(k wire.Kind, tz, s string) wire.Event { return wire.Event{Kind: k, Time: at(tz, s)} }
	f.totals(t, "sh", "door1", sh, wire.Counters{}, wire.Counters{}) // names the zone before the events
	f.totals(t, "ldn", "door1", ldn, wire.Counters{}, wire.Counters{})
	var evs []wire.Event
	for i, s := range []string{"2026-03-10 09:05", "2026-03-10 09:30", "2026-03-10 10:15", "2026-03-10 14:40", "2026-03-10 14:41"} {
		evs = append(evs, door(wire.DoorEntry, sh, s))
		if i < 3 {
			evs = append(evs, door(wire.DoorExit, sh, s[:len(s)-2]+"59"))
		}
	}
	// Last Tuesday, and Monday this week, and January.
	evs = append(evs, door(wire.DoorEntry, sh, "2026-03-03 09:10"), door(wire.DoorEntry, sh, "2026-03-03 11:10"),
		door(wire.DoorEntry, sh, "2026-03-09 16:00"), door(wire.DoorEntry, sh, "2026-01-05 10:00"))
	ah := door(wire.DoorEntry, sh, "2026-03-10 19:30")
	ah.AfterHours = true
	evs = append(evs, ah)
	f.events(t, "sh", "door1", sh, evs...)
	f.totals(t, "sh", "door1", sh, wire.Counters{Entries: 6, Exits: 3, AfterHoursEntries: 1}, wire.Counters{Entries: 10, Exits: 3, AfterHoursEntries: 1})
	f.status(t, "sh", "door1", true, 0, map[string]string{"door": "ok"})

	var kiosk []wire.Event
	for i := range 25 {
		s := "2026-03-10 10:" + twoDigits(i)
		kiosk = append(kiosk, wire.Event{Kind: wire.SessionStart, Time: at(sh, s)},
			wire.Event{Kind: wire.ModuleStart, Module: "fire", Time: at(sh, s)},
			wire.Event{Kind: wire.StepAnswer, Module: "fire", Step: "fire-q1", Correct: boolp(i%5 != 0), Time: at(sh, s)},
			wire.Event{Kind: wire.StepAnswer, Module: "fire", Step: "fire-q2", Correct: boolp(i%2 == 0), Time: at(sh, s)})
		if i < 20 {
			kiosk = append(kiosk, wire.Event{Kind: wire.ModuleComplete, Module: "fire", Passed: boolp(i < 15), Time: at(sh, s)})
		}
		if i < 10 {
			kiosk = append(kiosk, wire.Event{Kind: wire.Feedback, Rating: 3 - i%3, Time: at(sh, s)})
		}
	}
	// fire-q3 has only 5 answers: not ranked.
	for i := range 5 {
		kiosk = append(kiosk, wire.Event{Kind: wire.StepAnswer, Module: "fire", Step: "fire-q3", Correct: fls(), Time: at(sh, "2026-03-10 11:0"+string(rune('0'+i)))})
	}
	f.events(t, "sh", "kiosk1", sh, kiosk...)
	f.totals(t, "sh", "kiosk1", sh, wire.Counters{Sessions: 25}, wire.Counters{Sessions: 25})
	f.status(t, "sh", "kiosk1", true, 0, map[string]string{"presence": "ok"})

	f.events(t, "ldn", "door1", ldn, door(wire.DoorEntry, ldn, "2026-03-10 10:00"), door(wire.DoorEntry, ldn, "2026-03-10 11:00"))
	f.totals(t, "ldn", "door1", ldn, wire.Counters{Entries: 2}, wire.Counters{Entries: 2})
	f.status(t, "ldn", "door1", true, 0, map[string]string{"door": "fault: beam blocked"})
	f.clock.Add(-time.Hour)
	f.status(t, "ldn", "door1", false, 7, map[string]string{"door": "fault: beam blocked"})
	f.clock.Add(time.Hour)

	f.status(t, "new", "door1", true, 0, nil)
}

func boolp(b bool) *bool { return &b }

func twoDigits(i int) string { return string(rune('0'+i/10)) + string(rune('0'+i%10)) }

// client returns an HTTP client with a cookie jar that does not follow
// redirects.
func (f *fixture) client(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (f *fixture) login(t *testing.T, c *http.Client, user, password string) *http.Response {
	t.Helper()
	return f.post(t, c, "/login", url.Values{"user": {user}, "password": {password}, "next": {"/"}})
}

// csrfOf fetches page with c and returns the CSRF token its forms carry.
func (f *fixture) csrfOf(t *testing.T, c *http.Client, page string) string {
	t.Helper()
	_, body := get(t, c, f.srv.URL+page)
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("%s has no CSRF token: %s", page, body)
	}
	return m[1]
}

// post sends a form as a browser would: with the CSRF token the pages
// carry (the login page's is the session's once c has one).
func (f *fixture) post(t *testing.T, c *http.Client, path string, form url.Values) *http.Response {
	t.Helper()
	form.Set("csrf", f.csrfOf(t, c, "/login"))
	resp, err := c.PostForm(f.srv.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// loggedIn returns a client with a session of testUser (of user, when
// given).
func (f *fixture) loggedIn(t *testing.T, user ...string) *http.Client {
	t.Helper()
	c := f.client(t)
	u := testUser
	if len(user) > 0 {
		u = user[0]
	}
	if resp := f.login(t, c, u, testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %s", resp.Status)
	}
	return c
}

func get(t *testing.T, c *http.Client, u string, header ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var _ = strings.Contains

type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}
