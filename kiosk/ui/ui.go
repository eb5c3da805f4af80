package ui

import (
	"fmt"
	"image/color"
	"io/fs"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
	ktheme "github.com/wufang-kiosk/wufang/kiosk/theme"
)

// Options configure a UI. The zero value works: no pictures, no opening
// hours on the closed screen, logs discarded, pictures cached per UI.
type Options struct {
	// FS holds the pack's media (the pack folder or .wfpack); paths in the
	// pack are relative to it.
	FS fs.FS
	// Resource, when set, loads a media path instead of FS.
	Resource func(path string) fyne.Resource
	// Hours are the lines of the closed screen ("Mon–Fri 09:00–17:30"),
	// shown when NextOpen is nil.
	Hours []string
	// NextOpen, when set, gives the next opening at or after a time (in
	// the site's zone); the closed screen then says "今天 13:30 开放 /
	// Opens today at 13:30". Now is the time source for it (nil: the
	// wall clock).
	NextOpen func(time.Time) (time.Time, bool)
	Now      func() time.Time
	Logger   *slog.Logger
	// Wake, when set, is called after the UI posted work to the Fyne
	// goroutine from another one (a new state, a picture to warm): the
	// kiosk's idle pump then runs it at once instead of at its next turn.
	Wake func()
	// Buttons: the room has the physical buttons A–D, OK and back; the
	// screens then show what each does (the legend) and, once one was
	// pressed, the highlight they move.
	Buttons bool
	// Shown, when set, is called once, on the Fyne goroutine, after the
	// first screen was built and the frame that drew it finished.
	Shown func()
	// RasterCap is the longest side, in pixels, of a picture drawn from an
	// SVG (0: DefaultRasterCap); the painter scales up from there.
	RasterCap float32
	// Rasters, when set, is a picture cache shared with other UIs (see
	// Rasters); nil gives the UI its own.
	Rasters *Rasters
	// Backdrop, when set, is handed each screen's background colour when
	// the screen's bottom layer is one opaque colour, and that layer is
	// then left transparent: the window must be cleared to the colour (the
	// kiosk theme's ktheme.Backdrop does it). nil means no such colour.
	Backdrop func(color.Color)
}

// UI renders a flow.Machine's state and turns taps into its inputs. All its
// methods but New run on the Fyne goroutine.
type UI struct {
	m     *flow.Machine
	opts  Options
	log   *slog.Logger
	media media
	host  *host
	win   fyne.Window

	mu        sync.Mutex  // guards next and draining
	queued    *flow.State // the latest state not drawn yet
	draining  bool
	st        flow.State
	drawn     bool
	lastFound int // hotspot: target found by the last tap, -1 for none
	// orderMove: the last change on an order step, for its animation:
	// an item went into its slot (placed) or a wrong one came back (slip).
	orderMove struct{ placed, slip bool }
	busy      bool
	pending   *flow.State
	buildSize fyne.Size
	placed    map[*canvas.Raster]bool // kept pictures on the screen being built
	failed    bool                    // the last build panicked (a panic on the fallback too shows a blank screen)
}

// New makes the UI for m. Call Load to put it in a window.
func New(m *flow.Machine, opts Options) *UI {
	u := &UI{m: m, opts: opts, log: opts.Logger, lastFound: -1}
	if u.log == nil {
		u.log = slog.New(slog.DiscardHandler)
	}
	u.media = media{fsys: opts.FS, load: opts.Resource, log: u.log, cap: opts.RasterCap, rasters: opts.Rasters}
	if u.media.cap <= 0 {
		u.media.cap = DefaultRasterCap
	}
	if u.media.rasters == nil {
		u.media.rasters = NewRasters(0)
	}
	u.host = &host{u: u}
	u.host.ExtendBaseWidget(u.host)
	u.st = m.State()
	return u
}

// Load shows the UI in w and follows the machine from now on: every change
// is redrawn on the Fyne goroutine.
func (u *UI) Load(w fyne.Window) {
	u.win = w
	w.SetPadded(false)
	w.SetContent(u.host)
	u.m.OnChange(u.post)
	u.show(u.m.State())
}

