package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/wufang-kiosk/wufang/content/contenttest"
	"github.com/wufang-kiosk/wufang/edge/hub"
	"github.com/wufang-kiosk/wufang/edge/uplink/brokertest"
	"github.com/wufang-kiosk/wufang/internal/phc"
)

// TestOffersEndToEnd: a real broker, a real wufang-hub serving its
// dashboard and its packs folder over HTTPS on loopback (a throw-away CA
// made in Go), and two simulated rooms (wufang-edge processes with
// content.from_hub: true and the CA as content.hub_ca_file, closed all day
// so installs may go ahead). The hub offers a signed pack to the site:
// both install it. Then one device is offered, one after the other, a
// file that changed on the hub after the offer was made (its size and
// SHA-256 no longer the offer's), a pack signed by a key the hub trusts
// and the device does not, an older version, and a pack whose URL is not
// the device's hub (a hub whose content.public_url names another host):
// it refuses each and keeps its pack. The hub's query layer (its JSON API)
// and its dashboard page show every outcome, with the reason in the page's
// language; a staff member with the content role withdraws the device's
// own offer from the dashboard (login, the button's confirmation page,
// its Confirm: a POST form with the CSRF token), and the
// device is back on its site's offer. Last, a rollback at district scale:
// the site gets a newer release, then staff offer the previous release
// from the dashboard and both rooms go back to it.
func TestOffersEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test in -short mode")
	}
	edgeBin := build(t, "../wufang-edge", "wufang-edge")
	hubBin := build(t, ".", "wufang-hub")
	b := brokertest.Start(t, brokertest.Options{})
	dir := t.TempDir()
	district, other := contenttest.Key(t, "district"), contenttest.Key(t, "other-district")
	packs := filepath.Join(dir, "packs")
	if err := os.MkdirAll(packs, 0o755); err != nil {
		t.Fatal(err)
	}
	put := func(name string, data []byte) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(packs, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	put("builtin-2.1.0.wfpack", contenttest.Wfpack(t, "2.1.0", &district))

	// The hub's certificate, for 127.0.0.1 and localhost, from a CA the
	// devices are given; this test's client trusts it too.
	ca, err := brokertest.NewCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	caPEM, err := os.ReadFile(ca.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	tlsClient := func() *http.Client {
		jar, _ := cookiejar.New(nil)
		return &http.Client{Timeout: 5 * time.Second, Jar: jar,
			Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	api := tlsClient()

	const staff, staffPassword = "zhao", "correct horse battery staple"
	staffHash, err := phc.Hash(staffPassword)
	if err != nil {
		t.Fatal(err)
	}
	hubAddr := freeAddr(t)
	hubURL := "https://" + hubAddr
	hubConfig := func(publicURL string) string {
		return fmt.Sprintf(`data_dir: %s
mqtt:
  broker: %s
  client_id: hub-offers-e2e
  keepalive: 5s
  share_group: ""
http:
  listen: %s
  tls_cert: %s
  tls_key: %s
  users: {%s: %q}
  roles: {%s: [content]}
content:
  packs_dir: %s
  trusted_keys: [%q, %q]
  public_url: %s
`, filepath.Join(dir, "hub"), b.URL(), hubAddr, ca.ServerCertFile, ca.ServerKeyFile, staff, staffHash, staff,
			packs, district.Public().Line(), other.Public().Line(), publicURL)
	}
	hubCfg := filepath.Join(dir, "hub.yaml")
	if err := os.WriteFile(hubCfg, []byte(hubConfig(hubURL)), 0o600); err != nil {
		t.Fatal(err)
	}
	// The same hub as a misconfigured one would offer: content.public_url
	// names localhost, which the devices' content.hub_url does not (and
	// the certificate would pass: only the device's check refuses it).
	strayCfg := filepath.Join(dir, "hub-stray.yaml")
	if err := os.WriteFile(strayCfg, []byte(hubConfig(strings.Replace(hubURL, "127.0.0.1", "localhost", 1))), 0o600); err != nil {
		t.Fatal(err)
	}
	hubLog := filepath.Join(dir, "hub.log")
	startProc(t, hubLog, hubBin, "--config", hubCfg, "run")
	waitHTTPVia(t, api, hubURL+"/healthz")
	if _, err := (&http.Client{Timeout: 5 * time.Second}).Get(hubURL + "/healthz"); err == nil {
		t.Error("a client without the test CA trusted the hub's certificate")
	}

	const site = "site-a"
	devices := map[string]*device{}
	startDevice := func(d *device) {
		d.p = startProc(t, d.log, edgeBin, "--config", d.cfgPath, "run")
	}
	for _, id := range []string{"kiosk-a", "kiosk-b"} {
		d := &device{site: site, id: id, httpAddr: freeAddr(t)}
		ddir := filepath.Join(dir, id)
		d.cfgPath, d.log = filepath.Join(ddir, "wufang.yaml"), filepath.Join(ddir, "edge.log")
		text := fmt.Sprintf(`site: %s
device: %s
data_dir: %s
mqtt:
  broker: %s
  keepalive: 5s
http:
  listen: %s
sensors:
  simulate: true
kiosk:
  opening_hours: {daily: closed}
content:
  from_hub: true
  hub_url: %s
  hub_ca_file: %s
  trusted_keys: [%q]
`, site, id, filepath.Join(ddir, "data"), b.URL(), d.httpAddr, hubURL, ca.CAFile, district.Public().Line())
		if err := os.MkdirAll(ddir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(d.cfgPath, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		startDevice(d)
		devices[id] = d
	}
	offerWith := func(cfg string, args ...string) {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := Main(append([]string{"--config", cfg, "offer", "--site", site}, args...), &out, &errOut); code != 0 {
			t.Fatalf("wufang-hub offer %v: exit %d\n%s%s", args, code, out.String(), errOut.String())
		}
		t.Logf("wufang-hub offer %s: %s", strings.Join(args, " "), strings.TrimSpace(out.String()))
	}
	offer := func(args ...string) { t.Helper(); offerWith(hubCfg, args...) }

	// The staff member logs in to the dashboard (over HTTPS, with the
	// login page's CSRF token).
	dash := tlsClient()
	csrfRe := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	csrfOf := func(page string) string {
		t.Helper()
		_, body := fetch(t, dash, hubURL+page)
		m := csrfRe.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s has no CSRF token:\n%s", page, body)
		}
		return m[1]
	}
	resp, err := dash.PostForm(hubURL+"/login", url.Values{"user": {staff}, "password": {staffPassword}, "next": {"/"}, "csrf": {csrfOf("/login")}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %s", resp.Status)
	}
	// page returns each device's offer cell of the site page, in lang.
	page := func(lang string) map[string]string {
		t.Helper()
		code, body := fetch(t, dash, hubURL+"/site/"+site+"?lang="+lang)
		if code != 200 {
			t.Fatalf("site page: %d\n%s", code, body)
		}
		return offerCells(t, body)
	}

	states := func() map[string]hub.PackState {
		var list []hub.PackState
		if err := getJSONVia(dash, hubURL+"/api/v1/sites/"+site+"/packs", &list); err != nil {
			return nil
		}
		m := map[string]hub.PackState{}
		for _, s := range list {
			m[s.Device] = s
		}
		return m
	}
	// waitFor waits until the hub says device runs runs and its offer of
	// version has outcome (with reason containing want, sorted as why);
	// then the dashboard must say so, in English and in Chinese.
	waitFor := func(device, runs, version, outcome, want, why string) {
		t.Helper()
		deadline := time.Now().Add(3 * time.Minute)
		for {
			s, ok := states()[device]
			if ok && s.PackVersion == runs && s.Offer != nil && s.Offer.Version == version && s.Offer.Outcome == outcome &&
				strings.Contains(s.Offer.Reason, want) {
				t.Logf("%s runs %s %s; offer of %s: %s %s", device, s.Pack, s.PackVersion, version, outcome, s.Offer.Reason)
				if s.Offer.Why != why {
					t.Errorf("%s: the reason %q is sorted as %q, want %q", device, s.Offer.Reason, s.Offer.Why, why)
				}
				for lang, words := range dashboardWords(outcome, why) {
					cell := page(lang)[device]
					for _, w := range append(words, s.Offer.Pack+" "+version) {
						if !strings.Contains(cell, w) {
							t.Errorf("%s: the %s dashboard shows %q, want %q in it", device, lang, cell, w)
						}
					}
				}
				return
			}
			if time.Now().After(deadline) {
				hl, _ := os.ReadFile(hubLog)
				dl, _ := os.ReadFile(devices[device].log)
				t.Fatalf("%s: want runs %s, offer %s %s %q; the hub says %+v (offer %+v)\nhub log:\n%s\ndevice log:\n%s",
					device, runs, version, outcome, want, s, s.Offer, lastLines(string(hl), 30), lastLines(string(dl), 40))
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	// 1. The site gets 2.1.0: both rooms install it.
	offer("builtin-2.1.0.wfpack")
	waitFor("kiosk-a", "2.1.0", "2.1.0", hub.OutcomeInstalled, "", "")
	waitFor("kiosk-b", "2.1.0", "2.1.0", hub.OutcomeInstalled, "", "")

	// 2. A file changed on the hub after it was offered: kiosk-b is
	// stopped, offered 2.2.0, the file is replaced by another build, and
	// kiosk-b comes back to the retained offer.
	b2 := devices["kiosk-b"]
	if err := b2.p.term(t); err != nil {
		t.Fatalf("kiosk-b did not stop cleanly: %v", err)
	}
	put("builtin-2.2.0.wfpack", contenttest.Wfpack(t, "2.2.0", &district))
	offer("--device", "kiosk-b", "builtin-2.2.0.wfpack")
	put("builtin-2.2.0.wfpack", contenttest.Wfpack(t, "2.2.0", &district, func(y string) string {
		return strings.Replace(y, "format: wufang-pack/1", "# changed after the offer\nformat: wufang-pack/1", 1)
	}))
	startDevice(b2)
	// The size or, if the size happens to match, the SHA-256 gives it away.
	waitFor("kiosk-b", "2.1.0", "2.2.0", hub.OutcomeRefused, "the file on the hub", hub.WhyFileChanged)

	// 3. Signed by a key the hub trusts and kiosk-b does not.
	put("builtin-2.3.0-other.wfpack", contenttest.Wfpack(t, "2.3.0", &other))
	offer("--device", "kiosk-b", "builtin-2.3.0-other.wfpack")
	waitFor("kiosk-b", "2.1.0", "2.3.0", hub.OutcomeRefused, "unknown signing key", hub.WhyUnknownKey)

	// 4. An older version, offered as a plain release: a downgrade.
	put("builtin-2.0.5.wfpack", contenttest.Wfpack(t, "2.0.5", &district))
	offer("--device", "kiosk-b", "builtin-2.0.5.wfpack")
	waitFor("kiosk-b", "2.1.0", "2.0.5", hub.OutcomeRefused, "older than the active", hub.WhyDowngrade)

	// 5. A signed, newer pack at a URL that is not the device's hub.
	put("builtin-2.4.0.wfpack", contenttest.Wfpack(t, "2.4.0", &district))
	offerWith(strayCfg, "--device", "kiosk-b", "builtin-2.4.0.wfpack")
	waitFor("kiosk-b", "2.1.0", "2.4.0", hub.OutcomeRefused, "is not on this device's hub", hub.WhyNotHub)

	// kiosk-a was never touched: it still runs the site's 2.1.0.
	waitFor("kiosk-a", "2.1.0", "2.1.0", hub.OutcomeInstalled, "", "")

	// Withdrawing kiosk-b's own offer from the dashboard (its button's
	// confirmation page, then Confirm) leaves it on the site's offer,
	// which it runs.
	confirmed := func(button string, says ...string) {
		t.Helper()
		offers := func() string { // what stands for each device
			var b strings.Builder
			for _, dev := range []string{"kiosk-a", "kiosk-b"} {
				if o := states()[dev].Offer; o != nil {
					fmt.Fprintf(&b, "%s:%s@%s/%s/%v/%d ", dev, o.Pack, o.Version, o.Scope, o.Rollback, o.Offered.UnixMilli())
				}
			}
			return b.String()
		}
		before := offers()
		action, form := confirmPage(t, dash, hubURL+button, says)
		if after := offers(); after != before {
			t.Fatalf("the confirmation page changed the offers: %v, then %v", before, after)
		}
		resp, err := dash.PostForm(hubURL+action, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("Confirm on %s: %s", button, resp.Status)
		}
	}
	confirmed("/site/"+site+"/offers/withdraw?device=kiosk-b",
		"To: device kiosk-b only", "Withdraws wufang-builtin 2.4.0", "kiosk-b wufang-builtin 2.1.0",
		"Then kiosk-b follows the site's offer, wufang-builtin 2.1.0")
	waitFor("kiosk-b", "2.1.0", "2.1.0", hub.OutcomeInstalled, "", "")

	// 6. A rollback at district scale: the site gets 2.5.0 (both install
	// it; 2.1.0 becomes their previous pack), the releases between are
	// taken out of the folder, and staff offer the previous release from
	// the dashboard: both go back to 2.1.0.
	put("builtin-2.5.0.wfpack", contenttest.Wfpack(t, "2.5.0", &district))
	offer("builtin-2.5.0.wfpack")
	waitFor("kiosk-a", "2.5.0", "2.5.0", hub.OutcomeInstalled, "", "")
	waitFor("kiosk-b", "2.5.0", "2.5.0", hub.OutcomeInstalled, "", "")
	for _, f := range []string{"builtin-2.2.0.wfpack", "builtin-2.3.0-other.wfpack", "builtin-2.4.0.wfpack"} {
		if err := os.Remove(filepath.Join(packs, f)); err != nil {
			t.Fatal(err)
		}
	}
	confirmed("/site/"+site+"/offers/previous", "To: every device of room "+site,
		"Offers wufang-builtin 2.1.0 as a rollback, instead of wufang-builtin 2.5.0",
		"kiosk-a wufang-builtin 2.5.0", "kiosk-b wufang-builtin 2.5.0")
	waitFor("kiosk-a", "2.1.0", "2.1.0", hub.OutcomeInstalled, "", "")
	waitFor("kiosk-b", "2.1.0", "2.1.0", hub.OutcomeInstalled, "", "")
	for dev, cell := range page("en") {
		if !strings.Contains(cell, "wufang-builtin 2.1.0 (rollback)") {
			t.Errorf("%s after the rollback: the dashboard shows %q", dev, cell)
		}
	}

	var out, errOut bytes.Buffer
	if code := Main([]string{"--config", hubCfg, "offer", "--list", "--site", site}, &out, &errOut); code != 0 {
		t.Fatalf("offer --list: %d %s", code, errOut.String())
	}
	t.Logf("wufang-hub offer --list:\n%s", out.String())
	if !strings.Contains(out.String(), "kiosk-b") || !strings.Contains(out.String(), "installed") {
		t.Errorf("offer --list does not show the devices:\n%s", out.String())
	}
}

// dashboardWords are what the site page's offer cell must say of an
// outcome and its reason, by language.
func dashboardWords(outcome, why string) map[string][]string {
	en := map[string]string{hub.OutcomeInstalled: "Installed", hub.OutcomeRefused: "Refused", hub.OutcomePending: "Pending"}
	zh := map[string]string{hub.OutcomeInstalled: "已安装", hub.OutcomeRefused: "已拒绝", hub.OutcomePending: "等待安装"}
	whyEN := map[string]string{hub.WhyFileChanged: "The file on the hub is not the one offered", hub.WhyUnknownKey: "Signed with a key this device does not trust",
		hub.WhyDowngrade: "Older than the version the device runs", hub.WhyNotHub: "The download address is not this device's hub"}
	whyZH := map[string]string{hub.WhyFileChanged: "中心服务器上的文件与发布时不一致", hub.WhyUnknownKey: "签名密钥不受此设备信任",
		hub.WhyDowngrade: "版本比设备正在运行的旧", hub.WhyNotHub: "下载地址不是此设备配置的中心服务器"}
	out := map[string][]string{"en": {en[outcome]}, "zh": {zh[outcome]}}
	if why != "" {
		out["en"] = append(out["en"], whyEN[why])
		out["zh"] = append(out["zh"], whyZH[why])
	}
	return out
}

// offerCells returns the last cell (the pack offer) of each row of the
// site page's device table, by device.
func offerCells(t *testing.T, body string) map[string]string {
	t.Helper()
	root, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var table *html.Node
	var walk func(n *html.Node, f func(*html.Node))
	walk = func(n *html.Node, f func(*html.Node)) {
		f(n)
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, f)
		}
	}
	walk(root, func(n *html.Node) {
		for _, a := range n.Attr {
			if n.Type == html.ElementNode && a.Key == "id" && a.Val == "device-table" {
				table = n
			}
		}
	})
	if table == nil {
		t.Fatalf("no device table:\n%s", body)
	}
	textOf := func(n *html.Node) string {
		var b strings.Builder
		walk(n, func(n *html.Node) {
			if n.Type == html.TextNode {
				b.WriteString(n.Data + " ")
			}
		})
		return strings.Join(strings.Fields(b.String()), " ")
	}
	out := map[string]string{}
	walk(table, func(n *html.Node) {
		if n.Type != html.ElementNode || n.Data != "tr" || n.Parent.Data != "tbody" {
			return
		}
		var cells []string
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && c.Data == "td" {
				cells = append(cells, textOf(c))
			}
		}
		if len(cells) > 1 {
			out[cells[0]] = cells[len(cells)-1]
		}
	})
	return out
}

// confirmPage opens the confirmation page of an offer button at u (in
// English), checks it says each of says, and returns its Confirm form's
// action and fields.
func confirmPage(t *testing.T, c *http.Client, u string, says []string) (string, url.Values) {
	t.Helper()
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	code, body := fetch(t, c, u+sep+"lang=en")
	root, err := html.Parse(strings.NewReader(body))
	if code != http.StatusOK || err != nil {
		t.Fatalf("confirmation page %s: %d %v\n%s", u, code, err, body)
	}
	var text strings.Builder
	var action string
	form := url.Values{}
	var walk func(n *html.Node, inForm bool)
	walk = func(n *html.Node, inForm bool) {
		attr := func(k string) string {
			for _, a := range n.Attr {
				if a.Key == k {
					return a.Val
				}
			}
			return ""
		}
		switch {
		case n.Type == html.TextNode:
			text.WriteString(n.Data + " ")
		case n.Data == "form" && attr("id") == "confirm-form":
			inForm, action = true, attr("action")
		case n.Data == "input" && inForm:
			form.Add(attr("name"), attr("value"))
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch, inForm)
		}
	}
	walk(root, false)
	words := strings.Join(strings.Fields(text.String()), " ")
	for _, s := range says {
		if !strings.Contains(words, s) {
			t.Errorf("the confirmation page %s does not say %q:\n%s", u, s, words)
		}
	}
	if action == "" || form.Get("csrf") == "" {
		t.Fatalf("the confirmation page %s has no Confirm form:\n%s", u, words)
	}
	return action, form
}

// fetch GETs u with c and returns the status and the body.
func fetch(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
