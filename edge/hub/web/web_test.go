package web

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"

	"github.com/wufang-kiosk/wufang/edge/hub"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// doc parses a page.
func doc(t *testing.T, body string) *html.Node {
	t.Helper()
	n, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// find returns the elements under n for which match holds.
func find(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

func byID(t *testing.T, root *html.Node, id string) *html.Node {
	t.Helper()
	ns := find(root, func(n *html.Node) bool { v, _ := attr(n, "id"); return v == id })
	if len(ns) != 1 {
		t.Fatalf("%d elements with id %q", len(ns), id)
	}
	return ns[0]
}

// tableRows returns the cell texts of a table's body rows.
func tableRows(t *testing.T, root *html.Node, id string) [][]string {
	t.Helper()
	var out [][]string
	for _, tr := range find(byID(t, root, id), func(n *html.Node) bool { return n.Data == "tr" }) {
		if tr.Parent.Data == "thead" {
			continue
		}
		var row []string
		for c := tr.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && (c.Data == "td" || c.Data == "th") {
				row = append(row, text(c))
			}
		}
		out = append(out, row)
	}
	return out
}

func TestPageWithoutSessionRedirectsToLogin(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	for _, p := range []string{"/", "/site/sh", "/report", "/report.csv", "/live"} {
		code, _ := get(t, c, f.srv.URL+p)
		if code != http.StatusSeeOther {
			t.Errorf("%s without a session: %d", p, code)
		}
	}
	resp, _ := c.Get(f.srv.URL + "/site/sh?days=90")
	if loc := resp.Header.Get("Location"); loc != "/login?next=%2Fsite%2Fsh%3Fdays%3D90" {
		t.Errorf("redirect to %q", loc)
	}
	// After the login, back to the page asked for.
	resp = f.post(t, c, "/login", url.Values{"user": {testUser}, "password": {testPassword}, "next": {"/site/sh?days=90"}})
	if loc := resp.Header.Get("Location"); loc != "/site/sh?days=90" {
		t.Errorf("after login to %q", loc)
	}
	// Never off the site.
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example"} {
		if got := safeNext(next); got != "/" {
			t.Errorf("safeNext(%q) = %q", next, got)
		}
	}
}

func TestLoginCookie(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	resp := f.login(t, c, testUser, testPassword)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %s", resp.Status)
	}
	cs := resp.Cookies()
	if len(cs) != 1 || cs[0].Name != cookieName || !cs[0].HttpOnly || cs[0].SameSite != http.SameSiteStrictMode || len(cs[0].Value) < 40 {
		t.Fatalf("cookie %+v", cs)
	}
	if code, _ := get(t, c, f.srv.URL+"/"); code != 200 {
		t.Errorf("overview after login: %d", code)
	}
	// Logging out ends the session on the server, not just in the browser.
	if resp := f.post(t, c, "/logout", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %s", resp.Status)
	}
	c2 := f.client(t)
	req, _ := http.NewRequest("GET", f.srv.URL+"/", nil)
	req.AddCookie(cs[0])
	if resp, _ := c2.Do(req); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the old cookie after logout: %s", resp.Status)
	}
}

func TestWrongPasswordsLockTheUser(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	for i := 1; i <= 4; i++ {
		if resp := f.login(t, c, testUser, "wrong"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %s", i, resp.Status)
		}
	}
	if resp := f.login(t, c, testUser, "wrong"); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("5th wrong password: %s", resp.Status)
	}
	// Locked: even the right password is refused, for 5 minutes.
	if resp := f.login(t, c, testUser, testPassword); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right password while locked: %s", resp.Status)
	}
	f.clock.Add(4*time.Minute + 59*time.Second)
	if resp := f.login(t, c, testUser, testPassword); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right password after 4:59: %s", resp.Status)
	}
	f.clock.Add(time.Second)
	if resp := f.login(t, c, testUser, testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("right password after 5 min: %s", resp.Status)
	}
	// An unknown user is refused like a wrong password, and locked alike.
	for range 4 {
		if resp := f.login(t, c, "nobody", testPassword); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("unknown user: %s", resp.Status)
		}
	}
	if resp := f.login(t, c, "nobody", testPassword); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("unknown user, 5th: %s", resp.Status)
	}
}

