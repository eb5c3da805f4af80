package hub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// Release is a signed .wfpack in the hub's packs folder (content.packs_dir)
// that the hub serves and may offer.
type Release struct {
	File    string `json:"file"` // its name in the folder
	ID      string `json:"id"`
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
	Size    int64  `json:"size"`
	Signer  string `json:"signer"` // the signing key's id
}

// Library is the packs folder: every .wfpack in it that is a readable pack
// signed by one of the hub's trusted keys. Scan reads it again.
type Library struct {
	Dir         string
	TrustedKeys []string

	mu       sync.Mutex
	releases []Release
	problems map[string]string    // file -> why it is not offered
	stamps   map[string]fileStamp // every .wfpack the last Scan read, as it was then
}

// fileStamp tells a file that changed since a Scan from one that did not.
type fileStamp struct {
	size int64
	mod  time.Time
}

func stampOf(path string) (fileStamp, bool) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return fileStamp{}, false
	}
	return fileStamp{fi.Size(), fi.ModTime()}, true
}

// Scan reads the folder; files that are not signed, valid packs are left
// out and listed in Problems.
func (l *Library) Scan() error {
	keys, err := content.ParsePublicKeys(l.TrustedKeys)
	if err != nil {
		return fmt.Errorf("packs: content.trusted_keys: %w", err)
	}
	entries, err := os.ReadDir(l.Dir)
	if err != nil {
		return fmt.Errorf("packs: read content.packs_dir: %w", err)
	}
	var rel []Release
	probs := map[string]string{}
	stamps := map[string]fileStamp{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".wfpack") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		path := filepath.Join(l.Dir, e.Name())
		if st, ok := stampOf(path); ok {
			stamps[e.Name()] = st // before the read: a change while reading is seen next time
		}
		r, err := readRelease(path, keys)
		if err != nil {
			probs[e.Name()] = err.Error()
			continue
		}
		rel = append(rel, r)
	}
	sort.Slice(rel, func(i, j int) bool {
		if rel[i].ID != rel[j].ID {
			return rel[i].ID < rel[j].ID
		}
		c, _ := content.CompareVersions(rel[i].Version, rel[j].Version)
		return c < 0
	})
	l.mu.Lock()
	l.releases, l.problems, l.stamps = rel, probs, stamps
	l.mu.Unlock()
	return nil
}

func readRelease(path string, keys []content.PublicKey) (Release, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Release{}, err
	}
	w, err := content.ReadWfpack(strings.NewReader(string(b)), int64(len(b)))
	if err != nil {
		return Release{}, err
	}
	signer, err := w.Verify(keys, false)
	if err != nil {
		return Release{}, err
	}
	p, err := content.Load(w.FS)
	if err != nil {
		return Release{}, err
	}
	sum := sha256.Sum256(b)
	return Release{File: filepath.Base(path), ID: p.ID, Version: p.Version, SHA256: hex.EncodeToString(sum[:]),
		Size: int64(len(b)), Signer: signer.KeyID}, nil
}

// changed reports whether the folder's file name is not as the last Scan
// saw it (new, or written since): only then is the folder read again for
// a name the library does not know, so a file that is not a release is
// not read again on every request for it.
func (l *Library) changed(name string) bool {
	if filepath.Base(name) != name || !strings.HasSuffix(name, ".wfpack") || strings.HasPrefix(name, ".") {
		return false
	}
	st, ok := stampOf(filepath.Join(l.Dir, name))
	if !ok {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	old, seen := l.stamps[name]
	return !seen || old.size != st.size || !old.mod.Equal(st.mod)
}

// Releases lists the signed packs, by id and version.
func (l *Library) Releases() []Release {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Release(nil), l.releases...)
}

// Problems maps each .wfpack of the folder that is not offered to why.
func (l *Library) Problems() map[string]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]string, len(l.problems))
	for k, v := range l.problems {
		out[k] = v
	}
	return out
}

