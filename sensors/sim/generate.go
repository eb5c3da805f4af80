package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/wufang-kiosk/wufang/sensors"
)

// GenOpts describes a visitor stream. Zero fields take the defaults.
type GenOpts struct {
	Seed uint64
	// Crossings is how many visitors walk up to the door (default 100),
	// aborted ones included.
	Crossings int
	// Rate is how many groups arrive per minute on average (default 4).
	Rate float64
	// EntryShare is the share of groups that come in (default 0.5).
	EntryShare float64
	// MinSpeed, MaxSpeed bound walking speeds in m/s (default 0.6–1.8).
	MinSpeed, MaxSpeed float64
	// MinDepth, MaxDepth bound body depths in m (default 0.2–0.45).
	MinDepth, MaxDepth float64
	// BeamGap is the distance between the beams in m (default 0.06).
	BeamGap float64
	// MaxGroup is the largest group walking one behind the other (default
	// 1: single file, each visitor alone).
	MaxGroup int
	// MinFollow, MaxFollow bound the gap between people of a group: from
	// one person's back passing a beam to the next one's front reaching it
	// (default 0.5 s – 2 s).
	MinFollow, MaxFollow time.Duration
	// Abort is the share of visitors who step into the beams and back out
	// (default 0).
	Abort float64
	// Bounce is the largest number of extra bounces at each beam change
	// (default 0: clean edges), spread over BounceSpan (default 4 ms).
	Bounce     int
	BounceSpan time.Duration
	// BodyGaps is the chance that one of the beams sees light through a
	// visitor for 25–80 ms (a swinging arm) during a crossing (default 0).
	// Unlike bounce, such a gap outlasts the debounce window. (A hole that
	// passes both beams in turn looks exactly like two people: see the door
	// package's limits.)
	BodyGaps float64
	// Spikes is how many isolated wiring spikes (0.1–3 ms) each beam gets
	// per minute (default 0).
	Spikes float64
}

func (o *GenOpts) defaults() {
	def := func(v *float64, d float64) {
		if *v <= 0 {
			*v = d
		}
	}
	if o.Crossings <= 0 {
		o.Crossings = 100
	}
	def(&o.Rate, 4)
	if o.EntryShare <= 0 {
		o.EntryShare = 0.5
	}
	def(&o.MinSpeed, 0.6)
	def(&o.MaxSpeed, 1.8)
	def(&o.MinDepth, 0.2)
	def(&o.MaxDepth, 0.45)
	def(&o.BeamGap, 0.06)
	if o.MaxGroup <= 0 {
		o.MaxGroup = 1
	}
	if o.MinFollow <= 0 {
		o.MinFollow = 500 * time.Millisecond
	}
	if o.MaxFollow < o.MinFollow {
		o.MaxFollow = o.MinFollow + 1500*time.Millisecond
	}
	if o.BounceSpan <= 0 {
		o.BounceSpan = 4 * time.Millisecond
	}
}

// Crossing is one visitor of a generated stream.
type Crossing struct {
	// Start is when the visitor's front reaches the first beam, End when
	// their back leaves the last beam, from the start of the script.
	Start, End time.Duration
	// Kind is sensors.DoorEntry or sensors.DoorExit: the way they walked.
	Kind sensors.Kind
	// Aborted visitors stepped in and backed out; they must not count.
	Aborted bool
}

// Truth is what a generated stream really contained.
type Truth struct {
	Entries, Exits, Aborted int
	Crossings               []Crossing // in time order
	Edges                   int        // raw edges in the script
	Length                  time.Duration
}

