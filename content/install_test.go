package content

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/internal/clock/clocktest"
)

// writePack writes the good pack with the given version (and optional
// change) as a .wfpack under dir.
func writePack(t *testing.T, dir, id, version string, change ...func(string) string) string {
	t.Helper()
	m := goodFS(t)
	replace(t, m, "pack.yaml", "id: my-pack", "id: "+id)
	replace(t, m, "pack.yaml", "version: 0.1.0 ", "version: "+version+" ")
	for _, c := range change {
		m["pack.yaml"].Data = []byte(c(string(m["pack.yaml"].Data)))
	}
	name := filepath.Join(dir, fmt.Sprintf("%s-%s.wfpack", id, version))
	if err := os.WriteFile(name, makeZip(t, packEntries(t, m)), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

func newInstaller(t *testing.T) (*Installer, string, *eventLog) {
	root := t.TempDir()
	log := &eventLog{}
	now := time.Date(2026, 5, 12, 9, 0, 0, 0, time.UTC)
	return &Installer{Dir: filepath.Join(root, "content"), AllowUnsigned: true, AppVersion: "1.0.0", Recorder: log,
		Clock: clocktest.NewFake(now)}, root, log
}

func activeVersion(t *testing.T, in *Installer) string {
	t.Helper()
	fsys, p, info, err := in.Active()
	if err != nil {
		t.Fatalf("active: %v", err)
	}
	if probs := Validate(p, fsys); len(probs) != 0 {
		t.Fatalf("active pack does not validate: %v", probs)
	}
	if p.Version != info.Version {
		t.Fatalf("slot holds %s, state says %s", p.Version, info.Version)
	}
	return info.Version
}

func TestInstallAndRollback(t *testing.T) {
	ctx := context.Background()
	in, root, log := newInstaller(t)
	if _, _, _, err := in.Active(); !errors.Is(err, ErrNoPack) {
		t.Fatalf("empty: %v", err)
	}
	if _, err := in.Previous(); !errors.Is(err, ErrNoPrevious) {
		t.Fatalf("empty previous: %v", err)
	}
	if _, err := in.Rollback(ctx); !errors.Is(err, ErrNoPrevious) {
		t.Fatalf("rollback with nothing: %v", err)
	}
	v1 := writePack(t, root, "my-pack", "1.0.0")
	v2 := writePack(t, root, "my-pack", "1.1.0")
	res, err := in.Install(ctx, v1, InstallOptions{})
	if err != nil || res.Previous != nil || res.Installed.Version != "1.0.0" || res.Installed.Title["en"] != "My safety pack" {
		t.Fatalf("install v1: %+v %v", res, err)
	}
	if res, err = in.Install(ctx, v2, InstallOptions{}); err != nil || res.Previous == nil || res.Previous.Version != "1.0.0" {
		t.Fatalf("install v2: %+v %v", res, err)
	}
	if v := activeVersion(t, in); v != "1.1.0" {
		t.Fatalf("active %s", v)
	}
	// Lower version: refused, unless asked.
	_, err = in.Install(ctx, v1, InstallOptions{})
	if !errors.Is(err, ErrDowngrade) || !strings.Contains(err.Error(), "my-pack 1.0.0 is older than the active 1.1.0") {
		t.Fatalf("downgrade: %v", err)
	}
	// Rollback swaps, twice returns.
	if info, err := in.Rollback(ctx); err != nil || info.Version != "1.0.0" {
		t.Fatalf("rollback: %+v %v", info, err)
	}
	if v := activeVersion(t, in); v != "1.0.0" {
		t.Fatalf("after rollback: %s", v)
	}
	if p, _ := in.Previous(); p.Version != "1.1.0" {
		t.Fatalf("previous after rollback: %+v", p)
	}
	in.Rollback(ctx)
	if v := activeVersion(t, in); v != "1.1.0" {
		t.Fatalf("after second rollback: %s", v)
	}
	if _, err := in.Install(ctx, v1, InstallOptions{AllowDowngrade: true}); err != nil {
		t.Fatalf("downgrade allowed: %v", err)
	}
	// Another pack id is not a downgrade.
	other := writePack(t, root, "other-pack", "0.0.1")
	if _, err := in.Install(ctx, other, InstallOptions{}); err != nil {
		t.Fatalf("other pack: %v", err)
	}
	// Only two slots are kept.
	entries, _ := os.ReadDir(filepath.Join(in.Dir, packsDir))
	if len(entries) != 2 {
		t.Errorf("%d slots kept; want 2", len(entries))
	}
	want := []string{
		"pack.installed my-pack 1.0.0 ", "pack.installed my-pack 1.1.0 ",
		"pack.rejected my-pack 1.0.0 install pack: lower version: my-pack 1.0.0 is older than the active 1.1.0; to go back to it on purpose, roll back, or install it again allowing a downgrade (wufang-pack install --allow-downgrade)",
		"pack.installed my-pack 1.0.0 rollback", "pack.installed my-pack 1.1.0 rollback",
		"pack.installed my-pack 1.0.0 ", "pack.installed other-pack 0.0.1 ",
	}
	if !slices.Equal(log.events, want) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(log.events, "\n"), strings.Join(want, "\n"))
	}
}

