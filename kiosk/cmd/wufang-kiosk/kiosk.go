package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
	"github.com/go-gl/glfw/v3.3/glfw"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/content/builtin"
	"github.com/wufang-kiosk/wufang/edge/config"
	"github.com/wufang-kiosk/wufang/edge/node"
	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/internal/sdnotify"
	"github.com/wufang-kiosk/wufang/kiosk/adminui"
	"github.com/wufang-kiosk/wufang/kiosk/cmd/wufang-kiosk/fynelocale"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
	ktheme "github.com/wufang-kiosk/wufang/kiosk/theme"
	"github.com/wufang-kiosk/wufang/kiosk/ui"
	"github.com/wufang-kiosk/wufang/sensors"
)

type kioskOptions struct {
	Windowed bool // a window instead of full screen; closing it quits
	DevKeys  bool // keys drive the simulated sensors
	Logger   *slog.Logger
}

// kiosk is one running exhibit.
type kiosk struct {
	cfg  *config.Config
	opts kioskOptions
	log  *slog.Logger

	node     *node.Node
	stopNode context.CancelFunc
	machine  *flow.Machine
	ui       *ui.UI
	admin    *adminui.Admin
	app      fyne.App
	win      fyne.Window
	pump     *idlePump

	// packs is the one installer of this kiosk: admin mode's USB installs
	// and the hub's offers (content.from_hub) go through it, one at a time.
	packs *content.Installer
	// running and ready are for the node's goroutines (the hub's offers):
	// the node once started, and true once the window and its parts are
	// built.
	running atomic.Pointer[node.Node]
	ready   atomic.Bool

	mu       sync.Mutex
	pack     *content.Pack
	packInfo content.Info // zero for the built-in pack
	warning  string       // why the built-in pack shows instead of the installed one

	// missing is what the pack shown at start-up needs from the system's
	// fonts (nil: nothing, and Fyne's system font fallback is off).
	missing []rune

	quitOnce sync.Once

	// notify is systemd's notification socket (a no-op outside systemd);
	// stopNotify ends its watchdog (watchdog.go).
	notify     *sdnotify.Notifier
	stopNotify atomic.Pointer[func()]
}

