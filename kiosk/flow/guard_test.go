package flow_test

import (
	"slices"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

// TestInputGuardSwallowsADoubleTap: two taps on Next 120 ms apart move one
// step; the same tap after the guard moves on. Physical buttons are held to
// the same rule, and a plain touch still counts as someone being there.
func TestInputGuardSwallowsADoubleTap(t *testing.T) {
	r := newRig(t, flow.Options{InputGuard: flow.DefaultInputGuard})
	r.do(flow.Input{Kind: flow.Touch})
	r.advance(time.Second)
	r.do(flow.Input{Kind: flow.OpenModule, N: 0})
	if s := r.st(); s.Screen != flow.Step || s.StepIdx != 0 {
		t.Fatalf("not on step 1: %+v", s)
	}
	// The lesson is step 1: Next, and a second tap 120 ms later.
	r.advance(time.Second)
	r.do(flow.Input{Kind: flow.Next})
	r.advance(120 * time.Millisecond)
	r.do(flow.Input{Kind: flow.Next})
	if s := r.st(); s.StepIdx != 1 {
		t.Fatalf("a double tap moved to step %d, want step 2 (index 1)", s.StepIdx+1)
	}
	// A choice step: a double-tapped option answers once, and the second tap
	// cannot reach the Next that replaces it.
	r.advance(400 * time.Millisecond)
	r.do(flow.Input{Kind: flow.Choose, N: 0})
	if !r.st().Answered {
		t.Fatal("a tap after the guard was ignored")
	}
	r.advance(120 * time.Millisecond)
	r.do(flow.Input{Kind: flow.Next})
	if s := r.st(); s.StepIdx != 1 || !s.Answered {
		t.Fatalf("Next 120 ms after the answer showed acted: %+v", s)
	}
	r.advance(400 * time.Millisecond)
	r.do(flow.Input{Kind: flow.Next})
	if s := r.st(); s.StepIdx != 2 {
		t.Fatalf("Next after the guard: step index %d, want 2", s.StepIdx)
	}
	// Buttons: OK twice 120 ms apart on an answered step moves one step.
	r.advance(400 * time.Millisecond)
	r.do(flow.Input{Kind: flow.Choose, N: 0}, flow.Input{Kind: flow.Choose, N: 1})
	r.advance(400 * time.Millisecond)
	r.do(flow.Input{Kind: flow.Next})
	if !r.st().Answered {
		t.Fatalf("multi-answer step not answered: %+v", r.st())
	}
	r.advance(400 * time.Millisecond)
	step := r.st().StepIdx
	r.press(flow.BtnOK)
	r.advance(120 * time.Millisecond)
	r.press(flow.BtnOK)
	if s := r.st(); s.StepIdx != step+1 {
		t.Fatalf("OK pressed twice 120 ms apart: step %d, want %d", s.StepIdx, step+1)
	}
	// A touch inside the guard is not an action but keeps the visit alive.
	r.advance(100 * time.Millisecond)
	r.do(flow.Input{Kind: flow.Touch})
	r.advance(flow.DefaultIdleTimeout - time.Second)
	if r.st().StillThere {
		t.Fatal("a touch inside the guard did not count as the visitor being there")
	}
}

// TestInputGuardOff: the zero Options have no guard (the machine's own
// tests, and tools, dispatch at machine speed).
func TestInputGuardOff(t *testing.T) {
	r := newRig(t, flow.Options{})
	r.do(flow.Input{Kind: flow.Touch}, flow.Input{Kind: flow.OpenModule, N: 0}, flow.Input{Kind: flow.Next})
	if s := r.st(); s.StepIdx != 1 {
		t.Fatalf("without a guard: step index %d, want 1", s.StepIdx)
	}
}

// TestTurnPage: a page turn the UI does by itself is refused inside the
// guard and starts a new one.
func TestTurnPage(t *testing.T) {
	r := newRig(t, flow.Options{InputGuard: flow.DefaultInputGuard})
	r.do(flow.Input{Kind: flow.Touch})
	r.advance(time.Second)
	r.do(flow.Input{Kind: flow.OpenModule, N: 0})
	if r.m.TurnPage() {
		t.Fatal("a page turned right after the screen changed")
	}
	r.advance(400 * time.Millisecond)
	if !r.m.TurnPage() {
		t.Fatal("no page turn after the guard")
	}
	r.advance(120 * time.Millisecond)
	if r.m.TurnPage() {
		t.Fatal("a second page turn 120 ms after the first")
	}
	r.do(flow.Input{Kind: flow.Next})
	if r.st().StepIdx != 0 {
		t.Fatal("Next 120 ms after a page turn acted")
	}
}

// TestLargeTextIsTheVisitors: A+ toggles large text for this visit; the
// next visitor starts with the room's default again. The button highlight
// shows only once a button was pressed.
func TestLargeTextIsTheVisitors(t *testing.T) {
	r := newRig(t, flow.Options{})
	r.do(flow.Input{Kind: flow.Touch}, flow.Input{Kind: flow.LargeText})
	if s := r.st(); !s.Large || s.Screen != flow.Home {
		t.Fatalf("after A+: %+v", s)
	}
	if r.st().ButtonUsed {
		t.Fatal("ButtonUsed without a button")
	}
	r.press(flow.BtnB)
	if !r.st().ButtonUsed {
		t.Fatal("ButtonUsed not set by a button")
	}
	r.do(flow.Input{Kind: flow.OpenModule, N: 0})
	if !r.st().Large {
		t.Fatal("large text lost on the next screen")
	}
	r.advance(flow.DefaultIdleTimeout + 11*time.Second)
	if s := r.st(); s.Screen != flow.Attract || s.Large || s.ButtonUsed {
		t.Fatalf("the next visitor inherits: %+v", s)
	}
	r.do(flow.Input{Kind: flow.LargeText})
	if s := r.st(); s.Screen != flow.Home || !s.Large {
		t.Fatalf("A+ on the attract loop: %+v", s)
	}
}

// TestOrderLettersStay: an order item keeps its button letter until it is
// placed; the freed letter goes to the first item without one, so the
// lettered items are always the first four not placed.
func TestOrderLettersStay(t *testing.T) {
	const n = 6
	picked := []int{}
	prev := flow.OrderLetters(n, picked)
	for _, p := range []int{2, 0, 5, 4, 1, 3} {
		picked = append(picked, p)
		got := flow.OrderLetters(n, picked)
		for pos, l := range got {
			if old, ok := prev[pos]; ok && old != l {
				t.Fatalf("after placing %v: item %d changed from %s to %s", picked, pos, old, l)
			}
		}
		var want []int
		for pos := range n {
			if !slices.Contains(picked, pos) && len(want) < 4 {
				want = append(want, pos)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("after %v: letters %v, want the first four unplaced %v", picked, got, want)
		}
		for _, pos := range want {
			if _, ok := got[pos]; !ok {
				t.Fatalf("after %v: item %d has no letter (%v)", picked, pos, got)
			}
		}
		prev = got
	}
}
