package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/wufang-kiosk/wufang/edge/config"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

// TestClosedSaysWhenItOpens: the closed screen says, in both languages,
// when the room opens next, from the schedule: after the lunch break
// today, and on Monday from a closed Sunday.
func TestClosedSaysWhenItOpens(t *testing.T) {
	sched, err := config.ParseSchedule(map[string]string{"mon-fri": "09:00-12:00,13:30-17:30", "sat": "10:00-16:00", "sun": "closed"})
	if err != nil {
		t.Fatal(err)
	}
	p, fsys := builtinPack(t)
	k := newKiosk(t, p, fsys, fyne.NewSize(800, 480))
	loc := time.FixedZone("CST", 8*3600)
	for _, c := range []struct {
		now    time.Time
		zh, en string
	}{
		{time.Date(2026, 12, 7, 12, 10, 0, 0, loc), "今天 13:30 开放", "Opens today at 13:30"},   // Monday lunch
		{time.Date(2026, 12, 7, 18, 0, 0, 0, loc), "明天 09:00 开放", "Opens tomorrow at 09:00"}, // Monday evening
		{time.Date(2026, 12, 7, 7, 0, 0, 0, loc), "今天 09:00 开放", "Opens today at 09:00"},     // still Sunday in UTC
		{time.Date(2026, 12, 13, 11, 0, 0, 0, loc), "明天 09:00 开放", "Opens tomorrow at 09:00"},
		{time.Date(2026, 12, 12, 17, 0, 0, 0, loc), "周一 09:00 开放", "Opens Monday at 09:00"}, // Saturday, Sunday closed
	} {
		now := c.now.UTC()                                                                           // the machine's clock in another zone than the site's
		k.u.opts.NextOpen = func(t time.Time) (time.Time, bool) { return sched.NextOpen(t.In(loc)) } // as the kiosk does
		k.u.opts.Now = func() time.Time { return now }
		k.u.show(flow.State{Screen: flow.Closed, Module: -1, Branch: -1, Seq: uint64(now.Unix())})
		text := k.text()
		for _, want := range []string{c.zh, c.en, "暂停开放", "Closed"} {
			if !strings.Contains(text, want) {
				t.Errorf("%v: closed screen lacks %q:\n%s", now, want, text)
			}
		}
		k.checkFit()
	}
}

// TestAnsweredChoiceKeepsTheRightOptions: an answered question keeps the
// right options and the one chosen, whatever order they were shown in.
func TestAnsweredChoiceKeepsTheRightOptions(t *testing.T) {
	p, fsys := builtinPack(t)
	k := newKiosk(t, p, fsys, fyne.NewSize(800, 480))
	checked := 0
	for _, sh := range Shots(p, "en") {
		st := sh.State
		if st.StepType != "choice" || !st.Answered {
			continue
		}
		step := p.Mods[st.Module].Steps[st.StepIdx]
		n := len(step.Options)
		st.Order = make([]int, n)
		for i := range st.Order {
			st.Order[i] = n - 1 - i // shown reversed
		}
		k.u.show(st)
		text := k.text()
		for i, o := range step.Options {
			kept := o.Correct || slices.Contains(st.Selected, i)
			if got := strings.Contains(text, tr(o.Text, "en", p)); got != kept {
				t.Errorf("%s: option %d (%q, right %v) shown %v, want %v", sh.Name, i, short(tr(o.Text, "en", p)), o.Correct, got, kept)
			}
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no answered choice checked")
	}
}
