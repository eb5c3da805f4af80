package sim

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/wufang-kiosk/wufang/internal/clock"
	"github.com/wufang-kiosk/wufang/sensors/door"
	"github.com/wufang-kiosk/wufang/sensors/room"
)

// Walk describes how a simulated visitor crosses the door: the beams are
// Gap metres apart and a body Depth metres deep walks through at Speed metres
// per second.
type Walk struct {
	Speed float64 // m/s
	Depth float64 // m
	Gap   float64 // m between the beams
}

// DefaultWalk is an adult at an easy pace through beams 6 cm apart.
var DefaultWalk = Walk{Speed: 1.2, Depth: 0.3, Gap: 0.06}

// Opts configures a simulated room.
type Opts struct {
	// Clock is the clock of the devices. If it can be advanced (it has an
	// Advance(time.Duration) method, like *clocktest.Fake) the simulator
	// advances it instead of sleeping; nil: the wall clock.
	Clock clock.Clock
	// Walk for Enter and Exit (zero: DefaultWalk).
	Walk Walk
	// PIRHold is how long Wave keeps the PIR output high (default 3 s, a
	// module turned to its minimum).
	PIRHold time.Duration
	// LongPress is how long LongPress holds a button (default 2 s, more
	// than the buttons' 1.5 s).
	LongPress time.Duration
	// DeliverTimeout bounds how long a simulated edge waits for its device
	// to take it, in real time (default DefaultDeliverTimeout).
	DeliverTimeout time.Duration
}

// Advancer is a clock the simulator moves forward itself.
type Advancer interface {
	Advance(d time.Duration)
}

// Room is a simulated room: the pins of a room.Setup, and ways to drive
// them by hand, from a script, or with a generated visitor stream. Every
// action goes through the pins, so the real device code does the counting.
//
// Actions on one sensor are serialised; actions on different sensors may
// run concurrently on the wall clock. On an advanceable clock, drive the
// room from one goroutine.
type Room struct {
	setup room.Setup
	opts  Opts
	clock clock.Clock

	outer, inner, pir *Pin
	buttons, pads     map[string]*Pin

	doorMu, pirMu, buttonMu sync.Mutex
}

// NewRoom returns simulated pins for every sensor of setup, at rest: beams
// clear, no motion, buttons and pads released.
func NewRoom(setup room.Setup, opts *Opts) *Room {
	r := &Room{setup: setup, buttons: map[string]*Pin{}, pads: map[string]*Pin{}}
	if opts != nil {
		r.opts = *opts
	}
	if r.opts.Clock == nil {
		r.opts.Clock = clock.Real{}
	}
	r.clock = r.opts.Clock
	if r.opts.Walk == (Walk{}) {
		r.opts.Walk = DefaultWalk
	}
	if r.opts.PIRHold <= 0 {
		r.opts.PIRHold = 3 * time.Second
	}
	if r.opts.LongPress <= 0 {
		r.opts.LongPress = 2 * time.Second
		if setup.LongPress > 0 {
			r.opts.LongPress = setup.LongPress + 500*time.Millisecond
		}
	}
	if setup.Door.Outer != "" {
		r.outer = r.newPinFor(setup.Door.Outer, level(false, setup.Door.ActiveLow))
	}
	if setup.Door.Inner != "" {
		r.inner = r.newPinFor(setup.Door.Inner, level(false, setup.Door.ActiveLow))
	}
	if setup.Presence.Pin != "" {
		r.pir = r.newPinFor(setup.Presence.Pin, gpio.Low)
	}
	for name, pin := range setup.Buttons {
		if pin != "" {
			r.buttons[name] = r.newPinFor(pin, level(false, setup.ButtonsActiveLow))
		}
	}
	for name, pin := range setup.Pads {
		if pin != "" {
			r.pads[name] = r.newPinFor(pin, level(false, setup.PadsActiveLow))
		}
	}
	return r
}

func (r *Room) newPinFor(name string, l gpio.Level) *Pin {
	num := -1
	if n, err := strconv.Atoi(strings.TrimPrefix(strings.ToUpper(name), "GPIO")); err == nil {
		num = n
	}
	p := NewPin(name, num, l)
	p.DeliverTimeout = r.opts.DeliverTimeout
	return p
}

func level(active, activeLow bool) gpio.Level {
	return gpio.Level(active != activeLow)
}

