package web

import (
	"strings"
	"testing"
	"time"

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
