package flow_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

func TestLanguageOnEveryScreen(t *testing.T) {
	all := append(slices.Clone(screens),
		struct {
			name string
			to   func(r *rig)
		}{"still there", func(r *rig) { gotoStep(r, "fire-order"); r.advance(flow.DefaultIdleTimeout) }},
		struct {
			name string
			to   func(r *rig)
		}{"thanks", func(r *rig) { r.do(in(flow.Wake), in(flow.Finish)) }},
	)
	for _, sc := range all {
		t.Run(sc.name, func(t *testing.T) {
			r := newRig(t, flow.Options{})
			sc.to(r)
			before := r.st()
			r.do(lang("en"))
			after := r.st()
			if after.Lang != "en" {
				t.Fatalf("lang %q", after.Lang)
			}
			// Nothing else changes (the overlay is dismissed by the touch).
			b, a := before, after
			b.Lang, b.Seq, a.Lang, a.Seq = "", 0, "", 0
			b.StillThere, b.Countdown = false, 0
			b.Buttons, a.Buttons = nil, nil
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("state changed beyond the language:\n%+v\n%+v", b, a)
			}
			// Unknown or empty languages are ignored.
			r.do(lang("fr"), lang(""))
			if r.st().Lang != "en" {
				t.Fatal("unknown language taken")
			}
			if after.InSession {
				// The session ends in the language it is in now.
				r.do(in(flow.GoHome), in(flow.Finish))
				if r.st().Screen == flow.Feedback {
					r.do(inN(flow.Rate, 2))
				}
				es := r.events()
				start, end := es[0], es[len(es)-1]
				if start.Kind != wire.SessionStart || start.Lang != "zh-CN" || end.Kind != wire.SessionEnd || end.Lang != "en" {
					t.Fatalf("start %+v end %+v", start, end)
				}
			}
			// Back to the default language for the next visitor.
			r.advance(time.Minute)
			if s := r.st(); s.Screen != flow.Attract || s.Lang != "zh-CN" {
				t.Fatalf("%+v", s)
			}
		})
	}
}

func TestLanguageOnAttractStartsSessionInIt(t *testing.T) {
	r := newRig(t, flow.Options{})
	r.do(lang("en"))
	if s := r.st(); s.Screen != flow.Home || s.Lang != "en" {
		t.Fatalf("%+v", s)
	}
	r.do(lang("zh-CN"))
	r.advance(flow.DefaultIdleTimeout + 10*time.Second)
	es := r.events()
	if len(es) != 2 || es[0].Lang != "en" || es[1].Lang != "zh-CN" || es[1].Reason != wire.ReasonIdle {
		t.Fatalf("%+v", es)
	}
}

func TestLanguageButtonOnHome(t *testing.T) {
	r := newRig(t, flow.Options{})
	r.press(flow.BtnA)
	h, ok := r.st().Hint(flow.BtnC)
	if !ok || h.Action != flow.ActLang || h.Lang != "en" {
		t.Fatalf("%+v", h)
	}
	r.press(flow.BtnC)
	if r.st().Lang != "en" {
		t.Fatal("c did not switch")
	}
	if h, _ := r.st().Hint(flow.BtnC); h.Lang != "zh-CN" {
		t.Fatalf("%+v", h)
	}
	r.press(flow.BtnC)
	if r.st().Lang != "zh-CN" {
		t.Fatal("c did not switch back")
	}
	// A single-language pack offers no switch.
	p := r.pack
	p2 := *p
	p2.Languages = []string{"zh-CN"}
	r.m.SetPack(&p2)
	r.press(flow.BtnA)
	if _, ok := r.st().Hint(flow.BtnC); ok {
		t.Fatal("language button with one language")
	}
}

func TestLanguageOnClosed(t *testing.T) {
	r := newRig(t, flow.Options{IsOpen: func(time.Time) bool { return false }})
	r.wantScreen(flow.Closed)
	r.do(lang("en"))
	if s := r.st(); s.Screen != flow.Closed || s.Lang != "en" || s.InSession {
		t.Fatalf("%+v", s)
	}
	if n := len(r.events()); n != 0 {
		t.Fatalf("%d events", n)
	}
}
