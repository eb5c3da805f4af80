package adminui

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"image/color"
	iofs "io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/kiosk/admin"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
	"github.com/wufang-kiosk/wufang/kiosk/flow/flowtest"
	ktheme "github.com/wufang-kiosk/wufang/kiosk/theme"
	"github.com/wufang-kiosk/wufang/sensors"
)

const testPIN = "2468"

// cheap hashing keeps the tests fast; Verify reads the parameters from the
// hash itself.
var cheap = admin.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

var t0 = time.Date(2026, 5, 12, 10, 0, 0, 0, time.UTC)

type fakeDevice struct {
	mu    sync.Mutex
	st    Status
	ch    chan sensors.Event
	panic bool
}

func (d *fakeDevice) Status() Status {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.panic {
		panic("status exploded")
	}
	return d.st
}

func (d *fakeDevice) Sensors() <-chan sensors.Event { return d.ch }

// rig is an admin mode over a visitor screen in a test window. Work the
// admin posts to the Fyne goroutine is queued and run on the test's
// goroutine by drain and waitFor, so every widget is touched by one
// goroutine.
type rig struct {
	t       *testing.T
	a       *Admin
	w       fyne.Window
	clock   *flowtest.Clock
	q       chan func()
	dev     *fakeDevice
	in      *content.Installer
	visitor fyne.CanvasObject
	dataDir string
	usb     string
	logs    *bytes.Buffer

	mu       sync.Mutex
	live     []content.Info // OnPack calls
	restarts int
	passed   []fyne.Position
	exits    int
}

type rigOpts struct {
	pinHash string
	dataDir string
	clock   *flowtest.Clock
	key     *content.PrivateKey // trusted by the installer
}

func newRig(t *testing.T, o rigOpts) *rig {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(ktheme.New(ktheme.Options{}))
	r := &rig{t: t, clock: o.clock, q: make(chan func(), 4096), dataDir: o.dataDir, logs: &bytes.Buffer{}}
	if r.clock == nil {
		r.clock = flowtest.NewClock(t0)
	}
	if r.dataDir == "" {
		r.dataDir = t.TempDir()
	}
	r.usb = filepath.Join(r.dataDir, "media")
	if err := os.MkdirAll(r.usb, 0o755); err != nil {
		t.Fatal(err)
	}
	r.dev = &fakeDevice{ch: make(chan sensors.Event, 16), st: sampleStatus()}
	t.Cleanup(func() { close(r.dev.ch) })
	r.in = &content.Installer{Dir: content.DefaultDir(r.dataDir), AppVersion: "1.0.0"}
	if o.key != nil {
		r.in.TrustedKeys = []string{o.key.Public().Line()}
	}
	r.visitor = widget.NewLabel("VISITOR SCREEN")
	r.w = test.NewWindow(r.visitor)
	r.w.SetPadded(false) // as ui.UI.Load leaves it
	r.w.Resize(fyne.NewSize(800, 480))
	r.a = New(Options{
		Window: r.w, Device: r.dev, Packs: r.in,
		OnPack: func(_ iofs.FS, p *content.Pack, info content.Info) {
			r.mu.Lock()
			defer r.mu.Unlock()
			if p == nil || p.Version != info.Version {
				t.Errorf("OnPack: pack %v does not match %+v", p, info)
			}
			r.live = append(r.live, info)
		},
		OnRestart:  func() { r.restarts++ },
		OnExit:     func() { r.exits++ },
		Site:       "bantian-xinxue",
		DeviceName: "kiosk-fire-1",
		AppVersion: "1.0.0",
		PINHash:    o.pinHash,
		DataDir:    r.dataDir,
		USBRoot:    r.usb,
		Location:   time.UTC,
		Clock:      r.clock,
		Logger:     slog.New(slog.NewTextHandler(r.logs, nil)),
		Addrs:      func() []string { return []string{"eth0 192.168.1.23", "wlan0 10.0.0.7", "eth0 fd00::23"} },
		PassTap:    func(p fyne.Position) { r.passed = append(r.passed, p) },
		Warnings:   func() []string { return []string{"the event store cannot be written: disk full"} },
		post:       func(f func()) { r.q <- f },
	})
	r.w.SetContent(container.NewStack(r.visitor, r.a.Corner()))
	return r
}

func pinHash(t *testing.T) string {
	t.Helper()
	h, err := admin.HashWith(testPIN, cheap, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func sampleStatus() Status {
	var st Status
	st.Date = "2026-05-12"
	st.Today = wire.Counters{Entries: 12, Exits: 11, Sessions: 7,
		ModulesStarted: map[string]uint64{"fire": 5, "traffic": 2}, ModulesCompleted: map[string]uint64{"fire": 4},
		ModulesPassed: map[string]uint64{"fire": 3}, Feedback: [3]uint64{1, 2, 4}}
	st.Lifetime = wire.Counters{Entries: 5120, Exits: 5100, Sessions: 3001,
		ModulesStarted: map[string]uint64{"fire": 900}, ModulesCompleted: map[string]uint64{"fire": 800}, ModulesPassed: map[string]uint64{"fire": 700}}
	st.Uplink = UplinkStatus{Enabled: true, Broker: "ssl://hub.example.cn:8883", Since: t0.Add(-3 * time.Hour),
		LastError: "cannot reach the broker at hub.example.cn:8883: connection refused (is the broker running?)", ErrorAt: t0.Add(-time.Minute),
		Attempts: 4, NextRetry: t0.Add(30 * time.Second)}
	st.Store = StoreStatus{Backlog: 42, Dropped: 0}
	st.Sensors = []SensorStatus{
		{Sensor: "door", Level: "ok"}, {Sensor: "presence", Level: "warning", Reason: "warning: no motion for 8 opening hours"},
		{Sensor: "button.a", Level: "ok"}, {Sensor: "button.b", Level: "fault", Reason: "held for 60s (jammed?)"},
		{Sensor: "button.ok", Level: "ok"},
	}
	return st
}

// drain runs the posted work that is waiting.
func (r *rig) drain() {
	for {
		select {
		case f := <-r.q:
			f()
		default:
			return
		}
	}
}

// waitFor runs posted work until cond holds.
func (r *rig) waitFor(what string, cond func() bool) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r.drain()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("timed out waiting for %s; screen shows:\n%s", what, strings.Join(r.texts(), "\n"))
		}
		select {
		case f := <-r.q:
			f()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// walk visits every object of the window's content.
func walk(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	f(o)
	switch o := o.(type) {
	case *fyne.Container:
		for _, c := range o.Objects {
			walk(c, f)
		}
	case *container.ThemeOverride:
		walk(o.Content, f)
	}
}

func (r *rig) texts() []string {
	var out []string
	walk(r.w.Content(), func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *widget.Label:
			out = append(out, o.Text)
		case *widget.Button:
			out = append(out, "["+o.Text+"]")
		}
	})
	return out
}

