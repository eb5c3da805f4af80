package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

// orderKiosk is a kiosk on the test pack's order step, at size.
func orderKiosk(t *testing.T, size fyne.Size) *kiosk {
	t.Helper()
	fsys := os.DirFS(filepath.Join("testdata", "pack"))
	p, err := content.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	k := newKiosk(t, p, fsys, size)
	k.wake()
	k.tap("tile-0")
	for k.u.st.StepType != content.Order {
		k.doStep()
	}
	return k
}

// slotBox is slot k of the order step on the screen (slots are no buttons,
// so boxes leaves them out), with its text.
func (k *kiosk) slotBox(n int) (*tapBox, string) {
	k.t.Helper()
	var box *tapBox
	walkUI(k.u.host, func(o fyne.CanvasObject) {
		if b, ok := o.(*tapBox); ok && b.id == fmt.Sprintf("slot-%d", n) {
			box = b
		}
	})
	if box == nil {
		k.t.Fatalf("no slot %d on the screen", n)
	}
	var texts []string
	walkUI(box, func(o fyne.CanvasObject) {
		if t, ok := o.(*textBlock); ok && t.text != "" {
			texts = append(texts, t.text)
		}
	})
	return box, strings.Join(texts, " ")
}

// rightPos is the display position of item i of the current order step.
func (k *kiosk) rightPos(i int) int {
	return slices.Index(k.u.st.Shuffle, i)
}

func (k *kiosk) item(i int) string {
	st := k.m.Pack().Mods[k.u.st.Module].Steps[k.u.st.StepIdx]
	return tr(st.Items[i], k.u.st.Lang, k.m.Pack())
}

// TestOrderSlotsFill: numbered slots, one per item; a right item moves
// into the next slot at once (outlined, the last placed), its card stays
// greyed and is no button any more, and the other items keep their place
// and their letters.
func TestOrderSlotsFill(t *testing.T) {
	k := orderKiosk(t, fyne.NewSize(800, 480))
	n := len(k.u.st.Shuffle)
	for i := range n {
		_, text := k.slotBox(i)
		if !strings.HasPrefix(text, fmt.Sprint(i+1)) {
			t.Fatalf("slot %d reads %q, want its number first", i, text)
		}
	}
	if _, text := k.slotBox(0); !strings.Contains(text, msg("zh-CN", "orderFirst")) {
		t.Errorf("first slot %q does not ask for the first item", text)
	}
	before := map[string]fyne.Position{}
	for id, b := range k.boxes() {
		before[id] = fyne.CurrentApp().Driver().AbsolutePositionForObject(b)
	}
	for i := range n - 1 {
		d := k.rightPos(i)
		k.tap(fmt.Sprintf("pick-%d", d))
		box, text := k.slotBox(i)
		if !strings.Contains(text, k.item(i)) || box.bg.StrokeColor != k.u.view(k.size).col {
			t.Fatalf("after placing item %d: slot reads %q, outline %v", i, text, box.bg.StrokeColor)
		}
		if _, ok := k.boxes()[fmt.Sprintf("pick-%d", d)]; ok {
			t.Errorf("item %d can still be tapped after it was placed", i)
		}
		if !strings.Contains(k.text(), k.item(i)) {
			t.Errorf("item %d's card left the screen", i)
		}
		if _, text := k.slotBox(i + 1); !strings.Contains(text, msg("zh-CN", "orderNext")) {
			t.Errorf("slot %d reads %q, want the next-item hint", i+1, text)
		}
		for id, b := range k.boxes() {
			if p, ok := before[id]; ok && strings.HasPrefix(id, "pick-") && p != fyne.CurrentApp().Driver().AbsolutePositionForObject(b) {
				t.Errorf("%s moved when item %d was placed", id, i)
			}
		}
	}
	// Letters stay on their items: the flow's rule, drawn.
	letters := flow.OrderLetters(n, k.u.st.Picked)
	for d, l := range letters {
		if !strings.Contains(k.textOf(fmt.Sprintf("pick-%d", d)), strings.ToUpper(l)) {
			t.Errorf("item at %d does not show its letter %s", d, l)
		}
	}
}

func (k *kiosk) textOf(id string) string {
	var texts []string
	walkUI(k.boxes()[id], func(o fyne.CanvasObject) {
		if t, ok := o.(*textBlock); ok {
			texts = append(texts, t.text)
		}
	})
	return strings.Join(texts, " ")
}

