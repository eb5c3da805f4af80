package flow_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

// seeded is a rig whose module runs draw and shuffle from seed.
func seeded(t *testing.T, seed uint64, edit func(p *content.Pack)) *rig {
	t.Helper()
	return newRigWith(t, flow.Options{Rand: rand.New(rand.NewPCG(seed, seed^0x5eed))}, edit)
}

func isPerm(p []int, n int) bool {
	if len(p) != n {
		return false
	}
	s := slices.Sorted(slices.Values(p))
	for i, v := range s {
		if v != i {
			return false
		}
	}
	return true
}

// Over seeds, every option of a choice step and every branch of a scenario
// situation is shown in every position: the right answer is not always A.
func TestShuffleEveryOptionInEveryPosition(t *testing.T) {
	const seeds = 120
	opt := map[[2]int]bool{}    // fire-exit: option, position
	branch := map[[2]int]bool{} // fire-smoke s2: branch, position
	for seed := range uint64(seeds) {
		r := seeded(t, seed, nil)
		gotoStep(r, "fire-exit")
		o := r.st().Order
		if !isPerm(o, 3) {
			t.Fatalf("seed %d: order %v is not a permutation of the 3 options", seed, o)
		}
		for pos, i := range o {
			opt[[2]int{i, pos}] = true
		}
		for curStep(r).ID != "fire-smoke" {
			solveTouch(r, true)
		}
		r.do(in(flow.Next)) // the set-up
		r.choose(0)         // to s2
		r.do(in(flow.Next))
		if r.st().Situation != "s2" || !isPerm(r.st().Order, 3) {
			t.Fatalf("seed %d: %+v", seed, r.st())
		}
		for pos, i := range r.st().Order {
			branch[[2]int{i, pos}] = true
		}
	}
	for i := range 3 {
		for pos := range 3 {
			if !opt[[2]int{i, pos}] {
				t.Errorf("option %d of fire-exit never shown at position %d in %d seeds", i, pos, seeds)
			}
			if !branch[[2]int{i, pos}] {
				t.Errorf("branch %d of s2 never shown at position %d in %d seeds", i, pos, seeds)
			}
		}
	}
}

// The A–D buttons and a touch on the n-th card pick the n-th option as
// shown; what is recorded is the option, by id (or file position), never
// the position it was shown at.
func TestShuffleButtonsFollowShownOrder(t *testing.T) {
	ids := func(p *content.Pack) {
		o := p.Mods[0].Steps[1].Options // fire-exit: lift, stairs (right), window
		o[0].ID, o[1].ID, o[2].ID = "lift", "stairs", "window"
	}
	positions := map[int]bool{}
	for seed := range uint64(30) {
		for pos, btn := range []string{flow.BtnA, flow.BtnB, flow.BtnC} {
			r := seeded(t, seed, ids)
			gotoStep(r, "fire-exit")
			s := r.st()
			if h, ok := s.Hint(btn); !ok || h.Action != flow.ActChoose || h.N != pos {
				t.Fatalf("seed %d: button %s does %+v, want choose %d", seed, btn, h, pos)
			}
			want := s.Order[pos]
			r.press(btn)
			s = r.st()
			if !s.Answered || !slices.Equal(s.Selected, []int{want}) {
				t.Fatalf("seed %d: %s picked %v, want option %d (order %v)", seed, btn, s.Selected, want, s.Order)
			}
			wantID := []string{"lift", "stairs", "window"}[want]
			if !slices.Equal(s.Answer, []string{wantID}) || s.Correct != (wantID == "stairs") {
				t.Fatalf("seed %d: answer %v correct %v, want %s", seed, s.Answer, s.Correct, wantID)
			}
			if want == 1 {
				positions[pos] = true
			}
		}
	}
	if len(positions) != 3 {
		t.Errorf("the right option was only ever at positions %v", positions)
	}
	// Without ids an answer is named by its 1-based place in the file.
	r := seeded(t, 7, nil)
	gotoStep(r, "fire-exit")
	r.choose(2)
	if s := r.st(); !slices.Equal(s.Answer, []string{"3"}) {
		t.Errorf("answer %v, want [3]", s.Answer)
	}
	// A multi-answer choice names its options in file order.
	r = seeded(t, 7, nil)
	gotoStep(r, "fire-items")
	r.choose(2)
	r.choose(0)
	r.do(in(flow.Next))
	if s := r.st(); !s.Correct || !slices.Equal(s.Answer, []string{"1", "3"}) {
		t.Errorf("multi: correct %v answer %v", s.Correct, s.Answer)
	}
}

