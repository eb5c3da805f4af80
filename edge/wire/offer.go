package wire

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Offers are the one thing a device receives: the hub's retained offer of a
// signed content pack, on topics outside every device's own tree so that a
// broker ACL letting a device publish under {root}/{site}/{device}/# never
// lets it write an offer (to itself or to a neighbour).
//
//	{root}/_offers/{site}/{device}   for one device
//	{root}/_offers/{site}/_all       for every device of the site
//
// "_offers" and "_all" cannot be site or device ids (ids start with a
// letter or digit), so these topics never collide with a device's.
const (
	// OffersLevel is the topic level under the root that holds offers.
	OffersLevel = "_offers"
	// OfferAll is the device level of a site-wide offer.
	OfferAll = "_all"
)

// Offer outcomes a device reports in Status.Offer.
const (
	OfferPending   = "pending"   // received; waiting to download or for the room to be free
	OfferInstalled = "installed" // the offered pack is the active one
	OfferRefused   = "refused"   // refused for Reason; the active pack is unchanged
)

// OfferStaffChose is the phrase a refused Status.Offer's Reason holds when
// the device had installed the offer and staff at the device then chose
// another pack (a rollback, the built-in pack), which the device keeps
// (CONTRACT.md, Pack offers).
const OfferStaffChose = "staff at the device chose"

// Offer is the retained payload of an offer topic: a released, signed
// .wfpack the hub serves at URL. An empty retained message on the topic
// withdraws the offer (the broker then holds nothing there).
type Offer struct {
	V       int    `json:"v"`
	ID      string `json:"id"`      // the pack id
	Version string `json:"version"` // the pack version
	SHA256  string `json:"sha256"`  // of the .wfpack file, 64 lower-case hex digits
	Size    int64  `json:"size"`    // of the .wfpack file, bytes
	URL     string `json:"url"`     // where the hub serves the file: https (http only for a hub on loopback)
	// Rollback marks "go back to the previous release": a device accepts
	// a lower version only when it is the pack its own rollback would make
	// active (the previous slot), and then rolls back instead of
	// downloading. Any other lower version is refused as a downgrade.
	Rollback bool      `json:"rollback,omitempty"`
	Time     time.Time `json:"time"` // when the hub made the offer (UTC)
}

// OfferState is a device's report on the offer it holds, in Status.Offer.
type OfferState struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
	State   string `json:"state"`            // OfferPending, OfferInstalled or OfferRefused
	Reason  string `json:"reason,omitempty"` // why it is refused, or what it waits for
}

var (
	versionPattern = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z.+-]{0,63}$`)
	sha256Pattern  = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// Offer is the topic of offers to this device, {root}/_offers/{site}/{device}.
func (t Topics) Offer() string { return t.offers() + t.Device }

// SiteOffer is the topic of offers to every device of the site,
// {root}/_offers/{site}/_all.
func (t Topics) SiteOffer() string { return t.offers() + OfferAll }

func (t Topics) offers() string { return t.Root + "/" + OffersLevel + "/" + t.Site + "/" }

// OfferTopic is the offer topic of one device, or of the whole site when
// device is OfferAll.
func OfferTopic(root, site, device string) (string, error) {
	if err := checkRoot(root); err != nil {
		return "", err
	}
	if !ValidID(site) {
		return "", fmt.Errorf("wire: site %q: must match [a-z0-9][a-z0-9-]{0,62}", site)
	}
	if device != OfferAll && !ValidID(device) {
		return "", fmt.Errorf("wire: device %q: must match [a-z0-9][a-z0-9-]{0,62}, or be %s for the whole site", device, OfferAll)
	}
	return root + "/" + OffersLevel + "/" + site + "/" + device, nil
}

// ParseOfferTopic splits an offer topic under root into its site and device
// (OfferAll for a site-wide offer). ok is false for any other topic.
func ParseOfferTopic(root, topic string) (site, device string, ok bool) {
	rest, found := strings.CutPrefix(topic, root+"/"+OffersLevel+"/")
	if !found {
		return "", "", false
	}
	site, device, found = strings.Cut(rest, "/")
	if !found || !ValidID(site) || (device != OfferAll && !ValidID(device)) {
		return "", "", false
	}
	return site, device, true
}

// DecodeOffer decodes an offer payload strictly (see DecodeEvent). It does
// not say whether the device may fetch the URL: that is the device's
// configured hub to decide.
func DecodeOffer(b []byte) (Offer, error) {
	var o Offer
	err := decodeStrict(SchemaOffer, b, &o)
	return o, err
}

func (o *Offer) check() error {
	if o.V != Version {
		return fmt.Errorf("/v: must be %d", Version)
	}
	switch {
	case !ValidID(o.ID):
		return fmt.Errorf("/id: %q is not a pack id", o.ID)
	case !versionPattern.MatchString(o.Version):
		return fmt.Errorf("/version: %q is not a version", o.Version)
	case !sha256Pattern.MatchString(o.SHA256):
		return errors.New("/sha256: must be 64 lower-case hex digits")
	case o.Size < 1 || o.Size > MaxOfferSize:
		return fmt.Errorf("/size: %d, must be 1 to %d", o.Size, int64(MaxOfferSize))
	}
	return checkOfferURL(o.URL)
}

// MaxOfferSize is the largest pack size an offer may state (1 GiB); a
// device caps its downloads lower (content.max_download).
const MaxOfferSize = 1 << 30

func checkOfferURL(s string) error {
	if len(s) > 2048 || !utf8.ValidString(s) {
		return errors.New("/url: at most 2048 bytes of UTF-8")
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return fmt.Errorf("/url: %w", err)
	case u.Scheme != "https" && u.Scheme != "http":
		return fmt.Errorf("/url: %q must be an https:// URL", s)
	case u.Host == "" || u.User != nil || u.Fragment != "" || u.Opaque != "":
		return fmt.Errorf("/url: %q must be https://host/path, without user or fragment", s)
	}
	return nil
}

// Check reports whether a device's offer report is within the contract.
func (s OfferState) Check() error {
	switch {
	case !ValidID(s.ID):
		return fmt.Errorf("/offer/id: %q is not a pack id", s.ID)
	case !versionPattern.MatchString(s.Version):
		return fmt.Errorf("/offer/version: %q is not a version", s.Version)
	case !sha256Pattern.MatchString(s.SHA256):
		return errors.New("/offer/sha256: must be 64 lower-case hex digits")
	case s.State != OfferPending && s.State != OfferInstalled && s.State != OfferRefused:
		return fmt.Errorf("/offer/state: %q, want pending, installed or refused", s.State)
	case !utf8.ValidString(s.Reason) || utf8.RuneCountInString(s.Reason) > 200:
		return errors.New("/offer/reason: at most 200 characters of UTF-8")
	}
	return nil
}
