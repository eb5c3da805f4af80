package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/content/contenttest"
	"github.com/wufang-kiosk/wufang/edge/uplink"
	"github.com/wufang-kiosk/wufang/edge/uplink/brokertest"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// room is one device's content folder, kept across restarts of its
// delivery, fed by a real mosquitto the way edge/node feeds it.
type room struct {
	t      *testing.T
	broker *brokertest.Broker
	hub    *hub
	key    content.PrivateKey
	dir    string
	ev     *events
	topic  string
	// the running device (nil between restarts)
	d    *Delivery
	in   *content.Installer
	stop func()
}

func newRoom(t *testing.T) *room {
	r := &room{t: t, broker: brokertest.Start(t, brokertest.Options{}), hub: newHub(t), key: contenttest.Key(t, "district"),
		dir: filepath.Join(t.TempDir(), "content"), ev: &events{}}
	topic, err := wire.OfferTopic(wire.DefaultRoot, "site-1", "kiosk-1")
	if err != nil {
		t.Fatal(err)
	}
	r.topic = topic
	t.Cleanup(func() { r.halt() })
	return r
}

func (r *room) installer() *content.Installer {
	return &content.Installer{Dir: r.dir, TrustedKeys: []string{r.key.Public().Line()}, AppVersion: "1.0.0", Recorder: r.ev}
}

// boot starts the device: a new Delivery on the same folder, subscribed to
// its offers.
func (r *room) boot() {
	r.t.Helper()
	r.in = r.installer()
	d, err := New(Options{HubURL: r.hub.srv.URL, CAFile: r.hub.caFile, Installer: r.in, MaxBytes: 8 << 20,
		Timeout: 10 * time.Second, Retry: 20 * time.Millisecond})
	if err != nil {
		r.t.Fatal(err)
	}
	r.d = d
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { d.Run(ctx); done <- struct{}{} }()
	cfg := uplink.Config{Broker: r.broker.URL(), Site: "site-1", Device: "kiosk-1", ConnectTimeout: 5 * time.Second}
	go func() {
		if err := uplink.Offers(ctx, cfg, d.Offer, func(topic string, err error) { r.t.Errorf("offer on %s: %v", topic, err) }); err != nil {
			r.t.Errorf("offers: %v", err)
		}
		done <- struct{}{}
	}()
	r.stop = func() { cancel(); <-done; <-done }
}

func (r *room) halt() {
	if r.stop != nil {
		r.stop()
		r.stop, r.d = nil, nil
	}
}

func (r *room) restart() { r.halt(); r.boot() }

// offer serves a pack and publishes its offer, retained, as the hub does.
func (r *room) offer(version string, signed bool) *wire.Offer {
	r.t.Helper()
	key := &r.key
	if !signed {
		key = nil
	}
	o := r.hub.put("/packs/"+version+".wfpack", "wufang-builtin", version, contenttest.Wfpack(r.t, version, key))
	r.publish(o)
	return o
}

func (r *room) publish(o *wire.Offer) {
	r.t.Helper()
	b, err := json.Marshal(o)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := brokertest.Publish(r.broker, r.topic, b, true); err != nil {
		r.t.Fatal(err)
	}
}

func (r *room) active() string {
	r.t.Helper()
	_, _, info, err := r.installer().Active()
	if errors.Is(err, content.ErrNoPack) {
		return "built-in"
	}
	if err != nil {
		r.t.Fatal(err)
	}
	return info.ID + " " + info.Version
}

func (r *room) events() int {
	r.ev.mu.Lock()
	defer r.ev.mu.Unlock()
	return len(r.ev.list)
}

// waitFor waits for the device's report on o.
func (r *room) waitFor(o *wire.Offer, state, reason string) *wire.OfferState {
	r.t.Helper()
	var st *wire.OfferState
	waitState(r.t, r.d, state+" "+reason, func(s *wire.OfferState) bool {
		st = s
		return s != nil && s.ID == o.ID && s.Version == o.Version && s.SHA256 == o.SHA256 && s.State == state && strings.Contains(s.Reason, reason)
	})
	return st
}

