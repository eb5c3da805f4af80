package ui

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"

	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

func (u *UI) order(v *view) fyne.CanvasObject {
	s, st := v.step, v.st
	prompt := v.label(v.t(s.Prompt), 26, 16, ink, true, fyne.TextAlignLeading)
	prompt.middle = true
	n := len(s.Items)
	items := make([]fyne.CanvasObject, n)
	if st.Answered {
		// The right order, numbered; what the visitor put in the same place
		// is green.
		for i := range s.Items {
			placed := i < len(st.Picked) && st.Picked[i] < len(st.Shuffle) && st.Shuffle[st.Picked[i]] == i
			bg, fg, disc, dfg := goodBg, ink, good, white
			if !placed {
				bg, disc = card, amber
				dfg = ink
			}
			items[i] = u.option(v, strconv.Itoa(i+1), v.t(s.Items[i]), bg, fg, disc, dfg, nil)
		}
	} else {
		pos := map[int]int{}
		for k, p := range st.Picked {
			pos[p] = k + 1
		}
		stable := flow.OrderLetters(n, st.Picked) // a rendered state has no hints: the flow's rule
		for d := range n {
			idx := d
			if d < len(st.Shuffle) {
				idx = st.Shuffle[d]
			}
			if idx < 0 || idx >= n {
				panic(fmt.Sprintf("order: shuffle index %d of %d items", idx, n))
			}
			d := d
			if k, ok := pos[d]; ok {
				items[d] = u.option(v, strconv.Itoa(k), v.t(s.Items[idx]), dimCard, muted, v.col, v.on, nil)
			} else {
				letter := buttonFor(st, flow.ActPick, d)
				if l, ok := stable[d]; ok && len(st.Buttons) == 0 {
					letter = strings.ToUpper(l)
				}
				items[d] = u.option(v, letter, v.t(s.Items[idx]), card, ink, line, ink, func() {
					u.dispatch(flow.Input{Kind: flow.Pick, N: d})
				}).named(fmt.Sprintf("pick-%d", d))
			}
		}
	}
	rows, cols := n, 1
	if !v.portrait && n > 3 {
		rows, cols = (n+1)/2, 2
	}
	area := gridOf(rows, cols, v.px(8), items...)
	if st.Answered {
		head := v.label(v.m("rightOrder"), 20, 14, good, true, fyne.TextAlignLeading)
		head.middle = true
		// The heading says what the list is; the prompt's room goes to it.
		return col(v.px(6), []float32{v.px(26), -1, v.verdictH(104)}, head, area,
			u.verdict(v, st.Correct, v.t(s.Explanation)))
	}
	status := v.label(v.m("orderHint"), 18, 13, muted, false, fyne.TextAlignCenter)
	status.middle = true
	bar := u.actions(v, status, nil)
	if len(st.Picked) > 0 { // Back takes back the last item placed
		bar.(*fyne.Container).Objects[0] = u.button(v, v.m("undo"), dimCard, ink, func() {
			u.dispatch(flow.Input{Kind: flow.Back})
		}).named("undo")
	}
	promptH := v.px(52)
	if v.portrait { // a narrow screen: a long question takes more lines
		promptH = v.px(110)
	}
	return col(v.px(gap), []float32{promptH, -1, v.px(btnH)}, prompt, area, bar)
}
