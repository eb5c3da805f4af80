package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/wire"
)

func TestDefaultsWork(t *testing.T) {
	c, err := Parse("wufang.yaml", nil)
	if err != nil {
		t.Fatalf("empty file: %v", err)
	}
	if c.MQTT.Broker != "" || c.MQTT.TopicRoot != "wufang/v1" {
		t.Errorf("uplink should be off with root wufang/v1, got %+v", c.MQTT)
	}
	if c.Store.MaxBytes != 256<<20 || c.Store.Retention.D() != 30*24*time.Hour {
		t.Errorf("store defaults: %+v", c.Store)
	}
	if c.Location == nil || c.Location.String() != "Asia/Shanghai" {
		t.Errorf("location: %v", c.Location)
	}
	if !wire.ValidID(c.Device) || !wire.ValidID(c.Site) {
		t.Errorf("default ids invalid: %q %q", c.Site, c.Device)
	}
}

func TestLoadMissingDefaultPathGivesDefaults(t *testing.T) {
	// DefaultPath is absent on test machines; Load must not fail for it.
	if _, err := os.Stat(DefaultPath); err == nil {
		t.Skip(DefaultPath + " exists on this machine")
	}
	if _, err := Load(DefaultPath); err != nil {
		t.Fatal(err)
	}
}

func TestLoadMissingExplicitPathFails(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("want a not-found error, got %v", err)
	}
}

func TestExampleConfigIsValid(t *testing.T) {
	c, err := Load("../../build/wufang.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Site != "bantian-xinxue" {
		t.Errorf("site = %q", c.Site)
	}
}

func TestFullConfig(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := `site: bantian-xinxue
device: kiosk-fire-1
timezone: Europe/London
data_dir: /var/lib/wufang
mqtt:
  broker: ssl://hub.example:8883
  username: kiosk
  password_file: ` + pw + `
  topic_root: wufang/v1
store: {max_bytes: 64MiB, retention: 7d}
http: {listen: "127.0.0.1:9200"}
sensors:
  simulate: true
  door: {outer: GPIO17, inner: GPIO27}
  presence: {pin: GPIO22, hold: 45s}
  buttons: {a: GPIO5, ok: GPIO26}
  pads: {exhibit-1: GPIO16}
kiosk:
  idle_timeout: 90s
  admin_pin_hash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA"
  opening_hours: {mon-fri: "09:00-12:00, 13:00-17:30", sat: closed, sun: "10:00-17:00"}
content:
  trusted_keys: ["ed25519:` + strings.Repeat("A", 43) + `= staff laptop"]
`
	c, err := Parse("wufang.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if c.Store.MaxBytes != 64<<20 || c.Store.Retention.D() != 7*24*time.Hour {
		t.Errorf("store: %+v", c.Store)
	}
	if len(c.Sensors.Buttons) != 2 || c.Sensors.Pads["exhibit-1"] != "GPIO16" {
		t.Errorf("maps replace defaults: %+v %+v", c.Sensors.Buttons, c.Sensors.Pads)
	}
	p, err := c.Password()
	if err != nil || p != "s3cret" {
		t.Errorf("password = %q, %v", p, err)
	}
	out, err := c.Redacted()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "argon2id") || strings.Contains(string(out), "s3cret") {
		t.Errorf("secrets leak into the printed config:\n%s", out)
	}
	s := c.Kiosk.Schedule()
	loc := c.Location
	cases := []struct {
		at   time.Time
		open bool
	}{
		{time.Date(2026, 11, 23, 9, 0, 0, 0, loc), true},    // Monday opening
		{time.Date(2026, 11, 23, 12, 30, 0, 0, loc), false}, // lunch
		{time.Date(2026, 11, 23, 17, 30, 0, 0, loc), false}, // closing time is closed
		{time.Date(2026, 11, 28, 11, 0, 0, 0, loc), false},  // Saturday closed
		{time.Date(2026, 11, 29, 16, 59, 0, 0, loc), true},  // Sunday
	}
	for _, tc := range cases {
		if got := s.Open(tc.at); got != tc.open {
			t.Errorf("Open(%v) = %v, want %v", tc.at, got, tc.open)
		}
	}
	if l := s.Lines(); l[0] != "mon 09:00-12:00,13:00-17:30" || l[5] != "sat closed" {
		t.Errorf("lines: %q", l)
	}
}

