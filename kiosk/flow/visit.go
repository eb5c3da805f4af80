package flow

import (
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
	case Touch, SetLang, OpenModule, Choose, Pick, TapAt, Next, Back, GoHome, Rate, Finish, Button, StillHere:
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
	m.st = State{Seq: m.st.Seq, Screen: Attract, Lang: m.defaultLang(), Module: -1, Branch: -1}
	if !m.isOpen() {
		m.toClosed()
		return
	}
	m.armSlide()
}

func (m *Machine) toClosed() {
	m.disarm(&m.slide)
	m.st.Screen = Closed
	m.st.Slide = 0
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
	m.st.Slide = 0
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
	StepType                  string
	Answered, Correct, Multi  bool
	Selected, Shuffle, Picked []int
	Found                     []bool
	Revealed                  bool
	LastTap                   *[2]float64
	Misses                    int
	Situation, Outcome        string
	Branch                    int
	Path                      []string
	Cursor                    int
}

func (m *Machine) saveStep() stepLocal {
	s := &m.st
	return stepLocal{s.StepType, s.Answered, s.Correct, s.Multi, s.Selected, s.Shuffle, s.Picked,
		s.Found, s.Revealed, s.LastTap, s.Misses, s.Situation, s.Outcome, s.Branch, s.Path, s.Cursor}
}

func (m *Machine) restoreStep(l stepLocal) {
	s := &m.st
	s.StepType, s.Answered, s.Correct, s.Multi = l.StepType, l.Answered, l.Correct, l.Multi
	s.Selected, s.Shuffle, s.Picked, s.Found = l.Selected, l.Shuffle, l.Picked, l.Found
	s.Revealed, s.LastTap, s.Misses = l.Revealed, l.LastTap, l.Misses
	s.Situation, s.Outcome, s.Branch, s.Path, s.Cursor = l.Situation, l.Outcome, l.Branch, l.Path, l.Cursor
}

func (m *Machine) clearStep() { m.restoreStep(stepLocal{Branch: -1}) }

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
	m.record(wire.Event{Kind: wire.ModuleStart, Module: m.pack.Mods[n].ID})
	m.enterStep(0)
}

func (m *Machine) enterStep(i int) {
	mod := m.mod()
	if mod == nil {
		m.toHome()
		return
	}
	if i >= len(mod.Steps) {
		m.completeModule()
		return
	}
	m.st.Screen = Step
	m.st.StepIdx = i
	if l, ok := m.saved[i]; ok {
		m.restoreStep(l)
		return
	}
	m.clearStep()
	st := &mod.Steps[i]
	m.st.StepType = st.Type
	switch st.Type {
	case content.Choice:
		right := 0
		for _, o := range st.Options {
			if o.Correct {
				right++
			}
		}
		m.st.Multi = right > 1
		m.st.Selected = []int{}
	case content.Order:
		m.st.Shuffle = shuffle(m.rng, len(st.Items))
		m.st.Picked = []int{}
	case content.Hotspot:
		m.st.Found = make([]bool, len(st.Targets))
		m.st.Cursor = HotspotGrid * HotspotGrid / 2
	case content.Scenario:
		m.st.Situation = st.Start
		m.st.Path = []string{st.Start}
		if situation(st, st.Start) == nil {
			m.answer(false) // broken pack: nothing to choose, Next goes on
		}
	}
}

