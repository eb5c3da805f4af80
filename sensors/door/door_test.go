package door

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/sensors"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// feed drives a Machine the way run.Run does: deadlines first, then the
// edge. Edges are "o+" (outer blocked), "i-" (inner clear) at ms offsets.
type rig struct {
	t   *testing.T
	m   *Machine
	now time.Time
	out []sensors.Event
}

func newRig(t *testing.T, opts Opts) *rig {
	r := &rig{t: t, m: NewMachine(opts), now: t0}
	r.m.Init(t0, []bool{false, false}, r.emit)
	return r
}

func (r *rig) emit(e sensors.Event) { r.out = append(r.out, e) }

// until advances time to at, firing deadlines as the runner's timer would.
func (r *rig) until(at time.Time) {
	for {
		next, ok := r.m.Next()
		if !ok || next.After(at) {
			break
		}
		if next.After(r.now) {
			r.now = next
		}
		r.m.Advance(r.now, r.emit)
	}
	if at.After(r.now) {
		r.now = at
	}
}

// play runs "ms:edge" tokens, like "0:o+ 50:i+ 250:o- 300:i-".
func (r *rig) play(script string) {
	for tok := range strings.FieldsSeq(script) {
		ms, edge, _ := strings.Cut(tok, ":")
		d, err := time.ParseDuration(ms + "ms")
		if err != nil {
			r.t.Fatalf("bad token %q", tok)
		}
		at := t0.Add(d)
		r.until(at)
		b := Outer
		if edge[0] == 'i' {
			b = Inner
		}
		r.m.Advance(r.now, r.emit)
		r.m.Edge(b, r.now, edge[1] == '+', r.emit)
	}
}

func (r *rig) kinds() string {
	var s []string
	for _, e := range r.out {
		s = append(s, string(e.Kind))
	}
	return strings.Join(s, " ")
}