// Every kind of bad file gives one located line that says what is allowed.
func TestBadConfigs(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"unknown key", "site: a\nsensros: {}\n",
			`wufang.yaml:2:1: sensros: is not a known key; allowed here: site, device, timezone, data_dir, mqtt, store, http, sensors, kiosk, content`},
		{"nested unknown key", "sensors:\n  door:\n    outr: GPIO17\n",
			`wufang.yaml:3:5: sensors.door.outr: is not a known key; allowed here: outer, inner, beam_active_low, crossing_timeout`},
		{"bad pin", "sensors:\n  door:\n    outer: GPIO99\n",
			`wufang.yaml:3:12: sensors.door.outer: "GPIO99" is not a pin name on this board; use names like GPIO17 (GPIO0 to GPIO27), or "" if it is not fitted`},
		{"pin used twice", "sensors:\n  presence: {pin: GPIO17}\n",
			`wufang.yaml:2:19: sensors.presence.pin: GPIO17 is already used by sensors.door.outer; give each sensor its own pin`},
		{"bad site", "site: Bantian_XinXue\n",
			`wufang.yaml:1:7: site: "Bantian_XinXue" is not a valid id; use 1 to 63 lowercase letters, digits and dashes, starting with a letter or digit (like bantian-xinxue)`},
		{"wildcard device", "device: 'kiosk/#'\n",
			`wufang.yaml:1:9: device: "kiosk/#" is not a valid id; use 1 to 63 lowercase letters, digits and dashes, starting with a letter or digit (like kiosk-fire-1)`},
		{"wrong type bool", "sensors:\n  simulate: yes\n",
			`wufang.yaml:2:13: sensors.simulate: "yes" is not allowed; write true or false`},
		{"wrong type map", "mqtt: tcp://x:1883\n",
			`wufang.yaml:1:7: mqtt: must be a mapping of keys (broker, username, password_file, ca_file, cert_file, key_file, topic_root, keepalive), not "tcp://x:1883"`},
		{"number as text", "site: 123\n",
			`wufang.yaml:1:7: site: must be text; put 123 in quotes if you mean it as text`},
		{"bad duration", "kiosk:\n  idle_timeout: soon\n",
			`wufang.yaml:2:17: kiosk.idle_timeout: "soon" is not a duration; write it like 30s, 5m, 2h or 30d`},
		{"duration out of range", "kiosk:\n  idle_timeout: 1s\n",
			`wufang.yaml:2:17: kiosk.idle_timeout: 1s is out of range; use between 15s and 30m (the default is 60s)`},
		{"bad rotation", "kiosk:\n  rotate: 45\n",
			`wufang.yaml:2:11: kiosk.rotate: 45 is not a rotation; use 0, 90, 180 or 270 (degrees; see Rotation in DEPLOY.md)`},
		{"rotation as text", "kiosk:\n  rotate: left\n",
			`wufang.yaml:2:11: kiosk.rotate: "left" is not a whole number; write it like 80`},
		{"crossing timeout out of range", "sensors:\n  door:\n    crossing_timeout: 2s\n",
			`wufang.yaml:3:23: sensors.door.crossing_timeout: 2s is out of range; use between 5s and 1h (the default is 60s; the stuck-beam fault at stuck_after gives up a crossing too)`},
		{"bad size", "store:\n  max_bytes: lots\n",
			`wufang.yaml:2:14: store.max_bytes: "lots" is not a size; write it like 64MiB, 1GiB or 500000000`},
		{"bad timezone", "timezone: Mars/Olympus\n",
			`wufang.yaml:1:11: timezone: "Mars/Olympus" is not a known time zone; use an IANA name like Asia/Shanghai`},
		{"bad broker scheme", "mqtt:\n  broker: http://hub:1883\n",
			`wufang.yaml:2:11: mqtt.broker: scheme "http" is not supported; use tcp:// or ssl://`},
		{"broker without port", "mqtt:\n  broker: tcp://hub\n",
			`wufang.yaml:2:11: mqtt.broker: "tcp://hub" has no port; add it, like tcp://host:1883 or ssl://host:8883`},
		{"missing password file", "mqtt:\n  password_file: /nonexistent/wufang-pw\n",
			`wufang.yaml:2:18: mqtt.password_file: "/nonexistent/wufang-pw" cannot be read (no such file or directory); check the path and its permissions`},
		{"topic root wildcard", "mqtt:\n  topic_root: wufang/+\n",
			`wufang.yaml:2:15: mqtt.topic_root: "wufang/+" is not allowed; use letters, digits, - and _ in levels separated by /, like wufang/v1 (no + or #)`},
		{"duplicate key", "site: a\nsite: b\n",
			`wufang.yaml:2:1: site: is set twice; keep one`},
		{"unknown button", "sensors:\n  buttons: {e: GPIO4}\n",
			`wufang.yaml:2:16: sensors.buttons.e: is not a button name; use a, b, c, d, ok, back`},
		{"bad hours", "kiosk:\n  opening_hours: {mon-fri: 9-5}\n",
			`wufang.yaml:2:28: kiosk.opening_hours.mon-fri: "9-5" is not opening hours; write them like "09:00-17:30", or closed`},
		{"bad day", "kiosk:\n  opening_hours: {weekdays: '09:00-17:00'}\n",
			`wufang.yaml:2:19: kiosk.opening_hours.weekdays: "weekdays" is not a day or range of days; use mon, tue, wed, thu, fri, sat, sun, a range like mon-fri, or daily`},
		{"bad pin hash", "kiosk:\n  admin_pin_hash: '1234'\n",
			"wufang.yaml:2:19: kiosk.admin_pin_hash: is not a PIN hash; paste the line that `wufang-kiosk hash-pin` printed (it starts with $argon2id$)"},
		{"bad key", "content:\n  trusted_keys: [abc]\n",
			`wufang.yaml:2:18: content.trusted_keys[0]: "abc" is not a public key line (it starts with ed25519:); paste the line that ` + "`wufang-pack keygen`" + ` printed`},
		{"list expected", "content:\n  trusted_keys: abc\n",
			`wufang.yaml:2:17: content.trusted_keys: must be a list (- item per line, or [a, b]), not "abc"`},
		{"from hub without hub_url", "content:\n  from_hub: true\n",
			"wufang.yaml:2:13: content.from_hub: needs content.hub_url, the hub's address (like https://hub.example:9108)"},
		{"hub over plain http", "content:\n  hub_url: http://hub.example:9108\n",
			`wufang.yaml:2:12: content.hub_url: "http://hub.example:9108" is plain http to another machine: packs would travel unprotected; use https:// (http:// is only for a hub on this machine)`},
		{"hub url with a path", "content:\n  hub_url: https://hub.example/packs\n",
			`wufang.yaml:2:12: content.hub_url: "https://hub.example/packs" must be the hub's address only, like https://hub.example:9108`},
		{"from hub without keys", "mqtt:\n  broker: tcp://127.0.0.1:1883\ncontent:\n  from_hub: true\n  hub_url: http://127.0.0.1:9108\n",
			"wufang.yaml:4:13: content.from_hub: needs content.trusted_keys: every offered pack is checked against them, as a USB install is"},
		{"from hub in a room that is always open", "mqtt:\n  broker: tcp://127.0.0.1:1883\ncontent:\n  from_hub: true\n  hub_url: http://127.0.0.1:9108\n  allow_unsigned: true\n",
			"wufang.yaml:4:13: content.from_hub: the room is always open (no kiosk.opening_hours), so a pack from the hub would never be installed: set the opening hours, or content.install_during_hours: true (never during a visit all the same)"},
		{"relative data dir", "data_dir: data\n",
			`wufang.yaml:1:11: data_dir: "data" must be an absolute folder path, like /var/lib/wufang`},
		{"not yaml", "site: [\n",
			`wufang.yaml:1:1: not valid YAML: did not find expected node content`},
		{"not a mapping", "- a\n- b\n",
			`wufang.yaml:1:1: the file must be a mapping of keys to values, like the example in build/wufang.example.yaml`},
		{"alias", "site: &s abc\ndevice: *s\n",
			`wufang.yaml:2:9: device: aliases are not supported in the config; write the value out`},
		{"retention overflowing int64 (read as 24h25m26s before)", "store:\n  retention: 213505d\n",
			`wufang.yaml:2:14: store.retention: "213505d" is not a duration; write it like 30s, 5m, 2h or 30d`},
		{"retention beyond 10 years", "store:\n  retention: 3651d\n",
			`wufang.yaml:2:14: store.retention: 3651d is too long; keep sent events at most 3650d (10 years; the default is 30d)`},
		{"store cap beyond 64GiB", "store:\n  max_bytes: 65GiB\n",
			`wufang.yaml:2:14: store.max_bytes: 65GiB is too large; allow at most 64GiB (the default is 256MiB)`},
		{"password in the broker URL", "mqtt:\n  broker: tcp://alice:S3cret@hub:1883\n",
			`wufang.yaml:2:11: mqtt.broker: must not hold a user name or password; write tcp://host:port, put the user name in mqtt.username and the password in the file named by mqtt.password_file`},
		{"user in the broker URL", "mqtt:\n  broker: ssl://alice@hub:8883\n",
			`wufang.yaml:2:11: mqtt.broker: must not hold a user name or password; write tcp://host:port, put the user name in mqtt.username and the password in the file named by mqtt.password_file`},
		{"status on every interface", "http:\n  listen: 0.0.0.0:9107\n",
			`wufang.yaml:2:11: http.listen: "0.0.0.0:9107" would serve /status and /metrics, which have no password, to the network; use 127.0.0.1:9107, or set http.allow_remote: true if that is what you want`},
		{"status on every interface, no host", "http:\n  listen: ':9107'\n",
			`wufang.yaml:2:11: http.listen: ":9107" would serve /status and /metrics, which have no password, to the network; use 127.0.0.1:9107, or set http.allow_remote: true if that is what you want`},
		{"status on every IPv6 interface", "http:\n  listen: '[::]:9107'\n",
			`wufang.yaml:2:11: http.listen: "[::]:9107" would serve /status and /metrics, which have no password, to the network; use 127.0.0.1:9107, or set http.allow_remote: true if that is what you want`},
		{"half a door", "sensors:\n  door: {outer: GPIO17, inner: ''}\n",
			`wufang.yaml:2:9: sensors.door: a door counter needs both beams; set outer and inner, or neither`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("wufang.yaml", []byte(tc.src))
			if err == nil {
				t.Fatal("accepted a bad config")
			}
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("error is %T, want config.Errors", err)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("got\n  %s\nwant\n  %s", got, tc.want)
			}
		})
	}
}

