package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/wufang-kiosk/wufang/content/contenttest"
	"github.com/wufang-kiosk/wufang/edge/hub"
	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

const (
	sumA = "5d41402abc4b2a76b9719d911017c592ae8c7b3f1e5a4c2b7e9d0f1a2b3c4d5e"
	sumB = "0b9c2625dc21ef05f6ad4ddf47c5f203837aa32c6b1d7e0f4a8e2d9c1b3a5f70"
)

// offers gives site sh's devices a pack offer each way it can stand: door1
// installed the site's offer, kiosk1 refused its own (a key it does not
// trust), kiosk2 waits for the room to close, kiosk3 said something the
// hub does not recognise.
func (f *fixture) offers(t *testing.T) {
	t.Helper()
	offered := f.clock.Now().Add(-2 * time.Hour)
	for _, o := range []db.Offer{
		{Site: "sh", Device: wire.OfferAll, Pack: "spring-fair", Version: "1.1.0", SHA256: sumA, Size: 2318441,
			URL: "https://hub.example:9108/packs/spring-fair-1.1.0.wfpack", Offered: offered},
		{Site: "sh", Device: "kiosk1", Pack: "spring-fair", Version: "1.2.0", SHA256: sumB, Size: 2318442,
			URL: "https://hub.example:9108/packs/spring-fair-1.2.0.wfpack", Offered: offered},
		{Site: "sh", Device: "kiosk3", Pack: "spring-fair", Version: "1.0.0", SHA256: sumB, Size: 2318442, Rollback: true,
			URL: "https://hub.example:9108/packs/spring-fair-1.0.0.wfpack", Offered: offered},
	} {
		if err := f.db.SaveOffer(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	tm := f.clock.Now().Add(-time.Hour)
	f.events(t, "sh", "door1", "Asia/Shanghai", wire.Event{Kind: wire.PackInstalled, Pack: "spring-fair", PackVer: "1.1.0", Time: tm})
	f.events(t, "sh", "kiosk1", "Asia/Shanghai", wire.Event{Kind: wire.PackRejected, Pack: "spring-fair", PackVer: "1.2.0", Time: tm,
		Reason: "install pack: unknown signing key: the pack is signed with key 971123036bf34585, which is not in content.trusted_keys"})
	for dev, rep := range map[string]*wire.OfferState{
		"kiosk2": {ID: "spring-fair", Version: "1.1.0", SHA256: sumA, State: wire.OfferPending, Reason: "waiting for the room to close (opening hours)"},
		"kiosk3": {ID: "spring-fair", Version: "1.0.0", SHA256: sumB, State: wire.OfferRefused, Reason: "<b>a fault no one foresaw</b>"},
	} {
		st := wire.Status{V: 1, Epoch: epochA, Online: true, App: "1.4.0", Pack: "wufang-basic", PackVersion: "2026.3", Boot: 1,
			Offer: rep, Time: f.clock.Now()}
		if err := f.db.StoreStatus(ctx, "sh", dev, epochA, st, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSitePageOffers: the site page's device table says, per device, how
// its pack offer stands and why, in the page's language, with the device's
// own words beside it; a device without an offer shows a dash.
func TestSitePageOffers(t *testing.T) {
	f := newFixture(t)
	c := f.loggedIn(t)
	_, body := get(t, c, f.srv.URL+"/site/sh?lang=en")
	if strings.Contains(body, "offered to") {
		t.Fatal("an offer is shown before any was made")
	}
	f.offers(t)
	want := map[Lang]map[string][]string{
		EN: {
			"door1":  {"Installed spring-fair 1.1.0", "offered to the whole site · on 10 Mar 2026 18:00"},
			"kiosk1": {"Refused spring-fair 1.2.0", "offered to this device", "Signed with a key this device does not trust", "The device says: install pack: unknown signing key"},
			"kiosk2": {"Pending spring-fair 1.1.0", "offered to the whole site", "Waits for the room to close", "The device says: waiting for the room to close"},
			"kiosk3": {"Refused spring-fair 1.0.0 (rollback)", "offered to this device", "The device says: <b>a fault no one foresaw</b>"},
		},
		ZH: {
			"door1":  {"已安装 spring-fair 1.1.0", "发布给全站 · 发布于 2026年3月10日 18:00"},
			"kiosk1": {"已拒绝 spring-fair 1.2.0", "只发布给此设备", "签名密钥不受此设备信任", "设备原话： install pack: unknown signing key"},
			"kiosk2": {"等待安装 spring-fair 1.1.0", "等闭馆后安装"},
			"kiosk3": {"已拒绝 spring-fair 1.0.0 （回退）", "设备原话： <b>a fault no one foresaw</b>"},
		},
	}
	for lang, devs := range want {
		_, body := get(t, c, f.srv.URL+"/site/sh?lang="+string(lang))
		rows := tableRows(t, doc(t, body), "device-table")
		if len(rows) != 4 {
			t.Fatalf("%s: %d device rows: %v", lang, len(rows), rows)
		}
		for _, r := range rows {
			cell := r[len(r)-1]
			for _, w := range devs[r[0]] {
				if !strings.Contains(cell, w) {
					t.Errorf("%s %s: offer cell %q, want %q in it", lang, r[0], cell, w)
				}
			}
		}
		if strings.Contains(body, "<b>a fault") {
			t.Errorf("%s: the device's words are not escaped", lang)
		}
	}
	// The page shows what the query layer says.
	states, err := f.hub.PackStates(ctx, "sh")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range states {
		if s.Offer != nil {
			got[s.Device] = s.Offer.Outcome + " " + s.Offer.Why
		}
	}
	if got["door1"] != "installed " || got["kiosk1"] != "refused unknown_key" || got["kiosk2"] != "pending waiting_hours" || got["kiosk3"] != "refused other" {
		t.Errorf("pack states %v", got)
	}
}

// A hub error the device tries again (pending) reads as a download to be
// retried, not as the refusal's "withdraw and offer again".
func TestPendingHubErrorIsARetry(t *testing.T) {
	o := &hub.OfferInfo{Pack: "p", Version: "1.0.0", Scope: "kiosk1", Outcome: hub.OutcomePending,
		Reason: "the hub answered 503 Service Unavailable for https://hub/packs/p.wfpack", Why: hub.WhyHubError}
	v := &view{Lang: EN}
	if c := v.offerCell(o, time.UTC); c.Said != EN.T("why.download") {
		t.Errorf("pending: %q", c.Said)
	}
	o.Outcome = hub.OutcomeRefused
	if c := v.offerCell(o, time.UTC); c.Said != EN.T("why.hub_error") {
		t.Errorf("refused: %q", c.Said)
	}
}

// Every kind of reason the hub sorts has its words in both languages.
func TestEveryWhyIsSaid(t *testing.T) {
	for _, w := range hub.Whys() {
		if w == hub.WhyOther {
			continue // the device's own words are shown
		}
		if _, ok := messages["why."+w]; !ok {
			t.Errorf("no message why.%s", w)
		}
	}
}

type publishedMsgs struct {
	mu   sync.Mutex
	msgs map[string][]byte
}

func (p *publishedMsgs) publish(_ context.Context, topic string, b []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.msgs[topic] = b
	return nil
}

func (p *publishedMsgs) get(topic string) ([]byte, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b, ok := p.msgs[topic]
	return b, ok
}

// withOffers serves the fixture's dashboard again with an Offerer over a
// packs folder holding two signed releases, 2.0.0 and 2.1.0.
func (f *fixture) withOffers(t *testing.T) (*hub.Offerer, *publishedMsgs) {
	t.Helper()
	key := contenttest.Key(t, "district")
	dir := t.TempDir()
	for _, v := range []string{"2.0.0", "2.1.0"} {
		if err := os.WriteFile(filepath.Join(dir, "p-"+v+".wfpack"), contenttest.Wfpack(t, v, &key), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lib := &hub.Library{Dir: dir, TrustedKeys: []string{key.Public().Line()}}
	if err := lib.Scan(); err != nil {
		t.Fatal(err)
	}
	pub := &publishedMsgs{msgs: map[string][]byte{}}
	off := &hub.Offerer{DB: f.db, Library: lib, PublicURL: "https://hub.example:9108", Publish: pub.publish, Now: f.clock.Now}
	opts := f.web.opts
	opts.Offers = off
	w, err := New(f.hub, opts)
	if err != nil {
		t.Fatal(err)
	}
	f.web = w
	api := http.NewServeMux()
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "api "+r.URL.Path) })
	f.srv.Close()
	f.srv = httptest.NewServer(w.Handler(api))
	t.Cleanup(f.srv.Close)
	return off, pub
}

// TestOfferActions: from the site page a user with the content role
// withdraws a device's offer and offers the site the previous release (a
// rollback), each a POST with the page's CSRF token; a user without the
// role sees no buttons and is refused; a rollback with nothing older says
// what to do.
func TestOfferActions(t *testing.T) {
	f := newFixture(t)
	off, pub := f.withOffers(t)
	if _, err := off.Offer(ctx, "sh", nil, "p-2.1.0.wfpack"); err != nil {
		t.Fatal(err)
	}
	if _, err := off.Offer(ctx, "sh", []string{"kiosk1"}, "p-2.1.0.wfpack"); err != nil {
		t.Fatal(err)
	}
	standing := func() string { t.Helper(); return f.standing(t) }
	if s := standing(); s != "_all:2.1.0 kiosk1:2.1.0" {
		t.Fatalf("standing offers %q", s)
	}

	// Without the role: no buttons, and the action is refused.
	plain := f.loggedIn(t)
	_, body := get(t, plain, f.srv.URL+"/site/sh?lang=en")
	if strings.Contains(body, "/offers/withdraw") || !strings.Contains(body, "Offered to the whole site: <b>wufang-builtin 2.1.0</b>") {
		t.Errorf("without the role the page reads %s", body)
	}
	resp := f.post(t, plain, "/site/sh/offers/withdraw", url.Values{"device": {"kiosk1"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("withdraw without the role: %s", resp.Status)
	}

	editor := f.client(t)
	if resp := f.login(t, editor, testEditor, testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatal(resp.Status)
	}
	_, body = get(t, editor, f.srv.URL+"/site/sh?lang=en")
	root := doc(t, body)
	forms := find(root, func(n *html.Node) bool { return n.Data == "form" && strings.Contains(attrOf(n, "action"), "/offers/") })
	var got []string
	for _, fm := range forms {
		dev := ""
		for _, in := range find(fm, func(n *html.Node) bool { return n.Data == "input" && attrOf(n, "name") == "device" }) {
			dev = attrOf(in, "value")
		}
		got = append(got, attrOf(fm, "action")+"("+dev+")")
	}
	if strings.Join(got, " ") != "/site/sh/offers/withdraw() /site/sh/offers/previous() /site/sh/offers/withdraw(kiosk1) /site/sh/offers/previous(kiosk1)" {
		t.Errorf("offer forms %v", got)
	}
	// Without the CSRF token: refused, nothing changes.
	resp, err := editor.PostForm(f.srv.URL+"/site/sh/offers/withdraw", url.Values{"device": {"kiosk1"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || standing() != "_all:2.1.0 kiosk1:2.1.0" {
		t.Errorf("withdraw without a token: %s, offers %q", resp.Status, standing())
	}

	// Withdraw kiosk1's own offer.
	resp = f.post(t, editor, "/site/sh/offers/withdraw", url.Values{"device": {"kiosk1"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/site/sh?done=withdraw#devices" {
		t.Fatalf("withdraw: %s %s", resp.Status, resp.Header.Get("Location"))
	}
	if b, ok := pub.get("wufang/v1/_offers/sh/kiosk1"); !ok || len(b) != 0 {
		t.Errorf("the withdrawal published %q %v", b, ok)
	}
	if s := standing(); s != "_all:2.1.0" {
		t.Errorf("after the withdrawal: %q", s)
	}
	_, body = get(t, editor, f.srv.URL+"/site/sh?done=withdraw&lang=zh")
	if !strings.Contains(body, "已撤回发布。设备保留正在运行的内容包。") {
		t.Errorf("no notice of the withdrawal")
	}

	// The site's previous release, as a rollback.
	resp = f.post(t, editor, "/site/sh/offers/previous", url.Values{})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("previous: %s", resp.Status)
	}
	msg, err := wire.DecodeOffer(mustGet(t, pub, "wufang/v1/_offers/sh/_all"))
	if err != nil || msg.Version != "2.0.0" || !msg.Rollback {
		t.Errorf("the rollback published %+v %v", msg, err)
	}
	if s := standing(); s != "_all:2.0.0r" {
		t.Errorf("after the rollback: %q", s)
	}
	_, body = get(t, editor, f.srv.URL+"/site/sh?lang=en")
	if !strings.Contains(body, "wufang-builtin 2.0.0 (rollback)") {
		t.Errorf("the rollback is not shown")
	}

	// Nothing older than 2.0.0: the refusal says what to do.
	resp, err = editor.PostForm(f.srv.URL+"/site/sh/offers/previous?lang=en", url.Values{"csrf": {f.csrfOf(t, editor, "/login")}})
	if err != nil {
		t.Fatal(err)
	}
	b := readAll(t, resp)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(b, "put the previous release&#39;s .wfpack there first") {
		t.Errorf("previous with nothing older: %s %s", resp.Status, b)
	}
	// A device id that is not one.
	if resp := f.post(t, editor, "/site/sh/offers/withdraw", url.Values{"device": {"../x"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a bad device id: %s", resp.Status)
	}
}

func attrOf(n *html.Node, key string) string { v, _ := attr(n, key); return v }

func mustGet(t *testing.T, p *publishedMsgs, topic string) []byte {
	t.Helper()
	b, ok := p.get(topic)
	if !ok {
		t.Fatalf("nothing published on %s", topic)
	}
	return b
}
