package ui

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

// smallestText draws every screen of the built-in pack at size in lang and
// returns the smallest font size any text block used, with where.
func smallestText(t *testing.T, size fyne.Size, lang string) (float32, string) {
	t.Helper()
	p, fsys := builtinPack(t)
	k := newKiosk(t, p, fsys, size)
	small, where := float32(1e9), ""
	for _, sh := range Shots(p, lang) {
		k.u.show(sh.State)
		walkUI(k.u.host, func(o fyne.CanvasObject) {
			if tb, ok := o.(*textBlock); ok && tb.text != "" && tb.used > 0 && tb.used < small {
				small, where = tb.used, fmt.Sprintf("%s %q", sh.Name, short(tb.text))
			}
		})
	}
	return small, where
}

// TestTextFloor: no text on any screen of the built-in pack, at four
// sizes and in both languages, is smaller than the floor scaled for the
// screen (TestBuiltinPackFits checks that what is at the floor fits).
// -v prints the smallest size per screen size.
func TestTextFloor(t *testing.T) {
	for _, size := range []fyne.Size{{Width: 800, Height: 480}, {Width: 1920, Height: 1080}, {Width: 480, Height: 800}, {Width: 1080, Height: 1920}} {
		scale := max(1, min(size.Width/800, size.Height/480))
		if size.Height > size.Width {
			scale = max(1, min(size.Width/480, size.Height/800))
		}
		for _, lang := range []string{"zh-CN", "en"} {
			s, w := smallestText(t, size, lang)
			t.Logf("%vx%v %s: %.1f px (%s)", size.Width, size.Height, lang, s, w)
			if s < textFloor*scale-0.01 {
				t.Errorf("%vx%v %s: text at %.1f px, under the floor %.1f: %s", size.Width, size.Height, lang, s, textFloor*scale, w)
			}
		}
	}
}

// TestOneSizePerGroup: the options of a question share one font size.
func TestOneSizePerGroup(t *testing.T) {
	p, fsys := builtinPack(t)
	k := newKiosk(t, p, fsys, fyne.NewSize(800, 480))
	checked := 0
	for _, sh := range Shots(p, "en") {
		if sh.State.StepType != "choice" || sh.State.Answered {
			continue
		}
		k.u.show(sh.State)
		sizes := map[float32]bool{}
		for id, b := range k.boxes() {
			if len(id) > 7 && id[:7] == "option-" {
				walkUI(b, func(o fyne.CanvasObject) {
					if tb, ok := o.(*textBlock); ok && tb.group != nil {
						sizes[tb.used] = true
					}
				})
			}
		}
		if len(sizes) != 1 {
			t.Errorf("%s: options in %d sizes: %v", sh.Name, len(sizes), sizes)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no choice step checked")
	}
}

// TestLargeTextButton: A+ makes the text larger for this visit and the
// next visitor starts at the room's size.
func TestLargeTextButton(t *testing.T) {
	p, fsys := builtinPack(t)
	k := newKiosk(t, p, fsys, fyne.NewSize(800, 480))
	k.wake()
	hintSize := func() float32 {
		var s float32
		walkUI(k.u.host, func(o fyne.CanvasObject) {
			if tb, ok := o.(*textBlock); ok && tb.text == msg(k.u.st.Lang, "pick") {
				s = tb.size
			}
		})
		return s
	}
	before := hintSize()
	k.tap("large")
	if after := hintSize(); after <= before {
		t.Fatalf("A+: text %.1f -> %.1f", before, after)
	}
	k.tap("tile-0")
	if _, ok := k.boxes()["large"]; !ok {
		t.Fatal("no A+ on a step")
	}
	k.m.Dispatch(flow.Input{Kind: flow.GoHome})
	if got := hintSize(); got <= before {
		t.Fatal("large text did not last the visit")
	}
	k.clock.Advance(2 * time.Minute) // the visit ends
	k.wake()
	if got := hintSize(); got != before {
		t.Fatalf("the next visitor has text %.1f, want %.1f", got, before)
	}
}
