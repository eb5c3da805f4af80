package ui

import (
	"fmt"
	"image/color"
	"slices"
	"strconv"
	"strings"

	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"

	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

// order is "put in order": numbered slots (1, 2, 3, …) that fill as the
// visitor places the items, and the items, each with its button letter. A
// placed item moves at once into its slot, which is outlined in the
// module's colour, and its card stays behind greyed, numbered like the
// slot, no longer a button: the other items never move, so a second tap
// lands on nothing, and the letters stay put. A wrong item stays
// where it was, outlined amber, and the slot it was tried in turns amber
// with a short "not this one" (the flow counts it as a slip). Undo takes
// back the last item placed.
func (u *UI) order(v *view) fyne.CanvasObject {
	s, st := v.step, v.st
	n := len(s.Items)
	if st.Answered {
		return u.orderAnswered(v)
	}
	prompt := v.label(v.t(s.Prompt), 26, 16, ink, true, fyne.TextAlignLeading)
	prompt.middle = true

	slotOf := map[int]int{} // display position -> slot
	for k, p := range st.Picked {
		slotOf[p] = k
	}
	next := len(st.Picked) // the slot to fill now
	slots := make([]fyne.CanvasObject, n)
	for k := range n {
		switch {
		case k < len(st.Picked):
			idx := st.Shuffle[st.Picked[k]]
			last := k == len(st.Picked)-1
			slots[k] = u.slot(v, k, v.t(s.Items[idx]), slotFilled, last)
		case k == next && st.Wrong > 0:
			slots[k] = u.slot(v, k, v.m("orderWrong"), slotWrong, false)
		case k == 0:
			slots[k] = u.slot(v, k, v.m("orderFirst"), slotNext, false)
		case k == next:
			slots[k] = u.slot(v, k, v.m("orderNext"), slotNext, false)
		default:
			slots[k] = u.slot(v, k, "", slotEmpty, false)
		}
	}

	stable := flow.OrderLetters(n, st.Picked) // a rendered state has no hints: the flow's rule
	pool := make([]fyne.CanvasObject, n)
	for d := range n {
		idx := d
		if d < len(st.Shuffle) {
			idx = st.Shuffle[d]
		}
		if idx < 0 || idx >= n {
			panic(fmt.Sprintf("order: shuffle index %d of %d items", idx, n))
		}
		if k, ok := slotOf[d]; ok { // placed: greyed, with the number of its slot
			pool[d] = u.option(v, strconv.Itoa(k+1), v.t(s.Items[idx]), dimCard, muted, v.col, v.on, nil).named("placed")
			continue
		}
		letter := buttonFor(st, flow.ActPick, d)
		if l, ok := stable[d]; ok && len(st.Buttons) == 0 {
			letter = strings.ToUpper(l)
		}
		d := d
		b := u.option(v, letter, v.t(s.Items[idx]), card, ink, line, ink, func() {
			u.dispatch(flow.Input{Kind: flow.Pick, N: d})
		}).named(fmt.Sprintf("pick-%d", d))
		if st.Wrong == d+1 { // it was tried in the wrong slot and came back
			b.bg.StrokeColor, b.bg.StrokeWidth = amber, v.px(4)
		}
		pool[d] = b
	}

	status := v.label(v.m("orderHint"), 18, 13, muted, false, fyne.TextAlignCenter)
	if st.Wrong > 0 {
		status.text, status.color = v.m("orderTryAgain"), ink
	}
	status.middle = true
	bar := u.actions(v, status, nil)
	if len(st.Picked) > 0 { // Back takes back the last item placed
		bar.(*fyne.Container).Objects[0] = u.button(v, v.m("undo"), dimCard, ink, func() {
			u.dispatch(flow.Input{Kind: flow.Back})
		}).named("undo")
	}

	slotGap := v.px(6)
	slotList := gridOf(n, 1, slotGap, slots...)
	poolGrid := gridOf((n+1)/2, 2, v.px(8), pool...)
	if n <= 3 {
		poolGrid = gridOf(n, 1, v.px(8), pool...)
	}
	// The prompt is as high as its lines need at the floor (two or three):
	// across the screen in portrait, heading the slots' column in landscape.
	w := v.size.Width - 2*v.px(margin)
	if !v.portrait {
		w = (w - v.px(gap)) * orderLeft / (orderLeft + orderRight)
	}
	lines, _ := wrapText(prompt.text, v.px(textFloor), fyne.TextStyle{Bold: true}, w)
	promptH := float32(min(max(len(lines), 2), 3)) * v.px(textFloor) * lineFactor
	var body *fyne.Container
	if v.portrait {
		// The height goes to the items: the slots are one line each.
		slotsH := float32(n)*v.px(slotRowH) + float32(n-1)*slotGap
		body = col(v.px(gap), []float32{promptH, slotsH, -1, v.px(btnH)}, prompt, slotList, poolGrid, bar)
	} else {
		left := col(v.px(8), []float32{promptH, -1}, prompt, slotList)
		body = col(v.px(gap), []float32{-1, v.px(btnH)}, row(v.px(gap), []float32{-orderLeft, -orderRight}, left, poolGrid), bar)
	}
	switch last := len(st.Picked) - 1; {
	case u.orderMove.placed && last >= 0:
		// The item flies from its card into its slot.
		idx := st.Shuffle[st.Picked[last]]
		fly := flyer(v, last, v.t(s.Items[idx]))
		return stack(body, &fyne.Container{Layout: &flight{u: u, body: body, from: pool[st.Picked[last]], to: slots[last], dur: orderFly},
			Objects: []fyne.CanvasObject{fly}})
	case u.orderMove.slip && next < n:
		// The slot the wrong item was tried in flashes: from full amber
		// back to its cue colour.
		r := slots[next].(*tapBox).bg
		end := r.FillColor
		a := fyne.NewAnimation(orderFlash, func(t float32) {
			r.FillColor = end
			if t < 1 {
				r.FillColor = mix(amber, end, float64(t))
			}
			r.Refresh()
		})
		a.Curve = fyne.AnimationEaseOut
		u.animate(a)
	}
	return body
}

// The order step's animations: short, and never in the way of a tap
// (what flies is no button, and everything under it works).
const (
	orderFly   = 220 * time.Millisecond
	orderFlash = 450 * time.Millisecond
)

// flight lays its one object over from's place in body and, once, moves
// it to to's place over dur, then hides it (from and to are somewhere
// inside body, which the same stack lays out first).
type flight struct {
	u              *UI
	body, from, to fyne.CanvasObject
	dur            time.Duration
	started        bool
	anim           *fyne.Animation // for tests: its Tick places the flyer
}

func (f *flight) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(1, 1) }

