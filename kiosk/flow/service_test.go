package flow_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
	"github.com/wufang-kiosk/wufang/kiosk/flow/flowtest"
)

// nineToFive is open 09:00–17:00 every day.
func nineToFive(t time.Time) bool { return t.Hour() >= 9 && t.Hour() < 17 }

func TestOpeningHours(t *testing.T) {
	clk := flowtest.NewClock(time.Date(2026, 11, 26, 8, 58, 30, 0, time.UTC))
	r := newRig(t, flow.Options{Clock: clk, IsOpen: nineToFive})
	r.wantScreen(flow.Closed)
	if len(r.st().Buttons) != 0 {
		t.Fatalf("buttons on the closed screen: %+v", r.st().Buttons)
	}
	// Presence and touches do nothing while closed.
	r.do(in(flow.Wake), in(flow.Touch), flow.Input{Kind: flow.Button, Name: "ok"}, inN(flow.OpenModule, 0), in(flow.Next))
	r.wantScreen(flow.Closed)
	r.advance(time.Minute) // 08:59:30
	r.wantScreen(flow.Closed)
	r.advance(time.Minute) // 09:00:30: the minute check opens
	r.wantScreen(flow.Attract)
	r.advance(5 * time.Second) // the first slide, in Chinese, then in English
	if s := r.st(); s.Slide != 0 || s.SlideLang != "en" {
		t.Fatalf("slides do not run after opening: slide %d in %q", s.Slide, s.SlideLang)
	}
	if n := len(r.events()); n != 0 {
		t.Fatalf("%d events while closed", n)
	}

	// A visit at closing time finishes; the kiosk closes when it ends.
	clk.Set(time.Date(2026, 11, 26, 16, 59, 0, 0, time.UTC))
	r.do(in(flow.Wake))
	r.wantScreen(flow.Home)
	r.do(inN(flow.OpenModule, 1))
	r.advance(61 * time.Second) // 17:00:01, closed: the overlay shows after 60 s …
	if s := r.st(); s.Screen != flow.Step || !s.StillThere {
		t.Fatalf("%+v", s)
	}
	r.do(in(flow.StillHere), inN(flow.Choose, 0), in(flow.Next))
	r.wantScreen(flow.Result)
	r.do(in(flow.Finish), inN(flow.Rate, 3))
	r.wantScreen(flow.Thanks)
	r.advance(flow.DefaultThanksFor)
	r.wantScreen(flow.Closed)
	es := r.events()
	if got := kindsOf(es); !slices.Equal(got, []wire.Kind{wire.SessionStart, wire.ModuleStart, wire.StepAnswer, wire.ModuleComplete, wire.Feedback, wire.SessionEnd}) {
		t.Fatalf("%v", got)
	}

	// A wake between two minute checks after closing is refused at once.
	clk.Set(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))
	r.wantScreen(flow.Closed)
	clk.Set(time.Date(2026, 11, 27, 16, 59, 50, 0, time.UTC))
	r.wantScreen(flow.Attract)
	clk.Set(time.Date(2026, 11, 27, 17, 0, 5, 0, time.UTC)) // before the next check
	r.do(in(flow.Wake))
	r.wantScreen(flow.Closed)

	// An idle session ending after hours also closes.
	clk.Set(time.Date(2026, 11, 28, 16, 59, 59, 0, time.UTC))
	r.do(in(flow.Wake))
	r.wantScreen(flow.Home)
	r.advance(flow.DefaultIdleTimeout + 10*time.Second)
	r.wantScreen(flow.Closed)
}

func TestSetPackMidSession(t *testing.T) {
	r := newRig(t, flow.Options{})
	gotoStep(r, "fire-hazards")
	r.do(in(flow.PresenceEnd))
	small := flowtest.Pack()
	small.Mods = small.Mods[1:2]
	small.Modules = small.Modules[1:2]
	small.Languages = []string{"en", "zh-CN"}
	r.m.SetPack(small)
	s := r.st()
	if s.Screen != flow.Attract || s.InSession || s.Module != -1 || s.Lang != "en" || r.m.Pack() != small {
		t.Fatalf("%+v", s)
	}
	es := r.events()
	if e := es[len(es)-1]; e.Kind != wire.SessionEnd || e.Reason != flow.ReasonPack {
		t.Fatalf("%+v", e)
	}
	// Old timers must not act on the new pack.
	r.advance(time.Hour)
	if s := r.st(); s.Screen != flow.Attract || s.StillThere {
		t.Fatalf("%+v", s)
	}
	r.do(in(flow.Touch), inN(flow.OpenModule, 1), inN(flow.OpenModule, 0))
	if curStep(r).ID != "traffic-light" {
		t.Fatal("wrong module")
	}
	// nil and empty packs are safe.
	r.m.SetPack(nil)
	r.do(in(flow.Touch), inN(flow.OpenModule, 0), in(flow.Next), flow.Input{Kind: flow.Button, Name: "ok"}, in(flow.Finish))
	if s := r.st(); s.Screen != flow.Thanks {
		t.Fatalf("%+v", s)
	}
	// SetPack on Thanks or Attract records no session.end.
	n := len(r.events())
	r.m.SetPack(flowtest.Pack())
	r.m.SetPack(flowtest.Pack())
	if len(r.events()) != n {
		t.Fatal("session.end without a session")
	}
}

