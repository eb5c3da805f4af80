package delivery

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/content/contenttest"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

type events struct {
	mu   sync.Mutex
	list []wire.Event
}

// Record checks events as the edge store does.
func (e *events) Record(_ context.Context, ev wire.Event) error {
	ev = ev.Sanitized()
	if err := ev.Check(); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, ev)
	return nil
}

func (e *events) last() wire.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.list) == 0 {
		return wire.Event{}
	}
	return e.list[len(e.list)-1]
}

// hub is a loopback HTTPS server standing in for the hub's file server.
type hub struct {
	srv    *httptest.Server
	caFile string
	mu     sync.Mutex
	files  map[string][]byte
	hits   atomic.Int64
	handle func(w http.ResponseWriter, r *http.Request) bool // optional override
}

func newHub(t *testing.T) *hub {
	h := &hub{files: map[string][]byte{}}
	h.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.hits.Add(1)
		if h.handle != nil && h.handle(w, r) {
			return
		}
		h.mu.Lock()
		b, ok := h.files[r.URL.Path]
		h.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(h.srv.Close)
	h.caFile = filepath.Join(t.TempDir(), "hub-ca.pem")
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: h.srv.Certificate().Raw})
	if err := os.WriteFile(h.caFile, cert, 0o644); err != nil {
		t.Fatal(err)
	}
	return h
}

// put serves b at path and returns the offer of it.
func (h *hub) put(path, id, version string, b []byte) *wire.Offer {
	h.mu.Lock()
	h.files[path] = b
	h.mu.Unlock()
	sum := sha256.Sum256(b)
	return &wire.Offer{V: 1, ID: id, Version: version, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(b)),
		URL: h.srv.URL + path, Time: time.Now().UTC()}
}

type rig struct {
	d   *Delivery
	in  *content.Installer
	ev  *events
	hub *hub
	key content.PrivateKey
}

func newRig(t *testing.T, mod func(*Options)) *rig {
	t.Helper()
	r := &rig{ev: &events{}, hub: newHub(t), key: contenttest.Key(t, "district")}
	r.in = &content.Installer{Dir: filepath.Join(t.TempDir(), "content"), TrustedKeys: []string{r.key.Public().Line()},
		AppVersion: "1.0.0", Recorder: r.ev}
	o := Options{HubURL: r.hub.srv.URL, CAFile: r.hub.caFile, Installer: r.in, MaxBytes: 8 << 20, Timeout: 5 * time.Second}
	if mod != nil {
		mod(&o)
	}
	d, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	r.d = d
	return r
}

func (r *rig) active(t *testing.T) string {
	t.Helper()
	_, _, info, err := r.in.Active()
	if errors.Is(err, content.ErrNoPack) {
		return "none"
	}
	if err != nil {
		t.Fatal(err)
	}
	return info.ID + " " + info.Version
}

// offer hands o to the delivery and works on it once.
func (r *rig) offer(t *testing.T, o *wire.Offer) (*wire.OfferState, error) {
	t.Helper()
	r.d.Offer(o)
	err := r.d.work(t.Context(), o)
	return r.d.State(), err
}

func TestInstallsSignedOffer(t *testing.T) {
	r := newRig(t, nil)
	o := r.hub.put("/packs/b-2.1.0.wfpack", "wufang-builtin", "2.1.0", contenttest.Wfpack(t, "2.1.0", &r.key))
	st, err := r.offer(t, o)
	if err != nil || st.State != wire.OfferInstalled {
		t.Fatalf("state %+v, err %v", st, err)
	}
	if got := r.active(t); got != "wufang-builtin 2.1.0" {
		t.Errorf("active %s", got)
	}
	if e := r.ev.last(); e.Kind != wire.PackInstalled || e.PackVer != "2.1.0" {
		t.Errorf("last event %+v", e)
	}
	// The same offer again (a reconnection): nothing downloaded.
	hits := r.hub.hits.Load()
	if st, _ := r.offer(t, o); st.State != wire.OfferInstalled || r.hub.hits.Load() != hits {
		t.Errorf("offer of the active pack: %+v, %d downloads", st, r.hub.hits.Load()-hits)
	}
	left, _ := os.ReadDir(filepath.Join(r.in.Dir, "downloads"))
	if len(left) != 0 {
		t.Errorf("downloads left behind: %v", left)
	}
}

