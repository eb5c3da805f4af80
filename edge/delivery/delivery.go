// Package delivery installs the content packs the hub offers (issue 20):
// a device with content.from_hub: true receives retained offers over MQTT
// (edge/uplink.Offers), downloads the offered .wfpack from its configured
// hub only, with a size cap and a timeout over TLS, checks its size and
// SHA-256 against the offer, and installs it with the same
// content.Installer a USB install uses (signature against the device's own
// trusted keys, validation, app version, no downgrade). It installs only
// when no visit is running and, unless allowed, outside opening hours, and
// reports the outcome as pack.installed / pack.rejected events and as
// status.offer.
//
// The device remembers the last offer it acted on, and how (MemoryName in
// the installer's folder), so a retained offer delivered again after a
// restart or a reconnection is not acted on again: a refusal is not
// retried, and a choice staff made at the device after an install (a
// rollback, the built-in pack, another pack from USB) is kept. A new offer
// (another pack, version or file, or the same one offered again by the hub)
// is worked on as usual.
package delivery

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/edge/config"
	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/internal/atomicfile"
	"github.com/wufang-kiosk/wufang/internal/clock"
)

// Options configure a Delivery.
type Options struct {
	// HubURL is content.hub_url: an offered URL must have its scheme, host
	// and port.
	HubURL string
	// CAFile is content.hub_ca_file (empty: the system's roots).
	CAFile string
	// MaxBytes caps a download (content.max_download).
	MaxBytes int64
	// Timeout bounds one whole download (content.download_timeout).
	Timeout time.Duration
	// DuringHours allows installs during opening hours (never during a
	// visit).
	DuringHours bool
	// Installer is the device's pack installer, the one USB installs use.
	Installer *content.Installer
	// Recorder records the refusals found before the installer runs (the
	// installer records its own); usually the installer's.
	Recorder content.Recorder
	// Visiting reports whether a visit is running (nil: never).
	Visiting func() bool
	// Open reports whether the room is within opening hours at t (nil:
	// never open).
	Open func(t time.Time) bool
	// Live is called after a pack was installed or rolled back, to make it
	// the one visitors see (nil: nothing to do).
	Live func(content.Info)
	// Retry is how often a waiting offer is looked at again, and the first
	// wait after a failed download (default 30 s; downloads back off to 16
	// times that).
	Retry  time.Duration
	Clock  clock.Clock
	Logger *slog.Logger
}

// Delivery holds the device's current offer and works on it. Build it with
// New, feed it with Offer and run it with Run.
type Delivery struct {
	opts   Options
	hub    *url.URL
	client *http.Client
	log    *slog.Logger
	wake   chan struct{}

	mu    sync.Mutex
	offer *wire.Offer
	state *wire.OfferState
	// mem is the offer last finished (installed or refused), kept in
	// MemoryName so that a retained offer arriving again after a restart or
	// a reconnection is not acted on again (nil: none).
	mem *memory
}

// MemoryName is the file in the installer's folder (content.DefaultDir of
// data_dir) that remembers the last offer the device acted on.
const MemoryName = "hub-offer.json"

// memory is MemoryName: the offer, as it identifies itself, and what the
// device did with it.
type memory struct {
	V        int       `json:"v"`
	ID       string    `json:"id"`
	Version  string    `json:"version"`
	SHA256   string    `json:"sha256"`
	Rollback bool      `json:"rollback,omitempty"`
	Offered  time.Time `json:"offered"` // the offer's time: the hub's act of offering
	State    string    `json:"state"`   // wire.OfferInstalled or wire.OfferRefused
	Reason   string    `json:"reason,omitempty"`
	Done     time.Time `json:"done"` // when the device finished with it
}

func (m *memory) key() string {
	return key(&wire.Offer{ID: m.ID, Version: m.Version, SHA256: m.SHA256, Rollback: m.Rollback, Time: m.Offered})
}

func (d *Delivery) memoryPath() string { return filepath.Join(d.opts.Installer.Dir, MemoryName) }

