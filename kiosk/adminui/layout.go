package adminui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	ktheme "github.com/wufang-kiosk/wufang/kiosk/theme"
)

// Sizes of the staff screens on the 7" 800×480 panel; metricsFor scales
// them for bigger screens. The visitor theme's sizes are made for reading
// standing up; staff screens hold more and are read up close.
const (
	textSize = 16
	pinText  = 26
	padding  = 3
	// touchHeight is the least height of a button staff tap (about 8 mm
	// on a 7" 800×480 panel, 133 dpi).
	touchHeight = 42
	// minKey is the least side of a PIN key on the 7" panel, landscape or
	// portrait: 64 px, 12 mm at 133 dpi, well over a fingertip's 9 mm. It
	// grows with the screen (metrics.s).
	minKey = 64
)

// metrics are the staff screens' sizes for one window size.
type metrics struct {
	size fyne.Size
	// s is how much bigger than the 7" panel the screen is (its short side
	// against 480, its long side against 800, the smaller), at least 1.
	s float32
	// text and pin are the text sizes of the staff screens and the PIN
	// pad; touch is the least height of a button. They grow more slowly
	// than the screen, so a big screen shows more, not only larger.
	text, pin, touch float32
	portrait         bool
}

func metricsFor(size fyne.Size) metrics {
	if size.Width < 1 || size.Height < 1 {
		size = fyne.NewSize(800, 480)
	}
	short, long := min(size.Width, size.Height), max(size.Width, size.Height)
	s := max(1, min(short/480, long/800))
	k := 1 + (s-1)*0.3 // 1.375 at 1920×1080: 22 px text
	return metrics{size: size, s: s, text: textSize * k, pin: pinText * k, touch: touchHeight * k,
		portrait: size.Height > size.Width}
}

// adminTheme is the kiosk's dark theme (its CJK font and colours) with
// compact sizes.
type adminTheme struct {
	fyne.Theme
	text float32
}

func newAdminTheme(text float32) fyne.Theme {
	return &adminTheme{Theme: ktheme.New(ktheme.Options{Dark: true}), text: text}
}

func (t *adminTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case fynetheme.SizeNameText:
		return t.text
	case fynetheme.SizeNameHeadingText:
		return t.text * 1.35
	case fynetheme.SizeNameSubHeadingText:
		return t.text * 1.15
	case fynetheme.SizeNameCaptionText:
		return t.text * 0.85
	case fynetheme.SizeNamePadding:
		return padding * t.text / textSize
	case fynetheme.SizeNameInnerPadding:
		return 5 * t.text / textSize
	case fynetheme.SizeNameLineSpacing:
		return 3 * t.text / textSize
	case fynetheme.SizeNameInlineIcon:
		return t.text * 1.2
	}
	return t.Theme.Size(n)
}

// Row colours of the sensor view.
var (
	litColour   = color.NRGBA{0x15, 0x7a, 0x3a, 0xff} // an event just now: bright green, white text at 5:1
	faultColour = color.NRGBA{0x7a, 0x1c, 0x16, 0xff}
	warnColour  = color.NRGBA{0x5c, 0x44, 0x0c, 0xff}
	rowColour   = color.NRGBA{0x1e, 0x24, 0x31, 0xff}
)

// cols lays objects out side by side, each taking its fraction of the
// width, all as tall as the tallest.
type cols []float32

func (c cols) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	const pad = padding
	w := size.Width - pad*float32(len(objs)-1)
	x := float32(0)
	for i, o := range objs {
		f := float32(1) / float32(len(objs))
		if i < len(c) {
			f = c[i]
		}
		ow := w * f
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(ow, size.Height))
		x += ow + pad
	}
}

func (c cols) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var h float32
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(0, h)
}

// row is a line of labels in columns of the given fractions.
func row(fr cols, texts ...string) *fyne.Container {
	objs := make([]fyne.CanvasObject, len(texts))
	for i, t := range texts {
		l := widget.NewLabel(t)
		l.Truncation = fyne.TextTruncateEllipsis
		objs[i] = l
	}
	return container.New(fr, objs...)
}

// heading is a bold line.
func heading(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// para is wrapped text, cut to at most n runes so it cannot push the
// screen beyond 800×480.
func para(text string, n int) *widget.Label {
	if r := []rune(text); len(r) > n {
		text = string(r[:n-1]) + "…"
	}
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// band is a coloured strip behind obj.
func band(c color.Color, obj fyne.CanvasObject) *fyne.Container {
	r := canvas.NewRectangle(c)
	r.CornerRadius = 4
	return container.NewStack(r, obj)
}

// button makes a staff button whose handler counts as input.
func (a *Admin) button(label string, f func()) *widget.Button {
	return widget.NewButton(label, a.handler(label, f))
}

// primary is a button drawn as the main action.
func (a *Admin) primary(label string, f func()) *widget.Button {
	b := a.button(label, f)
	b.Importance = widget.HighImportance
	return b
}

// danger is a button for an action that ends or changes something.
func (a *Admin) danger(label string, f func()) *widget.Button {
	b := a.button(label, f)
	b.Importance = widget.DangerImportance
	return b
}

// minHeight gives its objects the whole space and asks for at least its
// height: a button a finger can hit.
type minHeight float32

func (h minHeight) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.Position{})
		o.Resize(size)
	}
}

