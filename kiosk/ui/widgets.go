package ui

import (
	"image"
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// tapBox is the kiosk's button: a big rounded, coloured area around any
// content. It has no hover or focus decoration (a touchscreen has neither),
// shows a pressed state from the moment a finger touches it (the press
// arrives before the tap, which comes on lifting), and recovers a panic in
// its handler so that a tap can never take the kiosk down.
type tapBox struct {
	widget.BaseWidget
	bg      *canvas.Rectangle
	content fyne.CanvasObject
	inset   float32
	onTap   func()
	onTapAt func(fyne.Position)
	ui      *UI
	id      string // what it does, for tests: "next", "option-2", "tile-0", …

	pressed bool
	up      struct { // the look to restore when the finger lifts
		fill, stroke color.Color
		width        float32
	}
}

var _ desktop.Mouseable = (*tapBox)(nil)

// MouseDown shows the pressed state (touchscreens deliver a touch as a
// mouse press). Boxes without a handler (panels) show nothing.
func (b *tapBox) MouseDown(*desktop.MouseEvent) {
	if b.onTap == nil && b.onTapAt == nil {
		return
	}
	b.press(true)
}

// MouseUp restores the look; a tap that changes the screen replaces the
// box anyway.
func (b *tapBox) MouseUp(*desktop.MouseEvent) { b.press(false) }

// press draws the box pressed (darker, with a thick ink edge) or not.
func (b *tapBox) press(on bool) {
	if on == b.pressed {
		return
	}
	b.pressed = on
	if on {
		b.up.fill, b.up.stroke, b.up.width = b.bg.FillColor, b.bg.StrokeColor, b.bg.StrokeWidth
		b.bg.FillColor = pressedColour(b.bg.FillColor)
		b.bg.StrokeColor, b.bg.StrokeWidth = ink, max(3, b.bg.StrokeWidth)
	} else {
		b.bg.FillColor, b.bg.StrokeColor, b.bg.StrokeWidth = b.up.fill, b.up.stroke, b.up.width
	}
	b.bg.Refresh()
}

// pressedColour is c as pressed: darker, by enough to see on white, on the
// module colours and on the grey of secondary buttons.
func pressedColour(c color.Color) color.Color {
	if c == nil {
		c = card
	}
	return mix(c, ink, 0.3)
}

func (b *tapBox) named(id string) *tapBox {
	b.id = id
	return b
}

func (u *UI) newTapBox(bg color.Color, radius, inset float32, content fyne.CanvasObject, tap func()) *tapBox {
	r := canvas.NewRectangle(bg)
	r.CornerRadius = radius
	b := &tapBox{bg: r, content: content, inset: inset, onTap: tap, ui: u}
	b.ExtendBaseWidget(b)
	return b
}

func (b *tapBox) Tapped(e *fyne.PointEvent) {
	b.ui.guard("tap", func() {
		switch {
		case b.onTapAt != nil:
			b.onTapAt(e.Position)
		case b.onTap != nil:
			b.onTap()
		}
	})
}

func (b *tapBox) CreateRenderer() fyne.WidgetRenderer {
	objs := []fyne.CanvasObject{b.bg}
	if b.content != nil {
		objs = append(objs, b.content)
	}
	return &tapRenderer{b: b, objs: objs}
}

func (b *tapBox) kids() []fyne.CanvasObject {
	if b.content == nil {
		return []fyne.CanvasObject{b.bg}
	}
	return []fyne.CanvasObject{b.bg, b.content}
}

type tapRenderer struct {
	b    *tapBox
	objs []fyne.CanvasObject
}

func (r *tapRenderer) Destroy()                     {}
func (r *tapRenderer) Objects() []fyne.CanvasObject { return r.objs }
func (r *tapRenderer) MinSize() fyne.Size           { return fyne.NewSize(1, 1) }
func (r *tapRenderer) Refresh() {
	r.b.bg.Refresh()
	if r.b.content != nil {
		r.b.content.Refresh()
	}
}
func (r *tapRenderer) Layout(s fyne.Size) {
	r.b.bg.Resize(s)
	move(r.b.bg, fyne.NewPos(0, 0))
	if c := r.b.content; c != nil {
		in := r.b.inset
		move(c, fyne.NewPos(in, in))
		c.Resize(fyne.NewSize(max(0, s.Width-2*in), max(0, s.Height-2*in)))
	}
}

// flex lays its objects out in a row or a column: each takes a fixed length
// (> 0) or a share of what is left (weight < 0). Its MinSize is tiny on
// purpose; screens are built for the window they are shown in.
type flex struct {
	horiz bool
	gap   float32
	spec  []float32
}

func (f *flex) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(1, 1) }

