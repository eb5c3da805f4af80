package presence

import (
	"fmt"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/sensors/internal/machinetest"
)

func TestPresence(t *testing.T) {
	s := time.Second
	cases := []struct {
		name  string
		hold  time.Duration
		edges string
		until time.Duration
		want  string
		at    string
	}{
		{"one trigger", 10 * s, "0:+ 3000:-", 30 * s, "presence.start presence.end", "[0s 13s]"},
		{"retriggered within hold", 10 * s, "0:+ 3000:- 8000:+ 11000:-", 30 * s, "presence.start presence.end", "[0s 21s]"},
		{"gone, then back", 10 * s, "0:+ 3000:- 20000:+ 23000:-", 60 * s, "presence.start presence.end presence.start presence.end", "[0s 13s 20s 33s]"},
		{"single mode with blind gaps, short hold bridged", 1 * s, "0:+ 5000:- 7500:+ 12500:- 15000:+ 20000:-", 60 * s, "presence.start presence.end", "[0s 23.5s]"},
		{"spike ignored", 10 * s, "0:+ 5:-", 30 * s, "", "[]"},
		{"still there", 10 * s, "0:+", 300 * s, "presence.start", "[0s]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := machinetest.New(t, NewMachine(Opts{Hold: c.hold}), false)
			r.Play(c.edges)
			r.Until(c.until)
			if r.Kinds() != c.want || fmt.Sprint(r.At()) != c.at {
				t.Fatalf("got %q at %v, want %q at %s", r.Kinds(), r.At(), c.want, c.at)
			}
		})
	}
}

func TestHoldNeverShorterThanBlind(t *testing.T) {
	if h := NewMachine(Opts{Hold: time.Second}).Hold(); h != 3500*time.Millisecond {
		t.Fatalf("hold %s, want blind 2.5s + 1s", h)
	}
	if h := NewMachine(Opts{}).Hold(); h != 30*time.Second {
		t.Fatalf("default hold %s", h)
	}
}

func TestMotionAtStart(t *testing.T) {
	r := machinetest.New(t, NewMachine(Opts{Hold: 5 * time.Second}), true)
	r.Play("2000:-")
	r.Until(time.Minute)
	if r.Kinds() != "presence.start presence.end" {
		t.Fatalf("got %q", r.Kinds())
	}
}
