package flow_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/kiosk/flow"
	"github.com/wufang-kiosk/wufang/kiosk/flow/flowtest"
)

func randFor(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

// With the real clock, timers fire on their own goroutines.
func TestRealClock(t *testing.T) {
	m := flow.New(flowtest.Pack(), flow.Options{IdleTimeout: 10 * time.Millisecond})
	defer m.Close()
	changes := make(chan flow.State, 100)
	m.OnChange(func(s flow.State) {
		select {
		case changes <- s:
		default:
		}
	})
	m.Dispatch(flow.Input{Kind: flow.Wake})
	deadline := time.After(5 * time.Second)
	for {
		select {
		case s := <-changes:
			if s.StillThere {
				m.Dispatch(flow.Input{Kind: flow.StillHere})
				if m.State().StillThere {
					t.Fatal("not dismissed")
				}
				return
			}
		case <-deadline:
			t.Fatal("no idle overlay with the real clock")
		}
	}
}
