package flow

import "slices"

// clone returns a deep copy of s: the UI may keep it while the machine moves on.
func (s State) clone() State {
	c := s
	c.Selected = slices.Clone(s.Selected)
	c.Shuffle = slices.Clone(s.Shuffle)
	c.Picked = slices.Clone(s.Picked)
	c.Found = slices.Clone(s.Found)
	c.Path = slices.Clone(s.Path)
	c.Done = slices.Clone(s.Done)
	c.Buttons = slices.Clone(s.Buttons)
	if s.LastTap != nil {
		t := *s.LastTap
		c.LastTap = &t
	}
	return c
}
