package adminui

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/internal/clock"
	"github.com/wufang-kiosk/wufang/kiosk/admin"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
	"github.com/wufang-kiosk/wufang/sensors"
)

// HoldFor is how long the corner must be held to open the PIN pad.
const HoldFor = 5 * time.Second

// CornerSize is the side of the hot zone in the top-left corner.
const CornerSize = 80

// Device is the device runtime as admin mode reads it. The kiosk main
// adapts *node.Node to it (its Sensors as they are, its Status converted).
type Device interface {
	// Status returns the counters, the uplink's and the store's state and
	// every configured sensor's health.
	Status() Status
	// Sensors returns a new channel with a copy of every sensor event from
	// now on; it is closed when the device stops.
	Sensors() <-chan sensors.Event
}

// Packs installs and rolls back content packs; *content.Installer
// satisfies it.
type Packs interface {
	Active() (fs.FS, *content.Pack, content.Info, error)
	Previous() (content.Info, error)
	Rollback(ctx context.Context) (content.Info, error)
	Install(ctx context.Context, path string, opts content.InstallOptions) (content.Result, error)
	// UseBuiltin makes no installed pack active (the built-in one shows)
	// and keeps the active one as the previous one.
	UseBuiltin(ctx context.Context, builtinID, builtinVersion string) (content.Info, error)
}

var _ Packs = (*content.Installer)(nil)

// Options configure admin mode. Window is required; every other field may
// be left empty (a nil Device or Packs leaves its screens saying so).
type Options struct {
	// Window is the kiosk's window: admin mode replaces its content and
	// puts it back on leaving.
	Window fyne.Window
	Device Device
	Packs  Packs
	// OnPack makes a newly installed or rolled-back pack live (the kiosk
	// gives it to the visit flow and the UI). It runs on the Fyne goroutine.
	OnPack func(fsys fs.FS, p *content.Pack, info content.Info)
	// OnRestart and OnExit end the app (restart it, or leave to the
	// desktop). Admin mode has left when they run, on the Fyne goroutine.
	OnRestart func()
	OnExit    func()

	Site       string
	DeviceName string
	AppVersion string
	// PINHash is kiosk.admin_pin_hash; empty turns admin mode off.
	PINHash string
	// DataDir holds the lockout file (admin.LockFile).
	DataDir string
	// USBRoot is where USB sticks are mounted (content.usb_root).
	USBRoot string
	// Location is the site's time zone for times shown; nil: time.Local.
	Location *time.Location
	// Clock is the time source (hold, idle, lighting sensor rows); nil:
	// the wall clock.
	Clock  flow.Clock
	Logger *slog.Logger // nil: discard
	// Warnings, when set, returns what staff should know about the running
	// kiosk (the installed pack failed and the built-in one shows, the store
	// cannot be written); shown on the Device screen.
	Warnings func() []string
	// PassTap receives a quick tap on the hot zone, at its position in the
	// window: the zone sits over the visitor screen and Fyne delivers a
	// press only to the topmost object, so without it a tap on a visitor
	// control under the zone is lost.
	PassTap func(abs fyne.Position)
	// Addrs, when set, lists the device's IP addresses; nil: read from
	// net.Interfaces.
	Addrs func() []string

	// Wake, when set, is called after work from another goroutine (a PIN
	// check, a status fetch, a sensor event, a timer) was posted to the
	// Fyne goroutine: the kiosk's idle pump then runs it at once instead of
	// at its next turn.
	Wake func()

	// post replaces fyne.Do (tests run posted work on their own goroutine).
	post func(f func())
}

// Admin is the kiosk's staff mode. Its methods are called on the Fyne
// goroutine, except Active, which may be called from anywhere.
type Admin struct {
	opts  Options
	log   *slog.Logger
	clock flow.Clock
	loc   *time.Location
	// post runs f on the Fyne goroutine (fyne.Do; tests queue it).
	post func(f func())

	limiter   *admin.Limiter
	idle      *admin.Idle
	off       string // why admin mode is off; "" when it is on
	loggedOff bool

	active atomic.Bool // the PIN was accepted and admin screens show
	shown  bool        // the PIN pad or admin screens replace the visitor content
	// visitor is the window content admin mode replaced.
	visitor fyne.CanvasObject

	zone      *corner
	holdTimer flow.Timer
	holdGen   int

	// The admin screen: a frame whose content changes, and the app theme
	// to restore on leaving.
	frame     *fyne.Container
	prevTheme fyne.Theme
	themeSize float32 // text size of the admin theme in use; 0 before the first
	// m are the sizes the shown screen was built for; body is the space
	// its page has under the header (and beside or under the menu).
	m       metrics
	body    fyne.Size
	resizeQ bool      // a redraw for a new window size is queued
	laidOut fyne.Size // the admin frame's size when last laid out

	pin pinState

	page     string // id of the shown page
	pageIdx  int    // page of a paged screen
	confirm  *confirmation
	answerAt time.Time // answer buttons are disabled until then (holdAnswers)
	held     bool      // the screen shows a held answer button
	retitle  string    // set by a page's build: its title this time
	tick     flow.Timer
	tickGen  int
	status   *Status
	statusAt time.Time
	builds   int // screens built (tests count them)
	// sensNext is the earliest time of the next redraw for sensor events;
	// sensWait is set while one is scheduled.
	sensNext time.Time
	sensWait bool
	fetching bool
	packView packView
	usb      usbView
	// checkGen is usb.gen for the goroutine checking the stick's packs: it
	// stops when a new scan starts or admin mode leaves.
	checkGen atomic.Int64

	sens sensorFeed
}

