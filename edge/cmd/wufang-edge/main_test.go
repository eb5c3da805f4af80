package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/config"
	"github.com/wufang-kiosk/wufang/edge/node"
	"github.com/wufang-kiosk/wufang/edge/store"
	"github.com/wufang-kiosk/wufang/edge/uplink/brokertest"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

func runMain(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = Main(args, &o, &e)
	return code, o.String(), e.String()
}

func writeConfig(t *testing.T, extra string) (path, dataDir string) {
	t.Helper()
	dir := t.TempDir()
	dataDir = filepath.Join(dir, "data")
	path = filepath.Join(dir, "wufang.yaml")
	text := fmt.Sprintf("site: test-site\ndevice: door-1\ndata_dir: %s\nhttp:\n  listen: \"\"\nsensors:\n  simulate: true\n%s", dataDir, extra)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, dataDir
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		out  string // in stdout or stderr
	}{
		{[]string{"--version"}, 0, "wufang-edge " + version},
		{[]string{"--help"}, 0, "Commands:"},
		{[]string{"status", "--help"}, 0, "-json"},
		{nil, 2, "no command given"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"status", "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"config"}, 2, "config check"},
		{[]string{"export", "--from", "2026-01-01"}, 2, "needs --from and --to"},
		{[]string{"export", "--from", "2026-13-01", "--to", "2026-01-02"}, 2, "is not a date"},
		{[]string{"--config", "/nonexistent/wufang.yaml", "config", "check"}, 1, "config file /nonexistent/wufang.yaml does not exist"},
	} {
		code, out, errOut := runMain(tc.args...)
		if code != tc.code || !strings.Contains(out+errOut, tc.out) {
			t.Errorf("%v: exit %d, output %q%q; want exit %d and %q", tc.args, code, out, errOut, tc.code, tc.out)
		}
	}
	// Each --help prints its usage once (a command's printed it twice).
	for _, args := range [][]string{{"--help"}, {"run", "--help"}, {"status", "-h"}, {"config", "check", "--help"}, {"watch", "--help"}} {
		_, out, errOut := runMain(args...)
		if n := strings.Count(out+errOut, "Usage:"); n != 1 {
			t.Errorf("%v: usage printed %d times:\n%s%s", args, n, out, errOut)
		}
	}
}

func TestConfigCheck(t *testing.T) {
	path, _ := writeConfig(t, "kiosk:\n  admin_pin_hash: \"$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$abcdefghij\"\n")
	code, out, errOut := runMain("--config", path, "config", "check")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "site: test-site") || !strings.Contains(out, "<redacted>") || strings.Contains(out, "abcdefghij") {
		t.Fatalf("config check output:\n%s", out)
	}
	bad, _ := writeConfig(t, "mqtt:\n  broker: ftp://x:1\n  bogus: 1\n")
	code, _, errOut = runMain("config", "check", "--config", bad)
	if code != 1 || !strings.Contains(errOut, "wufang.yaml:10:3: mqtt.bogus: is not a known key") {
		t.Fatalf("bad config: exit %d, %s", code, errOut)
	}
}

