package config

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// Buttons lists the physical button names the kiosk understands.
var Buttons = []string{"a", "b", "c", "d", "ok", "back"}

// Rotations are the values kiosk.rotate allows, in degrees.
var Rotations = []int{0, 90, 180, 270}

var pinPattern = regexp.MustCompile(`^GPIO([0-9]{1,2})$`)

// ValidPin reports whether name is a BCM GPIO name of a Raspberry Pi header
// (GPIO0 to GPIO27).
func ValidPin(name string) bool {
	m := pinPattern.FindStringSubmatch(name)
	if m == nil {
		return false
	}
	n, _ := strconv.Atoi(m[1])
	return n <= 27
}

// The largest store cap and retention a config may set: beyond them a
// value is a typo (the store itself would accept more).
const (
	MaxStoreBytes = 64 << 30
	MaxRetention  = 3650 * 24 * time.Hour
)

var topicRootPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$`)

func (d *decoder) validate(c *Config) {
	if !wire.ValidID(c.Site) {
		d.failAt("site", "%q is not a valid id; use 1 to 63 lowercase letters, digits and dashes, starting with a letter or digit (like bantian-xinxue)", c.Site)
	}
	if !wire.ValidID(c.Device) {
		d.failAt("device", "%q is not a valid id; use 1 to 63 lowercase letters, digits and dashes, starting with a letter or digit (like kiosk-fire-1)", c.Device)
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil || c.Timezone == "" || c.Timezone == "Local" {
		d.failAt("timezone", "%q is not a known time zone; use an IANA name like Asia/Shanghai", c.Timezone)
	} else {
		c.Location = loc
	}
	if c.DataDir == "" || !strings.HasPrefix(c.DataDir, "/") {
		d.failAt("data_dir", "%q must be an absolute folder path, like /var/lib/wufang", c.DataDir)
	} else if p, err := blockingFile(c.DataDir); errors.Is(err, fs.ErrPermission) {
		d.failAt("data_dir", "%q cannot be reached: this user may not look into %s; run as the user of the service (wufang) or root, or choose another path", c.DataDir, filepath.Dir(p))
	} else if err != nil {
		d.failAt("data_dir", "%q cannot be a folder: %s is %v; choose another path", c.DataDir, p, err)
	}
	d.validateMQTT(&c.MQTT)
	if c.Store.MaxBytes < 1<<20 {
		d.failAt("store.max_bytes", "%s is too small; allow at least 1MiB (the default is 256MiB)", c.Store.MaxBytes)
	} else if c.Store.MaxBytes > MaxStoreBytes {
		d.failAt("store.max_bytes", "%s is too large; allow at most %s (the default is 256MiB)", c.Store.MaxBytes, Size(MaxStoreBytes))
	}
	if c.Store.Retention.D() < time.Hour {
		d.failAt("store.retention", "%s is too short; keep sent events at least 1h (the default is 30d)", c.Store.Retention)
	} else if c.Store.Retention.D() > MaxRetention {
		d.failAt("store.retention", "%s is too long; keep sent events at most 3650d (10 years; the default is 30d)", c.Store.Retention)
	}
	if c.HTTP.Listen != "" {
		host, port, err := net.SplitHostPort(c.HTTP.Listen)
		if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
			d.failAt("http.listen", "%q is not an address; write host:port like 127.0.0.1:9107, or \"\" to turn the endpoint off", c.HTTP.Listen)
		} else if host != "" && net.ParseIP(host) == nil && host != "localhost" {
			d.failAt("http.listen", "%q must use an IP address or localhost as its host, like 127.0.0.1:9107", c.HTTP.Listen)
		} else if !IsLoopback(host) && !c.HTTP.AllowRemote {
			d.failAt("http.listen", "%q would serve /status and /metrics, which have no password, to the network; use 127.0.0.1:%s, or set http.allow_remote: true if that is what you want", c.HTTP.Listen, port)
		}
	}
	d.validateSensors(&c.Sensors)
	d.validateKiosk(&c.Kiosk)
	for i, k := range c.Content.TrustedKeys {
		if _, err := content.ParsePublicKey(k); err != nil {
			d.failAt(fmt.Sprintf("content.trusted_keys[%d]", i), "%v; paste the line that `wufang-pack keygen` printed", err)
		}
	}
	if c.Content.USBRoot != "" && !strings.HasPrefix(c.Content.USBRoot, "/") {
		d.failAt("content.usb_root", "%q must be an absolute folder path, like /media", c.Content.USBRoot)
	}
	d.validateFromHub(c)
}

func (d *decoder) validateFromHub(c *Config) {
	cc := &c.Content
	if cc.HubURL != "" {
		if err := CheckHubURL(cc.HubURL); err != nil {
			d.failAt("content.hub_url", "%v", err)
		}
	}
	if cc.HubCAFile != "" && !strings.HasPrefix(cc.HubCAFile, "/") {
		d.failAt("content.hub_ca_file", "%q must be an absolute file path", cc.HubCAFile)
	}
	if cc.MaxDownload < 1<<20 || cc.MaxDownload > 1<<30 {
		d.failAt("content.max_download", "%s must be between 1MiB and 1GiB (the default is 256MiB)", cc.MaxDownload)
	}
	if cc.DownloadTimeout.D() < 10*time.Second {
		d.failAt("content.download_timeout", "%s is too short; allow at least 10s (the default is 10m)", cc.DownloadTimeout.D())
	}
	if !cc.FromHub {
		return
	}
	switch {
	case cc.HubURL == "":
		d.failAt("content.from_hub", "needs content.hub_url, the hub's address (like https://hub.example:9108)")
	case c.MQTT.Broker == "":
		d.failAt("content.from_hub", "needs mqtt.broker: offers arrive over MQTT")
	case len(cc.TrustedKeys) == 0 && !cc.AllowUnsigned:
		d.failAt("content.from_hub", "needs content.trusted_keys: every offered pack is checked against them, as a USB install is")
	case !cc.InstallDuringHours && len(c.Kiosk.OpeningHours) == 0:
		d.failAt("content.from_hub", "the room is always open (no kiosk.opening_hours), so a pack from the hub would never be installed: set the opening hours, or content.install_during_hours: true (never during a visit all the same)")
	}
}

// CheckHubURL checks content.hub_url: https://host[:port] with no path
// beyond "/", or http:// to a loopback address (a test or demo hub).
func CheckHubURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %w", s, err)
	}
	switch {
	case u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("%q must be the hub's address only, like https://hub.example:9108", s)
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && IsLoopback(u.Hostname()):
		return nil
	case u.Scheme == "http":
		return fmt.Errorf("%q is plain http to another machine: packs would travel unprotected; use https:// (http:// is only for a hub on this machine)", s)
	}
	return fmt.Errorf("%q must start with https://", s)
}

func (d *decoder) validateMQTT(m *MQTT) { CheckMQTT(m, d.failAt) }

// CheckMQTT reports each problem of an mqtt section through fail (the key,
// then the message). The hub's config has the same section and shares it.
func CheckMQTT(m *MQTT, fail func(key, format string, args ...any)) {
	if m.Broker != "" {
		u, err := url.Parse(m.Broker)
		switch {
		case err != nil || u.Host == "":
			fail("mqtt.broker", "%q is not a broker address; write tcp://host:1883 or ssl://host:8883, or \"\" to turn the uplink off", m.Broker)
		case u.Scheme != "tcp" && u.Scheme != "ssl" && u.Scheme != "tls" && u.Scheme != "mqtt" && u.Scheme != "mqtts":
			fail("mqtt.broker", "scheme %q is not supported; use tcp:// or ssl://", u.Scheme)
		case u.User != nil:
			// The URL would be printed by config check, status and watch,
			// and paho would use the password in it.
			fail("mqtt.broker", "must not hold a user name or password; write tcp://host:port, put the user name in mqtt.username and the password in the file named by mqtt.password_file")
		case u.Port() == "":
			fail("mqtt.broker", "%q has no port; add it, like tcp://host:1883 or ssl://host:8883", m.Broker)
		default:
			if n, err := strconv.Atoi(u.Port()); err != nil || n < 1 || n > 65535 {
				fail("mqtt.broker", "%q: the port must be 1 to 65535", m.Broker)
			}
		}
	}
	for key, path := range map[string]string{"mqtt.password_file": m.PasswordFile, "mqtt.ca_file": m.CAFile, "mqtt.cert_file": m.CertFile, "mqtt.key_file": m.KeyFile} {
		if path == "" {
			continue
		}
		// Read it as run will: a folder or an unreadable file stops run.
		// Permission is the exception: staff may check a config whose
		// secrets only the service's user can read.
		if fi, err := os.Stat(path); err != nil {
			fail(key, "%q cannot be read (%v); check the path and its permissions", path, unwrapPathErr(err))
		} else if fi.IsDir() {
			fail(key, "%q is a folder; name the file itself", path)
		} else if _, err := os.ReadFile(path); err != nil && !errors.Is(err, fs.ErrPermission) {
			fail(key, "%q cannot be read (%v); check the path and its permissions", path, unwrapPathErr(err))
		}
	}
	if (m.CertFile == "") != (m.KeyFile == "") {
		fail("mqtt.cert_file", "cert_file and key_file go together for mutual TLS; set both or neither")
	}
	if !topicRootPattern.MatchString(m.TopicRoot) {
		fail("mqtt.topic_root", "%q is not allowed; use letters, digits, - and _ in levels separated by /, like wufang/v1 (no + or #)", m.TopicRoot)
	}
	if k := m.Keepalive.D(); k < 5*time.Second || k > 20*time.Minute {
		fail("mqtt.keepalive", "%s is out of range; use between 5s and 20m (the default is 30s)", m.Keepalive)
	}
}

// IsLoopback reports whether a listen host (from host:port) only reaches
// this machine: localhost or a loopback IP. "" (every interface) does not.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// blockingFile returns the first part of the folder path dir that exists
// but is not a folder (so run could not create dir), with why.
func blockingFile(dir string) (string, error) {
	for p := filepath.Clean(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err == nil {
			if !fi.IsDir() {
				return p, errors.New("a file, not a folder")
			}
			return "", nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return p, unwrapPathErr(err)
		}
		if p == filepath.Dir(p) {
			return "", nil
		}
	}
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

func (d *decoder) validateSensors(s *Sensors) {
	used := map[string]string{}
	pin := func(key, name string) {
		if name == "" {
			return // this sensor is not fitted
		}
		if !ValidPin(name) {
			d.failAt(key, "%q is not a pin name on this board; use names like GPIO17 (GPIO0 to GPIO27), or \"\" if it is not fitted", name)
			return
		}
		if other, dup := used[name]; dup {
			d.failAt(key, "%s is already used by %s; give each sensor its own pin", name, other)
			return
		}
		used[name] = key
	}
	pin("sensors.door.outer", s.Door.Outer)
	pin("sensors.door.inner", s.Door.Inner)
	if (s.Door.Outer == "") != (s.Door.Inner == "") {
		d.failAt("sensors.door", "a door counter needs both beams; set outer and inner, or neither")
	}
	pin("sensors.presence.pin", s.Presence.Pin)
	for _, name := range slices.Sorted(maps.Keys(s.Buttons)) {
		if !slices.Contains(Buttons, name) {
			d.failAt("sensors.buttons."+name, "is not a button name; use %s", strings.Join(Buttons, ", "))
			continue
		}
		pin("sensors.buttons."+name, s.Buttons[name])
	}
	for _, name := range slices.Sorted(maps.Keys(s.Pads)) {
		if !wire.ValidID(name) {
			d.failAt("sensors.pads."+name, "%q is not a valid pad name; use lowercase letters, digits and dashes", name)
			continue
		}
		pin("sensors.pads."+name, s.Pads[name])
	}
	if h := s.Presence.Hold.D(); h < time.Second || h > 10*time.Minute {
		d.failAt("sensors.presence.hold", "%s is out of range; use between 1s and 10m (the default is 30s)", s.Presence.Hold)
	}
	if s.Presence.SilentHours < 1 || s.Presence.SilentHours > 24*7 {
		d.failAt("sensors.presence.silent_hours", "%d is out of range; use between 1 and 168 opening hours", s.Presence.SilentHours)
	}
	if db := s.Debounce.D(); db < time.Millisecond || db > time.Second {
		d.failAt("sensors.debounce", "%s is out of range; use between 1ms and 1s (the default is 20ms)", s.Debounce)
	}
	if st := s.StuckAfter.D(); st < 5*time.Second || st > time.Hour {
		d.failAt("sensors.stuck_after", "%s is out of range; use between 5s and 1h (the default is 60s)", s.StuckAfter)
	}
	if ct := s.Door.CrossingTimeout.D(); ct < 5*time.Second || ct > time.Hour {
		d.failAt("sensors.door.crossing_timeout", "%s is out of range; use between 5s and 1h (the default is 60s; the stuck-beam fault at stuck_after gives up a crossing too)", s.Door.CrossingTimeout)
	}
}

func (d *decoder) validateKiosk(k *Kiosk) {
	if t := k.IdleTimeout.D(); t < 15*time.Second || t > 30*time.Minute {
		d.failAt("kiosk.idle_timeout", "%s is out of range; use between 15s and 30m (the default is 60s)", k.IdleTimeout)
	}
	if h := k.AdminPINHash; h != "" && !strings.HasPrefix(h, "$argon2id$") && !strings.HasPrefix(h, "$scrypt$") {
		d.failAt("kiosk.admin_pin_hash", "is not a PIN hash; paste the line that `wufang-kiosk hash-pin` printed (it starts with $argon2id$)")
	}
	if !slices.Contains(Rotations, k.Rotate) {
		d.failAt("kiosk.rotate", "%d is not a rotation; use 0, 90, 180 or 270 (degrees; see Rotation in DEPLOY.md)", k.Rotate)
	}
	if _, err := ParseSchedule(k.OpeningHours); err != nil {
		key := "kiosk.opening_hours"
		if se, ok := err.(*ScheduleError); ok {
			key += "." + se.Key
			if se.InKey {
				at, _ := d.doc.Key(key)
				d.fail(at, key, "%v", err)
				return
			}
		}
		d.failAt(key, "%v", err)
	}
}