// Generate makes a visitor stream: a script of raw beam edges and the truth
// behind it. The same options (with the same Seed) give the same stream.
func Generate(opts GenOpts) (Script, Truth) {
	opts.defaults()
	rng := rand.New(rand.NewPCG(opts.Seed, 0x5eed))
	uni := func(a, b float64) float64 { return a + (b-a)*rng.Float64() }
	// Abort is a share of visitors, but aborts come alone: per arrival,
	// the chance is raised to make up for groups.
	meanGroup := float64(1+opts.MaxGroup) / 2
	pAbort := opts.Abort * meanGroup / (1 - opts.Abort + opts.Abort*meanGroup)
	var edges []beamEdge
	var truth Truth
	free := time.Second // when the doorway is next clear
	for n := 0; n < opts.Crossings; {
		// The next group arrives after an exponential pause, never within
		// a second of the doorway clearing.
		pause := secs(rng.ExpFloat64() * 60 / opts.Rate)
		at := free + time.Second + pause
		in := rng.Float64() < opts.EntryShare
		if rng.Float64() < pAbort {
			w := Walk{Speed: uni(opts.MinSpeed, opts.MaxSpeed), Depth: uni(opts.MinDepth, opts.MaxDepth), Gap: opts.BeamGap}
			depth := uni(0.02, w.Depth)
			dwell := secs(uni(0, 1.5))
			es := abortEdges(in, w, depth, dwell)
			c := Crossing{Start: at, Aborted: true, Kind: kindOf(in)}
			for _, e := range es {
				e.at += at
				edges = append(edges, e)
				c.End = max(c.End, e.at)
			}
			truth.Crossings = append(truth.Crossings, c)
			truth.Aborted++
			free = c.End
			n++
			continue
		}
		size := 1 + rng.IntN(opts.MaxGroup)
		// A group walks at one pace (each within 10% of it): one behind
		// the other, nobody overtakes.
		pace := uni(opts.MinSpeed, opts.MaxSpeed)
		for k := 0; k < size && n < opts.Crossings; k++ {
			w := Walk{Speed: pace * uni(0.9, 1.1), Depth: uni(opts.MinDepth, opts.MaxDepth), Gap: opts.BeamGap}
			es := crossEdges(in, w)
			es = bodyGaps(es, opts.BodyGaps, rng)
			c := Crossing{Start: at, Kind: kindOf(in)}
			for _, e := range es {
				e.at += at
				edges = append(edges, e)
				c.End = max(c.End, e.at)
			}
			truth.Crossings = append(truth.Crossings, c)
			if in {
				truth.Entries++
			} else {
				truth.Exits++
			}
			n++
			free = max(free, c.End)
			// The next one's front reaches the first beam a follow gap
			// after this one's back passed it.
			backPassed := at + secs(w.Depth/w.Speed)
			follow := opts.MinFollow + time.Duration(rng.Int64N(int64(opts.MaxFollow-opts.MinFollow)+1))
			at = backPassed + follow
		}
	}
	truth.Length = free + time.Second

	// Noise on top of the clean edges.
	var noisy []beamEdge
	for _, e := range edges {
		noisy = append(noisy, e)
		if opts.Bounce > 0 {
			k := rng.IntN(opts.Bounce + 1)
			offs := make([]time.Duration, 2*k)
			for i := range offs {
				offs[i] = 1 + time.Duration(rng.Int64N(int64(opts.BounceSpan)))
			}
			slices.Sort(offs)
			for i, off := range offs {
				// Odd bounces flip back to the old level, even ones
				// return to the new one.
				noisy = append(noisy, beamEdge{at: e.at + off, beam: e.beam, blocked: e.blocked == (i%2 == 1)})
			}
		}
	}
	if opts.Spikes > 0 {
		for b := range 2 {
			n := int(math.Round(opts.Spikes * truth.Length.Minutes()))
			for range n {
				t := time.Duration(rng.Int64N(int64(truth.Length)))
				w := secs(uni(0.0001, 0.003))
				noisy = append(noisy, beamEdge{at: t, beam: b, spike: true}, beamEdge{at: t + w, beam: b, spike: true, spikeEnd: true})
			}
		}
	}
	sort.SliceStable(noisy, func(i, j int) bool { return noisy[i].at < noisy[j].at })
	// Resolve levels in time order: a spike flips the beam from whatever
	// it is for a moment.
	var level, real [2]bool
	var script Script
	for _, e := range noisy {
		blocked := e.blocked
		switch {
		case e.spikeEnd:
			blocked = real[e.beam]
		case e.spike:
			blocked = !level[e.beam]
		default:
			real[e.beam] = blocked
		}
		if blocked == level[e.beam] {
			continue
		}
		level[e.beam] = blocked
		script = append(script, Step{At: e.at, Op: "beam", Args: []string{beamNames[e.beam], onOff(blocked)}})
	}
	truth.Edges = len(script)
	return script, truth
}

