package debounce

import (
	"testing"
	"time"
)

func TestFilter(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	f := Filter{Window: 20 * time.Millisecond}
	f.Edge(ms(0), true)
	f.Edge(ms(2), false)
	f.Edge(ms(3), true) // bounce: the stable run starts here
	if changed, _ := f.Advance(ms(22)); changed {
		t.Fatal("accepted before the window passed since the last bounce")
	}
	if d, ok := f.Due(); !ok || !d.Equal(ms(23)) {
		t.Fatalf("due %v", d)
	}
	changed, at := f.Advance(ms(23))
	if !changed || !at.Equal(ms(3)) || !f.Level() {
		t.Fatalf("changed %v at %v level %v", changed, at, f.Level())
	}
	f.Edge(ms(100), false)
	f.Edge(ms(105), true) // a dip shorter than the window
	if changed, _ := f.Advance(ms(200)); changed || !f.Level() {
		t.Fatal("a short dip got through")
	}
	if f.Edges() != 5 {
		t.Fatalf("edges %d", f.Edges())
	}
}
