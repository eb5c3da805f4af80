package flow_test

import (
	"slices"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
	"github.com/wufang-kiosk/wufang/kiosk/flow/flowtest"
)

func TestFullVisitByTouch(t *testing.T) {
	r := newRig(t, flow.Options{})
	r.wantScreen(flow.Attract)
	r.do(in(flow.Wake))
	r.wantScreen(flow.Home)
	doModule(r, 0, false, allRight)
	s := r.st()
	if s.Right != 5 || s.Questions != 5 || !s.Passed || s.Stars != 3 || !s.Done[0] {
		t.Fatalf("result %+v", s)
	}
	r.do(in(flow.Finish))
	r.wantScreen(flow.Feedback)
	r.do(inN(flow.Rate, 3))
	r.wantScreen(flow.Thanks)
	r.advance(flow.DefaultThanksFor - time.Millisecond)
	r.wantScreen(flow.Thanks)
	r.advance(time.Millisecond)
	r.wantScreen(flow.Attract)

	es := r.events()
	want := []wire.Kind{wire.SessionStart, wire.ModuleStart,
		wire.StepAnswer, wire.StepAnswer, wire.StepAnswer, wire.StepAnswer, wire.StepAnswer,
		wire.ModuleComplete, wire.Feedback, wire.SessionEnd}
	if got := kindsOf(es); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	steps := []string{"fire-exit", "fire-items", "fire-order", "fire-hazards", "fire-smoke"}
	for i, e := range es[2:7] {
		if e.Module != "fire" || e.Step != steps[i] || e.Correct == nil || !*e.Correct {
			t.Errorf("answer %d: %+v", i, e)
		}
	}
	mc := es[7]
	if mc.Module != "fire" || mc.Score != 5 || mc.Total != 5 || mc.Passed == nil || !*mc.Passed {
		t.Errorf("module.complete %+v", mc)
	}
	if es[8].Rating != 3 {
		t.Errorf("feedback %+v", es[8])
	}
	if e := es[9]; e.Reason != wire.ReasonFinished || e.Lang != "zh-CN" {
		t.Errorf("session.end %+v", e)
	}
	if es[0].Lang != "zh-CN" {
		t.Errorf("session.start %+v", es[0])
	}
	for _, e := range es {
		if e.V != wire.Version || e.Time.IsZero() {
			t.Errorf("event without version or time: %+v", e)
		}
	}
	// Seq grows with every change seen by OnChange.
	seen := r.seenStates()
	for i := 1; i < len(seen); i++ {
		if seen[i].Seq <= seen[i-1].Seq {
			t.Fatalf("Seq not increasing: %d then %d", seen[i-1].Seq, seen[i].Seq)
		}
	}
}

// Every module of the test pack, every step type, with the six buttons only.
func TestFullVisitByButtonsOnly(t *testing.T) {
	for _, right := range []bool{true, false} {
		r := newRig(t, flow.Options{})
		r.press(flow.BtnOK) // any button wakes
		r.wantScreen(flow.Home)
		for n := range r.pack.Mods {
			doModule(r, n, true, func(int, content.Step) bool { return right })
			if n < len(r.pack.Mods)-1 {
				pressFor(r, flow.ActHome, 0)
				r.wantScreen(flow.Home)
				if r.st().Cursor != n+1 {
					t.Errorf("cursor after module %d = %d, want the next one", n, r.st().Cursor)
				}
			}
		}
		// All done: OK on the result goes to feedback.
		if h, _ := r.st().Hint(flow.BtnOK); h.Action != flow.ActFinish {
			t.Fatalf("ok on the last result: %+v", h)
		}
		r.press(flow.BtnOK)
		r.wantScreen(flow.Feedback)
		r.press(flow.BtnB)
		r.wantScreen(flow.Thanks)
		r.press(flow.BtnOK)
		r.wantScreen(flow.Attract)
		var answers, complete int
		for _, e := range r.events() {
			switch e.Kind {
			case wire.StepAnswer:
				answers++
				if *e.Correct != right {
					t.Errorf("right=%v: %+v", right, e)
				}
			case wire.ModuleComplete:
				complete++
			case wire.Feedback:
				if e.Rating != 2 {
					t.Errorf("feedback %+v", e)
				}
			}
		}
		if answers != 6 || complete != 3 {
			t.Errorf("right=%v: %d answers, %d completions", right, answers, complete)
		}
	}
}

