package flow

import (
	"slices"

	"github.com/wufang-kiosk/wufang/content"
)

// scenarioKind: situations with branches; Choose picks a branch (and shows
// its consequence), Next follows it to the next situation or an outcome.
type scenarioKind struct{}

func (scenarioKind) enter(m *Machine, st *content.Step) {
	m.st.Situation = st.Start
	m.st.Path = []string{st.Start}
	if situation(st, st.Start) == nil {
		m.answer(false) // broken pack: nothing to choose, Next goes on
	}
}

func (scenarioKind) next(m *Machine, st *content.Step) {
	m.follow(st)
}

func (scenarioKind) choose(m *Machine, st *content.Step, n int) {
	sit := situation(st, m.st.Situation)
	if sit == nil || m.st.Branch >= 0 || n < 0 || n >= len(sit.Choices) {
		return
	}
	m.st.Branch = n
}

func (scenarioKind) hints(m *Machine, st *content.Step, add func(string, Action, int)) {
	s := &m.st
	sit := situation(st, s.Situation)
	switch {
	case sit != nil && s.Branch < 0:
		for i := range min(len(sit.Choices), len(letters)) {
			add(letters[i], ActChoose, i)
		}
	default:
		add(BtnOK, ActNext, 0)
	}
	add(BtnBack, ActBack, 0)
}

func situation(st *content.Step, id string) *content.Situation {
	for i := range st.Situations {
		if st.Situations[i].ID == id {
			return &st.Situations[i]
		}
	}
	return nil
}

func outcome(st *content.Step, id string) *content.Outcome {
	for i := range st.Outcomes {
		if st.Outcomes[i].ID == id {
			return &st.Outcomes[i]
		}
	}
	return nil
}

// follow goes where the chosen branch leads: the next situation or an outcome.
func (m *Machine) follow(st *content.Step) {
	sit := situation(st, m.st.Situation)
	if sit == nil {
		m.answer(false)
		return
	}
	if m.st.Branch < 0 || m.st.Branch >= len(sit.Choices) {
		return
	}
	b := sit.Choices[m.st.Branch]
	switch {
	case b.Outcome != "":
		m.st.Outcome = b.Outcome
		o := outcome(st, b.Outcome)
		m.answer(o != nil && o.Good)
	case situation(st, b.Next) != nil:
		m.st.Situation = b.Next
		m.st.Branch = -1
		if len(m.st.Path) < MaxPath {
			m.st.Path = append(slices.Clone(m.st.Path), b.Next)
		}
	default: // broken pack: the branch leads nowhere
		m.answer(false)
	}
}
