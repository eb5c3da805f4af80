package flow_test

import (
	"log/slog"
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

// t0 is a Thursday morning, inside any reasonable opening hours.
var t0 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

type rig struct {
	t    testing.TB
	m    *flow.Machine
	clk  *flowtest.Clock
	rec  *flowtest.Recorder
	pack *content.Pack
	mu   sync.Mutex
	seen []flow.State // every state passed to OnChange
}

func (r *rig) seenStates() []flow.State {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.seen)
}

func newRig(t testing.TB, opts flow.Options) *rig {
	t.Helper()
	return newRigWith(t, opts, nil)
}

// newRigWith is newRig on flowtest.Pack changed by edit first.
func newRigWith(t testing.TB, opts flow.Options, edit func(p *content.Pack)) *rig {
	t.Helper()
	r := &rig{t: t, clk: flowtest.NewClock(t0), rec: &flowtest.Recorder{}, pack: flowtest.Pack()}
	if edit != nil {
		edit(r.pack)
	}
	if opts.Clock == nil {
		opts.Clock = r.clk
	} else {
		r.clk = opts.Clock.(*flowtest.Clock)
	}
	if opts.Recorder == nil {
		opts.Recorder = r.rec
	}
	opts.Logger = slog.New(slog.DiscardHandler)
	if opts.Rand == nil {
		opts.Rand = rand.New(rand.NewPCG(1, 2))
	}
	r.m = flow.New(r.pack, opts)
	r.m.OnChange(func(s flow.State) {
		r.mu.Lock()
		r.seen = append(r.seen, s)
		r.mu.Unlock()
	})
	t.Cleanup(r.m.Close)
	return r
}

func (r *rig) do(ins ...flow.Input) {
	for _, in := range ins {
		r.m.Dispatch(in)
	}
}

func (r *rig) press(names ...string) {
	for _, n := range names {
		r.m.Dispatch(flow.Input{Kind: flow.Button, Name: n})
	}
}

func (r *rig) st() flow.State { return r.m.State() }

func (r *rig) advance(d time.Duration) { r.clk.Advance(d) }

// events flushes the recorder queue and returns what reached the recorder.
func (r *rig) events() []wire.Event {
	r.t.Helper()
	if !r.m.Flush(5 * time.Second) {
		r.t.Fatal("recorder queue did not flush")
	}
	return r.rec.Events()
}

func (r *rig) kinds() []wire.Kind {
	var k []wire.Kind
	for _, e := range r.events() {
		k = append(k, e.Kind)
	}
	return k
}

func (r *rig) wantScreen(s flow.Screen) {
	r.t.Helper()
	if got := r.st().Screen; got != s {
		r.t.Fatalf("screen = %s, want %s (state %+v)", got, s, r.st())
	}
}

func in(k flow.InputKind) flow.Input         { return flow.Input{Kind: k} }
func inN(k flow.InputKind, n int) flow.Input { return flow.Input{Kind: k, N: n} }
func lang(l string) flow.Input               { return flow.Input{Kind: flow.SetLang, Lang: l} }
func tap(x, y float64) flow.Input            { return flow.Input{Kind: flow.TapAt, X: x, Y: y} }
func kindsOf(es []wire.Event) (k []wire.Kind) {
	for _, e := range es {
		k = append(k, e.Kind)
	}
	return k
}

// --- solvers: drive a step to its end, by touch or by buttons alone ---

// solveTouch answers the current step by touch, right or wrong, and leaves
// it answered (or, for a lesson, moves on).
func solveTouch(r *rig, right bool) {
	r.t.Helper()
	s := r.st()
	st := curStep(r)
	switch s.StepType {
	case content.Lesson:
		r.do(in(flow.Next))
		return
	case content.Choice:
		sel := choiceAnswer(st, right)
		for _, i := range sel {
			r.do(inN(flow.Choose, shownPos(r, i)))
		}
		if s.Multi {
			r.do(in(flow.Next))
		}
	case content.Order:
		for _, pos := range orderAnswer(s.Shuffle, right) {
			r.do(inN(flow.Pick, pos))
		}
	case content.Hotspot:
		if !right {
			r.do(in(flow.Next)) // show me
			break
		}
		for _, tg := range st.Targets {
			r.do(tap(tg.X+tg.W/2, tg.Y+tg.H/2))
		}
	case content.Scenario:
		if r.st().Intro {
			r.do(in(flow.Next))
		}
		for i := 0; !r.st().Answered && i < 20; i++ {
			r.do(inN(flow.Choose, shownPos(r, branchFor(st, r.st().Situation, right))), in(flow.Next))
		}
	}
	if !r.st().Answered {
		r.t.Fatalf("step %s not answered: %+v", st.ID, r.st())
	}
	if r.st().Correct != right {
		r.t.Fatalf("step %s: Correct = %v, want %v", st.ID, r.st().Correct, right)
	}
	r.do(in(flow.Next))
}

