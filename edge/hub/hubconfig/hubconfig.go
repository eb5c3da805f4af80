// Package hubconfig is wufang-hub's YAML config: the same strict loader
// (internal/strictyaml) and located errors as the device config, with the
// keys named as the device config names them where they mean the same
// (mqtt.*, data_dir, http.listen). Every key has a safe default, so no file
// at all runs a hub on this machine's broker with SQLite in the data
// folder, listening on loopback.
package hubconfig

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/edge/config"
	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/internal/phc"
	"github.com/wufang-kiosk/wufang/internal/strictyaml"
)

// DefaultPath is where the config is read from when --config is not given.
const DefaultPath = "/etc/wufang/hub.yaml"

// Config is the hub's configuration.
type Config struct {
	DataDir  string   `yaml:"data_dir"`
	Database Database `yaml:"database"`
	MQTT     MQTT     `yaml:"mqtt"`
	HTTP     HTTP     `yaml:"http"`
	Alerts   Alerts   `yaml:"alerts"`
	Content  Content  `yaml:"content"`

	// Path is the file the config came from, or "" for built-in defaults.
	Path string `yaml:"-"`
}

// Database says where the hub keeps its data.
type Database struct {
	// URL is "" for SQLite in data_dir (hub.db), or a postgres:// URL for
	// PostgreSQL (several replicas share one database).
	URL string `yaml:"url"`
	// Retention is how long raw events are kept; hourly and daily
	// aggregates are kept for ever.
	Retention config.Duration `yaml:"retention"`
}

// MQTT is the device config's mqtt section plus what only a subscriber
// needs.
type MQTT struct {
	Broker       string          `yaml:"broker"`
	Username     string          `yaml:"username"`
	PasswordFile string          `yaml:"password_file"`
	CAFile       string          `yaml:"ca_file"`
	CertFile     string          `yaml:"cert_file"`
	KeyFile      string          `yaml:"key_file"`
	TopicRoot    string          `yaml:"topic_root"`
	Keepalive    config.Duration `yaml:"keepalive"`
	// ClientID must differ between replicas and stay the same across
	// restarts: the broker keeps the session (queued events) by it.
	// Default wufang-hub-{hostname}.
	ClientID string `yaml:"client_id"`
	// ShareGroup is the shared-subscription group of the event stream
	// ($share/{group}/…); "" subscribes plainly, for a single hub on
	// Mosquitto 2.0, which loses a shared subscription when it restarts
	// (events published before the hub subscribes again are dropped).
	ShareGroup string `yaml:"share_group"`
}

// Device returns the section as the device config's type, for the checks
// both configs share.
func (m MQTT) Device() config.MQTT {
	return config.MQTT{Broker: m.Broker, Username: m.Username, PasswordFile: m.PasswordFile, CAFile: m.CAFile,
		CertFile: m.CertFile, KeyFile: m.KeyFile, TopicRoot: m.TopicRoot, Keepalive: m.Keepalive}
}

// HTTP is the dashboard, the JSON API, /metrics and /healthz.
type HTTP struct {
	Listen string `yaml:"listen"`
	// TLSCert and TLSKey (PEM files) serve HTTPS. Without them the hub
	// listens on loopback only, unless InsecureHTTP says a TLS proxy in
	// front does the encryption.
	TLSCert      string `yaml:"tls_cert"`
	TLSKey       string `yaml:"tls_key"`
	InsecureHTTP bool   `yaml:"insecure_http"`
	// Users maps each staff login of the dashboard to its password hash,
	// the line `wufang-hub hash-password` prints.
	Users map[string]string `yaml:"users"`
	// Roles gives users roles beyond looking at the dashboard: content
	// lets them use the studio (edit packs, publish, offer), as in
	// {wang: [content]}. Every name must be in Users.
	Roles map[string][]string `yaml:"roles"`
	// TokenFile holds a read-only token for the JSON API and /metrics
	// (Authorization: Bearer ...), for scripts and Prometheus.
	TokenFile string `yaml:"token_file"`
	// SessionTTL is how long a dashboard login lasts (default 12h).
	SessionTTL config.Duration `yaml:"session_ttl"`
}

