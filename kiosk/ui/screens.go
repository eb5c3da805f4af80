package ui

import (
	"fmt"
	"image/color"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
	ktheme "github.com/wufang-kiosk/wufang/kiosk/theme"
)

// attract is the idle loop: one slide of the pack, in the language the
// loop shows it in now (State.SlideLang: each slide in Chinese, then in
// English), and an unmissable "touch to start" in both languages. A tap
// anywhere starts a visit. Both languages on one slide would fit 800×480
// only with everything at the 22 px floor, titles too: the text column
// beside the picture holds 10 lines, and the two longest built-in slides
// need all 10 (no headline, no room between the languages); one language
// at a time keeps the 46 px headline and the 26 px body.
func (u *UI) attract(v *view) fyne.CanvasObject {
	var sl content.Slide
	if v.p != nil && len(v.p.Attract) > 0 {
		sl = v.p.Attract[((v.st.Slide%len(v.p.Attract))+len(v.p.Attract))%len(v.p.Attract)]
	} else if v.p != nil {
		sl.Title = v.p.Title
	}
	title := v.label(v.t(sl.Title), 46, 24, white, true, fyne.TextAlignLeading)
	body := v.label(v.t(sl.Body), 26, 16, mix(white, navy, 0.1), false, fyne.TextAlignLeading)
	text := col(v.px(gap), []float32{-1, -1.6}, title, body)
	title.middle = false

	var main fyne.CanvasObject = text
	if pic := u.picture(sl.Image); pic != nil {
		if v.portrait {
			main = col(v.px(24), []float32{-1, -1}, pic, text)
		} else {
			main = row(v.px(32), []float32{-0.9, -1.1}, pic, text)
		}
	}
	n := 1
	if v.p != nil && len(v.p.Attract) > 0 {
		n = len(v.p.Attract)
	}
	dots := make([]fyne.CanvasObject, n)
	for i := range dots {
		c := mix(white, navy, 0.6)
		if i == v.st.Slide%n {
			c = amber
		}
		dots[i] = square(canvas.NewCircle(c))
	}
	dotRow := &fyne.Container{Layout: &centreRow{w: v.px(22)}, Objects: dots}
	band := stack(canvas.NewRectangle(amber),
		padXY(v.px(margin), v.px(6), row(v.px(gap), []float32{-1, v.px(largeW)},
			v.centred(both("touch", "  ·  "), 34, 18, ink, true), u.largeButton(v, mix(amber, ink, 0.15), ink))))

	bg := u.newBgTap(navy, func(fyne.Position) { u.dispatch(flow.Input{Kind: flow.Touch}) })
	m := v.px(32)
	return stack(bg, col(0, []float32{-1, v.px(28), v.px(92)},
		padXY(m, m, main), dotRow, band))
}

// centreRow lays out fixed-width cells centred in a row (slide dots).
type centreRow struct{ w, h float32 } // h: fraction of the height (0 = half)

func (c *centreRow) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(1, 1) }
func (c *centreRow) Layout(objs []fyne.CanvasObject, s fyne.Size) {
	total := float32(len(objs)) * c.w
	x := (s.Width - total) / 2
	for _, o := range objs {
		h := c.h
		if h == 0 {
			h = 0.5
		}
		move(o, fyne.NewPos(x, s.Height*(1-h)/2))
		o.Resize(fyne.NewSize(c.w, s.Height*h))
		x += c.w
	}
}

// home shows the modules as big tiles in their colours.
func (u *UI) home(v *view) fyne.CanvasObject {
	title := ""
	if v.p != nil {
		title = v.t(v.p.Title)
	}
	bar := u.topBar(v, title, "", false)
	var tiles []fyne.CanvasObject
	if v.p != nil {
		for i, m := range v.p.Mods {
			tiles = append(tiles, u.tile(v, i, m))
		}
	}
	var area *fyne.Container
	n := max(1, len(tiles))
	if v.portrait {
		area = gridOf(n, 1, v.px(gap), tiles...)
	} else {
		area = gridOf(1, n, v.px(gap), tiles...)
	}
	hint := v.label(v.m("pick"), 24, 16, ink, true, fyne.TextAlignLeading)
	hint.middle = true
	var done int
	for _, d := range v.st.Done {
		if d {
			done++
		}
	}
	if done == 0 {
		return u.page(v, bar, col(v.px(gap), []float32{v.px(36), -1}, hint, area))
	}
	finish := u.button(v, v.m("finish"), accent, white, func() { u.dispatch(flow.Input{Kind: flow.Finish}) }).named("finish")
	return u.page(v, bar, col(v.px(gap), []float32{v.px(btnH), -1},
		row(v.px(gap), []float32{-1, v.px(nextW)}, hint, finish), area))
}