// A module with steps broken in ways the validator refuses must not trap or
// crash the machine.
func TestBrokenPack(t *testing.T) {
	p := flowtest.Pack()
	p.Mods[1].Steps = []content.Step{
		{ID: "no-options", Type: content.Choice},
		{ID: "no-items", Type: content.Order},
		{ID: "no-targets", Type: content.Hotspot},
		{ID: "no-start", Type: content.Scenario, Start: "nowhere"},
		{ID: "dangling", Type: content.Scenario, Start: "a", Situations: []content.Situation{
			{ID: "a", Choices: []content.Branch{{Next: "missing"}, {Outcome: "missing"}, {}}},
		}},
		{ID: "future", Type: "video"},
	}
	p.Mods[2] = nil
	for _, buttons := range []bool{false, true} {
		r := newRig(t, flow.Options{})
		r.m.SetPack(p)
		r.do(in(flow.Touch), inN(flow.OpenModule, 2)) // nil module: ignored
		r.wantScreen(flow.Home)
		r.do(inN(flow.OpenModule, 1))
		for i := 0; r.st().Screen == flow.Step && i < 50; i++ {
			if buttons {
				s := r.st()
				if h, ok := s.Hint(flow.BtnOK); ok {
					r.press(h.Button)
				} else {
					r.press(flow.BtnA, flow.BtnOK)
				}
				continue
			}
			r.do(in(flow.Touch), inN(flow.Choose, 0), inN(flow.Pick, 0), tap(0.5, 0.5), in(flow.Next))
		}
		r.wantScreen(flow.Result)
		r.press(flow.BtnA, flow.BtnD, flow.BtnOK)
		r.wantScreen(flow.Thanks)
	}
}

func TestRecorderNeverBlocksDispatch(t *testing.T) {
	gate := make(chan struct{})
	rec := &flowtest.Recorder{Gate: gate}
	r := newRig(t, flow.Options{Recorder: rec, QueueSize: 4})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 50 {
			r.do(in(flow.Touch))
			r.do(inN(flow.OpenModule, 2), in(flow.Next), in(flow.Finish), inN(flow.Rate, 2), in(flow.Next))
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Dispatch blocked on a stuck recorder")
	}
	st := r.m.RecorderStats()
	if st.Dropped == 0 || st.Recorded != 0 {
		t.Fatalf("%+v", st)
	}
	close(gate)
	r.m.Close()
	st = r.m.RecorderStats()
	// Five events a visit: 50 visits, at most the queue plus the one in Record got through.
	if st.Recorded+st.Dropped != 250 || st.Recorded > 5 {
		t.Fatalf("%+v", st)
	}
	if got := len(rec.Events()); uint64(got) != st.Recorded {
		t.Fatalf("%d events, stats %+v", got, st)
	}
}

func TestRecorderFailuresCounted(t *testing.T) {
	rec := &flowtest.Recorder{Err: errors.New("disk full")}
	r := newRig(t, flow.Options{Recorder: rec})
	r.do(in(flow.Touch), in(flow.Finish))
	r.m.Close()
	if st := r.m.RecorderStats(); st.Failed != 2 || st.Recorded != 0 || st.Dropped != 0 {
		t.Fatalf("%+v", st)
	}
	r.do(in(flow.Touch)) // after Close: ignored, no panic
}

// goroutineRecorder notes whether Record ran on the goroutine that is
// blocked in Dispatch: it blocks until Dispatch has returned.
type goroutineRecorder struct {
	mu       sync.Mutex
	returned chan struct{}
	sawBlock bool
}

