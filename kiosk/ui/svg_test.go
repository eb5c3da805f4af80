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
// same pixels within rounding (premultiplied against straight alpha).
func TestRasterSVGMatchesFyne(t *testing.T) {
	test.NewTempApp(t)
	all := builtinSVGs(t)
	names := slices.Sorted(maps.Keys(all))
	step := max(1, len(names)/6) // a spread of six: Fyne's path is slow under -race
	for i := 0; i < len(names); i += step {
		name, doc := names[i], all[names[i]]
		want := fyneSVG(t, name, doc, 160, 120)
		got, err := rasterSVG(doc, 160, 120)
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