// CheckListen refuses to serve passwords in the clear beyond this machine:
// a listen address that is not loopback needs TLS, or an explicit
// insecure_http (a TLS proxy in front).
func CheckListen(addr string, tls, insecureHTTP bool) error {
	if tls || insecureHTTP || addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not an address: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%q is reachable from other machines but would carry the dashboard's passwords in the clear: set http.tls_cert and http.tls_key, listen on 127.0.0.1, or set http.insecure_http: true if a TLS proxy sits in front", addr)
}

// RoleContent is the studio's role (edit content packs, publish releases,
// offer them to the rooms); Roles are all the roles http.roles may give.
const RoleContent = "content"

var Roles = []string{RoleContent}

// Alerts are the alert thresholds.
type Alerts struct {
	OfflineAfter config.Duration `yaml:"offline_after"`
	// OpeningHours as in the device config's kiosk.opening_hours; sites
	// with other hours are listed in Sites.
	OpeningHours   map[string]string            `yaml:"opening_hours"`
	Sites          map[string]map[string]string `yaml:"sites"`
	ImbalanceShare float64                      `yaml:"imbalance_share"`
	ImbalanceMin   int                          `yaml:"imbalance_min"`
	SessionsShare  float64                      `yaml:"sessions_share"`
}

// Content is where the hub finds the packs whose question texts it shows,
// and the signed releases it serves and offers to the rooms.
type Content struct {
	PacksDir    string   `yaml:"packs_dir"`
	TrustedKeys []string `yaml:"trusted_keys"`
	// PublicURL is the hub's address as the rooms reach it
	// (https://hub.example:9108; http:// only on loopback): offers point at
	// PublicURL/packs/{file}, and each device's content.hub_url must be
	// the same.
	PublicURL string `yaml:"public_url"`
	// OfferTokenFile holds the token that POSTs to /api/v1/sites/{site}/offers
	// need (Authorization: Bearer ...); without it the JSON API cannot
	// change offers (wufang-hub offer still can).
	OfferTokenFile string `yaml:"offer_token_file"`
	// SigningKeyFile, when set, lets the studio sign releases on the hub
	// with this private key (wufang-pack keygen; mode 0600, never in the
	// database). Empty: releases are signed on the signing machine.
	SigningKeyFile string `yaml:"signing_key_file"`
}

// Default returns the configuration used when there is no file.
func Default() *Config {
	return &Config{
		DataDir:  config.DefaultDataDir(),
		Database: Database{Retention: config.Duration(400 * 24 * time.Hour)},
		MQTT: MQTT{Broker: "tcp://127.0.0.1:1883", TopicRoot: wire.DefaultRoot, Keepalive: config.Duration(30 * time.Second),
			ShareGroup: "wufang-hub"},
		HTTP: HTTP{Listen: "127.0.0.1:9108", Users: map[string]string{}, Roles: map[string][]string{}, SessionTTL: config.Duration(12 * time.Hour)},
		Alerts: Alerts{OfflineAfter: config.Duration(15 * time.Minute), OpeningHours: map[string]string{},
			Sites: map[string]map[string]string{}, ImbalanceShare: 0.1, ImbalanceMin: 20, SessionsShare: 0.5},
	}
}

// DatabaseURL is the database to open: Database.URL, or hub.db in DataDir.
func (c *Config) DatabaseURL() string {
	if c.Database.URL != "" {
		return c.Database.URL
	}
	return filepath.Join(c.DataDir, "hub.db")
}

// Password reads the MQTT password from mqtt.password_file ("" without).
func (c *Config) Password() (string, error) { return config.ReadPassword(c.MQTT.PasswordFile) }

// Schedules returns the default opening hours and each listed site's.
func (c *Config) Schedules() (config.Schedule, map[string]config.Schedule) {
	def, _ := config.ParseSchedule(c.Alerts.OpeningHours)
	sites := map[string]config.Schedule{}
	for id, h := range c.Alerts.Sites {
		sites[id], _ = config.ParseSchedule(h)
	}
	return def, sites
}

// Load reads the config at path. When path is DefaultPath and the file does
// not exist, the defaults are returned; any other missing file is an error.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && path == DefaultPath {
			return Default(), nil
		}
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, b)
}

var yamlOptions = strictyaml.Options{
	AllowEmpty: true,
	Scalars: map[reflect.Type]strictyaml.Scalar{
		reflect.TypeFor[config.Duration](): {Want: "a duration like 30s, 15m or 400d", Parse: func(s string) (any, error) {
			d, err := config.ParseDuration(s)
			if err != nil {
				return nil, fmt.Errorf("%q is not a duration; write it like 30s, 15m, 2h or 400d", s)
			}
			return config.Duration(d), nil
		}},
	},
}

