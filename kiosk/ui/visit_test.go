package ui

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
)

// kiosk is a UI in a test window, with its machine, clock and recorder.
type kiosk struct {
	t     testing.TB
	u     *UI
	m     *flow.Machine
	w     fyne.Window
	clock *flowtest.Clock
	rec   *flowtest.Recorder
	size  fyne.Size
}

func builtinPack(t testing.TB) (*content.Pack, fs.FS) {
	t.Helper()
	fsys := builtin.FS()
	p, err := content.Load(fsys)
	if err != nil {
		t.Fatalf("load built-in pack: %v", err)
	}
	return p, fsys
}

// SVG rasterising dominates the tests' time and is not what they check:
// small pictures, shared by every test's UI, keep a full visit at 1920×1080
// quick.
const testRasterCap = 200

var testRasters = NewRasters(0)

func newKiosk(t testing.TB, p *content.Pack, fsys fs.FS, size fyne.Size) *kiosk {
	t.Helper()
	return newKioskWith(t, p, fsys, size, Options{RasterCap: testRasterCap, Rasters: testRasters})
}

// newKioskWith is newKiosk with the UI's picture options (FS and Hours
// are set here).
func newKioskWith(t testing.TB, p *content.Pack, fsys fs.FS, size fyne.Size, opts Options) *kiosk {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(ktheme.New(ktheme.Options{}))
	k := &kiosk{t: t, clock: flowtest.NewClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)), rec: &flowtest.Recorder{}, size: size}
	k.m = flow.New(p, flow.Options{Clock: k.clock, Recorder: k.rec, VisitorToday: func() int { return 42 }})
	t.Cleanup(k.m.Close)
	opts.FS, opts.Hours = fsys, []string{"09:00–17:30"}
	k.u = New(k.m, opts)
	k.w = test.NewTempWindow(t, nil)
	k.w.Resize(size)
	k.u.Load(k.w)
	k.w.Resize(size)
	return k
}

// boxes lists the visible tap boxes of the screen by id.
func (k *kiosk) boxes() map[string]*tapBox {
	out := map[string]*tapBox{}
	walkUI(k.u.host, func(o fyne.CanvasObject) {
		if b, ok := o.(*tapBox); ok && b.id != "" && (b.onTap != nil || b.onTapAt != nil) {
			if _, dup := out[b.id]; !dup {
				out[b.id] = b
			}
		}
	})
	return out
}

func walkUI(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	walk(o, fyne.Position{}, func(o fyne.CanvasObject, _ fyne.Position) bool { f(o); return true })
}

func (k *kiosk) tap(id string) {
	k.t.Helper()
	bs := k.boxes()
	b, ok := bs[id]
	if !ok {
		var ids []string
		for i := range bs {
			ids = append(ids, i)
		}
		k.t.Fatalf("screen %s/%s: no %q to tap; there are %v", k.u.st.Screen, k.u.st.StepType, id, ids)
	}
	seq := k.u.st.Seq
	test.Tap(b)
	k.settle()
	if k.u.st.Seq == seq && id != "next" {
		k.t.Fatalf("screen %s: tapping %q changed nothing", k.u.st.Screen, id)
	}
	k.checkFit()
}

// settle waits for the machine's recorder worker, which may post a late
// change (the visitor count after session.start): under the test driver
// that change is drawn on the worker's goroutine.
func (k *kiosk) settle() {
	k.t.Helper()
	if !k.m.Flush(5 * time.Second) {
		k.t.Fatal("recorder queue not flushed")
	}
}

// wake starts a visit as a touch on the attract screen does.
func (k *kiosk) wake() {
	k.t.Helper()
	k.m.Dispatch(flow.Input{Kind: flow.Touch})
	k.settle()
}

func (k *kiosk) checkFit() {
	k.t.Helper()
	name := fmt.Sprintf("%s/%s m%d s%d", k.u.st.Screen, k.u.st.StepType, k.u.st.Module, k.u.st.StepIdx)
	for _, m := range k.u.Fit(name, k.size) {
		k.t.Errorf("%v at %v", m, k.size)
	}
}

// text is all the text on the screen, for checks of the language.
func (k *kiosk) text() string {
	var b strings.Builder
	walkUI(k.u.host, func(o fyne.CanvasObject) {
		if t, ok := o.(*textBlock); ok {
			b.WriteString(t.text)
			b.WriteByte('\n')
		}
	})
	return b.String()
}

func (k *kiosk) screen() flow.Screen { return k.u.st.Screen }