// loadMemory reads MemoryName; a missing or damaged file is no memory (a
// damaged one is logged: the standing offer is then worked on afresh,
// which the two-slot install and its checks keep safe).
func (d *Delivery) loadMemory() {
	b, err := os.ReadFile(d.memoryPath())
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	var m memory
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	if err == nil && m.State != wire.OfferInstalled && m.State != wire.OfferRefused {
		err = fmt.Errorf("state %q", m.State)
	}
	if err != nil {
		d.log.Warn("pack offer: the memory of the last offer cannot be read; a standing offer is worked on again", "file", d.memoryPath(), "err", err)
		return
	}
	d.mem = &m
}

// remember keeps what the device did with o, on disk. Called with d.mu held.
func (d *Delivery) remember(o *wire.Offer, state, reason string) {
	m := &memory{V: 1, ID: o.ID, Version: o.Version, SHA256: o.SHA256, Rollback: o.Rollback, Offered: o.Time.UTC(),
		State: state, Reason: reason, Done: d.opts.Clock.Now().UTC()}
	d.mem = m
	b, err := json.MarshalIndent(m, "", "  ")
	if err == nil {
		err = os.MkdirAll(d.opts.Installer.Dir, 0o755)
	}
	if err == nil {
		err = atomicfile.WriteFile(d.memoryPath(), append(b, '\n'), 0o644)
	}
	if err != nil {
		d.log.Warn("pack offer: cannot remember the outcome; after a restart the offer is worked on again", "file", d.memoryPath(), "err", err)
	}
}

