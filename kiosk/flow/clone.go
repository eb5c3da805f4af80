package flow

import "slices"

// clone returns a deep copy of s: the UI may keep it while the machine moves on.
func (s State) clone() State {
	c := s
	c.Visit = slices.Clone(s.Visit)
	c.Selected = slices.Clone(s.Selected)
	c.Order = slices.Clone(s.Order)
	c.Answer = slices.Clone(s.Answer)
	c.Shuffle = slices.Clone(s.Shuffle)
	c.Picked = slices.Clone(s.Picked)
	c.Slips = slices.Clone(s.Slips)
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

// equal reports whether s and o are the same state, Seq aside. It is the
// hot path of every Dispatch; TestStateEqualCoversEveryField keeps it in
// step with the struct.
func (s State) equal(o State) bool {
	return s.Screen == o.Screen && s.Lang == o.Lang && s.Slide == o.Slide && s.SlideLang == o.SlideLang && s.Module == o.Module &&
		s.StepIdx == o.StepIdx && slices.Equal(s.Visit, o.Visit) && s.Pos == o.Pos && s.Seed == o.Seed && s.StillThere == o.StillThere && s.Countdown == o.Countdown &&
		s.StepType == o.StepType && s.Answered == o.Answered && s.Correct == o.Correct && s.Multi == o.Multi &&
		slices.Equal(s.Selected, o.Selected) && slices.Equal(s.Order, o.Order) && slices.Equal(s.Answer, o.Answer) && slices.Equal(s.Shuffle, o.Shuffle) && slices.Equal(s.Picked, o.Picked) &&
		s.Wrong == o.Wrong && slices.Equal(s.Slips, o.Slips) &&
		slices.Equal(s.Found, o.Found) && s.Revealed == o.Revealed &&
		(s.LastTap == nil) == (o.LastTap == nil) && (s.LastTap == nil || *s.LastTap == *o.LastTap) &&
		s.Misses == o.Misses && s.Decoy == o.Decoy && s.Intro == o.Intro && s.Retries == o.Retries && s.Situation == o.Situation && s.Branch == o.Branch && s.Outcome == o.Outcome &&
		slices.Equal(s.Path, o.Path) && s.Cursor == o.Cursor && s.Right == o.Right && s.Questions == o.Questions &&
		s.Passed == o.Passed && s.Stars == o.Stars && slices.Equal(s.Done, o.Done) &&
		s.VisitorToday == o.VisitorToday && s.Rating == o.Rating && s.InSession == o.InSession &&
		s.Large == o.Large && s.ButtonUsed == o.ButtonUsed && slices.Equal(s.Buttons, o.Buttons)
}
