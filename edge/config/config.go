// Package config loads the one YAML file that configures a wufang device
// (/etc/wufang/wufang.yaml by default), for both wufang-kiosk and wufang-edge.
//
// Every key has a safe default, so a missing file gives a working demo: the
// built-in pack, simulated sensors where there is no GPIO, a store in a user
// data folder when not root, and the uplink off. Loading is strict: an unknown
// key, a wrong type or a bad value is refused with the file, line and column
// and a sentence that says what is allowed.
package config

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
	_ "time/tzdata" // a board without the system's zone files still knows Asia/Shanghai

	"github.com/wufang-kiosk/wufang/edge/wire"
)

// DefaultPath is where the config is read from when --config is not given.
const DefaultPath = "/etc/wufang/wufang.yaml"

// Config is the whole device configuration. The yaml tags are the key names
// documented in build/wufang.example.yaml; they are fixed.
type Config struct {
	Site     string  `yaml:"site"`
	Device   string  `yaml:"device"`
	Timezone string  `yaml:"timezone"`
	DataDir  string  `yaml:"data_dir"`
	MQTT     MQTT    `yaml:"mqtt"`
	Store    Store   `yaml:"store"`
	HTTP     HTTP    `yaml:"http"`
	Sensors  Sensors `yaml:"sensors"`
	Kiosk    Kiosk   `yaml:"kiosk"`
	Content  Content `yaml:"content"`

	// Location is Timezone loaded; set by Load.
	Location *time.Location `yaml:"-"`
	// Path is the file the config came from, or "" for built-in defaults.
	Path string `yaml:"-"`
}

// MQTT configures the uplink to the central hub. An empty Broker turns the
// uplink off.
type MQTT struct {
	Broker       string   `yaml:"broker"`
	Username     string   `yaml:"username"`
	PasswordFile string   `yaml:"password_file"`
	CAFile       string   `yaml:"ca_file"`
	CertFile     string   `yaml:"cert_file"`
	KeyFile      string   `yaml:"key_file"`
	TopicRoot    string   `yaml:"topic_root"`
	Keepalive    Duration `yaml:"keepalive"`
}

// Store configures the durable event store.
type Store struct {
	MaxBytes  Size     `yaml:"max_bytes"`
	Retention Duration `yaml:"retention"`
}

// HTTP configures the local status endpoint (/status and /metrics).
type HTTP struct {
	Listen string `yaml:"listen"`
	// AllowRemote lets Listen be an address other machines can reach
	// (/status and /metrics have no authentication).
	AllowRemote bool `yaml:"allow_remote"`
}

// Sensors names the GPIO pins of the room's sensors.
type Sensors struct {
	Simulate bool     `yaml:"simulate"`
	Door     Door     `yaml:"door"`
	Presence Presence `yaml:"presence"`
	// Buttons maps a button name (a, b, c, d, ok, back) to its pin.
	Buttons map[string]string `yaml:"buttons"`
	// Pads maps a touch pad name to its pin (TTP223-style modules).
	Pads map[string]string `yaml:"pads"`
	// ActiveLow is true for buttons wired to ground with a pull-up (the usual way).
	ButtonsActiveLow bool     `yaml:"buttons_active_low"`
	Debounce         Duration `yaml:"debounce"`
	StuckAfter       Duration `yaml:"stuck_after"`
}

// Door holds the two break beams of a door counter: outer (street side) and
// inner (room side).
type Door struct {
	Outer string `yaml:"outer"`
	Inner string `yaml:"inner"`
	// BeamActiveLow is true when a broken beam reads low.
	BeamActiveLow bool `yaml:"beam_active_low"`
	// CrossingTimeout gives up a crossing that stands still this long
	// (someone who stops in the doorway for longer is not counted).
	CrossingTimeout Duration `yaml:"crossing_timeout"`
}

// Presence holds the PIR sensor that wakes the kiosk.
type Presence struct {
	Pin  string   `yaml:"pin"`
	Hold Duration `yaml:"hold"`
	// SilentHours is how many opening hours without any motion make a
	// health warning.
	SilentHours int `yaml:"silent_hours"`
}

// Kiosk configures the touchscreen app.
type Kiosk struct {
	IdleTimeout  Duration `yaml:"idle_timeout"`
	AdminPINHash string   `yaml:"admin_pin_hash"`
	HideCursor   bool     `yaml:"hide_cursor"`
	// OpeningHours maps day ranges (mon-fri, sat-sun, mon, …) to "HH:MM-HH:MM"
	// or "closed". Empty means always open.
	OpeningHours map[string]string `yaml:"opening_hours"`
	LargeText    bool              `yaml:"large_text"`
	// Rotate turns the screen and the touch input together, in degrees
	// (0, 90, 180 or 270; wl_output's transform, as cage -r and wlr-randr
	// --transform count). kiosk/session turns it into cage's flags and a
	// libinput calibration matrix for the touchscreen.
	Rotate int `yaml:"rotate"`
}

