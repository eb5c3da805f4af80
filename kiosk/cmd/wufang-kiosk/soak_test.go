package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/content/builtin"
	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
	"github.com/wufang-kiosk/wufang/kiosk/flow/flowtest"
	ktheme "github.com/wufang-kiosk/wufang/kiosk/theme"
	"github.com/wufang-kiosk/wufang/kiosk/ui"
)

var soakVisits = flag.Int("soak", 200, "visits the UI soak test drives (issue 8 asks for 10000)")

// countingRecorder counts events like the store would, without disk.
type countingRecorder struct{ n atomic.Int64 }

func (r *countingRecorder) Record(context.Context, wire.Event) error { r.n.Add(1); return nil }

// visitRig is the visit flow and the real screens in the Fyne test driver,
// on a fake clock, driven like a visitor would.
type visitRig struct {
	t     testing.TB
	clock *flowtest.Clock
	m     *flow.Machine
	w     fyne.Window
	rng   *rand.Rand
	rec   *countingRecorder
	// frame, when set, is called after each input (to time transitions).
	frame func(d time.Duration)
}

func newVisitRig(t testing.TB, size fyne.Size) *visitRig {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(ktheme.New(ktheme.Options{}))
	fsys := builtin.FS()
	p, err := content.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	r := &visitRig{t: t, clock: flowtest.NewClock(time.Date(2026, 5, 12, 10, 0, 0, 0, time.UTC)), rng: rand.New(rand.NewPCG(1, 2)), rec: &countingRecorder{}}
	r.m = flow.New(p, flow.Options{Recorder: r.rec, Clock: r.clock, Rand: rand.New(rand.NewPCG(3, 4))})
	t.Cleanup(r.m.Close)
	u := ui.New(r.m, ui.Options{FS: fsys})
	r.w = test.NewWindow(nil)
	r.w.Resize(size)
	u.Load(r.w)
	return r
}

func (r *visitRig) do(in flow.Input) {
	start := time.Now()
	r.m.Dispatch(in)
	if r.frame != nil {
		r.w.Canvas().Capture() // paint the new screen in software
		r.frame(time.Since(start))
	}
}

// visit drives one whole visit: one or two modules, answered at random,
// then feedback; or, one time in eight, the visitor walks away mid-module
// and the idle timeout ends it.
func (r *visitRig) visit() {
	r.do(flow.Input{Kind: flow.Wake})
	if r.m.State().Screen != flow.Home {
		r.t.Fatalf("wake: screen %s", r.m.State().Screen)
	}
	walkAway := r.rng.IntN(8) == 0
	for mods := 1 + r.rng.IntN(2); mods > 0; mods-- {
		r.do(flow.Input{Kind: flow.OpenModule, N: r.rng.IntN(len(r.m.Pack().Mods))})
		for i := 0; r.m.State().Screen == flow.Step; i++ {
			if walkAway && i == 5 {
				r.clock.Advance(flow.DefaultIdleTimeout + 11*time.Second)
				if s := r.m.State(); s.Screen != flow.Attract || s.InSession {
					r.t.Fatalf("idle did not end the visit: %+v", s.Screen)
				}
				return
			}
			if i > 400 {
				r.t.Fatalf("stuck in a module at %+v", r.m.State())
			}
			r.do(r.answer(r.m.State()))
		}
		if r.m.State().Screen != flow.Result {
			r.t.Fatalf("module ended on %s", r.m.State().Screen)
		}
		if mods > 1 {
			r.do(flow.Input{Kind: flow.GoHome})
		}
	}
	r.do(flow.Input{Kind: flow.Finish})
	r.do(flow.Input{Kind: flow.Rate, N: 1 + r.rng.IntN(3)})
	if s := r.m.State().Screen; s != flow.Thanks {
		r.t.Fatalf("after feedback: %s", s)
	}
	r.clock.Advance(9 * time.Second) // thanks -> attract
	if s := r.m.State().Screen; s != flow.Attract {
		r.t.Fatalf("after thanks: %s", s)
	}
}