func (f *flight) Layout(objs []fyne.CanvasObject, _ fyne.Size) {
	if f.started || len(objs) == 0 {
		return
	}
	var a, b fyne.Position
	var as, bs fyne.Size
	found := 0
	walk(f.body, fyne.Position{}, func(o fyne.CanvasObject, at fyne.Position) bool {
		switch o {
		case f.from:
			a, as = at, o.Size()
			found++
		case f.to:
			b, bs = at, o.Size()
			found++
		}
		return true
	})
	fly := objs[0]
	if found < 2 || as.IsZero() || bs.IsZero() {
		fly.Hide()
		return
	}
	f.started = true
	lerp := func(x, y, t float32) float32 { return x + (y-x)*t }
	anim := fyne.NewAnimation(f.dur, func(t float32) {
		if t >= 1 {
			fly.Hide()
			return
		}
		fly.Show()
		move(fly, fyne.NewPos(lerp(a.X, b.X, t), lerp(a.Y, b.Y, t)))
		fly.Resize(fyne.NewSize(lerp(as.Width, bs.Width, t), lerp(as.Height, bs.Height, t)))
		canvas.Refresh(fly)
	})
	anim.Curve = fyne.AnimationEaseOut
	f.anim = anim
	move(fly, a)
	fly.Resize(as)
	f.u.animate(anim)
}

// The order step's columns in landscape (shares of the width): the
// prompt and the slots, and the items.
const (
	orderLeft  = 0.7
	orderRight = 1.3
	slotRowH   = 34 // a slot in portrait: one line
)