// New checks opts and returns a Delivery.
func New(opts Options) (*Delivery, error) {
	if opts.Installer == nil {
		return nil, errors.New("delivery: no installer")
	}
	if err := config.CheckHubURL(opts.HubURL); err != nil {
		return nil, fmt.Errorf("delivery: content.hub_url: %w", err)
	}
	hub, _ := url.Parse(opts.HubURL)
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 256 << 20
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Minute
	}
	if opts.Retry <= 0 {
		opts.Retry = 30 * time.Second
	}
	opts.Clock = clock.Or(opts.Clock)
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Recorder == nil {
		opts.Recorder = opts.Installer.Recorder
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if opts.CAFile != "" {
		pem, err := os.ReadFile(opts.CAFile)
		if err != nil {
			return nil, fmt.Errorf("delivery: cannot read content.hub_ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("delivery: content.hub_ca_file %s holds no PEM certificate", opts.CAFile)
		}
		tlsCfg.RootCAs = pool
	}
	client := &http.Client{
		Timeout: opts.Timeout,
		Transport: &http.Transport{
			TLSClientConfig:       tlsCfg,
			Proxy:                 nil, // the hub is reached directly: a proxy would see the request
			TLSHandshakeTimeout:   15 * time.Second,
			ResponseHeaderTimeout: 30 * time.Second,
			MaxIdleConns:          1,
		},
		// A redirect could lead anywhere; the file must come from the hub.
		CheckRedirect: func(*http.Request, []*http.Request) error { return errRedirect },
	}
	d := &Delivery{opts: opts, hub: hub, client: client, log: opts.Logger, wake: make(chan struct{}, 1)}
	d.loadMemory()
	return d, nil
}

var errRedirect = errors.New("the hub answered with a redirect; packs are fetched from the hub itself only")

// Offer sets the offer that applies to the device now (nil: none, or
// withdrawn). A withdrawn offer changes nothing on the device.
func (d *Delivery) Offer(o *wire.Offer) {
	d.mu.Lock()
	d.offer = o
	switch {
	case o == nil:
		d.state = nil
	case d.mem != nil && d.mem.key() == key(o):
		// Acted on already (before a restart, or a reconnection): what
		// was remembered, until Run looks at it again (review).
		if d.state == nil || d.state.SHA256 != o.SHA256 || d.state.ID != o.ID || d.state.Version != o.Version || d.state.State == wire.OfferPending {
			d.state = &wire.OfferState{ID: o.ID, Version: o.Version, SHA256: o.SHA256, State: d.mem.State, Reason: d.mem.Reason}
		}
	case d.state == nil || d.state.SHA256 != o.SHA256 || d.state.ID != o.ID || d.state.Version != o.Version || d.state.State != wire.OfferPending:
		d.state = &wire.OfferState{ID: o.ID, Version: o.Version, SHA256: o.SHA256, State: wire.OfferPending}
	}
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// State is the report for status.offer (nil: no offer).
// For an offer acted on already it looks at the active pack first, so a
// status published right after staff changed the pack says so.
func (d *Delivery) State() *wire.OfferState {
	if o, done := d.current(); done {
		d.review(o)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.state == nil {
		return nil
	}
	s := *d.state
	return &s
}

// current returns the current offer (nil: none) and whether it is the one
// the device remembers acting on.
func (d *Delivery) current() (*wire.Offer, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	o := d.offer
	return o, o != nil && d.mem != nil && d.mem.key() == key(o)
}

// key identifies an offer: its pack, file and kind, and the time the hub
// made it, so the same release offered again by the hub is a new offer.
func key(o *wire.Offer) string {
	return fmt.Sprintf("%s %s %s %v %s", o.ID, o.Version, o.SHA256, o.Rollback, o.Time.UTC().Format(time.RFC3339Nano))
}

// Run works on the current offer until ctx ends.
func (d *Delivery) Run(ctx context.Context) error {
	fails := 0
	for {
		wait := d.opts.Retry
		o, done := d.current()
		if done {
			d.review(o)
			o = nil
		}
		if o != nil {
			err := d.work(ctx, o)
			var tmp *temporary
			switch {
			case ctx.Err() != nil:
				return nil
			case errors.As(err, &tmp):
				d.setState(o, wire.OfferPending, tmp.msg)
				if tmp.backoff {
					fails++
					wait = d.opts.Retry << min(fails-1, 4)
					d.log.Warn("pack offer: download failed; trying again later", "pack", o.ID, "version", o.Version, "err", tmp.msg, "retry_in", wait)
				}
			default:
				fails = 0
			}
		}
		tick := make(chan struct{})
		t := d.opts.Clock.AfterFunc(wait, func() { close(tick) })
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-d.wake:
		case <-tick:
		}
		t.Stop()
	}
}

// temporary is a reason to try again later: the room is busy, or the hub
// could not be reached.
type temporary struct {
	msg     string
	backoff bool
}

func (t *temporary) Error() string { return t.msg }

func (d *Delivery) setState(o *wire.Offer, state, reason string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.offer == nil || key(d.offer) != key(o) {
		return // the offer changed meanwhile
	}
	reason = cut(reason, 200)
	d.state = &wire.OfferState{ID: o.ID, Version: o.Version, SHA256: o.SHA256, State: state, Reason: reason}
	if state != wire.OfferPending {
		d.remember(o, state, reason)
	}
}

// review reports on an offer the device acted on already: installed while
// its pack is the active one (a refused one too, if staff installed it from
// USB); an installed offer is reported refused, with the reason, when the
// active pack is no longer the offered one because staff at the device
// chose another since (admin mode's roll back or back to the built-in pack,
// a USB install, wufang-pack), and the device keeps their choice; a refusal
// stays refused.
func (d *Delivery) review(o *wire.Offer) {
	d.mu.Lock()
	m := d.mem
	d.mu.Unlock()
	if m == nil || m.key() != key(o) {
		return
	}
	state, reason := m.State, m.Reason
	switch running, why := d.against(o); {
	case running:
		state, reason = wire.OfferInstalled, ""
	case m.State == wire.OfferInstalled && why != "":
		state, reason = wire.OfferRefused, why
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.offer == nil || key(d.offer) != key(o) {
		return
	}
	d.state = &wire.OfferState{ID: o.ID, Version: o.Version, SHA256: o.SHA256, State: state, Reason: cut(reason, 200)}
}

// against says whether o's pack is the active one and, when it is not,
// what was chosen instead as the reason to report for an installed offer
// ("" when the active pack cannot be read).
func (d *Delivery) against(o *wire.Offer) (running bool, why string) {
	_, _, active, err := d.opts.Installer.Active()
	var what string
	switch {
	case errors.Is(err, content.ErrNoPack):
		what = "the built-in pack"
	case err != nil:
		return false, ""
	case active.ID == o.ID && active.Version == o.Version:
		return true, ""
	default:
		what = active.ID + " " + active.Version
		if prev, err := d.opts.Installer.Previous(); err == nil && prev.ID == o.ID && prev.Version == o.Version {
			what += " (a rollback)"
		}
	}
	return false, "kept: " + wire.OfferStaffChose + " " + what + " after this offer was installed; offer the pack again to install it again"
}

func cut(s string, n int) string {
	s = strings.ToValidUTF8(s, "?")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// work takes one offer as far as it can: a temporary error leaves it
// pending; anything else finishes it (installed or refused).
func (d *Delivery) work(ctx context.Context, o *wire.Offer) error {
	_, _, active, err := d.opts.Installer.Active()
	if err != nil && !errors.Is(err, content.ErrNoPack) {
		active = content.Info{} // a broken active pack: a new one is welcome
	}
	if active.ID == o.ID && active.Version == o.Version {
		d.setState(o, wire.OfferInstalled, "")
		return nil
	}
	if o.Rollback {
		return d.rollback(ctx, o, active)
	}
	if err := d.checkURL(o.URL); err != nil {
		return d.refuse(ctx, o, err)
	}
	if o.Size > d.opts.MaxBytes {
		return d.refuse(ctx, o, fmt.Errorf("the pack is %d bytes, above this device's content.max_download of %s", o.Size, config.Size(d.opts.MaxBytes)))
	}
	if err := d.free(); err != nil {
		return err
	}
	path, err := d.download(ctx, o)
	if err != nil {
		return err
	}
	defer os.Remove(path)
	if err := d.free(); err != nil { // the download took a while
		return err
	}
	res, err := d.opts.Installer.Install(ctx, path, content.InstallOptions{ExpectID: o.ID, ExpectVersion: o.Version})
	if err != nil {
		// The installer recorded pack.rejected itself.
		d.log.Warn("pack offer refused", "pack", o.ID, "version", o.Version, "err", err)
		d.setState(o, wire.OfferRefused, firstLine(err))
		return err
	}
	d.log.Info("pack from the hub installed", "pack", res.Installed.ID, "version", res.Installed.Version)
	d.setState(o, wire.OfferInstalled, "")
	if d.opts.Live != nil {
		d.opts.Live(res.Installed)
	}
	return nil
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// refuse finishes an offer that must not be installed: recorded as
// pack.rejected, reported refused, the active pack untouched.
func (d *Delivery) refuse(ctx context.Context, o *wire.Offer, err error) error {
	reason := "pack offer: " + firstLine(err)
	d.log.Warn("pack offer refused", "pack", o.ID, "version", o.Version, "err", reason)
	if d.opts.Recorder != nil {
		e := wire.Event{V: wire.Version, Time: d.opts.Clock.Now(), Kind: wire.PackRejected, Pack: o.ID, PackVer: o.Version, Reason: reason}
		if rerr := d.opts.Recorder.Record(ctx, e.Sanitized()); rerr != nil {
			d.log.Warn("pack.rejected not recorded", "err", rerr)
		}
	}
	d.setState(o, wire.OfferRefused, reason)
	return err
}

func (d *Delivery) rollback(ctx context.Context, o *wire.Offer, active content.Info) error {
	prev, err := d.opts.Installer.Previous()
	if err != nil || prev.ID != o.ID || prev.Version != o.Version {
		have := "none"
		if err == nil {
			have = prev.ID + " " + prev.Version
		}
		return d.refuse(ctx, o, fmt.Errorf("%w: a rollback to %s %s, but this device's previous pack is %s (active %s %s); offer it as a new release instead",
			content.ErrDowngrade, o.ID, o.Version, have, active.ID, active.Version))
	}
	if err := d.free(); err != nil {
		return err
	}
	info, err := d.opts.Installer.Rollback(ctx)
	if err != nil {
		return d.refuse(ctx, o, err)
	}
	d.setState(o, wire.OfferInstalled, "")
	if d.opts.Live != nil {
		d.opts.Live(info)
	}
	return nil
}

// free says whether the room may get a new pack now.
func (d *Delivery) free() error {
	if d.opts.Visiting != nil && d.opts.Visiting() {
		return &temporary{msg: "waiting for the visit to end"}
	}
	if !d.opts.DuringHours && d.opts.Open != nil && d.opts.Open(d.opts.Clock.Now()) {
		return &temporary{msg: "waiting for the room to close (opening hours; content.install_during_hours allows installs while open)"}
	}
	return nil
}

// checkURL refuses a URL that is not on the configured hub: same scheme,
// host and port.
func (d *Delivery) checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("the offered URL %q cannot be read: %w", s, err)
	}
	if !strings.EqualFold(u.Scheme, d.hub.Scheme) || !strings.EqualFold(u.Host, d.hub.Host) || u.User != nil {
		return fmt.Errorf("the offered URL %s is not on this device's hub %s (content.hub_url); only the hub's own files are fetched", s, d.opts.HubURL)
	}
	return nil
}

// download fetches the offer into a temporary file beside the installed
// packs and checks its size and SHA-256. Network trouble is temporary; a
// file that is not what the offer says refuses the offer.
func (d *Delivery) download(ctx context.Context, o *wire.Offer) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, d.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.URL, nil)
	if err != nil {
		return "", d.refuse(ctx, o, err)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		if errors.Is(err, errRedirect) {
			return "", d.refuse(ctx, o, errRedirect)
		}
		var cerr *tls.CertificateVerificationError
		if errors.As(err, &cerr) {
			return "", d.refuse(ctx, o, fmt.Errorf("the hub's certificate is not trusted (%v): check content.hub_ca_file", cerr.Err))
		}
		return "", &temporary{msg: "cannot download the pack from the hub: " + err.Error(), backoff: true}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg := fmt.Sprintf("the hub answered %s for %s", resp.Status, o.URL)
		if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
			return "", &temporary{msg: msg, backoff: true}
		}
		return "", d.refuse(ctx, o, errors.New(msg+": withdraw the offer and offer the pack again"))
	}
	if resp.ContentLength > 0 && resp.ContentLength != o.Size {
		return "", d.refuse(ctx, o, fmt.Errorf("the hub sends %d bytes, the offer says %d: the file on the hub is not the one offered", resp.ContentLength, o.Size))
	}
	dir := filepath.Join(d.opts.Installer.Dir, "downloads")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", &temporary{msg: "cannot store the download: " + err.Error(), backoff: true}
	}
	f, err := os.CreateTemp(dir, "offer-*.wfpack")
	if err != nil {
		return "", &temporary{msg: "cannot store the download: " + err.Error(), backoff: true}
	}
	ok := false
	defer func() {
		f.Close()
		if !ok {
			os.Remove(f.Name())
		}
	}()
	h := sha256.New()
	// Read one byte more than promised: a longer file is caught without
	// reading all of it.
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(resp.Body, o.Size+1))
	if err != nil {
		return "", &temporary{msg: "the download broke off: " + err.Error(), backoff: true}
	}
	if n != o.Size {
		more := ""
		if n > o.Size {
			more = " or more"
		}
		return "", d.refuse(ctx, o, fmt.Errorf("the downloaded file is %d bytes%s, the offer says %d: the file on the hub is not the one offered", n, more, o.Size))
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != o.SHA256 {
		return "", d.refuse(ctx, o, fmt.Errorf("the downloaded file's SHA-256 %s is not the offer's %s: the file on the hub changed or was damaged", sum[:16], o.SHA256[:16]))
	}
	if err := f.Close(); err != nil {
		return "", &temporary{msg: "cannot store the download: " + err.Error(), backoff: true}
	}
	ok = true
	return f.Name(), nil
}
