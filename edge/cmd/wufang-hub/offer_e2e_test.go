package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/content/contenttest"
	"github.com/wufang-kiosk/wufang/edge/hub"
	"github.com/wufang-kiosk/wufang/edge/uplink/brokertest"
)

// TestOffersEndToEnd: a real broker, a real wufang-hub serving its packs
// folder on loopback, and two simulated rooms (wufang-edge processes with
// content.from_hub: true, closed all day so installs may go ahead). The
// hub offers a signed pack to the site: both install it. Then one device
// is offered, one after the other, a file that changed on the hub after
// the offer was made (its size and SHA-256 no longer the offer's), a pack signed by
// a key the hub trusts and the device does not, and an older version: it
// refuses each and keeps its pack, and the hub records every outcome.
func TestOffersEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test in -short mode")
	}
	edgeBin := build(t, "../wufang-edge", "wufang-edge")
	hubBin := build(t, ".", "wufang-hub")
	b := brokertest.Start(t, brokertest.Options{})
	dir := t.TempDir()
	district, other := contenttest.Key(t, "district"), contenttest.Key(t, "other-district")
	packs := filepath.Join(dir, "packs")
	if err := os.MkdirAll(packs, 0o755); err != nil {
		t.Fatal(err)
	}
	put := func(name string, data []byte) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(packs, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	put("builtin-2.1.0.wfpack", contenttest.Wfpack(t, "2.1.0", &district))

	hubAddr := freeAddr(t)
	hubURL := "http://" + hubAddr
	hubCfg := filepath.Join(dir, "hub.yaml")
	hubText := fmt.Sprintf(`data_dir: %s
mqtt:
  broker: %s
  client_id: hub-offers-e2e
  keepalive: 5s
  share_group: ""
http:
  listen: %s
content:
  packs_dir: %s
  trusted_keys: [%q, %q]
  public_url: %s
`, filepath.Join(dir, "hub"), b.URL(), hubAddr, packs, district.Public().Line(), other.Public().Line(), hubURL)
	if err := os.WriteFile(hubCfg, []byte(hubText), 0o600); err != nil {
		t.Fatal(err)
	}
	hubLog := filepath.Join(dir, "hub.log")
	startProc(t, hubLog, hubBin, "--config", hubCfg, "run")
	waitHTTP(t, hubURL+"/healthz")

	const site = "site-a"
	devices := map[string]*device{}
	startDevice := func(d *device) {
		d.p = startProc(t, d.log, edgeBin, "--config", d.cfgPath, "run")
	}
	for _, id := range []string{"kiosk-a", "kiosk-b"} {
		d := &device{site: site, id: id, httpAddr: freeAddr(t)}
		ddir := filepath.Join(dir, id)
		d.cfgPath, d.log = filepath.Join(ddir, "wufang.yaml"), filepath.Join(ddir, "edge.log")
		text := fmt.Sprintf(`site: %s
device: %s
data_dir: %s
mqtt:
  broker: %s
  keepalive: 5s
http:
  listen: %s
sensors:
  simulate: true
kiosk:
  opening_hours: {daily: closed}
content:
  from_hub: true
  hub_url: %s
  trusted_keys: [%q]
`, site, id, filepath.Join(ddir, "data"), b.URL(), d.httpAddr, hubURL, district.Public().Line())
		if err := os.MkdirAll(ddir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(d.cfgPath, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		startDevice(d)
		devices[id] = d
	}
	offer := func(args ...string) {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := Main(append([]string{"--config", hubCfg, "offer", "--site", site}, args...), &out, &errOut); code != 0 {
			t.Fatalf("wufang-hub offer %v: exit %d\n%s%s", args, code, out.String(), errOut.String())
		}
		t.Logf("wufang-hub offer %s: %s", strings.Join(args, " "), strings.TrimSpace(out.String()))
	}
	states := func() map[string]hub.PackState {
		var list []hub.PackState
		if err := getJSON(hubURL+"/api/v1/sites/"+site+"/packs", &list); err != nil {
			return nil
		}
		m := map[string]hub.PackState{}
		for _, s := range list {
			m[s.Device] = s
		}
		return m
	}
	// waitFor waits until the hub says device runs runs and its offer of
	// version has outcome (with reason containing want).
	waitFor := func(device, runs, version, outcome, want string) {
		t.Helper()
		deadline := time.Now().Add(3 * time.Minute)
		for {
			s, ok := states()[device]
			if ok && s.PackVersion == runs && s.Offer != nil && s.Offer.Version == version && s.Offer.Outcome == outcome &&
				strings.Contains(s.Offer.Reason, want) {
				t.Logf("%s runs %s %s; offer of %s: %s %s", device, s.Pack, s.PackVersion, version, outcome, s.Offer.Reason)
				return
			}
			if time.Now().After(deadline) {
				hl, _ := os.ReadFile(hubLog)
				dl, _ := os.ReadFile(devices[device].log)
				t.Fatalf("%s: want runs %s, offer %s %s %q; the hub says %+v (offer %+v)\nhub log:\n%s\ndevice log:\n%s",
					device, runs, version, outcome, want, s, s.Offer, lastLines(string(hl), 30), lastLines(string(dl), 40))
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	// 1. The site gets 2.1.0: both rooms install it.
	offer("builtin-2.1.0.wfpack")
	waitFor("kiosk-a", "2.1.0", "2.1.0", hub.OutcomeInstalled, "")
	waitFor("kiosk-b", "2.1.0", "2.1.0", hub.OutcomeInstalled, "")

	// 2. A file changed on the hub after it was offered: kiosk-b is
	// stopped, offered 2.2.0, the file is replaced by another build, and
	// kiosk-b comes back to the retained offer.
	b2 := devices["kiosk-b"]
	if err := b2.p.term(t); err != nil {
		t.Fatalf("kiosk-b did not stop cleanly: %v", err)
	}
	put("builtin-2.2.0.wfpack", contenttest.Wfpack(t, "2.2.0", &district))
	offer("--device", "kiosk-b", "builtin-2.2.0.wfpack")
	put("builtin-2.2.0.wfpack", contenttest.Wfpack(t, "2.2.0", &district, func(y string) string {
		return strings.Replace(y, "format: wufang-pack/1", "# changed after the offer\nformat: wufang-pack/1", 1)
	}))
	startDevice(b2)
	// The size or, if the size happens to match, the SHA-256 gives it away.
	waitFor("kiosk-b", "2.1.0", "2.2.0", hub.OutcomeRefused, "the file on the hub")

	// 3. Signed by a key the hub trusts and kiosk-b does not.
	put("builtin-2.3.0-other.wfpack", contenttest.Wfpack(t, "2.3.0", &other))
	offer("--device", "kiosk-b", "builtin-2.3.0-other.wfpack")
	waitFor("kiosk-b", "2.1.0", "2.3.0", hub.OutcomeRefused, "unknown signing key")

	// 4. An older version, offered as a plain release: a downgrade.
	put("builtin-2.0.5.wfpack", contenttest.Wfpack(t, "2.0.5", &district))
	offer("--device", "kiosk-b", "builtin-2.0.5.wfpack")
	waitFor("kiosk-b", "2.1.0", "2.0.5", hub.OutcomeRefused, "older than the active")

	// kiosk-a was never touched: it still runs the site's 2.1.0.
	waitFor("kiosk-a", "2.1.0", "2.1.0", hub.OutcomeInstalled, "")

	// Withdrawing kiosk-b's own offer leaves it on the site's offer, which
	// it runs.
	offer("--device", "kiosk-b", "--withdraw")
	waitFor("kiosk-b", "2.1.0", "2.1.0", hub.OutcomeInstalled, "")

	var out, errOut bytes.Buffer
	if code := Main([]string{"--config", hubCfg, "offer", "--list", "--site", site}, &out, &errOut); code != 0 {
		t.Fatalf("offer --list: %d %s", code, errOut.String())
	}
	t.Logf("wufang-hub offer --list:\n%s", out.String())
	if !strings.Contains(out.String(), "kiosk-b") || !strings.Contains(out.String(), "installed") {
		t.Errorf("offer --list does not show the devices:\n%s", out.String())
	}
}