func TestSessionExpires(t *testing.T) {
	f := newFixture(t)
	c := f.loggedIn(t)
	f.clock.Add(12*time.Hour - time.Minute)
	if code, _ := get(t, c, f.srv.URL+"/"); code != 200 {
		t.Fatalf("before expiry: %d", code)
	}
	f.clock.Add(time.Minute)
	if code, _ := get(t, c, f.srv.URL+"/"); code != http.StatusSeeOther {
		t.Fatalf("after expiry: %d", code)
	}
}

func TestAPITakesSessionOrToken(t *testing.T) {
	f := newFixture(t)
	anon := f.client(t)
	if code, _ := get(t, anon, f.srv.URL+"/api/v1/sites"); code != http.StatusUnauthorized {
		t.Errorf("api without auth: %d", code)
	}
	if code, _ := get(t, anon, f.srv.URL+"/api/v1/sites", "Authorization", "Bearer wrong-token-0123456789"); code != http.StatusUnauthorized {
		t.Errorf("api with a wrong token: %d", code)
	}
	if code, body := get(t, anon, f.srv.URL+"/api/v1/sites", "Authorization", "Bearer "+testToken); code != 200 || body != "api /api/v1/sites" {
		t.Errorf("api with the token: %d %q", code, body)
	}
	if code, _ := get(t, anon, f.srv.URL+"/metrics", "Authorization", "Bearer "+testToken); code != 200 {
		t.Errorf("metrics with the token: %d", code)
	}
	// The token is read-only: it opens no page.
	if code, _ := get(t, anon, f.srv.URL+"/", "Authorization", "Bearer "+testToken); code != http.StatusSeeOther {
		t.Errorf("a page with the token: %d", code)
	}
	if code, _ := get(t, f.loggedIn(t), f.srv.URL+"/api/v1/sites"); code != 200 {
		t.Errorf("api with a session: %d", code)
	}
	if code, _ := get(t, anon, f.srv.URL+"/healthz"); code != 200 {
		t.Errorf("healthz: %d", code)
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t)
	for _, p := range []string{"/login", "/", "/static/style.css"} {
		resp, err := f.loggedIn(t).Get(f.srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		h := resp.Header
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", p, csp)
		}
		if h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", p, h)
		}
	}
	// No inline script or style anywhere: the CSP would block them.
	c := f.loggedIn(t)
	for _, p := range []string{"/login", "/", "/site/sh", "/site/ldn", "/report", "/report?site=sh"} {
		_, body := get(t, c, f.srv.URL+p)
		root := doc(t, body)
		for _, n := range find(root, func(n *html.Node) bool { return n.Data == "script" || n.Data == "style" }) {
			if src, _ := attr(n, "src"); src == "" {
				t.Errorf("%s: an inline <%s>", p, n.Data)
			}
		}
		for _, n := range find(root, func(n *html.Node) bool { _, ok := attr(n, "style"); return ok }) {
			t.Errorf("%s: a style attribute on <%s>", p, n.Data)
		}
		for _, n := range find(root, func(n *html.Node) bool {
			for _, a := range n.Attr {
				if strings.HasPrefix(a.Key, "on") {
					return true
				}
			}
			return false
		}) {
			t.Errorf("%s: an event handler attribute on <%s>", p, n.Data)
		}
	}
}

func TestUnusableHashRefused(t *testing.T) {
	if _, err := New(nil, Options{Users: map[string]string{"li": "plain-text"}}); err == nil || !strings.Contains(err.Error(), "hash-password") {
		t.Fatalf("a plain-text password accepted: %v", err)
	}
}

func TestEveryMessageHasBothLanguages(t *testing.T) {
	for k, m := range messages {
		if m[0] == "" || m[1] == "" {
			t.Errorf("message %q: %q", k, m)
		}
	}
	for _, kind := range []string{hub.AlertOffline, hub.AlertSensorFault, hub.AlertBacklogGrowing, hub.AlertDoorImbalance, hub.AlertSessionsLow} {
		if _, ok := messages["alert."+kind]; !ok {
			t.Errorf("no title for alert %s", kind)
		}
	}
}

