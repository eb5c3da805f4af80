package flow

import "github.com/wufang-kiosk/wufang/content"

// lessonKind: a page to read; Next goes on. Also what a step type this
// version does not know does.
type lessonKind struct{}

func (lessonKind) enter(*Machine, *content.Step)       {}
func (lessonKind) next(m *Machine, _ *content.Step)    { m.leaveStep(1) }
func (lessonKind) choose(*Machine, *content.Step, int) {}
func (lessonKind) hints(_ *Machine, _ *content.Step, add func(string, Action, int)) {
	add(BtnOK, ActNext, 0)
	add(BtnBack, ActBack, 0)
}
