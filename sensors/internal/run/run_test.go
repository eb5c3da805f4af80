package run_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/wufang-kiosk/wufang/internal/clock/clocktest"
	"github.com/wufang-kiosk/wufang/sensors"
	"github.com/wufang-kiosk/wufang/sensors/internal/run"
	"github.com/wufang-kiosk/wufang/sensors/sim"
)

// echo reports every edge, and 5 s after each edge a "tick".
type echo struct {
	mu    sync.Mutex
	start time.Time
	init  []bool
	due   []time.Time
}

func (m *echo) Init(now time.Time, active []bool, _ func(sensors.Event)) {
	m.start, m.init = now, active
}

func (m *echo) Edge(i int, t time.Time, active bool, emit func(sensors.Event)) {
	emit(sensors.Event{Time: t, Sensor: []string{"a", "b"}[i], Kind: map[bool]sensors.Kind{true: "on", false: "off"}[active]})
	m.due = append(m.due, t.Add(5*time.Second))
}

func (m *echo) Advance(now time.Time, emit func(sensors.Event)) {
	for len(m.due) > 0 && !m.due[0].After(now) {
		emit(sensors.Event{Time: m.due[0], Sensor: "tick", Kind: "tick"})
		m.due = m.due[1:]
	}
}

func (m *echo) Next() (time.Time, bool) {
	if len(m.due) == 0 {
		return time.Time{}, false
	}
	return m.due[0], true
}

func TestRunStampsEdgesAndFiresDeadlines(t *testing.T) {
	clk := clocktest.NewFake(time.Time{})
	a, b := sim.NewPin("GPIO5", 5, gpio.High), sim.NewPin("GPIO6", 6, gpio.Low)
	in := []run.Input{{Pin: a, Pull: gpio.PullUp, ActiveLow: true}, {Pin: b, Pull: gpio.PullDown}}
	if err := run.Configure(in); err != nil {
		t.Fatal(err)
	}
	out := make(chan sensors.Event, 16)
	ctx, cancel := context.WithCancel(context.Background())
	m := &echo{}
	done := make(chan error)
	go func() { done <- run.Run(ctx, clk, in, m, out) }()

	a.Set(gpio.Low) // active-low: on
	clk.Advance(time.Second)
	b.Set(gpio.High)
	clk.Advance(10 * time.Second)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
	close(out)
	var got []string
	for e := range out {
		got = append(got, e.Sensor+" "+string(e.Kind)+" "+e.Time.Sub(clocktest.Epoch).String())
	}
	want := "a on 0s, b on 1s, tick tick 5s, tick tick 6s"
	if strings.Join(got, ", ") != want {
		t.Fatalf("got %s, want %s", strings.Join(got, ", "), want)
	}
	if m.init[0] || m.init[1] {
		t.Fatalf("start levels %v, want both inactive", m.init)
	}
	if clk.Pending() != 0 {
		t.Fatalf("%d timers left armed after stop", clk.Pending())
	}
}

func TestConfigureNamesThePin(t *testing.T) {
	p := &gpiotest.Pin{N: "GPIO9", Num: 9} // no EdgesChan: refuses edge detection
	err := run.Configure([]run.Input{{Pin: p}})
	if err == nil || !strings.Contains(err.Error(), "GPIO9") {
		t.Fatalf("error %v", err)
	}
}