// post takes a new state from any goroutine and has it drawn on the Fyne
// goroutine. States that arrive while one is being drawn (a late visitor
// count from the recorder's worker, the return to attract after a panic)
// are drawn by the same drain, in order, never nested or concurrently,
// also under the test driver, which runs fyne.Do on the caller's goroutine.
func (u *UI) post(s flow.State) {
	u.mu.Lock()
	u.queued = &s
	running := u.draining
	u.draining = true
	u.mu.Unlock()
	if !running {
		u.do(u.drain)
	}
}

// do runs f on the Fyne goroutine (fyne.Do) and wakes the idle pump.
func (u *UI) do(f func()) {
	fyne.Do(f)
	if u.opts.Wake != nil {
		u.opts.Wake()
	}
}

// animate starts a short animation and keeps the kiosk's main loop
// drawing until it has run: the kiosk's idle pump (Options.Wake) lets
// Fyne's loop sleep between inputs, and an animation started by work
// posted from another goroutine (a physical button) would otherwise stop
// at its first frame. Then it runs the animation's last frame itself, in
// case the loop drew none: what an animation leaves is always its end.
func (u *UI) animate(a *fyne.Animation) {
	a.Start()
	wake := u.opts.Wake
	if wake == nil {
		return
	}
	go func() {
		t := time.NewTicker(15 * time.Millisecond)
		defer t.Stop()
		for end := time.Now().Add(a.Duration); time.Now().Before(end); <-t.C {
			wake()
		}
		u.do(func() {
			a.Stop()
			a.Tick(1)
		})
	}()
}

// doAndWait is do, returning once f has run.
func (u *UI) doAndWait(f func()) {
	done := make(chan struct{})
	u.do(func() {
		defer close(done)
		f()
	})
	<-done
}

func (u *UI) drain() {
	for {
		u.mu.Lock()
		s := u.queued
		u.queued = nil
		if s == nil {
			u.draining = false
			u.mu.Unlock()
			return
		}
		u.mu.Unlock()
		u.show(*s)
	}
}

// TapAt delivers a tap at window position abs to the visitor screen: to
// the topmost tappable object under it (for an overlay that catches taps
// first, like the staff corner).
func (u *UI) TapAt(abs fyne.Position) {
	var hit fyne.Tappable
	var at fyne.Position
	walk(u.host, fyne.Position{}, func(o fyne.CanvasObject, p fyne.Position) bool {
		s := o.Size()
		if abs.X < p.X || abs.Y < p.Y || abs.X >= p.X+s.Width || abs.Y >= p.Y+s.Height {
			return false
		}
		if t, ok := o.(fyne.Tappable); ok {
			hit, at = t, p
		}
		return true
	})
	if hit != nil {
		hit.Tapped(&fyne.PointEvent{Position: abs.Subtract(at), AbsolutePosition: abs})
	}
}

// walk calls f for o and, depth first, for what it draws, with each
// object's position in the window (origin is that of o's parent); when f
// returns false, what that object draws is skipped. Hidden objects are
// skipped with what they draw.
func walk(o fyne.CanvasObject, origin fyne.Position, f func(o fyne.CanvasObject, at fyne.Position) bool) {
	if o == nil || !o.Visible() {
		return
	}
	at := origin.Add(o.Position())
	if !f(o, at) {
		return
	}
	for _, c := range children(o) {
		walk(c, at, f)
	}
}

// children lists what o draws inside it: a container's objects, or what one
// of the UI's own widgets draws. Every widget on the visitor screens is the
// UI's own (tapBox, bgTap, hotspotPic, textBlock, host), so TapAt and Fit
// walk the UI's own tree; asking Fyne for a widget's renderer outside
// Fyne's own packages takes its test driver.
func children(o fyne.CanvasObject) []fyne.CanvasObject {
	switch t := o.(type) {
	case *fyne.Container:
		return t.Objects
	case parent:
		return t.kids()
	}
	return nil
}

// A parent is a widget of the UI that draws other objects: kids lists the
// same objects as its renderer's Objects (textBlock draws only text, so it
// is no parent). TestChildrenMatchRenderers holds them to that.
type parent interface{ kids() []fyne.CanvasObject }