func (h minHeight) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s.Max(fyne.NewSize(0, float32(h)))
}

// tall makes o at least a button's height high.
func (a *Admin) tall(o fyne.CanvasObject) fyne.CanvasObject {
	return container.New(minHeight(a.m.touch), o)
}

// pad is the padding of the theme in use.
func (a *Admin) pad() float32 { return padding * a.m.text / textSize }

// grid lays its objects out in rows of n, each cell the same size, with
// the theme's padding between them. Unlike Fyne's grid its columns are
// part of a screen's shape (see shape).
type grid struct {
	n   int
	pad float32
}

func (g grid) rows(k int) int { return max(1, (k+g.n-1)/g.n) }

func (g grid) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	r := g.rows(len(objs))
	cw := (size.Width - g.pad*float32(g.n-1)) / float32(g.n)
	ch := (size.Height - g.pad*float32(r-1)) / float32(r)
	for i, o := range objs {
		o.Move(fyne.NewPos(float32(i%g.n)*(cw+g.pad), float32(i/g.n)*(ch+g.pad)))
		o.Resize(fyne.NewSize(cw, ch))
	}
}

func (g grid) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var c fyne.Size
	for _, o := range objs {
		c = c.Max(o.MinSize())
	}
	r := g.rows(len(objs))
	return fyne.NewSize(c.Width*float32(g.n)+g.pad*float32(g.n-1), c.Height*float32(r)+g.pad*float32(r-1))
}

// keypad lays out the twelve PIN keys as a phone's 3×4 pad: every key the
// same size, at least minSide on each side, no taller than it is wide and
// no more than twice as wide as tall, the pad centred in its space.
type keypad struct {
	minSide, pad float32
}

func (k keypad) key(size fyne.Size) fyne.Size {
	cw := (size.Width - 2*k.pad) / 3
	ch := (size.Height - 3*k.pad) / 4
	h := max(min(ch, cw), k.minSide)
	w := max(min(cw, 2*h), k.minSide)
	return fyne.NewSize(w, h)
}

func (k keypad) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	key := k.key(size)
	w, h := 3*key.Width+2*k.pad, 4*key.Height+3*k.pad
	x0, y0 := max(0, (size.Width-w)/2), max(0, (size.Height-h)/2)
	for i, o := range objs {
		o.Move(fyne.NewPos(x0+float32(i%3)*(key.Width+k.pad), y0+float32(i/3)*(key.Height+k.pad)))
		o.Resize(key)
	}
}

func (k keypad) MinSize([]fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(3*k.minSide+2*k.pad, 4*k.minSide+3*k.pad)
}

// split puts two objects side by side (the first taking frac of the
// width) or, in portrait, one above the other (the first taking frac of
// the height).
type split struct {
	portrait bool
	frac     float32
	pad      float32
}

func (l split) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if len(objs) != 2 {
		return
	}
	if l.portrait {
		h := max(objs[0].MinSize().Height, size.Height*l.frac)
		objs[0].Move(fyne.Position{})
		objs[0].Resize(fyne.NewSize(size.Width, h))
		objs[1].Move(fyne.NewPos(0, h+l.pad))
		objs[1].Resize(fyne.NewSize(size.Width, size.Height-h-l.pad))
		return
	}
	w := size.Width * l.frac
	objs[0].Move(fyne.Position{})
	objs[0].Resize(fyne.NewSize(w, size.Height))
	objs[1].Move(fyne.NewPos(w+l.pad, 0))
	objs[1].Resize(fyne.NewSize(size.Width-w-l.pad, size.Height))
}

func (l split) MinSize(objs []fyne.CanvasObject) fyne.Size {
	if len(objs) != 2 {
		return fyne.Size{}
	}
	a, b := objs[0].MinSize(), objs[1].MinSize()
	if l.portrait {
		return fyne.NewSize(max(a.Width, b.Width), a.Height+l.pad+b.Height)
	}
	return fyne.NewSize(a.Width+l.pad+b.Width, max(a.Height, b.Height))
}

// watch fills its space with its objects and, when that space changes
// (the screen turned, the window resized), draws the shown screen again
// for the new size.
type watch struct{ a *Admin }

func (w watch) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.Position{})
		o.Resize(size)
	}
	w.a.resized(size)
}

func (w watch) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.Size{} }
