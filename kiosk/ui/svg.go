package ui

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"reflect"

	"github.com/fyne-io/oksvg"
	"github.com/srwiley/rasterx"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// rasterSVG draws an SVG document into a w×h bitmap (the picture keeps its
// proportions inside it, top-left aligned, as Fyne places it).
//
// It does what Fyne's canvas.Image does for an SVG resource, with the same
// parser (oksvg) and path builder (rasterx), but faster, and the result is
// what the GL painter uploads as it is (BenchmarkRasterSVG):
//   - into an *image.RGBA, where golang.org/x/image/vector fills with its
//     fast path; Fyne's *image.NRGBA takes the generic one (a Set and an
//     At per pixel);
//   - each path over its own bounding box (boxScanner), where rasterx's
//     scanner clears and scans the whole picture for every path.
//   - with stroke widths and dashes that follow the picture's size
//     (scaleStrokes), where oksvg draws them in pixels whatever the scale.
//
// Rasterising was most of the kiosk's start-up time.
func rasterSVG(doc []byte, w, h int) (*image.RGBA, error) {
	return drawSVG(doc, w, h, true)
}

// drawSVG is rasterSVG; without scaled it draws the strokes as oksvg (and
// so Fyne) does, for the comparison with Fyne's pictures.
func drawSVG(doc []byte, w, h int, scaled bool) (img *image.RGBA, err error) {
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("svg: empty size %dx%d", w, h)
	}
	icon, err := oksvg.ReadIconStream(bytes.NewReader(doc))
	if err != nil {
		return nil, fmt.Errorf("svg: %w", err)
	}
	vb := icon.ViewBox
	if vb.W <= 0 || vb.H <= 0 {
		return nil, errors.New("svg: no view box")
	}
	aspect := vb.W / vb.H
	imgW, imgH := w, h
	if view := float64(w) / float64(h); view > aspect {
		imgW = max(1, int(float64(h)*aspect))
	} else if view < aspect {
		imgH = max(1, int(float64(w)/aspect))
	}
	y := 0.0
	if vb.Y < 0 { // as Fyne does, so pictures land where they did
		y = vb.Y + (-vb.Y/vb.H)*float64(imgH)
	}
	icon.SetTarget(0, y, float64(imgW), float64(imgH))
	if scaled {
		scaleStrokes(icon)
	}
	img = image.NewRGBA(image.Rect(0, 0, imgW, imgH))
	scanner := &boxScanner{dst: img}
	scanner.Clear()
	defer func() { // oksvg panics on some malformed documents
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("svg: cannot draw: %v", r)
		}
	}()
	icon.Draw(rasterx.NewDasher(w, h, scanner), 1)
	return img, nil
}

// scaleStrokes makes every path's line as wide, relative to the picture,
// at any size: SVG gives stroke-width and dash lengths in the path's user
// units, so they scale with the transform from them to the bitmap (the
// icon's, to the target size, times the path's own from its groups); oksvg
// hands them to rasterx unscaled, so a line 4 units wide came out 4 px
// wide in a picture drawn 300 px or 1200 px wide (hairline at 1080p). A
// non-uniform scale gets the mean of its two (the square root of the
// determinant), as most renderers do for a round pen.
func scaleStrokes(icon *oksvg.SvgIcon) {
	for i := range icon.SVGPaths {
		p := &icon.SVGPaths[i]
		k := matrixScale(icon.Transform.Mult(pathMatrix(p)))
		p.LineWidth *= k
		p.DashOffset *= k
		if len(p.Dash) > 0 { // paths of one style share the slice: scale a copy
			d := make([]float64, len(p.Dash))
			for j, l := range p.Dash {
				d[j] = l * k
			}
			p.Dash = d
		}
	}
}

func matrixScale(m rasterx.Matrix2D) float64 {
	return math.Sqrt(math.Abs(m.A*m.D - m.B*m.C))
}

