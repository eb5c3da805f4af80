package ui

import (
	"fyne.io/fyne/v2"
)

func (u *UI) lesson(v *view) fyne.CanvasObject {
	s := v.step
	title := v.label(v.t(s.Title), 32, 18, ink, true, fyne.TextAlignLeading)
	title.middle = true
	body := v.label(v.t(s.Body), 26, 18, ink, false, fyne.TextAlignLeading)
	body.paginate = true
	status := v.label("", 18, 13, muted, false, fyne.TextAlignCenter)
	status.middle = true
	nextBtn := u.pageTurner(v, body, status)
	var main fyne.CanvasObject = body
	if pic := u.picture(s.Image); pic != nil {
		if v.portrait {
			main = col(v.px(gap), []float32{-0.8, -1.2}, pic, body)
		} else {
			main = row(v.px(24), []float32{-0.8, -1.2}, pic, body)
		}
	}
	return col(v.px(gap), []float32{v.px(48), -1, v.px(btnH)}, title, main, u.actions(v, status, nextBtn))
}

// pageTurner is the Next button under a paginated text block: it turns
// the pages ("more") and only on the last one goes on. status, when not
// nil, shows "page 2 of 3".
func (u *UI) pageTurner(v *view, body, status *textBlock) *tapBox {
	nextBtn := u.next(v, v.m("next"))
	nextLabel := nextBtn.content.(*textBlock)
	nextBtn.onTap = func() { u.nextPage(body) }
	body.onPages = func(p, n int) {
		want, st := v.m("next"), ""
		if n > 1 && status != nil {
			st = v.m("page", p+1, n)
		}
		if p+1 < n {
			want = v.m("more")
		}
		if nextLabel.text == want && (status == nil || status.text == st) {
			return
		}
		nextLabel.text = want
		if status != nil {
			status.text = st
		}
		// Refresh outside the layout pass that called us.
		fyne.Do(func() {
			nextLabel.Refresh()
			if status != nil {
				status.Refresh()
			}
		})
	}
	return nextBtn
}