func (m *Machine) leaveStep(d int) {
	if m.saved != nil {
		m.saved[m.st.StepIdx] = m.saveStep()
	}
	if i := m.st.StepIdx + d; i >= 0 {
		m.enterStep(i)
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
	m.record(wire.Event{Kind: wire.ModuleComplete, Module: m.modID(), Score: s.Right, Total: s.Questions, Passed: boolp(s.Passed)})
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
	m.record(wire.Event{Kind: wire.StepAnswer, Module: m.modID(), Step: id, Correct: boolp(correct)})
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
	switch st.Type {
	case content.Choice:
		if len(st.Options) == 0 {
			m.answer(false)
		} else if m.st.Multi && len(m.st.Selected) > 0 {
			m.submitChoice(st)
		}
	case content.Order:
		if len(st.Items) == 0 {
			m.answer(false)
		}
	case content.Hotspot:
		m.st.Revealed = true // "show me": the visitor gives up
		m.answer(false)
	case content.Scenario:
		m.follow(st)
	default: // lesson, or a type this version does not know
		m.leaveStep(1)
	}
}

func (m *Machine) choose(n int) {
	st := m.step()
	if st == nil || m.st.Answered {
		return
	}
	switch st.Type {
	case content.Choice:
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
	case content.Scenario:
		sit := situation(st, m.st.Situation)
		if sit == nil || m.st.Branch >= 0 || n < 0 || n >= len(sit.Choices) {
			return
		}
		m.st.Branch = n
	}
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

func (m *Machine) pick(n int) {
	st := m.step()
	if st == nil || st.Type != content.Order || m.st.Answered ||
		n < 0 || n >= len(m.st.Shuffle) || slices.Contains(m.st.Picked, n) {
		return
	}
	m.st.Picked = append(slices.Clone(m.st.Picked), n)
	if len(m.st.Picked) < len(m.st.Shuffle) {
		return
	}
	ok := true
	for i, pos := range m.st.Picked {
		if m.st.Shuffle[pos] != i {
			ok = false
		}
	}
	m.answer(ok)
}

func (m *Machine) undo() {
	if m.st.StepType == content.Order && !m.st.Answered && len(m.st.Picked) > 0 {
		m.st.Picked = slices.Clone(m.st.Picked[:len(m.st.Picked)-1])
	}
}

// unplaced lists the display positions of order items not placed yet.
func (m *Machine) unplaced() []int {
	var u []int
	for pos := range m.st.Shuffle {
		if !slices.Contains(m.st.Picked, pos) {
			u = append(u, pos)
		}
	}
	return u
}

// TapSlop widens hotspot targets for fingers, in fractions of the image.
const TapSlop = 0.02

func (m *Machine) tapAt(x, y float64) {
	st := m.step()
	if st == nil || st.Type != content.Hotspot || m.st.Answered ||
		!(x >= 0 && x <= 1 && y >= 0 && y <= 1) { // also false for NaN
		return
	}
	hit := func(t content.Target) bool {
		return x >= t.X-TapSlop && x <= t.X+t.W+TapSlop && y >= t.Y-TapSlop && y <= t.Y+t.H+TapSlop
	}
	// Targets not found yet first: where targets overlap, a tap finds a new one.
	for i, t := range st.Targets {
		if i < len(m.st.Found) && !m.st.Found[i] && hit(t) {
			m.found(st, i)
			return
		}
	}
	for _, t := range st.Targets {
		if hit(t) {
			return // a tap on something already found is no miss
		}
	}
	m.miss(st, x, y)
}

func (m *Machine) found(st *content.Step, i int) {
	m.st.Found = slices.Clone(m.st.Found)
	m.st.Found[i] = true
	m.st.LastTap = nil
	if !slices.Contains(m.st.Found, false) {
		m.answer(m.st.Misses <= len(st.Targets))
	}
}

func (m *Machine) miss(st *content.Step, x, y float64) {
	m.st.Misses++
	m.st.LastTap = &[2]float64{x, y}
	if m.st.Misses >= RevealAfterMisses {
		m.st.Revealed = true
		m.answer(false)
	}
}

func (m *Machine) moveCell(a Action) {
	if m.st.StepType != content.Hotspot || m.st.Answered {
		return
	}
	c := m.st.Cursor
	if c < 0 || c >= HotspotGrid*HotspotGrid {
		c = 0
	}
	row, col := c/HotspotGrid, c%HotspotGrid
	switch a {
	case ActLeft:
		col = (col + HotspotGrid - 1) % HotspotGrid
	case ActRight:
		col = (col + 1) % HotspotGrid
	case ActUp:
		row = (row + HotspotGrid - 1) % HotspotGrid
	case ActDown:
		row = (row + 1) % HotspotGrid
	}
	m.st.Cursor = row*HotspotGrid + col
}

// checkCell is a button user's tap: it finds the first target not yet found
// that overlaps the highlighted grid cell, or counts a miss at its centre.
func (m *Machine) checkCell() {
	st := m.step()
	if st == nil || st.Type != content.Hotspot || m.st.Answered {
		return
	}
	c := m.st.Cursor
	if c < 0 || c >= HotspotGrid*HotspotGrid {
		c = 0
	}
	const g = float64(HotspotGrid)
	x0, y0 := float64(c%HotspotGrid)/g, float64(c/HotspotGrid)/g
	x1, y1 := x0+1/g, y0+1/g
	for i, t := range st.Targets {
		if i < len(m.st.Found) && !m.st.Found[i] && t.X < x1 && t.X+t.W > x0 && t.Y < y1 && t.Y+t.H > y0 {
			m.found(st, i)
			return
		}
	}
	m.miss(st, x0+0.5/g, y0+0.5/g)
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

// shuffle returns a display order of n order items: not already the right
// order, and such that with A–D labelling the first four items not placed
// yet, the right next item always has a label (buttons alone can solve it).
func shuffle(r interface{ Perm(int) []int }, n int) []int {
	if n < 2 {
		return make([]int, n)
	}
	for range 100 {
		p := r.Perm(n)
		if reachable(p) && !isIdentity(p) {
			return p
		}
	}
	p := make([]int, n) // swap neighbours: 1 0 3 2 5 4 …
	for i := range p {
		p[i] = i
	}
	for i := 0; i+1 < n; i += 2 {
		p[i], p[i+1] = p[i+1], p[i]
	}
	return p
}

func isIdentity(p []int) bool {
	for i, v := range p {
		if v != i {
			return false
		}
	}
	return true
}

// reachable: when items 0..k-1 are placed, item k is among the first four
// unplaced display positions.
func reachable(p []int) bool {
	for pos, k := range p {
		before := 0
		for _, j := range p[:pos] {
			if j > k {
				before++
			}
		}
		if before >= 4 {
			return false
		}
	}
	return true
}