func (r *rig) shows(s string) bool {
	return strings.Contains(strings.Join(r.texts(), "\n"), s)
}

func (r *rig) mustShow(s string) {
	r.t.Helper()
	r.drain()
	if !r.shows(s) {
		r.t.Fatalf("screen does not show %q; it shows:\n%s", s, strings.Join(r.texts(), "\n"))
	}
}

func (r *rig) button(label string) *widget.Button {
	r.t.Helper()
	var found *widget.Button
	walk(r.w.Content(), func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && found == nil && strings.Contains(b.Text, label) {
			found = b
		}
	})
	if found == nil {
		r.t.Fatalf("no button %q; screen shows:\n%s", label, strings.Join(r.texts(), "\n"))
	}
	return found
}

func (r *rig) tap(label string) {
	r.t.Helper()
	b := r.button(label)
	if b.Disabled() && r.a.clock.Now().Before(r.a.answerAt) {
		// An answer held against a double tap: a person's next tap comes
		// later.
		r.clock.Advance(flow.DefaultInputGuard)
		r.drain()
		b = r.button(label)
	}
	if b.Disabled() {
		r.t.Fatalf("button %q is disabled", label)
	}
	test.Tap(b)
	r.drain()
}

// hold presses the corner for d and lets go.
func (r *rig) hold(d time.Duration) {
	r.a.zone.MouseDown(&desktop.MouseEvent{Button: desktop.MouseButtonPrimary})
	r.clock.Advance(d)
	r.drain()
	r.a.zone.MouseUp(&desktop.MouseEvent{Button: desktop.MouseButtonPrimary})
	r.drain()
}

func (r *rig) onVisitor() bool {
	found := false
	walk(r.w.Content(), func(o fyne.CanvasObject) {
		if o == r.visitor {
			found = true
		}
	})
	return found
}

func (r *rig) typePIN(pin string) {
	r.t.Helper()
	for _, d := range pin {
		r.tap(string(d))
	}
	r.tap("OK")
}

// enter opens admin mode with the right PIN.
func (r *rig) enter() {
	r.t.Helper()
	r.hold(HoldFor)
	r.typePIN(testPIN)
	r.waitFor("admin mode", r.a.Active)
	r.waitFor("the counts", func() bool { return r.shows("5120") })
}

func TestCornerHold(t *testing.T) {
	r := newRig(t, rigOpts{pinHash: pinHash(t)})
	r.hold(HoldFor - time.Second)
	if !r.onVisitor() || r.shows("Enter the PIN") {
		t.Fatal("4 s opened the PIN pad")
	}
	// A second press starts from zero: 4 s + 1 s is not a 5 s hold.
	r.hold(time.Second)
	if !r.onVisitor() {
		t.Fatal("two short presses opened the PIN pad")
	}
	// A finger that slides off the zone ends the hold.
	r.a.zone.MouseDown(&desktop.MouseEvent{Button: desktop.MouseButtonPrimary})
	r.clock.Advance(time.Second)
	r.a.zone.MouseOut()
	r.clock.Advance(HoldFor)
	r.drain()
	if !r.onVisitor() {
		t.Fatal("a finger that slid away opened the PIN pad")
	}
	// Holding opens the pad at 5 s, before the finger lifts.
	r.a.zone.MouseDown(&desktop.MouseEvent{Button: desktop.MouseButtonPrimary})
	r.clock.Advance(HoldFor)
	r.drain()
	r.mustShow("Enter the PIN")
	if r.onVisitor() || r.a.Active() {
		t.Fatal("PIN pad: visitor screen still shown, or active without a PIN")
	}
	r.a.zone.MouseUp(&desktop.MouseEvent{Button: desktop.MouseButtonPrimary})
	r.tap("Cancel")
	if !r.onVisitor() || r.a.Active() {
		t.Fatal("cancel did not bring back the visitor screen")
	}
	// A quick tap on the zone is handed to the visitor screen.
	test.TapAt(r.a.zone, fyne.NewPos(30, 20))
	at := fyne.CurrentApp().Driver().AbsolutePositionForObject(r.a.zone).Add(fyne.NewPos(30, 20))
	if len(r.passed) != 1 || r.passed[0] != at {
		t.Fatalf("taps passed on: %v", r.passed)
	}
	// The corner is stacked over the visitor screen, top left, 80×80.
	if pos, size := r.a.zone.Position(), r.a.zone.Size(); pos != (fyne.Position{}) || size != fyne.NewSquareSize(CornerSize) {
		t.Fatalf("corner at %v size %v", pos, size)
	}
}

func TestNoPINConfigured(t *testing.T) {
	r := newRig(t, rigOpts{})
	r.hold(HoldFor)
	r.hold(2 * HoldFor)
	if !r.onVisitor() || r.clock.Pending() != 0 {
		t.Fatalf("admin mode without a PIN hash: visitor %v, timers %d", r.onVisitor(), r.clock.Pending())
	}
	if n := strings.Count(r.logs.String(), "admin mode is off"); n != 1 {
		t.Fatalf("logged %d times why admin mode is off; want once:\n%s", n, r.logs)
	}
	if !strings.Contains(r.logs.String(), "admin_pin_hash") {
		t.Fatalf("log does not say what to set:\n%s", r.logs)
	}
}

