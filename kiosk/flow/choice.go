package flow

import (
	"slices"

	"github.com/wufang-kiosk/wufang/content"
)

// choiceKind: one or several right options; a single-answer
// question is answered by the choice, a multi-answer one by Next. The
// options are shown in State.Order (shuffled for each module run unless the
// step says shuffle: false); Choose n and the A–D buttons mean the n-th
// option as shown, and what is recorded is the option itself.
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
	m.st.Order = showOrder(m.stepRand(0), len(st.Options), st.Shuffled())
}

func (choiceKind) next(m *Machine, st *content.Step) {
	if len(st.Options) == 0 {
		m.answer(false)
	} else if m.st.Multi && len(m.st.Selected) > 0 {
		m.submitChoice(st)
	}
}

func (choiceKind) choose(m *Machine, st *content.Step, pos int) {
	n := m.shown(pos, len(st.Options))
	if n < 0 {
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
	m.st.Answer = nil
	for i, o := range st.Options {
		chosen := slices.Contains(m.st.Selected, i)
		if o.Correct != chosen {
			ok = false
		}
		if chosen {
			m.st.Answer = append(m.st.Answer, st.OptionID(i))
		}
	}
	m.answer(ok)
}
