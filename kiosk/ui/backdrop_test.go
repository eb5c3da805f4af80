package ui

import (
	"image"
	"image/color"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
	ktheme "github.com/wufang-kiosk/wufang/kiosk/theme"
)

// TestBackdrop: with Options.Backdrop, every screen hands over its
// background colour and leaves its bottom layer undrawn, and a window
// cleared to that colour (the kiosk theme's Backdrop: Fyne's test canvas,
// like its GL painter, starts each capture from the theme's background)
// shows exactly what drawing the layer showed. The "still there?" shade
// stays drawn: it covers another screen.
func TestBackdrop(t *testing.T) {
	fsys := os.DirFS(filepath.Join("testdata", "pack"))
	p, err := content.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var bd ktheme.Backdrop
	var handed color.Color
	handOver := func(c color.Color) { handed = c; bd.Set(c) }
	k := newKioskWith(t, p, fsys, fyne.NewSize(800, 480), Options{RasterCap: testRasterCap, Rasters: testRasters})
	fyne.CurrentApp().Settings().SetTheme(ktheme.New(ktheme.Options{Backdrop: &bd}))
	layers := func() (out []*bgTap) {
		walkUI(k.u.host, func(o fyne.CanvasObject) {
			if b, ok := o.(*bgTap); ok {
				out = append(out, b)
			}
		})
		return out
	}
	for _, sh := range Shots(p, "zh-CN") {
		// As drawn without the option...
		k.u.opts.Backdrop = nil
		bd.Set(nil)
		k.u.show(sh.State)
		k.u.host.rebuild() // the first shot is the screen already shown
		drawn := k.w.Canvas().Capture()
		// ... and with it.
		handed = color.Black
		k.u.opts.Backdrop = handOver
		k.u.host.rebuild()
		if handed == color.Black {
			t.Fatalf("%s: the backdrop was not handed over", sh.Name)
		}
		if handed == nil {
			t.Errorf("%s: no backdrop (its bottom layer is not one opaque colour)", sh.Name)
			continue
		}
		l := layers()
		if len(l) == 0 || l[0].rect.FillColor != color.Transparent {
			t.Fatalf("%s: the bottom layer is still drawn", sh.Name)
		}
		if sh.State.StillThere && (len(l) < 2 || l[len(l)-1].rect.FillColor != shade) {
			t.Errorf("%s: the overlay's shade is not drawn", sh.Name)
		}
		cleared := k.w.Canvas().Capture()
		if n, at := differ(cleared, drawn); n > 0 {
			t.Errorf("%s: %d pixels differ between the window cleared to %v and the drawn layer (first at %v)", sh.Name, n, handed, at)
		}
		if sh.State.Screen == flow.Attract && !sameColour(handed, navy) {
			t.Errorf("%s: backdrop %v, want navy", sh.Name, handed)
		}
	}
}

// differ counts the pixels of a and b whose channels differ by more than
// 2 of 255, and gives the first. The test canvas paints the screen onto a
// transparent image and lays that over the background, so anti-aliased
// edges over a cleared window round differently by a step or two from the
// same edges painted over the opaque layer (a GL framebuffer blends in
// place and has no such step).
func differ(a, b image.Image) (n int, first image.Point) {
	r := a.Bounds()
	if r != b.Bounds() {
		return r.Dx() * r.Dy(), r.Min
	}
	far := func(p, q uint32) bool { return p > q+2*257 || q > p+2*257 }
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			if far(r1, r2) || far(g1, g2) || far(b1, b2) || far(a1, a2) {
				if n == 0 {
					first = image.Pt(x, y)
				}
				n++
			}
		}
	}
	return n, first
}