func TestScoring(t *testing.T) {
	rightExcept := func(wrong ...string) func(int, content.Step) bool {
		return func(_ int, st content.Step) bool { return !slices.Contains(wrong, st.ID) }
	}
	tests := []struct {
		name       string
		module     int
		buttons    bool
		right      func(int, content.Step) bool
		score, tot int
		passed     bool
		stars      int
	}{
		{"all right", 0, false, allRight, 5, 5, true, 3},
		{"one wrong passes at 60", 0, false, rightExcept("fire-order"), 4, 5, true, 2},
		{"two wrong: 3/5 = 60% passes", 0, true, rightExcept("fire-order", "fire-smoke"), 3, 5, true, 2},
		{"three wrong fails", 0, false, rightExcept("fire-exit", "fire-items", "fire-hazards"), 2, 5, false, 1},
		{"all wrong", 0, true, func(int, content.Step) bool { return false }, 0, 5, false, 1},
		{"pass score 100 missed", 1, false, func(int, content.Step) bool { return false }, 0, 1, false, 1},
		{"pass score 100 met", 1, true, allRight, 1, 1, true, 3},
		{"no questions", 2, false, allRight, 0, 0, true, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, flow.Options{})
			r.do(in(flow.Touch))
			doModule(r, tc.module, tc.buttons, tc.right)
			s := r.st()
			if s.Right != tc.score || s.Questions != tc.tot || s.Passed != tc.passed || s.Stars != tc.stars {
				t.Fatalf("got %d/%d passed %v stars %d, want %d/%d %v %d", s.Right, s.Questions, s.Passed, s.Stars, tc.score, tc.tot, tc.passed, tc.stars)
			}
			var mc wire.Event
			for _, e := range r.events() {
				if e.Kind == wire.ModuleComplete {
					mc = e
				}
			}
			if mc.Score != tc.score || mc.Total != tc.tot || *mc.Passed != tc.passed {
				t.Fatalf("module.complete %+v", mc)
			}
		})
	}
}

// gotoStep opens the fire module and moves on by touch to step id.
func gotoStep(r *rig, id string) {
	r.t.Helper()
	if r.st().Screen == flow.Attract {
		r.do(in(flow.Touch))
	}
	r.do(inN(flow.OpenModule, 0))
	for curStep(r).ID != id {
		solveTouch(r, true)
	}
}

func answers(r *rig) []wire.Event {
	var a []wire.Event
	for _, e := range r.events() {
		if e.Kind == wire.StepAnswer {
			a = append(a, e)
		}
	}
	return a
}