// New makes admin mode for opts. It starts following opts.Device's sensor
// events at once (so the Sensors screen shows each sensor's last event);
// that goroutine ends when the device closes the channel.
func New(opts Options) *Admin {
	a := &Admin{opts: opts, log: opts.Logger, clock: opts.Clock, loc: opts.Location}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	a.log = a.log.With("part", "admin")
	if a.clock == nil {
		a.clock = clock.Real{}
	}
	if a.loc == nil {
		a.loc = time.Local
	}
	a.post = opts.post
	if a.post == nil {
		a.post = fyne.Do
	}
	if wake := opts.Wake; wake != nil {
		post := a.post
		a.post = func(f func()) {
			post(f)
			wake()
		}
	}
	a.zone = newCorner(a)
	a.idle = admin.NewIdle(a.clock, admin.AutoLeave, func() {
		a.post(func() { a.guard("auto-leave", a.autoLeave) })
	})
	switch {
	case opts.Window == nil:
		a.off = "no window given"
	case opts.PINHash == "":
		a.off = "no admin PIN is configured (kiosk.admin_pin_hash); make one with `wufang-kiosk hash-pin`"
	default:
		l, err := admin.NewLimiter(opts.DataDir, a.clock, a.log)
		if err != nil {
			a.off = fmt.Sprintf("the lockout state cannot be kept: %v", err)
		} else {
			a.limiter = l
		}
	}
	a.sens.init()
	if opts.Device != nil {
		go a.followSensors(opts.Device.Sensors())
	}
	return a
}

// Corner is the invisible hot zone to stack over the visitor content: a
// CornerSize square in the top-left corner that opens the PIN pad when held
// for HoldFor. Fyne gives a press to the topmost object only, so a quick tap
// on the zone goes to Options.PassTap, not to the visitor control below.
// Call it once: the object can have one parent.
func (a *Admin) Corner() fyne.CanvasObject {
	return container.NewWithoutLayout(a.zone)
}

// Active reports whether admin mode is open (the PIN was accepted). Safe
// for concurrent use.
func (a *Admin) Active() bool { return a.active.Load() }