// Find returns the release named by a file name, or by "id@version".
func (l *Library) Find(name string) (Release, bool) {
	for _, r := range l.Releases() {
		if r.File == name || r.ID+"@"+r.Version == name {
			return r, true
		}
	}
	return Release{}, false
}

// ServeHTTP serves GET /packs/{file} for the releases only: never a file
// that is not a signed pack, never anything outside the folder. A name it
// does not know, of a file in the folder that is new or changed since the
// folder was last read, makes it read the folder again, so a release
// copied in and offered by wufang-hub offer is served at once. The
// device, not the hub, checks the file against the offer's SHA-256.
func (l *Library) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	rel, ok := l.Find(name)
	if !ok && l.changed(name) {
		_ = l.Scan()
		rel, ok = l.Find(name)
	}
	if !ok || rel.File != name {
		http.NotFound(w, r)
		return
	}
	f, err := os.Open(filepath.Join(l.Dir, rel.File))
	if err != nil {
		http.Error(w, "pack not readable", http.StatusInternalServerError)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("X-Content-SHA256", rel.SHA256)
	http.ServeContent(w, r, rel.File, time.Time{}, f)
}

// Offerer makes and withdraws offers: recorded in the database and
// published retained on the devices' offer topics.
type Offerer struct {
	DB      *db.DB
	Library *Library
	Root    string // topic root (wire.DefaultRoot when empty)
	// PublicURL is the hub's address as devices reach it
	// (https://hub.example:9108); offers point at PublicURL/packs/{file}.
	PublicURL string
	// Publish sends one retained QoS 1 message (an empty payload clears
	// the topic); the ingest's connection, or a short one of its own.
	Publish func(ctx context.Context, topic string, payload []byte) error
	Now     func() time.Time
}

func (o *Offerer) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o *Offerer) root() string {
	if o.Root == "" {
		return wire.DefaultRoot
	}
	return o.Root
}

// scopes are the devices an offer goes to: the named ones, or the whole
// site (wire.OfferAll) when none is named.
func scopes(devices []string) []string {
	if len(devices) == 0 {
		return []string{wire.OfferAll}
	}
	return devices
}

// Offer offers the release named by pack (a file name or id@version) to
// the site, or to the given devices of it.
func (o *Offerer) Offer(ctx context.Context, site string, devices []string, pack string) ([]wire.Offer, error) {
	if err := o.Library.Scan(); err != nil { // what is in the folder now, not a minute ago
		return nil, err
	}
	rel, ok := o.Library.Find(pack)
	if !ok {
		return nil, fmt.Errorf("%w: %q is not a signed pack in content.packs_dir (check the file name, or id@version)", ErrNoRelease, pack)
	}
	return o.offer(ctx, site, devices, rel, false)
}

// ErrNoRelease: the pack named is not among the releases.
var ErrNoRelease = errors.New("hub: no such release")

func (o *Offerer) offer(ctx context.Context, site string, devices []string, rel Release, rollback bool) ([]wire.Offer, error) {
	if o.PublicURL == "" {
		return nil, errors.New("hub: content.public_url is not set: devices need the hub's address to download packs")
	}
	now := o.now().UTC()
	var out []wire.Offer
	for _, dev := range scopes(devices) {
		topic, err := wire.OfferTopic(o.root(), site, dev)
		if err != nil {
			return out, err
		}
		off := wire.Offer{V: wire.Version, ID: rel.ID, Version: rel.Version, SHA256: rel.SHA256, Size: rel.Size,
			URL: strings.TrimSuffix(o.PublicURL, "/") + "/packs/" + rel.File, Rollback: rollback, Time: now}
		b, err := json.Marshal(off)
		if err != nil {
			return out, err
		}
		if _, err := wire.DecodeOffer(b); err != nil {
			return out, fmt.Errorf("hub: the offer would break the contract: %w", err)
		}
		if err := o.DB.SaveOffer(ctx, db.Offer{Site: site, Device: dev, Pack: rel.ID, Version: rel.Version, SHA256: rel.SHA256,
			Size: rel.Size, URL: off.URL, Rollback: rollback, Offered: now}); err != nil {
			return out, err
		}
		if err := o.Publish(ctx, topic, b); err != nil {
			return out, fmt.Errorf("hub: publish the offer to %s: %w", topic, err)
		}
		out = append(out, off)
	}
	return out, nil
}

