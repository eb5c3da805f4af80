package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/wufang-kiosk/wufang/edge/config"
	"github.com/wufang-kiosk/wufang/edge/node"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite testdata/configs from the mutation table")

// corpusBase is a working config; @DIR@ stands for a folder the test fills
// (pw: a password, empty: an empty file, adir: a folder, garbage: not PEM)
// and @DATA@ for a fresh data folder. The broker is loopback: the tests
// send nothing anywhere else.
const corpusBase = `site: bantian
device: kiosk-fire-1
timezone: Asia/Shanghai
data_dir: "@DATA@"
mqtt:
  broker: tcp://127.0.0.1:1
  username: kiosk
  password_file: "@DIR@/pw"
  topic_root: wufang/v1
  keepalive: 30s
store:
  max_bytes: 16MiB
  retention: 30d
http:
  listen: 127.0.0.1:0
sensors:
  simulate: true
  door: {outer: GPIO17, inner: GPIO27}
  presence: {pin: GPIO22, hold: 30s}
  buttons: {a: GPIO5, ok: GPIO6}
  debounce: 20ms
  stuck_after: 60s
kiosk:
  idle_timeout: 60s
  opening_hours: {mon-fri: "09:00-17:00"}
`

// corpusMutations: each replaces one line of corpusBase (by its key, as
// written there) with one value; two files also combine mutations at
// random. They are the values that found check and run disagreeing.
var corpusMutations = map[string][]string{
	"  broker:": {"tcp://127.0.0.1:99999", "tcp://127.0.0.1:0", "tcp://127.0.0.1:abc", "tcp://[::1]:1", "tcp://127.0.0.1:1/path", "tcp://127.0.0.1:1?x=y",
		"ssl://127.0.0.1:1", "mqtts://127.0.0.1:1", "tcp://:1883", "tcp://127.0.0.1:-1", "tcp://u@127.0.0.1:1", "''"},
	"  topic_root:":    {"$SYS/x", "a//b", "/a", "a/", "wufang", "wu fang", "''"},
	"  password_file:": {`"@DIR@/empty"`, `"@DIR@/adir"`, `"@DIR@/nope"`, "''"},
	"  username:":      {"''", `"a b"`, strings.Repeat("u", 300)},
	"  keepalive:":     {"5s", "4s", "20m", "21m", "0s"},
	"  listen:":        {"127.0.0.1:99999", "127.0.0.1:-1", "localhost:0", "127.0.0.1:http", "'[::1]:0'", "''", "127.0.0.1", "0.0.0.0:0"},
	"  max_bytes:":     {"1MiB", "1000000", "64GiB", "65GiB", "1048575"},
	"  retention:":     {"1h", "59m", "3650d", "3651d", "213505d"},
	"data_dir:":        {`"@DIR@/adir"`, `"@DIR@/pw"`, `"@DIR@/new/deeper"`, "data"},
	"  door:":          {"{outer: GPIO17, inner: GPIO17}", "{outer: GPIO17}", "{outer: GPIO28, inner: GPIO27}", "{outer: '', inner: ''}", "{outer: GPIO17, inner: GPIO27, crossing_timeout: 0s}", "{outer: GPIO17, inner: GPIO27, crossing_timeout: 1ms}"},
	"  presence:":      {"{pin: GPIO22, hold: 1s}", "{pin: GPIO22, hold: 999ms}", "{pin: '', hold: 30s}", "{pin: GPIO22, hold: 10m, silent_hours: 0}"},
	"  buttons:":       {"{a: GPIO5, e: GPIO6}", "{a: GPIO5, ok: GPIO5}", "{}", "{a: ''}"},
	"  debounce:":      {"1ms", "999us", "1s", "2s", "0s"},
	"  stuck_after:":   {"5s", "4s", "1h", "2h"},
	"  idle_timeout:":  {"15s", "14s", "30m", "31m"},
	"  opening_hours:": {`{mon-fri: "17:00-09:00"}`, `{daily: closed}`, `{mon-fri: "09:00-24:00"}`, `{mon-fri: "09:00-09:00"}`, "{}"},
	"timezone:":        {"UTC", "Local", "''", "Etc/GMT+14", "Mars/Olympus"},
	"site:":            {strings.Repeat("a", 63), strings.Repeat("a", 64), "a-b", "-a"},
	"device:":          {"kiosk:1", "Kiosk"},
}

func mutate(base, key, value string) string {
	var out []string
	for _, line := range strings.Split(base, "\n") {
		if strings.HasPrefix(line, key+" ") {
			line = key + " " + value
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func writeCorpus(t *testing.T, dir string) {
	os.RemoveAll(dir)
	os.MkdirAll(dir, 0o755)
	keys := make([]string, 0, len(corpusMutations))
	for k := range corpusMutations {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	n := 0
	write := func(text string) {
		n++
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%03d.yaml", n)), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(corpusBase)
	for _, k := range keys {
		for _, v := range corpusMutations[k] {
			write(mutate(corpusBase, k, v))
		}
	}
	r := rand.New(rand.NewPCG(13, 9))
	for range 6 { // a few files with several mutations at once
		text := corpusBase
		for range 3 {
			k := keys[r.IntN(len(keys))]
			text = mutate(text, k, corpusMutations[k][r.IntN(len(corpusMutations[k]))])
		}
		write(text)
	}
}

// TestConfigCheckMatchesRun: `config check` passed files that `run`
// refused (five of 84 fuzzed files). For every file of the corpus in
// testdata/configs, check must refuse exactly what run refuses (run: load
// the config, start the node, stop it at once).
func TestConfigCheckMatchesRun(t *testing.T) {
	corpus := filepath.Join("testdata", "configs")
	if *updateCorpus {
		writeCorpus(t, corpus)
	}
	files, _ := filepath.Glob(filepath.Join(corpus, "*.yaml"))
	if len(files) < 50 {
		t.Fatalf("corpus has %d files; make it with go test -run TestConfigCheckMatchesRun -update-corpus", len(files))
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "pw"), []byte("secret\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "empty"), nil, 0o600)
	os.WriteFile(filepath.Join(dir, "garbage"), []byte("not a certificate\n"), 0o600)
	os.Mkdir(filepath.Join(dir, "adir"), 0o700)
	refused := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), "broker: tcp://") && !strings.Contains(string(raw), "127.0.0.1") && !strings.Contains(string(raw), "[::1]") && !strings.Contains(string(raw), "tcp://:") {
			t.Fatalf("%s: a broker that is not loopback", f)
		}
		text := strings.ReplaceAll(string(raw), "@DIR@", dir)
		text = strings.ReplaceAll(text, "@DATA@", filepath.Join(t.TempDir(), "data"))
		p := filepath.Join(t.TempDir(), "wufang.yaml")
		os.WriteFile(p, []byte(text), 0o600)

		code, _, checkOut := runMain("--config", p, "config", "check")
		runErr := func() error {
			cfg, err := config.Load(p)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithCancel(context.Background())
			n, err := node.Start(ctx, cfg, node.Options{})
			cancel()
			if err != nil {
				return err
			}
			return n.Wait()
		}()
		if (code == 0) != (runErr == nil) {
			t.Errorf("%s: config check exit %d (%s), run: %v\n%s", filepath.Base(f), code, strings.TrimSpace(checkOut), runErr, raw)
		}
		if runErr != nil {
			refused++
		}
	}
	t.Logf("%d configs, %d refused by both check and run", len(files), refused)
}