func (f *flex) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	total := size.Height
	if f.horiz {
		total = size.Width
	}
	fixed, weights := float32(0), float32(0)
	n := 0
	for i, o := range objs {
		if !o.Visible() {
			continue
		}
		n++
		if s := f.at(i); s > 0 {
			fixed += s
		} else {
			weights += -s
		}
	}
	free := max(0, total-fixed-f.gap*float32(max(0, n-1)))
	pos := float32(0)
	for i, o := range objs {
		if !o.Visible() {
			continue
		}
		l := f.at(i)
		if l <= 0 {
			l = free * -l / weights
		}
		l = max(0, l)
		if f.horiz {
			move(o, fyne.NewPos(pos, 0))
			o.Resize(fyne.NewSize(l, size.Height))
		} else {
			move(o, fyne.NewPos(0, pos))
			o.Resize(fyne.NewSize(size.Width, l))
		}
		pos += l + f.gap
	}
}

func (f *flex) at(i int) float32 {
	if i < len(f.spec) {
		return f.spec[i]
	}
	return -1
}

// row and col build flex containers from (object, length) pairs given as
// two slices; an object with length -w takes w shares of the free space.
func row(gap float32, spec []float32, objs ...fyne.CanvasObject) *fyne.Container {
	return &fyne.Container{Layout: &flex{horiz: true, gap: gap, spec: spec}, Objects: objs}
}

func col(gap float32, spec []float32, objs ...fyne.CanvasObject) *fyne.Container {
	return &fyne.Container{Layout: &flex{gap: gap, spec: spec}, Objects: objs}
}

// grid lays objects out in rows × cols equal cells.
type grid struct {
	rows, cols int
	gap        float32
}

func (g *grid) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(1, 1) }

func (g *grid) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	cw := max(0, (size.Width-g.gap*float32(g.cols-1))/float32(g.cols))
	ch := max(0, (size.Height-g.gap*float32(g.rows-1))/float32(g.rows))
	for i, o := range objs {
		r, c := i/g.cols, i%g.cols
		move(o, fyne.NewPos(float32(c)*(cw+g.gap), float32(r)*(ch+g.gap)))
		o.Resize(fyne.NewSize(cw, ch))
	}
}

func gridOf(rows, cols int, gap float32, objs ...fyne.CanvasObject) *fyne.Container {
	return &fyne.Container{Layout: &grid{rows: rows, cols: cols, gap: gap}, Objects: objs}
}

// inset pads its single child by a fixed margin on every side.
type inset struct{ l, t, r, b float32 }

func (p *inset) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(1, 1) }
func (p *inset) Layout(objs []fyne.CanvasObject, s fyne.Size) {
	for _, o := range objs {
		move(o, fyne.NewPos(p.l, p.t))
		o.Resize(fyne.NewSize(max(0, s.Width-p.l-p.r), max(0, s.Height-p.t-p.b)))
	}
}

func pad(m float32, objs ...fyne.CanvasObject) *fyne.Container {
	return &fyne.Container{Layout: &inset{m, m, m, m}, Objects: objs}
}

func padXY(x, y float32, objs ...fyne.CanvasObject) *fyne.Container {
	return &fyne.Container{Layout: &inset{x, y, x, y}, Objects: objs}
}

// stack lays every object over the whole area.
func stack(objs ...fyne.CanvasObject) *fyne.Container {
	return &fyne.Container{Layout: &inset{}, Objects: objs}
}

// square centres one child in the largest square that fits (icons, faces).
type squareLayout struct{}

func (squareLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(1, 1) }
func (squareLayout) Layout(objs []fyne.CanvasObject, s fyne.Size) {
	d := min(s.Width, s.Height)
	for _, o := range objs {
		move(o, fyne.NewPos((s.Width-d)/2, (s.Height-d)/2))
		o.Resize(fyne.NewSize(d, d))
	}
}

func square(o fyne.CanvasObject) *fyne.Container {
	return &fyne.Container{Layout: squareLayout{}, Objects: []fyne.CanvasObject{o}}
}

// shape draws a small vector picture (faces, stars, ticks, crosses) into a
// raster, so the kiosk never depends on an emoji font.
func shape(draw func(x, y float64) color.Color) *canvas.Raster {
	return canvas.NewRaster(func(w, h int) image.Image {
		img := image.NewNRGBA(image.Rect(0, 0, w, h))
		if w == 0 || h == 0 {
			return img
		}
		d := float64(min(w, h))
		ox, oy := float64(w)-d, float64(h)-d
		for py := range h {
			for px := range w {
				// 2×2 supersampling for smooth edges.
				var rs, gs, bs, as float64
				for _, o := range [4][2]float64{{.25, .25}, {.75, .25}, {.25, .75}, {.75, .75}} {
					x := (float64(px) + o[0] - ox/2) / d
					y := (float64(py) + o[1] - oy/2) / d
					c := draw(x, y)
					if c == nil {
						continue
					}
					r, g, b, a := c.RGBA()
					rs += float64(r)
					gs += float64(g)
					bs += float64(b)
					as += float64(a)
				}
				if as == 0 {
					continue
				}
				img.Set(px, py, color.NRGBA64{
					R: uint16(rs / as * 0xffff), G: uint16(gs / as * 0xffff), B: uint16(bs / as * 0xffff),
					A: uint16(as / 4),
				})
			}
		}
		return img
	})
}