// TestUseBuiltin: back to the built-in pack keeps the installed pack as the
// rollback target; a rollback brings it back, and an install after it is no
// downgrade check against a pack that no longer shows.
func TestUseBuiltin(t *testing.T) {
	ctx := context.Background()
	in, root, log := newInstaller(t)
	if _, err := in.UseBuiltin(ctx, "builtin", "2.0.0"); !errors.Is(err, ErrNoPack) {
		t.Fatalf("nothing installed: %v", err)
	}
	v1 := writePack(t, root, "my-pack", "1.0.0")
	v2 := writePack(t, root, "my-pack", "1.1.0")
	for _, p := range []string{v1, v2} {
		if _, err := in.Install(ctx, p, InstallOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	was, err := in.UseBuiltin(ctx, "builtin", "2.0.0")
	if err != nil || was.Version != "1.1.0" {
		t.Fatalf("use builtin: %+v %v", was, err)
	}
	if _, _, _, err := in.Active(); !errors.Is(err, ErrNoPack) {
		t.Fatalf("active after builtin: %v", err)
	}
	if p, err := in.Previous(); err != nil || p.Version != "1.1.0" {
		t.Fatalf("previous after builtin: %+v %v", p, err)
	}
	if _, err := in.UseBuiltin(ctx, "builtin", "2.0.0"); !errors.Is(err, ErrNoPack) {
		t.Fatalf("twice: %v", err)
	}
	// A new installer on the same folder (a restart) still shows the built-in pack.
	again := &Installer{Dir: in.Dir, AllowUnsigned: true, AppVersion: "1.0.0"}
	if _, _, _, err := again.Active(); !errors.Is(err, ErrNoPack) {
		t.Fatalf("after a restart: %v", err)
	}
	if info, err := in.Rollback(ctx); err != nil || info.Version != "1.1.0" {
		t.Fatalf("rollback from builtin: %+v %v", info, err)
	}
	if v := activeVersion(t, in); v != "1.1.0" {
		t.Fatalf("after rollback: %s", v)
	}
	if _, err := in.Previous(); !errors.Is(err, ErrNoPrevious) {
		t.Fatalf("previous after rollback from builtin: %v", err)
	}
	// The built-in pack shows again: an older version of my-pack installs.
	if _, err := in.UseBuiltin(ctx, "builtin", "2.0.0"); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Install(ctx, v1, InstallOptions{}); err != nil {
		t.Fatalf("install after builtin: %v", err)
	}
	want := []string{
		"pack.installed my-pack 1.0.0 ", "pack.installed my-pack 1.1.0 ",
		"pack.installed builtin 2.0.0 builtin", "pack.installed my-pack 1.1.0 rollback",
		"pack.installed builtin 2.0.0 builtin", "pack.installed my-pack 1.0.0 ",
	}
	if !slices.Equal(log.events, want) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(log.events, "\n"), strings.Join(want, "\n"))
	}
}

