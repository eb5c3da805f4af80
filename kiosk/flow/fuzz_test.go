package flow_test

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
	"github.com/wufang-kiosk/wufang/kiosk/flow/flowtest"
)

var fuzzKinds = []flow.InputKind{flow.Wake, flow.PresenceEnd, flow.Touch, flow.SetLang, flow.OpenModule,
	flow.Choose, flow.Pick, flow.TapAt, flow.Next, flow.Back, flow.GoHome, flow.Rate, flow.Finish,
	flow.Button, flow.StillHere, "bogus"}

var fuzzNames = []string{"a", "b", "c", "d", "ok", "back", "OK", "", "e", "Back "}
var fuzzLangs = []string{"zh-CN", "en", "", "fr"}
var fuzzFloats = []float64{0, 0.1, 0.5, 0.85, 1, -1, 2, math.NaN(), math.Inf(1)}

// decode turns 4-byte records into operations on the machine: inputs with
// arbitrary arguments, clock advances, pack swaps.
func fuzzRun(t *testing.T, data []byte) {
	clk := flowtest.NewClock(time.Date(2026, 11, 26, 16, 55, 0, 0, time.UTC))
	rec := &flowtest.Recorder{}
	packs := []*content.Pack{flowtest.Pack(), nil, brokenPack(), flowtest.Pack()}
	m := flow.New(packs[0], flow.Options{Clock: clk, Recorder: rec, QueueSize: 1 << 14,
		IsOpen: nineToFive, Rand: randFor(uint64(len(data)))})
	defer m.Close()
	var lastSeq uint64
	m.OnChange(func(s flow.State) {
		if s.Seq <= lastSeq {
			t.Fatalf("Seq %d after %d", s.Seq, lastSeq)
		}
		lastSeq = s.Seq
	})
	for len(data) >= 4 {
		op, a, b, c := data[0], data[1], data[2], data[3]
		data = data[4:]
		switch {
		case op >= 240: // advance the clock
			clk.Advance(time.Duration(a) * time.Second * time.Duration(1+int(b)%8))
		case op >= 236:
			m.SetPack(packs[int(a)%len(packs)])
		default:
			in := flow.Input{
				Kind: fuzzKinds[int(op)%len(fuzzKinds)],
				N:    int(int8(a)),
				X:    fuzzFloats[int(b)%len(fuzzFloats)],
				Y:    fuzzFloats[int(c)%len(fuzzFloats)],
				Lang: fuzzLangs[int(b)%len(fuzzLangs)],
				Name: fuzzNames[int(c)%len(fuzzNames)],
			}
			if b&1 == 1 {
				in.X, in.Y = float64(b)/255, float64(c)/255
			}
			m.Dispatch(in)
		}
		if err := invariants(m.State(), m.Pack()); err != nil {
			t.Fatal(err)
		}
	}
	m.Close()
	if st := m.RecorderStats(); st.Dropped != 0 || st.Failed != 0 {
		t.Fatalf("%+v", st)
	}
	if err := grammar(rec.Events()); err != nil {
		t.Fatal(err)
	}
}

func brokenPack() *content.Pack {
	p := flowtest.Pack()
	p.Languages = nil
	p.Attract = nil
	p.Mods[1].Steps = []content.Step{
		{ID: "x1", Type: content.Choice},
		{ID: "x2", Type: content.Order},
		{ID: "x3", Type: content.Scenario, Start: "a", Situations: []content.Situation{{ID: "a", Choices: []content.Branch{{Next: "a"}, {Outcome: "zz"}, {}}}}},
		{ID: "x4", Type: "video"},
	}
	p.Mods[2].Steps = nil
	return p
}

