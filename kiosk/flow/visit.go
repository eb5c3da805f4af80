package flow

import (
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// handle applies one input; m.mu is held.
func (m *Machine) handle(in Input) {
	switch in.Kind {
	case Wake:
		m.away = false
		if m.st.Screen == Attract {
			m.wake()
		} else if m.st.InSession {
			m.armIdle() // back to the long timeout, still measured from the last touch
		}
		return
	case PresenceEnd:
		m.away = true
		if m.st.InSession {
			m.armIdle()
		}
		return
	}
	if !isVisitorInput(in.Kind) {
		return
	}
	if in.Kind == Button {
		in.Name = strings.ToLower(strings.TrimSpace(in.Name))
		m.st.ButtonUsed = true
	}
	if m.st.StillThere {
		// The input only dismisses the overlay: the visitor could not see
		// what was under it. A language switch still applies.
		m.dismiss()
		if in.Kind == SetLang {
			m.setLang(in.Lang)
		}
		return
	}
	if m.st.InSession {
		m.lastInput = m.clock.Now()
		m.armIdle()
	}
	if m.settling(in.Kind) {
		return
	}
	if in.Kind == LargeText {
		m.st.Large = !m.st.Large
	}
	switch m.st.Screen {
	case Attract:
		if in.Kind == SetLang {
			m.setLang(in.Lang)
		}
		m.wake()
		return
	case Closed:
		if in.Kind == SetLang {
			m.setLang(in.Lang)
		}
		return
	}
	if in.Kind == Button {
		for _, h := range m.hints() {
			if h.Button == in.Name {
				m.act(h)
				return
			}
		}
		return
	}
	m.input(in)
}

func isVisitorInput(k InputKind) bool {
	switch k {
	case Touch, SetLang, OpenModule, Choose, Retry, Pick, TapAt, Next, Back, GoHome, Rate, Finish, Button, StillHere, LargeText:
		return true
	}
	return false
}

// input handles a touch-screen input on a screen other than Attract/Closed.
func (m *Machine) input(in Input) {
	switch in.Kind {
	case SetLang:
		m.setLang(in.Lang)
	case OpenModule:
		if m.st.Screen == Home {
			m.openModule(in.N)
		}
	case Choose:
		if m.st.Screen == Step {
			m.choose(in.N)
		}
	case Retry:
		if m.st.Screen == Step {
			m.retry()
		}
	case Pick:
		if m.st.Screen == Step {
			m.pick(in.N)
		}
	case TapAt:
		if m.st.Screen == Step {
			m.tapAt(in.X, in.Y)
		}
	case Next:
		m.next()
	case Back:
		m.back()
	case GoHome:
		switch m.st.Screen {
		case Step, Result, Feedback:
			m.toHome()
		}
	case Rate:
		if m.st.Screen == Feedback {
			m.rate(in.N)
		}
	case Finish:
		if m.st.Screen == Home || m.st.Screen == Result {
			m.finish()
		}
	}
}

// act applies a physical button's action (one of m.hints()).
func (m *Machine) act(h ButtonHint) {
	switch h.Action {
	case ActPrevTile, ActNextTile:
		if n := len(m.pack.Mods); n > 0 {
			d := 1
			if h.Action == ActPrevTile {
				d = n - 1
			}
			m.st.Cursor = (m.st.Cursor + d) % n
		}
	case ActOpen:
		m.openModule(h.N)
	case ActLang:
		m.setLang(h.Lang)
	case ActFinish:
		m.finish()
	case ActChoose:
		m.choose(h.N)
	case ActRetry:
		m.retry()
	case ActPick:
		m.pick(h.N)
	case ActUndo:
		m.undo()
	case ActLeft, ActRight, ActUp, ActDown:
		m.moveCell(h.Action)
	case ActCheck:
		m.checkCell()
	case ActSubmit, ActNext, ActSkip, ActAttract:
		m.next()
	case ActBack:
		m.back()
	case ActHome:
		m.toHome()
	case ActRate:
		m.rate(h.N)
	}
}

// --- screens ---

func (m *Machine) defaultLang() string {
	if len(m.pack.Languages) > 0 {
		return m.pack.Languages[0]
	}
	return "zh-CN"
}

func (m *Machine) setLang(l string) {
	if l == "" || (len(m.pack.Languages) > 0 && !slices.Contains(m.pack.Languages, l)) {
		return
	}
	m.st.Lang = l
}

// toAttract ends whatever was shown (without recording) and shows the attract
// loop, or the closed screen outside opening hours.
func (m *Machine) toAttract() {
	m.disarm(&m.idle)
	m.disarm(&m.tick)
	m.disarm(&m.thanks)
	m.away = false
	m.saved, m.answered = nil, nil
	m.st = State{Seq: m.st.Seq, Screen: Attract, Lang: m.defaultLang(), SlideLang: m.defaultLang(), Module: -1, Branch: -1}
	if !m.isOpen() {
		m.toClosed()
		return
	}
	m.armSlide()
}

func (m *Machine) toClosed() {
	m.disarm(&m.slide)
	m.st.Screen = Closed
	m.st.Slide, m.st.SlideLang = 0, ""
}

func (m *Machine) wake() {
	if !m.isOpen() {
		m.toClosed()
		return
	}
	m.disarm(&m.slide)
	m.away = false // someone is there, whatever the presence sensor said before
	m.session++
	m.st.Screen = Home
	m.st.Slide, m.st.SlideLang = 0, ""
	m.st.InSession = true
	m.st.Done = make([]bool, len(m.pack.Mods))
	m.st.Module = -1
	m.st.Cursor = 0
	m.lastInput = m.clock.Now()
	m.armIdle()
	m.record(wire.Event{Kind: wire.SessionStart, Lang: m.st.Lang})
	if f := m.opts.VisitorToday; f != nil {
		// After session.start is stored, so the count includes this visit.
		sess := m.session
		m.rec.push(job{after: func() {
			n := f()
			m.mu.Lock()
			if m.closed || m.session != sess || !m.st.InSession {
				m.mu.Unlock()
				return
			}
			before := m.st.clone()
			m.st.VisitorToday = n
			m.notifyUnlock(before)
		}})
	}
}

func (m *Machine) dismiss() {
	m.st.StillThere = false
	m.st.Countdown = 0
	m.disarm(&m.tick)
	m.lastInput = m.clock.Now()
	m.armIdle()
}

// endSession records session.end and goes back to the attract loop.
func (m *Machine) endSession(reason string) {
	if m.st.InSession {
		m.record(wire.Event{Kind: wire.SessionEnd, Reason: reason, Lang: m.st.Lang})
	}
	m.toAttract()
}

func (m *Machine) toHome() {
	m.clearStep()
	m.st.Screen = Home
	m.st.Module = -1
	m.st.Visit, m.st.Pos = nil, 0
	m.st.Right, m.st.Questions = 0, 0
	m.st.Passed, m.st.Stars = false, 0
	m.st.Rating = 0
	m.saved, m.answered = nil, nil
	// Highlight the first module not done yet, for button users.
	m.st.Cursor = 0
	for i, d := range m.st.Done {
		if !d {
			m.st.Cursor = i
			break
		}
	}
}

func (m *Machine) finish() {
	if slices.Contains(m.st.Done, true) {
		m.clearStep()
		m.st.Screen = Feedback
		m.st.Module = -1
		m.st.Rating = 0
		return
	}
	m.toThanks()
}

func (m *Machine) rate(n int) {
	if n < 1 || n > 3 {
		return
	}
	m.st.Rating = n
	m.record(wire.Event{Kind: wire.Feedback, Rating: n})
	m.toThanks()
}

// toThanks ends the session (finished) and shows Thanks for a few seconds.
func (m *Machine) toThanks() {
	m.record(wire.Event{Kind: wire.SessionEnd, Reason: wire.ReasonFinished, Lang: m.st.Lang})
	m.disarm(&m.idle)
	m.disarm(&m.tick)
	m.clearStep()
	m.st.Screen = Thanks
	m.st.InSession = false
	m.st.StillThere, m.st.Countdown = false, 0
	m.st.Module = -1
	m.arm(&m.thanks, m.opts.ThanksFor, m.toAttract)
}

func (m *Machine) next() {
	switch m.st.Screen {
	case Home:
		m.openModule(m.st.Cursor)
	case Step:
		m.stepNext()
	case Result:
		if !slices.Contains(m.st.Done, false) {
			m.finish()
		} else {
			m.toHome()
		}
	case Feedback:
		m.toThanks()
	case Thanks:
		m.toAttract()
	}
}

func (m *Machine) back() {
	switch m.st.Screen {
	case Step:
		if m.st.StepType == content.Order && !m.st.Answered && len(m.st.Picked) > 0 {
			m.undo()
			return
		}
		m.leaveStep(-1)
	case Result, Feedback:
		m.toHome()
	case Thanks:
		m.toAttract()
	}
}

// --- modules and steps ---

// stepLocal is the part of State that belongs to the step shown.
type stepLocal struct {
	StepType                         string
	Answered, Correct, Multi         bool
	Selected, Order, Shuffle, Picked []int
	Wrong                            int
	Slips                            []int
	Answer                           []string
	Found                            []bool
	Revealed                         bool
	LastTap                          *[2]float64
	Misses, Decoy                    int
	Intro                            bool
	Situation, Outcome               string
	Branch, Retries                  int
	Path                             []string
	Cursor                           int
}

func (m *Machine) saveStep() stepLocal {
	s := &m.st
	return stepLocal{s.StepType, s.Answered, s.Correct, s.Multi, s.Selected, s.Order, s.Shuffle, s.Picked, s.Wrong, s.Slips, s.Answer,
		s.Found, s.Revealed, s.LastTap, s.Misses, s.Decoy, s.Intro, s.Situation, s.Outcome, s.Branch, s.Retries, s.Path, s.Cursor}
}

func (m *Machine) restoreStep(l stepLocal) {
	s := &m.st
	s.StepType, s.Answered, s.Correct, s.Multi = l.StepType, l.Answered, l.Correct, l.Multi
	s.Selected, s.Order, s.Shuffle, s.Picked, s.Answer, s.Found = l.Selected, l.Order, l.Shuffle, l.Picked, l.Answer, l.Found
	s.Wrong, s.Slips = l.Wrong, l.Slips
	s.Revealed, s.LastTap, s.Misses, s.Decoy, s.Intro = l.Revealed, l.LastTap, l.Misses, l.Decoy, l.Intro
	s.Situation, s.Outcome, s.Branch, s.Retries = l.Situation, l.Outcome, l.Branch, l.Retries
	s.Path, s.Cursor = l.Path, l.Cursor
}

func (m *Machine) clearStep() { m.restoreStep(stepLocal{Branch: -1}) }

// drawVisit lists the steps one module run shows: every step, but of each
// question bank (consecutive question steps with the same bank) only
// mod.DrawOf(bank) of them, drawn with seed and kept in file order.
func drawVisit(mod *content.Module, seed uint64) []int {
	r := rand.New(rand.NewPCG(seed, 0))
	var out []int
	for i := 0; i < len(mod.Steps); {
		s := mod.Steps[i]
		if s.Bank == "" || !content.Question(s.Type) {
			out = append(out, i)
			i++
			continue
		}
		j := i
		for j < len(mod.Steps) && mod.Steps[j].Bank == s.Bank && content.Question(mod.Steps[j].Type) {
			j++
		}
		n := min(max(mod.DrawOf(s.Bank), 1), j-i)
		picked := r.Perm(j - i)[:n]
		slices.Sort(picked)
		for _, k := range picked {
			out = append(out, i+k)
		}
		i = j
	}
	return out
}

// stepRand is the random source of step i's shuffles in this module run,
// the same every time the step is shown; part tells apart several
// shuffles of one step (a scenario's situations).
func (m *Machine) stepRand(part int) *rand.Rand {
	return rand.New(rand.NewPCG(m.st.Seed, uint64(m.st.StepIdx+1)<<20|uint64(part)))
}

// showOrder is the order n options or branches are shown in: shuffled with
// r, or file order when shuffled is false.
func showOrder(r *rand.Rand, n int, shuffled bool) []int {
	if !shuffled {
		p := make([]int, n)
		for i := range p {
			p[i] = i
		}
		return p
	}
	return r.Perm(n)
}

// shown maps a position as shown to the index in the file, through Order
// (n is the number of options or branches); -1 when out of range.
func (m *Machine) shown(pos, n int) int {
	if len(m.st.Order) != n {
		if pos >= 0 && pos < n {
			return pos // no order for this list (an old saved state): file order
		}
		return -1
	}
	if pos < 0 || pos >= n {
		return -1
	}
	return m.st.Order[pos]
}

func (m *Machine) mod() *content.Module {
	if i := m.st.Module; i >= 0 && i < len(m.pack.Mods) {
		return m.pack.Mods[i]
	}
	return nil
}

func (m *Machine) step() *content.Step {
	if mod := m.mod(); mod != nil && m.st.Screen == Step {
		if i := m.st.StepIdx; i >= 0 && i < len(mod.Steps) {
			return &mod.Steps[i]
		}
	}
	return nil
}

func (m *Machine) openModule(n int) {
	if n < 0 || n >= len(m.pack.Mods) || m.pack.Mods[n] == nil {
		return
	}
	m.st.Module = n
	m.st.Right, m.st.Questions = 0, 0
	m.st.Passed, m.st.Stars = false, 0
	m.saved, m.answered = map[int]stepLocal{}, map[int]bool{}
	m.st.Seed = m.rng.Uint64()
	m.st.Visit = drawVisit(m.pack.Mods[n], m.st.Seed)
	m.record(wire.Event{Kind: wire.ModuleStart, Module: m.pack.Mods[n].ID})
	m.enterStep(0)
}

// enterStep shows the step at position pos of the visit.
func (m *Machine) enterStep(pos int) {
	mod := m.mod()
	if mod == nil {
		m.toHome()
		return
	}
	if pos >= len(m.st.Visit) {
		m.completeModule()
		return
	}
	i := m.st.Visit[pos]
	if i < 0 || i >= len(mod.Steps) { // a pack swapped under a running visit
		m.toHome()
		return
	}
	m.st.Screen = Step
	m.st.StepIdx, m.st.Pos = i, pos
	if l, ok := m.saved[i]; ok {
		m.restoreStep(l)
		return
	}
	m.clearStep()
	st := &mod.Steps[i]
	m.st.StepType = st.Type
	kindOf(st.Type).enter(m, st)
}

func (m *Machine) leaveStep(d int) {
	if m.saved != nil {
		m.saved[m.st.StepIdx] = m.saveStep()
	}
	if pos := m.st.Pos + d; pos >= 0 {
		m.enterStep(pos)
		return
	}
	m.toHome()
}

func (m *Machine) completeModule() {
	m.clearStep()
	s := &m.st
	s.Screen = Result
	s.Passed = s.Right*100 >= m.mod().PassScore*s.Questions
	switch {
	case s.Questions == 0:
		s.Stars = 0
	case s.Right == s.Questions:
		s.Stars = 3
	case s.Passed:
		s.Stars = 2
	default:
		s.Stars = 1
	}
	if s.Module < len(s.Done) {
		s.Done[s.Module] = true
	}
	m.record(wire.Event{Kind: wire.ModuleComplete, Module: m.modID(), Score: s.Right, Total: s.Questions, Passed: new(s.Passed)})
}

// answer settles the current question step; the first answer of a step in a
// module run is the one scored.
func (m *Machine) answer(correct bool) {
	if m.st.Answered {
		return
	}
	m.st.Answered, m.st.Correct = true, correct
	if m.answered == nil || m.answered[m.st.StepIdx] {
		return
	}
	m.answered[m.st.StepIdx] = true
	m.st.Questions++
	if correct {
		m.st.Right++
	}
	id := ""
	if st := m.step(); st != nil {
		id = st.ID
	}
	m.record(wire.Event{Kind: wire.StepAnswer, Module: m.modID(), Step: id, Correct: new(correct)})
}

func (m *Machine) stepNext() {
	st := m.step()
	if st == nil {
		m.toHome()
		return
	}
	if m.st.Answered {
		m.leaveStep(1)
		return
	}
	kindOf(st.Type).next(m, st)
}

func (m *Machine) choose(n int) {
	st := m.step()
	if st == nil || m.st.Answered {
		return
	}
	kindOf(st.Type).choose(m, st, n)
}

// A stepKind is what the machine does for one type of step. Each type has
// its file (lesson.go, choice.go, …) beside the UI's screen for it
// (kiosk/ui/lesson.go, …), so a new step type is one file on each side
// plus a line in kinds.
type stepKind interface {
	// enter sets up the step-local state of a step shown for the first
	// time in this module run (StepType is set, the rest cleared).
	enter(m *Machine, st *content.Step)
	// next handles Next (or OK) on a step not answered yet.
	next(m *Machine, st *content.Step)
	// choose handles Choose n on a step not answered yet.
	choose(m *Machine, st *content.Step, n int)
	// hints adds what the physical buttons do on a step not answered yet.
	hints(m *Machine, st *content.Step, add func(string, Action, int))
}

// kinds is the table from step type to its behaviour.
var kinds = map[string]stepKind{
	content.Lesson:   lessonKind{},
	content.Choice:   choiceKind{},
	content.Order:    orderKind{},
	content.Hotspot:  hotspotKind{},
	content.Scenario: scenarioKind{},
}

// kindOf returns the behaviour of step type t; a type this version does not
// know behaves as a lesson (Next goes on), so a newer pack stays usable.
func kindOf(t string) stepKind {
	if k, ok := kinds[t]; ok {
		return k
	}
	return lessonKind{}
}
