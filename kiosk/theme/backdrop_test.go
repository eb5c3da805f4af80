package theme

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"
)

func TestBackdrop(t *testing.T) {
	var b Backdrop
	th := New(Options{Backdrop: &b})
	plain := New(Options{})
	bg := func() color.Color { return th.Color(fynetheme.ColorNameBackground, fynetheme.VariantLight) }
	if got, want := bg(), plain.Color(fynetheme.ColorNameBackground, 0); got != want {
		t.Errorf("unset backdrop: background %v, want the theme's %v", got, want)
	}
	navy := color.RGBA{0x0d, 0x2a, 0x4a, 0xff}
	b.Set(navy)
	if got := bg(); !near(got, navy) {
		t.Errorf("background %v after Set(%v)", got, navy)
	}
	for _, n := range []fyne.ThemeColorName{fynetheme.ColorNameMenuBackground, fynetheme.ColorNameOverlayBackground, fynetheme.ColorNameForeground} {
		if got, want := th.Color(n, 0), plain.Color(n, 0); got != want {
			t.Errorf("%s follows the backdrop: %v, want %v", n, got, want)
		}
	}
	b.Set(nil)
	if got, want := bg(), plain.Color(fynetheme.ColorNameBackground, 0); got != want {
		t.Errorf("Set(nil): background %v, want the theme's %v", got, want)
	}
	dark := New(Options{Dark: true, Backdrop: &b})
	if got, want := dark.Color(fynetheme.ColorNameBackground, 0), New(Options{Dark: true}).Color(fynetheme.ColorNameBackground, 0); got != want {
		t.Errorf("dark theme with an unset backdrop: %v, want %v", got, want)
	}
}

// TestBackdropClearsExactly: Fyne 2.7.1's GL painter turns the background
// colour into the window's clear colour as component/(255×255), and GL
// rounds that to 8 bits; every 8-bit value set must come out as itself.
func TestBackdropClearsExactly(t *testing.T) {
	var b Backdrop
	th := New(Options{Backdrop: &b})
	clear := func(v uint32) int { return int(math.Round(min(1, float64(float32(v)/float32(255*255))) * 255)) }
	for v := 0; v < 256; v++ {
		b.Set(color.NRGBA{uint8(v), uint8(255 - v), uint8(v / 2), 0xff})
		r, g, bl, a := th.Color(fynetheme.ColorNameBackground, 0).RGBA()
		if clear(r) != v || clear(g) != 255-v || clear(bl) != v/2 || clear(a) != 255 {
			t.Fatalf("set %d/%d/%d: the window is cleared to %d/%d/%d/%d", v, 255-v, v/2, clear(r), clear(g), clear(bl), clear(a))
		}
	}
}

// near: within one level of 255 in each component (see Backdrop on the
// scaling).
func near(a, b color.Color) bool {
	r1, g1, b1, a1 := a.RGBA()
	r2, g2, b2, a2 := b.RGBA()
	d := func(p, q uint32) bool { return p <= q+257 && q <= p+257 }
	return d(r1, r2) && d(g1, g2) && d(b1, b2) && d(a1, a2)
}