// face draws a round face: mood 3 smiles, 2 is level, 1 frowns.
func face(mood int, fill, ink color.Color) *canvas.Raster {
	k := map[int]float64{3: 1.6, 2: 0, 1: -1.6}[mood]
	return shape(func(x, y float64) color.Color {
		dx, dy := x-.5, y-.5
		r := math.Hypot(dx, dy)
		if r > .48 {
			return nil
		}
		if r > .44 {
			return ink
		}
		// eyes
		if math.Hypot(x-.35, y-.38) < .055 || math.Hypot(x-.65, y-.38) < .055 {
			return ink
		}
		// mouth: a parabola y = m + k·(x-.5)², drawn as a thick curve over .3..0.7
		if x > .28 && x < .72 {
			my := .66 - k*((x-.5)*(x-.5)) + k*.02
			if math.Abs(y-my) < .035 {
				return ink
			}
		}
		return fill
	})
}

// star draws a five-pointed star, filled or as an outline.
func star(filled bool, c color.Color) *canvas.Raster {
	var pts [10][2]float64
	for i := range pts {
		a := -math.Pi/2 + float64(i)*math.Pi/5
		rad := .48
		if i%2 == 1 {
			rad = .2
		}
		pts[i] = [2]float64{.5 + rad*math.Cos(a), .53 + rad*math.Sin(a)}
	}
	return shape(func(x, y float64) color.Color {
		in := false
		for i, j := 0, len(pts)-1; i < len(pts); j, i = i, i+1 {
			pi, pj := pts[i], pts[j]
			if (pi[1] > y) != (pj[1] > y) && x < (pj[0]-pi[0])*(y-pi[1])/(pj[1]-pi[1])+pi[0] {
				in = !in
			}
		}
		if !in {
			return nil
		}
		if filled {
			return c
		}
		// outline: inside but near an edge
		for i, j := 0, len(pts)-1; i < len(pts); j, i = i, i+1 {
			if segDist(x, y, pts[j], pts[i]) < .035 {
				return c
			}
		}
		return nil
	})
}

// mark draws a tick (ok) or a cross inside a filled circle.
func mark(ok bool, fill, ink color.Color) *canvas.Raster {
	return shape(func(x, y float64) color.Color {
		if math.Hypot(x-.5, y-.5) > .48 {
			return nil
		}
		var d float64
		if ok {
			d = min(segDist(x, y, [2]float64{.27, .52}, [2]float64{.43, .68}),
				segDist(x, y, [2]float64{.43, .68}, [2]float64{.74, .34}))
		} else {
			d = min(segDist(x, y, [2]float64{.32, .32}, [2]float64{.68, .68}),
				segDist(x, y, [2]float64{.68, .32}, [2]float64{.32, .68}))
		}
		if d < .06 {
			return ink
		}
		return fill
	})
}

func segDist(x, y float64, a, b [2]float64) float64 {
	vx, vy := b[0]-a[0], b[1]-a[1]
	t := ((x-a[0])*vx + (y-a[1])*vy) / (vx*vx + vy*vy)
	t = max(0, min(1, t))
	return math.Hypot(x-a[0]-t*vx, y-a[1]-t*vy)
}

// bgTap is a full-area tappable background: a touch on empty space still
// counts as the visitor being there.
type bgTap struct {
	widget.BaseWidget
	rect  *canvas.Rectangle
	onTap func(fyne.Position)
	ui    *UI
}

func (u *UI) newBgTap(c color.Color, tap func(fyne.Position)) *bgTap {
	b := &bgTap{rect: canvas.NewRectangle(c), onTap: tap, ui: u}
	b.ExtendBaseWidget(b)
	return b
}

func (b *bgTap) Tapped(e *fyne.PointEvent) {
	b.ui.guard("tap", func() { b.onTap(e.Position) })
}

func (b *bgTap) CreateRenderer() fyne.WidgetRenderer {
	return &bgRenderer{b}
}

func (b *bgTap) kids() []fyne.CanvasObject { return []fyne.CanvasObject{b.rect} }

type bgRenderer struct{ b *bgTap }

func (r *bgRenderer) Destroy()                     {}
func (r *bgRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.b.rect} }
func (r *bgRenderer) MinSize() fyne.Size           { return fyne.NewSize(1, 1) }
func (r *bgRenderer) Refresh()                     { r.b.rect.Refresh() }
func (r *bgRenderer) Layout(s fyne.Size)           { r.b.rect.Resize(s) }

// move moves o to pos unless it is there already. Fyne marks the canvas
// dirty on every Move of a container on screen, even to where it is: the
// layout pass Fyne runs while painting a new screen would then cost a
// second full repaint.
func move(o fyne.CanvasObject, pos fyne.Position) {
	if o.Position() != pos {
		o.Move(pos)
	}
}