// shuffle: false keeps the file order, on every seed; going back to a step
// shows it in the order it had.
func TestShuffleFalseAndStableOrder(t *testing.T) {
	off := false
	fixed := func(p *content.Pack) {
		p.Mods[0].Steps[1].Shuffle = &off
		p.Mods[0].Steps[5].Shuffle = &off
	}
	for seed := range uint64(20) {
		r := seeded(t, seed, fixed)
		gotoStep(r, "fire-exit")
		if o := r.st().Order; !slices.Equal(o, []int{0, 1, 2}) {
			t.Fatalf("seed %d: shuffle: false shows %v", seed, o)
		}
		for curStep(r).ID != "fire-smoke" {
			solveTouch(r, true)
		}
		r.do(in(flow.Next))
		if o := r.st().Order; !slices.Equal(o, []int{0, 1}) {
			t.Fatalf("seed %d: scenario with shuffle: false shows %v", seed, o)
		}
	}
	r := seeded(t, 3, nil)
	gotoStep(r, "fire-items")
	before := r.st().Order
	r.do(in(flow.Back), in(flow.Next))
	if curStep(r).ID != "fire-items" || !slices.Equal(r.st().Order, before) {
		t.Errorf("order changed on coming back: %v, was %v", r.st().Order, before)
	}
}

// After a bad outcome the visitor can go back to the situation of the last
// choice and play on; only the first run is scored.
func TestScenarioRetry(t *testing.T) {
	r := seeded(t, 5, nil)
	gotoStep(r, "fire-smoke")
	r.do(in(flow.Next)) // set-up
	r.choose(0)         // s1 -> s2
	r.do(in(flow.Next))
	r.choose(1) // open the door: bad
	r.do(in(flow.Next))
	s := r.st()
	if s.Outcome != "bad" || !s.Answered || s.Correct || !slices.Equal(s.Answer, []string{"bad"}) {
		t.Fatalf("%+v", s)
	}
	if h, ok := s.Hint(flow.BtnA); !ok || h.Action != flow.ActRetry {
		t.Fatalf("no retry button after a bad outcome: %+v", s.Buttons)
	}
	right, questions := s.Right, s.Questions
	r.do(in(flow.Retry))
	s = r.st()
	if s.Answered || s.Outcome != "" || s.Situation != "s2" || s.Branch != -1 || s.Retries != 1 {
		t.Fatalf("retry did not go back to s2: %+v", s)
	}
	r.choose(0) // feel the door: good
	r.do(in(flow.Next))
	s = r.st()
	if s.Outcome != "good" || !s.Answered {
		t.Fatalf("%+v", s)
	}
	if s.Right != right || s.Questions != questions || !slices.Equal(s.Answer, []string{"bad"}) {
		t.Fatalf("the second run was scored: right %d/%d (was %d/%d), answer %v", s.Right, s.Questions, right, questions, s.Answer)
	}
	if _, ok := s.Hint(flow.BtnA); ok {
		t.Fatal("retry offered after a good outcome")
	}
	r.do(in(flow.Retry)) // nothing after a good outcome
	if r.st().Outcome != "good" {
		t.Fatal("retried a good outcome")
	}
	var smoke []wire.Event
	for _, e := range answers(r) {
		if e.Step == "fire-smoke" {
			smoke = append(smoke, e)
		}
	}
	if len(smoke) != 1 || *smoke[0].Correct {
		t.Fatalf("step.answer events for the scenario: %+v, want one, wrong", smoke)
	}
	// By buttons: a tries again, ok goes on.
	r = seeded(t, 5, nil)
	gotoStep(r, "fire-smoke")
	pressFor(r, flow.ActNext, 0)
	pressFor(r, flow.ActChoose, shownPos(r, 1)) // run: bad
	pressFor(r, flow.ActNext, 0)
	pressFor(r, flow.ActRetry, 0)
	if s := r.st(); s.Situation != "s1" || s.Answered {
		t.Fatalf("%+v", s)
	}
	solveButtons(r, true)
	r.wantScreen(flow.Result)
	if s := r.st(); s.Right != 4 || s.Questions != 5 {
		t.Fatalf("score %d/%d, want 4/5: the scenario counts as first answered", s.Right, s.Questions)
	}
}