// start opens the device runtime and the active pack and builds the window;
// run shows it.
func start(ctx context.Context, cfg *config.Config, opts kioskOptions) (*kiosk, error) {
	k := &kiosk{cfg: cfg, opts: opts, log: opts.Logger, notify: sdnotify.FromEnv()}
	shown := make(chan struct{})
	gcBack := pauseGC(ctx, shown)
	k.packs = k.installer()
	fsys, pack, info := k.loadPack()
	k.pack, k.packInfo = pack, info
	// System fonts only for text the bundled faces cannot draw (see
	// fyne.go); their index, which Fyne would build on the main thread at
	// the first text layout, then on another core.
	k.missing = missingGlyphs(fsys, cfg.Site, cfg.Device)
	if len(k.missing) > 0 {
		k.log.Info("the content pack has characters the kiosk's own font lacks: system fonts draw them", "chars", string(k.missing))
		go warmSystemFonts()
	}

	nctx, cancel := context.WithCancel(context.Background())
	n, err := node.Start(nctx, cfg, node.Options{
		Version:   version,
		Logger:    k.log,
		Describe:  k.describe,
		Installer: k.packs,
		Visiting:  k.visiting,
		PackLive:  k.packFromHub,
	})
	if err != nil {
		cancel()
		return nil, err
	}
	k.node, k.stopNode = n, cancel
	k.running.Store(n)

	schedule := cfg.Kiosk.Schedule()
	k.machine = flow.New(pack, flow.Options{
		Recorder:    n.Store,
		IdleTimeout: cfg.Kiosk.IdleTimeout.D(),
		InputGuard:  flow.DefaultInputGuard,
		IsOpen: func(t time.Time) bool {
			return schedule.Open(t.In(cfg.Location))
		},
		VisitorToday: func() int { return int(n.Store.Totals().Today.Sessions) },
		Logger:       k.log,
	})

	k.machine.OnChange(k.logScreen)

	if set := fynelocale.Changed; set != nil {
		k.log.Debug("no locale in the environment: one set for Fyne", "env", set)
	}
	composeOff()
	k.app = app.NewWithID("org.wufang.kiosk")
	// The window is cleared to each screen's background colour instead of
	// drawing it as a window-sized rectangle (ktheme.Backdrop).
	backdrop := new(ktheme.Backdrop)
	k.app.Settings().SetTheme(ktheme.New(ktheme.Options{LargeText: cfg.Kiosk.LargeText, Backdrop: backdrop}))
	if len(k.missing) == 0 {
		noSystemFonts()
	}
	k.win = k.app.NewWindow("wufang 五防")
	// The UI and admin mode wake the idle pump after posting work from
	// other goroutines, so it is drawn at once.
	k.pump = newIdlePump()
	k.ui = ui.New(k.machine, ui.Options{FS: fsys, Hours: schedule.Lines(), Logger: k.log, Buttons: len(cfg.Sensors.Buttons) > 0,
		NextOpen: func(t time.Time) (time.Time, bool) { return schedule.NextOpen(t.In(cfg.Location)) },
		Wake:     k.pump.wake, Backdrop: backdrop.Set, Shown: func() { k.ownSignals(); k.serveNotify(ctx); close(shown) }})
	// Draw the attract pictures and module icons now, on another core
	// while the window and its GL context are created, not while the
	// first frame or the attract loop waits for them.
	win := k.expectedSize()
	go func() {
		k.ui.Warm(ctx, win)
		select {
		case <-shown:
		case <-ctx.Done():
			return
		}
		// Start-up garbage (parsed fonts and SVGs, the first frame's
		// scratch images) took the heap to about twice what it keeps;
		// hand it back now rather than sit at that peak for minutes.
		<-gcBack
		debug.FreeOSMemory()
	}()
	k.ui.Load(k.win)
	k.admin = adminui.New(adminui.Options{
		Window:     k.win,
		Device:     adminDevice{n},
		Packs:      k.packs,
		OnPack:     k.setPack,
		OnRestart:  func() { k.quit(exitRestart) },
		OnExit:     func() { k.quit(0) },
		Site:       cfg.Site,
		DeviceName: cfg.Device,
		AppVersion: version,
		PINHash:    cfg.Kiosk.AdminPINHash,
		DataDir:    cfg.DataDir,
		USBRoot:    cfg.Content.USBRoot,
		Location:   cfg.Location,
		Logger:     k.log,
		Warnings:   k.warnings,
		PassTap:    k.ui.TapAt, // quick taps on the hot zone reach the visitor screen (its Home button)
		Wake:       k.pump.wake,
	})
	layers := []fyne.CanvasObject{k.ui.Content(), k.admin.Corner()}
	if cfg.Kiosk.HideCursor {
		layers = append(layers, newCursorHider())
	}
	k.win.SetContent(container.NewStack(layers...))
	k.lockDown()
	go k.feedSensors()
	k.ready.Store(true) // the hub's offers may go in from now on (k.visiting)
	go func() {
		// The node stops by itself when its store meets a damaged page:
		// exit so that the restart repairs the file (see store.Open).
		<-n.Done()
		if err := n.Wait(); errors.Is(err, node.ErrStoreBroken) {
			k.log.Error("the event store is damaged; restarting to repair it", "err", err)
			k.quit(exitRestart)
		}
	}()
	return k, nil
}

// pauseGC turns the garbage collector off until until is closed or ctx
// ends, and returns a channel closed once it is back: at steadyGCPercent,
// or as it was when $GOGC chose a value, and the memory limit as it was.
// Start-up
// allocates what it mostly drops (parsed fonts and SVGs, scratch images),
// and collecting that while it happens cost about a twentieth of the
// kiosk's start-up CPU, part of it on the main thread (GC assists;
// build/bench/NOTES.md §3c). startupHeapLimit bounds the heap meanwhile
// (the collector runs when it is reached); the caller hands the garbage
// back (debug.FreeOSMemory) after the channel closes.
func pauseGC(ctx context.Context, until <-chan struct{}) <-chan struct{} {
	percent := debug.SetGCPercent(-1)
	if _, set := os.LookupEnv("GOGC"); !set {
		percent = steadyGCPercent
	}
	limit := debug.SetMemoryLimit(startupHeapLimit)
	back := make(chan struct{})
	go func() {
		select {
		case <-until:
		case <-ctx.Done():
		}
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
		close(back)
	}()
	return back
}

