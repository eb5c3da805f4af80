package ui

import (
	"fmt"
	"image/color"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/wufang-kiosk/wufang/kiosk/flow"
	ktheme "github.com/wufang-kiosk/wufang/kiosk/theme"
)

func (u *UI) hotspot(v *view) fyne.CanvasObject {
	s, st := v.step, v.st
	pic := u.hotspotPicture(v)
	prompt := v.label(v.t(s.Prompt), 24, 15, ink, true, fyne.TextAlignLeading)
	found := 0
	for _, f := range st.Found {
		if f {
			found++
		}
	}
	count := v.label(v.m("found", found, len(s.Targets)), 22, 14, v.col, true, fyne.TextAlignLeading)
	if ktheme.Luminance(v.col) > 0.4 {
		count.color = ink
	}
	count.middle = true
	note, noteCol := "", ink
	switch {
	case st.Decoy > 0 && st.Decoy <= len(s.Decoys): // a safe thing: not a miss
		note, noteCol = v.m("safe", v.t(s.Decoys[st.Decoy-1].Label)), good
	case u.lastFound >= 0 && u.lastFound < len(s.Targets):
		note = fmt.Sprintf("%d. %s", u.lastFound+1, v.t(s.Targets[u.lastFound].Label))
	}
	var side fyne.CanvasObject
	if st.Answered || st.Revealed {
		var labels []string
		for i, t := range s.Targets {
			labels = append(labels, fmt.Sprintf("%d. %s", i+1, v.t(t.Label)))
		}
		right := st.Correct
		head := v.label(v.m("wrong"), 24, 16, bad, true, fyne.TextAlignLeading)
		if right {
			head = v.label(v.m("right"), 24, 16, good, true, fyne.TextAlignLeading)
		}
		head.middle = true
		why := v.label(v.t(s.Explanation)+"\n"+strings.Join(labels, "\n"), 19, 11, ink, false, fyne.TextAlignLeading)
		why.paginate = true
		side = col(v.px(8), []float32{v.px(36), -1}, head, why)
		nextBtn := u.pageTurner(v, why, nil)
		return u.hotspotLayout(v, pic, side, nextBtn)
	}
	last := v.label(note, 20, 12, noteCol, false, fyne.TextAlignLeading)
	side = col(v.px(8), []float32{-1, v.px(34), -1}, prompt, count, last)
	show := u.button(v, v.m("showMe"), dimCard, ink, func() { u.dispatch(flow.Input{Kind: flow.Next}) }).named("showme")
	return u.hotspotLayout(v, pic, side, show)
}

func (u *UI) hotspotLayout(v *view, pic, side, btn fyne.CanvasObject) fyne.CanvasObject {
	bottom := row(v.px(gap), []float32{v.px(140), -1}, u.backButton(v), btn)
	if v.portrait {
		return col(v.px(gap), []float32{-1.4, -1, v.px(btnH)}, pic, side, bottom)
	}
	return row(v.px(gap), []float32{-1.55, -1}, pic, col(v.px(gap), []float32{-1, v.px(btnH)}, side, bottom))
}

// hotspotPic is the hotspot picture: it keeps the picture's proportions so
// that a tap maps to fractions of the image, and marks what was found,
// what was missed and, for button users, the highlighted cell.
type hotspotPic struct {
	widget.BaseWidget
	u      *UI
	v      *view
	img    fyne.CanvasObject
	aspect float32
	objs   []fyne.CanvasObject
	rect   fyne.Position
	rsize  fyne.Size
	// touch is the pressed state: a ring where the finger is, from the
	// press until it lifts; nil when nothing is pressed.
	touch *fyne.Position
}

var _ desktop.Mouseable = (*hotspotPic)(nil)

// MouseDown marks the touch at once; the tap (on lifting) then finds or
// misses.
func (h *hotspotPic) MouseDown(e *desktop.MouseEvent) {
	p := e.Position
	h.touch = &p
	h.Refresh()
}

func (h *hotspotPic) MouseUp(*desktop.MouseEvent) {
	if h.touch != nil {
		h.touch = nil
		h.Refresh()
	}
}

func (u *UI) hotspotPicture(v *view) fyne.CanvasObject {
	h := &hotspotPic{u: u, v: v, aspect: 4.0 / 3}
	if img, aspect := u.image(v.step.Image); img != nil {
		h.img, h.aspect = img, aspect
	} else {
		h.img = canvas.NewRectangle(dimCard)
	}
	h.ExtendBaseWidget(h)
	return h
}

