package ui

import (
	"image"
	"image/draw"
	"io/fs"
	"maps"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/wufang-kiosk/wufang/content/builtin"
)

// fyneSVG rasterises doc as Fyne's canvas.Image does (what the kiosk did
// before rasterSVG), converted to RGBA for comparison.
func fyneSVG(tb testing.TB, name string, doc []byte, w, h int) *image.RGBA {
	tb.Helper()
	ci := canvas.NewImageFromResource(fyne.NewStaticResource(name, doc))
	ci.FillMode = canvas.ImageFillStretch
	// Outside a canvas the GL driver draws at twice the size (media.pixels
	// asks for half); the test driver draws at the size asked.
	ci.Resize(fyne.NewSize(float32(w), float32(h)))
	if ci.Image == nil {
		tb.Fatalf("%s: Fyne drew nothing", name)
	}
	b := ci.Image.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Rect, ci.Image, b.Min, draw.Src)
	return out
}

func builtinSVGs(tb testing.TB) map[string][]byte {
	tb.Helper()
	out := map[string][]byte{}
	err := fs.WalkDir(builtin.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && len(p) > 4 && p[len(p)-4:] == ".svg" {
			out[p], err = fs.ReadFile(builtin.FS(), p)
		}
		return err
	})
	if err != nil || len(out) == 0 {
		tb.Fatalf("built-in pictures: %d, %v", len(out), err)
	}
	return out
}

// rasterSVG draws every built-in picture as Fyne did: same size, and the
// same pixels within rounding (premultiplied against straight alpha),
// strokes aside: Fyne draws a stroke-width in pixels at any size, rasterSVG
// scales it with the picture (TestStrokesScale), so the comparison is with
// that off.
func TestRasterSVGMatchesFyne(t *testing.T) {
	test.NewTempApp(t)
	all := builtinSVGs(t)
	names := slices.Sorted(maps.Keys(all))
	step := max(1, len(names)/6) // a spread of six: Fyne's path is slow under -race
	for i := 0; i < len(names); i += step {
		name, doc := names[i], all[names[i]]
		want := fyneSVG(t, name, doc, 160, 120)
		got, err := drawSVG(doc, 160, 120, false)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.Rect != want.Rect {
			t.Fatalf("%s: size %v, Fyne %v", name, got.Rect, want.Rect)
		}
		var off int
		for i := range got.Pix {
			d := int(got.Pix[i]) - int(want.Pix[i])
			if d < -3 || d > 3 {
				off++
			}
		}
		if off > len(got.Pix)/1000 {
			t.Errorf("%s: %d of %d channel values differ from Fyne's by more than 3", name, off, len(got.Pix))
		}
	}
}

func TestRasterSVGBadInput(t *testing.T) {
	for name, doc := range map[string]string{
		"not xml":      "hello",
		"no view box":  `<svg xmlns="http://www.w3.org/2000/svg"></svg>`,
		"zero viewbox": `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 0 0"></svg>`,
	} {
		if img, err := rasterSVG([]byte(doc), 100, 100); err == nil {
			t.Errorf("%s: drew %v, want an error", name, img.Rect)
		}
	}
	if _, err := rasterSVG([]byte(`<svg viewBox="0 0 10 10"/>`), 0, 10); err == nil {
		t.Error("zero width: no error")
	}
}