// Parse parses and validates a config file's bytes; name is used in
// messages. The errors are config.Errors, each located by line and column.
func Parse(name string, data []byte) (*Config, error) {
	cfg := Default()
	cfg.Path = name
	doc, errs := strictyaml.Decode(data, cfg, yamlOptions)
	var out config.Errors
	for _, e := range errs {
		out = append(out, &config.Error{File: name, Line: e.Line, Column: e.Col, Key: e.Key, Msg: e.Msg})
	}
	if len(out) > 0 {
		return nil, out
	}
	fail := func(key, format string, args ...any) {
		at, _ := doc.Value(key)
		out = append(out, &config.Error{File: name, Line: at.Line, Column: at.Col, Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	validate(cfg, fail)
	if len(out) > 0 {
		slices.SortStableFunc(out, func(a, b *config.Error) int {
			return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
		})
		return nil, out
	}
	return cfg, nil
}

func validate(c *Config, fail func(key, format string, args ...any)) {
	if c.DataDir == "" || !strings.HasPrefix(c.DataDir, "/") {
		fail("data_dir", "%q must be an absolute folder path, like /var/lib/wufang", c.DataDir)
	}
	if u := c.Database.URL; u != "" && !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
		fail("database.url", "%q is not a PostgreSQL URL; write postgres://user@host:5432/wufang, or leave it empty for SQLite in data_dir", u)
	}
	if r := c.Database.Retention.D(); r < 24*time.Hour || r > config.MaxRetention {
		fail("database.retention", "%s is out of range; keep raw events between 1d and 3650d (the default is 400d)", c.Database.Retention)
	}
	if c.MQTT.Broker == "" {
		fail("mqtt.broker", "the hub needs a broker; write tcp://host:1883 or ssl://host:8883")
	}
	dev := c.MQTT.Device()
	config.CheckMQTT(&dev, fail)
	if c.MQTT.ClientID != "" && (len(c.MQTT.ClientID) > 200 || strings.ContainsAny(c.MQTT.ClientID, "+#/ \t\n")) {
		fail("mqtt.client_id", "%q: use letters, digits, '-', '_', '.' and ':' (at most 200)", c.MQTT.ClientID)
	}
	if g := c.MQTT.ShareGroup; strings.ContainsAny(g, "+#/ \t\n") {
		fail("mqtt.share_group", "%q: name the group with letters, digits and dashes (no /, + or #), like wufang-hub; or \"\" for a plain subscription", g)
	}
	if c.HTTP.Listen != "" {
		host, port, err := net.SplitHostPort(c.HTTP.Listen)
		if _, perr := strconv.Atoi(port); err != nil || perr != nil {
			fail("http.listen", "%q is not an address; write host:port like 127.0.0.1:9108, or \"\" to turn the API off", c.HTTP.Listen)
		} else if host != "" && net.ParseIP(host) == nil && host != "localhost" {
			fail("http.listen", "%q must use an IP address or localhost as its host, like 127.0.0.1:9108", c.HTTP.Listen)
		}
	}
	if (c.HTTP.TLSCert == "") != (c.HTTP.TLSKey == "") {
		fail("http.tls_cert", "give both http.tls_cert and http.tls_key (PEM files), or neither")
	}
	for key, path := range map[string]string{"http.tls_cert": c.HTTP.TLSCert, "http.tls_key": c.HTTP.TLSKey, "http.token_file": c.HTTP.TokenFile} {
		if path != "" && !strings.HasPrefix(path, "/") {
			fail(key, "%q must be an absolute file path", path)
		}
	}
	if err := CheckListen(c.HTTP.Listen, c.HTTP.TLSCert != "", c.HTTP.InsecureHTTP); err != nil {
		fail("http.listen", "%v", err)
	}
	if len(c.HTTP.Users) == 0 && CheckListen(c.HTTP.Listen, false, false) != nil {
		fail("http.listen", "%q is reachable from other machines, but http.users names nobody, so anyone could read the dashboard: add a user (wufang-hub hash-password), or listen on 127.0.0.1", c.HTTP.Listen)
	}
	for _, name := range slices.Sorted(maps.Keys(c.HTTP.Users)) {
		if !wire.ValidID(name) {
			fail("http.users."+name, "%q: name users with lowercase letters, digits and '-', like wang or li-na", name)
		}
		if err := phc.Check(c.HTTP.Users[name]); err != nil {
			fail("http.users."+name, "is not a password hash (%v); paste the line that `wufang-hub hash-password` printed", err)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.HTTP.Roles)) {
		if _, ok := c.HTTP.Users[name]; !ok {
			fail("http.roles."+name, "%q is not in http.users; give roles only to users who can log in", name)
		}
		for _, r := range c.HTTP.Roles[name] {
			if !slices.Contains(Roles, r) {
				fail("http.roles."+name, "%q is not a role; the roles are %s", r, strings.Join(Roles, ", "))
			}
		}
	}
	if d := c.HTTP.SessionTTL.D(); d < time.Minute || d > 30*24*time.Hour {
		fail("http.session_ttl", "%s is out of range; use between 1m and 30d (the default is 12h)", c.HTTP.SessionTTL)
	}
	if d := c.Alerts.OfflineAfter.D(); d < time.Minute || d > 7*24*time.Hour {
		fail("alerts.offline_after", "%s is out of range; use between 1m and 7d (the default is 15m)", c.Alerts.OfflineAfter)
	}
	if _, err := config.ParseSchedule(c.Alerts.OpeningHours); err != nil {
		fail("alerts.opening_hours", "%v", err)
	}
	for _, id := range slices.Sorted(func(y func(string) bool) {
		for k := range c.Alerts.Sites {
			if !y(k) {
				return
			}
		}
	}) {
		if !wire.ValidID(id) {
			fail("alerts.sites."+id, "%q is not a site id", id)
		}
		if _, err := config.ParseSchedule(c.Alerts.Sites[id]); err != nil {
			fail("alerts.sites."+id, "%v", err)
		}
	}
	for key, v := range map[string]float64{"alerts.imbalance_share": c.Alerts.ImbalanceShare, "alerts.sessions_share": c.Alerts.SessionsShare} {
		if v <= 0 || v >= 1 {
			fail(key, "%v is out of range; use a share between 0 and 1, like 0.1", v)
		}
	}
	if c.Alerts.ImbalanceMin < 1 {
		fail("alerts.imbalance_min", "%d: use at least 1 (the default is 20)", c.Alerts.ImbalanceMin)
	}
	if c.Content.PacksDir != "" && !strings.HasPrefix(c.Content.PacksDir, "/") {
		fail("content.packs_dir", "%q must be an absolute folder path", c.Content.PacksDir)
	}
	for i, k := range c.Content.TrustedKeys {
		if _, err := content.ParsePublicKey(k); err != nil {
			fail(fmt.Sprintf("content.trusted_keys[%d]", i), "%v; paste the line that `wufang-pack keygen` printed", err)
		}
	}
	if c.Content.PublicURL != "" {
		if err := config.CheckHubURL(c.Content.PublicURL); err != nil {
			fail("content.public_url", "%v", err)
		}
	}
	if c.Content.SigningKeyFile != "" && !strings.HasPrefix(c.Content.SigningKeyFile, "/") {
		fail("content.signing_key_file", "%q must be an absolute file path", c.Content.SigningKeyFile)
	}
	if c.Content.OfferTokenFile != "" && !strings.HasPrefix(c.Content.OfferTokenFile, "/") {
		fail("content.offer_token_file", "%q must be an absolute file path", c.Content.OfferTokenFile)
	}
}

// Redacted returns the effective config as YAML with the password file's
// path kept (the password itself is never in Config) and the database URL's
// password hidden.
func (c *Config) Redacted() ([]byte, error) {
	cp := *c
	if u := cp.Database.URL; u != "" {
		if i := strings.Index(u, "://"); i >= 0 {
			if j := strings.Index(u[i+3:], "@"); j >= 0 {
				cred := u[i+3 : i+3+j]
				if k := strings.Index(cred, ":"); k >= 0 {
					cp.Database.URL = u[:i+3] + cred[:k] + ":REDACTED" + u[i+3+j:]
				}
			}
		}
	}
	if len(cp.HTTP.Users) > 0 {
		cp.HTTP.Users = map[string]string{}
		for name := range c.HTTP.Users {
			cp.HTTP.Users[name] = "REDACTED"
		}
	}
	return yaml.Marshal(&cp)
}
