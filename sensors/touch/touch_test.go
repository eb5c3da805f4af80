package touch

import (
	"fmt"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/sensors/internal/machinetest"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

func TestTouch(t *testing.T) {
	r := machinetest.New(t, newMachine("pad.exhibit-1", Opts{}), false)
	r.Play("0:+ 3:- 4:+ 300:- 1000:+ 5000:-")
	r.Until(10 * time.Second)
	if r.Kinds() != "pad.touch pad.touch" || fmt.Sprint(r.At()) != "[4ms 1s]" {
		t.Fatalf("got %q at %v", r.Kinds(), r.At())
	}
}

func TestNewConfiguresPin(t *testing.T) {
	p := &gpiotest.Pin{N: "GPIO23", Num: 23, EdgesChan: make(chan gpio.Level)}
	if _, err := New(p, "pad.x", &Opts{ActiveLow: true}); err != nil {
		t.Fatal(err)
	}
	if p.Pull() != gpio.PullUp {
		t.Fatalf("pull %s, want up for an active-low pad", p.Pull())
	}
	if _, err := New(nil, "pad.x", nil); err == nil {
		t.Fatal("nil pin accepted")
	}
}
