package clocktest

import (
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func TestClockFiresInOrderAtDeadline(t *testing.T) {
	c := NewFake(time.Time{})
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
}

func TestFakeFiresEachAtItsTime(t *testing.T) {
	c := NewFake(t0)
	var got []string
	at := func(name string) func() {
		return func() { got = append(got, name+"@"+c.Now().Sub(t0).String()) }
	}
	c.AfterFunc(3*time.Second, at("c"))
	c.AfterFunc(time.Second, at("a"))
	stopped := c.AfterFunc(2*time.Second, at("stopped"))
	c.AfterFunc(time.Second, func() {
		at("b")()
		c.AfterFunc(time.Second, at("chained")) // due within the same Advance
		c.AfterFunc(0, at("now"))
	})
	c.AfterFunc(0, at("zero")) // never fires inside AfterFunc itself
	if len(got) != 0 {
		t.Fatal("fired before Advance")
	}
	if !stopped.Stop() || stopped.Stop() {
		t.Fatal("Stop reports wrongly")
	}
	if c.Pending() != 4 {
		t.Fatalf("pending %d", c.Pending())
	}
	c.Advance(5 * time.Second)
	want := []string{"zero@0s", "a@1s", "b@1s", "now@1s", "chained@2s", "c@3s"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if c.Now() != t0.Add(5*time.Second) || c.Pending() != 0 {
		t.Fatalf("now %v pending %d", c.Now(), c.Pending())
	}
	c.Set(t0) // backwards: nothing fires
	c.AfterFunc(time.Second, at("late"))
	c.Set(t0.Add(time.Second))
	if got[len(got)-1] != "late@1s" {
		t.Fatalf("%v", got)
	}
}