func TestPIN(t *testing.T) {
	r := newRig(t, rigOpts{pinHash: pinHash(t)})
	visitorTheme := fyne.CurrentApp().Settings().Theme()
	r.hold(HoldFor)
	r.typePIN("1357")
	r.waitFor("wrong PIN", func() bool { return r.shows("Wrong PIN: 4 more tries") })
	if r.a.Active() {
		t.Fatal("a wrong PIN opened admin mode")
	}
	// Too short: not even tried.
	r.typePIN("12")
	r.mustShow("at least 4 digits")
	if r.a.limiter.AttemptsLeft() != admin.MaxFailures-1 {
		t.Fatalf("a short PIN counted: %d left", r.a.limiter.AttemptsLeft())
	}
	// The key pad edits: 2 4 6 9 ← 8 is 2468.
	for _, d := range "2469" {
		r.tap(string(d))
	}
	r.tap("←")
	r.tap("8")
	r.mustShow("● ● ● ●")
	if r.shows("● ● ● ● ●") {
		t.Fatal("more than four dots")
	}
	r.tap("OK")
	r.waitFor("admin mode", r.a.Active)
	r.waitFor("counts", func() bool { return r.shows("5120") })
	r.mustShow("日期 Date 2026-05-12")
	if fyne.CurrentApp().Settings().Theme() == visitorTheme {
		t.Fatal("admin mode shows in the visitor theme")
	}
	r.tap("Leave")
	if !r.onVisitor() || r.a.Active() {
		t.Fatal("Leave did not bring back the visitor screen")
	}
	if fyne.CurrentApp().Settings().Theme() != visitorTheme {
		t.Fatal("the visitor theme was not restored")
	}
}

func TestLockoutSurvivesRestart(t *testing.T) {
	hash := pinHash(t)
	dir := t.TempDir()
	clock := flowtest.NewClock(t0)
	r := newRig(t, rigOpts{pinHash: hash, dataDir: dir, clock: clock})
	r.hold(HoldFor)
	for i := range admin.MaxFailures {
		r.typePIN("0000")
		r.waitFor(fmt.Sprintf("wrong PIN %d", i+1), func() bool { return !r.a.pin.busy })
	}
	r.mustShow("try again in 5 min")
	if !r.button("5").Disabled() || !r.button("OK").Disabled() {
		t.Fatal("keys still work while locked")
	}
	// The minutes count down while the pad shows.
	clock.Advance(90 * time.Second)
	r.drain()
	r.mustShow("try again in 4 min")

	// A restart: a new Admin on the same data folder is still locked.
	r2 := newRig(t, rigOpts{pinHash: hash, dataDir: dir, clock: clock})
	r2.hold(HoldFor)
	r2.mustShow("try again in 4 min")
	if !r2.button("1").Disabled() {
		t.Fatal("locked pad accepts digits after a restart")
	}
	r2.tap("Cancel")
	clock.Advance(admin.LockFor)
	r2.drain()
	r2.enter()
}

func TestAutoLeave(t *testing.T) {
	r := newRig(t, rigOpts{pinHash: pinHash(t)})
	r.enter()
	r.clock.Advance(admin.AutoLeave - time.Second)
	r.drain()
	if !r.a.Active() {
		t.Fatal("left before two minutes")
	}
	r.tap("Uplink") // input restarts the countdown
	r.clock.Advance(admin.AutoLeave - time.Second)
	r.drain()
	if !r.a.Active() {
		t.Fatal("input did not restart the countdown")
	}
	r.clock.Advance(time.Second)
	r.drain()
	if r.a.Active() || !r.onVisitor() {
		t.Fatal("admin mode did not leave after two minutes without input")
	}
	// The PIN pad leaves by itself too.
	r.hold(HoldFor)
	r.mustShow("Enter the PIN")
	r.clock.Advance(admin.AutoLeave)
	r.drain()
	if !r.onVisitor() {
		t.Fatal("an abandoned PIN pad stayed up")
	}
}

func TestScreensFit(t *testing.T) {
	r := newRig(t, rigOpts{pinHash: pinHash(t)})
	r.hold(HoldFor)
	if sz := r.w.Content().MinSize(); sz.Width > 800 || sz.Height > 480 {
		t.Errorf("PIN pad needs %v; the screen is 800×480", sz)
	}
	for _, o := range r.overlaps() {
		t.Errorf("PIN pad: %s", o)
	}
	r.enter()
	for _, p := range pages {
		r.tap(p.label)
		r.drain()
		if sz := r.w.Content().MinSize(); sz.Width > 800 || sz.Height > 480 {
			t.Errorf("%s needs %v; the screen is 800×480", p.id, sz)
		}
		for _, o := range r.overlaps() {
			t.Errorf("%s: %s", p.id, o)
		}
		// Fyne keeps whatever was drawn under a ThemeOverride for good.
		walk(r.w.Content(), func(o fyne.CanvasObject) {
			if _, ok := o.(*container.ThemeOverride); ok {
				t.Errorf("%s: a theme override", p.id)
			}
		})
	}
}

func TestUplinkAndDevice(t *testing.T) {
	r := newRig(t, rigOpts{pinHash: pinHash(t)})
	r.enter()
	r.tap("Uplink")
	r.waitFor("uplink", func() bool { return r.shows("connection refused") })
	r.mustShow("未连接 Not connected")
	r.mustShow("(3 h 0 min)")
	r.mustShow("42")
	r.dev.mu.Lock()
	r.dev.st.Uplink.Connected, r.dev.st.Uplink.LastError = true, ""
	r.dev.mu.Unlock()
	r.clock.Advance(refreshEvery)
	r.waitFor("the refresh", func() bool { return r.shows("已连接 Connected") })
	r.tap("Device")
	r.mustShow("eth0 192.168.1.23,  wlan0 10.0.0.7")
	r.mustShow("eth0 fd00::23")
	r.mustShow("kiosk-fire-1")
	r.mustShow("disk full")
}