func TestHTTPListen(t *testing.T) {
	for _, src := range []string{"http: {listen: '127.0.0.1:9107'}", "http: {listen: 'localhost:9107'}", "http: {listen: '[::1]:9107'}",
		"http: {listen: '127.0.0.2:9107'}", "http: {listen: ''}", "http: {listen: '0.0.0.0:9107', allow_remote: true}", "http: {listen: '192.168.1.5:9107', allow_remote: true}"} {
		if _, err := Parse("wufang.yaml", []byte(src)); err != nil {
			t.Errorf("%s: %v", src, err)
		}
	}
	if _, err := Parse("wufang.yaml", []byte("http: {listen: '192.168.1.5:9107'}")); err == nil {
		t.Error("a LAN address accepted without allow_remote")
	}
}

// TestHugeConfig: a 10 MB config took 587 MB of RSS and printed 499,981
// errors. The file size is capped, and so are the errors printed.
func TestHugeConfig(t *testing.T) {
	p := filepath.Join(t.TempDir(), "wufang.yaml")
	os.WriteFile(p, []byte(strings.Repeat("bogus_key: 1\n", 10<<20/13)), 0o600)
	_, err := Load(p)
	if err == nil || !strings.Contains(err.Error(), "over 1024 KiB") || strings.Count(err.Error(), "\n") > 0 {
		t.Fatalf("10 MB config: %v", err)
	}
	var src strings.Builder
	for i := range 500 {
		fmt.Fprintf(&src, "key%d: 1\n", i)
	}
	_, err = Parse("wufang.yaml", []byte(src.String()))
	var es Errors
	if !errors.As(err, &es) || len(es) != 500 {
		t.Fatalf("want 500 problems, got %v", err)
	}
	if lines := strings.Split(err.Error(), "\n"); len(lines) != MaxErrorsShown+1 || lines[MaxErrorsShown] != "… and 480 more" {
		t.Errorf("printed %d lines, last %q", len(lines), lines[len(lines)-1])
	}
}