func (g *goroutineRecorder) Record(ctx context.Context, e wire.Event) error {
	select {
	case <-g.returned:
	case <-time.After(5 * time.Second):
		g.mu.Lock()
		g.sawBlock = true
		g.mu.Unlock()
	}
	return nil
}

func TestRecordOffDispatchGoroutine(t *testing.T) {
	g := &goroutineRecorder{returned: make(chan struct{})}
	r := newRig(t, flow.Options{Recorder: g})
	r.do(in(flow.Wake)) // would deadlock 5 s if Record ran here
	close(g.returned)
	r.m.Close()
	if g.sawBlock {
		t.Fatal("Record ran on the dispatching goroutine")
	}
	if st := r.m.RecorderStats(); st.Recorded != 1 {
		t.Fatalf("%+v", st)
	}
}

func TestCloseFlushes(t *testing.T) {
	rec := &flowtest.Recorder{}
	m := flow.New(flowtest.Pack(), flow.Options{Recorder: rec, Clock: flowtest.NewClock(t0)})
	for range 20 {
		m.Dispatch(in(flow.Touch))
		m.Dispatch(inN(flow.OpenModule, 2))
		m.Dispatch(in(flow.Next))
		m.Dispatch(in(flow.Finish))
		m.Dispatch(inN(flow.Rate, 3))
		m.Dispatch(in(flow.Next))
	}
	m.Close()
	m.Close()
	if n := len(rec.Events()); n != 100 {
		t.Fatalf("%d events after Close, want 100 (5 a visit)", n)
	}
}

func TestOnChangeOutsideLock(t *testing.T) {
	r := newRig(t, flow.Options{})
	calls := 0
	r.m.OnChange(func(s flow.State) {
		calls++
		_ = r.m.State() // would deadlock if called under the lock
		if s.Screen == flow.Home && calls == 1 {
			r.m.Dispatch(inN(flow.OpenModule, 2)) // re-entrant dispatch is fine
		}
	})
	r.do(in(flow.Touch))
	if s := r.st(); s.Screen != flow.Step || calls != 2 {
		t.Fatalf("calls %d, %+v", calls, s)
	}
	// No change, no call.
	r.do(in(flow.Choose), inN(flow.Pick, 3))
	if calls != 2 {
		t.Fatalf("called without a change: %d", calls)
	}
}

type panicRecorder struct{}

func (panicRecorder) Record(context.Context, wire.Event) error { panic("store on fire") }

// A recorder or VisitorToday that panics costs the events, not the kiosk.
func TestRecorderPanics(t *testing.T) {
	r := newRig(t, flow.Options{Recorder: panicRecorder{}, VisitorToday: func() int { panic("no store") }})
	r.do(in(flow.Wake), in(flow.Finish))
	r.m.Close()
	if st := r.m.RecorderStats(); st.Failed != 2 || st.Recorded != 0 {
		t.Fatalf("%+v", st)
	}
	r.wantScreen(flow.Thanks)
}

type panicSource struct{ after int }

func (p *panicSource) Uint64() uint64 {
	p.after--
	if p.after < 0 {
		panic("entropy ran out")
	}
	return uint64(p.after)
}

// A panic inside the machine (here from its random source while a module
// opens and draws its seed) is logged and the kiosk goes back to the
// attract loop, unlocked and working.
func TestPanicInsideRecovers(t *testing.T) {
	r := newRig(t, flow.Options{Rand: rand.New(&panicSource{after: 1})})
	r.do(in(flow.Wake), inN(flow.OpenModule, 0))
	r.do(in(flow.Next), in(flow.Next))
	if curStep(r).ID != "fire-exit" {
		t.Fatalf("%+v", r.st())
	}
	r.do(in(flow.GoHome), inN(flow.OpenModule, 0)) // the second seed: panic
	r.wantScreen(flow.Attract)
	es := r.events()
	if e := es[len(es)-1]; e.Kind != wire.SessionEnd || len(es) != 3 {
		t.Fatalf("%v", kindsOf(es))
	}
	r.do(in(flow.Wake))
	r.wantScreen(flow.Home)
}

func TestIsOpenPanicsCountsAsOpen(t *testing.T) {
	r := newRig(t, flow.Options{IsOpen: func(time.Time) bool { panic("bad schedule") }})
	r.wantScreen(flow.Attract)
	r.do(in(flow.Wake))
	r.wantScreen(flow.Home)
	r.advance(5 * time.Minute)
}
