package flow_test

import (
	"flag"
	"runtime"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

var soakVisits = flag.Int("soak", 500, "visits driven by TestSoak (the issue's figure: 10000)")

// TestSoak drives -soak visits (10,000 for the figures) (every module of the test pack, a mix of
// touch and buttons, idle endings and finished ones) through one machine and
// checks that the heap and the goroutine count do not grow.
func TestSoak(t *testing.T) {
	visits := *soakVisits
	r := newRig(t, flow.Options{})
	forget := func() { // what the test itself keeps
		r.rec.Reset()
		r.mu.Lock()
		r.seen = nil
		r.mu.Unlock()
	}
	measure := func() (heap uint64, gs int) {
		r.m.Flush(5 * time.Second)
		forget()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc, runtime.NumGoroutine()
	}
	var heap0 uint64
	var gs0 int
	for v := range visits {
		if v == visits/10 {
			heap0, gs0 = measure()
		}
		buttons := v%2 == 0
		r.do(in(flow.Wake))
		for n := range r.pack.Mods {
			doModule(r, n, buttons, func(i int, _ content.Step) bool { return (v+i)%3 != 0 })
			r.do(in(flow.GoHome))
		}
		if v%5 == 0 {
			r.do(in(flow.PresenceEnd))
			r.advance(flow.DefaultAwayTimeout + time.Duration(flow.DefaultCountdown)*time.Second)
		} else {
			r.do(in(flow.Finish), inN(flow.Rate, 1+v%3))
			r.advance(flow.DefaultThanksFor)
		}
		r.wantScreen(flow.Attract)
		// Visitors are slow: let the recorder keep up as it would in a
		// room (the queue's overflow has its own test).
		r.m.Flush(5 * time.Second)
		if v%500 == 0 {
			forget()
		}
	}
	heap1, gs1 := measure()
	t.Logf("%d visits: heap %d -> %d bytes, goroutines %d -> %d, timers pending %d, recorder %+v",
		visits, heap0, heap1, gs0, gs1, r.clk.Pending(), r.m.RecorderStats())
	if heap1 > heap0+256<<10 {
		t.Errorf("heap grew from %d to %d bytes", heap0, heap1)
	}
	if gs1 > gs0 {
		t.Errorf("goroutines grew from %d to %d", gs0, gs1)
	}
	if p := r.clk.Pending(); p > 2 {
		t.Errorf("%d timers pending on the attract screen", p)
	}
	if st := r.m.RecorderStats(); st.Dropped != 0 || st.Failed != 0 {
		t.Errorf("%+v", st)
	}
}