func TestChoiceSteps(t *testing.T) {
	t.Run("single answers at once, later choices ignored", func(t *testing.T) {
		r := newRig(t, flow.Options{})
		gotoStep(r, "fire-exit")
		r.choose(0)
		s := r.st()
		if !s.Answered || s.Correct || !slices.Equal(s.Selected, []int{0}) || s.Multi {
			t.Fatalf("%+v", s)
		}
		r.do(inN(flow.Choose, 1), inN(flow.Choose, 9), inN(flow.Choose, -1))
		if s := r.st(); s.Correct || !slices.Equal(s.Selected, []int{0}) {
			t.Fatalf("changed after answer: %+v", s)
		}
		if a := answers(r); len(a) != 1 || *a[0].Correct {
			t.Fatalf("answers %+v", a)
		}
	})
	t.Run("multi toggles and submits with next", func(t *testing.T) {
		r := newRig(t, flow.Options{})
		gotoStep(r, "fire-items")
		if !r.st().Multi {
			t.Fatal("not multi")
		}
		r.do(in(flow.Next)) // nothing selected: no submit
		if r.st().Answered {
			t.Fatal("submitted an empty selection")
		}
		r.choose(0)
		r.choose(1)
		r.choose(2)
		r.choose(1)
		if s := r.st(); !slices.Equal(s.Selected, []int{0, 2}) || s.Answered {
			t.Fatalf("%+v", s)
		}
		r.do(in(flow.Next))
		if s := r.st(); !s.Answered || !s.Correct {
			t.Fatalf("%+v", s)
		}
	})
	t.Run("multi partial is wrong", func(t *testing.T) {
		r := newRig(t, flow.Options{})
		gotoStep(r, "fire-items")
		r.choose(0)
		r.do(in(flow.Next))
		if s := r.st(); !s.Answered || s.Correct {
			t.Fatalf("%+v", s)
		}
	})
	t.Run("multi by buttons: ok submits only with a selection", func(t *testing.T) {
		r := newRig(t, flow.Options{})
		gotoStep(r, "fire-items")
		if _, ok := r.st().Hint(flow.BtnOK); ok {
			t.Fatal("ok offered with nothing selected")
		}
		pressFor(r, flow.ActChoose, shownPos(r, 0))
		pressFor(r, flow.ActChoose, shownPos(r, 2))
		r.press(flow.BtnOK)
		if s := r.st(); !s.Answered || !s.Correct {
			t.Fatalf("%+v", s)
		}
	})
}

func TestOrderStep(t *testing.T) {
	r := newRig(t, flow.Options{})
	gotoStep(r, "fire-order")
	s := r.st()
	sorted := slices.Sorted(slices.Values(s.Shuffle))
	if !slices.Equal(sorted, []int{0, 1, 2, 3, 4}) || slices.IsSorted(s.Shuffle) {
		t.Fatalf("shuffle %v", s.Shuffle)
	}
	right := orderAnswer(s.Shuffle, true)
	// The second item tried in the first slot goes back, named for the cue,
	// and slips the slot; tried again, it slips no other slot.
	r.do(inN(flow.Pick, right[1]), inN(flow.Pick, right[1]))
	if s := r.st(); len(s.Picked) != 0 || s.Wrong != right[1]+1 || s.Misses != 2 || !slices.Equal(s.Slips, []int{0}) || s.Answered {
		t.Fatalf("after a wrong item twice: picked %v wrong %d misses %d slips %v", s.Picked, s.Wrong, s.Misses, s.Slips)
	}
	// The right one goes in and clears the cue; picking it again does nothing.
	r.do(inN(flow.Pick, right[0]), inN(flow.Pick, right[0]))
	if s := r.st(); !slices.Equal(s.Picked, right[:1]) || s.Wrong != 0 || s.Misses != 2 {
		t.Fatalf("after the right item: picked %v wrong %d misses %d", s.Picked, s.Wrong, s.Misses)
	}
	// Back takes it out again; the slip stays (it was the first try).
	r.do(in(flow.Back))
	if s := r.st(); len(s.Picked) != 0 || s.Screen != flow.Step || curStep(r).ID != "fire-order" || s.Wrong != 0 || !slices.Equal(s.Slips, []int{0}) {
		t.Fatalf("back did not undo: %+v", s)
	}
	for _, p := range right {
		r.do(inN(flow.Pick, p))
	}
	if s := r.st(); !s.Answered || s.Correct || !slices.Equal(s.Picked, right) {
		t.Fatalf("finished after a slip: answered %v correct %v picked %v", s.Answered, s.Correct, s.Picked)
	}
	if a := answers(r); len(a) == 0 || a[len(a)-1].Step != "fire-order" || *a[len(a)-1].Correct {
		t.Fatalf("recorded %+v, want fire-order answered wrong last", a)
	}
	// Shuffle stays put for the visit of the step.
	if !slices.Equal(r.st().Shuffle, s.Shuffle) {
		t.Fatal("shuffle changed")
	}
}