func TestInstallMinAppVersion(t *testing.T) {
	in, root, _ := newInstaller(t)
	p := writePack(t, root, "my-pack", "1.0.0", func(s string) string {
		return strings.Replace(s, "min_app_version: 0.1.0", "min_app_version: 2.1.0", 1)
	})
	_, err := in.Install(context.Background(), p, InstallOptions{})
	if !errors.Is(err, ErrAppTooOld) || !strings.Contains(err.Error(), "pack my-pack 1.0.0 needs wufang 2.1.0 or later, and this device runs 1.0.0") {
		t.Fatalf("min_app_version: %v", err)
	}
	in.AppVersion = "2.1.0"
	if _, err := in.Install(context.Background(), p, InstallOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestCheckAppVersion(t *testing.T) {
	for _, c := range []struct {
		min, app string
		ok       bool
	}{
		{"", "1.0.0", true}, {"1.0.0", "1.0.0", true}, {"1.0.0", "0.9.9", false}, {"1.2.0", "1.10.0", true},
		{"1.0.0", "dev", false}, {"1.0.0", "", false}, {"", "dev", true}, {"1.0", "1.0.0", false}, {"1.0.0", "1.0", false},
		{"0.1.0", "0.1.0+dev", true}, {"0.1.0", "0.1.0+12.g1a2b3c4", true}, {"0.1.0", "0.1.0-dev", false}, {"01.0.0", "1.0.0", false}, {"1.0.0", "1.0.0-rc.1", false}, {"1.0.0-rc.1", "1.0.0-rc.2", true},
		{"1.0.0-rc.10", "1.0.0-rc.9", false}, {"1.0.0-alpha", "1.0.0-1", false}, {"v1.0.0", "1.0.0+build.5", true}, {"1.0.0+../../x", "2.0.0", false},
	} {
		err := CheckAppVersion(&Pack{ID: "p", Version: "1.0.0", MinAppVersion: c.min}, c.app)
		if (err == nil) != c.ok {
			t.Errorf("min %q app %q: %v", c.min, c.app, err)
		}
	}
}

// TestInstallCrashAtEveryStep stops an install at each step, as a crash
// would (no cleanup), then starts a fresh installer, as a restarted process
// would: the active pack must load and validate, be the old one unless the
// crash came after the pointer swap, and the next install must succeed and
// clear the leftovers.
func TestInstallCrashAtEveryStep(t *testing.T) {
	steps := []string{"staging", "extract", "verify", "validate", "sync", "rename", "write-state", "swap-state", "sync-state", "cleanup"}
	for i, step := range steps {
		t.Run(step, func(t *testing.T) {
			ctx := context.Background()
			in, root, log := newInstaller(t)
			v1 := writePack(t, root, "my-pack", "1.0.0")
			v2 := writePack(t, root, "my-pack", "2.0.0")
			v3 := writePack(t, root, "my-pack", "3.0.0")
			if _, err := in.Install(ctx, v1, InstallOptions{}); err != nil {
				t.Fatal(err)
			}
			var hit []string
			in.fault = func(s string) error {
				hit = append(hit, s)
				if s == step {
					return errors.New("power cut")
				}
				return nil
			}
			_, err := in.Install(ctx, v2, InstallOptions{})
			if err == nil || !strings.Contains(err.Error(), "power cut") {
				t.Fatalf("install with a crash at %s: %v", step, err)
			}
			if !slices.Equal(hit, steps[:i+1]) {
				t.Fatalf("steps run: %v; want %v", hit, steps[:i+1])
			}
			if len(log.events) != 1 {
				t.Errorf("a crash recorded events: %q", log.events)
			}

			restarted := &Installer{Dir: in.Dir, AllowUnsigned: true, AppVersion: "1.0.0"}
			want := "1.0.0"
			if i >= slices.Index(steps, "sync-state") {
				want = "2.0.0" // the pointer was swapped before the crash
			}
			if v := activeVersion(t, restarted); v != want {
				t.Fatalf("active after crash at %s: %s; want %s", step, v, want)
			}
			if _, err := restarted.Install(ctx, v3, InstallOptions{}); err != nil {
				t.Fatalf("install after the crash: %v", err)
			}
			if v := activeVersion(t, restarted); v != "3.0.0" {
				t.Fatalf("active: %s", v)
			}
			prev, err := restarted.Previous()
			if err != nil || prev.Version != want {
				t.Fatalf("previous: %+v %v; want %s", prev, err, want)
			}
			entries, _ := os.ReadDir(filepath.Join(in.Dir, packsDir))
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if len(names) != 2 {
				t.Errorf("leftovers not cleared: %v", names)
			}
			if m, _ := filepath.Glob(filepath.Join(in.Dir, stateName+".tmp*")); len(m) > 0 {
				t.Errorf("stray %s.tmp after a good install", stateName)
			}
		})
	}
}

// TestRollbackCrash: a crash during rollback leaves either pack active,
// whole.
func TestRollbackCrash(t *testing.T) {
	for _, step := range []string{"rollback", "write-state", "swap-state", "sync-state"} {
		t.Run(step, func(t *testing.T) {
			ctx := context.Background()
			in, root, _ := newInstaller(t)
			in.Install(ctx, writePack(t, root, "my-pack", "1.0.0"), InstallOptions{})
			in.Install(ctx, writePack(t, root, "my-pack", "2.0.0"), InstallOptions{})
			in.fault = func(s string) error {
				if s == step {
					return errors.New("power cut")
				}
				return nil
			}
			if _, err := in.Rollback(ctx); err == nil {
				t.Fatal("no error")
			}
			in.fault = nil
			v := activeVersion(t, in)
			want := "2.0.0"
			if step == "sync-state" {
				want = "1.0.0"
			}
			if v != want {
				t.Errorf("active %s; want %s", v, want)
			}
		})
	}
}

func TestActiveBrokenSlot(t *testing.T) {
	ctx := context.Background()
	in, root, _ := newInstaller(t)
	in.Install(ctx, writePack(t, root, "my-pack", "1.0.0"), InstallOptions{})
	_, _, info, _ := in.Active()
	os.Remove(filepath.Join(in.Dir, packsDir, info.Slot, "pack.yaml"))
	if _, _, _, err := in.Active(); err == nil || !strings.Contains(err.Error(), "pack.yaml: error: the file is missing") {
		t.Errorf("broken slot: %v", err)
	}
	os.WriteFile(filepath.Join(in.Dir, stateName), []byte(`{"v":1,"active":{"slot":"../../etc"}}`), 0o644)
	if _, _, _, err := in.Active(); err == nil || !strings.Contains(err.Error(), "is not a slot name") {
		t.Errorf("slot escaping: %v", err)
	}
}

// An install from a hub's offer refuses a file that holds another pack or
// version than the offer named, and leaves the active pack alone.
func TestInstallExpectOffered(t *testing.T) {
	ctx := context.Background()
	in, root, log := newInstaller(t)
	if _, err := in.Install(ctx, writePack(t, root, "my-pack", "1.0.0"), InstallOptions{}); err != nil {
		t.Fatal(err)
	}
	newer := writePack(t, root, "my-pack", "1.1.0")
	for _, want := range [][2]string{{"my-pack", "1.2.0"}, {"other-pack", "1.1.0"}} {
		_, err := in.Install(ctx, newer, InstallOptions{ExpectID: want[0], ExpectVersion: want[1]})
		if !errors.Is(err, ErrNotOffered) {
			t.Errorf("offer %v: Install = %v, want ErrNotOffered", want, err)
		}
		if v := activeVersion(t, in); v != "1.0.0" {
			t.Errorf("active %s after a refused offer", v)
		}
	}
	// Refused before the pack could be read: recorded under the offer's name.
	junk := filepath.Join(root, "junk.wfpack")
	if err := os.WriteFile(junk, []byte("not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Install(ctx, junk, InstallOptions{ExpectID: "my-pack", ExpectVersion: "1.1.0"}); !errors.Is(err, ErrNotPack) {
		t.Errorf("junk: %v", err)
	}
	if last := log.events[len(log.events)-1]; !strings.HasPrefix(last, "pack.rejected my-pack 1.1.0 ") {
		t.Errorf("last event %q, want a rejection of my-pack 1.1.0", last)
	}
	if _, err := in.Install(ctx, newer, InstallOptions{ExpectID: "my-pack", ExpectVersion: "1.1.0"}); err != nil {
		t.Fatal(err)
	}
	if v := activeVersion(t, in); v != "1.1.0" {
		t.Errorf("active %s, want the offered 1.1.0", v)
	}
}