func TestRestartAndExit(t *testing.T) {
	r := newRig(t, rigOpts{pinHash: pinHash(t)})
	r.enter()
	r.tap("退出 Exit")
	r.mustShow("Exit to the desktop?")
	r.tap("Cancel")
	r.mustShow("5120")
	if r.exits != 0 {
		t.Fatal("cancel exited")
	}
	r.tap("重启 Restart")
	r.tap("Restart now")
	if r.restarts != 1 || r.a.Active() || !r.onVisitor() {
		t.Fatalf("restart: %d calls, active %v", r.restarts, r.a.Active())
	}
	r.enter()
	r.tap("退出 Exit")
	r.tap("Exit now")
	if r.exits != 1 || r.a.Active() {
		t.Fatalf("exit: %d calls, active %v", r.exits, r.a.Active())
	}
}

func TestSensorsLightUp(t *testing.T) {
	r := newRig(t, rigOpts{pinHash: pinHash(t)})
	r.enter()
	r.tap("Sensors")
	r.waitFor("sensor rows", func() bool { return r.shows("按钮 Button A") })
	r.mustShow("故障 Fault")
	r.mustShow("jammed")
	if r.rowColour("Button A") != rowColour {
		t.Fatalf("button A lit before any event")
	}
	r.dev.ch <- sensors.Event{Time: r.clock.Now(), Sensor: "button.a", Kind: sensors.Press}
	r.waitFor("button A to light up", func() bool { return r.rowColour("Button A") == litColour })
	r.mustShow("按下 Press " + r.clock.Now().Format("15:04:05"))
	if r.rowColour("Door") == litColour {
		t.Fatal("the door lit up too")
	}
	r.clock.Advance(LitFor)
	r.drain()
	if c := r.rowColour("Button A"); c != rowColour {
		t.Fatalf("button A still lit after %v: %v", LitFor, c)
	}
	// Walking through the beams lights the door.
	r.dev.ch <- sensors.Event{Time: r.clock.Now(), Sensor: "door", Kind: sensors.DoorEntry}
	r.waitFor("the door to light up", func() bool { return r.rowColour("Door") == litColour })
	r.mustShow("进 Entry")
}

// rowColour is the background of the sensor row naming name.
func (r *rig) rowColour(name string) color.Color {
	var c color.Color
	walk(r.w.Content(), func(o fyne.CanvasObject) {
		st, ok := o.(*fyne.Container)
		if !ok || len(st.Objects) != 2 {
			return
		}
		rect, ok := st.Objects[0].(*canvas.Rectangle)
		if !ok {
			return
		}
		walk(st.Objects[1], func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, name) {
				c = rect.FillColor
			}
		})
	})
	return c
}

// writePack writes the test pack at version, signed by key, under dir.
func writePack(t *testing.T, path, version string, key *content.PrivateKey, change func(string) string) {
	t.Helper()
	m := flowtest.FS().(fstest.MapFS)
	y := string(m["pack.yaml"].Data)
	if !strings.Contains(y, "version: 1.0.0\n") {
		t.Fatalf("test pack yaml changed:\n%s", y)
	}
	y = strings.Replace(y, "version: 1.0.0\n", "version: "+version+"\n", 1)
	if change != nil {
		y = change(y)
	}
	m["pack.yaml"] = &fstest.MapFile{Data: []byte(y)}
	files, _, err := content.PackFiles(m)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := content.WriteWfpack(&b, m, files, key); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// card is the pack card on the USB list whose text has text: the list is
// paged back to its start and forward until it shows.
func (r *rig) card(text string) *fyne.Container {
	r.t.Helper()
	r.drain()
	for r.hasEnabled("Previous") {
		r.tap("Previous")
	}
	for {
		// The smallest coloured band with the text and a button.
		var found *fyne.Container
		least := 0
		walk(r.w.Content(), func(o fyne.CanvasObject) {
			c, ok := o.(*fyne.Container)
			if !ok || len(c.Objects) != 2 {
				return
			}
			if _, ok := c.Objects[0].(*canvas.Rectangle); !ok {
				return
			}
			hasText, hasButton, n := false, false, 0
			walk(c.Objects[1], func(o fyne.CanvasObject) {
				n++
				switch o := o.(type) {
				case *widget.Label:
					hasText = hasText || strings.Contains(o.Text, text)
				case *widget.Button:
					hasButton = true
				}
			})
			if hasText && hasButton && (found == nil || n < least) {
				found, least = c, n
			}
		})
		if found != nil {
			return found
		}
		if !r.hasEnabled("Next") {
			r.t.Fatalf("no pack card %q; screen shows:\n%s", text, strings.Join(r.texts(), "\n"))
		}
		r.tap("Next")
	}
}

// cardText is a card's lines.
func cardText(c *fyne.Container) string {
	var out []string
	walk(c, func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *widget.Label:
			out = append(out, o.Text)
		case *widget.Button:
			out = append(out, "["+o.Text+"]")
		}
	})
	return strings.Join(out, "\n")
}

// openCard taps the button of the card naming text.
func (r *rig) openCard(text string) {
	r.t.Helper()
	var b *widget.Button
	walk(r.card(text), func(o fyne.CanvasObject) {
		if x, ok := o.(*widget.Button); ok {
			b = x
		}
	})
	test.Tap(b)
	r.drain()
}

// hasEnabled reports whether an enabled button with label shows.
func (r *rig) hasEnabled(label string) bool {
	ok := false
	walk(r.w.Content(), func(o fyne.CanvasObject) {
		if b, is := o.(*widget.Button); is && strings.Contains(b.Text, label) && !b.Disabled() {
			ok = true
		}
	})
	return ok
}

// checked waits until every pack on the stick has its preview.
func (r *rig) checked() {
	r.t.Helper()
	r.waitFor("the stick's packs checked", func() bool {
		if r.a.usb.scanning || len(r.a.usb.files) == 0 {
			return false
		}
		for _, c := range r.a.usb.checks {
			if c == nil {
				return false
			}
		}
		return true
	})
}