// bank puts fire's order step, hotspot and a copy of the choice in one bank.
func bank(draw int) func(p *content.Pack) {
	return func(p *content.Pack) {
		f := p.Mods[0]
		extra := f.Steps[1]
		extra.ID = "fire-exit-2"
		f.Steps = slices.Insert(f.Steps, 3, extra) // lesson, exit, items, exit-2, order, hotspot, smoke
		for i := 3; i <= 5; i++ {
			f.Steps[i].Bank = "check"
		}
		if draw != 1 {
			f.Banks = []content.Bank{{ID: "check", Draw: draw}}
		}
	}
}

// A visit draws the bank's steps per module run, keeps file order and every
// step outside the bank; over seeds every step of the bank is drawn.
func TestDrawFromBank(t *testing.T) {
	for _, draw := range []int{1, 2} {
		t.Run(fmt.Sprint("draw ", draw), func(t *testing.T) {
			drawn := map[string]int{}
			for seed := range uint64(40) {
				r := seeded(t, seed, bank(draw))
				r.do(in(flow.Touch), inN(flow.OpenModule, 0))
				v := r.st().Visit
				if len(v) != 4+draw || !slices.IsSorted(v) {
					t.Fatalf("seed %d: visit %v, want 4 steps and %d of the bank, in file order", seed, v, draw)
				}
				steps := r.pack.Mods[0].Steps
				var ids []string
				for _, i := range v {
					ids = append(ids, steps[i].ID)
					if steps[i].Bank != "" {
						drawn[steps[i].ID]++
					}
				}
				for _, id := range []string{"fire-lesson", "fire-exit", "fire-items", "fire-smoke"} {
					if !slices.Contains(ids, id) {
						t.Fatalf("seed %d: %s left out of %v", seed, id, ids)
					}
				}
				// Walking the module shows exactly the drawn steps; only they are scored.
				var shown []string
				for r.st().Screen == flow.Step {
					if s := r.st(); s.Pos != len(shown) || s.StepIdx != v[s.Pos] {
						t.Fatalf("seed %d: pos %d step %d, visit %v", seed, s.Pos, s.StepIdx, v)
					}
					shown = append(shown, curStep(r).ID)
					solveTouch(r, true)
				}
				if !slices.Equal(shown, ids) || r.st().Questions != len(ids)-1 {
					t.Fatalf("seed %d: shown %v (%d questions), drawn %v", seed, shown, r.st().Questions, ids)
				}
			}
			for _, id := range []string{"fire-exit-2", "fire-order", "fire-hazards"} {
				if drawn[id] == 0 {
					t.Errorf("%s never drawn in 40 seeds (%v)", id, drawn)
				}
			}
		})
	}
}

// A tap on a decoy says it is safe and is no miss; the next miss or find
// replaces the message.
func TestHotspotDecoy(t *testing.T) {
	withDecoy := func(p *content.Pack) {
		h := &p.Mods[0].Steps[4]
		h.Decoys = []content.Target{{ID: "kettle", Label: content.Text{"zh-CN": "水壶", "en": "A kettle"}, X: 0.75, Y: 0.05, W: 0.2, H: 0.2}}
	}
	r := seeded(t, 1, withDecoy)
	gotoStep(r, "fire-hazards")
	r.do(tap(0.85, 0.15))
	if s := r.st(); s.Decoy != 1 || s.Misses != 0 || s.LastTap != nil || s.Answered {
		t.Fatalf("decoy tap: %+v", s)
	}
	r.do(tap(0.5, 0.5)) // nothing there
	if s := r.st(); s.Decoy != 0 || s.Misses != 1 {
		t.Fatalf("miss after decoy: %+v", s)
	}
	r.do(tap(0.85, 0.15), tap(0.1, 0.1), tap(0.85, 0.85))
	if s := r.st(); !s.Answered || !s.Correct || s.Misses != 1 || s.Decoy != 0 {
		t.Fatalf("%+v", s)
	}
	// Buttons: the top-right cell holds the decoy only.
	r = seeded(t, 1, withDecoy)
	gotoStep(r, "fire-hazards")
	moveTo(r, 2)
	pressFor(r, flow.ActCheck, 0)
	if s := r.st(); s.Decoy != 1 || s.Misses != 0 {
		t.Fatalf("decoy by buttons: %+v", s)
	}
}