// steadyGCPercent is the collector's target after start-up: a collection
// each time the heap has grown by a quarter of what it keeps, not Go's
// default of as much again. The kiosk keeps about 16 MB (fonts and the
// pictures it shows) and allocates little while idle, so this keeps about
// 4 MB less resident at no CPU cost that the bench can see
// (build/bench/NOTES.md §2).
const steadyGCPercent = 25

// startupHeapLimit is the most the heap may grow to before the first
// frame without a collection (the built-in pack's start-up allocates
// about 60 MB).
const startupHeapLimit = 192 << 20

// expectedSize is the size the window will have: the development window's,
// or the primary monitor's in full screen (an upper bound: Fyne may scale
// its units up on a dense screen). A wrong guess only costs drawing the
// first pictures again.
func (k *kiosk) expectedSize() fyne.Size {
	if k.opts.Windowed {
		return windowedSize
	}
	// GLFW is initialised by app.New, and start runs on the main thread.
	if m := glfw.GetPrimaryMonitor(); m != nil {
		if vm := m.GetVideoMode(); vm != nil {
			return fyne.NewSize(float32(vm.Width), float32(vm.Height))
		}
	}
	return fyne.Size{} // Warm waits for the window
}

// windowedSize is the development window's size: the 7" panel's.
var windowedSize = fyne.NewSize(800, 480)

// loadPack returns the installed pack, or the built-in one when none is
// installed or the installed one cannot be loaded (a visitor never sees why;
// staff see it in the log and in admin mode).
func (k *kiosk) loadPack() (fs.FS, *content.Pack, content.Info) {
	fsys, p, info, err := k.packs.Active()
	if err == nil {
		return fsys, p, info
	}
	if !errors.Is(err, content.ErrNoPack) {
		k.log.Error("the installed content pack cannot be used; showing the built-in pack", "err", err)
		k.warning = fmt.Sprintf("The installed content pack cannot be used (%v); the built-in pack is showing. Install the pack again or roll back.", err)
	}
	fsys = builtin.FS()
	p, err = content.Load(fsys)
	if err != nil {
		// The built-in pack is checked by its tests; this cannot happen in a
		// released binary.
		panic(fmt.Sprintf("built-in pack: %v", err))
	}
	return fsys, p, content.Info{ID: p.ID, Version: p.Version, Title: p.Title}
}

func (k *kiosk) installer() *content.Installer {
	in := &content.Installer{
		Dir:           content.DefaultDir(k.cfg.DataDir),
		TrustedKeys:   k.cfg.Content.TrustedKeys,
		AllowUnsigned: k.cfg.Content.AllowUnsigned,
		AppVersion:    version,
	}
	// The store opens after the installer is made: record through the
	// node once it runs.
	in.Recorder = recorderFunc(func(ctx context.Context, e wire.Event) error {
		n := k.running.Load()
		if n == nil {
			return errors.New("the event store is not open yet")
		}
		return n.Store.Record(ctx, e)
	})
	return in
}

type recorderFunc func(ctx context.Context, e wire.Event) error

func (f recorderFunc) Record(ctx context.Context, e wire.Event) error { return f(ctx, e) }

// visiting says whether a pack from the hub must wait: a visit is running
// (any screen but the attract loop or the closed screen), staff are in
// admin mode, or the kiosk is still starting.
func (k *kiosk) visiting() bool {
	if !k.ready.Load() {
		return true
	}
	if k.admin.Active() {
		return true
	}
	switch k.machine.State().Screen {
	case flow.Attract, flow.Closed:
		return false
	}
	return true
}

