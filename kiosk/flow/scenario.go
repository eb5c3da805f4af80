package flow

import (
	"slices"

	"github.com/wufang-kiosk/wufang/content"
)

// scenarioKind: a story. Its title and set-up open it (State.Intro; Next
// starts); then situations with branches, shown in State.Order (shuffled
// unless shuffle: false); Choose picks a branch by its position as shown
// (and shows its consequence), Next follows it to the next situation or an
// outcome. After a bad outcome Retry goes back to the situation of the last
// choice; only the first outcome reached is scored.
type scenarioKind struct{}

func (scenarioKind) enter(m *Machine, st *content.Step) {
	m.st.Situation = st.Start
	m.st.Path = []string{st.Start}
	m.st.Intro = len(st.Title) > 0 || len(st.Prompt) > 0
	if st.Situation(st.Start) == nil {
		m.st.Intro = false
		m.answer(false) // broken pack: nothing to choose, Next goes on
		return
	}
	m.orderBranches(st)
}

func (scenarioKind) next(m *Machine, st *content.Step) {
	if m.st.Intro {
		m.st.Intro = false
		return
	}
	m.follow(st)
}

func (scenarioKind) choose(m *Machine, st *content.Step, pos int) {
	sit := st.Situation(m.st.Situation)
	if sit == nil || m.st.Intro || m.st.Branch >= 0 {
		return
	}
	if n := m.shown(pos, len(sit.Choices)); n >= 0 {
		m.st.Branch = n
	}
}

// orderBranches sets the order the current situation's branches are shown
// in: the same each time this situation is shown in this module run.
func (m *Machine) orderBranches(st *content.Step) {
	i := slices.IndexFunc(st.Situations, func(s content.Situation) bool { return s.ID == m.st.Situation })
	if i < 0 {
		m.st.Order = nil
		return
	}
	m.st.Order = showOrder(m.stepRand(i+1), len(st.Situations[i].Choices), st.Shuffled())
}

// retry goes back from a bad outcome to the situation where the choice
// that led there was made. The step stays scored as it was first answered.
func (m *Machine) retry() {
	st := m.step()
	if st == nil || !m.canRetry(st) {
		return
	}
	m.st.Outcome = ""
	m.st.Branch = -1
	m.st.Answered = false
	m.st.Retries++
}

// canRetry: a scenario step showing a bad outcome, reached from a
// situation of this story.
func (m *Machine) canRetry(st *content.Step) bool {
	if st.Type != content.Scenario || !m.st.Answered || m.st.Outcome == "" || st.Situation(m.st.Situation) == nil {
		return false
	}
	o := st.Outcome(m.st.Outcome)
	return o != nil && !o.Good
}

func (scenarioKind) hints(m *Machine, st *content.Step, add func(string, Action, int)) {
	s := &m.st
	sit := st.Situation(s.Situation)
	switch {
	case sit != nil && s.Branch < 0 && !s.Intro:
		for i := range min(len(sit.Choices), len(letters)) {
			add(letters[i], ActChoose, i)
		}
	default:
		add(BtnOK, ActNext, 0)
	}
	add(BtnBack, ActBack, 0)
}

// follow goes where the chosen branch leads: the next situation or an outcome.
func (m *Machine) follow(st *content.Step) {
	sit := st.Situation(m.st.Situation)
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
		if m.st.Retries == 0 {
			m.st.Answer = []string{b.Outcome}
		}
		o := st.Outcome(b.Outcome)
		m.answer(o != nil && o.Good)
	case st.Situation(b.Next) != nil:
		m.st.Situation = b.Next
		m.st.Branch = -1
		if len(m.st.Path) < MaxPath {
			m.st.Path = append(slices.Clone(m.st.Path), b.Next)
		}
		m.orderBranches(st)
	default: // broken pack: the branch leads nowhere
		m.answer(false)
	}
}
