package ui

import (
	"image/color"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

// TestPressedState: every tappable box on every screen of a visit darkens
// the moment a finger is down (MouseDown, before the tap) and comes back
// when it lifts.
func TestPressedState(t *testing.T) {
	p, fsys := builtinPack(t)
	k := newKiosk(t, p, fsys, fyne.NewSize(800, 480))
	seen := 0
	check := func() {
		for id, b := range k.boxes() {
			before := b.bg.FillColor
			b.MouseDown(&desktop.MouseEvent{})
			if sameColour(b.bg.FillColor, before) || b.bg.StrokeWidth < 3 {
				t.Errorf("%s/%s %q: no pressed state (fill %v -> %v)", k.u.st.Screen, k.u.st.StepType, id, before, b.bg.FillColor)
			}
			b.MouseUp(&desktop.MouseEvent{})
			if !sameColour(b.bg.FillColor, before) {
				t.Errorf("%q: not restored after the finger lifted", id)
			}
			seen++
		}
	}
	k.wake()
	check()
	k.tap("tile-0")
	for range 6 {
		check()
		k.doStep()
	}
	if seen < 20 {
		t.Fatalf("only %d boxes checked", seen)
	}
}

// TestPressedHotspot: a touch on a hotspot picture shows a ring under the
// finger until it lifts.
func TestPressedHotspot(t *testing.T) {
	p, fsys := builtinPack(t)
	k := newKiosk(t, p, fsys, fyne.NewSize(800, 480))
	for mi, m := range p.Mods {
		for si, st := range m.Steps {
			if st.Type != "hotspot" {
				continue
			}
			k.u.show(flow.State{Screen: flow.Step, Module: mi, StepIdx: si, StepType: st.Type, Branch: -1, InSession: true,
				Found: make([]bool, len(st.Targets)), Seq: 99})
			var pic *hotspotPic
			walkUI(k.u.host, func(o fyne.CanvasObject) {
				if h, ok := o.(*hotspotPic); ok {
					pic = h
				}
			})
			if pic == nil {
				t.Fatal("no hotspot picture")
			}
			n := len(test.WidgetRenderer(pic).Objects())
			pic.MouseDown(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(50, 50)}})
			if got := len(test.WidgetRenderer(pic).Objects()); got != n+1 {
				t.Fatalf("pressed: %d objects, want %d (a ring)", got, n+1)
			}
			pic.MouseUp(&desktop.MouseEvent{})
			if got := len(test.WidgetRenderer(pic).Objects()); got != n {
				t.Fatalf("lifted: %d objects, want %d", got, n)
			}
			return
		}
	}
	t.Fatal("the built-in pack has no hotspot step")
}

// TestDoubleTapMovesOneStep: two taps on Next 120 ms apart, as measured
// on the kiosk before the guard, move one step; so do two presses of OK,
// and two taps on "More" turn one page.
func TestDoubleTapMovesOneStep(t *testing.T) {
	p, fsys := builtinPack(t)
	k := newKiosk(t, p, fsys, fyne.NewSize(800, 480))
	k.m.Close()
	k.m = flow.New(p, flow.Options{Clock: k.clock, Recorder: k.rec, InputGuard: flow.DefaultInputGuard})
	t.Cleanup(k.m.Close)
	k.u = New(k.m, Options{FS: fsys})
	k.u.Load(k.w)
	k.w.Resize(k.size)
	k.wake()
	k.clock.Advance(time.Second)
	// The physical OK, twice 120 ms apart on Home: it opens the module and
	// does not go on to step 2.
	k.m.Dispatch(flow.Input{Kind: flow.Button, Name: flow.BtnOK})
	k.clock.Advance(120 * time.Millisecond)
	k.m.Dispatch(flow.Input{Kind: flow.Button, Name: flow.BtnOK})
	k.settle()
	if s := k.u.st; s.Screen != flow.Step || s.StepIdx != 0 {
		t.Fatalf("OK twice 120 ms apart on Home: %s step %d, want step 1", s.Screen, s.StepIdx+1)
	}
	k.clock.Advance(time.Second)
	k.m.Dispatch(flow.Input{Kind: flow.GoHome})
	k.clock.Advance(time.Second)
	k.tap("tile-0")
	if k.u.st.StepType != "lesson" {
		t.Fatalf("module 1 does not start with a lesson: %s", k.u.st.StepType)
	}
	k.clock.Advance(time.Second)
	// A lesson long enough for pages shows "More" first.
	for k.u.st.StepType == "lesson" {
		idx := k.pos()
		next := k.boxes()["next"]
		label := next.content.(*textBlock)
		more := label.text == msg(k.u.st.Lang, "more")
		var body *textBlock
		walkUI(k.u.host, func(o fyne.CanvasObject) {
			if tb, ok := o.(*textBlock); ok && tb.paginate {
				body = tb
			}
		})
		page := body.page
		at := k.centreOf(next)
		k.u.TapAt(at)
		k.clock.Advance(120 * time.Millisecond)
		k.u.TapAt(at) // whatever is there now
		k.settle()
		switch {
		case more && (body.page != page+1 || k.pos() != idx):
			t.Fatalf("double tap on More: page %d -> %d, step %d -> %d; want one page", page, body.page, idx+1, k.pos()+1)
		case !more && k.pos() != idx+1:
			t.Fatalf("double tap on Next: step %d -> %d, want one step", idx+1, k.pos()+1)
		}
		k.clock.Advance(time.Second)
	}
}

// pos is the position of the step in this module run (steps drawn from a
// bank are skipped by StepIdx).
func (k *kiosk) pos() int {
	if len(k.u.st.Visit) > 0 {
		return k.u.st.Pos
	}
	return k.u.st.StepIdx
}

// centreOf is the window position of o's centre.
func (k *kiosk) centreOf(o fyne.CanvasObject) fyne.Position {
	var found fyne.Position
	var walk func(c fyne.CanvasObject, at fyne.Position)
	walk = func(c fyne.CanvasObject, at fyne.Position) {
		p := at.Add(c.Position())
		if c == o {
			found = p.AddXY(c.Size().Width/2, c.Size().Height/2)
			return
		}
		for _, ch := range children(c) {
			walk(ch, p)
		}
	}
	walk(k.u.host, fyne.NewPos(0, 0))
	return found
}

func sameColour(a, b color.Color) bool {
	if a == nil || b == nil {
		return a == b
	}
	ar, ag, ab, aa := a.RGBA()
	br, bg, bb, ba := b.RGBA()
	return ar == br && ag == bg && ab == bb && aa == ba
}