func TestAllProblemsReported(t *testing.T) {
	_, err := Parse("wufang.yaml", []byte("site: A\ndevice: B\nkiosk: {idle_timeout: 1s}\n"))
	if err == nil || len(err.(Errors)) != 3 {
		t.Fatalf("want 3 problems, got %v", err)
	}
}

func TestDurationAndSizeRoundTrip(t *testing.T) {
	for _, s := range []string{"30d", "1h0m0s", "20ms"} {
		d, err := ParseDuration(s)
		if err != nil || Duration(d).String() != s {
			t.Errorf("%s -> %v %v -> %s", s, d, err, Duration(d))
		}
	}
	for _, s := range []string{"256MiB", "1GiB", "1000"} {
		n, err := ParseSize(s)
		if err != nil || n.String() != s {
			t.Errorf("%s -> %d %v -> %s", s, n, err, n)
		}
	}
	if _, err := ParseSize("99999999999GiB"); err == nil {
		t.Error("overflowing size accepted")
	}
	// Every count of days either fits or is refused: none wraps around.
	for _, s := range []string{"106752d", "213505d", "9223372036854775807d", "99999999999999999999d", "-1d", "2562048h"} {
		if d, err := ParseDuration(s); err == nil {
			t.Errorf("%s accepted as %v", s, d)
		}
	}
	if d, err := ParseDuration("106751d"); err != nil || d != 106751*24*time.Hour {
		t.Errorf("106751d (the largest) -> %v, %v", d, err)
	}
}