var (
	_ parent = (*host)(nil)
	_ parent = (*tapBox)(nil)
	_ parent = (*bgTap)(nil)
	_ parent = (*hotspotPic)(nil)
)

// SetMedia switches the media source after the machine got a new pack.
func (u *UI) SetMedia(fsys fs.FS) {
	u.media.reset(fsys)
}

// Content is the UI's root object.
func (u *UI) Content() fyne.CanvasObject { return u.host }

// Show draws s now, whatever state the machine is in: Render draws every
// screen of a pack this way. Call it on the Fyne goroutine.
func (u *UI) Show(s flow.State) { u.show(s) }

// show redraws for s. A redraw that causes another change (a fallback to
// attract after a panic) is queued, not nested.
func (u *UI) show(s flow.State) {
	u.pending = &s
	if u.busy {
		return
	}
	u.busy = true
	defer func() { u.busy = false }()
	for u.pending != nil {
		s := *u.pending
		u.pending = nil
		if u.drawn && s.Seq == u.st.Seq && s.Seq != 0 {
			continue
		}
		u.track(s)
		u.st = s
		u.drawn = true
		u.host.rebuild()
		u.prefetch(s)
	}
}

// track remembers which hotspot target the latest tap found, so the screen
// can name it.
func (u *UI) track(s flow.State) {
	same := s.Screen == flow.Step && u.st.Screen == flow.Step && s.StepType == content.Order &&
		s.Module == u.st.Module && s.StepIdx == u.st.StepIdx && !s.Answered
	u.orderMove.placed = same && len(s.Picked) == len(u.st.Picked)+1
	u.orderMove.slip = same && s.Misses > u.st.Misses
	if s.Screen != flow.Step || s.StepType != content.Hotspot || s.Module != u.st.Module || s.StepIdx != u.st.StepIdx || u.st.Screen != flow.Step {
		u.lastFound = -1
		return
	}
	for i := range s.Found {
		if s.Found[i] && (i >= len(u.st.Found) || !u.st.Found[i]) {
			u.lastFound = i
			return
		}
	}
}

// dispatch sends an input to the machine.
func (u *UI) dispatch(in flow.Input) { u.m.Dispatch(in) }

// guard runs f, and on a panic logs it and sends the kiosk back to the
// attract loop: a visitor never sees an error.
func (u *UI) guard(what string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			u.log.Error("ui: panic", "in", what, "screen", u.st.Screen, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			u.failed = true
			u.toAttract()
		}
	}()
	f()
}

// toAttract ends any session and returns to the attract loop. SetPack with
// the same pack is the machine's way to do exactly that.
func (u *UI) toAttract() {
	if p := u.m.Pack(); p != nil {
		u.m.SetPack(p)
	}
}