// Content configures content packs.
type Content struct {
	// TrustedKeys are public key lines printed by `wufang-pack keygen`.
	TrustedKeys   []string `yaml:"trusted_keys"`
	AllowUnsigned bool     `yaml:"allow_unsigned"`
	USBRoot       string   `yaml:"usb_root"`
	// FromHub makes the device take the packs the hub offers over MQTT
	// (off by default): downloaded from HubURL, installed like a USB
	// stick, only outside a visit and (unless InstallDuringHours) outside
	// opening hours.
	FromHub bool `yaml:"from_hub"`
	// HubURL is the hub's web address (https://host:port); an offered URL
	// on any other scheme, host or port is refused. http:// only for a
	// hub on loopback (tests, demos).
	HubURL string `yaml:"hub_url"`
	// HubCAFile is the PEM CA bundle that signs the hub's certificate
	// (empty: the system's roots).
	HubCAFile          string   `yaml:"hub_ca_file"`
	InstallDuringHours bool     `yaml:"install_during_hours"`
	MaxDownload        Size     `yaml:"max_download"`     // largest pack downloaded (default 256MiB)
	DownloadTimeout    Duration `yaml:"download_timeout"` // one whole download (default 10m)
}

// Default returns the configuration used when there is no file.
func Default() *Config {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return &Config{
		Site:     "demo-site",
		Device:   defaultDevice(),
		Timezone: "Asia/Shanghai",
		DataDir:  DefaultDataDir(),
		MQTT:     MQTT{TopicRoot: "wufang/v1", Keepalive: Duration(30 * time.Second)},
		Store:    Store{MaxBytes: 256 << 20, Retention: Duration(30 * 24 * time.Hour)},
		HTTP:     HTTP{Listen: "127.0.0.1:9107"},
		Sensors: Sensors{
			Door:             Door{Outer: "GPIO17", Inner: "GPIO27", CrossingTimeout: Duration(60 * time.Second)},
			Presence:         Presence{Pin: "GPIO22", Hold: Duration(30 * time.Second), SilentHours: 4},
			Buttons:          map[string]string{"a": "GPIO5", "b": "GPIO6", "c": "GPIO13", "d": "GPIO19", "ok": "GPIO26", "back": "GPIO21"},
			Pads:             map[string]string{},
			ButtonsActiveLow: true,
			Debounce:         Duration(20 * time.Millisecond),
			StuckAfter:       Duration(60 * time.Second),
		},
		Kiosk: Kiosk{
			IdleTimeout: Duration(60 * time.Second),
			// Always open unless the file says otherwise: a kiosk (or a demo)
			// must never go dark because of a default. The example config
			// shows the room's real hours.
			OpeningHours: map[string]string{},
		},
		Content:  Content{USBRoot: "/media", MaxDownload: 256 << 20, DownloadTimeout: Duration(10 * time.Minute)},
		Location: loc,
	}
}

func defaultDevice() string {
	h, err := os.Hostname()
	if err == nil {
		h = sanitizeID(h)
		if wire.ValidID(h) {
			return h
		}
	}
	return "kiosk-1"
}

func sanitizeID(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s) && len(b) < 63; i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b = append(b, c)
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		case c == '-' || c == '_' || c == '.':
			if len(b) > 0 {
				b = append(b, '-')
			}
		}
	}
	return string(b)
}

// DefaultDataDir is /var/lib/wufang for root and a folder under the user's
// data home otherwise, so the demo runs without privileges.
func DefaultDataDir() string {
	if os.Geteuid() == 0 {
		return "/var/lib/wufang"
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "wufang")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "wufang")
	}
	return filepath.Join(os.TempDir(), "wufang")
}

// Password reads the MQTT password from PasswordFile. It returns "" when no
// file is configured. The password is never part of Config, so it cannot be
// logged or printed with it.
func (c *Config) Password() (string, error) {
	return ReadPassword(c.MQTT.PasswordFile)
}

// ReadPassword reads a password file (mqtt.password_file): its text without
// the final line break, "" when path is "".
func ReadPassword(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read mqtt.password_file: %w", err)
	}
	return trimNewline(string(b)), nil
}

func trimNewline(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}