func invariants(s flow.State, p *content.Pack) error {
	fail := func(f string, a ...any) error { return fmt.Errorf("%s: %+v", fmt.Sprintf(f, a...), s) }
	if !slices.Contains([]flow.Screen{flow.Attract, flow.Home, flow.Step, flow.Result, flow.Feedback, flow.Thanks, flow.Closed}, s.Screen) {
		return fail("screen %q", s.Screen)
	}
	if len(p.Languages) > 0 && !slices.Contains(p.Languages, s.Lang) {
		return fail("language %q", s.Lang)
	}
	if s.Screen == flow.Attract && len(p.Attract) > 0 && (s.Slide < 0 || s.Slide >= len(p.Attract)) {
		return fail("slide")
	}
	inSession := s.Screen == flow.Home || s.Screen == flow.Step || s.Screen == flow.Result || s.Screen == flow.Feedback
	if s.InSession != inSession {
		return fail("InSession")
	}
	if s.StillThere && (!inSession || s.Countdown < 1 || s.Countdown > flow.DefaultCountdown) {
		return fail("overlay")
	}
	if !s.StillThere && s.Countdown != 0 {
		return fail("countdown without overlay")
	}
	if inSession && len(s.Done) != len(p.Mods) {
		return fail("Done")
	}
	if s.Right < 0 || s.Right > s.Questions {
		return fail("score")
	}
	if s.Screen == flow.Result && (s.Stars < 0 || s.Stars > 3 || (s.Questions > 0) != (s.Stars > 0)) {
		return fail("stars")
	}
	if s.Screen == flow.Home && len(p.Mods) > 0 && (s.Cursor < 0 || s.Cursor >= len(p.Mods)) {
		return fail("home cursor")
	}
	for _, h := range s.Buttons {
		if !slices.Contains([]string{"a", "b", "c", "d", "ok", "back"}, h.Button) {
			return fail("button %q", h.Button)
		}
	}
	if s.Screen != flow.Step {
		if s.StepType != "" || s.Answered || s.Found != nil || s.Picked != nil {
			return fail("step state off the step screen")
		}
		return nil
	}
	if s.Module < 0 || s.Module >= len(p.Mods) || p.Mods[s.Module] == nil {
		return fail("module")
	}
	mod := p.Mods[s.Module]
	if s.StepIdx < 0 || s.StepIdx >= len(mod.Steps) {
		return fail("step index")
	}
	st := mod.Steps[s.StepIdx]
	if s.StepType != st.Type {
		return fail("step type")
	}
	switch st.Type {
	case content.Choice:
		for _, i := range s.Selected {
			if i < 0 || i >= len(st.Options) {
				return fail("selected")
			}
		}
	case content.Order:
		if len(s.Shuffle) != len(st.Items) || len(s.Picked) > len(s.Shuffle) {
			return fail("order")
		}
		seen := map[int]bool{}
		for slot, pos := range s.Picked {
			if pos < 0 || pos >= len(s.Shuffle) || seen[pos] || s.Shuffle[pos] != slot {
				return fail("picked") // only the right item goes into a slot
			}
			seen[pos] = true
		}
		if len(st.Items) > 0 && s.Answered != (len(s.Picked) == len(s.Shuffle)) {
			return fail("order answered")
		}
		if len(st.Items) > 0 && s.Answered && s.Correct != (len(s.Slips) == 0) {
			return fail("order scored")
		}
		if s.Wrong < 0 || s.Wrong > len(s.Shuffle) || len(s.Slips) > s.Misses {
			return fail("order slips")
		}
		for _, slot := range s.Slips {
			if slot < 0 || slot > len(s.Picked) && !s.Answered {
				return fail("slip after the next slot")
			}
		}
	case content.Hotspot:
		if len(s.Found) != len(st.Targets) || s.Cursor < 0 || s.Cursor >= flow.HotspotGrid*flow.HotspotGrid {
			return fail("hotspot")
		}
		if s.Answered && !s.Revealed && slices.Contains(s.Found, false) {
			return fail("hotspot answered early")
		}
	case content.Scenario:
		if s.Outcome != "" && !s.Answered {
			return fail("outcome without answer")
		}
		if len(s.Path) == 0 || len(s.Path) > flow.MaxPath {
			return fail("path")
		}
	}
	return nil
}

// grammar checks the recorded events form whole, well-nested visits.
func grammar(es []wire.Event) error {
	in, mod := false, ""
	for i, e := range es {
		bad := func(why string) error { return fmt.Errorf("event %d %s: %s (%v)", i, e.Kind, why, kindsOf(es)) }
		switch e.Kind {
		case wire.SessionStart:
			if in {
				return bad("nested session")
			}
			in, mod = true, ""
		case wire.SessionEnd:
			if !in {
				return bad("no session")
			}
			if !slices.Contains([]string{wire.ReasonFinished, wire.ReasonIdle, flow.ReasonPack}, e.Reason) {
				return bad("reason " + e.Reason)
			}
			in = false
		case wire.ModuleStart:
			if !in {
				return bad("no session")
			}
			mod = e.Module
		case wire.StepAnswer, wire.ModuleComplete:
			if !in || e.Module != mod || mod == "" {
				return bad("outside its module")
			}
			if e.Kind == wire.ModuleComplete {
				if e.Score < 0 || e.Score > e.Total || e.Passed == nil {
					return bad("score")
				}
				mod = ""
			} else if e.Correct == nil || e.Step == "" {
				return bad("answer")
			}
		case wire.Feedback:
			if !in || e.Rating < 1 || e.Rating > 3 {
				return bad("feedback")
			}
		default:
			return bad("unexpected kind")
		}
	}
	return nil
}

func FuzzDispatch(f *testing.F) {
	f.Add([]byte{})
	// wake, open 0, next …; and a sequence of buttons and clock advances.
	f.Add([]byte{0, 0, 0, 0, 4, 0, 0, 0, 8, 0, 0, 0, 5, 1, 0, 0, 8, 0, 0, 0, 5, 0, 0, 0, 5, 2, 0, 0, 8, 0, 0, 0})
	f.Add([]byte{2, 0, 0, 0, 13, 0, 0, 4, 13, 0, 0, 4, 13, 0, 0, 4, 13, 0, 0, 0, 13, 0, 0, 4, 250, 61, 0, 0, 250, 5, 0, 0, 13, 0, 0, 1})
	f.Add([]byte{2, 0, 0, 0, 237, 2, 0, 0, 2, 0, 0, 0, 4, 1, 0, 0, 8, 0, 0, 0, 8, 0, 0, 0, 8, 0, 0, 0, 8, 0, 0, 0, 240, 255, 7, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4*2000 {
			return
		}
		fuzzRun(t, data)
	})
}

// TestRandomVisits runs the fuzz body over seeded random input streams, so
// a plain `go test` covers far more than the seed corpus.
func TestRandomVisits(t *testing.T) {
	for seed := range uint64(120) {
		r := randFor(seed)
		data := make([]byte, 4*(50+r.IntN(400)))
		for i := range data {
			data[i] = byte(r.UintN(256))
		}
		// Bias towards meaningful inputs: fewer clock jumps and pack swaps.
		for i := 0; i < len(data); i += 4 {
			if data[i] >= 236 && r.IntN(4) != 0 {
				data[i] %= 16
			}
			if data[i] < 236 && r.IntN(3) == 0 {
				data[i] = 13 // a button
			}
		}
		t.Run(fmt.Sprint(seed), func(t *testing.T) { fuzzRun(t, data) })
	}
}