// solveButtons does the same with physical buttons only, finding them
// through the state's button hints.
func solveButtons(r *rig, right bool) {
	r.t.Helper()
	s := r.st()
	st := curStep(r)
	switch s.StepType {
	case content.Choice:
		for _, i := range choiceAnswer(st, right) {
			pressFor(r, flow.ActChoose, shownPos(r, i))
		}
		if s.Multi {
			pressFor(r, flow.ActSubmit, 0)
		}
	case content.Order:
		for _, pos := range orderAnswer(s.Shuffle, right) {
			pressFor(r, flow.ActPick, pos)
		}
	case content.Hotspot:
		if !right {
			for i := 0; !r.st().Answered && i < 2*flow.RevealAfterMisses; i++ {
				moveTo(r, missCell(st))
				pressFor(r, flow.ActCheck, 0)
			}
			break
		}
		// A check finds the first unfound target in the cell, which may be
		// another one than aimed at: go round until all are found.
		for range len(st.Targets) {
			for i, tg := range st.Targets {
				if r.st().Answered || r.st().Found[i] {
					continue
				}
				moveTo(r, cellOf(tg))
				pressFor(r, flow.ActCheck, 0)
			}
		}
	case content.Scenario:
		if r.st().Intro {
			pressFor(r, flow.ActNext, 0)
		}
		for i := 0; !r.st().Answered && i < 20; i++ {
			pressFor(r, flow.ActChoose, shownPos(r, branchFor(st, r.st().Situation, right)))
			pressFor(r, flow.ActNext, 0)
		}
	}
	if st.Type != content.Lesson {
		if !r.st().Answered || r.st().Correct != right {
			r.t.Fatalf("step %s by buttons: answered %v correct %v, want correct %v", st.ID, r.st().Answered, r.st().Correct, right)
		}
	}
	pressFor(r, flow.ActNext, 0)
}

// shownPos is where option (or branch) i of the file is shown now.
func shownPos(r *rig, i int) int {
	r.t.Helper()
	for pos, j := range r.st().Order {
		if j == i {
			return pos
		}
	}
	r.t.Fatalf("option %d is not shown (order %v)", i, r.st().Order)
	return -1
}

// choose chooses option (or branch) i of the file, wherever it is shown.
func (r *rig) choose(i int) {
	r.t.Helper()
	r.do(inN(flow.Choose, shownPos(r, i)))
}

// pressFor presses the button whose hint is action a on n.
func pressFor(r *rig, a flow.Action, n int) {
	r.t.Helper()
	for _, h := range r.st().Buttons {
		if h.Action == a && h.N == n {
			r.press(h.Button)
			return
		}
	}
	r.t.Fatalf("no button for %s %d on %+v", a, n, r.st())
}

func curStep(r *rig) *content.Step {
	r.t.Helper()
	s := r.st()
	if s.Screen != flow.Step {
		r.t.Fatalf("not on a step: %+v", s)
	}
	return &r.m.Pack().Mods[s.Module].Steps[s.StepIdx]
}

func choiceAnswer(st *content.Step, right bool) []int {
	var sel []int
	for i, o := range st.Options {
		if o.Correct == right {
			sel = append(sel, i)
		}
	}
	if !right && len(sel) > 1 && choiceRight(st) == 1 {
		sel = sel[:1] // one right option: the first choice answers
	}
	return sel
}

func choiceRight(st *content.Step) int {
	n := 0
	for _, o := range st.Options {
		if o.Correct {
			n++
		}
	}
	return n
}

