package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// TestWarmSystemFonts: warmSystemFonts alone builds go-text's system font
// index in the folder Fyne's own call uses ($XDG_CACHE_HOME), so Fyne's
// finds it built; and Fyne measuring text while it runs is race-free (run
// with -race) and gets sizes. fontscan builds its index once a process, so
// each part runs in a fresh one.
func TestWarmSystemFonts(t *testing.T) {
	switch os.Getenv("WUFANG_WARM_FONTS_CHILD") {
	case "warm":
		warmSystemFonts()
		return
	case "race":
		test.NewTempApp(t)
		done := make(chan struct{})
		go func() { warmSystemFonts(); close(done) }()
		// Fyne's first text measurement builds its faces (and asks fontscan
		// for the system fonts) while the warm-up runs.
		size := fyne.MeasureText("五防 wufang", 22, fyne.TextStyle{})
		bold := fyne.MeasureText("五防 wufang", 22, fyne.TextStyle{Bold: true})
		<-done
		if size.Width <= 0 || bold.Width <= 0 {
			t.Fatalf("text measured %v and %v", size, bold)
		}
		return
	}
	fonts, _ := filepath.Glob("/usr/share/fonts/*/*/*.tt[fc]")
	if len(fonts) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("no system fonts under /usr/share/fonts: install fonts-noto-cjk")
		}
		t.Skip("no system fonts under /usr/share/fonts (fonts-noto-cjk)")
	}
	for _, part := range []string{"warm", "race"} {
		cache := t.TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=^TestWarmSystemFonts$", "-test.v")
		cmd.Env = append(os.Environ(), "WUFANG_WARM_FONTS_CHILD="+part, "XDG_CACHE_HOME="+cache)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestWarmSystemFonts") {
			t.Fatalf("%s, in a fresh process: %v\n%s", part, err, out)
		}
		if part == "warm" {
			if index, _ := filepath.Glob(filepath.Join(cache, "font_index_v*.cache")); len(index) == 0 {
				t.Fatalf("no font index in $XDG_CACHE_HOME (%s) after warmSystemFonts: Fyne would build its own", cache)
			}
		}
	}
}

// TestComposeOff: the kiosk empties libX11's Compose table unless the
// environment names one.
func TestComposeOff(t *testing.T) {
	t.Setenv("XCOMPOSEFILE", "")
	os.Unsetenv("XCOMPOSEFILE")
	composeOff()
	if v := os.Getenv("XCOMPOSEFILE"); v != os.DevNull {
		t.Errorf("XCOMPOSEFILE unset: composeOff set %q, want %s", v, os.DevNull)
	}
	t.Setenv("XCOMPOSEFILE", "/etc/wufang/Compose")
	composeOff()
	if v := os.Getenv("XCOMPOSEFILE"); v != "/etc/wufang/Compose" {
		t.Errorf("XCOMPOSEFILE set: composeOff changed it to %q", v)
	}
}

// TestPauseGC: the collector is off until the first frame (or the end of
// the context), then at steadyGCPercent, or back as it was when $GOGC
// chose it; the memory limit back as it was.
func TestPauseGC(t *testing.T) {
	for _, end := range []string{"first frame", "context", "GOGC set"} {
		t.Setenv("GOGC", "73")
		if end != "GOGC set" {
			os.Unsetenv("GOGC")
		}
		ctx, cancel := context.WithCancel(context.Background())
		shown := make(chan struct{})
		wasPercent := debug.SetGCPercent(73)
		wasLimit := debug.SetMemoryLimit(1 << 40)
		back := pauseGC(ctx, shown)
		if p := debug.SetGCPercent(-1); p != -1 {
			t.Errorf("%s: GC percent %d while paused, want -1 (off)", end, p)
		}
		if l := debug.SetMemoryLimit(-1); l != startupHeapLimit {
			t.Errorf("%s: memory limit %d while paused, want %d", end, l, startupHeapLimit)
		}
		select {
		case <-back:
			t.Fatalf("%s: the collector came back before the end", end)
		case <-time.After(20 * time.Millisecond):
		}
		if end == "context" {
			cancel()
		} else {
			close(shown)
		}
		<-back
		want := steadyGCPercent
		if end == "GOGC set" {
			want = 73
		}
		if p := debug.SetGCPercent(wasPercent); p != want {
			t.Errorf("%s: GC percent %d after, want %d", end, p, want)
		}
		if l := debug.SetMemoryLimit(wasLimit); l != 1<<40 {
			t.Errorf("%s: memory limit %d after, want %d as before", end, l, int64(1<<40))
		}
		cancel()
	}
}