func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.yaml")
	seeds = append(seeds, "../../build/wufang.example.yaml")
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("sensors: {door: {outer: GPIO1}}\nkiosk: {opening_hours: {fri-mon: '00:00-24:00'}}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse("f.yaml", b)
		if err == nil && (!wire.ValidID(c.Site) || !wire.ValidID(c.Device) || c.Location == nil) {
			t.Fatalf("accepted invalid config: %+v", c)
		}
	})
}

// TestNextOpen: the closed screen's "opens today at 13:30" over a lunch
// break, after closing, on a closed day and over a closed weekend.
func TestNextOpen(t *testing.T) {
	s, err := ParseSchedule(map[string]string{"mon-fri": "09:00-12:00,13:30-17:30", "sat": "10:00-16:00", "sun": "closed"})
	if err != nil {
		t.Fatal(err)
	}
	loc := time.FixedZone("CST", 8*3600)
	at := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, loc) } // 2026-12-07 is a Monday
	for _, c := range []struct {
		now, want time.Time
	}{
		{at(7, 12, 10), at(7, 13, 30)}, // lunch break
		{at(7, 7, 0), at(7, 9, 0)},     // before opening
		{at(7, 18, 0), at(8, 9, 0)},    // after closing: tomorrow
		{at(12, 17, 0), at(14, 9, 0)},  // Saturday evening: Sunday is closed, Monday
		{at(13, 11, 0), at(14, 9, 0)},  // the closed Sunday
		{at(7, 10, 0), at(7, 10, 0)},   // open now
	} {
		got, ok := s.NextOpen(c.now)
		if !ok || !got.Equal(c.want) {
			t.Errorf("NextOpen(%v) = %v, %v; want %v", c.now, got, ok, c.want)
		}
	}
	closed, _ := ParseSchedule(map[string]string{"daily": "closed"})
	if _, ok := closed.NextOpen(at(7, 10, 0)); ok {
		t.Error("a week without hours has a next opening")
	}
	if _, ok := (Schedule{}).NextOpen(at(7, 10, 0)); ok {
		t.Error("an always-open schedule has a next opening")
	}
}
