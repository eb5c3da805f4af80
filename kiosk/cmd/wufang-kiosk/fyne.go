// Workarounds for Fyne 2.7.1, kept together so that a Fyne upgrade is one
// file to re-check. Each says what it works around, the upstream issue, and
// the test that fails when an upgrade changes what it relies on;
// TestFyneVersion fails on any upgrade, pointing here.
//
//   - quit: the kiosk exits with os.Exit after stopping the visit and the
//     edge node, never through Fyne's teardown, which can panic ("send on
//     closed channel", exit status 2) in internal/driver/glfw/loop.go's
//     runGL. No upstream issue found for this race in 2.7.1; the nearest
//     are fyne PR #4878 (the lifecycle event queue it comes from) and PR
//     #5699 (exit crashes fixed in 2.6). Test: TestQuitOnSignal.
//   - ownSignals: Fyne's desktop driver catches SIGINT and SIGTERM itself
//     (catchTerm in internal/driver/glfw/driver_desktop.go) and quits through
//     that teardown. No upstream issue found. Test: TestQuitOnSignal.
//   - idlePump: Fyne's loop wakes 60 times a second while nothing changes,
//     fyne issues #2506 and #3295 (#3405 on macOS; PR #5422, a waiting loop,
//     is not in 2.7.1). Tests: TestEndToEnd (taps, keys and posted work get
//     through while the pump waits), TestQuitOnSignal (no GLFW call after
//     Fyne terminated it); the CPU it saves: build/bench-kiosk.sh.
//   - warmSystemFonts: Fyne builds go-text's index of the system's fonts
//     (and validates it by parsing a system face: Noto Sans CJK's 16 MB
//     CFF table where fonts-noto-cjk is installed) on the main thread, at
//     the first text layout (internal/painter/font.go, lookupLangFont →
//     loadMap → loadSystemFonts → fontscan UseSystemFonts("")), about a
//     sixth of the kiosk's start-up CPU (build/bench/NOTES.md §3c). The
//     index is fontscan's package state behind a sync.Once, so building it
//     first on another goroutine leaves Fyne nothing to do (or makes it
//     wait for the rest). No upstream issue found. Test:
//     TestWarmSystemFonts.
//   - noSystemFonts: Fyne adds a system face for the locale to every text
//     style, and falls back to system fonts for characters its faces lack
//     (internal/painter/font.go, lookupFaces). The bundled faces draw
//     everything the built-in pack and the kiosk's own text use, so that
//     costs about 5 MB of heap for nothing (the index, and a face per
//     style: DejaVu Sans, or Noto Sans CJK for a Chinese locale), about
//     a twentieth of the kiosk's memory. Fyne has no switch for it, but it
//     keeps the fallback off for the life of the process when go-text's
//     font scan fails, which it does when os.UserCacheDir does (a relative
//     $XDG_CACHE_HOME). So the kiosk turns it off only while the pack it
//     starts with has no character the bundled faces lack, and restarts
//     to turn it on when a pack that needs it goes live (setPack). Test:
//     TestNoSystemFonts. (Fyne's own Noto Sans fallback for each style
//     is kept out by the theme itself: kiosk/theme/font.go hands Fyne its
//     default resources holding the bundled faces. Test:
//     TestFontsAreFynesFallbacks.)
//   - composeOff: GLFW opens an X input method (glfwInit, XOpenIM), and
//     libX11 parses the locale's Compose table for it (5,700 lines for
//     en_US.UTF-8, read a character at a time, twice): the kiosk has no
//     text entry. XCOMPOSEFILE=/dev/null, unless set, makes that table
//     empty. Test: TestComposeOff.
//   - fynelocale (it must run in a package init, before Fyne's):
//     Fyne logs "Error parsing user locale C" when the environment names no
//     language (C.UTF-8, Debian's default in containers and minimal
//     installs), fyne issue #5271. Tests: TestNoLocaleErrorAtStart, and the
//     package's own.

package main

import (
	"io/fs"
	"os"
	"os/signal"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"github.com/go-gl/glfw/v3.3/glfw"
	"github.com/go-text/typesetting/fontscan"

	ktheme "github.com/wufang-kiosk/wufang/kiosk/theme"
)

// warmSystemFonts builds the system font index Fyne's text layout uses
// for fallback faces, on the calling goroutine, in the same cache folder
// (see the list above). Fyne's own call then finds it built. Call it with
// go at start-up.
func warmSystemFonts() {
	// An error (no fonts, no cache folder) is Fyne's to meet again: it
	// then shows text without system fallback, as without this.
	_ = fontscan.NewFontMap(nopLogger{}).UseSystemFonts("")
}

// noSystemFonts turns Fyne's system font fallback off for the life of the
// process (see the list above). Call it once, on the main thread, after the
// app is made and before any text is measured or drawn, and never together
// with warmSystemFonts (whose scan would then succeed first).
func noSystemFonts() {
	old, had := os.LookupEnv("XDG_CACHE_HOME")
	// Relative, so os.UserCacheDir fails, and with it go-text's one scan
	// of the system fonts for this process; Fyne then keeps no fallback.
	os.Setenv("XDG_CACHE_HOME", "no-system-fonts")
	fyne.MeasureText("五防", 16, fyne.TextStyle{}) // Fyne's font map is made now
	if had {
		os.Setenv("XDG_CACHE_HOME", old)
	} else {
		os.Unsetenv("XDG_CACHE_HOME")
	}
}