// build makes the objects of the current state for a window of size sz.
func (u *UI) build(sz fyne.Size) (objs []fyne.CanvasObject) {
	defer func() {
		if r := recover(); r != nil {
			u.log.Error("ui: panic building screen", "screen", u.st.Screen, "step", u.st.StepType, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			if u.st.Screen == flow.Attract || u.failed {
				objs = []fyne.CanvasObject{canvas.NewRectangle(navy)}
				u.failed = false
				return
			}
			u.failed = true
			objs = []fyne.CanvasObject{canvas.NewRectangle(navy)}
			u.toAttract()
		}
	}()
	u.buildSize = sz
	clear(u.placed)
	v := u.view(sz)
	ctor, ok := screens[v.st.Screen]
	if !ok {
		panic(fmt.Sprintf("no screen %q", v.st.Screen))
	}
	objs = []fyne.CanvasObject{ctor(u, v)}
	u.backdrop(objs[0])
	u.orderMove.placed, u.orderMove.slip = false, false // shown once: not again on a resize
	if v.st.StillThere {
		objs = append(objs, u.stillThere(v))
	}
	u.failed = false
	return objs
}

// backdrop hands the screen's background colour to Options.Backdrop when
// its bottom layer is an opaque bgTap (every screen's is), and leaves that
// layer undrawn. A translucent layer (the "still there?" overlay's shade)
// is never a backdrop: it sits over another screen.
func (u *UI) backdrop(screen fyne.CanvasObject) {
	set := u.opts.Backdrop
	if set == nil {
		return
	}
	if c, ok := screen.(*fyne.Container); ok && len(c.Objects) > 0 {
		if b, ok := c.Objects[0].(*bgTap); ok && b.rect.FillColor != nil {
			if _, _, _, a := b.rect.FillColor.RGBA(); a == 0xffff {
				set(b.rect.FillColor)
				b.rect.FillColor = color.Transparent
				return
			}
		}
	}
	set(nil)
}

// screens is the table from flow screen to constructor.
var screens = map[flow.Screen]func(*UI, *view) fyne.CanvasObject{
	flow.Attract:  (*UI).attract,
	flow.Home:     (*UI).home,
	flow.Step:     (*UI).step,
	flow.Result:   (*UI).result,
	flow.Feedback: (*UI).feedback,
	flow.Thanks:   (*UI).thanks,
	flow.Closed:   (*UI).closed,
}

// steps is the table from step type to constructor. Each step type has its
// file (lesson.go, choice.go, …) beside kiosk/flow's file of the same name.
var steps = map[string]func(*UI, *view) fyne.CanvasObject{
	content.Lesson:   (*UI).lesson,
	content.Choice:   (*UI).choice,
	content.Order:    (*UI).order,
	content.Hotspot:  (*UI).hotspot,
	content.Scenario: (*UI).scenario,
}

// host is the root: it rebuilds the screen for its size whenever the state
// or the window size changes.
type host struct {
	widget.BaseWidget
	u     *UI
	objs  []fyne.CanvasObject
	built fyne.Size
	seq   uint64
	dirty bool
}

func (h *host) rebuild() {
	h.dirty = true
	if s := h.Size(); s.Width > 0 && s.Height > 0 {
		h.layout(s)
	}
	// Repaint, without refreshing every child: a cascade would rasterise
	// every SVG again.
	canvas.Refresh(h)
}

// minBuild is the smallest window a screen is built for. Fyne lays new
// content out at its minimum size (100×100) before the window has its real
// one; building the first screen there was wasted start-up time, and drew
// its picture for the wrong size.
const minBuild = 200

func (h *host) layout(s fyne.Size) {
	if s.Width < minBuild || s.Height < minBuild {
		return
	}
	if h.dirty || s != h.built {
		h.dirty = false
		first := h.built == fyne.Size{}
		h.built = s
		h.objs = h.u.build(s)
		if f := h.u.opts.Shown; first && f != nil {
			// Fyne runs posted functions between frames: after this one.
			fyne.Do(f)
		}
	}
	for _, o := range h.objs {
		move(o, fyne.NewPos(0, 0))
		o.Resize(s)
	}
}

func (h *host) CreateRenderer() fyne.WidgetRenderer { return &hostRenderer{h} }

func (h *host) kids() []fyne.CanvasObject { return h.objs }

type hostRenderer struct{ h *host }

func (r *hostRenderer) Destroy()                     {}
func (r *hostRenderer) Objects() []fyne.CanvasObject { return r.h.objs }
func (r *hostRenderer) MinSize() fyne.Size           { return fyne.NewSize(100, 100) }
func (r *hostRenderer) Layout(s fyne.Size)           { r.h.layout(s) }
func (r *hostRenderer) Refresh()                     { canvas.Refresh(r.h) }

// view is everything a screen constructor needs: the state, the pack, and
// the window's size with the scale derived from it.
type view struct {
	st       flow.State
	p        *content.Pack
	lang     string
	size     fyne.Size
	s        float32 // 1 at 800×480 (or 480×800 portrait)
	ts       float32 // text scale: above 1 in the theme's large-text mode
	portrait bool
	mod      *content.Module
	step     *content.Step
	col, on  color.Color // module colour and the text colour on it
	// groups are the screen's texts that share one size (group), by role.
	groups map[string]*sizeGroup
}

// group is the size group of the texts of one role on the screen: the
// answer options of a question, the tiles' titles, …
func (v *view) group(role string) *sizeGroup {
	if v.groups == nil {
		v.groups = map[string]*sizeGroup{}
	}
	g, ok := v.groups[role]
	if !ok {
		g = &sizeGroup{}
		v.groups[role] = g
	}
	return g
}

func (u *UI) view(sz fyne.Size) *view {
	v := &view{st: u.st, p: u.m.Pack(), lang: u.st.Lang, size: sz}
	if v.st.Screen == flow.Attract && v.st.SlideLang != "" {
		v.lang = v.st.SlideLang // the loop shows each slide in each language
	}
	v.portrait = sz.Height > sz.Width
	if v.portrait {
		v.s = min(sz.Width/480, sz.Height/800)
	} else {
		v.s = min(sz.Width/800, sz.Height/480)
	}
	v.s = max(v.s, 1) // below 800×480 nothing shrinks further: render reports what does not fit
	// The kiosk theme's body text is 22 at scale 1; large-text mode raises it.
	v.ts = min(max(fynetheme.TextSize()/22, 1), 1.6)
	if v.st.Large { // the visitor's A+, over the room's default
		v.ts = min(v.ts*ktheme.LargeTextScale, 1.6)
	}
	v.col, v.on = accent, white
	if v.p != nil && v.st.Module >= 0 && v.st.Module < len(v.p.Mods) {
		v.mod = v.p.Mods[v.st.Module]
		v.col = moduleColour(v.mod)
		v.on = textOn(v.col)
		if v.st.StepIdx >= 0 && v.st.StepIdx < len(v.mod.Steps) {
			v.step = &v.mod.Steps[v.st.StepIdx]
		}
	}
	return v
}

// px scales a length designed for 800×480.
func (v *view) px(n float32) float32 { return n * v.s }

// t translates a pack text into the current language.
func (v *view) t(t content.Text) string { return tr(t, v.lang, v.p) }

// m is a kiosk text in the current language.
func (v *view) m(key string, args ...any) string { return msg(v.lang, key, args...) }

// Colours: a warm light page with near-black ink (contrast above 12:1),
// and strong colours for actions and results.
var (
	paper   = color.NRGBA{0xF6, 0xF3, 0xEC, 0xff}
	card    = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	ink     = color.NRGBA{0x1B, 0x23, 0x30, 0xff}
	muted   = color.NRGBA{0x4A, 0x55, 0x65, 0xff}
	line    = color.NRGBA{0xD6, 0xD0, 0xC4, 0xff}
	white   = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	navy    = color.NRGBA{0x12, 0x26, 0x3F, 0xff}
	accent  = color.NRGBA{0x1F, 0x5F, 0xAD, 0xff}
	amber   = color.NRGBA{0xF5, 0xB7, 0x00, 0xff}
	good    = color.NRGBA{0x1E, 0x7E, 0x34, 0xff}
	bad     = color.NRGBA{0xB3, 0x26, 0x1E, 0xff}
	goodBg  = color.NRGBA{0xE3, 0xF4, 0xE6, 0xff}
	badBg   = color.NRGBA{0xFB, 0xE4, 0xE1, 0xff}
	dimCard = color.NRGBA{0xE9, 0xE5, 0xDC, 0xff}
	night   = color.NRGBA{0x0B, 0x10, 0x18, 0xff}
	shade   = color.NRGBA{0x00, 0x00, 0x00, 0xC8}
)

// moduleColour is the pack's colour for m (the theme's default for the
// module when the pack's is missing or malformed).
func moduleColour(m *content.Module) color.Color {
	return ktheme.ModuleColour(m.ID, m.Colour)
}

// textOn picks white or ink, whichever contrasts more with c.
func textOn(c color.Color) color.Color {
	return ktheme.TextOn(c)
}

// mix blends a towards b by t (0..1).
func mix(a, b color.Color, t float64) color.Color {
	ar, ag, ab, _ := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	f := func(x, y uint32) uint8 { return uint8((float64(x)*(1-t) + float64(y)*t) / 257) }
	return color.NRGBA{f(ar, br), f(ag, bg), f(ab, bb), 0xff}
}
