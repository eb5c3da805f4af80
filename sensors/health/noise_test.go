package health

import (
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/internal/clock/clocktest"
)

func TestNoise(t *testing.T) {
	t0 := clocktest.Epoch
	s := Noise{Limit: 100}
	var trippedAt, recoveredAt time.Duration
	rate := 0
	step := func(at time.Duration, edge bool) {
		var tr, rec bool
		var r int
		if edge {
			tr, rec, r = s.Edge(t0.Add(at))
		} else {
			tr, rec, r = s.Advance(t0.Add(at))
		}
		if tr {
			trippedAt, rate = at, r
		}
		if rec {
			recoveredAt = at
		}
	}
	// 50 edges/s for 10 s: fine.
	for i := range 500 {
		step(time.Duration(i)*20*time.Millisecond, true)
	}
	if s.Tripped() || trippedAt != 0 {
		t.Fatal("tripped below the limit")
	}
	// 1000 edges/s for 5 s from 10 s: trips once 3 whole seconds are loud.
	for i := range 5000 {
		step(10*time.Second+time.Duration(i)*time.Millisecond, true)
	}
	if !s.Tripped() || trippedAt != 13*time.Second || rate != 1000 {
		t.Fatalf("tripped %v at %s rate %d", s.Tripped(), trippedAt, rate)
	}
	// Silence: the deadline keeps the windows closing, recovery after 10 s.
	for at := 15 * time.Second; at <= 30*time.Second; at += time.Second {
		if d, ok := s.Due(); ok && !d.After(t0.Add(at)) {
			step(at, false)
		}
	}
	if s.Tripped() || recoveredAt != 25*time.Second {
		t.Fatalf("recovered %v at %s", !s.Tripped(), recoveredAt)
	}
	if _, ok := s.Due(); ok {
		t.Fatal("a deadline stays armed when idle")
	}
}