// bodyGaps lets light through the body on one beam with chance p, in the
// middle third of the time the beam is blocked.
func bodyGaps(es []beamEdge, p float64, rng *rand.Rand) []beamEdge {
	if p <= 0 || rng.Float64() >= p {
		return es
	}
	out := append([]beamEdge(nil), es...)
	{
		b := rng.IntN(2)
		var on, off time.Duration
		for _, e := range es {
			if e.beam == b && e.blocked {
				on = e.at
			} else if e.beam == b {
				off = e.at
			}
		}
		span := off - on
		w := min(secs(0.025+0.055*rng.Float64()), span/3)
		at := on + span/3 + time.Duration(rng.Int64N(int64(span/3-w)+1))
		out = append(out, beamEdge{at: at, beam: b, blocked: false}, beamEdge{at: at + w, beam: b, blocked: true})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at < out[j].at })
	return out
}

func kindOf(in bool) sensors.Kind {
	if in {
		return sensors.DoorEntry
	}
	return sensors.DoorExit
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// Confusion compares counted door events with the truth.
type Confusion struct {
	True    int // completed crossings in the truth
	Counted int // door events
	Correct int // counted once, the right way
	Missed  int // crossings nobody counted
	Extra   int // events that match no crossing (an aborted one, noise, a double count)
	Wrong   int // counted, but the wrong way
}

// Accuracy is Correct over the larger of True and Counted: a missed and an
// extra count are both errors.
func (c Confusion) Accuracy() float64 {
	d := max(c.True, c.Counted)
	if d == 0 {
		return 1
	}
	return float64(c.Correct) / float64(d)
}

// Compare matches door events with the truth's crossings by time, in order:
// an event belongs to the oldest unmatched completed crossing that began
// before it and whose doorway-busy period (the crossing and any that
// followed it without the doorway clearing, plus slack for debouncing)
// had not ended before it. start is the time the script started playing.
func Compare(truth Truth, start time.Time, events []sensors.Event, slack time.Duration) Confusion {
	var door []sensors.Event
	for _, e := range events {
		if e.Kind == sensors.DoorEntry || e.Kind == sensors.DoorExit {
			door = append(door, e)
		}
	}
	sort.SliceStable(door, func(i, j int) bool { return door[i].Time.Before(door[j].Time) })
	c := Confusion{Counted: len(door)}
	// busyEnd[i]: when the doorway is next clear after crossing i began.
	busyEnd := make([]time.Duration, len(truth.Crossings))
	for i := len(truth.Crossings) - 1; i >= 0; i-- {
		busyEnd[i] = truth.Crossings[i].End
		if i+1 < len(truth.Crossings) && truth.Crossings[i+1].Start <= busyEnd[i]+slack {
			busyEnd[i] = max(busyEnd[i], busyEnd[i+1])
		}
	}
	j := 0
	for i, x := range truth.Crossings {
		if x.Aborted {
			continue
		}
		c.True++
		lo, hi := start.Add(x.Start), start.Add(busyEnd[i]+slack)
		for j < len(door) && door[j].Time.Before(lo) {
			j++ // belongs to nothing: counted below as extra
		}
		if j < len(door) && !door[j].Time.After(hi) {
			if door[j].Kind == x.Kind {
				c.Correct++
			} else {
				c.Wrong++
			}
			j++
		} else {
			c.Missed++
		}
	}
	c.Extra = c.Counted - c.Correct - c.Wrong
	return c
}