func (r *rig) activeVersion() string {
	r.t.Helper()
	_, _, info, err := r.in.Active()
	if err != nil {
		return err.Error()
	}
	return info.Version
}

// TestInstallPreview: every pack on the stick is shown before anything is
// installed (what it is, newer, same or older, who signed it, whether it
// passed the checks), refusals say why on the same screen, and a pack is
// installed only from its confirmation screen.
func TestInstallPreview(t *testing.T) {
	key, err := content.GenerateKey(rand.Reader, "centre-staff")
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, rigOpts{pinHash: pinHash(t), key: &key})
	// The kiosk runs 1.0.0, installed earlier.
	first := filepath.Join(t.TempDir(), "v1.wfpack")
	writePack(t, first, "1.0.0", &key, nil)
	if _, err := r.in.Install(t.Context(), first, content.InstallOptions{}); err != nil {
		t.Fatal(err)
	}
	stick := filepath.Join(r.usb, "staff", "STICK")
	writePack(t, filepath.Join(stick, "packs", "flowtest-1.1.0.wfpack"), "1.1.0", &key, nil)
	writePack(t, filepath.Join(stick, "same.wfpack"), "1.0.0", &key, nil)
	writePack(t, filepath.Join(stick, "bad.wfpack"), "1.2.0", &key, func(y string) string {
		return strings.Replace(y, "  - traffic\n", "  - cooking\n", 1)
	})
	writePack(t, filepath.Join(stick, "old-0.9.0.wfpack"), "0.9.0", &key, nil)
	other, _ := content.GenerateKey(rand.Reader, "someone")
	writePack(t, filepath.Join(stick, "stranger.wfpack"), "2.0.0", &other, nil)
	writePack(t, filepath.Join(stick, "unsigned.wfpack"), "2.1.0", nil, nil)
	writePack(t, filepath.Join(stick, "future.wfpack"), "3.0.0", &key, func(y string) string {
		return strings.Replace(y, "min_app_version: \"\"\n", "min_app_version: 9.0.0\n", 1)
	})
	os.WriteFile(filepath.Join(stick, "junk.wfpack"), []byte("not a zip at all"), 0o644)
	writePack(t, filepath.Join(stick, "spring.wfpack"), "0.1.0", &key, func(y string) string {
		return strings.Replace(y, "id: flowtest\n", "id: spring-fair\n", 1)
	})
	// Not listed: too deep, hidden, a macOS shadow file.
	writePack(t, filepath.Join(stick, "a", "b", "c", "deep.wfpack"), "1.3.0", &key, nil)
	writePack(t, filepath.Join(stick, ".Trashes", "trash.wfpack"), "1.3.0", &key, nil)
	os.WriteFile(filepath.Join(stick, "._bad.wfpack"), []byte("junk"), 0o644)

	r.enter()
	r.tap("U盘安装 USB")
	r.checked()
	for _, name := range []string{"deep", "trash", "._bad"} {
		for r.hasEnabled("Previous") {
			r.tap("Previous")
		}
		for {
			if r.shows(name) {
				t.Errorf("%s is listed", name)
			}
			if !r.hasEnabled("Next") {
				break
			}
			r.tap("Next")
		}
	}
	if r.hasEnabled("Next") || !regexp.MustCompile(`(?m)^([2-9]|1[0-9]) / ([2-9]|1[0-9])$`).MatchString(strings.Join(r.texts(), "\n")) {
		t.Errorf("10 packs at 800×480 are not paged:\n%s", strings.Join(r.texts(), "\n"))
	}
	key5 := key.Public().ID()
	want := map[string][]string{
		"flowtest-1.1.0.wfpack": {"flowtest 1.1.0", "较新 Newer than the active flowtest 1.0.0", "centre-staff (key " + key5 + ") 可信 trusted", "✓ 检查通过 Checks passed", "[安装… Install…]"},
		"same.wfpack":           {"Same version as the active one", "✓ 检查通过", "[安装… Install…]"},
		"old-0.9.0.wfpack":      {"较旧 Older than the active flowtest 1.0.0", "× 不能安装 Cannot be installed: 版本比当前的旧 older than the active pack", "[查看 View]"},
		"bad.wfpack":            {"the pack has errors", "[查看 View]"},
		"stranger.wfpack":       {"key " + other.Public().ID() + " 不受信任 not trusted", "签名密钥不受信任 signed by a key this kiosk does not trust"},
		"unsigned.wfpack":       {"未签名 Unsigned", "没有签名 the pack is not signed"},
		"future.wfpack":         {"需要更新应用 it needs a newer app version"},
		"junk.wfpack":           {"不是内容包 not a content pack"},
		"spring.wfpack":         {"(spring-fair 0.1.0)", "另一个内容包 Another pack: replaces flowtest 1.0.0", "[安装… Install…]"},
	}
	for name, lines := range want {
		text := cardText(r.card(name))
		for _, l := range lines {
			if !strings.Contains(text, l) {
				t.Errorf("card %s does not say %q:\n%s", name, l, text)
			}
		}
	}

	// A refused pack: what is wrong and what to do, and no install button.
	r.openCard("bad.wfpack")
	r.mustShow("不能安装 Cannot be installed: 内容有错误 the pack has errors")
	r.mustShow("cooking")
	r.mustShow("must be fixed first")
	if r.hasEnabled("安装 Install flowtest") {
		t.Error("a refused pack offers an install")
	}
	r.tap("Back to the list")
	r.openCard("stranger.wfpack")
	r.mustShow("add that key's public key line to the config")
	r.tap("Back to the list")
	r.openCard("future.wfpack")
	r.mustShow("本机应用 This app\n1.0.0\n需要 Pack needs\nwufang 9.0.0 或更高 or later (min_app_version)")
	r.mustShow("update the app first")
	r.tap("Back to the list")
	r.openCard("old-0.9.0.wfpack")
	r.mustShow("roll back on the Content screen")
	r.tap("Back to the list")

	// The good pack: nothing is installed until the confirmation's Install.
	r.openCard("flowtest-1.1.0.wfpack")
	r.mustShow("安装这个内容包？ Install this pack?")
	r.mustShow("centre-staff")
	r.mustShow("较新 Newer than the active flowtest 1.0.0")
	r.mustShow("packs/flowtest-1.1.0.wfpack")
	if v := r.activeVersion(); v != "1.0.0" || len(r.live) != 0 {
		t.Fatalf("before the confirmation: active %s, OnPack %+v", v, r.live)
	}
	r.tap("Back to the list")
	r.checked()
	if v := r.activeVersion(); v != "1.0.0" || len(r.live) != 0 {
		t.Fatalf("after going back: active %s, OnPack %+v", v, r.live)
	}
	r.openCard("flowtest-1.1.0.wfpack")
	if !r.button("安装 Install flowtest 1.1.0").Disabled() {
		t.Fatal("Install is not held against a double tap on Install…")
	}
	r.tap("安装 Install flowtest 1.1.0")
	r.waitFor("the install", func() bool { return r.shows("已安装，正在展示 Installed and showing") })
	r.mustShow("flowtest 1.1.0")
	r.mustShow("Roll back to (Content): flowtest 1.0.0")
	if len(r.live) != 1 || r.live[0].Version != "1.1.0" || r.activeVersion() != "1.1.0" {
		t.Fatalf("OnPack calls: %+v, active %s", r.live, r.activeVersion())
	}
	// Back on the list, the comparisons are with the new active pack.
	r.tap("Back to the list")
	r.checked()
	if text := cardText(r.card("same.wfpack")); !strings.Contains(text, "Older than the active flowtest 1.1.0") {
		t.Errorf("same.wfpack after the install:\n%s", text)
	}
}