// Withdraw withdraws the offers to the site, or to the given devices: the
// retained message is cleared; the devices keep the pack they run.
func (o *Offerer) Withdraw(ctx context.Context, site string, devices []string) error {
	for _, dev := range scopes(devices) {
		topic, err := wire.OfferTopic(o.root(), site, dev)
		if err != nil {
			return err
		}
		if _, err := o.DB.WithdrawOffer(ctx, site, dev, o.now()); err != nil {
			return err
		}
		if err := o.Publish(ctx, topic, nil); err != nil {
			return fmt.Errorf("hub: clear the offer on %s: %w", topic, err)
		}
	}
	return nil
}

// OfferPrevious offers, as a rollback, the release just below the one
// offered now to the site (or to each given device): a rollback at
// district scale. Devices roll back to their own previous pack when it is
// that release, and refuse otherwise.
func (o *Offerer) OfferPrevious(ctx context.Context, site string, devices []string) ([]wire.Offer, error) {
	if err := o.Library.Scan(); err != nil { // the releases in the folder now (one removed is not offered)
		return nil, err
	}
	offers, err := o.DB.Offers(ctx, site)
	if err != nil {
		return nil, err
	}
	var out []wire.Offer
	for _, dev := range scopes(devices) {
		var cur *db.Offer
		for i := range offers {
			if offers[i].Device == dev && offers[i].Withdrawn.IsZero() {
				cur = &offers[i]
			}
		}
		if cur == nil {
			return out, fmt.Errorf("hub: nothing is offered to %s/%s, so there is no previous release to go back to", site, dev)
		}
		prev, ok := o.previous(cur.Pack, cur.Version)
		if !ok {
			return out, fmt.Errorf("%w: no release of %s older than %s in content.packs_dir", ErrNoRelease, cur.Pack, cur.Version)
		}
		got, err := o.offer(ctx, site, []string{dev}, prev, true)
		out = append(out, got...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

func (o *Offerer) previous(id, version string) (Release, bool) {
	var best Release
	found := false
	for _, r := range o.Library.Releases() {
		if r.ID != id {
			continue
		}
		if c, err := content.CompareVersions(r.Version, version); err != nil || c >= 0 {
			continue
		}
		if !found {
			best, found = r, true
		} else if c, _ := content.CompareVersions(r.Version, best.Version); c > 0 {
			best = r
		}
	}
	return best, found
}

// StandingOffers returns the offers of site ("" for all) that stand (not
// withdrawn), by site and device (wire.OfferAll for the whole site).
func (h *Hub) StandingOffers(ctx context.Context, site string) ([]db.Offer, error) {
	all, err := h.db.Offers(ctx, site)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, o := range all {
		if o.Withdrawn.IsZero() {
			out = append(out, o)
		}
	}
	return out, nil
}

// The outcomes of an offer on a device.
const (
	OutcomePending   = wire.OfferPending
	OutcomeInstalled = wire.OfferInstalled
	OutcomeRefused   = wire.OfferRefused
)

// PackState is what the dashboard shows of one device's pack: what it runs
// and how the offer to it (its own, else its site's) went.
type PackState struct {
	Site        string `json:"site"`
	Device      string `json:"device"`
	Pack        string `json:"pack"`         // what the device reports it runs
	PackVersion string `json:"pack_version"` // ""
	// Offer is the standing offer that applies to the device (nil: none).
	Offer *OfferInfo `json:"offer,omitempty"`
}

// OfferInfo is a standing offer and the device's answer to it.
type OfferInfo struct {
	Pack     string    `json:"pack"`
	Version  string    `json:"version"`
	SHA256   string    `json:"sha256"`
	Rollback bool      `json:"rollback,omitempty"`
	Scope    string    `json:"scope"` // the device's id, or _all for the site
	Offered  time.Time `json:"offered"`
	// Outcome is pending (not answered yet; Reason is what the device
	// says it waits for), installed or refused (with Reason, from the
	// device's pack.rejected event or its status).
	Outcome string `json:"outcome"`
	Reason  string `json:"reason,omitempty"`
	// Why is Reason sorted into one of the Why* kinds, for a dashboard
	// to say in its own language ("" when there is no reason).
	Why      string    `json:"why,omitempty"`
	Answered time.Time `json:"answered,omitzero"` // when the hub received the answer
}

// PackStates returns, for each device of site ("" for all), what it runs
// and how the offer to it stands. Additive to the dashboard's device list.
func (h *Hub) PackStates(ctx context.Context, site string) ([]PackState, error) {
	devs, err := h.db.Devices(ctx, site)
	if err != nil {
		return nil, err
	}
	offers, err := h.db.Offers(ctx, site)
	if err != nil {
		return nil, err
	}
	byScope := map[[2]string]db.Offer{}
	for _, o := range offers {
		if o.Withdrawn.IsZero() {
			byScope[[2]string{o.Site, o.Device}] = o
		}
	}
	reports, err := h.db.OfferStates(ctx, site)
	if err != nil {
		return nil, err
	}
	answers, err := h.db.PackAnswers(ctx, site)
	if err != nil {
		return nil, err
	}
	out := make([]PackState, 0, len(devs))
	for _, d := range devs {
		ps := PackState{Site: d.Site, Device: d.Device, Pack: d.Pack, PackVersion: d.PackVersion}
		o, ok := byScope[[2]string{d.Site, d.Device}]
		if !ok {
			o, ok = byScope[[2]string{d.Site, wire.OfferAll}]
		}
		if ok {
			info := &OfferInfo{Pack: o.Pack, Version: o.Version, SHA256: o.SHA256, Rollback: o.Rollback, Scope: o.Device,
				Offered: o.Offered, Outcome: OutcomePending}
			// The device's answer for this version, if it came after the
			// offer (an earlier one was of an earlier offer of it).
			if a, ok := answers[[4]string{d.Site, d.Device, o.Pack, o.Version}]; ok && !a.Received.Before(o.Offered) {
				info.Answered = a.Received
				if a.Kind == string(wire.PackInstalled) {
					info.Outcome = OutcomeInstalled
				} else {
					info.Outcome, info.Reason = OutcomeRefused, a.Reason
				}
			}
			if info.Outcome == OutcomePending && d.Pack == o.Pack && d.PackVersion == o.Version {
				info.Outcome = OutcomeInstalled // it ran the offered pack already
			}
			// The device's own report (status.offer) on this very offer
			// says what it waits for, or a refusal whose event has not
			// arrived (or was pruned).
			if rep, ok := reports[[2]string{d.Site, d.Device}]; ok && rep.ID == o.Pack && rep.Version == o.Version && rep.SHA256 == o.SHA256 {
				switch {
				case info.Outcome == OutcomePending:
					info.Reason = rep.Reason
					if rep.State == wire.OfferRefused || rep.State == wire.OfferInstalled {
						info.Outcome = rep.State
					}
				case rep.State == wire.OfferRefused && WhyOf(rep.Reason) == WhyStaffChoice && (d.Pack != o.Pack || d.PackVersion != o.Version):
					// Installed, then staff at the device chose another
					// pack: the device keeps their choice.
					info.Outcome, info.Reason = OutcomeRefused, rep.Reason
				}
			}
			info.Why = WhyOf(info.Reason)
			ps.Offer = info
		}
		out = append(out, ps)
	}
	return out, nil
}

// The kinds of reason a device gives for a refused or waiting offer
// (OfferInfo.Why). The device's reason is free text (the contract keeps it
// for people); WhyOf sorts it by the phrases edge/delivery and the content
// installer put in it (the content.Err* sentinels).
const (
	WhyWaitingVisit = "waiting_visit" // pending: a visit is running
	WhyWaitingHours = "waiting_hours" // pending: within opening hours
	WhyDownload     = "download"      // pending: the download failed, it tries again
	WhyNotHub       = "not_hub"       // the URL is not on the device's configured hub
	WhyFileChanged  = "file_changed"  // size or SHA-256 not the offer's
	WhyCertificate  = "certificate"   // the hub's certificate is not trusted
	WhyTooBig       = "too_big"       // above the device's content.max_download
	WhyHubError     = "hub_error"     // the hub answered with an error or a redirect
	WhyUnknownKey   = "unknown_key"   // signed by a key the device does not trust
	WhyUnsigned     = "unsigned"
	WhyBadSignature = "bad_signature"
	WhyNoRollback   = "no_rollback" // a rollback to what is not the device's previous pack
	WhyDowngrade    = "downgrade"   // older than the active pack
	WhyAppTooOld    = "app_too_old"
	WhyInvalid      = "invalid"      // the validator found problems
	WhyNotOffered   = "not_offered"  // the file holds another pack or version
	WhyDamaged      = "damaged"      // not a sound .wfpack
	WhyStaffChoice  = "staff_choice" // installed, then staff at the device chose another pack, which it keeps
	WhyOther        = "other"        // none of these: show the device's words
)

var whyPhrases = []struct{ phrase, why string }{
	// edge/delivery's own (checked first: they may wrap a content error).
	{wire.OfferStaffChose, WhyStaffChoice},
	{"waiting for the visit", WhyWaitingVisit},
	{"waiting for the room to close", WhyWaitingHours},
	{"is not on this device's hub", WhyNotHub},
	{"the file on the hub", WhyFileChanged},
	{"certificate is not trusted", WhyCertificate},
	{"content.max_download", WhyTooBig},
	{"cannot download the pack", WhyDownload},
	{"the download broke off", WhyDownload},
	{"cannot store the download", WhyDownload},
	{"the hub answered", WhyHubError},
	{"a rollback to", WhyNoRollback},
	// The content installer's, by its sentinels.
	{content.ErrUnknownKey.Error(), WhyUnknownKey},
	{content.ErrUnsigned.Error(), WhyUnsigned},
	{content.ErrBadSignature.Error(), WhyBadSignature},
	{content.ErrDowngrade.Error(), WhyDowngrade},
	{content.ErrAppTooOld.Error(), WhyAppTooOld},
	{content.ErrInvalid.Error(), WhyInvalid},
	{content.ErrNotOffered.Error(), WhyNotOffered},
	{content.ErrNoPrevious.Error(), WhyNoRollback},
}

var damagedPhrases = []error{content.ErrNotPack, content.ErrUnsafePath, content.ErrLink, content.ErrDuplicate,
	content.ErrTooManyFiles, content.ErrTooLarge, content.ErrFileTooLarge, content.ErrCompressionBomb, content.ErrImageBomb,
	content.ErrNotUTF8, content.ErrFileType}

// Whys lists every kind WhyOf returns.
func Whys() []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range whyPhrases {
		if !seen[p.why] {
			seen[p.why] = true
			out = append(out, p.why)
		}
	}
	return append(out, WhyDamaged, WhyOther)
}

// WhyOf sorts a device's reason into a Why* kind ("" for no reason).
func WhyOf(reason string) string {
	if reason == "" {
		return ""
	}
	for _, p := range whyPhrases {
		if strings.Contains(reason, p.phrase) {
			return p.why
		}
	}
	for _, e := range damagedPhrases {
		if strings.Contains(reason, e.Error()) {
			return WhyDamaged
		}
	}
	return WhyOther
}
