package sensorstest

import (
	"testing"
	"time"
)

func TestClockFiresInOrderAtDeadline(t *testing.T) {
	c := NewClock(time.Time{})
	var got []time.Duration
	rec := func() { got = append(got, c.Now().Sub(Epoch)) }
	c.AfterFunc(3*time.Second, rec)
	c.AfterFunc(time.Second, func() {
		rec()
		c.AfterFunc(time.Second, rec) // armed from a callback, due in this Advance
	})
	stopped := c.AfterFunc(2500*time.Millisecond, rec)
	if !stopped.Stop() || stopped.Stop() {
		t.Fatal("Stop reports wrongly")
	}
	c.Advance(5 * time.Second)
	want := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if c.Now().Sub(Epoch) != 5*time.Second || c.Pending() != 0 {
		t.Fatalf("now %v pending %d", c.Now(), c.Pending())
	}
	c.Set(Epoch) // never backwards
	if c.Now().Sub(Epoch) != 5*time.Second {
		t.Fatal("went backwards")
	}
}
