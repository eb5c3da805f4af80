package hubconfig

import (
	"crypto/rand"
	"slices"
	"strings"
	"testing"

	"github.com/wufang-kiosk/wufang/internal/phc"
)

func TestCheckListen(t *testing.T) {
	for _, tc := range []struct {
		addr          string
		tls, insecure bool
		ok            bool
	}{
		{"127.0.0.1:8080", false, false, true},
		{"[::1]:8080", false, false, true},
		{"localhost:8080", false, false, true},
		{"0.0.0.0:8080", false, false, false},
		{":8080", false, false, false},
		{"192.168.1.5:8080", false, false, false},
		{"0.0.0.0:8443", true, false, true},
		{"0.0.0.0:8080", false, true, true},
	} {
		if err := CheckListen(tc.addr, tc.tls, tc.insecure); (err == nil) != tc.ok {
			t.Errorf("CheckListen(%q, tls %v, insecure %v) = %v", tc.addr, tc.tls, tc.insecure, err)
		}
	}
}

func TestHTTPKeys(t *testing.T) {
	hash, err := phc.HashWith("a long password", phc.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse("hub.yaml", []byte("http:\n  listen: 0.0.0.0:8443\n  tls_cert: /etc/wufang/hub.crt\n  tls_key: /etc/wufang/hub.key\n  users:\n    wang: '"+hash+"'\n  token_file: /etc/wufang/api-token\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.Users["wang"] != hash || cfg.HTTP.SessionTTL.D().Hours() != 12 {
		t.Errorf("http %+v", cfg.HTTP)
	}
	out, _ := cfg.Redacted()
	if strings.Contains(string(out), hash) {
		t.Error("config check prints the password hash")
	}
	for _, tc := range []struct{ yaml, want string }{
		{"http:\n  listen: 0.0.0.0:9108\n", "hub.yaml:2:11: http.listen: \"0.0.0.0:9108\" is reachable from other machines"},
		{"http:\n  users:\n    wang: hunter2\n", "hub.yaml:3:11: http.users.wang: is not a password hash"},
		{"http:\n  tls_cert: /etc/wufang/hub.crt\n", "http.tls_cert: give both"},
		{"http:\n  users:\n    Wang Li: '" + hash + "'\n", "http.users.Wang Li: \"Wang Li\": name users with lowercase"},
	} {
		_, err := Parse("hub.yaml", []byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v; want %q", tc.yaml, err, tc.want)
		}
	}
	// insecure_http lets a TLS proxy in front do the encryption.
	if _, err := Parse("hub.yaml", []byte("http:\n  listen: 0.0.0.0:9108\n  insecure_http: true\n  users:\n    wang: '"+hash+"'\n")); err != nil {
		t.Errorf("insecure_http: %v", err)
	}
	// Beyond loopback, somebody must log in.
	if _, err := Parse("hub.yaml", []byte("http:\n  listen: 0.0.0.0:9108\n  insecure_http: true\n")); err == nil || !strings.Contains(err.Error(), "names nobody") {
		t.Errorf("no users beyond loopback: %v", err)
	}
}

func TestHTTPRoles(t *testing.T) {
	hash, err := phc.HashWith("a long password", phc.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	users := "http:\n  users:\n    wang: '" + hash + "'\n    li: '" + hash + "'\n"
	cfg, err := Parse("hub.yaml", []byte(users+"  roles:\n    li: [content]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.HTTP.Roles; len(got) != 1 || !slices.Equal(got["li"], []string{"content"}) {
		t.Errorf("roles %v", got)
	}
	for _, tc := range []struct{ yaml, want string }{
		{users + "  roles:\n    zhao: [content]\n", "hub.yaml:6:11: http.roles.zhao: \"zhao\" is not in http.users"},
		{users + "  roles:\n    li: [contents]\n", "http.roles.li: \"contents\" is not a role; the roles are content"},
		{users + "  roles:\n    li: content\n", "http.roles.li"}, // a list, not a word
		{users + "  role:\n    li: [content]\n", "role"},         // strict: an unknown key
	} {
		_, err := Parse("hub.yaml", []byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v; want %q", tc.yaml, err, tc.want)
		}
	}
}
