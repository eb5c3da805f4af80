package flow_test

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wufang-kiosk/wufang/kiosk/flow"
	"github.com/wufang-kiosk/wufang/kiosk/flow/flowtest"
)

// A visitor walks up, switches to English, answers one question with the
// physical buttons and walks away; the kiosk asks "Still there?" and resets.
func Example() {
	clk := flowtest.NewClock(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))
	rec := &flowtest.Recorder{}
	m := flow.New(flowtest.Pack(), flow.Options{Clock: clk, Recorder: rec})
	show := func() {
		s := m.State()
		fmt.Println(s.Screen, s.Lang, s.StepType != "", s.StillThere, s.Countdown)
	}
	m.Dispatch(flow.Input{Kind: flow.Wake}) // presence.start
	m.Dispatch(flow.Input{Kind: flow.SetLang, Lang: "en"})
	m.Dispatch(flow.Input{Kind: flow.OpenModule, N: 1}) // traffic
	show()
	m.Dispatch(flow.Input{Kind: flow.Button, Name: "a"}) // option 1: right
	m.Dispatch(flow.Input{Kind: flow.Button, Name: "ok"})
	show()
	m.Dispatch(flow.Input{Kind: flow.PresenceEnd})
	clk.Advance(15 * time.Second)
	show()
	clk.Advance(10 * time.Second)
	show()
	m.Close()
	for _, e := range rec.Events() {
		fmt.Println(strings.Join(slices.DeleteFunc([]string{string(e.Kind), e.Module, e.Step, e.Reason, e.Lang},
			func(s string) bool { return s == "" }), " "))
	}
	// Output:
	// step en true false 0
	// result en false false 0
	// result en false true 10
	// attract zh-CN false false 0
	// session.start zh-CN
	// module.start traffic
	// step.answer traffic traffic-light
	// module.complete traffic
	// session.end idle en
}
