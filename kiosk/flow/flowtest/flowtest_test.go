package flowtest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

var t0 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func TestClock(t *testing.T) {
	c := NewClock(t0)
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

func TestRecorder(t *testing.T) {
	r := &Recorder{}
	ctx := context.Background()
	if err := r.Record(ctx, wire.Event{Kind: wire.SessionStart}); err != nil {
		t.Fatal(err)
	}
	r.Err = errors.New("full")
	if err := r.Record(ctx, wire.Event{Kind: wire.SessionEnd}); err == nil {
		t.Fatal("no error")
	}
	r.Err = nil
	r.Gate = make(chan struct{})
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := r.Record(cctx, wire.Event{Kind: wire.SessionEnd}); !errors.Is(err, context.Canceled) {
		t.Fatalf("gate with cancelled ctx: %v", err)
	}
	if k := r.Kinds(); !slices.Equal(k, []wire.Kind{wire.SessionStart}) {
		t.Fatalf("%v", k)
	}
	r.Reset()
	if len(r.Events()) != 0 {
		t.Fatal("not reset")
	}
}

func TestPackHasEveryStepType(t *testing.T) {
	p := Pack()
	types := map[string]bool{}
	for _, m := range p.Mods {
		for _, s := range m.Steps {
			types[s.Type] = true
		}
	}
	for _, ty := range []string{content.Lesson, content.Choice, content.Order, content.Hotspot, content.Scenario} {
		if !types[ty] {
			t.Errorf("no %s step", ty)
		}
	}
	if Pack() == p || Pack().Mods[0] == p.Mods[0] {
		t.Fatal("Pack shares data between calls")
	}
}

// The test pack is a valid pack: it loads and validates without problems.
func TestFSLoads(t *testing.T) {
	fsys := FS()
	p, err := content.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range content.Validate(p, fsys) {
		t.Errorf("%v", pr)
	}
	want := Pack()
	if len(p.Mods) != len(want.Mods) || p.Mods[0].Steps[5].Situations[1].Choices[0].Outcome != "good" ||
		p.Mods[0].Steps[4].Targets[1].X != want.Mods[0].Steps[4].Targets[1].X {
		t.Fatalf("loaded pack differs: %+v", p)
	}
}
