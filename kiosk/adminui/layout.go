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

// Text sizes of the staff screens. The visitor theme's sizes are made for
// reading standing up; staff screens hold more and are read up close.
const (
	textSize = 16
	pinText  = 26
	padding  = 3
	// touchHeight is the least height of a button staff tap (about 7 mm
	// on a 7" 800×480 panel).
	touchHeight = 42
)

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
		return padding
	case fynetheme.SizeNameInnerPadding:
		return 5
	case fynetheme.SizeNameLineSpacing:
		return 3
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

// tall makes o at least touchHeight high.
func tall(o fyne.CanvasObject) fyne.CanvasObject {
	return container.New(minHeight(touchHeight), o)
}