// TestOrderUndoIsNoSlip: taking back a right item and placing it again is
// still a first try: the step is right.
func TestOrderUndoIsNoSlip(t *testing.T) {
	r := newRig(t, flow.Options{})
	gotoStep(r, "fire-order")
	right := orderAnswer(r.st().Shuffle, true)
	r.do(inN(flow.Pick, right[0]), inN(flow.Pick, right[1]), in(flow.Back), in(flow.Back))
	for _, p := range right {
		r.do(inN(flow.Pick, p))
	}
	if s := r.st(); !s.Answered || !s.Correct || s.Misses != 0 || len(s.Slips) != 0 {
		t.Fatalf("%+v", s)
	}
}

func TestOrderShuffleButtonReachable(t *testing.T) {
	// Whatever the shuffle, the right next item always has a letter.
	for seed := range uint64(200) {
		r := newRig(t, flow.Options{Rand: randFor(seed)})
		gotoStep(r, "fire-order")
		for _, p := range orderAnswer(r.st().Shuffle, true) {
			pressFor(r, flow.ActPick, p)
		}
		if !r.st().Correct {
			t.Fatalf("seed %d: %+v", seed, r.st())
		}
		r.m.Close()
	}
}

func TestHotspotStep(t *testing.T) {
	t.Run("misses up to the number of targets still right", func(t *testing.T) {
		r := newRig(t, flow.Options{})
		gotoStep(r, "fire-hazards")
		r.do(tap(0.5, 0.5))
		if s := r.st(); s.Misses != 1 || s.LastTap == nil || *s.LastTap != [2]float64{0.5, 0.5} {
			t.Fatalf("%+v", s)
		}
		r.do(tap(0.1, 0.1))
		if s := r.st(); !s.Found[0] || s.LastTap != nil || s.Answered {
			t.Fatalf("%+v", s)
		}
		r.do(tap(0.1, 0.1)) // already found: not a miss
		r.do(tap(0.4, 0.6), tap(0.96, 0.96))
		if s := r.st(); s.Misses != 2 || !s.Answered || !s.Correct || s.Revealed {
			t.Fatalf("%+v", s)
		}
	})
	t.Run("more misses than targets is wrong", func(t *testing.T) {
		r := newRig(t, flow.Options{})
		gotoStep(r, "fire-hazards")
		r.do(tap(0.5, 0.5), tap(0.5, 0.4), tap(0.4, 0.5), tap(0.1, 0.1), tap(0.8, 0.8))
		if s := r.st(); !s.Answered || s.Correct || s.Misses != 3 {
			t.Fatalf("%+v", s)
		}
	})
	t.Run("overlapping targets: a tap finds the one not found yet", func(t *testing.T) {
		r := newRig(t, flow.Options{})
		p := flowtest.Pack()
		tg := p.Mods[0].Steps[4].Targets
		tg[1] = content.Target{ID: "inner", X: 0.08, Y: 0.08, W: 0.05, H: 0.05} // inside the first
		r.m.SetPack(p)
		gotoStep(r, "fire-hazards")
		r.do(tap(0.1, 0.1), tap(0.1, 0.1))
		if s := r.st(); !s.Answered || !s.Correct || s.Misses != 0 {
			t.Fatalf("%+v", s)
		}
	})
	t.Run("taps outside the picture or NaN are ignored", func(t *testing.T) {
		r := newRig(t, flow.Options{})
		gotoStep(r, "fire-hazards")
		nan := 0.0
		nan = nan / nan
		r.do(tap(-0.1, 0.5), tap(1.5, 0.5), tap(nan, 0.5), tap(0.5, nan))
		if s := r.st(); s.Misses != 0 {
			t.Fatalf("%+v", s)
		}
	})
	t.Run("show me gives up", func(t *testing.T) {
		r := newRig(t, flow.Options{})
		gotoStep(r, "fire-hazards")
		r.do(tap(0.1, 0.1), in(flow.Next))
		if s := r.st(); !s.Answered || s.Correct || !s.Revealed {
			t.Fatalf("%+v", s)
		}
		r.do(in(flow.Next))
		if curStep(r).ID != "fire-smoke" {
			t.Fatal("did not go on")
		}
	})
	t.Run("revealed after many misses", func(t *testing.T) {
		r := newRig(t, flow.Options{})
		gotoStep(r, "fire-hazards")
		for range flow.RevealAfterMisses {
			r.do(tap(0.5, 0.5))
		}
		if s := r.st(); !s.Answered || s.Correct || !s.Revealed {
			t.Fatalf("%+v", s)
		}
	})
	t.Run("buttons: cursor wraps, check finds or misses", func(t *testing.T) {
		r := newRig(t, flow.Options{})
		gotoStep(r, "fire-hazards")
		if c := r.st().Cursor; c != 4 {
			t.Fatalf("cursor starts at %d, want the centre", c)
		}
		r.press(flow.BtnOK) // centre: nothing there
		if s := r.st(); s.Misses != 1 || s.LastTap == nil {
			t.Fatalf("%+v", s)
		}
		r.press(flow.BtnA, flow.BtnC) // left, up: cell 0
		if c := r.st().Cursor; c != 0 {
			t.Fatalf("cursor %d", c)
		}
		r.press(flow.BtnOK)
		r.press(flow.BtnA, flow.BtnC) // wraps to cell 8
		if c := r.st().Cursor; c != 8 {
			t.Fatalf("cursor %d", c)
		}
		r.press(flow.BtnOK)
		if s := r.st(); !s.Answered || !s.Correct {
			t.Fatalf("%+v", s)
		}
	})
}

