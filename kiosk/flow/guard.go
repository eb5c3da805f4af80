package flow

import "time"

// DefaultInputGuard is the input guard the kiosk uses (Options.InputGuard):
// long enough to swallow a double tap (about 120 ms between taps) or a
// bouncing button, short enough that nobody waiting to tap notices.
const DefaultInputGuard = 350 * time.Millisecond

// settle remembers when the screen last changed under the visitor: a new
// screen, step, situation or answer panel, another language or text size,
// the "Still there?" overlay coming or going, or a page turned (TurnPage).
type settle struct {
	key   screenKey
	until time.Time // inputs that act are ignored before this
}

// screenKey is what changes the screen enough that a tap meant for the
// old one would land on something else.
type screenKey struct {
	screen             Screen
	module, step       int
	answered, revealed bool
	situation, outcome string
	branch             int
	lang               string
	large, stillThere  bool
}

func keyOf(s State) screenKey {
	return screenKey{s.Screen, s.Module, s.StepIdx, s.Answered, s.Revealed, s.Situation, s.Outcome,
		s.Branch, s.Lang, s.Large, s.StillThere}
}

// changed starts the guard when s shows a different screen from the last
// state committed. m.mu is held.
func (g *settle) changed(s State, now time.Time, d time.Duration) {
	if k := keyOf(s); k != g.key {
		g.key = k
		g.until = now.Add(d)
	}
}

// settling reports whether an input of kind k comes too soon after the
// screen changed and is to be ignored. A plain touch (the background, the
// attract loop) always counts: it only says someone is there. m.mu is held.
func (m *Machine) settling(k InputKind) bool {
	return m.opts.InputGuard > 0 && k != Touch && k != StillHere && m.clock.Now().Before(m.settle.until)
}

// TurnPage is the UI asking to turn a page of a long text on its own (the
// machine does not know pages): it reports false while the input guard
// holds, so a double tap on "More" does not skip a page, and otherwise
// counts the tap as the visitor's input and starts the guard again.
func (m *Machine) TurnPage() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed || m.settling(Next) {
		return false
	}
	if m.st.InSession {
		m.lastInput = m.clock.Now()
		m.armIdle()
	}
	m.settle.until = m.clock.Now().Add(m.opts.InputGuard)
	return true
}
