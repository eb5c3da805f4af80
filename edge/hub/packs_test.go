package hub_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/content/contenttest"
	"github.com/wufang-kiosk/wufang/edge/hub"
	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

type published struct {
	mu   sync.Mutex
	msgs map[string][]byte
}

func (p *published) publish(_ context.Context, topic string, b []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.msgs[topic] = b
	return nil
}

// The packs folder, the file server, offers, withdrawals, the previous
// release, and each device's outcome as the dashboard reads it.
func TestOffersAndOutcomes(t *testing.T) { backends(t, offersAndOutcomes) }

func offersAndOutcomes(t *testing.T, d *db.DB) {
	district, stranger := contenttest.Key(t, "district"), contenttest.Key(t, "stranger")
	dir := t.TempDir()
	for name, b := range map[string][]byte{
		"p-2.0.0.wfpack":       contenttest.Wfpack(t, "2.0.0", &district),
		"p-2.1.0.wfpack":       contenttest.Wfpack(t, "2.1.0", &district),
		"p-2.2.0.wfpack":       contenttest.Wfpack(t, "2.2.0", &district),
		"unsigned.wfpack":      contenttest.Wfpack(t, "3.0.0", nil),
		"stranger.wfpack":      contenttest.Wfpack(t, "3.1.0", &stranger),
		"notes.txt":            []byte("not a pack"),
		".hidden-2.9.0.wfpack": contenttest.Wfpack(t, "2.9.0", &district),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lib := &hub.Library{Dir: dir, TrustedKeys: []string{district.Public().Line()}}
	if err := lib.Scan(); err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, r := range lib.Releases() {
		files = append(files, r.File)
	}
	if strings.Join(files, " ") != "p-2.0.0.wfpack p-2.1.0.wfpack p-2.2.0.wfpack" {
		t.Errorf("releases %v", files)
	}
	probs := lib.Problems()
	if !strings.Contains(probs["unsigned.wfpack"], "not signed") || !strings.Contains(probs["stranger.wfpack"], "unknown signing key") || len(probs) != 2 {
		t.Errorf("problems %v", probs)
	}

	now := time.Date(2026, 3, 4, 20, 0, 0, 0, time.UTC)
	clk := &clock{t: now}
	h := hub.New(d, hub.Options{Now: clk.now})
	pub := &published{msgs: map[string][]byte{}}
	off := &hub.Offerer{DB: d, Library: lib, PublicURL: "https://hub.example:9108", Publish: pub.publish, Now: clk.now}
	mux := http.NewServeMux()
	h.PackRoutes(mux, lib, off, "a-long-offer-token-for-the-test")
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// The file server hands out releases only.
	for path, want := range map[string]int{"/packs/p-2.1.0.wfpack": 200, "/packs/unsigned.wfpack": 404, "/packs/notes.txt": 404,
		"/packs/..%2fhub.db": 404, "/packs/.hidden-2.9.0.wfpack": 404} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
		if want == 200 {
			if rel, _ := lib.Find("p-2.1.0.wfpack"); int64(len(b)) != rel.Size {
				t.Errorf("GET %s: %d bytes, want %d", path, len(b), rel.Size)
			}
		}
	}

	// Releases copied in one after the other are served at once, each
	// (the folder is read again for a new or changed file, not on a timer).
	for _, v := range []string{"2.3.0", "2.4.0"} {
		name := "p-" + v + ".wfpack"
		if err := os.WriteFile(filepath.Join(dir, name), contenttest.Wfpack(t, v, &district), 0o644); err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(srv.URL + "/packs/" + name)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s just after it was copied in: %d", name, resp.StatusCode)
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := lib.Scan(); err != nil {
		t.Fatal(err)
	}

	// Devices report in (their status says what they run).
	for _, dev := range []string{"kiosk-1", "kiosk-2", "kiosk-3"} {
		if err := d.StoreStatus(ctx, "s1", dev, epA, wire.Status{V: 1, Epoch: epA, Online: true, Pack: "wufang-builtin", PackVersion: "2.0.0", Time: now}, now); err != nil {
			t.Fatal(err)
		}
	}
	offers, err := off.Offer(ctx, "s1", nil, "wufang-builtin@2.1.0")
	if err != nil || len(offers) != 1 {
		t.Fatalf("offer: %v %v", offers, err)
	}
	msg, err := wire.DecodeOffer(pub.msgs["wufang/v1/_offers/s1/_all"])
	if err != nil {
		t.Fatalf("the published offer: %v", err)
	}
	if rel, _ := lib.Find("p-2.1.0.wfpack"); msg.SHA256 != rel.SHA256 || msg.Size != rel.Size || msg.URL != "https://hub.example:9108/packs/p-2.1.0.wfpack" || msg.Rollback {
		t.Errorf("published %+v, release %+v", msg, rel)
	}
	if _, err := off.Offer(ctx, "s1", []string{"kiosk-3"}, "p-2.2.0.wfpack"); err != nil {
		t.Fatal(err)
	}
	if _, err := off.Offer(ctx, "s1", nil, "unsigned.wfpack"); err == nil {
		t.Error("an unsigned file was offered")
	}

	// kiosk-1 installs, kiosk-3 refuses its own offer, kiosk-2 says nothing yet.
	clk.t = now.Add(time.Minute)
	seq := uint64(0)
	event := func(dev string, e wire.Event) db.Event {
		seq++
		e.V, e.Epoch, e.Seq, e.Boot, e.Time = 1, epA, seq, 1, clk.t
		return db.Event{Site: "s1", Device: dev, Epoch: epA, Event: e}
	}
	if _, err := d.StoreEvents(ctx, []db.Event{
		event("kiosk-1", wire.Event{Kind: wire.PackInstalled, Pack: "wufang-builtin", PackVer: "2.1.0"}),
		event("kiosk-3", wire.Event{Kind: wire.PackRejected, Pack: "wufang-builtin", PackVer: "2.2.0", Reason: "install pack: lower version"}),
	}, clk.t); err != nil {
		t.Fatal(err)
	}
	// kiosk-2 says, in its status, what it waits for (a last will's stale
	// report is not taken).
	rel21, _ := lib.Find("p-2.1.0.wfpack")
	waiting := &wire.OfferState{ID: "wufang-builtin", Version: "2.1.0", SHA256: rel21.SHA256, State: wire.OfferPending, Reason: "waiting for the room to close"}
	if err := d.StoreStatus(ctx, "s1", "kiosk-2", epA, wire.Status{V: 1, Epoch: epA, Online: true, Pack: "wufang-builtin", PackVersion: "2.0.0",
		Offer: waiting, Time: clk.t}, clk.t); err != nil {
		t.Fatal(err)
	}
	stale := *waiting
	stale.Reason = "stale"
	if err := d.StoreStatus(ctx, "s1", "kiosk-2", epA, wire.Status{V: 1, Epoch: epA, Online: false, Pack: "wufang-builtin", PackVersion: "2.0.0",
		Offer: &stale, Time: now}, clk.t); err != nil {
		t.Fatal(err)
	}
	want := map[string][3]string{
		"kiosk-1": {"2.1.0", hub.OutcomeInstalled, ""},
		"kiosk-2": {"2.1.0", hub.OutcomePending, "waiting for the room to close"},
		"kiosk-3": {"2.2.0", hub.OutcomeRefused, "install pack: lower version"},
	}
	check := func(want map[string][3]string) {
		t.Helper()
		var states []hub.PackState
		resp, err := http.Get(srv.URL + "/api/v1/sites/s1/packs")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(&states); err != nil {
			t.Fatal(err)
		}
		if len(states) != len(want) {
			t.Fatalf("%d devices: %+v", len(states), states)
		}
		for _, s := range states {
			w := want[s.Device]
			if s.Offer == nil || s.Offer.Version != w[0] || s.Offer.Outcome != w[1] || s.Offer.Reason != w[2] || s.Offer.Why != hub.WhyOf(w[2]) {
				t.Errorf("%s: offer %+v, want %v", s.Device, s.Offer, w)
			}
		}
	}
	check(want)

	// Staff at kiosk-1 roll back after the install: the device keeps their
	// choice and says so in its status, over its earlier pack.installed.
	clk.t = now.Add(2 * time.Minute)
	kept := &wire.OfferState{ID: "wufang-builtin", Version: "2.1.0", SHA256: rel21.SHA256, State: wire.OfferRefused,
		Reason: "kept: staff at the device chose wufang-builtin 2.0.0 (a rollback) after this offer was installed; offer the pack again to install it again"}
	kiosk1 := func(version string, o *wire.OfferState) {
		t.Helper()
		if err := d.StoreStatus(ctx, "s1", "kiosk-1", epA, wire.Status{V: 1, Epoch: epA, Online: true, Pack: "wufang-builtin", PackVersion: version,
			Offer: o, Time: clk.t}, clk.t); err != nil {
			t.Fatal(err)
		}
	}
	kiosk1("2.0.0", kept)
	if hub.WhyOf(kept.Reason) != hub.WhyStaffChoice {
		t.Errorf("WhyOf(%q) = %q", kept.Reason, hub.WhyOf(kept.Reason))
	}
	want["kiosk-1"] = [3]string{"2.1.0", hub.OutcomeRefused, kept.Reason}
	check(want)
	// They undo it (roll back again): installed.
	clk.t = now.Add(3 * time.Minute)
	kiosk1("2.1.0", &wire.OfferState{ID: "wufang-builtin", Version: "2.1.0", SHA256: rel21.SHA256, State: wire.OfferInstalled})
	want["kiosk-1"] = [3]string{"2.1.0", hub.OutcomeInstalled, ""}
	check(want)
	clk.t = now.Add(4 * time.Minute)
	kiosk1("2.0.0", nil) // as it reported before, for what follows
	check(want)

	// Withdrawing kiosk-3's offer clears its topic; it falls back to the site's.
	if err := off.Withdraw(ctx, "s1", []string{"kiosk-3"}); err != nil {
		t.Fatal(err)
	}
	if b, ok := pub.msgs["wufang/v1/_offers/s1/kiosk-3"]; !ok || len(b) != 0 {
		t.Errorf("withdrawal published %q", b)
	}
	want["kiosk-3"] = [3]string{"2.1.0", hub.OutcomePending, ""}
	check(want)

	// The previous release of the site's offer, as a rollback.
	prev, err := off.OfferPrevious(ctx, "s1", nil)
	if err != nil || len(prev) != 1 || prev[0].Version != "2.0.0" || !prev[0].Rollback {
		t.Fatalf("previous: %+v %v", prev, err)
	}
	// The devices run 2.0.0 (their status): installed.
	check(map[string][3]string{"kiosk-1": {"2.0.0", hub.OutcomeInstalled, ""}, "kiosk-2": {"2.0.0", hub.OutcomeInstalled, ""},
		"kiosk-3": {"2.0.0", hub.OutcomeInstalled, ""}})
	if _, err := off.OfferPrevious(ctx, "s1", nil); err == nil {
		t.Error("a release before 2.0.0 was found")
	}

	// A release copied into the folder is offered at once (the Offerer
	// reads the folder, not the library's last scan).
	if err := os.WriteFile(filepath.Join(dir, "p-2.6.0.wfpack"), contenttest.Wfpack(t, "2.6.0", &district), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := off.Offer(ctx, "s2", nil, "p-2.6.0.wfpack"); err != nil {
		t.Errorf("a release just copied in: %v", err)
	}

	// The JSON API changes offers only with the token.
	for _, c := range []struct {
		auth string
		code int
	}{{"", 401}, {"Bearer wrong", 401}, {"Bearer a-long-offer-token-for-the-test", 200}} {
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/sites/s1/offers", strings.NewReader(`{"pack": "p-2.2.0.wfpack", "devices": ["kiosk-2"]}`))
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.code {
			t.Errorf("POST offers with %q: %d, want %d", c.auth, resp.StatusCode, c.code)
		}
	}
	if _, ok := pub.msgs["wufang/v1/_offers/s1/kiosk-2"]; !ok {
		t.Error("the API's offer was not published")
	}
}

// WhyOf sorts the reasons devices give (as edge/delivery and the content
// installer word them) into kinds a dashboard can say in its language.
func TestWhyOf(t *testing.T) {
	for reason, want := range map[string]string{
		"":                             "",
		"waiting for the visit to end": hub.WhyWaitingVisit,
		"waiting for the room to close (opening hours; content.install_during_hours allows installs while open)":                              hub.WhyWaitingHours,
		"cannot download the pack from the hub: dial tcp 127.0.0.1:9: connect: connection refused":                                            hub.WhyDownload,
		"pack offer: the offered URL https://elsewhere.example/p.wfpack is not on this device's hub https://hub:9108 (content.hub_url); only": hub.WhyNotHub,
		"pack offer: the downloaded file's SHA-256 0123 is not the offer's 4567: the file on the hub changed or was damaged":                  hub.WhyFileChanged,
		"pack offer: the hub's certificate is not trusted (x509: certificate signed by unknown authority): check content.hub_ca_file":         hub.WhyCertificate,
		"pack offer: the pack is 300 bytes, above this device's content.max_download of 200B":                                                 hub.WhyTooBig,
		"pack offer: the hub answered 404 Not Found for https://hub/packs/x.wfpack: withdraw the offer and offer the pack again":              hub.WhyHubError,
		"pack offer: lower version: a rollback to p 1.0.0, but this device's previous pack is none (active p 2.0.0); offer it as a new":       hub.WhyNoRollback,
		"install pack: unknown signing key: the pack is signed with key 971123036bf34585, which is not in content.trusted_keys":               hub.WhyUnknownKey,
		"install pack: unsigned pack: the pack is not signed; sign it with wufang-pack sign":                                                  hub.WhyUnsigned,
		"install pack: bad signature: the signature does not match the pack's checksums":                                                      hub.WhyBadSignature,
		"install pack: lower version: p 2.0.5 is older than the active 2.1.0; to go back to it on purpose, roll back":                         hub.WhyDowngrade,
		"app too old for pack: pack p 3.0.0 needs wufang 2.0.0 or later, and this device runs 1.4.0":                                          hub.WhyAppTooOld,
		"install pack: invalid pack: 2 problem(s) must be fixed first, the first: modules.yaml: ...":                                          hub.WhyInvalid,
		"install pack: not the offered pack: the file holds p 2.0.0, the offer named p 2.1.0; offer the pack again from the hub":              hub.WhyNotOffered,
		"install pack: compression bomb: media/a.png unpacks to 900 MB":                                                                       hub.WhyDamaged,
		"kept: staff at the device chose the built-in pack after this offer was installed; offer the pack again to install it again":          hub.WhyStaffChoice,
		"something no one foresaw": hub.WhyOther,
	} {
		if got := hub.WhyOf(reason); got != want {
			t.Errorf("WhyOf(%q) = %q, want %q", reason, got, want)
		}
	}
}