// doStep answers the current step right, by touch, and goes on.
func (k *kiosk) doStep() {
	k.t.Helper()
	st := k.u.st
	step := k.m.Pack().Mods[st.Module].Steps[st.StepIdx]
	switch step.Type {
	case content.Lesson:
		// Lesson bodies may have pages: Next turns them, then leaves.
		for i := 0; i < 10 && k.u.st.StepIdx == st.StepIdx && k.screen() == flow.Step; i++ {
			k.tap("next")
		}
		return
	case content.Choice:
		for pos, i := range shownOrder(k.u.st.Order, len(step.Options)) {
			if step.Options[i].Correct {
				k.tap(fmt.Sprintf("option-%d", pos))
			}
		}
		if k.u.st.Multi {
			k.tap("next") // confirm
		}
	case content.Order:
		for item := range step.Items {
			for d, idx := range k.u.st.Shuffle {
				if idx == item {
					k.tap(fmt.Sprintf("pick-%d", d))
				}
			}
		}
	case content.Hotspot:
		var pic *hotspotPic
		walkUI(k.u.host, func(o fyne.CanvasObject) {
			if h, ok := o.(*hotspotPic); ok {
				pic = h
			}
		})
		if pic == nil {
			k.t.Fatal("hotspot step without a picture")
		}
		for _, tg := range step.Targets {
			pos := fyne.NewPos(pic.rect.X+float32(tg.X+tg.W/2)*pic.rsize.Width, pic.rect.Y+float32(tg.Y+tg.H/2)*pic.rsize.Height)
			test.TapAt(pic, pos)
			// The hotspot picture is rebuilt on every change; find it again.
			walkUI(k.u.host, func(o fyne.CanvasObject) {
				if h, ok := o.(*hotspotPic); ok {
					pic = h
				}
			})
		}
		k.checkFit()
	case content.Scenario:
		if k.u.st.Intro {
			k.checkFit()
			k.tap("next") // the title and set-up read
		}
		for k.u.st.Outcome == "" {
			sit := k.u.st.Situation
			b := goodBranch(&step, sit, map[string]bool{})
			if b < 0 {
				k.t.Fatalf("scenario %s: no good path from %s", step.ID, sit)
			}
			sc := step.Situation(sit)
			k.tap(fmt.Sprintf("branch-%d", slices.Index(shownOrder(k.u.st.Order, len(sc.Choices)), b)))
			k.tap("next") // after the consequence
		}
	}
	if !k.u.st.Answered {
		k.t.Fatalf("step %s (%s): not answered after the right answer", step.ID, step.Type)
	}
	if !k.u.st.Correct {
		k.t.Errorf("step %s (%s): the right answer was scored wrong", step.ID, step.Type)
	}
	// A long explanation has pages: Next turns them, then goes on.
	for i := 0; i < 10 && k.u.st.StepIdx == st.StepIdx && k.u.st.Module == st.Module && k.screen() == flow.Step; i++ {
		k.tap("next")
	}
}

// goodBranch is a branch of situation sit that leads to a good outcome.
func goodBranch(st *content.Step, sit string, seen map[string]bool) int {
	if seen[sit] {
		return -1
	}
	seen[sit] = true
	for _, s := range st.Situations {
		if s.ID != sit {
			continue
		}
		for i, b := range s.Choices {
			if b.Outcome != "" {
				for _, o := range st.Outcomes {
					if o.ID == b.Outcome && o.Good {
						return i
					}
				}
				continue
			}
			if goodBranch(st, b.Next, seen) >= 0 {
				return i
			}
		}
	}
	return -1
}

