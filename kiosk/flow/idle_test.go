package flow_test

import (
	"slices"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

// to brings a fresh session to a screen of each kind.
var screens = []struct {
	name string
	to   func(r *rig)
}{
	{"home", func(r *rig) { r.do(in(flow.Wake)) }},
	{"lesson", func(r *rig) { gotoStep(r, "fire-lesson") }},
	{"choice", func(r *rig) { gotoStep(r, "fire-exit") }},
	{"choice answered", func(r *rig) { gotoStep(r, "fire-exit"); r.do(inN(flow.Choose, 1)) }},
	{"multi choice", func(r *rig) { gotoStep(r, "fire-items"); r.do(inN(flow.Choose, 0)) }},
	{"order", func(r *rig) { gotoStep(r, "fire-order"); r.do(inN(flow.Pick, 0)) }},
	{"hotspot", func(r *rig) { gotoStep(r, "fire-hazards"); r.do(tap(0.5, 0.5)) }},
	{"scenario", func(r *rig) { gotoStep(r, "fire-smoke"); r.do(inN(flow.Choose, 0)) }},
	{"result", func(r *rig) { r.do(in(flow.Wake)); doModule(r, 2, false, allRight) }},
	{"feedback", func(r *rig) { r.do(in(flow.Wake)); doModule(r, 2, false, allRight); r.do(in(flow.Finish)) }},
}

func TestIdleOnEveryScreen(t *testing.T) {
	for _, away := range []bool{false, true} {
		for _, sc := range screens {
			name := sc.name
			if away {
				name += " presence ended"
			}
			t.Run(name, func(t *testing.T) {
				r := newRig(t, flow.Options{})
				sc.to(r)
				before := r.st()
				timeout := flow.DefaultIdleTimeout
				if away {
					r.do(in(flow.PresenceEnd))
					timeout = flow.DefaultAwayTimeout
				}
				r.advance(timeout - time.Millisecond)
				if s := r.st(); s.StillThere || s.Screen != before.Screen {
					t.Fatalf("overlay too early: %+v", s)
				}
				r.advance(time.Millisecond)
				s := r.st()
				if !s.StillThere || s.Countdown != 10 || s.Screen != before.Screen {
					t.Fatalf("no overlay: %+v", s)
				}
				// The screen under the overlay keeps its state.
				if !slices.Equal(s.Picked, before.Picked) || s.Misses != before.Misses || s.Branch != before.Branch || s.StepIdx != before.StepIdx {
					t.Fatalf("state changed under the overlay: %+v vs %+v", s, before)
				}
				for want := 9; want >= 1; want-- {
					r.advance(time.Second)
					if s := r.st(); s.Countdown != want || !s.StillThere {
						t.Fatalf("countdown %d, want %d", s.Countdown, want)
					}
				}
				r.advance(time.Second)
				s = r.st()
				if s.Screen != flow.Attract || s.InSession || s.StillThere || s.Module != -1 || s.Done != nil ||
					s.Right != 0 || s.Questions != 0 || s.Picked != nil || s.Found != nil || s.Lang != "zh-CN" {
					t.Fatalf("not cleared: %+v", s)
				}
				es := r.events()
				last := es[len(es)-1]
				if last.Kind != wire.SessionEnd || last.Reason != wire.ReasonIdle || last.Lang != "zh-CN" {
					t.Fatalf("last event %+v", last)
				}
				// The next visit starts afresh.
				r.do(in(flow.Touch))
				if s := r.st(); s.Screen != flow.Home || slices.Contains(s.Done, true) {
					t.Fatalf("%+v", s)
				}
			})
		}
	}
}

func TestIdleDismiss(t *testing.T) {
	dismissers := []struct {
		name string
		in   flow.Input
	}{
		{"still here", in(flow.StillHere)},
		{"touch", in(flow.Touch)},
		{"button a", flow.Input{Kind: flow.Button, Name: "a"}},
		{"button OK upper case", flow.Input{Kind: flow.Button, Name: "OK"}},
		{"choose", inN(flow.Choose, 1)},
		{"next", in(flow.Next)},
		{"back", in(flow.Back)},
		{"home", in(flow.GoHome)},
		{"language", lang("en")},
	}
	for _, d := range dismissers {
		t.Run(d.name, func(t *testing.T) {
			r := newRig(t, flow.Options{})
			gotoStep(r, "fire-exit")
			r.advance(flow.DefaultIdleTimeout + 3*time.Second)
			if s := r.st(); !s.StillThere || s.Countdown != 7 {
				t.Fatalf("%+v", s)
			}
			r.do(d.in)
			s := r.st()
			if s.StillThere || s.Countdown != 0 || curStep(r).ID != "fire-exit" || s.Answered {
				t.Fatalf("the dismissing input acted or did not dismiss: %+v", s)
			}
			if d.in.Kind == flow.SetLang && s.Lang != "en" {
				t.Fatalf("language not applied: %+v", s)
			}
			// A full idle timeout again, from the dismissal.
			r.advance(flow.DefaultIdleTimeout - time.Millisecond)
			if r.st().StillThere {
				t.Fatal("overlay back too early")
			}
			r.advance(time.Millisecond)
			if !r.st().StillThere {
				t.Fatal("overlay not back")
			}
			if slices.Contains(r.kinds(), wire.SessionEnd) {
				t.Fatal("session ended")
			}
		})
	}
}

func TestIdlePresenceDoesNotDismissOrExtend(t *testing.T) {
	r := newRig(t, flow.Options{})
	r.do(in(flow.Wake))
	r.advance(50 * time.Second)
	r.do(in(flow.Wake)) // PIR retrigger: not a visitor input
	r.advance(10 * time.Second)
	if !r.st().StillThere {
		t.Fatal("presence extended the idle timeout")
	}
	r.do(in(flow.Wake), in(flow.PresenceEnd))
	if !r.st().StillThere {
		t.Fatal("presence dismissed the overlay")
	}
	r.advance(10 * time.Second)
	r.wantScreen(flow.Attract)
}

func TestIdleInputResetsTimer(t *testing.T) {
	r := newRig(t, flow.Options{IdleTimeout: 30 * time.Second, AwayTimeout: 5 * time.Second, Countdown: 3})
	r.do(in(flow.Wake))
	for range 5 {
		r.advance(29 * time.Second)
		r.do(in(flow.Touch))
	}
	if r.st().StillThere {
		t.Fatal("overlay despite touches")
	}
	// Presence ended 20 s after the last touch: the away timeout has passed
	// already, so the overlay shows at once.
	r.advance(20 * time.Second)
	r.do(in(flow.PresenceEnd))
	r.advance(0)
	if s := r.st(); !s.StillThere || s.Countdown != 3 {
		t.Fatalf("%+v", s)
	}
	r.do(in(flow.Touch))
	r.advance(5 * time.Second) // away timeout until the next presence.start
	if !r.st().StillThere {
		t.Fatal("away timeout not kept")
	}
	r.do(in(flow.Touch), in(flow.Wake)) // someone is there again: long timeout
	r.advance(29 * time.Second)
	if r.st().StillThere {
		t.Fatal("short timeout after presence.start")
	}
	r.advance(time.Second)
	r.advance(3 * time.Second)
	r.wantScreen(flow.Attract)
}

func TestIdleDuringThanks(t *testing.T) {
	r := newRig(t, flow.Options{IdleTimeout: 2 * time.Second, AwayTimeout: time.Second, ThanksFor: 8 * time.Second})
	r.do(in(flow.Wake))
	doModule(r, 2, false, allRight)
	r.do(in(flow.Finish), inN(flow.Rate, 1), in(flow.PresenceEnd))
	r.advance(7 * time.Second)
	if s := r.st(); s.Screen != flow.Thanks || s.StillThere || s.Rating != 1 {
		t.Fatalf("%+v", s)
	}
	r.advance(time.Second)
	r.wantScreen(flow.Attract)
	var ends []string
	for _, e := range r.events() {
		if e.Kind == wire.SessionEnd {
			ends = append(ends, e.Reason)
		}
	}
	if !slices.Equal(ends, []string{wire.ReasonFinished}) {
		t.Fatalf("session.end reasons %v", ends)
	}
}

func TestNoIdleOnAttract(t *testing.T) {
	r := newRig(t, flow.Options{})
	r.do(in(flow.PresenceEnd))
	r.advance(10 * time.Minute)
	if s := r.st(); s.StillThere || s.Screen != flow.Attract {
		t.Fatalf("%+v", s)
	}
	if n := len(r.events()); n != 0 {
		t.Fatalf("%d events", n)
	}
}

// presence.end before the session (the sensor missed a visitor standing
// still) does not shorten the new session's timeout.
func TestPresenceEndBeforeSession(t *testing.T) {
	r := newRig(t, flow.Options{})
	r.do(in(flow.Wake), in(flow.PresenceEnd))
	r.advance(flow.DefaultAwayTimeout + 10*time.Second + time.Second)
	r.wantScreen(flow.Attract)
	r.do(in(flow.PresenceEnd), in(flow.Touch))
	r.wantScreen(flow.Home)
	r.advance(flow.DefaultAwayTimeout)
	if r.st().StillThere {
		t.Fatal("short timeout in a session started by touch after presence.end")
	}
	r.advance(flow.DefaultIdleTimeout - flow.DefaultAwayTimeout)
	if !r.st().StillThere {
		t.Fatal("no overlay after the idle timeout")
	}
}