// TestInstallRefusedForTheApp: a refusal at install time for the app
// version names both versions.
func TestInstallRefusedForTheApp(t *testing.T) {
	key, _ := content.GenerateKey(rand.Reader, "centre-staff")
	r := newRig(t, rigOpts{pinHash: pinHash(t), key: &key})
	writePack(t, filepath.Join(r.usb, "p.wfpack"), "1.1.0", &key, func(y string) string {
		return strings.Replace(y, "min_app_version: \"\"\n", "min_app_version: 1.0.0\n", 1)
	})
	r.enter()
	r.tap("U盘安装 USB")
	r.checked()
	r.openCard("p.wfpack")
	r.mustShow("本机应用 This app\n1.0.0\n需要 Pack needs\nwufang 1.0.0 或更高 or later")
	// The app changes under the open screen (as if the preview were stale):
	// Install refuses, and says both versions.
	r.in.AppVersion = "0.9.0"
	r.tap("安装 Install flowtest 1.1.0")
	r.waitFor("the refusal", func() bool { return r.shows("未安装 Not installed") })
	r.mustShow("需要更新应用 it needs a newer app version")
	r.mustShow("本机 This device runs 0.9.0; 内容包需要 the pack needs 1.0.0 or later")
	r.mustShow("The active pack is unchanged")
	if len(r.live) != 0 {
		t.Fatalf("OnPack: %+v", r.live)
	}
}

// installed installs the test pack at each version in turn, signed by key.
func (r *rig) installed(key *content.PrivateKey, versions ...string) {
	r.t.Helper()
	for _, v := range versions {
		f := filepath.Join(r.t.TempDir(), v+".wfpack")
		writePack(r.t, f, v, key, nil)
		if _, err := r.in.Install(r.t.Context(), f, content.InstallOptions{}); err != nil {
			r.t.Fatal(err)
		}
	}
}

// TestBackToBuiltin: from the Content screen, behind a confirmation, with
// a good pack installed; the built-in pack goes live at once, admin says
// so, and Roll back brings the installed pack back.
func TestBackToBuiltin(t *testing.T) {
	key, _ := content.GenerateKey(rand.Reader, "centre-staff")
	r := newRig(t, rigOpts{pinHash: pinHash(t), key: &key})
	r.installed(&key, "1.0.0", "1.1.0")
	bi := builtinInfo()
	if bi.ID == "" {
		t.Fatal("the built-in pack does not load")
	}
	r.enter()
	r.tap("内容 Content")
	r.waitFor("the content screen", func() bool { return r.shows("Back to the built-in pack") })
	r.tap("Back to the built-in pack")
	r.mustShow("回到内置内容？ Back to the built-in pack?")
	r.mustShow("flowtest 1.1.0 is kept as the previous pack")
	r.tap("Cancel")
	if v := r.activeVersion(); v != "1.1.0" || len(r.live) != 0 {
		t.Fatalf("cancel: active %s, OnPack %+v", v, r.live)
	}
	r.tap("Back to the built-in pack")
	// A double tap on the button that asked does not answer.
	if b := r.button("Use the built-in pack"); !b.Disabled() {
		t.Fatal("the answer is not held against a double tap")
	}
	r.clock.Advance(flow.DefaultInputGuard)
	r.drain()
	if b := r.button("Use the built-in pack"); b.Disabled() {
		t.Fatal("the answer is still held")
	}
	r.tap("Use the built-in pack")
	r.waitFor("the outcome", func() bool { return r.shows("Now showing the built-in pack " + bi.ID + " " + bi.Version) })
	if len(r.live) != 1 || r.live[0].ID != bi.ID || r.live[0].Version != bi.Version {
		t.Fatalf("OnPack calls: %+v", r.live)
	}
	if _, _, _, err := r.in.Active(); !errors.Is(err, content.ErrNoPack) {
		t.Fatalf("active after going back: %v", err)
	}
	r.waitFor("the content screen", func() bool { return r.shows("Roll back to flowtest 1.1.0") })
	r.mustShow("内置内容 The built-in pack: ")
	if r.shows("Back to the built-in pack") && r.hasEnabled("Back to the built-in pack") {
		t.Fatal("offered to go back to the built-in pack while it shows")
	}
	r.tap("Roll back to flowtest 1.1.0")
	r.tap("回滚 Roll back")
	r.waitFor("the rollback", func() bool { return r.shows("Rolled back; now showing flowtest 1.1.0") })
	if len(r.live) != 2 || r.live[1].Version != "1.1.0" || r.activeVersion() != "1.1.0" {
		t.Fatalf("OnPack calls: %+v", r.live)
	}
}