func TestScenarioStep(t *testing.T) {
	r := newRig(t, flow.Options{})
	gotoStep(r, "fire-smoke")
	s := r.st()
	if s.Situation != "s1" || s.Branch != -1 || !slices.Equal(s.Path, []string{"s1"}) || !s.Intro {
		t.Fatalf("%+v", s)
	}
	r.do(inN(flow.Choose, 0)) // the set-up is shown: no choice yet
	if s := r.st(); s.Branch != -1 || !s.Intro {
		t.Fatalf("chose during the set-up: %+v", s)
	}
	r.do(in(flow.Next)) // the set-up read: the first situation
	r.do(in(flow.Next)) // no branch yet: nothing
	if s := r.st(); s.Intro || s.Situation != "s1" || s.Branch != -1 {
		t.Fatalf("%+v", s)
	}
	r.do(inN(flow.Choose, 5))
	if r.st().Branch != -1 {
		t.Fatal("out of range branch taken")
	}
	r.choose(0)
	r.do(inN(flow.Choose, 0), inN(flow.Choose, 1))
	if s := r.st(); s.Branch != 0 || s.Situation != "s1" {
		t.Fatalf("consequence stage: %+v", s)
	}
	r.do(in(flow.Next))
	if s := r.st(); s.Situation != "s2" || s.Branch != -1 || !slices.Equal(s.Path, []string{"s1", "s2"}) {
		t.Fatalf("%+v", s)
	}
	r.choose(2)
	r.do(in(flow.Next))
	if s := r.st(); s.Outcome != "bad" || !s.Answered || s.Correct {
		t.Fatalf("%+v", s)
	}
	r.do(in(flow.Next))
	r.wantScreen(flow.Result)
}

func TestBackAndHome(t *testing.T) {
	r := newRig(t, flow.Options{})
	gotoStep(r, "fire-items") // fire-exit answered right on the way
	r.do(in(flow.Back))
	if s := r.st(); curStep(r).ID != "fire-exit" || !s.Answered || !s.Correct {
		t.Fatalf("back to an answered step shows it answered: %+v", s)
	}
	r.do(inN(flow.Choose, 0)) // ignored: answered
	r.do(in(flow.Back), in(flow.Back))
	r.wantScreen(flow.Home)
	if s := r.st(); s.Module != -1 || s.Done[0] {
		t.Fatalf("%+v", s)
	}
	// Again: the run starts over and scores again.
	gotoStep(r, "fire-order")
	r.do(in(flow.GoHome))
	r.wantScreen(flow.Home)
	if n := len(answers(r)); n != 3 {
		t.Fatalf("%d answers, want 3 (1 in the first run, 2 in the second)", n)
	}
	// Answered steps are scored once even when revisited.
	gotoStep(r, "fire-order")
	r.do(in(flow.Back), in(flow.Next), in(flow.Next))
	if s := r.st(); s.Questions != 2 || s.Right != 2 {
		t.Fatalf("%+v", s)
	}
	// Result back, feedback back/home.
	r.do(in(flow.GoHome))
	doModule(r, 1, false, allRight)
	r.do(in(flow.Back))
	r.wantScreen(flow.Home)
	r.do(in(flow.Finish))
	r.wantScreen(flow.Feedback)
	r.do(in(flow.GoHome))
	r.wantScreen(flow.Home)
	r.do(in(flow.Finish), in(flow.Back))
	r.wantScreen(flow.Home)
}