// packFromHub makes a pack the hub delivered live, on the Fyne goroutine.
func (k *kiosk) packFromHub(content.Info) {
	fsys, p, info, err := k.packs.Active()
	if err != nil {
		k.log.Error("the pack from the hub was installed but cannot be opened; the one showing stays", "err", err)
		return
	}
	fyne.Do(func() { k.setPack(fsys, p, info) })
}

// setPack makes a newly installed or rolled-back pack live: new media
// first, then the visit flow, which ends any visit and shows the new
// attract loop.
func (k *kiosk) setPack(fsys fs.FS, p *content.Pack, info content.Info) {
	k.mu.Lock()
	k.pack, k.packInfo, k.warning = p, info, ""
	k.mu.Unlock()
	k.ui.SetMedia(fsys)
	k.machine.SetPack(p)
	k.log.Info("content pack live", "id", info.ID, "version", info.Version)
	if m := k.needsFontRestart(fsys); len(m) > 0 {
		k.log.Info("the new content pack has characters the kiosk's own font lacks: restarting to load the system fonts", "chars", string(m))
		k.quit(exitRestart)
	}
}

// needsFontRestart returns the characters of the pack in fsys that only
// system fonts can draw when the system font fallback is off in this
// process (it was turned off at start-up and cannot come back): then the
// kiosk must restart for them to show.
func (k *kiosk) needsFontRestart(fsys fs.FS) []rune {
	if len(k.missing) > 0 {
		return nil // the fallback is on
	}
	return missingGlyphs(fsys, k.cfg.Site, k.cfg.Device)
}

// warnings is what staff should know, shown in admin mode: a visitor never
// sees these.
func (k *kiosk) warnings() []string {
	var w []string
	k.mu.Lock()
	if k.warning != "" {
		w = append(w, k.warning)
	}
	k.mu.Unlock()
	if st := k.machine.RecorderStats(); st.Failed > 0 || st.Dropped > 0 {
		w = append(w, fmt.Sprintf("%d visit events could not be saved (%d failed, %d dropped): check the disk and the log. Visits keep working.", st.Failed+st.Dropped, st.Failed, st.Dropped))
	}
	return w
}

func (k *kiosk) describe(s *wire.Status) {
	k.mu.Lock()
	defer k.mu.Unlock()
	s.Pack, s.PackVersion = k.pack.ID, k.pack.Version
}

// lockDown keeps visitors in the app: full screen, close requests ignored
// (only "exit to the desktop" in admin mode quits), the pointer hidden on
// touch-only screens. In a development window closing quits.
func (k *kiosk) lockDown() {
	if k.opts.Windowed {
		k.win.Resize(windowedSize)
		k.win.SetCloseIntercept(func() { k.quit(0) })
	} else {
		// Create the window at the screen's size: Fyne creates it at the
		// size asked for, else at the content's minimum (100×100), and
		// drew a frame there and laid out and drew everything again once
		// full screen took effect (about a tenth of the start-up,
		// build/bench/NOTES.md §3c).
		if s := k.expectedSize(); s.Width > 0 && s.Height > 0 {
			k.win.Resize(s)
		}
		k.win.SetFullScreen(true)
		k.win.SetCloseIntercept(func() {
			if k.admin.Active() {
				k.quit(0)
				return
			}
			k.log.Info("close request ignored (kiosk mode)")
		})
	}
	if dc, ok := k.win.Canvas().(desktop.Canvas); ok {
		dc.SetOnKeyDown(k.key)
	}
}