// TestContentSaysHubOffer: the Content screen says in one line how the
// hub's standing offer stands against what staff choose here.
func TestContentSaysHubOffer(t *testing.T) {
	key, _ := content.GenerateKey(rand.Reader, "centre-staff")
	r := newRig(t, rigOpts{pinHash: pinHash(t), key: &key})
	r.installed(&key, "1.0.0", "1.1.0")
	offer := func(version, state, reason string) {
		r.dev.mu.Lock()
		defer r.dev.mu.Unlock()
		r.dev.st.Offer = &wire.OfferState{ID: "flowtest", Version: version, SHA256: strings.Repeat("ab", 32), State: state, Reason: reason}
	}
	offer("1.1.0", wire.OfferInstalled, "")
	r.enter()
	r.tap("内容 Content")
	r.waitFor("the offer line", func() bool {
		return r.shows("flowtest 1.1.0 已安装；在此回滚或换回内置内容将被保留 installed; a rollback or the built-in pack chosen here is kept")
	})
	// Rolled back here: the device keeps the choice (before and after it
	// says so in its status).
	r.tap("Roll back to flowtest 1.0.0")
	r.tap("回滚 Roll back")
	r.waitFor("the rollback", func() bool { return r.shows("Rolled back; now showing flowtest 1.0.0") })
	r.waitFor("kept", func() bool {
		return r.shows("flowtest 1.1.0 不再安装：保留在此的选择 not installed again: the choice made here is kept")
	})
	offer("1.1.0", wire.OfferRefused, "kept: "+wire.OfferStaffChose+" flowtest 1.0.0 (a rollback) after this offer was installed")
	r.tap("Device")
	r.tap("内容 Content")
	r.waitFor("kept", func() bool { return r.shows("not installed again: the choice made here is kept") })
	offer("1.2.0", wire.OfferPending, "waiting for the room to close")
	r.tap("Device")
	r.tap("内容 Content")
	r.waitFor("pending", func() bool {
		return r.shows("flowtest 1.2.0 等待安装，会替换在此的选择 waits to install; it will replace a choice made here")
	})
	offer("1.2.0", wire.OfferRefused, "install pack: unsigned pack")
	r.tap("Device")
	r.tap("内容 Content")
	r.waitFor("refused", func() bool { return r.shows("flowtest 1.2.0 已拒绝 refused: install pack: unsigned pack") })
}

func TestRollback(t *testing.T) {
	key, _ := content.GenerateKey(rand.Reader, "centre-staff")
	r := newRig(t, rigOpts{pinHash: pinHash(t), key: &key})
	r.installed(&key, "1.0.0", "1.1.0")
	r.enter()
	r.tap("内容 Content")
	r.waitFor("the content screen", func() bool { return r.shows("Roll back to flowtest 1.0.0") })
	r.mustShow("centre-staff")
	r.tap("Roll back to flowtest 1.0.0")
	r.mustShow("Roll back?")
	r.tap("Cancel")
	if v := r.activeVersion(); v != "1.1.0" || len(r.live) != 0 {
		t.Fatalf("cancel rolled back: %s", v)
	}
	r.waitFor("the content screen", func() bool { return r.shows("Roll back to flowtest 1.0.0") })
	r.tap("Roll back to flowtest 1.0.0")
	r.tap("回滚 Roll back")
	r.waitFor("the rollback", func() bool { return r.shows("Rolled back; now showing flowtest 1.0.0") })
	if v := r.activeVersion(); v != "1.0.0" {
		t.Fatalf("active after rollback: %s", v)
	}
	if len(r.live) != 1 || r.live[0].Version != "1.0.0" {
		t.Fatalf("OnPack calls: %+v", r.live)
	}
	// The previous pack is now 1.1.0: a second rollback undoes the first.
	r.waitFor("the new previous", func() bool { return r.shows("Roll back to flowtest 1.1.0") })
}

func TestEmptyStick(t *testing.T) {
	r := newRig(t, rigOpts{pinHash: pinHash(t)})
	r.enter()
	r.tap("U盘安装 USB")
	r.waitFor("the search", func() bool { return r.shows("No .wfpack file found") })
	writePack(t, filepath.Join(r.usb, "x.wfpack"), "1.1.0", nil, nil)
	r.tap("Search again")
	r.checked()
	// Unsigned and not allowed.
	r.openCard("x.wfpack")
	r.mustShow("没有签名 the pack is not signed")
	r.mustShow("wufang-pack sign")
	r.tap("内容 Content")
	r.waitFor("content", func() bool { return r.shows("The built-in pack") })
	r.mustShow("Nothing to roll back to")
	if r.shows("Back to the built-in pack") {
		t.Fatal("offered to go back to the built-in pack while it shows")
	}
}

// overlaps lists the labels and buttons on screen that cover one another
// or reach beyond the canvas: what does not fit.
func (r *rig) overlaps() []string {
	type box struct {
		name string
		pos  fyne.Position
		size fyne.Size
	}
	var boxes []box
	var visit func(o fyne.CanvasObject, at fyne.Position)
	visit = func(o fyne.CanvasObject, at fyne.Position) {
		if !o.Visible() {
			return
		}
		switch o := o.(type) {
		case *fyne.Container:
			for _, c := range o.Objects {
				visit(c, at.Add(c.Position()))
			}
		case *container.ThemeOverride:
			visit(o.Content, at.Add(o.Content.Position()))
		case *widget.Label:
			if !o.Size().IsZero() {
				boxes = append(boxes, box{"label " + o.Text, at, o.Size()})
			}
		case *widget.Button:
			boxes = append(boxes, box{"button " + o.Text, at, o.Size()})
		}
	}
	root := r.w.Content()
	visit(root, root.Position())
	scr := r.w.Canvas().Size()
	var out []string
	for i, a := range boxes {
		if a.pos.X < 0 || a.pos.Y < 0 || a.pos.X+a.size.Width > scr.Width+0.5 || a.pos.Y+a.size.Height > scr.Height+0.5 {
			out = append(out, fmt.Sprintf("%q at %v size %v is off the screen", a.name, a.pos, a.size))
		}
		for _, b := range boxes[i+1:] {
			w := min(a.pos.X+a.size.Width, b.pos.X+b.size.Width) - max(a.pos.X, b.pos.X)
			h := min(a.pos.Y+a.size.Height, b.pos.Y+b.size.Height) - max(a.pos.Y, b.pos.Y)
			if w > 1 && h > 1 {
				out = append(out, fmt.Sprintf("%q overlaps %q", a.name, b.name))
			}
		}
	}
	return out
}