// TestOrderWrongCue: a wrong item goes back (nothing placed), outlined
// amber; the slot it was tried in turns amber with a short text in the
// visitor's language, and the status says to try another. The right item
// then clears the cue.
func TestOrderWrongCue(t *testing.T) {
	for _, lang := range []string{"zh-CN", "en"} {
		k := orderKiosk(t, fyne.NewSize(800, 480))
		if lang != "zh-CN" {
			k.tap("lang")
		}
		k.tap(fmt.Sprintf("pick-%d", k.rightPos(0)))
		wrong := k.rightPos(2)
		k.tap(fmt.Sprintf("pick-%d", wrong))
		if got := k.u.st.Picked; len(got) != 1 {
			t.Fatalf("%s: a wrong item was placed: %v", lang, got)
		}
		box, text := k.slotBox(1)
		if box.bg.StrokeColor != amber || !strings.Contains(text, msg(lang, "orderWrong")) {
			t.Errorf("%s: slot 2 after a wrong item: outline %v, text %q", lang, box.bg.StrokeColor, text)
		}
		if b := k.boxes()[fmt.Sprintf("pick-%d", wrong)]; b == nil || b.bg.StrokeColor != amber {
			t.Errorf("%s: the wrong item is not back in its place, outlined amber", lang)
		}
		if !strings.Contains(k.text(), msg(lang, "orderTryAgain")) {
			t.Errorf("%s: no try-again text:\n%s", lang, k.text())
		}
		k.tap(fmt.Sprintf("pick-%d", k.rightPos(1)))
		if box, text := k.slotBox(1); box.bg.StrokeColor == amber || !strings.Contains(text, k.item(1)) {
			t.Errorf("%s: after the right item, slot 2 reads %q (outline %v)", lang, text, box.bg.StrokeColor)
		}
		if strings.Contains(k.text(), msg(lang, "orderTryAgain")) || strings.Contains(k.text(), msg(lang, "orderWrong")) {
			t.Errorf("%s: the cue stayed after the right item", lang)
		}
	}
}

// TestOrderUndo: Undo takes back the last item placed: its slot is the
// next one to fill again, and its card, in the same place, can be tapped
// again. Before anything is placed the button is Back.
func TestOrderUndo(t *testing.T) {
	k := orderKiosk(t, fyne.NewSize(800, 480))
	if _, ok := k.boxes()["undo"]; ok {
		t.Fatal("undo shown before anything was placed")
	}
	first, second := k.rightPos(0), k.rightPos(1)
	k.tap(fmt.Sprintf("pick-%d", first))
	k.tap(fmt.Sprintf("pick-%d", second))
	k.tap("undo")
	if got := k.u.st.Picked; !slices.Equal(got, []int{first}) {
		t.Fatalf("after undo: picked %v, want [%d]", got, first)
	}
	if _, text := k.slotBox(1); !strings.Contains(text, msg("zh-CN", "orderNext")) {
		t.Errorf("slot 2 after undo reads %q", text)
	}
	if _, ok := k.boxes()[fmt.Sprintf("pick-%d", second)]; !ok {
		t.Error("the item taken back cannot be picked again")
	}
	k.tap("undo")
	if _, ok := k.boxes()["undo"]; ok || len(k.u.st.Picked) != 0 {
		t.Errorf("after undoing everything: picked %v, undo still shown", k.u.st.Picked)
	}
}

// TestOrderScoring: the step is right when every item went into its slot
// at the first try, also with an undo between; one wrong item makes it
// wrong even though the order ends right. The answer screen marks the
// slot that slipped.
func TestOrderScoring(t *testing.T) {
	for _, c := range []struct {
		name  string
		slip  bool
		right bool
	}{{"first try", false, true}, {"one slip", true, false}} {
		k := orderKiosk(t, fyne.NewSize(800, 480))
		n := len(k.u.st.Shuffle)
		k.tap(fmt.Sprintf("pick-%d", k.rightPos(0)))
		k.tap("undo")
		for i := range n {
			if c.slip && i == 1 {
				k.tap(fmt.Sprintf("pick-%d", k.rightPos(2)))
			}
			k.tap(fmt.Sprintf("pick-%d", k.rightPos(i)))
		}
		st := k.u.st
		if !st.Answered || st.Correct != c.right {
			t.Fatalf("%s: answered %v correct %v, want right=%v", c.name, st.Answered, st.Correct, c.right)
		}
		k.settle()
		var got []bool
		for _, e := range k.rec.Events() {
			if e.Kind == wire.StepAnswer && e.Step == "fire-order" {
				got = append(got, *e.Correct)
			}
		}
		if !slices.Equal(got, []bool{c.right}) {
			t.Errorf("%s: recorded %v, want [%v]", c.name, got, c.right)
		}
		head := msg("zh-CN", "right")
		if !c.right {
			head = msg("zh-CN", "wrong")
		}
		if !strings.Contains(k.text(), head) || !strings.Contains(k.text(), msg("zh-CN", "rightOrder")) {
			t.Errorf("%s: answer screen:\n%s", c.name, k.text())
		}
	}
}

