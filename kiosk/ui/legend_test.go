package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"

	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

// TestLegendMatchesButtons: on every screen of the built-in pack, in both
// languages, the legend names every button the machine gives a job
// (State.Buttons), once, with that job's words, and the screen shows it.
// The attract loop and the thank-you screen have none: there any button
// does what a touch does.
func TestLegendMatchesButtons(t *testing.T) {
	p, fsys := builtinPack(t)
	k := newKiosk(t, p, fsys, fyne.NewSize(800, 480))
	k.u.opts.Buttons = true
	types := map[string]bool{}
	for _, lang := range []string{"zh-CN", "en"} {
		for _, sh := range Shots(p, lang) {
			st := sh.State
			if st.Screen == flow.Attract || st.Screen == flow.Thanks {
				continue // every button does what a touch does: start, or end now
			}
			st.Buttons = k.m.HintsFor(st)
			k.u.show(st)
			entries := legendEntries(st, lang)
			seen := map[string]int{}
			for _, e := range entries {
				for _, b := range e.buttons {
					seen[strings.TrimRight(b, "←→↑↓")]++
				}
			}
			for _, h := range st.Buttons {
				if seen[h.Button] != 1 {
					t.Errorf("%s %s: button %s (%s) appears %d times in the legend", lang, sh.Name, h.Button, h.Action, seen[h.Button])
				}
			}
			if len(seen) != len(st.Buttons) {
				t.Errorf("%s %s: legend has %d buttons, the machine %d", lang, sh.Name, len(seen), len(st.Buttons))
			}
			shown := k.text()
			for _, e := range entries {
				if !strings.Contains(shown, e.text) {
					t.Errorf("%s %s: the legend's %q is not on the screen", lang, sh.Name, e.text)
				}
			}
			if len(st.Buttons) > 0 && !strings.Contains(shown, buttonLook[st.Buttons[0].Button].label) {
				t.Errorf("%s %s: no button cap on the screen", lang, sh.Name)
			}
			types[string(st.Screen)+"/"+st.StepType] = true
		}
	}
	for _, want := range []string{"home/", "step/lesson", "step/choice", "step/order", "step/hotspot", "step/scenario", "result/", "feedback/"} {
		if !types[want] {
			t.Errorf("no %s screen checked", want)
		}
	}
}

// TestLegendWords: the hotspot's moves are one chip with their arrows,
// and the four option buttons of a question one chip.
func TestLegendWords(t *testing.T) {
	st := flow.State{Buttons: []flow.ButtonHint{
		{Button: "a", Action: flow.ActLeft}, {Button: "b", Action: flow.ActRight}, {Button: "c", Action: flow.ActUp},
		{Button: "d", Action: flow.ActDown}, {Button: "ok", Action: flow.ActCheck}, {Button: "back", Action: flow.ActBack}}}
	e := legendEntries(st, "en")
	if len(e) != 3 || strings.Join(e[0].buttons, " ") != "a← b→ c↑ d↓" || e[0].text != "Move the box" || e[1].text != "Look in the box" {
		t.Fatalf("hotspot legend: %+v", e)
	}
	st.Buttons = []flow.ButtonHint{{Button: "a", Action: flow.ActChoose}, {Button: "b", Action: flow.ActChoose, N: 1}, {Button: "ok", Action: flow.ActSubmit}}
	if e := legendEntries(st, "zh-CN"); len(e) != 2 || len(e[0].buttons) != 2 || e[0].text != "选择" {
		t.Fatalf("choice legend: %+v", e)
	}
}

// TestHighlightOnlyForButtonUsers: the home tiles' focus ring and the
// hotspot cursor show only once a physical button was pressed.
func TestHighlightOnlyForButtonUsers(t *testing.T) {
	p, fsys := builtinPack(t)
	k := newKiosk(t, p, fsys, fyne.NewSize(800, 480))
	k.wake()
	if w := k.boxes()["tile-0"].bg.StrokeWidth; w != 0 {
		t.Fatalf("a touch visitor sees a focus ring (%v px)", w)
	}
	k.m.Dispatch(flow.Input{Kind: flow.Button, Name: flow.BtnB}) // next tile
	if w := k.boxes()["tile-1"].bg.StrokeWidth; w < 6 {
		t.Fatalf("focus ring %v px after a button, want a thick one", w)
	}
	cursor := func() bool {
		found := false
		walkUI(k.u.host, func(o fyne.CanvasObject) {
			if h, ok := o.(*hotspotPic); ok {
				for _, c := range h.objs {
					if r, ok := c.(*canvas.Rectangle); ok && r.StrokeColor == k.u.view(k.size).col && r.StrokeWidth >= 5 {
						found = true
					}
				}
			}
		})
		return found
	}
	for mi, m := range p.Mods {
		for si, st := range m.Steps {
			if st.Type != "hotspot" {
				continue
			}
			s := flow.State{Screen: flow.Step, Module: mi, StepIdx: si, StepType: st.Type, Branch: -1, InSession: true,
				Found: make([]bool, len(st.Targets)), Seq: 1000, Cursor: 4}
			s.Buttons = k.m.HintsFor(s)
			k.u.show(s)
			if cursor() {
				t.Fatal("a touch visitor sees the hotspot cursor")
			}
			s.ButtonUsed, s.Seq = true, 1001
			k.u.show(s)
			if !cursor() {
				t.Fatal("no hotspot cursor after a button")
			}
			return
		}
	}
	t.Fatal("no hotspot step")
}