// TestVisitEveryModule taps through a whole visit, every module, in both
// languages at the smallest and the largest screen, checking on every
// screen that everything fits, and at the end what was recorded.
func TestVisitEveryModule(t *testing.T) {
	p, fsys := builtinPack(t)
	for _, size := range []fyne.Size{{Width: 800, Height: 480}, {Width: 1920, Height: 1080}} {
		for _, lang := range p.Languages {
			t.Run(fmt.Sprintf("%vx%v-%s", size.Width, size.Height, lang), func(t *testing.T) {
				k := newKiosk(t, p, fsys, size)
				if k.screen() != flow.Attract {
					t.Fatalf("starts on %s, want attract", k.screen())
				}
				k.checkFit()
				var bg *bgTap
				walkUI(k.u.host, func(o fyne.CanvasObject) {
					if b, ok := o.(*bgTap); ok && bg == nil {
						bg = b
					}
				})
				test.Tap(bg)
				k.settle()
				if k.screen() != flow.Home {
					t.Fatalf("a touch on attract shows %s, want home", k.screen())
				}
				k.checkFit()
				if lang != k.u.st.Lang {
					k.tap("lang")
					if k.u.st.Lang != lang {
						t.Fatalf("language is %s after the switch, want %s", k.u.st.Lang, lang)
					}
				}
				for mi := range p.Mods {
					k.tap(fmt.Sprintf("tile-%d", mi))
					for n := 0; k.screen() == flow.Step; n++ {
						if n > 200 {
							t.Fatal("module never ends")
						}
						k.doStep()
					}
					if k.screen() != flow.Result {
						t.Fatalf("module %d ends on %s, want result", mi, k.screen())
					}
					if !k.u.st.Passed || (k.u.st.Questions > 0 && k.u.st.Stars != 3) {
						t.Errorf("module %d: all right but passed=%v stars=%d", mi, k.u.st.Passed, k.u.st.Stars)
					}
					if !strings.Contains(k.text(), msg(lang, "visitor", 42)) {
						t.Errorf("result screen does not say %q", msg(lang, "visitor", 42))
					}
					if mi < len(p.Mods)-1 {
						k.tap("more")
						if k.screen() != flow.Home {
							t.Fatalf("'more topics' shows %s", k.screen())
						}
					}
				}
				k.tap("finish")
				if k.screen() != flow.Feedback {
					t.Fatalf("finish shows %s, want feedback", k.screen())
				}
				if !strings.Contains(k.text(), msg(lang, "howWas")) {
					t.Errorf("feedback screen is not in %s:\n%s", lang, k.text())
				}
				k.tap("rate-3")
				if k.screen() != flow.Thanks {
					t.Fatalf("rating shows %s, want thanks", k.screen())
				}
				k.checkFit()
				k.clock.Advance(time.Minute)
				if k.screen() != flow.Attract {
					t.Fatalf("after thanks: %s, want attract", k.screen())
				}
				if !k.m.Flush(5 * time.Second) {
					t.Fatal("recorder queue not flushed")
				}
				count := map[wire.Kind]int{}
				for _, e := range k.rec.Events() {
					count[e.Kind]++
					if e.Kind == wire.Feedback && e.Rating != 3 {
						t.Errorf("feedback rating %d, want 3", e.Rating)
					}
					if e.Kind == wire.SessionEnd && e.Lang != lang {
						t.Errorf("session ended in %q, want %q", e.Lang, lang)
					}
				}
				want := map[wire.Kind]int{wire.SessionStart: 1, wire.ModuleStart: len(p.Mods),
					wire.ModuleComplete: len(p.Mods), wire.Feedback: 1, wire.SessionEnd: 1}
				for kind, n := range want {
					if count[kind] != n {
						t.Errorf("%d %s events, want %d (all: %v)", count[kind], kind, n, count)
					}
				}
			})
		}
	}
}

// TestChildrenMatchRenderers: the UI walks its own tree (children) for
// TapAt and Fit; on every screen of the test pack, it must find what Fyne's
// renderers draw, in the same order, down to the text blocks.
func TestChildrenMatchRenderers(t *testing.T) {
	fsys := os.DirFS(filepath.Join("testdata", "pack"))
	p, err := content.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []fyne.Size{{Width: 800, Height: 480}, {Width: 480, Height: 800}} {
		k := newKiosk(t, p, fsys, size)
		for _, sh := range Shots(p, "en") {
			k.u.show(sh.State)
			var own, fyn []fyne.CanvasObject
			var walk func(o fyne.CanvasObject, kids func(fyne.CanvasObject) []fyne.CanvasObject, out *[]fyne.CanvasObject)
			walk = func(o fyne.CanvasObject, kids func(fyne.CanvasObject) []fyne.CanvasObject, out *[]fyne.CanvasObject) {
				*out = append(*out, o)
				if _, ok := o.(*textBlock); ok {
					return
				}
				for _, c := range kids(o) {
					walk(c, kids, out)
				}
			}
			walk(k.u.host, children, &own)
			walk(k.u.host, func(o fyne.CanvasObject) []fyne.CanvasObject {
				switch o := o.(type) {
				case *fyne.Container:
					return o.Objects
				case fyne.Widget:
					return test.WidgetRenderer(o).Objects()
				}
				return nil
			}, &fyn)
			if !slices.Equal(own, fyn) {
				t.Errorf("%v %s: children lists %d objects, the renderers %d", size, sh.Name, len(own), len(fyn))
			}
		}
	}
}