// settle gives the device time to act on what it was sent (many rounds of
// its 20 ms retry), for the checks that it did nothing.
func settle() { time.Sleep(500 * time.Millisecond) }

func installInitial(t *testing.T, r *room, version string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "usb.wfpack")
	if err := os.WriteFile(path, contenttest.Wfpack(t, version, &r.key), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := r.installer().Install(t.Context(), path, content.InstallOptions{}); err != nil {
		t.Fatal(err)
	}
}

// Staff roll back at the kiosk after the hub's offer was installed: the
// offer, still retained, is delivered again after a restart and is not
// installed again; the status says why. The hub offering the same release
// again, or a new one, installs.
func TestStaffRollbackBeatsStandingOffer(t *testing.T) {
	r := newRoom(t)
	installInitial(t, r, "2.1.0") // from USB, before the hub's offer
	r.boot()
	o := r.offer("2.2.0", true)
	r.waitFor(o, wire.OfferInstalled, "")
	if got := r.active(); got != "wufang-builtin 2.2.0" {
		t.Fatalf("active %s", got)
	}
	// Staff at the kiosk: admin mode's Roll back.
	if _, err := r.installer().Rollback(t.Context()); err != nil {
		t.Fatal(err)
	}
	// Still running: the report follows at the next look.
	r.waitFor(o, wire.OfferRefused, wire.OfferStaffChose+" wufang-builtin 2.1.0 (a rollback)")
	hits, evs := r.hub.hits.Load(), r.events()
	r.restart()
	st := r.waitFor(o, wire.OfferRefused, wire.OfferStaffChose+" wufang-builtin 2.1.0 (a rollback) after this offer was installed")
	settle()
	if got := r.active(); got != "wufang-builtin 2.1.0" {
		t.Errorf("after the restart the standing offer undid the rollback: active %s", got)
	}
	if r.hub.hits.Load() != hits || r.events() != evs {
		t.Errorf("after the restart: %d downloads, %d events", r.hub.hits.Load()-hits, r.events()-evs)
	}
	if err := st.Check(); err != nil {
		t.Errorf("status.offer breaks the contract: %v (%+v)", err, st)
	}

	// The hub offers the same release again, on purpose: it installs.
	again := *o
	again.Time = o.Time.Add(time.Hour)
	r.publish(&again)
	r.waitFor(&again, wire.OfferInstalled, "")
	if got := r.active(); got != "wufang-builtin 2.2.0" {
		t.Errorf("the offer made again: active %s", got)
	}
	if e := r.ev.last(); e.Kind != wire.PackInstalled || e.PackVer != "2.2.0" {
		t.Errorf("last event %+v", e)
	}

	// Rolled back again, then a new version: it installs.
	if _, err := r.installer().Rollback(t.Context()); err != nil {
		t.Fatal(err)
	}
	r.restart()
	r.waitFor(&again, wire.OfferRefused, wire.OfferStaffChose)
	o3 := r.offer("2.3.0", true)
	r.waitFor(o3, wire.OfferInstalled, "")
	if got := r.active(); got != "wufang-builtin 2.3.0" {
		t.Errorf("a new version: active %s", got)
	}
}