func (u *UI) tile(v *view, i int, m *content.Module) fyne.CanvasObject {
	bg := moduleColour(m)
	fg := textOn(bg)
	title := v.label(v.t(m.Title), 28, 16, fg, true, fyne.TextAlignCenter)
	summary := v.label(v.t(m.Summary), 18, 12, fg, false, fyne.TextAlignCenter)
	summary.cut = true // the title says what the module is; the summary may stop short
	v.group("tile-title").add(title)
	v.group("tile-summary").add(summary)
	var icon fyne.CanvasObject = canvas.NewRectangle(color.Transparent)
	if pic := u.picture(m.Icon); pic != nil {
		icon = pic
	}
	disc := square(stack(canvas.NewCircle(mix(bg, white, 0.85)), pad(v.px(10), icon)))
	var body fyne.CanvasObject
	if v.portrait {
		title.align, summary.align = fyne.TextAlignLeading, fyne.TextAlignLeading
		title.middle = true
		body = row(v.px(gap), []float32{v.px(96), -1}, disc, col(v.px(4), []float32{-1, -1.2}, title, summary))
	} else {
		body = col(v.px(8), []float32{-1.1, v.px(76), -1}, disc, title, summary)
	}
	done := i < len(v.st.Done) && v.st.Done[i]
	var objs []fyne.CanvasObject
	objs = append(objs, body)
	if done {
		objs = append(objs, &fyne.Container{Layout: &corner{d: v.px(40)}, Objects: []fyne.CanvasObject{mark(true, good, white)}})
	}
	t := u.newTapBox(bg, v.px(radius), v.px(10), stack(objs...), func() {
		u.dispatch(flow.Input{Kind: flow.OpenModule, N: i})
	}).named(fmt.Sprintf("tile-%d", i))
	if i == v.st.Cursor && v.st.Screen == flow.Home && v.st.ButtonUsed && hasButtons(v.st) {
		focusRing(v, t)
	}
	return t
}

// focusRing marks the box the physical buttons act on: a thick ink edge
// with a white ring inside it, one of which stands out on any colour (a
// dark edge alone vanished on the blue and navy cards). Only once a
// button was pressed: a touch visitor never sees it.
func focusRing(v *view, b *tapBox) {
	b.bg.StrokeColor, b.bg.StrokeWidth = ink, v.px(7)
	ring := canvas.NewRectangle(color.Transparent)
	ring.StrokeColor, ring.StrokeWidth, ring.CornerRadius = white, v.px(3), v.px(radius-6)
	in := v.px(7) - b.inset // just inside the ink edge, over the content's margin
	b.content = stack(b.content, &fyne.Container{Layout: &inset{in, in, in, in}, Objects: []fyne.CanvasObject{ring}})
}

// buttonFor is the physical button (A–D) that does act on item n now, as
// its letter on the item, or "•" when no button reaches it yet.
func buttonFor(st flow.State, act flow.Action, n int) string {
	for _, h := range st.Buttons {
		if h.Action == act && h.N == n && len(h.Button) == 1 {
			return strings.ToUpper(h.Button)
		}
	}
	return "•"
}

// hasButtons reports whether the kiosk has physical buttons that move a
// highlight (the flow lists them in State.Buttons).
func hasButtons(s flow.State) bool {
	for _, b := range s.Buttons {
		if b.Action == flow.ActNextTile || b.Action == flow.ActLeft || b.Action == flow.ActRight {
			return true
		}
	}
	return false
}

// corner puts its child in the top-right corner, d×d.
type corner struct{ d float32 }

func (c *corner) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(1, 1) }
func (c *corner) Layout(objs []fyne.CanvasObject, s fyne.Size) {
	for _, o := range objs {
		move(o, fyne.NewPos(s.Width-c.d, 0))
		o.Resize(fyne.NewSize(c.d, c.d))
	}
}

// step shows the current step under the module's bar.
func (u *UI) step(v *view) fyne.CanvasObject {
	if v.mod == nil || v.step == nil {
		panic(fmt.Sprintf("step screen without a step (module %d, step %d)", v.st.Module, v.st.StepIdx))
	}
	ctor, ok := steps[v.step.Type]
	if !ok {
		panic(fmt.Sprintf("no screen for step type %q", v.step.Type))
	}
	at, of := v.st.StepIdx+1, len(v.mod.Steps)
	if len(v.st.Visit) > 0 {
		at, of = v.st.Pos+1, len(v.st.Visit) // the steps this visit shows
	}
	progress := v.m("step", at, of)
	if v.portrait {
		progress = fmt.Sprintf("%d/%d", at, of)
	}
	bar := u.topBar(v, v.t(v.mod.Title), progress, true)
	return u.page(v, bar, ctor(u, v))
}

