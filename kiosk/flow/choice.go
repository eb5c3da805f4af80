package flow

import (
	"slices"

	"github.com/wufang-kiosk/wufang/content"
)

// choiceKind: one or several right options; a single-answer
// question is answered by the choice, a multi-answer one by Next.
type choiceKind struct{}

func (choiceKind) enter(m *Machine, st *content.Step) {
	right := 0
	for _, o := range st.Options {
		if o.Correct {
			right++
		}
	}
	m.st.Multi = right > 1
	m.st.Selected = []int{}
}

func (choiceKind) next(m *Machine, st *content.Step) {
	if len(st.Options) == 0 {
		m.answer(false)
	} else if m.st.Multi && len(m.st.Selected) > 0 {
		m.submitChoice(st)
	}
}

func (choiceKind) choose(m *Machine, st *content.Step, n int) {
	if n < 0 || n >= len(st.Options) {
		return
	}
	if !m.st.Multi {
		m.st.Selected = []int{n}
		m.submitChoice(st)
		return
	}
	if i := slices.Index(m.st.Selected, n); i >= 0 {
		m.st.Selected = slices.Delete(slices.Clone(m.st.Selected), i, i+1)
	} else {
		m.st.Selected = append(slices.Clone(m.st.Selected), n)
		slices.Sort(m.st.Selected)
	}
}

func (choiceKind) hints(m *Machine, st *content.Step, add func(string, Action, int)) {
	s := &m.st
	for i := range min(len(st.Options), len(letters)) {
		add(letters[i], ActChoose, i)
	}
	if len(st.Options) == 0 || (s.Multi && len(s.Selected) > 0) {
		add(BtnOK, ActSubmit, 0)
	}
	add(BtnBack, ActBack, 0)
}

func (m *Machine) submitChoice(st *content.Step) {
	ok := len(m.st.Selected) > 0
	for i, o := range st.Options {
		if o.Correct != slices.Contains(m.st.Selected, i) {
			ok = false
		}
	}
	m.answer(ok)
}
