package ui

import (
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"

	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

func (u *UI) choice(v *view) fyne.CanvasObject {
	s, st := v.step, v.st
	prompt := v.label(v.t(s.Prompt), 26, 16, ink, true, fyne.TextAlignLeading)
	prompt.middle = true
	chosen := map[int]bool{}
	for _, i := range st.Selected {
		chosen[i] = true
	}
	opts := make([]fyne.CanvasObject, len(s.Options))
	for pos, i := range shownOrder(st.Order, len(s.Options)) {
		o := s.Options[i]
		var bg, fg, disc, discFg color.Color = card, ink, v.col, v.on
		var stroke float32
		switch {
		case st.Answered && o.Correct:
			bg, fg, disc, discFg = good, white, white, good
		case st.Answered && chosen[i]:
			bg, fg, disc, discFg = bad, white, white, bad
		case st.Answered:
			bg, fg, disc, discFg = dimCard, muted, line, muted
		case chosen[i]:
			bg = mix(v.col, white, 0.8)
			stroke = v.px(4)
		}
		b := u.option(v, letters[pos], v.t(o.Text), bg, fg, disc, discFg, func() {
			u.dispatch(flow.Input{Kind: flow.Choose, N: pos})
		}).named(fmt.Sprintf("option-%d", pos))
		if stroke > 0 {
			b.bg.StrokeColor, b.bg.StrokeWidth = v.col, stroke
		}
		opts[pos] = b
	}
	var area fyne.CanvasObject
	n := len(opts)
	switch {
	case v.portrait || n > 4:
		area = gridOf(n, 1, v.px(gap), opts...)
	case n <= 2:
		area = gridOf(1, n, v.px(gap), opts...)
	default:
		area = gridOf(2, 2, v.px(gap), opts...)
	}
	if pic := u.picture(s.Image); pic != nil && !v.portrait && u.optionsFitBesidePicture(v, n) {
		g := gridOf(n, 1, v.px(8), opts...)
		if n > 2 {
			g = gridOf((n+1)/2, 2, v.px(8), opts...)
		}
		area = row(v.px(gap), []float32{-0.4, -1.6}, pic, g)
	}
	promptH := v.px(64)
	if v.portrait { // a narrow screen: a long question takes more lines
		promptH = v.px(120)
	}
	if st.Answered {
		// The answer panel needs the room: keep the right options and the
		// one the visitor chose, which say what the explanation is about.
		var keep []fyne.CanvasObject
		for pos, i := range shownOrder(st.Order, len(s.Options)) {
			if s.Options[i].Correct || chosen[i] {
				opts[pos].(*tapBox).onTap = nil // nothing to choose any more
				keep = append(keep, opts[pos])
			}
		}
		area = gridOf(len(keep), 1, v.px(8), keep...)
		return col(v.px(gap), []float32{promptH, -1, v.verdictH(150)}, prompt, area, u.verdict(v, st.Correct, v.t(s.Explanation)))
	}
	var main fyne.CanvasObject
	status := v.label(v.m("choose"), 18, 13, muted, false, fyne.TextAlignCenter)
	if st.Multi {
		status.text = v.m("chooseAll")
		if v.portrait {
			status.text = v.m("chooseAllShort")
		}
		main = u.button(v, v.m("confirm"), v.col, v.on, func() { u.dispatch(flow.Input{Kind: flow.Next}) }).named("next")
	}
	status.middle = true
	return col(v.px(gap), []float32{promptH, -1, v.px(btnH)}, prompt, area, u.actions(v, status, main))
}

// optionsFitBesidePicture reports whether the options, at the text floor,
// fit the narrower cells beside the question's picture; if not the
// picture gives way (the words are the question).
func (u *UI) optionsFitBesidePicture(v *view, n int) bool {
	cols, rows := 1, n
	if n > 2 {
		cols, rows = 2, (n+1)/2
	}
	body := v.size.Height - v.px(barH) - 2*v.px(margin) - v.px(64) - v.px(btnH) - 2*v.px(gap)
	if u.opts.Buttons {
		body -= v.px(legendH + 4)
	}
	w := ((v.size.Width-2*v.px(margin)-v.px(gap))*1.6/2-v.px(8)*float32(cols-1))/float32(cols) - v.px(8+44+gap) - 2*v.px(4)
	h := (body-v.px(8)*float32(rows-1))/float32(rows) - 2*v.px(4)
	floor := v.px(textFloor)
	for _, o := range v.step.Options {
		lines, _ := wrapText(v.t(o.Text), floor, fyne.TextStyle{Bold: true}, w)
		if float32(len(lines))*floor*lineFactor > h {
			return false
		}
	}
	return true
}
