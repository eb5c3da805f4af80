package flow_test

import (
	"testing"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/content/builtin"
	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

// Every module of the built-in pack, in every language, right and wrong,
// with the six physical buttons only, and by touch.
func TestBuiltinPack(t *testing.T) {
	p, err := content.Load(builtin.FS())
	if err != nil {
		t.Fatalf("load built-in pack: %v", err)
	}
	if len(p.Mods) != 5 {
		t.Fatalf("%d modules", len(p.Mods))
	}
	for _, lang := range p.Languages {
		for _, c := range []struct{ right, buttons bool }{{true, true}, {false, true}, {true, false}, {false, false}} {
			right := c.right
			r := newRig(t, flow.Options{})
			r.m.SetPack(p)
			r.pack = p
			r.press(flow.BtnB) // wake
			for r.st().Lang != lang {
				pressFor(r, flow.ActLang, 0)
			}
			for n := range p.Mods {
				doModule(r, n, c.buttons, func(int, content.Step) bool { return right })
				s := r.st()
				if right && (s.Stars != 3 || !s.Passed || s.Right != s.Questions) {
					t.Errorf("%s %s all right: %+v", lang, p.Mods[n].ID, s)
				}
				if !right && (s.Right != 0 || s.Passed || (s.Questions > 0 && s.Stars != 1)) {
					t.Errorf("%s %s all wrong: %+v", lang, p.Mods[n].ID, s)
				}
				pressFor(r, flow.ActHome, 0)
			}
			r.press(flow.BtnD) // finish
			r.wantScreen(flow.Feedback)
			r.press(flow.BtnA)
			r.wantScreen(flow.Thanks)
			var complete int
			var end wire.Event
			for _, e := range r.events() {
				switch e.Kind {
				case wire.ModuleComplete:
					complete++
				case wire.SessionEnd:
					end = e
				}
			}
			if complete != 5 || end.Lang != lang || end.Reason != wire.ReasonFinished {
				t.Errorf("%s: %d completions, end %+v", lang, complete, end)
			}
		}
	}
}
