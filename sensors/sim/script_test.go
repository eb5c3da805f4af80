package sim_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/internal/clock/clocktest"
	"github.com/wufang-kiosk/wufang/sensors/room"
	"github.com/wufang-kiosk/wufang/sensors/sim"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestScriptFile plays a script file through the default room and compares
// the events with a golden list, the way an end-to-end test would.
func TestScriptFile(t *testing.T) {
	setup := room.Reference()
	setup.Pads = map[string]string{"exhibit-1": "GPIO23"}
	clk := clocktest.NewFake(time.Time{})
	s := sim.NewRoom(setup, &sim.Opts{Clock: clk})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, err := room.Start(ctx, setup, s.Pins(), &room.Opts{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("testdata/visit.script")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	start := clk.Now()
	if err := s.RunScript(ctx, f); err != nil {
		t.Fatal(err)
	}
	cancel()
	var b strings.Builder
	for e := range r.Events() {
		fmt.Fprintf(&b, "%s %s %s\n", e.Time.Sub(start).Round(100*time.Millisecond), e.Sensor, e.Kind)
	}
	if *update {
		if err := os.WriteFile("testdata/visit.golden", []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, _ := os.ReadFile("testdata/visit.golden")
	if b.String() != string(want) {
		t.Fatalf("events:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestParseScriptErrorsNameTheLine(t *testing.T) {
	cases := map[string]string{
		"+1s enter\n+2x exit":      "line 2: time \"+2x\"",
		"enter":                    "line 1: \"enter\": want a time and an action",
		"+1s jump":                 "unknown action \"jump\"",
		"+1s press":                "press takes 1 argument(s), got 0",
		"+1s presence maybe":       "presence takes on or off",
		"+1s beam side on":         "beam takes outer or inner",
		"@5s enter\n@2s exit":      "line 2: time \"@2s\": goes back in time",
		"# c\n\n+1s noise outer x": "line 3: noise takes a count",
		"+1s hold ok forever":      "hold takes a duration",
		"+1s enter # ok\n-1s exit": "line 2: time \"-1s\": want +duration or @duration",
	}
	for in, want := range cases {
		_, err := sim.ParseScript(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", in, err, want)
		}
	}
}

func TestGeneratedScriptRoundTrips(t *testing.T) {
	script, truth := sim.Generate(sim.GenOpts{Seed: 9, Crossings: 50, Bounce: 2, Abort: 0.1})
	again, err := sim.ParseScript(strings.NewReader(script.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != len(script) || truth.Edges != len(script) {
		t.Fatalf("%d steps, %d after round trip, truth says %d", len(script), len(again), truth.Edges)
	}
	for i := range script {
		if again[i].At != script[i].At || again[i].Op != script[i].Op || strings.Join(again[i].Args, " ") != strings.Join(script[i].Args, " ") {
			t.Fatalf("step %d: %+v became %+v", i, script[i], again[i])
		}
	}
	s2, t2 := sim.Generate(sim.GenOpts{Seed: 9, Crossings: 50, Bounce: 2, Abort: 0.1})
	if s2.String() != script.String() || t2.Entries != truth.Entries {
		t.Fatal("same seed, different stream")
	}
}

func TestDriveErrors(t *testing.T) {
	s := sim.NewRoom(room.Setup{Buttons: map[string]string{"a": "GPIO5"}}, nil)
	ctx := context.Background()
	for _, err := range []error{s.Enter(ctx), s.Presence(true), s.Press(ctx, "z"), s.Touch(ctx, "x"), s.Beam("side", true)} {
		if err == nil {
			t.Fatal("driving a missing sensor did not fail")
		}
	}
	if p := s.Pins(); p.DoorOuter != nil || p.Buttons["a"] == nil {
		t.Fatalf("pins %+v", p)
	}
}
