package ui

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
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

func TestSmallestTextReport(t *testing.T) {
	for _, size := range []fyne.Size{{Width: 800, Height: 480}, {Width: 1920, Height: 1080}, {Width: 480, Height: 800}, {Width: 1080, Height: 1920}} {
		for _, lang := range []string{"zh-CN", "en"} {
			s, w := smallestText(t, size, lang)
			t.Logf("%vx%v %s: %.1f px (%s)", size.Width, size.Height, lang, s, w)
		}
	}
}