// backButton goes to the previous step (or home from the first).
func (u *UI) backButton(v *view) fyne.CanvasObject {
	return u.button(v, v.m("back"), dimCard, ink, func() { u.dispatch(flow.Input{Kind: flow.Back}) }).named("back")
}

// actions is the bottom row of a step: back, a status text, and the
// main button.
func (u *UI) actions(v *view, status fyne.CanvasObject, main fyne.CanvasObject) fyne.CanvasObject {
	if status == nil {
		status = canvas.NewRectangle(color.Transparent)
	}
	if main == nil {
		main = canvas.NewRectangle(color.Transparent)
	}
	if v.portrait {
		return row(v.px(gap), []float32{v.px(110), -1, v.px(160)}, u.backButton(v), status, main)
	}
	return row(v.px(gap), []float32{v.px(140), -1, v.px(nextW)}, u.backButton(v), status, main)
}

// letters label the options of a choice and the branches of a scenario,
// in the order shown.
var letters = []string{"A", "B", "C", "D", "E", "F"}

// shownOrder is the order to show n options or branches in: the machine's
// (State.Order), or file order when it has none for them.
func shownOrder(order []int, n int) []int {
	if len(order) == n {
		return order
	}
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	return p
}

// option is an answer button: a letter disc (matching the physical
// buttons A–D) and the text.
func (u *UI) option(v *view, letter, text string, bg, fg, disc, discFg color.Color, tap func()) *tapBox {
	t := v.label(text, 24, 14, fg, true, fyne.TextAlignLeading)
	t.middle = true
	v.group("option").add(t)
	content := padXY(v.px(4), 0, row(v.px(gap), []float32{v.px(44), -1}, v.badge(letter, disc, discFg, 24), t))
	b := u.newTapBox(bg, v.px(radius), v.px(4), content, tap)
	if bg == card {
		b.bg.StrokeColor, b.bg.StrokeWidth = line, v.px(2)
	}
	return b
}

// verdict is the answer panel: right or wrong, why, and Next. A why too
// long for the panel at the text floor is paginated: Next reads "More"
// until its last page.
func (u *UI) verdict(v *view, right bool, why string) fyne.CanvasObject {
	bg, fg, head := goodBg, good, v.m("right")
	if !right {
		bg, fg, head = badBg, bad, v.m("wrong")
	}
	h := v.label(head, 26, 18, fg, true, fyne.TextAlignLeading)
	w := v.label(why, 22, 13, ink, false, fyne.TextAlignLeading)
	w.paginate = true
	text := col(v.px(4), []float32{v.px(34), -1}, h, w)
	icon := square(mark(right, fg, white))
	panel := u.newTapBox(bg, v.px(radius), v.px(10), row(v.px(gap), []float32{v.px(56), -1}, icon, text), nil)
	next := u.pageTurner(v, w, nil)
	if v.portrait {
		return col(v.px(gap), []float32{-1, v.px(btnH)}, panel, next)
	}
	return row(v.px(gap), []float32{-1, v.px(nextW)}, panel, next)
}

// verdictH is the height of the verdict panel (with its Next button).
func (v *view) verdictH(landscape float32) float32 {
	if v.portrait {
		return v.px(landscape + 40 + btnH + gap)
	}
	return v.px(landscape)
}