// fillStore records events straight into the store file of the config.
func fillStore(t *testing.T, cfgPath string, events []wire.Event) {
	t.Helper()
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(node.StorePath(cfg), node.StoreOptions(cfg, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if err := s.Record(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestStatusAndExportFromFile(t *testing.T) {
	path, _ := writeConfig(t, "mqtt:\n  broker: tcp://127.0.0.1:1\n")
	code, _, errOut := runMain("--config", path, "status")
	if code != 1 || !strings.Contains(errOut, "no event store") {
		t.Fatalf("status before any run: exit %d %s", code, errOut)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	day := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, loc) }
	yes := true
	fillStore(t, path, []wire.Event{
		{Kind: wire.DoorEntry, Sensor: "door", Time: day(1, 10)},
		{Kind: wire.DoorEntry, Sensor: "door", Time: day(1, 11)},
		{Kind: wire.DoorExit, Sensor: "door", Time: day(1, 12)},
		{Kind: wire.ModuleStart, Module: "fire", Time: day(2, 10)},
		{Kind: wire.ModuleComplete, Module: "fire", Passed: &yes, Time: day(2, 10)},
		{Kind: wire.DoorEntry, Sensor: "door", Time: day(3, 10)},
	})
	code, out, errOut := runMain("--config", path, "status", "--json")
	if code != 0 {
		t.Fatalf("status: %d %s", code, errOut)
	}
	var st node.Status
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	if st.Running || st.Lifetime.Entries != 3 || st.Store.Backlog != 6 || st.Site != "test-site" || !st.Uplink.Enabled {
		t.Fatalf("status: %s", out)
	}
	// The status document is the totals payload plus more: it decodes as
	// one.
	var tot wire.Totals
	if err := json.Unmarshal([]byte(out), &tot); err != nil || tot.Seq != 6 || tot.Lifetime.Exits != 1 {
		t.Fatalf("as totals: %+v %v", tot, err)
	}
	code, out, _ = runMain("--config", path, "status")
	if code != 0 || !strings.Contains(out, "entries 3, exits 1") || !strings.Contains(out, "backlog 6") || !strings.Contains(out, "daemon not running") {
		t.Fatalf("status text:\n%s", out)
	}

	code, out, errOut = runMain("--config", path, "export", "--from", "2026-03-01", "--to", "2026-03-02")
	if code != 0 {
		t.Fatalf("export: %d %s", code, errOut)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"date", "entries", "exits", "after_hours_entries", "after_hours_exits", "sessions", "feedback_1", "feedback_2", "feedback_3", "answers_right", "answers_wrong", "sensor_faults", "fire_started", "fire_completed", "fire_passed"},
		{"2026-03-01", "2", "1", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0"},
		{"2026-03-02", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "1", "1", "1"},
	}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Fatalf("export:\n%s", out)
	}
}

func TestStatusThroughDaemon(t *testing.T) {
	path, _ := writeConfig(t, "")
	// The daemon's endpoint on a free port.
	addr := freeAddr(t)
	b, _ := os.ReadFile(path)
	os.WriteFile(path, bytes.Replace(b, []byte(`listen: ""`), []byte("listen: "+addr), 1), 0o600)
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n, err := node.Start(ctx, cfg, node.Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); n.Wait() }()
	if err := n.Store.Record(ctx, wire.Event{Kind: wire.SessionStart}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runMain("--config", path, "status", "--json")
	if code != 0 {
		t.Fatalf("status: %d %s", code, errOut)
	}
	var st node.Status
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	if !st.Running || st.Lifetime.Sessions != 1 || st.App != "test" {
		t.Fatalf("status through the endpoint: %s", out)
	}
	today := time.Now().In(cfg.Location).Format(wire.DateLayout)
	code, out, _ = runMain("--config", path, "export", "--from", today, "--to", today)
	if code != 0 || !strings.Contains(out, today+",0,0,0,0,1,") {
		t.Fatalf("export through the endpoint: %d\n%s", code, out)
	}
}

func TestWatchOnce(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{Username: "staff", Password: "pw"})
	pwFile := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pwFile, []byte("pw\n"), 0o600)
	// Two devices' retained payloads, as their uplinks leave them.
	for i, dev := range []string{"door-1", "kiosk-fire-1"} {
		topics, _ := wire.NewTopics(wire.DefaultRoot, "bantian", dev)
		tot := wire.Totals{V: 1, Site: "bantian", Device: dev, Epoch: "0123456789abcdef", Seq: uint64(10 * (i + 1)), Date: "2026-11-26", TimeZone: "Asia/Shanghai", Time: time.Now().UTC()}
		tot.Lifetime.Entries, tot.Lifetime.Exits = uint64(100*(i+1)), uint64(90*(i+1))
		tot.Today.Entries, tot.Today.Exits = uint64(5*(i+1)), uint64(4*(i+1))
		st := wire.Status{V: 1, Epoch: "0123456789abcdef", Online: i == 0, App: "0.1.0", Boot: 3, Backlog: uint64(i), Time: time.Now().UTC()}
		publishRetained(t, b, topics.Totals(), tot)
		publishRetained(t, b, topics.Status(), st)
	}
	path, _ := writeConfig(t, "")
	code, out, errOut := runMain("--config", path, "watch", "--once", "--broker", b.URL(), "--site", "bantian", "--username", "staff", "--password-file", pwFile)
	if code != 0 {
		t.Fatalf("watch: %d %s", code, errOut)
	}
	lines := strings.Split(out, "\n")
	t.Logf("watch --once:\n%s", out)
	if len(lines) < 5 {
		t.Fatalf("watch output:\n%s", out)
	}
	for _, want := range []string{"door-1", "kiosk-fire-1", "site total (2 devices, today = 2026-11-26)"} {
		if !strings.Contains(out, want) {
			t.Fatalf("watch output lacks %q:\n%s", want, out)
		}
	}
	total := strings.Fields(lines[4])
	// site total (2 devices) today-in today-out sessions lifetime-in lifetime-out
	if got := strings.Join(total[len(total)-5:], " "); got != "15 12 0 300 270" {
		t.Fatalf("site total row %q, want 15 12 0 300 270:\n%s", got, out)
	}

	code, _, errOut = runMain("--config", path, "watch", "--once", "--broker", b.URL(), "--site", "bantian", "--username", "staff")
	if code != 1 || !strings.Contains(errOut, "not authorised") && !strings.Contains(errOut, "wrong username or password") {
		t.Fatalf("watch without the password: %d %s", code, errOut)
	}
}