func TestLanguage(t *testing.T) {
	for h, want := range map[string]Lang{"": ZH, "en-GB,en;q=0.9": EN, "zh-CN,zh;q=0.9,en;q=0.8": ZH, "de-DE,en;q=0.5,zh;q=0.4": EN, "fr": ZH} {
		if got := fromAcceptLanguage(h); got != want {
			t.Errorf("Accept-Language %q: %s, want %s", h, got, want)
		}
	}
	f := newFixture(t)
	c := f.loggedIn(t)
	_, body := get(t, c, f.srv.URL+"/", "Accept-Language", "en-US,en;q=0.9")
	if !strings.Contains(body, "Visitors today") || !strings.Contains(body, `lang="en"`) {
		t.Error("English not chosen from Accept-Language")
	}
	_, body = get(t, c, f.srv.URL+"/?lang=zh", "Accept-Language", "en-US")
	if !strings.Contains(body, "今日访客") || !strings.Contains(body, `lang="zh-Hans"`) {
		t.Error("?lang=zh not honoured")
	}
	// The choice sticks (cookie) on the next page.
	_, body = get(t, c, f.srv.URL+"/site/sh", "Accept-Language", "en-US")
	if !strings.Contains(body, "设备") {
		t.Error("the language choice did not stick")
	}
	if got := EN.Date("2026-03-10"); got != "Tue 10 Mar 2026" {
		t.Errorf("EN date %q", got)
	}
	if got := ZH.Date("2026-03-10"); got != "2026年3月10日 周二" {
		t.Errorf("ZH date %q", got)
	}
	if got := EN.Num(1234567); got != "1,234,567" {
		t.Errorf("EN num %q", got)
	}
}

// overviewCells reads the overview's numbers: site -> key -> text.
func overviewCells(t *testing.T, body string) (map[string]map[string]string, []string) {
	root := doc(t, body)
	out := map[string]map[string]string{}
	var order []string
	for _, tr := range find(root, func(n *html.Node) bool { _, ok := attr(n, "data-site"); return ok && n.Data == "tr" }) {
		site, _ := attr(tr, "data-site")
		order = append(order, site)
		out[site] = map[string]string{}
		for _, td := range find(tr, func(n *html.Node) bool { _, ok := attr(n, "data-k"); return ok }) {
			k, _ := attr(td, "data-k")
			out[site][k] = text(td)
		}
	}
	return out, order
}

// TestOverviewNumbers: every number on the overview is the query layer's.
func TestOverviewNumbers(t *testing.T) {
	f := newFixture(t)
	_, body := get(t, f.loggedIn(t), f.srv.URL+"/?lang=en")
	cells, order := overviewCells(t, body)
	sites, err := f.hub.Sites(ctx)
	if err != nil {
		t.Fatal(err)
	}
	alerts, _ := f.hub.Alerts(ctx)
	if len(cells) != len(sites) {
		t.Fatalf("%d rows for %d sites", len(cells), len(sites))
	}
	for _, s := range sites {
		got := cells[s.Site]
		num := func(n uint64) string {
			if !s.TodayKnown {
				return "no data yet"
			}
			return EN.Num(int64(n))
		}
		want := map[string]string{"today": num(s.Today.Entries), "inroom": num(s.InRoom), "sessions": num(s.Today.Sessions),
			"devices": fmt.Sprintf("%d/%d", s.Completeness.Online, s.Completeness.Devices)}
		n := 0
		for _, a := range alerts {
			if a.Site == s.Site {
				n++
			}
		}
		want["alerts"] = strconv.Itoa(n)
		if s.TimeZone != "" {
			loc, _ := time.LoadLocation(s.TimeZone)
			today := f.clock.Now().In(loc)
			monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7)).Format(wire.DateLayout)
			// Earlier days from the hub's days, today from the totals.
			yesterday := today.AddDate(0, 0, -1).Format(wire.DateLayout)
			week, _ := f.hub.Days(ctx, s.Site, monday, yesterday)
			year, _ := f.hub.Days(ctx, s.Site, fmt.Sprintf("%d-01-01", today.Year()), yesterday)
			want["week"], want["year"] = EN.Num(week.Total.Entries+int64(s.Today.Entries)), EN.Num(year.Total.Entries+int64(s.Today.Entries))
		} else {
			want["week"], want["year"] = "no data yet", "no data yet"
		}
		for k, w := range want {
			if strings.TrimSpace(got[k]) != w {
				t.Errorf("%s %s: page %q, hub %q", s.Site, k, got[k], w)
			}
		}
	}
	// The fixture's own figures, so a wrong query layer cannot pass too.
	if cells["sh"]["today"] != "6" || cells["sh"]["inroom"] != "3" || cells["sh"]["week"] != "7" || cells["sh"]["year"] != "10" || cells["sh"]["sessions"] != "25" {
		t.Errorf("sh: %v", cells["sh"])
	}
	// ldn has a device offline (and an alert): it comes first; new has no
	// numbers yet: "no data yet", not 0.
	if order[0] != "ldn" {
		t.Errorf("order %v: ldn needs attention first", order)
	}
	if cells["new"]["today"] != "no data yet" || cells["new"]["week"] != "no data yet" {
		t.Errorf("new: %v", cells["new"])
	}
	if !strings.Contains(body, "door1 offline since 10 Mar 2026 11:00 UTC") || !strings.Contains(body, "7 events waiting on devices") {
		t.Errorf("the overview does not say why ldn is incomplete")
	}
	if !strings.Contains(body, "time zone Asia/Shanghai") || !strings.Contains(body, "time zone not known yet") {
		t.Error("time zones not labelled")
	}
}