// result shows how the module went, the one thing to remember and the
// hotline, very large.
func (u *UI) result(v *view) fyne.CanvasObject {
	st := v.st
	if v.mod == nil {
		panic("result screen without a module")
	}
	bar := u.topBar(v, v.t(v.mod.Title), "", true)
	stars := make([]fyne.CanvasObject, 3)
	for i := range stars {
		stars[i] = square(star(i < st.Stars, amber))
	}
	starRow := &fyne.Container{Layout: &centreRow{w: v.px(64), h: 0.95}, Objects: stars}
	var verdict, score string
	switch {
	case st.Questions == 0:
		verdict = v.m("noQuiz")
	case st.Passed:
		verdict, score = v.m("passed"), v.m("score", st.Right, st.Questions)
	default:
		verdict, score = v.m("notPassed"), v.m("score", st.Right, st.Questions)
	}
	vc := good
	if !st.Passed && st.Questions > 0 {
		vc = muted
	}
	head := v.centred(verdict, 30, 18, vc, true)
	sc := v.centred(score, 22, 14, ink, false)
	remH := v.label(v.m("remember"), 20, 14, v.col, true, fyne.TextAlignLeading)
	if ktheme.Luminance(v.col) > 0.4 {
		remH.color = ink
	}
	rem := v.label(v.t(v.mod.Remember), 24, 13, ink, true, fyne.TextAlignLeading)
	remCard := u.newTapBox(card, v.px(radius), v.px(8), col(v.px(2), []float32{v.px(24), -1}, remH, rem), nil)
	// The verdict and the score on one line: the room goes to "remember".
	left := col(v.px(4), []float32{v.px(48), v.px(34), -1}, starRow, row(v.px(gap), []float32{-1.3, -1}, head, sc), remCard)

	hl := v.mod.Hotline
	// "Road accidents: call" over the number: what to call it for, then
	// the number, read as one sentence (not "In an emergency call /
	// Road accidents / 122").
	call := v.m("call")
	if l := v.t(hl.Label); l != "" {
		call = v.m("callFor", l)
	}
	lbl := v.centred(call, 28, 16, v.on, true)
	num := v.centred(hl.Number, 150, 40, v.on, true)
	hot := u.newTapBox(v.col, v.px(radius), v.px(12), col(v.px(4), []float32{v.px(76), -1}, lbl, num), nil)

	visitor := ""
	if st.VisitorToday > 0 {
		visitor = v.m("visitor", st.VisitorToday)
	}
	vis := v.label(visitor, 22, 14, ink, true, fyne.TextAlignLeading)
	vis.middle = true
	more := u.button(v, v.m("more5"), dimCard, ink, func() { u.dispatch(flow.Input{Kind: flow.GoHome}) }).named("more")
	fin := u.button(v, v.m("finish"), v.col, v.on, func() { u.dispatch(flow.Input{Kind: flow.Finish}) }).named("finish")
	var bottom, main fyne.CanvasObject
	if v.portrait {
		bottom = col(v.px(gap), []float32{v.px(36), v.px(btnH)}, vis,
			row(v.px(gap), []float32{-1, -1}, more, fin))
		main = col(v.px(gap), []float32{-1.3, -1, v.px(36 + btnH + gap)}, left, hot, bottom)
	} else {
		bottom = row(v.px(gap), []float32{-1, v.px(190), v.px(nextW)}, vis, more, fin)
		main = col(v.px(gap), []float32{-1, v.px(btnH)}, row(v.px(16), []float32{-1.5, -1}, left, hot), bottom)
	}
	return u.page(v, bar, main)
}

// feedback asks for a rating with three big drawn faces.
func (u *UI) feedback(v *view) fyne.CanvasObject {
	head := v.centred(v.m("howWas"), 34, 20, ink, true)
	faces := []struct {
		n   int
		key string
	}{{3, "rate3"}, {2, "rate2"}, {1, "rate1"}}
	fills := map[int][2]color.Color{
		3: {mix(good, white, 0.55), good}, 2: {mix(amber, white, 0.45), mix(amber, ink, 0.5)}, 1: {mix(bad, white, 0.6), bad},
	}
	cards := make([]fyne.CanvasObject, len(faces))
	for i, f := range faces {
		n := f.n
		c := fills[n]
		text := v.m(f.key)
		if l := buttonFor(v.st, flow.ActRate, n); l != "•" {
			text = l + "  " + text
		}
		lbl := v.centred(text, 28, 16, ink, true)
		v.group("rating").add(lbl)
		var body fyne.CanvasObject
		if v.portrait {
			body = row(v.px(gap), []float32{v.px(110), -1}, square(face(n, c[0], ink)), lbl)
		} else {
			body = col(v.px(8), []float32{-1, v.px(48)}, square(face(n, c[0], ink)), lbl)
		}
		b := u.newTapBox(card, v.px(radius), v.px(16), body, func() {
			u.dispatch(flow.Input{Kind: flow.Rate, N: n})
		}).named(fmt.Sprintf("rate-%d", n))
		b.bg.StrokeColor, b.bg.StrokeWidth = c[1], v.px(4)
		if v.st.Rating == n {
			b.bg.FillColor = mix(c[0], white, 0.5)
		}
		cards[i] = b
	}
	var area fyne.CanvasObject
	if v.portrait {
		area = gridOf(3, 1, v.px(gap), cards...)
	} else {
		area = gridOf(1, 3, v.px(24), cards...)
	}
	lb := u.langButton(v, dimCard, ink)
	if lb == nil {
		lb = canvas.NewRectangle(color.Transparent)
	}
	top := row(v.px(gap), []float32{-1, v.px(124), v.px(largeW)}, head, lb, u.largeButton(v, dimCard, ink))
	return u.page(v, nil, col(v.px(20), []float32{v.px(64), -1}, top, area))
}