func publishRetained(t *testing.T, b *brokertest.Broker, topic string, v any) {
	t.Helper()
	p, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := brokertest.Publish(b, topic, p, true); err != nil {
		t.Fatal(err)
	}
}

// TestWrongInputs: what a hurried installer types, and the one message and
// exit code each gets (cli QA): nothing on stdout, no Go error text
// without the file it is about, no usage dump after a mistake.
func TestWrongInputs(t *testing.T) {
	cfg, _ := writeConfig(t, "")
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.bin")
	if err := os.WriteFile(junk, bytes.Repeat([]byte{0xff, 0x00, 'x'}, 100000), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"--config", cfg, "run", "--sim-script", dir}, 1, "wufang-edge: run --sim-script: the script " + dir + " is a folder; give the path of the file\n"},
		{[]string{"--config", cfg, "run", "--sim-script", junk}, 1, "wufang-edge: run --sim-script: " + junk + " is not a visitor script (read script: bufio.Scanner: token too long); give a script in the sensors/sim format\n"},
		{[]string{"run", "--bogus"}, 2, "wufang-edge: run: flag provided but not defined: -bogus\nRun wufang-edge --help for usage.\n"},
		{[]string{"--config", dir + "/missing.yaml", "config", "check"}, 1, "wufang-edge: config file " + dir + "/missing.yaml does not exist; check the path\n"},
		{[]string{"--config", dir, "config", "check"}, 1, "wufang-edge: config file " + dir + " is a folder; give the path of the file\n"},
		{[]string{"--config", cfg, "run", "--sim-script", dir + "/visit.txt"}, 1, "wufang-edge: run --sim-script: the script " + dir + "/visit.txt does not exist; check the path\n"},
		{[]string{"--config", cfg, "run", "--sim-script", cfg}, 1, "wufang-edge: run --sim-script: " + cfg + " is not a visitor script (script line 1: time \"site:\": want +duration or @duration); give a script in the sensors/sim format\n"},
		{[]string{"--config", cfg, "watch", "--broker", "localhost:1883", "--once"}, 2, "wufang-edge: watch: --broker: \"localhost:1883\" is not a broker address; write tcp://host:1883 or ssl://host:8883, or \"\" to turn the uplink off\nRun wufang-edge --help for usage.\n"},
		{[]string{"--config", cfg, "watch", "--broker", "tcp://u:p@127.0.0.1:1883", "--once"}, 2, "wufang-edge: watch: --broker: must not hold a user name or password; write tcp://host:port, put the user name in mqtt.username and the password in the file named by mqtt.password_file\nRun wufang-edge --help for usage.\n"},
		{[]string{"--config", cfg, "watch", "--broker", "tcp://127.0.0.1:1", "--password-file", dir + "/pw", "--once"}, 1, "wufang-edge: watch: the MQTT password file " + dir + "/pw does not exist; check the path\n"},
		{[]string{"notify-relay", "--", dir + "/no-such-program"}, 1, "wufang-edge: notify-relay: cannot run " + dir + "/no-such-program: it is not an executable program (give its full path, or check PATH)\n"},
		{[]string{"help", "nonsense"}, 2, "wufang-edge: unknown command \"nonsense\"; the commands are run, status, watch, export and config check\nRun wufang-edge --help for usage.\n"},
	} {
		code, out, errOut := runMain(tc.args...)
		if code != tc.code || errOut != tc.stderr || out != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q\nwant exit %d, stderr %q", tc.args, code, errOut, out, tc.code, tc.stderr)
		}
	}
	// help CMD is CMD --help.
	for _, args := range [][]string{{"help", "run"}, {"help", "config"}, {"config", "--help"}} {
		code, out, errOut := runMain(args...)
		if code != 0 || errOut != "" || !strings.HasPrefix(out, "Usage: wufang-edge "+strings.TrimPrefix(strings.Join(args, " "), "help ")) && !strings.HasPrefix(out, "Usage: wufang-edge config check") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
}

// TestRunStoreLocked: a second node on the same data_dir says who holds it.
func TestRunStoreLocked(t *testing.T) {
	cfg, dataDir := writeConfig(t, "")
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(dataDir, "events.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	code, _, errOut := runMain("--config", cfg, "run")
	want := "Another wufang-edge or wufang-kiosk uses this data_dir (" + dataDir + "): stop it first (systemctl stop wufang-edge wufang-kiosk)\n"
	if code != 1 || !strings.HasSuffix(errOut, want) || !strings.Contains(errOut, "locked by another process") {
		t.Errorf("exit %d, stderr %q; want 1 ending %q", code, errOut, want)
	}
}
