package flow

import (
	"slices"

	"github.com/wufang-kiosk/wufang/content"
)

// orderKind: put the items in order by placing them one after the other
// into numbered slots. A right item goes into the next slot; a wrong one
// goes back where it was (State.Wrong names it, for the UI's cue) and
// counts as a slip of that slot. Back takes back the last item placed.
// The step is answered when the last slot is filled, and right when no
// wrong item was tried in any slot: the visitor's first try at each slot,
// which is their first try at the whole order (the cue tells them at once
// where it went wrong, so a second try is no longer a first answer).
type orderKind struct{}

func (orderKind) enter(m *Machine, st *content.Step) {
	m.st.Shuffle = shuffle(m.stepRand(0), len(st.Items))
	m.st.Picked = []int{}
}

func (orderKind) next(m *Machine, st *content.Step) {
	if len(st.Items) == 0 {
		m.answer(false)
	}
}

func (orderKind) choose(*Machine, *content.Step, int) {}

func (orderKind) hints(m *Machine, st *content.Step, add func(string, Action, int)) {
	s := &m.st
	for pos, l := range OrderLetters(len(s.Shuffle), s.Picked) {
		add(l, ActPick, pos)
	}
	if len(st.Items) == 0 {
		add(BtnOK, ActNext, 0)
	}
	if len(s.Picked) > 0 {
		add(BtnBack, ActUndo, 0)
	} else {
		add(BtnBack, ActBack, 0)
	}
}

func (m *Machine) pick(n int) {
	st := m.step()
	if st == nil || st.Type != content.Order || m.st.Answered ||
		n < 0 || n >= len(m.st.Shuffle) || slices.Contains(m.st.Picked, n) {
		return
	}
	slot := len(m.st.Picked)
	if m.st.Shuffle[n] != slot { // not the item of the next slot: it goes back
		m.st.Wrong = n + 1
		m.st.Misses++
		if !slices.Contains(m.st.Slips, slot) {
			m.st.Slips = append(slices.Clone(m.st.Slips), slot)
		}
		return
	}
	m.st.Wrong = 0
	m.st.Picked = append(slices.Clone(m.st.Picked), n)
	if len(m.st.Picked) == len(m.st.Shuffle) {
		m.answer(len(m.st.Slips) == 0)
	}
}

func (m *Machine) undo() {
	if m.st.StepType == content.Order && !m.st.Answered && len(m.st.Picked) > 0 {
		m.st.Picked = slices.Clone(m.st.Picked[:len(m.st.Picked)-1])
		m.st.Wrong = 0
	}
}

// OrderLetters gives the buttons A–D to the items of an order step not
// placed yet, by display position: the first four start with A–D, and an
// item keeps its letter until it is placed, when the letter goes to the
// first item still without one. So a letter never changes under the
// visitor's finger, and the lettered items are always the first four
// unplaced ones (what shuffle keeps solvable with buttons alone).
func OrderLetters(n int, picked []int) map[int]string {
	byPos := map[int]string{}
	placed := make([]bool, n)
	next := 0
	give := func(l string) {
		for next < n && placed[next] {
			next++
		}
		if next < n {
			byPos[next] = l
			next++
		}
	}
	for _, l := range letters {
		give(l)
	}
	for _, p := range picked {
		if p < 0 || p >= n || placed[p] {
			continue
		}
		placed[p] = true
		if l, ok := byPos[p]; ok {
			delete(byPos, p)
			give(l)
		}
	}
	return byPos
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
