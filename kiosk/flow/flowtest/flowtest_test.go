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