func TestSitePageNumbers(t *testing.T) {
	f := newFixture(t)
	c := f.loggedIn(t)
	_, body := get(t, c, f.srv.URL+"/site/sh?lang=en")
	root := doc(t, body)
	hc, err := f.hub.HoursCompared(ctx, "sh", "2026-03-10")
	if err != nil {
		t.Fatal(err)
	}
	rows := tableRows(t, root, "hours-table")
	if len(rows) != 24 {
		t.Fatalf("%d hour rows", len(rows))
	}
	for h, r := range rows {
		want := []string{fmt.Sprintf("%02d:00", h), EN.Num(hc.This.Hours[h].Entries), EN.Num(hc.WeekAgo.Hours[h].Entries)}
		if strings.Join(r, "|") != strings.Join(want, "|") {
			t.Errorf("hour %d: %v, hub %v", h, r, want)
		}
	}
	if rows[9][1] != "2" || rows[9][2] != "1" || rows[14][1] != "2" {
		t.Errorf("hours 9 and 14: %v %v", rows[9], rows[14])
	}
	days, _ := f.hub.Days(ctx, "sh", "2026-02-09", "2026-03-10")
	drows := tableRows(t, root, "days-table")
	if len(drows) != 30 {
		t.Fatalf("%d day rows", len(drows))
	}
	for i, d := range days.Days {
		want := []string{EN.Date(d.Date), "no data yet"}
		if d.HasData {
			want = []string{EN.Date(d.Date), EN.Num(d.Entries), EN.Num(d.Exits), EN.Num(d.Sessions), EN.Num(d.AfterHoursEntries)}
		}
		if strings.Join(drows[i], "|") != strings.Join(want, "|") {
			t.Errorf("day %s: %v, hub %v", d.Date, drows[i], want)
		}
	}
	fn, _ := f.hub.Funnel(ctx, "sh", "2026-02-09", "2026-03-10")
	frows := tableRows(t, root, "funnel-table")
	if frows[0][1] != EN.Num(fn.Sessions) || len(frows) != 1+len(fn.Modules) {
		t.Fatalf("funnel %v, hub %+v", frows, fn)
	}
	for i, m := range fn.Modules {
		if want := []string{m.Module, EN.Num(m.Started), EN.Num(m.Completed), EN.Num(m.Passed)}; strings.Join(frows[i+1], "|") != strings.Join(want, "|") {
			t.Errorf("funnel %s: %v, hub %v", m.Module, frows[i+1], want)
		}
	}
	if strings.Join(frows[1], "|") != "fire|25|20|15" {
		t.Errorf("fire funnel %v", frows[1])
	}
	hard := tableRows(t, root, "hardest-table")
	ans, _ := f.hub.Answers(ctx, "sh", "2026-02-09", "2026-03-10", MinAnswers)
	if len(hard) != len(ans) || len(hard) != 2 {
		t.Fatalf("hardest %v, hub %+v", hard, ans)
	}
	for i, a := range ans {
		want := []string{a.Step, a.Question["zh"], a.Question["en"], EN.Pct(a.WrongShare), EN.Num(a.Right + a.Wrong)}
		if strings.Join(hard[i], "|") != strings.Join(want, "|") {
			t.Errorf("hardest %d: %v, hub %v", i, hard[i], want)
		}
	}
	// fire-q2 (half wrong) above fire-q1 (one in five); fire-q3 has 5
	// answers only.
	if hard[0][0] != "fire-q2" || hard[0][3] != "48%" || hard[1][0] != "fire-q1" || hard[1][3] != "20%" || strings.Contains(body, "fire-q3") {
		t.Errorf("hardest %v", hard)
	}
	// The pack's texts are input: escaped, never markup.
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("pack text not escaped")
	}
	fb := tableRows(t, root, "feedback-table")
	if fb[0][1] != EN.Num(days.Total.Feedback[2]) || fb[2][1] != EN.Num(days.Total.Feedback[0]) || fb[3][1] != EN.Num(days.Total.AfterHoursEntries) || fb[3][1] != "1" || fb[0][1] != "4" {
		t.Errorf("feedback %v, hub %+v", fb, days.Total)
	}
	dev := tableRows(t, root, "device-table")
	st, _ := f.hub.Site(ctx, "sh")
	for i, d := range st.Devices {
		if dev[i][0] != d.Device || dev[i][1] != "online" || dev[i][3] != strconv.FormatUint(d.Streams[0].CompleteThrough, 10) ||
			dev[i][7] != d.Pack+" "+d.PackVer || dev[i][8] != d.App {
			t.Errorf("device %s: %v, hub %+v", d.Device, dev[i], d)
		}
	}
	if dev[0][3] != "13" {
		t.Errorf("door1 complete through %q, want 13", dev[0][3])
	}
	if !strings.Contains(body, "Time zone: Asia/Shanghai") && !strings.Contains(body, "time zone: Asia/Shanghai") {
		t.Error("time zone not named")
	}

	// London: offline, backlog, a sensor fault alert with its start.
	_, body = get(t, c, f.srv.URL+"/site/ldn?lang=en")
	root = doc(t, body)
	dev = tableRows(t, root, "device-table")
	if !strings.HasPrefix(dev[0][1], "offline since 10 Mar 2026 11:00") || dev[0][4] != "7" || !strings.Contains(dev[0][6], "fault: beam blocked") {
		t.Errorf("ldn device %v", dev[0])
	}
	alerts := tableRows(t, root, "alerts")
	if len(alerts) == 0 || !strings.Contains(body, "Sensor fault") {
		t.Errorf("ldn alerts %v", alerts)
	}
	if code, _ := get(t, c, f.srv.URL+"/site/nowhere"); code != http.StatusNotFound {
		t.Errorf("unknown site: %d", code)
	}
	// A site with nothing yet: no data, not zeros.
	_, body = get(t, c, f.srv.URL+"/site/new?lang=en")
	if strings.Count(body, "no data yet") < 5 {
		t.Errorf("site new: %d 'no data yet'", strings.Count(body, "no data yet"))
	}
}

