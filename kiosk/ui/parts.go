package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"

	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

// Sizes at 800×480; view.px scales them.
const (
	barH     = 68  // top bar
	margin   = 16  // screen edge
	gap      = 12  // between blocks
	btnH     = 64  // action buttons (touch target ≥ 56)
	minTouch = 56  // smallest touch target
	radius   = 14  // corner radius of cards and buttons
	nextW    = 200 // width of the Next button
)

// label is a text block with the usual text roles.
func (v *view) label(s string, size, minSize float32, c color.Color, bold bool, align fyne.TextAlign) *textBlock {
	t := newText(s, v.px(size)*v.ts, v.px(minSize), c)
	t.bold = bold
	t.align = align
	return t
}

func (v *view) centred(s string, size, minSize float32, c color.Color, bold bool) *textBlock {
	t := v.label(s, size, minSize, c, bold, fyne.TextAlignCenter)
	t.middle = true
	return t
}

// button is a big rounded button with a centred label.
func (u *UI) button(v *view, text string, bg, fg color.Color, tap func()) *tapBox {
	return u.newTapBox(bg, v.px(radius), v.px(8), v.centred(text, 24, 15, fg, true), tap)
}

// next is the Next/continue button every step ends with.
func (u *UI) next(v *view, text string) *tapBox {
	return u.button(v, text, v.col, v.on, func() { u.dispatch(flow.Input{Kind: flow.Next}) }).named("next")
}

// page puts a screen body under a top bar on the paper background, where a
// tap on empty space still counts as the visitor being there.
func (u *UI) page(v *view, bar, body fyne.CanvasObject) fyne.CanvasObject {
	bg := u.newBgTap(paper, func(fyne.Position) { u.dispatch(flow.Input{Kind: flow.Touch}) })
	m := v.px(margin)
	if bar == nil {
		return stack(bg, pad(m, body))
	}
	return stack(bg, col(0, []float32{v.px(barH), -1}, bar, pad(m, body)))
}

// topBar shows where the visitor is: home, the module (or pack) title, the
// progress, and the language switch.
func (u *UI) topBar(v *view, title, progress string, withHome bool) fyne.CanvasObject {
	bg, fg := v.col, v.on
	if v.mod == nil {
		bg, fg = accent, white
	}
	btnBg := mix(bg, fg, 0.18)
	var objs []fyne.CanvasObject
	var spec []float32
	if withHome {
		icon := square(house(fg))
		var content fyne.CanvasObject = icon
		w := v.px(minTouch + 8)
		if !v.portrait { // room for the word too
			l := v.label(v.m("home"), 20, 14, fg, true, fyne.TextAlignLeading)
			l.middle = true
			content = row(v.px(6), []float32{v.px(30), -1}, icon, l)
			w = v.px(118)
		}
		home := u.newTapBox(btnBg, v.px(10), v.px(6), content,
			func() { u.dispatch(flow.Input{Kind: flow.GoHome}) }).named("home")
		objs = append(objs, home)
		spec = append(spec, w)
	}
	t := v.label(title, 26, 16, fg, true, fyne.TextAlignLeading)
	t.middle = true
	objs = append(objs, t)
	spec = append(spec, -1)
	if progress != "" {
		p := v.label(progress, 20, 13, fg, false, fyne.TextAlignTrailing)
		p.middle = true
		objs = append(objs, p)
		if v.portrait {
			spec = append(spec, v.px(96))
		} else {
			spec = append(spec, v.px(150))
		}
	}
	if lb := u.langButton(v, btnBg, fg); lb != nil {
		objs = append(objs, lb)
		spec = append(spec, v.px(112))
	}
	return stack(canvas.NewRectangle(bg), padXY(v.px(margin), v.px(4), row(v.px(gap), spec, objs...)))
}

// langButton switches to the pack's next language; it is labelled with
// that language's own name. Nil when the pack has one language.
func (u *UI) langButton(v *view, bg, fg color.Color) fyne.CanvasObject {
	if v.p == nil || len(v.p.Languages) < 2 {
		return nil
	}
	nextLang := v.p.Languages[0]
	for i, l := range v.p.Languages {
		if l == v.lang {
			nextLang = v.p.Languages[(i+1)%len(v.p.Languages)]
		}
	}
	return u.newTapBox(bg, v.px(10), v.px(6), v.centred(langName(nextLang), 22, 14, fg, true), func() {
		u.dispatch(flow.Input{Kind: flow.SetLang, Lang: nextLang})
	}).named("lang")
}

// badge is a coloured disc with a short text (an option letter, a number).
func (v *view) badge(text string, bg, fg color.Color, size float32) fyne.CanvasObject {
	c := canvas.NewCircle(bg)
	return square(stack(c, v.centred(text, size, size*0.6, fg, true)))
}

// house draws the home icon.
func house(c color.Color) *canvas.Raster {
	return shape(func(x, y float64) color.Color {
		// roof: triangle apex (.5,.12), base y=.5 from .08 to .92
		if y >= .12 && y <= .5 {
			half := (y - .12) / .38 * .42
			if x >= .5-half && x <= .5+half {
				return c
			}
		}
		// body with a door
		if y > .48 && y <= .9 && x >= .2 && x <= .8 {
			if x > .42 && x < .58 && y > .64 {
				return nil
			}
			return c
		}
		return nil
	})
}
