package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

func runMain(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = Main(args, &o, &e)
	return code, o.String(), e.String()
}

func TestUsage(t *testing.T) {
	if code, out, _ := runMain("--help"); code != 0 || !strings.Contains(out, "wufang-hub [--config PATH] <command>") {
		t.Fatalf("--help: %d %s", code, out)
	}
	if code, out, _ := runMain("--version"); code != 0 || !strings.HasPrefix(out, "wufang-hub ") {
		t.Fatalf("--version: %d %s", code, out)
	}
	if code, _, errOut := runMain("frobnicate"); code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: %d %s", code, errOut)
	}
	if code, _, errOut := runMain("export", "--site", "s"); code != 2 || !strings.Contains(errOut, "--from and --to") {
		t.Fatalf("export without a range: %d %s", code, errOut)
	}
	if code, out, _ := runMain("run", "--help"); code != 0 || !strings.Contains(out, "Usage: wufang-hub run") {
		t.Fatalf("run --help: %d %s", code, out)
	}
}

func TestConfigCheck(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("mqtt:\n  broker: ftp://x\n"), 0o600)
	if code, _, errOut := runMain("--config", bad, "config", "check"); code != 1 || !strings.Contains(errOut, "bad.yaml:2:11: mqtt.broker") {
		t.Fatalf("bad config: %d %s", code, errOut)
	}
	good := filepath.Join(dir, "hub.yaml")
	os.WriteFile(good, []byte(fmt.Sprintf("data_dir: %s\nmqtt:\n  password_file: %s\n", dir, bad)), 0o600)
	code, out, errOut := runMain("--config", good, "config", "check")
	if code != 0 || !strings.Contains(out, "# config OK") || !strings.Contains(out, filepath.Join(dir, "hub.db")) {
		t.Fatalf("good config: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := runMain("--config", filepath.Join(dir, "missing.yaml"), "config", "check"); code != 1 || !strings.Contains(errOut, "missing.yaml") {
		t.Fatalf("missing file: %d %s", code, errOut)
	}
}