// orderAnswer is the display positions to pick: the right order, or, for
// a wrong answer, first a wrong item for the first slot (it goes back)
// and then the right order. The wrong one is shown first or second, so
// button A or B reaches it.
func orderAnswer(shuffle []int, right bool) []int {
	pos := make([]int, len(shuffle))
	for p, item := range shuffle {
		pos[item] = p
	}
	if right || len(shuffle) < 2 {
		return pos
	}
	wrong := 0
	if shuffle[0] == 0 {
		wrong = 1
	}
	return append([]int{wrong}, pos...)
}

// branchFor picks a branch of the situation leading (eventually) to a good
// outcome, or to a bad one.
func branchFor(st *content.Step, sit string, good bool) int {
	var leads func(id string, depth int) bool
	leads = func(id string, depth int) bool {
		if depth > 20 {
			return false
		}
		for _, s := range st.Situations {
			if s.ID != id {
				continue
			}
			for _, b := range s.Choices {
				if goodBranch(st, b, depth, leads) {
					return true
				}
			}
		}
		return false
	}
	for _, s := range st.Situations {
		if s.ID != sit {
			continue
		}
		for i, b := range s.Choices {
			if goodBranch(st, b, 0, leads) == good {
				return i
			}
		}
	}
	return 0
}

func goodBranch(st *content.Step, b content.Branch, depth int, leads func(string, int) bool) bool {
	if b.Outcome != "" {
		for _, o := range st.Outcomes {
			if o.ID == b.Outcome {
				return o.Good
			}
		}
		return false
	}
	return leads(b.Next, depth+1)
}

func cellOf(tg content.Target) int {
	col := min(int((tg.X+tg.W/2)*flow.HotspotGrid), flow.HotspotGrid-1)
	row := min(int((tg.Y+tg.H/2)*flow.HotspotGrid), flow.HotspotGrid-1)
	return row*flow.HotspotGrid + col
}

// missCell is a grid cell that no target or decoy overlaps (every pack
// tested has one).
func missCell(st *content.Step) int {
	const g = float64(flow.HotspotGrid)
	for c := range flow.HotspotGrid * flow.HotspotGrid {
		x0, y0 := float64(c%flow.HotspotGrid)/g, float64(c/flow.HotspotGrid)/g
		hit := false
		for _, t := range append(slices.Clone(st.Targets), st.Decoys...) { // a decoy is no miss either
			if t.X < x0+1/g && t.X+t.W > x0 && t.Y < y0+1/g && t.Y+t.H > y0 {
				hit = true
			}
		}
		if !hit {
			return c
		}
	}
	return 0
}

func moveTo(r *rig, cell int) {
	r.t.Helper()
	for i := 0; r.st().Cursor%flow.HotspotGrid != cell%flow.HotspotGrid; i++ {
		pressFor(r, flow.ActRight, 0)
		if i > flow.HotspotGrid {
			r.t.Fatal("cursor does not move right")
		}
	}
	for i := 0; r.st().Cursor/flow.HotspotGrid != cell/flow.HotspotGrid; i++ {
		pressFor(r, flow.ActDown, 0)
		if i > flow.HotspotGrid {
			r.t.Fatal("cursor does not move down")
		}
	}
}

// openWithButtons highlights tile n on Home and opens it.
func openWithButtons(r *rig, n int) {
	r.t.Helper()
	for i := 0; r.st().Cursor != n; i++ {
		pressFor(r, flow.ActNextTile, 0)
		if i > len(r.m.Pack().Mods) {
			r.t.Fatalf("cannot reach tile %d", n)
		}
	}
	pressFor(r, flow.ActOpen, n)
}

// doModule opens module n (by touch or buttons) and answers every step
// right or wrong per rightFn, ending on Result.
func doModule(r *rig, n int, buttons bool, rightFn func(i int, st content.Step) bool) {
	r.t.Helper()
	if buttons {
		openWithButtons(r, n)
	} else {
		r.do(inN(flow.OpenModule, n))
	}
	steps := r.m.Pack().Mods[n].Steps
	visit := r.st().Visit // the steps drawn for this run
	for pos, i := range visit {
		if s := r.st(); s.Screen != flow.Step || s.StepIdx != i || s.Pos != pos {
			r.t.Fatalf("module %d: want step %d at %d, state %+v", n, i, pos, s)
		}
		if buttons {
			solveButtons(r, rightFn(i, steps[i]))
		} else {
			solveTouch(r, rightFn(i, steps[i]))
		}
	}
	r.wantScreen(flow.Result)
}

func allRight(int, content.Step) bool { return true }