func (h *hotspotPic) Tapped(e *fyne.PointEvent) {
	h.u.guard("hotspot tap", func() {
		x := (e.Position.X - h.rect.X) / h.rsize.Width
		y := (e.Position.Y - h.rect.Y) / h.rsize.Height
		if h.rsize.Width <= 0 || x < 0 || x > 1 || y < 0 || y > 1 {
			h.u.dispatch(flow.Input{Kind: flow.Touch})
			return
		}
		h.u.dispatch(flow.Input{Kind: flow.TapAt, X: float64(x), Y: float64(y)})
	})
}

func (h *hotspotPic) CreateRenderer() fyne.WidgetRenderer { return &hotspotRenderer{h} }

func (h *hotspotPic) kids() []fyne.CanvasObject { return h.objs }

type hotspotRenderer struct{ h *hotspotPic }

func (r *hotspotRenderer) Destroy()                     {}
func (r *hotspotRenderer) Objects() []fyne.CanvasObject { return r.h.objs }
func (r *hotspotRenderer) MinSize() fyne.Size           { return fyne.NewSize(1, 1) }
func (r *hotspotRenderer) Refresh()                     { r.Layout(r.h.Size()) }

func (r *hotspotRenderer) Layout(s fyne.Size) {
	h, v := r.h, r.h.v
	pos, size := fitAspect(s, h.aspect)
	h.rect, h.rsize = pos, size
	frame := canvas.NewRectangle(color.Transparent)
	frame.StrokeColor, frame.StrokeWidth = line, v.px(2)
	move(frame, pos.SubtractXY(v.px(1), v.px(1)))
	frame.Resize(size.AddWidthHeight(v.px(2), v.px(2)))
	move(h.img, pos)
	h.img.Resize(size)
	if size.Width < 2 || size.Height < 2 {
		h.img.Hide()
	} else {
		h.img.Show()
	}
	objs := []fyne.CanvasObject{h.img, frame}
	at := func(x, y, w, hh float64) (fyne.Position, fyne.Size) {
		return fyne.NewPos(pos.X+float32(x)*size.Width, pos.Y+float32(y)*size.Height),
			fyne.NewSize(float32(w)*size.Width, float32(hh)*size.Height)
	}
	st := v.st
	showAll := st.Answered || st.Revealed
	for i, t := range v.step.Targets {
		found := i < len(st.Found) && st.Found[i]
		if !found && !showAll {
			continue
		}
		c := color.Color(good)
		if !found {
			c = amber
		}
		p, sz := at(t.X, t.Y, t.W, t.H)
		box := canvas.NewRectangle(color.NRGBA{0xff, 0xff, 0xff, 0x30})
		box.StrokeColor, box.StrokeWidth, box.CornerRadius = c, v.px(4), v.px(6)
		move(box, p)
		box.Resize(sz)
		d := v.px(34)
		b := v.badge(strconv.Itoa(i+1), c, white, 20)
		move(b, fyne.NewPos(p.X-d/3, p.Y-d/3))
		b.Resize(fyne.NewSize(d, d))
		objs = append(objs, box, b)
	}
	if st.LastTap != nil && !showAll {
		d := v.px(36)
		m := mark(false, bad, white)
		move(m, fyne.NewPos(pos.X+float32(st.LastTap[0])*size.Width-d/2, pos.Y+float32(st.LastTap[1])*size.Height-d/2))
		m.Resize(fyne.NewSize(d, d))
		objs = append(objs, m)
	}
	if !showAll && st.ButtonUsed && hasButtons(st) { // a touch visitor never sees it
		g := flow.HotspotGrid
		c := st.Cursor
		if c >= 0 && c < g*g {
			p, sz := at(float64(c%g)/float64(g), float64(c/g)/float64(g), 1/float64(g), 1/float64(g))
			cur := canvas.NewRectangle(color.Transparent)
			cur.StrokeColor, cur.StrokeWidth = v.col, v.px(5)
			move(cur, p)
			cur.Resize(sz)
			objs = append(objs, cur)
		}
	}
	if h.touch != nil {
		d := v.px(44)
		ring := canvas.NewCircle(color.NRGBA{0xff, 0xff, 0xff, 0x60})
		ring.StrokeColor, ring.StrokeWidth = ink, v.px(4)
		move(ring, h.touch.SubtractXY(d/2, d/2))
		ring.Resize(fyne.NewSize(d, d))
		objs = append(objs, ring)
	}
	h.objs = objs
}
