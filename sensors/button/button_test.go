package button

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/sensors/internal/machinetest"
)

func TestButton(t *testing.T) {
	cases := []struct {
		name, edges string
		until       time.Duration
		want, at    string
	}{
		{"press", "0:+ 100:-", time.Second, "button.press", "[0s]"},
		{"bouncy press", "0:+ 1:- 2:+ 4:- 5:+ 120:- 121:+ 122:-", time.Second, "button.press", "[5ms]"},
		{"spike", "0:+ 5:-", time.Second, "", "[]"},
		{"long press", "0:+ 2000:-", 3 * time.Second, "button.press button.long", "[0s 1.5s]"},
		{"released just before long", "0:+ 1490:-", 3 * time.Second, "button.press", "[0s]"},
		{"two presses", "0:+ 100:- 300:+ 400:-", time.Second, "button.press button.press", "[0s 300ms]"},
		{"jammed", "0:+", 61 * time.Second, "button.press button.long sensor.fault", "[0s 1.5s 1m0s]"},
		{"jammed, then released", "0:+ 70000:-", 71 * time.Second, "button.press button.long sensor.fault sensor.ok", "[0s 1.5s 1m0s 1m10s]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := machinetest.New(t, newMachine("button.a", Opts{ActiveLow: true}), false)
			r.Play(c.edges)
			r.Until(c.until)
			if r.Kinds() != c.want || fmt.Sprint(r.At()) != c.at {
				t.Fatalf("got %q at %v, want %q at %s", r.Kinds(), r.At(), c.want, c.at)
			}
			for _, e := range r.Out {
				if e.Sensor != "button.a" {
					t.Fatalf("sensor %q", e.Sensor)
				}
			}
		})
	}
}

func TestHeldAtStartIsNotAPress(t *testing.T) {
	r := machinetest.New(t, newMachine("button.ok", Opts{}), true)
	r.Play("500:- 1000:+ 1100:-")
	r.Until(2 * time.Second)
	if r.Kinds() != "button.press" {
		t.Fatalf("got %q", r.Kinds())
	}
}

func TestLongPressOff(t *testing.T) {
	r := machinetest.New(t, newMachine("button.b", Opts{LongPress: -1, StuckAfter: -1}), false)
	r.Play("0:+")
	r.Until(10 * time.Minute)
	if r.Kinds() != "button.press" {
		t.Fatalf("got %q", r.Kinds())
	}
	if _, ok := r.M.Next(); ok {
		t.Fatal("a deadline is still armed")
	}
}

func TestFaultTextSaysWhatToCheck(t *testing.T) {
	r := machinetest.New(t, newMachine("button.back", Opts{}), false)
	r.Play("0:+")
	r.Until(2 * time.Minute)
	last := r.Out[len(r.Out)-1]
	if !strings.Contains(last.Detail, "held for 1m0s") || !strings.Contains(last.Detail, "active level") {
		t.Fatalf("detail %q", last.Detail)
	}
}