func TestFinishWithoutModuleSkipsFeedback(t *testing.T) {
	r := newRig(t, flow.Options{})
	r.do(in(flow.Touch))
	r.press(flow.BtnD)
	r.wantScreen(flow.Thanks)
	if got := r.kinds(); !slices.Equal(got, []wire.Kind{wire.SessionStart, wire.SessionEnd}) {
		t.Fatalf("%v", got)
	}
}

func TestFeedbackSkip(t *testing.T) {
	r := newRig(t, flow.Options{})
	r.do(in(flow.Touch))
	doModule(r, 2, false, allRight)
	r.do(in(flow.Finish), in(flow.Next))
	r.wantScreen(flow.Thanks)
	if slices.Contains(r.kinds(), wire.Feedback) {
		t.Fatal("skip recorded feedback")
	}
}

func TestAttractSlides(t *testing.T) {
	r := newRig(t, flow.Options{})
	// Each slide in Chinese, then in English, for its time each (the first
	// slide 5 s, the others 8 s); the visit language stays the first.
	want := []struct {
		after time.Duration
		slide int
		lang  string
	}{{0, 0, "zh-CN"}, {4 * time.Second, 0, "zh-CN"}, {time.Second, 0, "en"}, {5 * time.Second, 1, "zh-CN"},
		{8 * time.Second, 1, "en"}, {8 * time.Second, 2, "zh-CN"}, {8 * time.Second, 2, "en"}, {8 * time.Second, 0, "zh-CN"}}
	for i, w := range want {
		r.advance(w.after)
		if s := r.st(); s.Slide != w.slide || s.SlideLang != w.lang || s.Lang != "zh-CN" {
			t.Fatalf("step %d: slide %d in %q (visit language %q), want %d in %q", i, s.Slide, s.SlideLang, s.Lang, w.slide, w.lang)
		}
	}
	// Waking stops the slides; the timer left behind must not move anything.
	r.do(in(flow.Wake))
	seq := r.st().Seq
	r.advance(30 * time.Second)
	if s := r.st(); s.Slide != 0 || s.SlideLang != "" || s.Seq != seq || s.Lang != "zh-CN" {
		t.Fatalf("slides moved in a session: %+v", s)
	}
	if got := r.kinds(); !slices.Equal(got, []wire.Kind{wire.SessionStart}) {
		t.Fatalf("%v", got)
	}
}

func TestVisitorToday(t *testing.T) {
	n := 0
	r := newRig(t, flow.Options{VisitorToday: func() int { n++; return 41 + n }})
	r.do(in(flow.Wake))
	r.events() // flush: the count is fetched after session.start is stored
	if s := r.st(); s.VisitorToday != 42 {
		t.Fatalf("VisitorToday %d", s.VisitorToday)
	}
	doModule(r, 2, false, allRight)
	if s := r.st(); s.VisitorToday != 42 {
		t.Fatalf("VisitorToday on result %d", s.VisitorToday)
	}
}

func TestWakeIgnoredInSession(t *testing.T) {
	r := newRig(t, flow.Options{})
	r.do(in(flow.Wake))
	gotoStep(r, "fire-exit")
	r.do(in(flow.Wake), in(flow.Wake))
	if curStep(r).ID != "fire-exit" {
		t.Fatal("wake moved the visit")
	}
	starts := 0
	for _, k := range r.kinds() {
		if k == wire.SessionStart {
			starts++
		}
	}
	if got := r.kinds(); got[len(got)-1] != wire.ModuleStart || starts != 1 {
		t.Fatalf("%v", got)
	}
}