// slotLook is how a slot of an order step is drawn.
type slotLook int

const (
	slotEmpty  slotLook = iota // not reached yet
	slotNext                   // the one to fill now
	slotWrong                  // the one to fill now, just after a wrong item
	slotFilled                 // holds an item
)

// slot is one numbered place of an order step: the number in a disc and
// what is in it. Slots are not buttons (nothing happens on a tap but the
// background's touch); the last filled one is outlined in the module's
// colour, the one to fill now has a dashed look (a thin ink edge) or,
// after a wrong item, is amber.
func (u *UI) slot(v *view, k int, text string, look slotLook, last bool) fyne.CanvasObject {
	bg, content := slotParts(v, k, text, look, last)
	b := u.newTapBox(bg.FillColor, v.px(10), v.px(2), content, nil).named(fmt.Sprintf("slot-%d", k))
	b.bg.StrokeColor, b.bg.StrokeWidth = bg.StrokeColor, bg.StrokeWidth
	return b
}

// slotParts are a slot's background and what is on it.
func slotParts(v *view, k int, text string, look slotLook, last bool) (*canvas.Rectangle, fyne.CanvasObject) {
	bg, fg, disc, discFg := color.Color(paper), color.Color(muted), color.Color(line), color.Color(muted)
	var stroke color.Color = line
	width := v.px(2)
	switch look {
	case slotNext:
		bg, stroke, fg = card, ink, muted
		disc, discFg = ink, white
	case slotWrong:
		bg, stroke, fg = mix(amber, white, 0.55), amber, ink
		disc, discFg, width = amber, ink, v.px(4)
	case slotFilled:
		bg, stroke, fg = mix(v.col, white, 0.86), mix(v.col, white, 0.5), ink
		disc, discFg = v.col, v.on
		if last {
			stroke, width = v.col, v.px(4)
		}
	}
	t := v.label(text, 22, textFloor, fg, look == slotFilled, fyne.TextAlignLeading)
	t.middle = true
	// One line, cut short where it must: the item's whole text stays on its
	// greyed card beside, numbered like the slot.
	t.cut = true
	v.group("slot").add(t)
	num := v.badge(strconv.Itoa(k+1), disc, discFg, 22)
	r := canvas.NewRectangle(bg)
	r.StrokeColor, r.StrokeWidth, r.CornerRadius = stroke, width, v.px(10)
	return r, padXY(v.px(4), 0, row(v.px(8), []float32{v.px(34), -1}, num, t))
}

// flyer is what flies into slot k: the filled slot's look, as no button
// (a tap during the flight goes to what is under it).
func flyer(v *view, k int, text string) fyne.CanvasObject {
	bg, content := slotParts(v, k, text, slotFilled, true)
	return stack(bg, pad(v.px(2), content))
}

// orderAnswered is the right order, numbered, and the answer panel: a slot
// where the visitor first tried a wrong item is amber, the others green.
func (u *UI) orderAnswered(v *view) fyne.CanvasObject {
	s, st := v.step, v.st
	n := len(s.Items)
	items := make([]fyne.CanvasObject, n)
	for i := range s.Items {
		bg, disc, dfg := color.Color(goodBg), color.Color(good), color.Color(white)
		if slices.Contains(st.Slips, i) {
			bg, disc, dfg = card, amber, ink
		}
		items[i] = u.option(v, strconv.Itoa(i+1), v.t(s.Items[i]), bg, ink, disc, dfg, nil)
	}
	rows, cols := n, 1
	if !v.portrait && n > 3 {
		rows, cols = (n+1)/2, 2
	}
	area := gridOf(rows, cols, v.px(8), items...)
	head := v.label(v.m("rightOrder"), 20, 14, good, true, fyne.TextAlignLeading)
	head.middle = true
	// The heading says what the list is; the prompt's room goes to it.
	return col(v.px(6), []float32{v.px(26), -1, v.verdictH(104)}, head, area,
		u.verdict(v, st.Correct, v.t(s.Explanation)))
}