// Pins returns the simulated pins, to pass to room.Start.
func (r *Room) Pins() room.Pins {
	p := room.Pins{Buttons: map[string]gpio.PinIn{}, Pads: map[string]gpio.PinIn{}}
	if r.outer != nil {
		p.DoorOuter = r.outer
	}
	if r.inner != nil {
		p.DoorInner = r.inner
	}
	if r.pir != nil {
		p.Presence = r.pir
	}
	for k, v := range r.buttons {
		p.Buttons[k] = v
	}
	for k, v := range r.pads {
		p.Pads[k] = v
	}
	return p
}

// Pin returns the simulated pin with the given board name ("GPIO17"), or nil.
func (r *Room) Pin(name string) *Pin {
	for _, p := range r.all() {
		if strings.EqualFold(p.Name(), name) {
			return p
		}
	}
	return nil
}

func (r *Room) all() []*Pin {
	var out []*Pin
	for _, p := range []*Pin{r.outer, r.inner, r.pir} {
		if p != nil {
			out = append(out, p)
		}
	}
	for _, k := range sortedPinKeys(r.buttons) {
		out = append(out, r.buttons[k])
	}
	for _, k := range sortedPinKeys(r.pads) {
		out = append(out, r.pads[k])
	}
	return out
}

func sortedPinKeys(m map[string]*Pin) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// wait lets d pass on the room's clock.
func (r *Room) wait(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	if a, ok := r.clock.(Advancer); ok {
		a.Advance(d)
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Beam sets a beam ("outer" or "inner") blocked or clear: one raw edge.
func (r *Room) Beam(which string, blocked bool) error {
	p, err := r.beamPin(which)
	if err != nil {
		return err
	}
	p.Set(level(blocked, r.setup.Door.ActiveLow))
	return nil
}

func (r *Room) beamPin(which string) (*Pin, error) {
	var p *Pin
	switch which {
	case "outer":
		p = r.outer
	case "inner":
		p = r.inner
	default:
		return nil, fmt.Errorf("sim: no beam %q: use outer or inner", which)
	}
	if p == nil {
		return nil, fmt.Errorf("sim: the room has no %s beam (sensors.door.%s is empty)", which, which)
	}
	return p, nil
}

// Enter walks one visitor in through the door: outer beam, both, inner.
func (r *Room) Enter(ctx context.Context) error { return r.cross(ctx, true, r.opts.Walk) }

// Exit walks one visitor out: inner beam, both, outer.
func (r *Room) Exit(ctx context.Context) error { return r.cross(ctx, false, r.opts.Walk) }

// Balk has a visitor step into the beams from outside and back out again
// without crossing (it must not count).
func (r *Room) Balk(ctx context.Context) error {
	r.doorMu.Lock()
	defer r.doorMu.Unlock()
	w := r.opts.Walk
	edges := abortEdges(true, w, w.Gap+w.Depth/3, 300*time.Millisecond)
	return r.playEdges(ctx, edges)
}

func (r *Room) cross(ctx context.Context, in bool, w Walk) error {
	r.doorMu.Lock()
	defer r.doorMu.Unlock()
	return r.playEdges(ctx, crossEdges(in, w))
}

func (r *Room) playEdges(ctx context.Context, edges []beamEdge) error {
	var at time.Duration
	for _, e := range edges {
		if err := r.wait(ctx, e.at-at); err != nil {
			return err
		}
		at = e.at
		if err := r.Beam(beamNames[e.beam], e.blocked); err != nil {
			return err
		}
	}
	// The counter ends a crossing once the doorway has been clear for its
	// body gap.
	return r.wait(ctx, r.settle()+door.DefaultBodyGap)
}

// settle is how long a hand-driven action lingers after its last edge, so
// the devices have debounced it (and counted it) when the action returns.
func (r *Room) settle() time.Duration {
	return max(r.setup.Debounce, 20*time.Millisecond) + 30*time.Millisecond
}

// Presence sets the PIR output: on while it sees motion.
func (r *Room) Presence(on bool) error {
	if r.pir == nil {
		return fmt.Errorf("sim: the room has no presence sensor (sensors.presence.pin is empty)")
	}
	r.pir.Set(gpio.Level(on))
	return nil
}

// Wave is one motion in front of the PIR: its output goes high for the
// module's own hold (Opts.PIRHold) and drops again.
func (r *Room) Wave(ctx context.Context) error {
	r.pirMu.Lock()
	defer r.pirMu.Unlock()
	if err := r.Presence(true); err != nil {
		return err
	}
	werr := r.wait(ctx, r.opts.PIRHold)
	if err := r.Presence(false); err != nil {
		return err
	}
	if werr != nil {
		return werr
	}
	return r.wait(ctx, r.settle())
}

// Press presses and releases a button ("a", "b", "c", "d", "ok", "back").
func (r *Room) Press(ctx context.Context, name string) error {
	return r.hold(ctx, r.buttons, "button", name, 80*time.Millisecond, r.setup.ButtonsActiveLow)
}

// LongPress holds a button past its long-press time and releases it.
func (r *Room) LongPress(ctx context.Context, name string) error {
	return r.hold(ctx, r.buttons, "button", name, r.opts.LongPress, r.setup.ButtonsActiveLow)
}

// Touch touches a pad briefly.
func (r *Room) Touch(ctx context.Context, pad string) error {
	return r.hold(ctx, r.pads, "pad", pad, 150*time.Millisecond, r.setup.PadsActiveLow)
}

// Hold holds a button (or pad, with the "pad." prefix) down for d.
func (r *Room) Hold(ctx context.Context, name string, d time.Duration) error {
	if pad, ok := strings.CutPrefix(name, "pad."); ok {
		return r.hold(ctx, r.pads, "pad", pad, d, r.setup.PadsActiveLow)
	}
	return r.hold(ctx, r.buttons, "button", strings.TrimPrefix(name, "button."), d, r.setup.ButtonsActiveLow)
}

func (r *Room) hold(ctx context.Context, pins map[string]*Pin, what, name string, d time.Duration, activeLow bool) error {
	p := pins[name]
	if p == nil {
		return fmt.Errorf("sim: no %s %q in the setup", what, name)
	}
	r.buttonMu.Lock()
	defer r.buttonMu.Unlock()
	p.Set(level(true, activeLow))
	werr := r.wait(ctx, d)
	p.Set(level(false, activeLow))
	if werr != nil {
		return werr
	}
	return r.wait(ctx, r.settle())
}

// beamEdge is one raw change of a beam, at an offset.
type beamEdge struct {
	at      time.Duration
	beam    int // 0 outer, 1 inner
	blocked bool

	spike, spikeEnd bool // generator noise: flip the beam's level
}

var beamNames = [2]string{"outer", "inner"}

func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// crossEdges is a body walking through both beams; in: from outside.
func crossEdges(in bool, w Walk) []beamEdge {
	first, second := 0, 1
	if !in {
		first, second = 1, 0
	}
	return []beamEdge{
		{at: 0, beam: first, blocked: true},
		{at: secs(w.Gap / w.Speed), beam: second, blocked: true},
		{at: secs(w.Depth / w.Speed), beam: first, blocked: false},
		{at: secs((w.Gap + w.Depth) / w.Speed), beam: second, blocked: false},
	}
}

// abortEdges is a body whose front goes depth metres past the first beam,
// waits dwell and walks back out.
func abortEdges(in bool, w Walk, depth float64, dwell time.Duration) []beamEdge {
	first, second := 0, 1
	if !in {
		first, second = 1, 0
	}
	depth = min(depth, w.Depth*0.95) // the back never passes the first beam
	turn := secs(depth/w.Speed) + dwell
	out := []beamEdge{{at: 0, beam: first, blocked: true}}
	if depth > w.Gap {
		out = append(out,
			beamEdge{at: secs(w.Gap / w.Speed), beam: second, blocked: true},
			beamEdge{at: turn + secs((depth-w.Gap)/w.Speed), beam: second, blocked: false})
	}
	out = append(out, beamEdge{at: turn + secs(depth/w.Speed), beam: first, blocked: false})
	return out
}

// Visitors plays an endless generated visitor stream through the door until
// ctx ends, for `wufang-edge run` and the kiosk with sensors.simulate: true.
// Each batch of opts.Crossings visitors uses the next seed. It returns
// ctx's error.
func (r *Room) Visitors(ctx context.Context, opts GenOpts) error {
	if r.outer == nil || r.inner == nil {
		return fmt.Errorf("sim: the room has no door beams to walk through")
	}
	for seed := opts.Seed; ; seed++ {
		opts.Seed = seed
		script, _ := Generate(opts)
		if err := r.Play(ctx, script); err != nil {
			return err
		}
	}
}