func TestReport(t *testing.T) {
	f := newFixture(t)
	c := f.loggedIn(t)
	_, body := get(t, c, f.srv.URL+"/report?site=sh&month=2026-03&lang=en")
	root := doc(t, body)
	days, _ := f.hub.Days(ctx, "sh", "2026-03-01", "2026-03-31")
	tot := tableRows(t, root, "report-totals")
	if tot[0][0] != "sh" || tot[0][1] != EN.Num(days.Total.Entries) || tot[0][3] != EN.Num(days.Total.Sessions) || tot[0][1] != "9" {
		t.Errorf("totals %v, hub %+v", tot, days.Total)
	}
	drows := tableRows(t, root, "report-days")
	if len(drows) != 31 {
		t.Fatalf("%d days", len(drows))
	}
	for i, d := range days.Days {
		if d.HasData && strings.TrimSuffix(drows[i][0], " *") != EN.Date(d.Date) || d.HasData && drows[i][1] != EN.Num(d.Entries) {
			t.Errorf("day %s: %v, hub %+v", d.Date, drows[i], d)
		}
	}
	busy := tableRows(t, root, "busy-days")
	if busy[0][0] != EN.Date("2026-03-10") || busy[0][1] != "6" {
		t.Errorf("busiest days %v", busy)
	}
	hours := tableRows(t, root, "busy-hours")
	if len(hours) == 0 || hours[0][1] != "3" {
		t.Errorf("busiest hours %v", hours)
	}
	if !strings.Contains(body, "March 2026") {
		t.Error("month not named")
	}

	// CSV: the same days.
	code, csvBody := get(t, c, f.srv.URL+"/report.csv?site=sh&month=2026-03")
	if code != 200 {
		t.Fatalf("csv: %d", code)
	}
	recs, err := csv.NewReader(strings.NewReader(csvBody)).ReadAll()
	if err != nil || len(recs) != 32 {
		t.Fatalf("csv: %d records, %v", len(recs), err)
	}
	for i, d := range days.Days {
		if recs[i+1][0] != d.Date || recs[i+1][1] != strconv.FormatInt(d.Entries, 10) || recs[i+1][9] != strconv.FormatBool(d.HasData) {
			t.Errorf("csv %v, hub %+v", recs[i+1], d)
		}
	}

	// XLSX: the same, read back with excelize.
	resp, err := c.Get(f.srv.URL + "/report.xlsx?site=sh&month=2026-03")
	if err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bufio.NewReader(resp.Body))
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	xr, _ := x.GetRows("Days")
	if len(xr) != 32 || xr[10][0] != "2026-03-10" || xr[10][1] != "6" {
		t.Errorf("xlsx days: %d rows, %v", len(xr), xr[10])
	}
	tr, _ := x.GetRows("Totals")
	if len(tr) != 2 || tr[1][0] != "sh" || tr[1][4] != strconv.FormatInt(days.Total.Entries, 10) {
		t.Errorf("xlsx totals %v", tr)
	}

	// All sites: the sum of each site's.
	_, body = get(t, c, f.srv.URL+"/report?from=2026-03-01&to=2026-03-10&lang=en")
	tot = tableRows(t, doc(t, body), "report-totals")
	var sum int64
	for _, s := range []string{"sh", "ldn"} {
		d, _ := f.hub.Days(ctx, s, "2026-03-01", "2026-03-10")
		sum += d.Total.Entries
	}
	if last := tot[len(tot)-1]; last[1] != EN.Num(sum) || sum != 11 {
		t.Errorf("all sites total %v, hub %d", last, sum)
	}
	if code, _ := get(t, c, f.srv.URL+"/report?from=2026-03-10&to=2026-03-01"); code != http.StatusBadRequest {
		t.Errorf("a backwards range: %d", code)
	}
}