// answer picks a visitor's next input on a step.
func (r *visitRig) answer(s flow.State) flow.Input {
	st := r.m.Pack().Mods[s.Module].Steps[s.StepIdx]
	if s.Answered || st.Type == content.Lesson {
		return flow.Input{Kind: flow.Next}
	}
	switch st.Type {
	case content.Choice:
		if s.Multi && len(s.Selected) > 0 && r.rng.IntN(2) == 0 {
			return flow.Input{Kind: flow.Next}
		}
		return flow.Input{Kind: flow.Choose, N: r.rng.IntN(len(st.Options))}
	case content.Order:
		var free []int
		for pos := range s.Shuffle {
			if !slices.Contains(s.Picked, pos) {
				free = append(free, pos)
			}
		}
		return flow.Input{Kind: flow.Pick, N: free[r.rng.IntN(len(free))]}
	case content.Hotspot:
		if r.rng.IntN(6) == 0 {
			return flow.Input{Kind: flow.Next} // show me
		}
		return flow.Input{Kind: flow.TapAt, X: r.rng.Float64(), Y: r.rng.Float64()}
	case content.Scenario:
		if s.Intro || s.Outcome != "" || s.Branch >= 0 { // set-up, or a choice made: go on
			return flow.Input{Kind: flow.Next}
		}
		for _, sit := range st.Situations {
			if sit.ID == s.Situation {
				return flow.Input{Kind: flow.Choose, N: r.rng.IntN(len(sit.Choices))}
			}
		}
	}
	return flow.Input{Kind: flow.Next}
}

// settled lets Fyne's renderer cache expire what the last screens left
// (FYNE_CACHE, set by TestMain, is its lifetime; it cleans at most every
// 10 s, on paint) and returns the live heap and goroutines.
func (r *visitRig) settled() (uint64, int) {
	time.Sleep(11 * time.Second)
	r.w.Canvas().Capture()
	return heapAndGoroutines()
}

func heapAndGoroutines() (uint64, int) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc, runtime.NumGoroutine()
}

// TestSoak drives many visits through the flow and the real screens and
// checks that neither the heap nor the goroutines grow with them. Issue 8's
// figure: go test -run TestSoak -soak 10000 -v ./kiosk/cmd/wufang-kiosk
func TestSoak(t *testing.T) {
	r := newVisitRig(t, fyne.NewSize(800, 480))
	warm := max(*soakVisits/10, 20)
	for range warm {
		r.visit()
	}
	heap0, gr0 := r.settled()
	for i := range *soakVisits {
		r.visit()
		if i%50 == 0 {
			r.w.Canvas().Capture() // the real driver cleans Fyne's caches as it paints; so does Capture
		}
	}
	heap1, gr1 := r.settled()
	t.Logf("%d visits after %d warm-up: heap %d -> %d bytes (%+.1f%%), goroutines %d -> %d, events recorded %d",
		*soakVisits, warm, heap0, heap1, 100*(float64(heap1)-float64(heap0))/float64(heap0), gr0, gr1, r.rec.n.Load())
	if gr1 > gr0+2 {
		t.Errorf("goroutines grew from %d to %d", gr0, gr1)
	}
	// A leak of even one small object per visit shows over the run; allow
	// for caches settling (2 MiB) but not for growth with the visit count.
	if heap1 > heap0+2<<20 {
		t.Errorf("heap grew from %d to %d bytes over %d visits", heap0, heap1, *soakVisits)
	}
}

// BenchmarkTransitions measures screen-to-screen time in the test driver:
// from an input to the new screen built and painted (in software), over
// whole visits, at 800×480 and 1920×1080; it reports p50 and p95.
//
//	go test -run '^$' -bench Transitions -benchtime 5x ./kiosk/cmd/wufang-kiosk
func BenchmarkTransitions(b *testing.B) {
	for _, size := range []fyne.Size{{Width: 800, Height: 480}, {Width: 1920, Height: 1080}} {
		b.Run(fmt.Sprintf("%gx%g", size.Width, size.Height), func(b *testing.B) {
			r := newVisitRig(b, size)
			r.visit() // rasterise the pictures once, as a running kiosk has
			var ds []time.Duration
			r.frame = func(d time.Duration) { ds = append(ds, d) }
			b.ResetTimer()
			for range b.N {
				r.visit()
			}
			b.StopTimer()
			slices.Sort(ds)
			p := func(q float64) float64 { return float64(ds[int(q*float64(len(ds)-1))].Microseconds()) / 1000 }
			b.ReportMetric(p(0.5), "p50-ms")
			b.ReportMetric(p(0.95), "p95-ms")
			b.ReportMetric(float64(len(ds))/float64(b.N), "screens/visit")
		})
	}
}
