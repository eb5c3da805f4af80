package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWrongInputs: each mistake on the kiosk's command line gets one
// message and the exit code of the convention (2 usage, 1 failure), not
// the whole usage text after it (cli QA).
func TestWrongInputs(t *testing.T) {
	dir := t.TempDir()
	typo := filepath.Join(dir, "typo.yaml")
	if err := os.WriteFile(typo, []byte("data_dirr: /var/lib/wufang\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const more = "Run wufang-kiosk --help for usage.\n"
	for _, tc := range []struct {
		args           []string
		code           int
		stdout, stderr string
	}{
		{[]string{"--bogus"}, 2, "", "wufang-kiosk: flag provided but not defined: -bogus\n" + more},
		{[]string{"frobnicate"}, 2, "", "wufang-kiosk: unknown command \"frobnicate\"; the commands are hash-pin, render and session, or none to run the kiosk\n" + more},
		{[]string{"hash-pin", "123456"}, 2, "", "wufang-kiosk: hash-pin takes no arguments: it asks for the PIN\n" + more},
		{[]string{"help", "hash-pin"}, 0, "Usage: wufang-kiosk hash-pin\n\nAsks for a new admin PIN twice (not echoed at a terminal; two lines on a pipe)\nand prints its hash for kiosk.admin_pin_hash in the config.\n", ""},
		{[]string{"--config", filepath.Join(dir, "missing.yaml")}, 1, "", "wufang-kiosk: config file " + filepath.Join(dir, "missing.yaml") + " does not exist; check the path\n"},
		{[]string{"--config", dir}, 1, "", "wufang-kiosk: config file " + dir + " is a folder; give the path of the file\n"},
		{[]string{"--config", typo, "--log-level", "loud"}, 2, "", "wufang-kiosk: --log-level \"loud\": use debug, info, warn or error\n" + more},
		{[]string{"--config", typo}, 1, "", "wufang-kiosk: " + typo + ":1:1: data_dirr: is not a known key; allowed here: site, device, timezone, data_dir, mqtt, store, http, sensors, kiosk, content\n"},
	} {
		var o, e bytes.Buffer
		code := run(tc.args, strings.NewReader(""), &o, &e)
		if code != tc.code || o.String() != tc.stdout || e.String() != tc.stderr {
			t.Errorf("%v: exit %d, stdout %q, stderr %q\nwant exit %d, stdout %q, stderr %q", tc.args, code, o.String(), e.String(), tc.code, tc.stdout, tc.stderr)
		}
	}
	var o, e bytes.Buffer
	if code := run([]string{"help"}, strings.NewReader(""), &o, &e); code != 0 || e.Len() != 0 || !strings.HasPrefix(o.String(), "wufang-kiosk — the wufang touchscreen exhibit") {
		t.Errorf("help: exit %d, stdout %q, stderr %q", code, o.String(), e.String())
	}
}