// TestLiveUpdate: a new totals reaches the overview's stream.
func TestLiveUpdate(t *testing.T) {
	f := newFixture(t)
	c := f.loggedIn(t)
	c.Timeout = 10 * time.Second
	resp, err := c.Get(f.srv.URL + "/live?lang=en")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	events := make(chan string, 10)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				events <- d
			}
		}
		close(events)
	}()
	first := <-events
	if !strings.Contains(first, `"today":{"t":"6"}`) {
		t.Fatalf("first event %s", first)
	}
	f.seq["sh/door1"]++
	f.totals(t, "sh", "door1", "Asia/Shanghai", wire.Counters{Entries: 7, Exits: 3, AfterHoursEntries: 1}, wire.Counters{Entries: 11, Exits: 3, AfterHoursEntries: 1})
	select {
	case ev := <-events:
		if !strings.Contains(ev, `"today":{"t":"7"`) || !strings.Contains(ev, `"inroom":{"t":"4"`) {
			t.Fatalf("after the new totals: %s", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no live update")
	}
}

// TestOpenWithoutUsers: a loopback hub with no users serves its pages and
// API without a login, and says so.
func TestOpenWithoutUsers(t *testing.T) {
	f := newFixture(t)
	f.web.opts.Open = true
	c := f.client(t)
	code, body := get(t, c, f.srv.URL+"/?lang=en")
	if code != 200 || !strings.Contains(body, "No staff login is configured") {
		t.Fatalf("open overview: %d %s", code, body)
	}
	if code, _ := get(t, c, f.srv.URL+"/api/v1/sites"); code != 200 {
		t.Errorf("open api: %d", code)
	}
	f.web.opts.Open = false
	if code, _ := get(t, c, f.srv.URL+"/"); code != http.StatusSeeOther {
		t.Errorf("with users: %d", code)
	}
}

// TestTemplatesUseKnownMessages: every {{.T "key"}} in a template has both
// languages (T would print the bare key).
func TestTemplatesUseKnownMessages(t *testing.T) {
	entries, _ := templateFS.ReadDir("templates")
	re := regexp.MustCompile(`\.(?:T|Tf) "([^"]+)"`)
	for _, e := range entries {
		b, _ := templateFS.ReadFile("templates/" + e.Name())
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if _, ok := messages[m[1]]; !ok {
				t.Errorf("%s: message %q is not defined", e.Name(), m[1])
			}
		}
	}
}
