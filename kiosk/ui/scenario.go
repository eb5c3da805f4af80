package ui

import (
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"

	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

func (u *UI) scenario(v *view) fyne.CanvasObject {
	s, st := v.step, v.st
	if st.Outcome != "" {
		return u.outcome(v)
	}
	if st.Intro {
		return u.storyIntro(v)
	}
	sit := s.Situation(st.Situation)
	if sit == nil {
		panic(fmt.Sprintf("scenario %s: no situation %q", s.ID, st.Situation))
	}
	text := v.label(v.t(sit.Text), 26, 15, ink, true, fyne.TextAlignLeading)
	text.middle = true
	// Once a branch is chosen the visitor has read the situation and the
	// consequence is what matters: the situation may stop short.
	text.cut = st.Branch >= 0
	opts := make([]fyne.CanvasObject, len(sit.Choices))
	for pos, i := range shownOrder(st.Order, len(sit.Choices)) {
		b := sit.Choices[i]
		var bg, fg, disc, dfg color.Color = card, ink, v.col, v.on
		if st.Branch >= 0 {
			if i == st.Branch {
				bg, fg, disc, dfg = v.col, v.on, v.on, v.col
			} else {
				bg, fg, disc, dfg = dimCard, muted, line, muted
			}
		}
		var tap func()
		if st.Branch < 0 {
			tap = func() { u.dispatch(flow.Input{Kind: flow.Choose, N: pos}) }
		}
		opts[pos] = u.option(v, letters[pos], v.t(b.Text), bg, fg, disc, dfg, tap).named(fmt.Sprintf("branch-%d", pos))
	}
	n := len(opts)
	var area fyne.CanvasObject
	switch {
	case st.Branch >= 0 || v.portrait:
		area = gridOf(n, 1, v.px(8), opts...)
	case n == 2:
		area = gridOf(1, 2, v.px(gap), opts...)
	default:
		area = gridOf(2, 2, v.px(gap), opts...)
	}
	head := v.label(v.m("whatNow"), 20, 14, muted, true, fyne.TextAlignLeading)
	head.middle = true
	var top fyne.CanvasObject = col(v.px(4), []float32{-1, v.px(28)}, text, head)
	if pic := u.picture(sit.Image); pic != nil {
		top = row(v.px(gap), []float32{-0.5, -1.5}, pic, top)
	}
	if st.Branch >= 0 && st.Branch < len(sit.Choices) {
		b := sit.Choices[st.Branch]
		cons := v.label(v.t(b.Consequence), 22, 13, ink, false, fyne.TextAlignLeading)
		cons.middle = true
		panel := u.newTapBox(mix(v.col, white, 0.85), v.px(radius), v.px(10), cons, nil)
		var foot fyne.CanvasObject = row(v.px(gap), []float32{-1, v.px(nextW)}, panel, u.next(v, v.m("next")))
		if v.portrait {
			foot = col(v.px(gap), []float32{-1, v.px(btnH)}, panel, u.next(v, v.m("next")))
		}
		if v.portrait {
			return col(v.px(gap), []float32{-1, -1.3, v.verdictH(120)}, top, area, foot)
		}
		return col(v.px(gap), []float32{v.px(90), -1, v.verdictH(120)}, top, area, foot)
	}
	if v.portrait {
		return col(v.px(gap), []float32{-1, -2, v.px(btnH)}, top, area, u.actions(v, nil, nil))
	}
	return col(v.px(gap), []float32{v.px(110), -1, v.px(btnH)}, top, area, u.actions(v, nil, nil))
}

func (u *UI) outcome(v *view) fyne.CanvasObject {
	s, st := v.step, v.st
	out := s.Outcome(st.Outcome)
	if out == nil {
		panic(fmt.Sprintf("scenario %s: no outcome %q", s.ID, st.Outcome))
	}
	var fg, bg color.Color = good, goodBg
	head := v.m("goodEnd")
	if !out.Good {
		fg, bg, head = bad, badBg, v.m("badEnd")
	}
	var h fyne.CanvasObject = v.label(head, 24, 16, fg, true, fyne.TextAlignLeading)
	if v.t(out.Advice) != "" && !v.portrait {
		// With advice the words need the width: the mark goes beside the
		// heading instead of in a column of its own.
		h = row(v.px(8), []float32{v.px(28), -1}, square(mark(out.Good, fg, white)), h)
	}
	title := v.label(v.t(out.Title), 34, 20, ink, true, fyne.TextAlignLeading)
	text := v.label(v.t(out.Text), 24, 14, ink, false, fyne.TextAlignLeading)
	body := col(v.px(4), []float32{v.px(30), v.px(46), -1}, h, title, text)
	if advice := v.t(out.Advice); advice != "" {
		ah := v.label(v.m("advice"), 22, 14, fg, true, fyne.TextAlignLeading)
		at := v.label(advice, 22, 13, ink, false, fyne.TextAlignLeading)
		// The outcome and the advice share the room by their length.
		wt, wa := float32(len([]rune(text.text))), float32(len([]rune(advice)))
		body = col(v.px(4), []float32{v.px(28), v.px(40), -wt, v.px(28), -wa}, h, title, text, ah, at)
	}
	icon := square(mark(out.Good, fg, white))
	var main fyne.CanvasObject
	if v.portrait {
		main = col(v.px(gap), []float32{v.px(120), -1}, icon, body)
	} else if v.t(out.Advice) == "" {
		main = row(v.px(20), []float32{v.px(110), -1}, icon, body)
	} else {
		main = body
	}
	panel := u.newTapBox(bg, v.px(radius), v.px(14), main, nil)
	if out.Good {
		return col(v.px(gap), []float32{-1, v.px(btnH)}, panel, u.actions(v, nil, u.next(v, v.m("next"))))
	}
	// A bad ending: back to the situation of the last choice, or go on.
	retry := u.button(v, v.m("tryAgain"), v.col, v.on, func() { u.dispatch(flow.Input{Kind: flow.Retry}) }).named("retry")
	return col(v.px(gap), []float32{-1, v.px(btnH)}, panel, u.actions(v, retry, u.next(v, v.m("goOn"))))
}

// storyIntro opens a scenario: its title and set-up, then Start.
func (u *UI) storyIntro(v *view) fyne.CanvasObject {
	s := v.step
	h := v.label(v.m("story"), 22, 14, muted, true, fyne.TextAlignLeading)
	title := v.label(v.t(s.Title), 36, 20, ink, true, fyne.TextAlignLeading)
	text := v.label(v.t(s.Prompt), 28, 15, ink, false, fyne.TextAlignLeading)
	text.middle = true
	var body fyne.CanvasObject = col(v.px(8), []float32{v.px(32), v.px(56), -1}, h, title, text)
	img := s.Image
	for _, sit := range s.Situations {
		if img == "" && sit.ID == s.Start {
			img = sit.Image
		}
	}
	if pic := u.picture(img); pic != nil {
		if v.portrait {
			body = col(v.px(gap), []float32{-1, -1}, pic, body)
		} else {
			body = row(v.px(gap), []float32{-0.7, -1.3}, pic, body)
		}
	}
	panel := u.newTapBox(mix(v.col, white, 0.9), v.px(radius), v.px(20), body, nil)
	return col(v.px(gap), []float32{-1, v.px(btnH)}, panel, u.actions(v, nil, u.next(v, v.m("begin"))))
}