func TestExport(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(dir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 4, 0, 0, 0, time.UTC)
	if _, err := d.StoreTotals(ctx, "00000000000000e1", wire.Totals{V: 1, Site: "s", Device: "d", Date: "2026-03-02", TimeZone: "Asia/Shanghai", Time: now}, now); err != nil {
		t.Fatal(err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	var evs []db.Event
	for i, at := range []time.Time{time.Date(2026, 3, 1, 9, 10, 0, 0, sh), time.Date(2026, 3, 1, 9, 40, 0, 0, sh), time.Date(2026, 3, 1, 14, 0, 0, 0, sh)} {
		evs = append(evs, db.Event{Site: "s", Device: "d", Epoch: "00000000000000e1", Event: wire.Event{V: 1, Seq: uint64(i + 1), Time: at.UTC(), Kind: wire.DoorEntry}})
	}
	if _, err := d.StoreEvents(ctx, evs, now); err != nil {
		t.Fatal(err)
	}
	d.Close()
	cfg := filepath.Join(dir, "hub.yaml")
	os.WriteFile(cfg, []byte("data_dir: "+dir+"\n"), 0o600)
	code, out, errOut := runMain("--config", cfg, "export", "--site", "s", "--from", "2026-02-28", "--to", "2026-03-01")
	if code != 0 {
		t.Fatalf("export: %d %s", code, errOut)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("%v %q", err, out)
	}
	if got := strings.Join(rows[1], ","); got != "s,2026-02-28,Asia/Shanghai,0,0,0,0,0,0,0,0,0,false,0,0" {
		t.Errorf("a day without data: %s", got)
	}
	if got := strings.Join(rows[2], ","); got != "s,2026-03-01,Asia/Shanghai,3,0,0,0,0,0,0,0,0,true,0,1" {
		t.Errorf("2026-03-01: %s", got)
	}
	code, out, _ = runMain("--config", cfg, "export", "--site", "s", "--from", "2026-03-01", "--to", "2026-03-01", "--hourly")
	if code != 0 || !strings.Contains(out, "s,2026-03-01,9,Asia/Shanghai,2,") || !strings.Contains(out, "s,2026-03-01,14,Asia/Shanghai,1,") {
		t.Fatalf("hourly: %d\n%s", code, out)
	}
	if code, _, errOut := runMain("--config", cfg, "export", "--site", "nowhere", "--from", "2026-03-01", "--to", "2026-03-01"); code != 1 || !strings.Contains(errOut, "unknown site") {
		t.Fatalf("unknown site: %d %s", code, errOut)
	}
}

// TestWrongInputs: the one message and exit code each mistake gets (cli QA).
func TestWrongInputs(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args           []string
		code           int
		stdout, stderr string
	}{
		{[]string{"run", "--bogus"}, 2, "", "wufang-hub: run: flag provided but not defined: -bogus\nRun wufang-hub --help for usage.\n"},
		{[]string{"offer", "--bogus"}, 2, "", "wufang-hub: offer: flag provided but not defined: -bogus\nRun wufang-hub --help for usage.\n"},
		{[]string{"--config", dir + "/hub.yaml", "config", "check"}, 1, "", "wufang-hub: config file " + dir + "/hub.yaml does not exist; check the path\n"},
		{[]string{"--config", dir, "run"}, 1, "", "wufang-hub: config file " + dir + " is a folder; give the path of the file\n"},
		{[]string{"hash-password", "x"}, 2, "", "wufang-hub: hash-password takes no arguments: it asks for the password\nRun wufang-hub --help for usage.\n"},
		{[]string{"help", "hash-password"}, 0, "Usage: wufang-hub hash-password\n\nAsks for a dashboard password twice (not echoed at a terminal; two lines on a pipe)\nand prints its hash for http.users in the config.\n", ""},
		{[]string{"help", "nonsense"}, 2, "", "wufang-hub: unknown command \"nonsense\"; the commands are run, export, offer, config check and hash-password\nRun wufang-hub --help for usage.\n"},
	} {
		code, out, errOut := runMain(tc.args...)
		if code != tc.code || errOut != tc.stderr || out != tc.stdout {
			t.Errorf("%v: exit %d, stderr %q, stdout %q\nwant exit %d, stderr %q, stdout %q", tc.args, code, errOut, out, tc.code, tc.stderr, tc.stdout)
		}
	}
	for _, args := range [][]string{{"help", "run"}, {"help", "config"}, {"config", "-h"}, {"help", "export"}, {"offer", "-h"}} {
		code, out, errOut := runMain(args...)
		want := "Usage: wufang-hub " + args[0]
		if args[0] == "help" {
			want = "Usage: wufang-hub " + args[1]
		}
		if args[0] == "config" || args[1] == "config" {
			want = "Usage: wufang-hub config check"
		}
		if code != 0 || errOut != "" || !strings.HasPrefix(out, want) || strings.Count(out, "Flags:") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %q", args, code, out, errOut, want)
		}
	}
}

// TestHashPasswordSaysWhyOnce: a refused password is one message, not that
// message and "no hash printed" after it.
func TestHashPasswordSaysWhyOnce(t *testing.T) {
	bin := build(t, ".", "wufang-hub")
	for _, tc := range []struct {
		stdin, stderr string
		code          int
	}{
		{"long enough one\nlong enough two\n", "hash-password: the two passwords differ; nothing was printed, try again\n", 1},
		{"", "hash-password: the password must be given twice (on two lines when not typed at a terminal)\n", 1},
	} {
		cmd := exec.Command(bin, "hash-password")
		cmd.Stdin = strings.NewReader(tc.stdin)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tc.code || e.String() != tc.stderr || o.Len() != 0 || strings.Contains(e.String(), "long enough") {
			t.Errorf("stdin %q: exit %d, stderr %q, stdout %q; want %d, %q", tc.stdin, code, e.String(), o.String(), tc.code, tc.stderr)
		}
	}
	// Piped twice the same: the hash on stdout, the password nowhere.
	cmd := exec.Command(bin, "hash-password")
	cmd.Stdin = strings.NewReader("long enough one\nlong enough one\n")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.Contains(string(out), "long enough") || !strings.Contains(string(out), "$") {
		t.Errorf("good password: %v, %q", err, out)
	}
}