// pathMatrix is the transform oksvg keeps for a path from its groups'
// transform attributes, in a field it does not export; it is read (never
// written) by reflection. Should a new oksvg rename the field, the
// identity is used and TestStrokesScale's scaled group fails.
func pathMatrix(p *oksvg.SvgPath) rasterx.Matrix2D {
	v := reflect.ValueOf(p).Elem().FieldByName("mAdder")
	if !v.IsValid() {
		return rasterx.Identity
	}
	m := v.FieldByName("M")
	if !m.IsValid() || m.Type() != reflect.TypeFor[rasterx.Matrix2D]() {
		return rasterx.Identity
	}
	f := func(name string) float64 { return m.FieldByName(name).Float() }
	return rasterx.Matrix2D{A: f("A"), B: f("B"), C: f("C"), D: f("D"), E: f("E"), F: f("F")}
}

// boxScanner is a rasterx.Scanner that fills each path over its bounding
// box only, through golang.org/x/image/vector like rasterx.ScannerGV. Like
// it, it fills with the non-zero rule only and ignores clipping (oksvg sets
// neither).
type boxScanner struct {
	dst      *image.RGBA
	r        vector.Rasterizer
	ops      []pathOp
	min, max fixed.Point26_6
	src      image.Image
	uniform  image.Uniform
}

type pathOp struct {
	start bool
	p     fixed.Point26_6
}

// funcImage is a gradient: the colour at each point of the picture.
type funcImage rasterx.ColorFunc

func (f funcImage) ColorModel() color.Model { return color.RGBAModel }
func (f funcImage) Bounds() image.Rectangle {
	return image.Rect(math.MinInt32/2, math.MinInt32/2, math.MaxInt32/2, math.MaxInt32/2)
}
func (f funcImage) At(x, y int) color.Color { return f(x, y) }

func (s *boxScanner) add(start bool, p fixed.Point26_6) {
	s.ops = append(s.ops, pathOp{start, p})
	s.min.X, s.min.Y = min(s.min.X, p.X), min(s.min.Y, p.Y)
	s.max.X, s.max.Y = max(s.max.X, p.X), max(s.max.Y, p.Y)
}

func (s *boxScanner) Start(a fixed.Point26_6) { s.add(true, a) }
func (s *boxScanner) Line(b fixed.Point26_6)  { s.add(false, b) }

func (s *boxScanner) GetPathExtent() fixed.Rectangle26_6 {
	return fixed.Rectangle26_6{Min: s.min, Max: s.max}
}

func (s *boxScanner) SetBounds(w, h int)           {} // the picture's size is fixed
func (s *boxScanner) SetWinding(bool)              {}
func (s *boxScanner) SetClip(rect image.Rectangle) {}

func (s *boxScanner) SetColor(c any) {
	switch c := c.(type) {
	case color.Color:
		s.uniform.C = c
		s.src = &s.uniform
	case rasterx.ColorFunc:
		s.src = funcImage(c)
	}
}

func (s *boxScanner) Clear() {
	s.ops = s.ops[:0]
	const big = fixed.Int26_6(math.MaxInt32)
	s.min, s.max = fixed.Point26_6{X: big, Y: big}, fixed.Point26_6{X: -big, Y: -big}
}

func (s *boxScanner) Draw() {
	if len(s.ops) == 0 || s.src == nil {
		return
	}
	box := image.Rect(s.min.X.Floor(), s.min.Y.Floor(), s.max.X.Ceil()+1, s.max.Y.Ceil()+1).Intersect(s.dst.Rect)
	if box.Empty() {
		return
	}
	s.r.Reset(box.Dx(), box.Dy())
	ox, oy := float32(box.Min.X), float32(box.Min.Y)
	for _, op := range s.ops {
		x, y := float32(op.p.X)/64-ox, float32(op.p.Y)/64-oy
		if op.start {
			s.r.MoveTo(x, y)
		} else {
			s.r.LineTo(x, y)
		}
	}
	// The mask starts at box.Min; a gradient is addressed in picture
	// coordinates.
	s.r.Draw(s.dst, box, s.src, box.Min)
}