// The same for admin mode's "Back to the built-in pack".
func TestStaffBuiltinBeatsStandingOffer(t *testing.T) {
	r := newRoom(t)
	r.boot()
	o := r.offer("2.2.0", true)
	r.waitFor(o, wire.OfferInstalled, "")
	if _, err := r.installer().UseBuiltin(t.Context(), "wufang-builtin", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	hits, evs := r.hub.hits.Load(), r.events()
	r.restart()
	r.waitFor(o, wire.OfferRefused, wire.OfferStaffChose+" the built-in pack after this offer was installed")
	settle()
	if got := r.active(); got != "built-in" {
		t.Errorf("after the restart the standing offer undid the built-in pack: active %s", got)
	}
	if r.hub.hits.Load() != hits || r.events() != evs {
		t.Errorf("after the restart: %d downloads, %d events", r.hub.hits.Load()-hits, r.events()-evs)
	}
	// Staff change their mind (roll back to the offered pack): installed
	// again, by their choice, and said so.
	if _, err := r.installer().Rollback(t.Context()); err != nil {
		t.Fatal(err)
	}
	r.waitFor(o, wire.OfferInstalled, "")
	o3 := r.offer("2.3.0", true)
	r.waitFor(o3, wire.OfferInstalled, "")
	if got := r.active(); got != "wufang-builtin 2.3.0" {
		t.Errorf("a new version: active %s", got)
	}
}

// The report on an installed offer follows the active pack at once (a
// status published right after staff changed the pack says so), without
// waiting for the delivery's next look; a refused offer whose pack staff
// installed from USB reads installed.
func TestStateFollowsStaffAtOnce(t *testing.T) {
	r := newRig(t, nil) // nothing runs Run: only State looks
	for _, v := range []string{"2.1.0", "2.2.0"} {
		if st, err := r.offer(t, r.hub.put("/packs/"+v+".wfpack", "wufang-builtin", v, contenttest.Wfpack(t, v, &r.key))); err != nil || st.State != wire.OfferInstalled {
			t.Fatalf("%s: %+v %v", v, st, err)
		}
	}
	if _, err := r.in.Rollback(t.Context()); err != nil {
		t.Fatal(err)
	}
	if st := r.d.State(); st.State != wire.OfferRefused || !strings.Contains(st.Reason, wire.OfferStaffChose+" wufang-builtin 2.1.0 (a rollback)") {
		t.Errorf("after the rollback: %+v", st)
	}
	if _, err := r.in.Rollback(t.Context()); err != nil { // undone
		t.Fatal(err)
	}
	if st := r.d.State(); st.State != wire.OfferInstalled || st.Reason != "" {
		t.Errorf("after the rollback was undone: %+v", st)
	}
	if _, err := r.in.UseBuiltin(t.Context(), "wufang-builtin", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	if st := r.d.State(); st.State != wire.OfferRefused || !strings.Contains(st.Reason, wire.OfferStaffChose+" the built-in pack") {
		t.Errorf("after the built-in pack: %+v", st)
	}

	// Refused (signed by a stranger), then staff install the same version
	// from USB, signed as it should be.
	stranger := contenttest.Key(t, "stranger")
	o := r.hub.put("/packs/2.3.0.wfpack", "wufang-builtin", "2.3.0", contenttest.Wfpack(t, "2.3.0", &stranger))
	if st, _ := r.offer(t, o); st.State != wire.OfferRefused {
		t.Fatalf("stranger's pack: %+v", st)
	}
	usb := filepath.Join(t.TempDir(), "usb.wfpack")
	if err := os.WriteFile(usb, contenttest.Wfpack(t, "2.3.0", &r.key), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := r.in.Install(t.Context(), usb, content.InstallOptions{}); err != nil {
		t.Fatal(err)
	}
	if st := r.d.State(); st.State != wire.OfferInstalled {
		t.Errorf("the refused offer's pack installed from USB: %+v", st)
	}
}

// A refused offer is not downloaded again after a restart; a changed one
// is tried.
func TestRefusedOfferNotRetriedAfterRestart(t *testing.T) {
	r := newRoom(t)
	r.boot()
	o := r.offer("2.2.0", false) // unsigned
	st := r.waitFor(o, wire.OfferRefused, "not signed")
	hits, evs := r.hub.hits.Load(), r.events()
	for range 2 {
		r.restart()
		if got := r.waitFor(o, wire.OfferRefused, "not signed"); got.Reason != st.Reason {
			t.Errorf("reason after a restart %q, was %q", got.Reason, st.Reason)
		}
		settle()
	}
	if r.hub.hits.Load() != hits || r.events() != evs {
		t.Errorf("the refused offer was tried again: %d downloads, %d events", r.hub.hits.Load()-hits, r.events()-evs)
	}
	if got := r.active(); got != "built-in" {
		t.Errorf("active %s", got)
	}
	signed := r.offer("2.2.0", true) // the same version, signed now: another file
	r.waitFor(signed, wire.OfferInstalled, "")
	if got := r.active(); got != "wufang-builtin 2.2.0" {
		t.Errorf("the changed offer: active %s", got)
	}
}
