package builtin

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fyne-io/oksvg"
	"github.com/srwiley/rasterx"
	"github.com/wufang-kiosk/wufang/content"
)

// pngDir, when set, receives a PNG of every illustration as the kiosk would
// draw it, and a copy of every hotspot picture with its targets outlined,
// for a person to look at: go test ./content/builtin -run Render -png.dir=DIR
var pngDir = flag.String("png.dir", "", "write rendered illustrations to this folder")

// rasterise draws an SVG of the pack the way Fyne does (oksvg on rasterx),
// at width w, keeping its aspect ratio.
func rasterise(t *testing.T, name string, w int) *image.RGBA {
	t.Helper()
	data, err := fs.ReadFile(FS(), name)
	if err != nil {
		t.Fatal(err)
	}
	icon, err := oksvg.ReadIconStream(bytes.NewReader(data), oksvg.StrictErrorMode)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	h := int(float64(w) * icon.ViewBox.H / icon.ViewBox.W)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	icon.SetTarget(0, 0, float64(w), float64(h))
	scanner := rasterx.NewScannerGV(w, h, img, img.Bounds())
	icon.Draw(rasterx.NewDasher(w, h, scanner), 1)
	return img
}

// TestRenderSVGs draws every illustration and checks that it shows a
// picture, not a blank or a single colour: oksvg skips what it cannot draw,
// so a picture that parses can still come out empty.
func TestRenderSVGs(t *testing.T) {
	width := 160 // small: rasterx is slow under -race, and a blank shows at any size
	if *pngDir != "" {
		width = 400
	}
	for _, name := range svgFiles(t) {
		img := rasterise(t, name, width)
		if n := distinctColours(img, 4); n < 3 {
			t.Errorf("%s renders with only %d colours; it draws nothing visible", name, n)
		}
		if *pngDir != "" {
			writePNG(t, filepath.Join(*pngDir, strings.ReplaceAll(name, "/", "_")+".png"), img)
		}
	}
}

// TestHotspotTargetsOverlay writes each hotspot picture with its targets
// outlined in magenta and its decoys in green, so a reviewer can see that each rectangle covers its
// hazard. It needs a person to look, so it runs only with -png.dir.
func TestHotspotTargetsOverlay(t *testing.T) {
	if *pngDir == "" {
		t.Skip("writes pictures for a person to check; run with -png.dir=DIR")
	}
	p := loadPack(t)
	for _, m := range p.Mods {
		for _, s := range m.Steps {
			if s.Type != content.Hotspot {
				continue
			}
			img := rasterise(t, s.Image, 800)
			for _, tg := range s.Targets {
				outline(img, tg, color.RGBA{255, 0, 255, 255})
			}
			for _, d := range s.Decoys {
				outline(img, d, color.RGBA{0, 170, 0, 255})
			}
			writePNG(t, filepath.Join(*pngDir, "targets_"+s.ID+".png"), img)
		}
	}
}

func outline(img *image.RGBA, tg content.Target, c color.RGBA) {
	b := img.Bounds()
	r := image.Rect(int(tg.X*float64(b.Dx())), int(tg.Y*float64(b.Dy())),
		int((tg.X+tg.W)*float64(b.Dx())), int((tg.Y+tg.H)*float64(b.Dy())))
	magenta := image.NewUniform(c)
	for i := range 3 {
		edge := r.Inset(i)
		draw.Draw(img, image.Rect(edge.Min.X, edge.Min.Y, edge.Max.X, edge.Min.Y+1), magenta, image.Point{}, draw.Src)
		draw.Draw(img, image.Rect(edge.Min.X, edge.Max.Y-1, edge.Max.X, edge.Max.Y), magenta, image.Point{}, draw.Src)
		draw.Draw(img, image.Rect(edge.Min.X, edge.Min.Y, edge.Min.X+1, edge.Max.Y), magenta, image.Point{}, draw.Src)
		draw.Draw(img, image.Rect(edge.Max.X-1, edge.Min.Y, edge.Max.X, edge.Max.Y), magenta, image.Point{}, draw.Src)
	}
}

// distinctColours counts colours in img, stopping at limit.
func distinctColours(img *image.RGBA, limit int) int {
	seen := map[color.RGBA]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			seen[img.RGBAAt(x, y)] = true
			if len(seen) >= limit {
				return len(seen)
			}
		}
	}
	return len(seen)
}

func writePNG(t *testing.T, name string, img image.Image) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
