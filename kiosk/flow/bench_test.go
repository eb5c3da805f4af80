package flow_test

import (
	"testing"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

// BenchmarkTouch is the cheapest input in a session (re-arms the idle
// timer, no change): the baseline for BenchmarkModule.
func BenchmarkTouch(b *testing.B) {
	r := newRig(b, flow.Options{})
	r.do(in(flow.Wake))
	b.ResetTimer()
	for b.Loop() {
		r.m.Dispatch(flow.Input{Kind: flow.Touch})
	}
}

// BenchmarkModule runs the six-step fire module (lesson, two choices, order,
// hotspot, scenario) by buttons, then home: about 40 inputs per op.
func BenchmarkModule(b *testing.B) {
	r := newRig(b, flow.Options{})
	r.do(in(flow.Wake))
	b.ResetTimer()
	for b.Loop() {
		doModule(r, 0, true, func(int, content.Step) bool { return true })
		r.do(in(flow.GoHome))
		if b.N%256 == 0 {
			r.rec.Reset()
			r.mu.Lock()
			r.seen = nil
			r.mu.Unlock()
		}
	}
}
