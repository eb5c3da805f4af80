package web

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/wufang-kiosk/wufang/edge/wire"
)

// chromium finds Debian's chromium: skipped with the package name outside
// CI, a failure inside it (CI=true), as brokertest does for mosquitto.
func chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (Debian package chromium; build/lib.sh installs it)")
	}
	t.Skip("chromium is not installed: apt-get install chromium")
	return ""
}

// browser starts a headless chromium with a fresh profile and no network
// beyond what the pages ask for, and records console errors and every
// request's URL.
type browser struct {
	ctx      context.Context
	mu       sync.Mutex
	errors   []string
	requests []string
}

func newBrowser(t testing.TB) *browser {
	t.Helper()
	path := chromium(t)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true), // CI runs as root
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.UserDataDir(t.TempDir()),
	)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 6*time.Minute) // the studio test draws every screen of a pack twice
	t.Cleanup(func() { cancelT(); cancel(); cancelA() })
	b := &browser{ctx: ctx}
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start chromium: %v", err)
	}
	if err := chromedp.Listen(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value))
				}
				b.errors = append(b.errors, "console."+string(ev.Type)+": "+strings.Join(args, " "))
			}
		case *runtime.EventExceptionThrown:
			b.errors = append(b.errors, "exception: "+ev.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
				b.errors = append(b.errors, "log: "+ev.Entry.Text+" "+ev.Entry.URL)
			}
		case *network.EventRequestWillBeSent:
			b.requests = append(b.requests, ev.Request.URL)
		}
	}); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *browser) do(t testing.TB, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func (b *browser) text(t testing.TB, sel string) string {
	t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// shot saves a screenshot of the viewport under the test's artifact folder
// (go test -artifacts keeps it), and a copy in $WUFANG_SCREENSHOTS when set.
func (b *browser) shot(t *testing.T, name string) { b.capture(t, name, chromedp.CaptureScreenshot()) }

// fullShot is shot of the whole page, beyond the viewport.
func (b *browser) fullShot(t *testing.T, name string) {
	b.capture(t, name, chromedp.FullScreenshot(100))
}

func (b *browser) capture(t *testing.T, name string, a chromedp.Action[[]byte]) {
	t.Helper()
	buf, err := chromedp.Run(b.ctx, a)
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	for _, dir := range []string{t.ArtifactDir(), os.Getenv("WUFANG_SCREENSHOTS")} {
		if dir == "" {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

var sizes = []struct {
	name string
	w, h int64
	opts []chromedp.EmulateViewportOption
}{
	{"1366x768", 1366, 768, nil},
	{"390x844", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateScale(2), chromedp.EmulateMobile}},
}

// TestBrowser drives the dashboard in a real browser: log in, the
// overview, a site, the other language, the report; the numbers it shows
// are the hub's; a live update arrives after a device publishes; no
// console error, no request beyond loopback.
func TestBrowser(t *testing.T) {
	b := newBrowser(t)
	f := newFixture(t)
	base := f.srv.URL
	b.do(t, chromedp.EmulateViewport(1366, 768), chromedp.Navigate(base+"/?lang=en"))
	if loc, _ := chromedp.Run(b.ctx, chromedp.Location()); !strings.Contains(loc, "/login") {
		t.Fatalf("without a session the browser is at %s", loc)
	}
	b.shot(t, "login-en-1366x768")
	b.do(t, chromedp.SendKeys(chromedp.ID("user"), testUser), chromedp.SendKeys(chromedp.ID("password"), "wrong password"),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("login-error")))
	if got := b.text(t, "#login-error"); got != EN.T("login.wrong") {
		t.Errorf("wrong password says %q", got)
	}
	b.do(t, chromedp.SendKeys(chromedp.ID("password"), testPassword), // the page after a failure keeps the name, never the password
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("overview")))

	// The overview's numbers are the hub's.
	sh, err := f.hub.Site(ctx, "sh")
	if err != nil {
		t.Fatal(err)
	}
	cell := func(site, k string) string { return b.text(t, fmt.Sprintf(`tr[data-site=%q] td[data-k=%q]`, site, k)) }
	if got, want := cell("sh", "today"), EN.Num(int64(sh.Today.Entries)); got != want {
		t.Errorf("today: browser %q, hub %q", got, want)
	}
	if got, want := cell("sh", "inroom"), EN.Num(int64(sh.InRoom)); got != want {
		t.Errorf("in the room: browser %q, hub %q", got, want)
	}
	if got := cell("new", "today"); got != "no data yet" {
		t.Errorf("a site without data: %q", got)
	}
	// Live: wait for the stream, then a device publishes new totals.
	b.do(t, chromedp.WaitVisible(chromedp.CSS("#live-state.on")))
	b.shot(t, "overview-en-1366x768")
	f.seq["sh/door1"]++
	f.totals(t, "sh", "door1", "Asia/Shanghai", wire.Counters{Entries: 7, Exits: 3, AfterHoursEntries: 1}, wire.Counters{Entries: 11, Exits: 3, AfterHoursEntries: 1})
	sh, _ = f.hub.Site(ctx, "sh")
	start := time.Now()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](
		fmt.Sprintf(`document.querySelector('tr[data-site="sh"] td[data-k="today"]').textContent.trim() === %q`, EN.Num(int64(sh.Today.Entries))),
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("no live update: %v", err)
	}
	t.Logf("live update shown %v after the totals were stored", time.Since(start).Round(time.Millisecond))
	if got := cell("sh", "inroom"); got != EN.Num(int64(sh.InRoom)) {
		t.Errorf("in the room after the update: %q, hub %d", got, sh.InRoom)
	}

	// Follow a site.
	b.do(t, chromedp.Click(chromedp.CSS(`tr[data-site="sh"] a`)), chromedp.WaitVisible(chromedp.ID("device-table")))
	if got, want := b.text(t, "#n-today"), EN.Num(int64(sh.Today.Entries)); got != want {
		t.Errorf("site today: browser %q, hub %q", got, want)
	}
	b.shot(t, "site-en-1366x768")
	// The other language.
	b.do(t, chromedp.Click(chromedp.ID("lang-switch")), chromedp.WaitVisible(chromedp.ID("device-table")))
	if got := b.text(t, "#devices h2"); got != ZH.T("site.devices") {
		t.Errorf("after the switch the devices heading reads %q", got)
	}
	b.shot(t, "site-zh-1366x768")
	// The report.
	b.do(t, chromedp.Navigate(base+"/report?site=sh&month=2026-03"), chromedp.WaitVisible(chromedp.ID("report-totals")))
	days, _ := f.hub.Days(ctx, "sh", "2026-03-01", "2026-03-31")
	if got, want := b.text(t, "#report-totals tbody tr:first-child td:nth-child(2)"), ZH.Num(days.Total.Entries); got != want {
		t.Errorf("report entries: browser %q, hub %q", got, want)
	}
	b.shot(t, "report-zh-1366x768")

	// Every page at both sizes in both languages.
	for _, sz := range sizes {
		for _, l := range []string{"zh", "en"} {
			for _, p := range []struct{ name, path string }{{"overview", "/"}, {"site", "/site/sh"}, {"site-ldn", "/site/ldn"}, {"report", "/report?site=sh&month=2026-03"}, {"report-all", "/report"}} {
				b.do(t, chromedp.EmulateViewport(sz.w, sz.h, sz.opts...), chromedp.Navigate(base+p.path+sep(p.path)+"lang="+l),
					chromedp.WaitVisible(chromedp.CSS("footer")))
				b.shot(t, p.name+"-"+l+"-"+sz.name)
				b.fullShot(t, p.name+"-"+l+"-"+sz.name+"-full")
			}
		}
	}
	b.do(t, chromedp.Navigate(base+"/login?lang=zh"), chromedp.WaitVisible(chromedp.CSS("footer")))
	b.shot(t, "login-zh-390x844")

	b.mu.Lock()
	defer b.mu.Unlock()
	for i, e := range b.errors {
		// The one wrong password above answered 401, which Chromium logs.
		if i == 0 && strings.Contains(e, "401") && strings.HasSuffix(e, "/login") {
			continue
		}
		t.Errorf("browser: %s", e)
	}
	for _, r := range b.requests {
		u, err := url.Parse(r)
		if err == nil && u.Scheme == "data" { // the browser's own icons (a date field's)
			continue
		}
		if err != nil || u.Hostname() != "127.0.0.1" {
			t.Errorf("a request off loopback: %s", r)
		}
	}
	if len(b.requests) < 10 {
		t.Errorf("only %d requests seen: the recorder is broken", len(b.requests))
	}
}

func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}