func TestAddrsFromInterfaces(t *testing.T) {
	a := &Admin{log: slog.New(slog.DiscardHandler)}
	for _, s := range a.addrs() {
		if strings.Contains(s, " 127.") || strings.HasSuffix(s, " ::1") {
			t.Errorf("loopback listed: %s", s)
		}
	}
}

func TestFindPacksNoRoot(t *testing.T) {
	if _, _, err := findPacks(""); err == nil {
		t.Fatal("no USB root: no error")
	}
	if _, _, err := findPacks(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("missing USB root: no error")
	}
}

// A live screen whose figures do not change builds nothing on its refresh,
// and a storm of sensor events builds at most two screens a second.
func TestRedrawsAreRationed(t *testing.T) {
	r := newRig(t, rigOpts{pinHash: pinHash(t)})
	r.enter()
	b0 := r.a.builds
	for range 10 {
		r.clock.Advance(refreshEvery)
		r.waitFor("the refresh", func() bool { return !r.a.fetching })
	}
	if r.a.builds != b0 {
		t.Fatalf("unchanged status: %d screens built", r.a.builds-b0)
	}
	r.dev.mu.Lock()
	r.dev.st.Today.Entries++
	r.dev.mu.Unlock()
	r.clock.Advance(refreshEvery)
	r.waitFor("the new count", func() bool { return r.shows("13") })
	if r.a.builds != b0+1 {
		t.Fatalf("one change: %d screens built", r.a.builds-b0)
	}

	r.tap("Sensors")
	r.waitFor("rows", func() bool { return r.shows("Button A") })
	b1 := r.a.builds
	for i := range 200 {
		r.dev.ch <- sensors.Event{Time: r.clock.Now(), Sensor: "button.a", Kind: sensors.Press}
		if i%20 == 0 {
			r.clock.Advance(50 * time.Millisecond) // 200 events in half a second
		}
		r.drain()
	}
	r.waitFor("the last redraw", func() bool { return r.rowColour("Button A") == litColour })
	if n := r.a.builds - b1; n > 3 {
		t.Fatalf("200 events in 0.5 s built %d screens", n)
	}
}

// A panic in the device or in the kiosk's callbacks is logged; the screen
// stays up and the visitor never sees it.
func TestPanicsAreContained(t *testing.T) {
	key, err := content.GenerateKey(rand.Reader, "centre-staff")
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, rigOpts{pinHash: pinHash(t), key: &key})
	r.dev.mu.Lock()
	r.dev.panic = true
	r.dev.mu.Unlock()
	r.enter2()
	r.waitFor("the panic logged", func() bool { return strings.Contains(r.logs.String(), "status exploded") })
	r.mustShow("Reading")
	// The refresh goes on and picks the status up once it works again.
	r.dev.mu.Lock()
	r.dev.panic = false
	r.dev.mu.Unlock()
	r.clock.Advance(refreshEvery)
	r.waitFor("the counts", func() bool { return r.shows("5120") })

	r.a.opts.OnPack = func(iofs.FS, *content.Pack, content.Info) { panic("OnPack exploded") }
	writePack(t, filepath.Join(r.usb, "p.wfpack"), "1.1.0", &key, nil)
	r.tap("U盘安装 USB")
	r.checked()
	r.openCard("p.wfpack")
	r.tap("安装 Install flowtest 1.1.0")
	r.waitFor("the install", func() bool { return r.shows("Installed and showing") })
	if !strings.Contains(r.logs.String(), "OnPack exploded") {
		t.Fatal("the OnPack panic was not logged")
	}
	r.tap("Leave")
	if !r.onVisitor() {
		t.Fatal("no visitor screen after the panics")
	}
}

// enter2 opens admin mode without waiting for the counts.
func (r *rig) enter2() {
	r.t.Helper()
	r.hold(HoldFor)
	r.typePIN(testPIN)
	r.waitFor("admin mode", r.a.Active)
}

// TestAbandonedPadCostsNothing: a visitor who opens the PIN pad and walks
// away (with or without tapping digits, by Cancel or by the pad leaving on
// its own) costs no try: only a PIN sent with OK counts.
func TestAbandonedPadCostsNothing(t *testing.T) {
	r := newRig(t, rigOpts{pinHash: pinHash(t)})
	for i := range admin.MaxFailures + 2 {
		r.hold(HoldFor)
		r.mustShow("Enter the PIN")
		r.tap("1")
		r.tap("2")
		r.tap("3")
		if i%2 == 0 {
			r.tap("Cancel")
		} else {
			r.clock.Advance(admin.AutoLeave)
			r.drain()
		}
		if !r.onVisitor() {
			t.Fatal("the abandoned pad stayed up")
		}
	}
	if d := r.a.lockedFor(); d > 0 {
		t.Fatalf("locked for %v after abandoned pads", d)
	}
	r.hold(HoldFor)
	r.typePIN("9999999")
	r.waitFor("the wrong-PIN message", func() bool {
		return r.shows(fmt.Sprintf("还可试 %d 次", admin.MaxFailures-1))
	})
	r.tap("Cancel")
	r.enter()
}