// guard runs f and logs a panic instead of letting it reach a visitor.
func (a *Admin) guard(what string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			a.log.Error("admin: panic", "in", what, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	f()
}

// handler wraps a tap handler: it counts as input for the idle timer and
// cannot panic.
func (a *Admin) handler(what string, f func()) func() {
	return func() {
		a.idle.Touch()
		a.guard(what, f)
	}
}

// holdStart is the corner being pressed.
func (a *Admin) holdStart() {
	if a.off != "" {
		if !a.loggedOff {
			a.loggedOff = true
			a.log.Info("admin mode is off", "why", a.off)
		}
		return
	}
	if a.shown {
		return
	}
	a.holdStop()
	a.holdGen++
	gen := a.holdGen
	a.holdTimer = a.clock.AfterFunc(HoldFor, func() {
		a.post(func() {
			a.guard("corner", func() {
				if gen == a.holdGen && a.holdTimer != nil && !a.shown {
					a.holdTimer = nil
					a.openPIN()
				}
			})
		})
	})
}

// holdStop is the corner being let go (or the pointer leaving it).
func (a *Admin) holdStop() {
	if a.holdTimer != nil {
		a.holdTimer.Stop()
		a.holdTimer = nil
	}
	a.holdGen++
}

// takeOver replaces the visitor content with admin mode's frame. Admin mode
// switches the app's theme for its time (restored on leaving) rather than
// wrapping its screens in a container.ThemeOverride: Fyne 2.7 keeps every
// canvas object ever drawn under an override in a map for the life of the
// process, so a screen built under one stays in memory for good (about
// 100 objects a screen). The visitor screens are detached meanwhile and
// size themselves from the window, not the theme.
func (a *Admin) takeOver() {
	if a.shown {
		return
	}
	w := a.opts.Window
	a.visitor = w.Content()
	a.shown = true
	th := newAdminTheme(textSize)
	if app := fyne.CurrentApp(); app != nil {
		a.prevTheme = app.Settings().Theme()
	}
	a.frame = container.NewStack()
	a.laidOut = fyne.Size{}
	a.m = metricsFor(w.Canvas().Size())
	bg := canvas.NewRectangle(th.Color(fynetheme.ColorNameBackground, fynetheme.VariantDark))
	w.SetContent(container.New(watch{a}, bg, a.frame))
	a.idle.Start()
}

// leave puts the visitor content back.
func (a *Admin) leave() {
	if !a.shown {
		return
	}
	wasActive := a.active.Swap(false)
	a.shown = false
	a.idle.Stop()
	a.stopTick()
	a.pin = pinState{}
	a.confirm = nil
	a.status = nil
	a.usb.gen++ // the stick is looked at again next time
	a.checkGen.Store(int64(a.usb.gen))
	a.usb.files, a.usb.checks, a.usb.chosen, a.usb.result, a.usb.scanning = nil, nil, -1, nil, false
	a.opts.Window.SetContent(a.visitor)
	if app := fyne.CurrentApp(); app != nil && a.prevTheme != nil {
		app.Settings().SetTheme(a.prevTheme)
	}
	a.visitor, a.frame, a.prevTheme, a.themeSize = nil, nil, nil, 0
	if wasActive {
		a.log.Info("admin mode left")
	}
}

func (a *Admin) autoLeave() {
	if a.shown {
		a.log.Info("admin mode: no input for a while, back to the visitor screen", "after", admin.AutoLeave)
		a.leave()
	}
}

// show puts obj in the admin frame. When the frame already shows a screen
// of the same shape (a refresh, a lit sensor row, a digit typed), the
// shown widgets take the new texts, colours and handlers instead: nothing
// new is drawn, and no button is swapped under a finger.
func (a *Admin) show(obj fyne.CanvasObject) {
	if a.frame == nil {
		return
	}
	if len(a.frame.Objects) == 1 && patch(a.frame.Objects[0], obj) {
		return
	}
	a.frame.Objects = []fyne.CanvasObject{obj}
	a.frame.Refresh()
}

// measure sets the sizes for the window's size before a screen is built;
// a screen built for other sizes is built anew rather than patched.
func (a *Admin) measure() {
	size := a.laidOut
	if size.Width < 1 || size.Height < 1 {
		size = a.opts.Window.Canvas().Size()
	}
	m := metricsFor(size)
	if m != a.m && a.frame != nil {
		a.frame.Objects = nil
	}
	a.m = m
}

// resized is the admin frame laid out at size: when that is not the size
// its screen was built for, the screen is drawn again.
func (a *Admin) resized(size fyne.Size) {
	if !a.shown || size.Width < 1 || size.Height < 1 {
		return
	}
	a.laidOut = size
	if a.resizeQ || metricsFor(size) == a.m {
		return
	}
	a.resizeQ = true
	a.post(func() {
		a.guard("resize", func() {
			a.resizeQ = false
			switch {
			case !a.shown:
			case a.active.Load():
				a.render()
			default:
				a.showPIN()
			}
		})
	})
}

// useTheme makes the app theme the admin theme with text of size: the
// PIN pad's big keys, or the staff screens' compact text.
func (a *Admin) useTheme(size float32) {
	if a.themeSize == size {
		return
	}
	a.themeSize = size
	if app := fyne.CurrentApp(); app != nil {
		app.Settings().SetTheme(newAdminTheme(size))
	}
}

// fmtTime formats t for staff in the site's zone: the time of day when it
// is today, else the date too.
func (a *Admin) fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.In(a.loc)
	now := a.clock.Now().In(a.loc)
	if t.Year() == now.Year() && t.YearDay() == now.YearDay() {
		return t.Format("15:04:05")
	}
	return t.Format("2006-01-02 15:04")
}

// sensorFeed keeps the last event of every sensor; the follower goroutine
// writes it, the Fyne goroutine reads it.
type sensorFeed struct {
	mu     sync.Mutex
	last   map[string]sensors.Event
	posted bool // a redraw is queued
}

func (s *sensorFeed) init() { s.last = map[string]sensors.Event{} }
