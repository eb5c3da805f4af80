package health

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/internal/clock/clocktest"
	"github.com/wufang-kiosk/wufang/sensors"
)

func TestStuck(t *testing.T) {
	t0 := clocktest.Epoch
	s := Stuck{After: time.Minute}
	s.Set(t0, true)
	if at, ok := s.Due(); !ok || !at.Equal(t0.Add(time.Minute)) {
		t.Fatalf("due %v %v", at, ok)
	}
	if tripped, _ := s.Advance(t0.Add(59 * time.Second)); tripped {
		t.Fatal("tripped early")
	}
	if tripped, held := s.Advance(t0.Add(61 * time.Second)); !tripped || held != 61*time.Second {
		t.Fatalf("tripped %v held %s", tripped, held)
	}
	if _, ok := s.Due(); ok {
		t.Fatal("trips twice")
	}
	if !s.Set(t0.Add(2*time.Minute), false) {
		t.Fatal("no recovery")
	}
	if s.Set(t0.Add(3*time.Minute), true) || s.Tripped() {
		t.Fatal("recovered twice")
	}
}

type sink struct {
	mu  sync.Mutex
	evs []sensors.Event
}

func (s *sink) emit(e sensors.Event) { s.mu.Lock(); s.evs = append(s.evs, e); s.mu.Unlock() }

func TestSilentPresenceCountsOpeningHoursOnly(t *testing.T) {
	clk := clocktest.NewFake(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)) // Monday 08:00
	open := func(t time.Time) bool { return t.Hour() >= 9 && t.Hour() < 17 }
	m := NewMonitor([]string{"presence", "door"}, &MonitorOpts{Clock: clk, Presence: "presence", SilentHours: 4, Open: open})
	var out sink
	m.Start(out.emit)
	defer m.Stop()

	clk.Advance(4*time.Hour + 59*time.Minute) // 12:59: only 3 h 59 open
	if len(out.evs) != 0 {
		t.Fatalf("warned after %s of opening time: %+v", 3*time.Hour+59*time.Minute, out.evs)
	}
	clk.Advance(2 * time.Minute) // 13:01
	if len(out.evs) != 1 || out.evs[0].Kind != sensors.Fault || !strings.HasPrefix(out.evs[0].Detail, WarningPrefix) {
		t.Fatalf("want one warning, got %+v", out.evs)
	}
	m.Observe(out.evs[0])
	if st := status(m, "presence"); st.Level != Warning || !strings.Contains(st.Reason, "4 opening hours") {
		t.Fatalf("status %+v", st)
	}
	clk.Advance(10 * time.Hour)
	if len(out.evs) != 1 {
		t.Fatalf("warned again: %+v", out.evs)
	}

	motion := sensors.Event{Time: clk.Now(), Sensor: "presence", Kind: sensors.PresenceStart}
	ok, has := m.Recover(motion)
	if !has || ok.Kind != sensors.OK {
		t.Fatal("no recovery on motion")
	}
	m.Observe(ok)
	m.Observe(motion)
	if st := status(m, "presence"); st.Level != OK || !st.LastEvent.Equal(motion.Time) || st.Reason == "" {
		t.Fatalf("after motion: %+v", st)
	}
	if _, has := m.Recover(motion); has {
		t.Fatal("recovered twice")
	}
	// The count starts again from the motion: Tuesday 09:00 + 4 h.
	clk.Set(time.Date(2026, 3, 3, 12, 59, 0, 0, time.UTC))
	if len(out.evs) != 1 {
		t.Fatalf("warned too early on day two: %+v", out.evs)
	}
	clk.Set(time.Date(2026, 3, 3, 13, 2, 0, 0, time.UTC))
	if len(out.evs) != 2 {
		t.Fatalf("no warning on day two: %+v", out.evs)
	}
}

func TestFaultAndOKLevels(t *testing.T) {
	m := NewMonitor([]string{"door"}, nil)
	t0 := clocktest.Epoch
	m.Observe(sensors.Event{Time: t0, Sensor: "door", Kind: sensors.Fault, Detail: "outer beam blocked"})
	if st := status(m, "door"); st.Level != Fault || !st.Since.Equal(t0) {
		t.Fatalf("%+v", st)
	}
	m.Observe(sensors.Event{Time: t0.Add(time.Minute), Sensor: "door", Kind: sensors.OK})
	st := status(m, "door")
	if st.Level != OK || st.Reason != "outer beam blocked" || !st.Since.Equal(t0.Add(time.Minute)) {
		t.Fatalf("%+v", st)
	}
	if got := m.Snapshot(); len(got) != 1 {
		t.Fatalf("snapshot %+v", got)
	}
}

func TestSilenceCheckOff(t *testing.T) {
	clk := clocktest.NewFake(time.Time{})
	m := NewMonitor(nil, &MonitorOpts{Clock: clk, Presence: "presence"})
	var out sink
	m.Start(out.emit)
	clk.Advance(100 * time.Hour)
	if len(out.evs) != 0 || clk.Pending() != 0 {
		t.Fatalf("check ran with SilentHours 0: %+v", out.evs)
	}
}

func status(m *Monitor, name string) Status {
	for _, s := range m.Snapshot() {
		if s.Sensor == name {
			return s
		}
	}
	return Status{}
}