// TestOrderFits: every state of the order step fits, with the button
// legend, at 800×480, 1920×1080 and portrait, in both languages, at the
// text floor.
func TestOrderFits(t *testing.T) {
	for _, size := range []fyne.Size{{Width: 800, Height: 480}, {Width: 1920, Height: 1080}, {Width: 480, Height: 800}} {
		k := orderKiosk(t, size)
		k.u.opts.Buttons = true
		for _, lang := range []string{"zh-CN", "en"} {
			k.m.Dispatch(flow.Input{Kind: flow.SetLang, Lang: lang})
			n := len(k.u.st.Shuffle)
			for i := range n {
				k.m.Dispatch(flow.Input{Kind: flow.Pick, N: k.rightPos((i + 1) % n)}) // wrong, except the last
				k.checkFit()
				k.m.Dispatch(flow.Input{Kind: flow.Pick, N: k.rightPos(i)})
				k.checkFit()
			}
			if !k.u.st.Answered {
				t.Fatalf("%v %s: not answered", size, lang)
			}
			k.m.Dispatch(flow.Input{Kind: flow.Back}) // to the step before, and back: a fresh run needs a new module run
			k.m.Dispatch(flow.Input{Kind: flow.GoHome})
			k.m.Dispatch(flow.Input{Kind: flow.OpenModule, N: 0})
			for k.u.st.StepType != content.Order {
				k.doStep()
			}
		}
	}
}

// TestOrderItemFlies: a placed item is shown flying from its card to its
// slot (the test driver runs an animation to its end at once: its Tick
// replays it), and what flies is no button: a tap during the flight goes
// to what is under it. A wrong item makes its slot flash and end in the
// cue's colour.
func TestOrderItemFlies(t *testing.T) {
	k := orderKiosk(t, fyne.NewSize(800, 480))
	d := k.rightPos(0)
	k.tap(fmt.Sprintf("pick-%d", d))
	var fl *flight
	var fly fyne.CanvasObject
	walk(k.u.host, fyne.Position{}, func(o fyne.CanvasObject, _ fyne.Position) bool {
		if c, ok := o.(*fyne.Container); ok {
			if f, ok := c.Layout.(*flight); ok {
				fl, fly = f, c.Objects[0]
			}
		}
		return true
	})
	if fl == nil || fl.anim == nil {
		t.Fatal("no flight after placing an item")
	}
	if fly.Visible() {
		t.Error("the flyer is still shown after its flight")
	}
	if _, ok := fly.(fyne.Tappable); ok {
		t.Error("the flyer takes taps")
	}
	walkUI(fly, func(o fyne.CanvasObject) {
		if _, ok := o.(fyne.Tappable); ok {
			t.Errorf("the flyer holds a %T, which takes taps", o)
		}
	})
	pos := func(o fyne.CanvasObject) fyne.Position {
		return fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	}
	slot, _ := k.slotBox(0)
	fl.anim.Tick(0)
	if !fly.Visible() || pos(fly) != pos(fl.from) || fly.Size() != fl.from.Size() {
		t.Errorf("at the start the flyer is at %v %v, the card at %v %v", pos(fly), fly.Size(), pos(fl.from), fl.from.Size())
	}
	fl.anim.Tick(0.5)
	if p := pos(fly); p.X >= pos(fl.from).X || p.X <= pos(slot).X {
		t.Errorf("half way the flyer is at %v, from %v to %v", p, pos(fl.from), pos(slot))
	}
	fl.anim.Tick(1)
	if fly.Visible() {
		t.Error("the flyer stayed after its flight")
	}
	// A rebuild for another window size shows the step as it is: no flight.
	k.w.Resize(fyne.NewSize(1024, 600))
	walk(k.u.host, fyne.Position{}, func(o fyne.CanvasObject, _ fyne.Position) bool {
		if c, ok := o.(*fyne.Container); ok {
			if _, ok := c.Layout.(*flight); ok {
				t.Error("a resize replays the flight")
			}
		}
		return true
	})
	k.w.Resize(k.size)
	// A wrong item: the slot ends in the cue's colour.
	k.tap(fmt.Sprintf("pick-%d", k.rightPos(2)))
	box, _ := k.slotBox(1)
	if box.bg.FillColor != mix(amber, white, 0.55) {
		t.Errorf("the wrong slot ends %v", box.bg.FillColor)
	}
}

// TestAnimateKeepsTheLoopAwake: while an animation runs the UI keeps
// waking the kiosk's idle pump (or Fyne's loop would sleep after the
// first frame of an animation a physical button started), and it runs
// the animation's last frame itself when it is over.
func TestAnimateKeepsTheLoopAwake(t *testing.T) {
	var wakes atomic.Int32
	p, fsys := builtinPack(t)
	k := newKioskWith(t, p, fsys, fyne.NewSize(800, 480), Options{RasterCap: testRasterCap, Rasters: testRasters, Wake: func() { wakes.Add(1) }})
	var ends atomic.Int32
	a := fyne.NewAnimation(60*time.Millisecond, func(f float32) {
		if f >= 1 {
			ends.Add(1)
		}
	})
	before := wakes.Load()
	k.u.animate(a) // the test driver runs it to its end at once: one end
	for deadline := time.Now().Add(10 * time.Second); ends.Load() < 2 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if ends.Load() != 2 || wakes.Load() == before {
		t.Fatalf("last frame run %d times (want 2: the driver's and the UI's), %d wakes", ends.Load(), wakes.Load()-before)
	}
}
