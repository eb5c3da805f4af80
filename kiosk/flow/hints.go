package flow

import "slices"

var letters = []string{BtnA, BtnB, BtnC, BtnD}

// hints lists what each physical button does on the current screen; Button
// inputs are applied through this same table, so the hints the UI shows are
// always what happens. m.mu is held.
func (m *Machine) hints() []ButtonHint {
	s := &m.st
	if s.StillThere {
		return every(ActDismiss)
	}
	var h []ButtonHint
	add := func(b string, a Action, n int) { h = append(h, ButtonHint{Button: b, Action: a, N: n}) }
	switch s.Screen {
	case Attract:
		return every(ActWake)
	case Home:
		if n := len(m.pack.Mods); n > 0 {
			if n > 1 {
				add(BtnA, ActPrevTile, 0)
				add(BtnB, ActNextTile, 0)
			}
			add(BtnOK, ActOpen, s.Cursor)
		}
		if l := m.nextLang(); l != "" {
			h = append(h, ButtonHint{Button: BtnC, Action: ActLang, Lang: l})
		}
		add(BtnD, ActFinish, 0)
	case Step:
		m.stepHints(add)
	case Result:
		add(BtnA, ActHome, 0)
		add(BtnB, ActFinish, 0)
		if !slices.Contains(s.Done, false) {
			add(BtnOK, ActFinish, 0)
		} else {
			add(BtnOK, ActHome, 0)
		}
		add(BtnBack, ActHome, 0)
	case Feedback:
		add(BtnA, ActRate, 3)
		add(BtnB, ActRate, 2)
		add(BtnC, ActRate, 1)
		add(BtnOK, ActSkip, 0)
		add(BtnBack, ActHome, 0)
	case Thanks:
		add(BtnOK, ActAttract, 0)
		add(BtnBack, ActAttract, 0)
	}
	sortHints(h)
	return h
}

func (m *Machine) stepHints(add func(string, Action, int)) {
	s := &m.st
	st := m.step()
	if st == nil {
		return
	}
	if s.Answered {
		if m.canRetry(st) {
			add(BtnA, ActRetry, 0)
		}
		add(BtnOK, ActNext, 0)
		add(BtnBack, ActBack, 0)
		return
	}
	kindOf(st.Type).hints(m, st, add)
}

// nextLang is the language after the current one in the pack's list.
func (m *Machine) nextLang() string {
	ls := m.pack.Languages
	if len(ls) < 2 {
		return ""
	}
	i := slices.Index(ls, m.st.Lang)
	return ls[(i+1)%len(ls)]
}

var buttonOrder = []string{BtnA, BtnB, BtnC, BtnD, BtnOK, BtnBack}

func every(a Action) []ButtonHint {
	h := make([]ButtonHint, len(buttonOrder))
	for i, b := range buttonOrder {
		h[i] = ButtonHint{Button: b, Action: a}
	}
	return h
}

func sortHints(h []ButtonHint) {
	slices.SortStableFunc(h, func(a, b ButtonHint) int {
		return slices.Index(buttonOrder, a.Button) - slices.Index(buttonOrder, b.Button)
	})
}

// Hint returns what button b does in s, and whether it does anything.
func (s State) Hint(b string) (ButtonHint, bool) {
	for _, h := range s.Buttons {
		if h.Button == b {
			return h, true
		}
	}
	return ButtonHint{}, false
}

// HintsFor is what each button would do in s, a state made outside the
// machine (the render command's screens), with the machine's pack.
func (m *Machine) HintsFor(s State) []ButtonHint {
	m.mu.Lock()
	defer m.mu.Unlock()
	saved := m.st
	defer func() { m.st = saved }()
	m.st = s
	return m.hints()
}