// Every bad offer is refused, recorded, reported, and changes nothing.
func TestBadOffersChangeNothing(t *testing.T) {
	r := newRig(t, nil)
	good := contenttest.Wfpack(t, "2.1.0", &r.key)
	if _, err := r.offer(t, r.hub.put("/packs/good.wfpack", "wufang-builtin", "2.1.0", good)); err != nil {
		t.Fatal(err)
	}
	stranger := contenttest.Key(t, "stranger")
	tampered := append([]byte{}, contenttest.Wfpack(t, "2.2.0", &r.key)...)
	tampered[len(tampered)/2] ^= 0xff
	cases := []struct {
		name  string
		offer func() *wire.Offer
		want  string // in the reason
	}{
		{"wrong hash", func() *wire.Offer {
			o := r.hub.put("/packs/h.wfpack", "wufang-builtin", "2.2.0", contenttest.Wfpack(t, "2.2.0", &r.key))
			o.SHA256 = strings.Repeat("ab", 32)
			return o
		}, "SHA-256"},
		{"tampered file, hash of the tampered file", func() *wire.Offer {
			return r.hub.put("/packs/t.wfpack", "wufang-builtin", "2.2.0", tampered)
		}, "install pack"},
		{"unsigned", func() *wire.Offer {
			return r.hub.put("/packs/u.wfpack", "wufang-builtin", "2.2.0", contenttest.Wfpack(t, "2.2.0", nil))
		}, "not signed"},
		{"untrusted key", func() *wire.Offer {
			return r.hub.put("/packs/k.wfpack", "wufang-builtin", "2.2.0", contenttest.Wfpack(t, "2.2.0", &stranger))
		}, "unknown signing key"},
		{"downgrade", func() *wire.Offer {
			return r.hub.put("/packs/old.wfpack", "wufang-builtin", "2.0.5", contenttest.Wfpack(t, "2.0.5", &r.key))
		}, "older than the active"},
		{"app too old", func() *wire.Offer {
			b := contenttest.Wfpack(t, "2.3.0", &r.key, func(y string) string {
				return strings.Replace(y, "min_app_version: 0.1.0", "min_app_version: 9.0.0", 1)
			})
			return r.hub.put("/packs/app.wfpack", "wufang-builtin", "2.3.0", b)
		}, "needs wufang 9.0.0"},
		{"not the offered version", func() *wire.Offer {
			return r.hub.put("/packs/v.wfpack", "wufang-builtin", "2.4.0", contenttest.Wfpack(t, "2.5.0", &r.key))
		}, "the offer named"},
		{"url not on the hub", func() *wire.Offer {
			o := r.hub.put("/packs/x.wfpack", "wufang-builtin", "2.2.0", contenttest.Wfpack(t, "2.2.0", &r.key))
			o.URL = strings.Replace(o.URL, "127.0.0.1", "localhost", 1)
			return o
		}, "not on this device's hub"},
		{"plain http to the hub's host", func() *wire.Offer {
			o := r.hub.put("/packs/y.wfpack", "wufang-builtin", "2.2.0", contenttest.Wfpack(t, "2.2.0", &r.key))
			o.URL = strings.Replace(o.URL, "https://", "http://", 1)
			return o
		}, "not on this device's hub"},
		{"larger than max_download", func() *wire.Offer {
			o := r.hub.put("/packs/big.wfpack", "wufang-builtin", "2.2.0", contenttest.Wfpack(t, "2.2.0", &r.key))
			o.Size = 9 << 20
			return o
		}, "content.max_download"},
		{"longer than the offer says", func() *wire.Offer {
			o := r.hub.put("/packs/long.wfpack", "wufang-builtin", "2.2.0", contenttest.Wfpack(t, "2.2.0", &r.key))
			o.Size -= 10
			return o
		}, "the offer says"},
		{"missing on the hub", func() *wire.Offer {
			o := r.hub.put("/packs/gone.wfpack", "wufang-builtin", "2.2.0", good)
			o.URL = r.hub.srv.URL + "/packs/nothing-here.wfpack"
			return o
		}, "404"},
		{"rollback to a pack that is not the previous one", func() *wire.Offer {
			o := r.hub.put("/packs/r.wfpack", "wufang-builtin", "1.9.0", contenttest.Wfpack(t, "1.9.0", &r.key))
			o.Rollback = true
			return o
		}, "previous pack is none"},
	}
	for _, c := range cases {
		o := c.offer()
		st, _ := r.offer(t, o)
		if st == nil || st.State != wire.OfferRefused || !strings.Contains(st.Reason, c.want) {
			t.Errorf("%s: state %+v, want refused with %q", c.name, st, c.want)
		}
		if got := r.active(t); got != "wufang-builtin 2.1.0" {
			t.Errorf("%s: active %s, want 2.1.0 kept", c.name, got)
		}
		if e := r.ev.last(); e.Kind != wire.PackRejected || e.Pack != o.ID || e.PackVer != o.Version || !strings.Contains(e.Reason, c.want) {
			t.Errorf("%s: last event %+v, want pack.rejected of %s %s", c.name, e, o.ID, o.Version)
		}
	}
}

func TestUntrustedHubCertificate(t *testing.T) {
	r := newRig(t, func(o *Options) { o.CAFile = "" }) // the system roots do not know the test server
	o := r.hub.put("/packs/p.wfpack", "wufang-builtin", "2.1.0", contenttest.Wfpack(t, "2.1.0", &r.key))
	st, _ := r.offer(t, o)
	if st.State != wire.OfferRefused || !strings.Contains(st.Reason, "certificate") {
		t.Errorf("state %+v", st)
	}
	if r.active(t) != "none" {
		t.Error("installed from an untrusted hub")
	}
}