func TestCounter(t *testing.T) {
	cases := []struct {
		name, edges, want string
	}{
		{"entry", "0:o+ 50:i+ 250:o- 300:i-", "door.entry"},
		{"exit", "0:i+ 50:o+ 250:i- 300:o-", "door.exit"},
		{"step in and back out", "0:o+ 400:o-", ""},
		{"deep in and back out", "0:o+ 50:i+ 600:i- 650:o-", ""},
		{"exit side balk", "0:i+ 50:o+ 600:o- 650:i-", ""},
		{"bounce on every edge", "0:o+ 1:o- 2:o+ 50:i+ 52:i- 53:i+ 250:o- 251:o+ 253:o- 300:i- 301:i+ 302:i-", "door.entry"},
		{"spikes shorter than debounce", "0:o+ 3:o- 1000:i+ 1002:i-", ""},
		{"two close behind: light between them on both beams, the doorway clear for less than BodyGap", "0:o+ 50:i+ 250:o- 300:i- 380:o+ 430:i+ 630:o- 680:i-", "door.entry door.entry"},
		{"two touching: 30 ms of light between them is one body's gap", "0:o+ 50:i+ 250:o- 280:o+ 300:i- 330:i+ 530:o- 580:i-", "door.entry"},
		{"a bag's gap on the outer beam before the inner is blocked", "0:o+ 20:o- 50:o+ 60:i+ 300:o- 360:i-", "door.entry"},
		{"a hand's gap on the inner beam after the outer cleared", "0:o+ 60:i+ 300:o- 310:i- 340:i+ 360:i-", "door.entry"},
		{"sunlight drops the outer beam for 60 ms at the start", "0:o+ 25:o- 85:o+ 100:i+ 400:o- 500:i-", "door.entry"},
		{"sunlight in the outer beam's first 20 ms moves its debounced start past the inner's", "0:o+ 10:o- 30:i+ 60:o+ 200:o- 230:i-", "door.entry"},
		{"sunlight at the end of the inner beam's occlusion clears it 1 ms before the outer", "0:o+ 38:i+ 149:i- 150:o-", "door.entry"},
		{"a wiring spike just before an exit-side balk does not make it a crossing", "6:o+ 7:o- 20:i+ 70:o+ 1290:o- 1336:i-", ""},
		{"a bag gap on both beams in turn (a hole through the body)", "0:o+ 60:i+ 200:o- 240:o+ 260:i- 300:i+ 400:o- 460:i-", "door.entry"},
		{"hesitate: step back from inner, go on", "0:o+ 50:i+ 200:i- 500:i+ 700:o- 750:i-", "door.entry"},
		{"two one after the other, doorway clear between", "0:o+ 50:i+ 250:o- 300:i- 800:o+ 850:i+ 1050:o- 1100:i-", "door.entry door.entry"},
		{"in then out", "0:o+ 50:i+ 250:o- 300:i- 2000:i+ 2050:o+ 2250:i- 2300:o-", "door.entry door.exit"},
		{"side by side: one wide body", "0:o+ 60:i+ 600:o- 660:i-", "door.entry"},
		{"standing in the beams for 30 s, then on", "0:o+ 50:i+ 30000:o- 30050:i-", "door.entry"},
		{"standing in the beams past the stuck-beam time: given up", "0:o+ 50:i+ 61000:o- 61050:i-", "sensor.fault sensor.fault sensor.ok sensor.ok"},
		{"standing briefly is fine", "0:o+ 50:i+ 5000:o- 5050:i-", "door.entry"},
		{"never completes, then a clean entry", "0:o+ 11000:o- 13000:o+ 13050:i+ 13250:o- 13300:i-", "door.entry"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, Opts{})
			r.play(c.edges)
			r.until(r.now.Add(time.Second))
			if got := r.kinds(); got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

// A crossing that stands still past Opts.Timeout is given up; one that
// stands still for less is counted.
func TestTimeout(t *testing.T) {
	for _, c := range []struct{ edges, want string }{
		{"0:o+ 50:i+ 6000:o- 6050:i-", ""},
		{"0:o+ 50:i+ 4000:o- 4050:i-", "door.entry"},
	} {
		r := newRig(t, Opts{Timeout: 5 * time.Second})
		r.play(c.edges)
		r.until(r.now.Add(time.Second))
		if got := r.kinds(); got != c.want {
			t.Errorf("%s: got %q, want %q", c.edges, got, c.want)
		}
	}
}

func TestEventTimeIsLastClear(t *testing.T) {
	r := newRig(t, Opts{})
	r.play("0:o+ 50:i+ 250:o- 300:i- 302:i+ 304:i-")
	r.until(r.now.Add(time.Second))
	if len(r.out) != 1 || !r.out[0].Time.Equal(t0.Add(304*time.Millisecond)) {
		t.Fatalf("events %+v: want one entry at +304ms", r.out)
	}
}

func TestStuckBeam(t *testing.T) {
	r := newRig(t, Opts{StuckAfter: 30 * time.Second})
	r.play("0:i+")
	r.until(t0.Add(29 * time.Second))
	if len(r.out) != 0 {
		t.Fatalf("early: %+v", r.out)
	}
	r.until(t0.Add(31 * time.Second))
	if r.kinds() != "sensor.fault" || !strings.Contains(r.out[0].Detail, "inner beam blocked for 30s") {
		t.Fatalf("want an inner-beam fault, got %+v", r.out)
	}
	r.play("40000:i-")
	r.until(t0.Add(41 * time.Second))
	if r.kinds() != "sensor.fault sensor.ok" {
		t.Fatalf("want recovery, got %q", r.kinds())
	}
	// Counting works again.
	r.play("50000:o+ 50050:i+ 50250:o- 50300:i-")
	r.until(t0.Add(51 * time.Second))
	if r.kinds() != "sensor.fault sensor.ok door.entry" {
		t.Fatalf("after recovery: %q", r.kinds())
	}
}

func TestBlockedAtStartIsNotCounted(t *testing.T) {
	r := &rig{t: t, m: NewMachine(Opts{}), now: t0}
	r.m.Init(t0, []bool{true, false}, r.emit)
	r.play("50:i+ 250:o- 300:i-")
	r.until(t0.Add(time.Second))
	if len(r.out) != 0 {
		t.Fatalf("half a crossing counted: %q", r.kinds())
	}
	r.play("1000:o+ 1050:i+ 1250:o- 1300:i-")
	r.until(t0.Add(2 * time.Second))
	if r.kinds() != "door.entry" {
		t.Fatalf("got %q", r.kinds())
	}
}

func TestNoiseStormKeepsStateBounded(t *testing.T) {
	r := newRig(t, Opts{})
	// A minute of 1 kHz toggling on the outer beam: never stable, never
	// counted, reported as noise, and the machine keeps no history of it.
	for i := range 60000 {
		at := t0.Add(time.Duration(i) * time.Millisecond)
		r.until(at)
		r.m.Edge(Outer, at, i%2 == 0, r.emit)
	}
	r.until(r.now.Add(time.Second))
	if r.kinds() != "sensor.fault" || !strings.Contains(r.out[0].Detail, "outer beam: 1000 edges a second") || !r.out[0].Time.Equal(t0.Add(3*time.Second)) {
		t.Fatalf("noise produced %+v, want one noise fault at 3 s", r.out)
	}
	r.until(r.now.Add(10 * time.Second))
	if r.kinds() != "sensor.fault sensor.ok" {
		t.Fatalf("no recovery after 10 quiet seconds: %q", r.kinds())
	}
	if n := len(r.m.ivals[Outer]) + len(r.m.ivals[Inner]); n > r.m.opts.MaxIntervals*2 {
		t.Fatalf("%d intervals kept", n)
	}
}

func TestIntervalCap(t *testing.T) {
	r := newRig(t, Opts{MaxIntervals: 4})
	// Inner stays blocked (someone in it) while the outer beam flickers
	// slowly 10 times: the interval lists stop growing, the quadrature
	// count still nets the flicker out.
	var s strings.Builder
	s.WriteString("0:o+ 50:i+")
	for k := range 10 {
		s.WriteString(" " + strconv.Itoa(100+k*100) + ":o- " + strconv.Itoa(150+k*100) + ":o+")
	}
	s.WriteString(" 2000:o- 2050:i-")
	r.play(s.String())
	r.until(r.now.Add(time.Second))
	if len(r.m.ivals[Outer]) > 4 {
		t.Fatalf("kept %d intervals", len(r.m.ivals[Outer]))
	}
	if r.kinds() != "door.entry" {
		t.Fatalf("got %q", r.kinds())
	}
}

// BenchmarkCrossing feeds whole bouncy crossings (16 raw edges each) to the
// counter logic: the cost of counting, without pins or goroutines.
func BenchmarkCrossing(b *testing.B) {
	m := NewMachine(Opts{})
	var n int
	emit := func(sensors.Event) { n++ }
	m.Init(t0, []bool{false, false}, emit)
	edges := []struct {
		ms     float64
		beam   int
		active bool
	}{
		{0, Outer, true}, {1, Outer, false}, {2, Outer, true},
		{50, Inner, true}, {51, Inner, false}, {52, Inner, true},
		{250, Outer, false}, {251, Outer, true}, {252, Outer, false},
		{300, Inner, false}, {301, Inner, true}, {302, Inner, false},
	}
	base := t0
	b.ReportAllocs()
	for b.Loop() {
		for _, e := range edges {
			at := base.Add(time.Duration(e.ms * float64(time.Millisecond)))
			m.Advance(at, emit)
			m.Edge(e.beam, at, e.active, emit)
		}
		base = base.Add(time.Second)
		m.Advance(base, emit)
	}
	if n != b.N {
		b.Fatalf("%d entries for %d crossings", n, b.N)
	}
}