// missingGlyphs returns the characters the bundled faces cannot draw in
// the text of the pack in fsys (every .yaml file in it: the manifest and
// the modules, comments included) and in extra (names from the config that
// admin mode shows).
func missingGlyphs(fsys fs.FS, extra ...string) []rune {
	var text strings.Builder
	for _, e := range extra {
		text.WriteString(e)
	}
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".yaml" {
			return nil
		}
		if b, err := fs.ReadFile(fsys, p); err == nil {
			text.Write(b)
		}
		return nil
	})
	return ktheme.Missing(text.String())
}

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}

// composeOff empties libX11's Compose table (see the list above), unless
// the environment chose one. Call it before Fyne's app is created.
func composeOff() {
	if _, set := os.LookupEnv("XCOMPOSEFILE"); !set {
		os.Setenv("XCOMPOSEFILE", os.DevNull)
	}
}

// idlePump keeps Fyne's main loop asleep while nothing happens. Fyne 2.7's
// GLFW loop wakes 60 times a second to poll for events and dirty canvases
// even when the screen is still (fyne issues #2506, #3295): on an attract
// loop that changes a slide every few seconds that is most of the kiosk's
// idle CPU. Each turn of the pump runs on the main thread as a fyne.Do
// function and blocks in glfw.WaitEventsTimeout, which returns at once on
// any input (a touch, a key) or on wake; after input the normal loop runs
// at full rate for active, so taps animate smoothly. Work posted from other
// goroutines calls wake after fyne.Do, or it waits at most max.
// (Measured on the bare-window baseline: idle CPU from about 1% to 0.1–0.4%
// of a core, with unchanged tap-to-frame time; build/bench/NOTES.md.)
type idlePump struct {
	// max is the longest wait, active the full-rate time after input,
	// settle the full-rate time after posted work (a few frames at 60 Hz,
	// also on a loaded board).
	max, active, settle time.Duration
	// mu is held by wake while it posts, and by stop: once Fyne's loop has
	// ended, GLFW is terminated and a GLFW call panics (seen at exit as
	// "NotInitialized" from a turn scheduled just before the quit).
	mu      sync.RWMutex
	stopped atomic.Bool
	woken   atomic.Bool // the last early return was a wake, not input
}

func newIdlePump() *idlePump {
	return &idlePump{max: 30 * time.Second, active: 2 * time.Second, settle: 100 * time.Millisecond}
}

// start runs the pump; call it once Fyne's loop runs (Lifecycle
// SetOnStarted).
func (p *idlePump) start() { fyne.Do(p.turn) }

// stop ends the pump for good. Call it before app.Quit: it ends a wait in
// progress, so the loop sees the quit at once, and no turn or wake touches
// GLFW afterwards (once Fyne's loop has quit, fyne.Do runs functions on
// the caller's goroutine, after GLFW is terminated).
func (p *idlePump) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.stopped.Swap(true) {
		glfw.PostEmptyEvent()
	}
}

func (p *idlePump) turn() {
	if p.stopped.Load() {
		return
	}
	// Work was posted since the last wait (its wake's empty event may have
	// been eaten by one of the loop's own polls, or the work ran just
	// before this turn with no frame between): waiting now would leave the
	// screen showing the old state until the next touch. Let the loop draw
	// it first. (Seen by build/bench-kiosk.sh's taps: the visit's new
	// screen logged, the old one on screen for seconds.)
	if p.woken.Swap(false) {
		glfw.PollEvents() // takes the wake's empty event, if still queued
		p.again(p.settle)
		return
	}
	start := time.Now()
	glfw.WaitEventsTimeout(p.max.Seconds())
	if p.stopped.Load() {
		return
	}
	// Let the loop draw what the wait let in (a change posted with a wake,
	// an attract slide, needs a frame or two); after input, stay at full
	// rate for a while.
	next := p.settle
	if woken := p.woken.Swap(false); !woken && time.Since(start) < p.max-10*time.Millisecond {
		next = p.active
	}
	p.again(next)
}

// again runs the next turn after d of Fyne's normal loop.
func (p *idlePump) again(d time.Duration) { time.AfterFunc(d, func() { fyne.Do(p.turn) }) }

// wake interrupts the pump's wait, so work just posted with fyne.Do runs
// now. GLFW allows it from any goroutine.
func (p *idlePump) wake() {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if !p.stopped.Load() {
		p.woken.Store(true)
		glfw.PostEmptyEvent()
	}
}

// quit ends the kiosk with the exit status code: it stops the visit and the
// edge node (the store closed, the last acks written) and exits the process.
//
// It never hands back to Fyne's own teardown. Fyne 2.7.1's loop, on quit,
// queues its OnStopped event and then closes its function queue, and the
// goroutine that delivers the event can send on the closed queue: "panic:
// send on closed channel", exit status 2, about one stop in forty here
// (TestQuitOnSignal). The window goes with the process.
func (k *kiosk) quit(code int) {
	k.quitOnce.Do(func() {
		k.stopNotifying()
		k.pump.stop()
		k.machine.Close()
		k.stopNode()
		if err := k.node.Wait(); err != nil {
			k.log.Error("stopping the edge hub", "err", err)
		}
		os.Exit(code)
	})
}

// ownSignals makes the kiosk the only one to act on SIGINT and SIGTERM: Fyne
// catches them too (a goroutine started by Run) and would quit through the
// teardown quit avoids. Called once the first screen is on (Fyne's handler
// has long been in place by then); signal.Reset drops every handler, ours
// included, so ours is registered again.
func (k *kiosk) ownSignals() {
	signal.Reset(os.Interrupt, syscall.SIGTERM)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ch
		k.quit(0)
	}()
}