// key handles the keyboard: in development mode it drives the simulated
// sensors (through the real device code). Escape, Alt+F4 and the like do
// nothing: the window ignores close requests.
func (k *kiosk) key(ev *fyne.KeyEvent) {
	if !k.opts.DevKeys || k.node.Sim == nil {
		return
	}
	sim := k.node.Sim
	ctx := context.Background()
	var act func() error
	switch ev.Name {
	case fyne.KeyP:
		act = func() error { return sim.Wave(ctx) }
	case fyne.KeyE:
		act = func() error { return sim.Enter(ctx) }
	case fyne.KeyX:
		act = func() error { return sim.Exit(ctx) }
	case fyne.KeyA, fyne.KeyB, fyne.KeyC, fyne.KeyD:
		name := strings.ToLower(string(ev.Name))
		act = func() error { return sim.Press(ctx, name) }
	case fyne.KeyReturn, fyne.KeyEnter:
		act = func() error { return sim.Press(ctx, "ok") }
	case fyne.KeyBackspace:
		act = func() error { return sim.Press(ctx, "back") }
	default:
		return
	}
	// The simulator moves pins in real time (a crossing takes a moment); keep
	// the UI goroutine free.
	k.log.Debug("key", "name", ev.Name)
	go func() {
		if err := act(); err != nil {
			k.log.Warn("simulated sensor", "key", ev.Name, "err", err)
		}
	}()
}

// feedSensors turns the room's sensor events into visit inputs: presence
// wakes the kiosk, buttons and pads act on the screen.
func (k *kiosk) feedSensors() {
	for ev := range k.node.Sensors() {
		k.log.Debug("sensor", "sensor", ev.Sensor, "kind", ev.Kind)
		if k.admin.Active() {
			continue // staff testing buttons and beams must not start visits
		}
		if in, ok := sensorInput(ev); ok {
			k.machine.Dispatch(in)
		}
	}
}

func sensorInput(ev sensors.Event) (flow.Input, bool) {
	switch ev.Kind {
	case sensors.PresenceStart:
		return flow.Input{Kind: flow.Wake}, true
	case sensors.PresenceEnd:
		return flow.Input{Kind: flow.PresenceEnd}, true
	case sensors.Press:
		if name, ok := strings.CutPrefix(ev.Sensor, "button."); ok {
			return flow.Input{Kind: flow.Button, Name: name}, true
		}
	case sensors.Touch:
		return flow.Input{Kind: flow.Touch}, true
	}
	return flow.Input{}, false
}

// logScreen logs every change of the visit at debug level: what a person
// (or the end-to-end test) needs to follow a visit from the log.
func (k *kiosk) logScreen(s flow.State) {
	if !k.log.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	attrs := []any{"seq", s.Seq, "screen", s.Screen, "lang", s.Lang, "still_there", s.StillThere}
	if s.Screen == flow.Step {
		attrs = append(attrs, "module", s.Module, "step", s.StepIdx, "type", s.StepType,
			"answered", s.Answered, "cursor", s.Cursor, "branch", s.Branch, "outcome", s.Outcome,
			"found", countTrue(s.Found), "targets", len(s.Found), "misses", s.Misses,
			"picked", len(s.Picked), "intro", s.Intro, "decoy", s.Decoy)
	}
	if s.Screen == flow.Home {
		attrs = append(attrs, "cursor", s.Cursor)
	}
	k.log.Debug("visit", attrs...)
}

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// exitRestart asks the session script or systemd to start the kiosk again
// (EX_TEMPFAIL).
const exitRestart = 75

// cursorHider lies over the whole window on touch-only kiosks: the pointer
// takes its (hidden) cursor, while taps pass through to the screens below.
type cursorHider struct{ widget.BaseWidget }

func newCursorHider() *cursorHider {
	c := &cursorHider{}
	c.ExtendBaseWidget(c)
	return c
}

func (c *cursorHider) Cursor() desktop.Cursor { return desktop.HiddenCursor }

func (c *cursorHider) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewWithoutLayout())
}

// run shows the window until quit ends the process: from admin mode, a
// close request in the development window, or SIGINT/SIGTERM (ctx, until
// ownSignals takes them over).
func (k *kiosk) run(ctx context.Context) int {
	go func() {
		<-ctx.Done()
		k.quit(0)
	}()
	k.app.Lifecycle().SetOnStarted(k.pump.start)
	k.win.ShowAndRun()
	// Only if something other than quit ended Fyne's loop.
	k.quit(0)
	return 0
}