// BenchmarkRasterSVG compares rasterSVG with Fyne's canvas.Image on the
// built-in pack's pictures at the kiosk's 800×480 attract size: run with
// -bench RasterSVG and compare the two lines (same run, same machine).
func BenchmarkRasterSVG(b *testing.B) {
	test.NewTempApp(b)
	docs := builtinSVGs(b)
	b.Run("fyne", func(b *testing.B) {
		for b.Loop() {
			for name, doc := range docs {
				fyneSVG(b, name, doc, 400, 336)
			}
		}
	})
	b.Run("wufang", func(b *testing.B) {
		for b.Loop() {
			for _, doc := range docs {
				if _, err := rasterSVG(doc, 400, 336); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// TestStrokesScale: a line keeps its width relative to the picture at any
// size, also inside a group with its own scale, and so do dashes; a
// built-in drawing at 1200 px wide, scaled back down to 300, looks like
// the drawing made at 300 (before, its lines were a quarter as wide).
func TestStrokesScale(t *testing.T) {
	// thickness is the run of dark pixels down column x.
	thickness := func(img *image.RGBA, x int) int {
		n := 0
		for y := range img.Rect.Dy() {
			if img.RGBAAt(x, y).A > 127 {
				n++
			}
		}
		return n
	}
	// dashes counts the dark runs along row y.
	dashes := func(img *image.RGBA, y int) int {
		n, in := 0, false
		for x := range img.Rect.Dx() {
			on := img.RGBAAt(x, y).A > 127
			if on && !in {
				n++
			}
			in = on
		}
		return n
	}
	for _, c := range []struct {
		name, body string
		units      float64 // the line's width in picture units (view box 100)
	}{
		{"plain", `<path d="M0 50 H100" stroke="#000" stroke-width="10" fill="none"/>`, 10},
		{"group scale", `<g transform="scale(2 2)"><path d="M0 25 H50" stroke="#000" stroke-width="5" fill="none"/></g>`, 10},
		{"group translate", `<g transform="translate(0 20)"><path d="M0 30 H100" stroke="#000" stroke-width="8" fill="none"/></g>`, 8},
	} {
		doc := []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">` + c.body + `</svg>`)
		for _, size := range []int{100, 400, 1000} {
			img, err := rasterSVG(doc, size, size)
			if err != nil {
				t.Fatal(err)
			}
			want := c.units * float64(size) / 100
			if got := float64(thickness(img, size/2)); got < want-1.5 || got > want+1.5 {
				t.Errorf("%s at %d px: line %v px wide, want %.0f", c.name, size, got, want)
			}
		}
	}
	dashed := []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">` +
		`<path d="M0 50 H100" stroke="#000" stroke-width="6" stroke-dasharray="10 10" fill="none"/>` +
		`<path d="M0 80 H100" stroke="#000" stroke-width="6" stroke-dasharray="10 10" fill="none"/></svg>`)
	for _, size := range []int{100, 500} {
		img, err := rasterSVG(dashed, size, size)
		if err != nil {
			t.Fatal(err)
		}
		for _, y := range []int{size / 2, size * 8 / 10} { // the second path shares the first's dash list
			if n := dashes(img, y); n != 5 {
				t.Errorf("dashed line at %d px, row %d: %d dashes, want 5", size, y, n)
			}
		}
	}

	all := builtinSVGs(t)
	for _, name := range []string{"media/art/welcome.svg", "media/art/lorry.svg", "media/icons/fire.svg"} {
		doc, ok := all[name]
		if !ok {
			t.Fatalf("no built-in %s", name)
		}
		small, err := rasterSVG(doc, 300, 300)
		if err != nil {
			t.Fatal(err)
		}
		big, err := rasterSVG(doc, 1200, 1200)
		if err != nil {
			t.Fatal(err)
		}
		if d := meanDiff(small, shrink(big, 4)); d > 6 {
			t.Errorf("%s: drawn at 1200 px and shrunk to 300 differs from the 300 px drawing by %.1f per channel on average", name, d)
		}
	}
}

// shrink averages k×k blocks of img.
func shrink(img *image.RGBA, k int) *image.RGBA {
	b := img.Rect
	out := image.NewRGBA(image.Rect(0, 0, b.Dx()/k, b.Dy()/k))
	for y := range out.Rect.Dy() {
		for x := range out.Rect.Dx() {
			var s [4]int
			for dy := range k {
				for dx := range k {
					i := img.PixOffset(x*k+dx, y*k+dy)
					for c := range 4 {
						s[c] += int(img.Pix[i+c])
					}
				}
			}
			o := out.PixOffset(x, y)
			for c := range 4 {
				out.Pix[o+c] = uint8(s[c] / (k * k))
			}
		}
	}
	return out
}

// meanDiff is the mean absolute difference per channel of two pictures of
// one size (a size mismatch counts as the largest difference).
func meanDiff(a, b *image.RGBA) float64 {
	if a.Rect.Size() != b.Rect.Size() {
		return 255
	}
	var sum int
	for i := range a.Pix {
		d := int(a.Pix[i]) - int(b.Pix[i])
		sum += max(d, -d)
	}
	return float64(sum) / float64(len(a.Pix))
}
