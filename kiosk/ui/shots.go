package ui

import (
	"fmt"

	"fyne.io/fyne/v2"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

// Misfit is a screen whose content does not fit the window.
type Misfit struct {
	Screen string // the PNG's name without .png
	Kind   string // "clipped text", "small touch target", "outside window", "too big"
	Detail string
}

func (m Misfit) String() string { return m.Screen + ": " + m.Kind + ": " + m.Detail }

// Shot is one screen to draw: a name and the state that shows it.
type Shot struct {
	Name  string
	State flow.State
}

// Shots lists every screen of pack p in language lang: every attract
// slide, home, every step unanswered and answered, every scenario
// situation before and after each choice and every outcome, each module's
// result, feedback, thanks, closed and the "Still there?" overlay.
func Shots(p *content.Pack, lang string) []Shot {
	var out []Shot
	seq := uint64(0)
	add := func(name string, s flow.State) {
		seq++
		s.Seq = seq
		s.Lang = lang
		out = append(out, Shot{Name: fmt.Sprintf("%03d-%s", len(out)+1, name), State: s})
	}
	base := flow.State{Module: -1, Branch: -1}
	slides := max(1, len(p.Attract))
	for i := range slides {
		s := base
		s.Screen, s.Slide = flow.Attract, i
		add(fmt.Sprintf("attract-%d", i+1), s)
	}
	done := make([]bool, len(p.Mods))
	s := base
	s.Screen, s.InSession, s.Done = flow.Home, true, done
	add("home", s)
	if len(done) > 0 {
		d := make([]bool, len(done))
		d[0] = true
		s.Done = d
		add("home-done", s)
	}
	for mi, m := range p.Mods {
		for si, st := range m.Steps {
			b := flow.State{Screen: flow.Step, Module: mi, StepIdx: si, StepType: st.Type, Branch: -1, InSession: true, Done: done}
			name := fmt.Sprintf("%s-%02d-%s", m.ID, si+1, st.Type)
			switch st.Type {
			case content.Lesson:
				add(name, b)
			case content.Choice:
				nRight := 0
				wrong := -1
				for i, o := range st.Options {
					if o.Correct {
						nRight++
					} else if wrong < 0 {
						wrong = i
					}
				}
				b.Multi = nRight > 1
				add(name, b)
				if b.Multi {
					s := b
					s.Selected = []int{0}
					add(name+"-selected", s)
				}
				s := b
				s.Answered = true
				if wrong >= 0 {
					s.Selected = []int{wrong}
				}
				add(name+"-answered", s)
			case content.Order:
				n := len(st.Items)
				shuffle := make([]int, n)
				for i := range shuffle {
					shuffle[i] = n - 1 - i
				}
				b.Shuffle = shuffle
				b.Picked = []int{}
				add(name, b)
				right := make([]int, n) // display positions in the right order
				for i := range right {
					right[i] = n - 1 - i
				}
				s := b
				s.Picked = right[:min(2, n)]
				add(name+"-picking", s)
				if n > 2 { // the first item tried in the second slot: it went back
					s := b
					s.Picked, s.Wrong, s.Misses, s.Slips = right[:1], right[n-1]+1, 1, []int{1}
					add(name+"-wrong", s)
				}
				s = b
				s.Answered = true
				s.Picked = right
				s.Slips = []int{1}[:min(1, n-1)] // one slip: the second slot
				s.Misses = len(s.Slips)
				add(name+"-answered", s)
			case content.Hotspot:
				b.Found = make([]bool, len(st.Targets))
				add(name, b)
				if len(st.Targets) > 0 {
					s := b
					s.Found = make([]bool, len(st.Targets))
					s.Found[0] = true
					s.LastTap = &[2]float64{0.5, 0.5}
					s.Misses = 1
					add(name+"-found", s)
				}
				for di := range st.Decoys {
					s := b
					s.Decoy = di + 1
					add(fmt.Sprintf("%s-decoy-%d", name, di+1), s)
				}
				s := b
				s.Answered, s.Revealed = true, true
				s.Found = make([]bool, len(st.Targets))
				if len(s.Found) > 0 {
					s.Found[0] = true
				}
				add(name+"-answered", s)
			case content.Scenario:
				if len(st.Title) > 0 || len(st.Prompt) > 0 {
					s := b
					s.Situation, s.Intro = st.Start, true
					add(name+"-intro", s)
				}
				for _, sit := range st.Situations {
					s := b
					s.Situation = sit.ID
					add(name+"-"+sit.ID, s)
					for bi := range sit.Choices {
						s := s
						s.Branch = bi
						add(fmt.Sprintf("%s-%s-%c", name, sit.ID, 'a'+bi), s)
					}
				}
				for _, o := range st.Outcomes {
					s := b
					s.Answered, s.Correct = true, o.Good
					s.Outcome = o.ID
					add(name+"-outcome-"+o.ID, s)
				}
			default:
				add(name, b)
			}
		}
		r := flow.State{Screen: flow.Result, Module: mi, Branch: -1, InSession: true, Done: done,
			Right: 3, Questions: 4, Passed: true, Stars: 2, VisitorToday: 128}
		add(m.ID+"-result", r)
	}
	s = base
	s.Screen, s.InSession = flow.Feedback, true
	add("feedback", s)
	s = base
	s.Screen = flow.Thanks
	add("thanks", s)
	s = base
	s.Screen = flow.Closed
	add("closed", s)
	if len(p.Mods) > 0 && len(p.Mods[0].Steps) > 0 {
		s := flow.State{Screen: flow.Step, Module: 0, StepType: p.Mods[0].Steps[0].Type, Branch: -1,
			InSession: true, StillThere: true, Countdown: 7, Done: done}
		if s.StepType == content.Scenario {
			s.Situation = p.Mods[0].Steps[0].Start
		}
		add("still-there", s)
	}
	return out
}

// Fit walks the screen shown in a window of the given size and reports what
// does not fit: text that could not be fitted, touch targets below 56 px at
// 800×480 (scaled), and anything reaching outside the window. name is the
// Misfit's Screen. Call it on the Fyne goroutine.
func (u *UI) Fit(name string, size fyne.Size) []Misfit {
	var out []Misfit
	v := u.view(size)
	minT := v.px(minTouch) - 0.5 // v.s >= 1: never under 56 px
	walk(u.host, fyne.Position{}, func(o fyne.CanvasObject, p fyne.Position) bool {
		s := o.Size()
		if p.X < -0.5 || p.Y < -0.5 || p.X+s.Width > size.Width+0.5 || p.Y+s.Height > size.Height+0.5 {
			out = append(out, Misfit{name, "outside window", fmt.Sprintf("%T at %v size %v", o, p, s)})
		}
		switch t := o.(type) {
		case *textBlock:
			if t.overflow {
				out = append(out, Misfit{name, "clipped text", fmt.Sprintf("%q does not fit %v even at %.0f px", short(t.text), s, t.min)})
			}
			return false
		case *tapBox:
			if (t.onTap != nil || t.onTapAt != nil) && min(s.Width, s.Height) < minT {
				out = append(out, Misfit{name, "small touch target", fmt.Sprintf("%v, under %.0f px", s, minT+0.5)})
			}
			if (t.onTap != nil || t.onTapAt != nil) && p.X < StaffCorner && p.Y < StaffCorner {
				out = append(out, Misfit{name, "control in the staff corner", fmt.Sprintf("%q at %v size %v: a hold on it would open the PIN pad", t.id, p, s)})
			}
		case *hotspotPic:
			if p.X < StaffCorner && p.Y < StaffCorner {
				out = append(out, Misfit{name, "control in the staff corner", fmt.Sprintf("hotspot picture at %v", p)})
			}
		}
		return true
	})
	return out
}

func short(s string) string {
	r := []rune(s)
	if len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