// thanks says goodbye.
func (u *UI) thanks(v *view) fyne.CanvasObject {
	bg := u.newBgTap(accent, func(fyne.Position) { u.dispatch(flow.Input{Kind: flow.Touch}) })
	icon := square(face(3, mix(amber, white, 0.3), ink))
	t := v.centred(v.m("thanks"), 64, 30, white, true)
	s := v.centred(v.m("staySafe"), 32, 18, white, false)
	return stack(bg, pad(v.px(40), col(v.px(20), []float32{-1.2, v.px(90), v.px(60)}, icon, t, s)))
}

// closed is the dark screen outside opening hours: large, in both
// languages, saying when the room opens next.
func (u *UI) closed(v *view) fyne.CanvasObject {
	bg := u.newBgTap(night, func(fyne.Position) { u.dispatch(flow.Input{Kind: flow.Touch}) })
	grey := mix(white, night, 0.25)
	t := v.centred(both("closed", " · "), 52, 24, white, true)
	if u.opts.NextOpen == nil {
		h := v.centred(both("hours", " · "), 28, 16, grey, false)
		lines := v.centred(strings.Join(u.opts.Hours, "\n"), 30, 14, white, false)
		return stack(bg, pad(v.px(40), col(v.px(16), []float32{-1, v.px(70), v.px(44), -2.2}, canvas.NewRectangle(color.Transparent), t, h, lines)))
	}
	now := time.Now()
	if u.opts.Now != nil {
		now = u.opts.Now()
	}
	zh, en := "", ""
	if at, ok := u.opts.NextOpen(now); ok {
		zh, en = opensAt(now, at)
	}
	z := v.centred(zh, 40, 24, amber, true)
	e := v.centred(en, 36, 22, grey, false)
	return stack(bg, pad(v.px(40), col(v.px(16), []float32{-1, v.px(80), v.px(64), v.px(56), -1},
		canvas.NewRectangle(color.Transparent), t, z, e, canvas.NewRectangle(color.Transparent))))
}

// opensAt says when the room opens, in Chinese and in English: today,
// tomorrow, or on a weekday within the week.
func opensAt(now, at time.Time) (zh, en string) {
	now = now.In(at.Location()) // "today" is the site's day, not the machine's
	clock := at.Format("15:04")
	d0 := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	d1 := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, now.Location())
	switch days := int(d1.Sub(d0).Hours()/24 + 0.5); days {
	case 0:
		return "今天 " + clock + " 开放", "Opens today at " + clock
	case 1:
		return "明天 " + clock + " 开放", "Opens tomorrow at " + clock
	default:
		zhDays := []string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}
		return zhDays[at.Weekday()] + " " + clock + " 开放", "Opens " + at.Weekday().String() + " at " + clock
	}
}

// stillThere is the overlay with the countdown before a visit ends.
func (u *UI) stillThere(v *view) fyne.CanvasObject {
	bg := u.newBgTap(shade, func(fyne.Position) { u.dispatch(flow.Input{Kind: flow.StillHere}) })
	t := v.centred(v.m("still"), 48, 24, ink, true)
	n := v.centred(strconv.Itoa(v.st.Countdown), 110, 40, v.col, true)
	if ktheme.Luminance(v.col) > 0.4 {
		n.color = ink
	}
	h := v.centred(v.m("tapGoOn"), 26, 16, muted, false)
	box := u.newTapBox(card, v.px(24), v.px(20), col(v.px(8), []float32{v.px(64), -1, v.px(40)}, t, n, h),
		func() { u.dispatch(flow.Input{Kind: flow.StillHere}) }).named("still")
	w, hh := min(v.size.Width*0.8, v.px(520)), min(v.size.Height*0.8, v.px(330))
	return stack(bg, &fyne.Container{Layout: &centreBox{w: w, h: hh}, Objects: []fyne.CanvasObject{box}})
}

// centreBox centres one child of a fixed size.
type centreBox struct{ w, h float32 }

func (c *centreBox) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(1, 1) }
func (c *centreBox) Layout(objs []fyne.CanvasObject, s fyne.Size) {
	for _, o := range objs {
		move(o, fyne.NewPos((s.Width-c.w)/2, (s.Height-c.h)/2))
		o.Resize(fyne.NewSize(c.w, c.h))
	}
}
