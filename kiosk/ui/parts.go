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
	// textFloor is the smallest text on a visitor screen (scaled like
	// every length): about 3.5 mm on a 7" 800×480 panel, what an elderly
	// visitor reads at arm's length. Text that does not fit at the floor
	// is paginated or reported by the render check, never made smaller.
	textFloor = 22
)

// label is a text block with the usual text roles.
// Sizes below textFloor are raised to it: the floor is a rule for every
// text of every pack, not a choice of each screen.
func (v *view) label(s string, size, minSize float32, c color.Color, bold bool, align fyne.TextAlign) *textBlock {
	size, minSize = max(size, textFloor), max(minSize, textFloor)
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

// nextPage is the Next button under a paginated text: it turns the page
// while there is one (not inside the machine's input guard: a double tap
// must not skip a page unseen), and goes on after the last.
func (u *UI) nextPage(t *textBlock) {
	if !t.more() {
		u.dispatch(flow.Input{Kind: flow.Next})
		return
	}
	if u.m.TurnPage() {
		t.next()
	}
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
	if u.hasLegend(v) { // the legend takes the bottom margin and a little more
		in := &fyne.Container{Layout: &inset{m, m, m, v.px(6)}, Objects: []fyne.CanvasObject{body}}
		lh := u.legendHeight(v) + v.px(4)
		if bar == nil {
			return stack(bg, col(0, []float32{-1, lh}, in, u.legend(v)))
		}
		return stack(bg, col(0, []float32{v.px(barH), -1, lh}, bar, in, u.legend(v)))
	}
	if bar == nil {
		return stack(bg, pad(m, body))
	}
	return stack(bg, col(0, []float32{v.px(barH), -1}, bar, pad(m, body)))
}

// topBar shows where the visitor is: the module (or pack) title, the
// progress, the language switch, A+ and home. The top-left corner is kept
// free of controls (StaffCorner): the staff's hidden hold lives there, so
// the visitor's Home button is at the right end, where no hold on it can
// open the PIN pad. In portrait the progress goes under the title, short
// ("3/18"), so the bar never wraps.
func (u *UI) topBar(v *view, title, progress string, withHome bool) fyne.CanvasObject {
	bg, fg := v.col, v.on
	if v.mod == nil {
		bg, fg = accent, white
	}
	btnBg := mix(bg, fg, 0.18)
	var objs []fyne.CanvasObject
	var spec []float32
	t := v.label(title, 26, textFloor, fg, true, fyne.TextAlignLeading)
	t.middle = true
	switch {
	case progress == "":
		objs = append(objs, t)
		spec = append(spec, -1)
	case v.portrait:
		t.middle = false
		p := v.label(progress, 22, textFloor, fg, false, fyne.TextAlignLeading)
		objs = append(objs, col(0, []float32{-1, -1}, t, p))
		spec = append(spec, -1)
	default:
		p := v.label(progress, 22, textFloor, fg, false, fyne.TextAlignTrailing)
		p.middle = true
		objs = append(objs, t, p)
		spec = append(spec, -1, v.px(150))
	}
	if lb := u.langButton(v, btnBg, fg); lb != nil {
		objs = append(objs, lb)
		spec = append(spec, v.px(112))
	}
	objs = append(objs, u.largeButton(v, btnBg, fg))
	g := v.px(gap)
	if v.portrait { // room for the title on one line
		spec = append(spec, v.px(largeW-8))
		g = v.px(8)
	} else {
		spec = append(spec, v.px(largeW))
	}
	if withHome {
		icon := square(house(fg))
		var content fyne.CanvasObject = icon
		w := v.px(minTouch + 8)
		if !v.portrait { // room for the word too
			l := v.label(v.m("home"), 22, textFloor, fg, true, fyne.TextAlignLeading)
			l.middle = true
			content = row(v.px(6), []float32{v.px(30), -1}, icon, l)
			w = v.px(118)
		}
		home := u.newTapBox(btnBg, v.px(10), v.px(6), content,
			func() { u.dispatch(flow.Input{Kind: flow.GoHome}) }).named("home")
		objs = append(objs, home)
		spec = append(spec, w)
	}
	return stack(canvas.NewRectangle(bg), padXY(v.px(margin), v.px(4), row(g, spec, objs...)))
}

// StaffCorner is the side of the square in the window's top-left corner
// that no visitor control ever covers, on any screen at any size: staff
// open admin mode by holding it (kiosk/adminui's hot zone, which must fit
// inside it), so a visitor pressing a button can never start that hold.
// The render check reports a control reaching into it.
const StaffCorner = 84

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

// largeW is the width of the A+ button.
const largeW = 72

// largeButton is the visitor's own large text ("A+"): it toggles for the
// rest of the visit, and shows amber while on.
func (u *UI) largeButton(v *view, bg, fg color.Color) *tapBox {
	if v.st.Large {
		bg, fg = amber, ink
	}
	return u.newTapBox(bg, v.px(10), v.px(6), v.centred("A+", 26, textFloor, fg, true), func() {
		u.dispatch(flow.Input{Kind: flow.LargeText})
	}).named("large")
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
