package sim_test

import (
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/wufang-kiosk/wufang/sensors/sim"
)

// A pin armed for edges whose device has stopped taking them: Set gives up
// after the pin's DeliverTimeout and still drives the line.
func TestSetWithoutDevice(t *testing.T) {
	p := sim.NewPin("GPIO5", 5, gpio.Low)
	p.DeliverTimeout = time.Millisecond
	if err := p.In(gpio.PullUp, gpio.BothEdges); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		l := gpio.Level(i%2 == 0)
		p.Set(l)
		if p.Read() != l {
			t.Fatalf("edge %d: line reads %v, want %v", i, p.Read(), l)
		}
	}
	if p.Edges() != 50 {
		t.Fatalf("%d edges counted", p.Edges())
	}
}
