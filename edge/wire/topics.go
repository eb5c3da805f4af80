package wire

import (
	"fmt"
	"regexp"
	"strings"
)

// DefaultRoot is the topic root used when the config does not set one.
const DefaultRoot = "wufang/v1"

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// ValidID reports whether s may be used as a site or device id: it matches
// [a-z0-9][a-z0-9-]{0,62}, so no '+', '#' or '/' can reach a topic.
func ValidID(s string) bool { return idPattern.MatchString(s) }

// Topics builds the topics of one device. Build it with NewTopics so the
// parts are validated; the zero value is not usable.
type Topics struct {
	Root   string // e.g. "wufang/v1"
	Site   string
	Device string
}

// NewTopics validates root, site and device and returns the device's topics.
// The root may have several levels but no empty level, wildcard or leading
// '$'; site and device must match [a-z0-9][a-z0-9-]{0,62}.
func NewTopics(root, site, device string) (Topics, error) {
	if err := checkRoot(root); err != nil {
		return Topics{}, err
	}
	if !ValidID(site) {
		return Topics{}, fmt.Errorf("wire: site %q: must match [a-z0-9][a-z0-9-]{0,62}", site)
	}
	if !ValidID(device) {
		return Topics{}, fmt.Errorf("wire: device %q: must match [a-z0-9][a-z0-9-]{0,62}", device)
	}
	return Topics{Root: root, Site: site, Device: device}, nil
}

func checkRoot(root string) error {
	if root == "" {
		return fmt.Errorf("wire: topic root is empty")
	}
	if strings.HasPrefix(root, "$") {
		return fmt.Errorf("wire: topic root %q: must not start with '$' (reserved by brokers)", root)
	}
	if strings.ContainsAny(root, "+#\x00") {
		return fmt.Errorf("wire: topic root %q: must not contain '+', '#' or NUL", root)
	}
	for i, level := range strings.Split(root, "/") {
		if level == "" {
			return fmt.Errorf("wire: topic root %q: level %d is empty", root, i+1)
		}
	}
	if len(root) > 1024 {
		return fmt.Errorf("wire: topic root is %d bytes long, at most 1024", len(root))
	}
	return nil
}

func (t Topics) base() string { return t.Root + "/" + t.Site + "/" + t.Device }

// Status is the retained status topic, {root}/{site}/{device}/status.
func (t Topics) Status() string { return t.base() + "/status" }

// Event is the events topic, {root}/{site}/{device}/event.
func (t Topics) Event() string { return t.base() + "/event" }

// Totals is the retained totals topic, {root}/{site}/{device}/totals.
func (t Topics) Totals() string { return t.base() + "/totals" }

// Daily is the retained topic of one closed day, {root}/{site}/{device}/daily/{date},
// date as yyyy-mm-dd.
func (t Topics) Daily(date string) string { return t.base() + "/daily/" + date }

// SiteFilter returns the subscription filters that see every device of a
// site: its retained status and totals ({root}/{site}/+/status and
// {root}/{site}/+/totals).
func SiteFilter(root, site string) ([]string, error) {
	if err := checkRoot(root); err != nil {
		return nil, err
	}
	if !ValidID(site) {
		return nil, fmt.Errorf("wire: site %q: must match [a-z0-9][a-z0-9-]{0,62}", site)
	}
	b := root + "/" + site + "/+/"
	return []string{b + "status", b + "totals"}, nil
}

// ParseTopic splits a topic under root into its site, device and the rest
// ("status", "event", "totals" or "daily/2026-01-02"). ok is false when the
// topic is not a device topic under root.
func ParseTopic(root, topic string) (site, device, rest string, ok bool) {
	if !strings.HasPrefix(topic, root+"/") {
		return "", "", "", false
	}
	parts := strings.SplitN(topic[len(root)+1:], "/", 3)
	if len(parts) != 3 || !ValidID(parts[0]) || !ValidID(parts[1]) {
		return "", "", "", false
	}
	switch {
	case parts[2] == "status", parts[2] == "event", parts[2] == "totals":
	case strings.HasPrefix(parts[2], "daily/") && datePattern.MatchString(parts[2][len("daily/"):]):
	default:
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

var datePattern = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
