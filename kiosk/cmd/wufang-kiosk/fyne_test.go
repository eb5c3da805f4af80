package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

// checkedFyne is the Fyne version the workarounds in fyne.go were checked
// against.
const checkedFyne = "v2.7.1"

// TestFyneVersion fails on a Fyne upgrade: re-check each workaround in
// fyne.go against the new version (its upstream issue, the code it names,
// its test), then update checkedFyne.
func TestFyneVersion(t *testing.T) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		t.Fatal("no build information in the test binary")
	}
	for _, m := range bi.Deps {
		if m.Path == "fyne.io/fyne/v2" {
			if m.Version != checkedFyne {
				t.Errorf("Fyne is %s, the workarounds in fyne.go were checked against %s: re-check them, then update checkedFyne", m.Version, checkedFyne)
			}
			return
		}
	}
	t.Fatal("fyne.io/fyne/v2 is not linked")
}

// TestNoLocaleErrorAtStart runs the built kiosk as a container or a minimal
// install would, with LANG=C.UTF-8 and no other locale variable: Fyne must
// not log "Error parsing user locale" (it did, from its lang package's init,
// before fynelocale).
func TestNoLocaleErrorAtStart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the kiosk; skipped in -short mode")
	}
	bin := buildKiosk(t, t.TempDir())
	cmd := exec.Command(bin, "--version")
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE":
		default:
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "LANG=C.UTF-8")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s --version: %v\n%s", filepath.Base(bin), err, out)
	}
	if strings.Contains(string(out), "locale") {
		t.Errorf("with LANG=C.UTF-8 the kiosk says:\n%s", out)
	}
}