func TestRedirectRefused(t *testing.T) {
	r := newRig(t, nil)
	r.hub.handle = func(w http.ResponseWriter, req *http.Request) bool {
		if req.URL.Path == "/packs/moved.wfpack" {
			http.Redirect(w, req, "https://example.org/p.wfpack", http.StatusFound)
			return true
		}
		return false
	}
	o := r.hub.put("/packs/moved.wfpack", "wufang-builtin", "2.1.0", contenttest.Wfpack(t, "2.1.0", &r.key))
	if st, _ := r.offer(t, o); st.State != wire.OfferRefused || !strings.Contains(st.Reason, "redirect") {
		t.Errorf("state %+v", st)
	}
}

// A hub that stops sending is cut off by the timeout; the offer stays
// pending, to be tried again.
func TestDownloadTimeout(t *testing.T) {
	release := make(chan struct{})
	r := newRig(t, func(o *Options) { o.Timeout = 300 * time.Millisecond })
	r.hub.handle = func(w http.ResponseWriter, req *http.Request) bool {
		w.Header().Set("Content-Length", "1000")
		w.Write([]byte("PK"))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-req.Context().Done():
		}
		return true
	}
	defer close(release)
	o := r.hub.put("/packs/slow.wfpack", "wufang-builtin", "2.1.0", make([]byte, 1000))
	st, err := r.offer(t, o)
	var tmp *temporary
	if !errors.As(err, &tmp) || st.State != wire.OfferPending {
		t.Errorf("state %+v, err %v; want pending after a timeout", st, err)
	}
	if len(r.ev.list) != 0 {
		t.Errorf("a timeout recorded %v", r.ev.list)
	}
}

// Nothing is installed during a visit or, by default, in opening hours;
// the offer waits and goes in once the room is free.
func TestWaitsForTheRoom(t *testing.T) {
	var visiting, open atomic.Bool
	visiting.Store(true)
	open.Store(true)
	r := newRig(t, func(o *Options) {
		o.Visiting = visiting.Load
		o.Open = func(time.Time) bool { return open.Load() }
		o.Retry = 20 * time.Millisecond
	})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { r.d.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	r.d.Offer(r.hub.put("/packs/p.wfpack", "wufang-builtin", "2.1.0", contenttest.Wfpack(t, "2.1.0", &r.key)))
	waitState(t, r.d, "waiting for the visit", func(s *wire.OfferState) bool {
		return s != nil && s.State == wire.OfferPending && strings.Contains(s.Reason, "visit")
	})
	visiting.Store(false)
	waitState(t, r.d, "waiting for closing time", func(s *wire.OfferState) bool {
		return s != nil && s.State == wire.OfferPending && strings.Contains(s.Reason, "opening hours")
	})
	if r.active(t) != "none" || r.hub.hits.Load() != 0 {
		t.Fatal("installed or downloaded while the room was in use")
	}
	open.Store(false)
	waitState(t, r.d, "installed", func(s *wire.OfferState) bool { return s != nil && s.State == wire.OfferInstalled })
	if got := r.active(t); got != "wufang-builtin 2.1.0" {
		t.Errorf("active %s", got)
	}
	r.d.Offer(nil)
	if r.d.State() != nil {
		t.Error("a withdrawn offer still reported")
	}
	if got := r.active(t); got != "wufang-builtin 2.1.0" {
		t.Errorf("withdrawing changed the active pack: %s", got)
	}
}

// A rollback offer of the device's own previous pack rolls back.
func TestRollbackOffer(t *testing.T) {
	r := newRig(t, nil)
	for _, v := range []string{"2.1.0", "2.2.0"} {
		if _, err := r.offer(t, r.hub.put("/packs/"+v+".wfpack", "wufang-builtin", v, contenttest.Wfpack(t, v, &r.key))); err != nil {
			t.Fatal(err)
		}
	}
	o := r.hub.put("/packs/2.1.0.wfpack", "wufang-builtin", "2.1.0", contenttest.Wfpack(t, "2.1.0", &r.key))
	o.Rollback = true
	hits := r.hub.hits.Load()
	if st, err := r.offer(t, o); err != nil || st.State != wire.OfferInstalled {
		t.Fatalf("rollback: %+v %v", st, err)
	}
	if got := r.active(t); got != "wufang-builtin 2.1.0" || r.hub.hits.Load() != hits {
		t.Errorf("active %s after the rollback, %d downloads", got, r.hub.hits.Load()-hits)
	}
	if e := r.ev.last(); e.Kind != wire.PackInstalled || e.Reason != "rollback" {
		t.Errorf("last event %+v", e)
	}
}

func waitState(t *testing.T, d *Delivery, what string, ok func(*wire.OfferState) bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !ok(d.State()) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: state %+v", what, d.State())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestNewRefusesBadHubURL(t *testing.T) {
	in := &content.Installer{Dir: t.TempDir()}
	for _, u := range []string{"", "http://hub.example:9108", "ftp://hub", "https://hub/packs"} {
		if _, err := New(Options{HubURL: u, Installer: in}); err == nil {
			t.Errorf("hub_url %q accepted", u)
		}
	}
}
