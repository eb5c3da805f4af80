package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// PhysOpts describes a crowd for GeneratePhysical. Shares are of people and
// may overlap (a child with a bag who stops); zero fields take the defaults.
type PhysOpts struct {
	Seed uint64
	// People is how many people walk up to the door (default 1000), those
	// who balk or turn back included.
	People int
	// Rate is how many groups arrive per minute on average (default 4).
	Rate float64
	// EntryShare is the share of groups that come in (default 0.5).
	EntryShare float64
	// BeamGap is the distance between the beams in m (default 0.06).
	BeamGap float64

	// Children, Elderly, Wheelchairs and Strollers are shares of the
	// people; the rest are adults.
	Children, Elderly, Wheelchairs, Strollers float64
	// Bags is the share of people carrying a bag at beam height (a hand
	// bag or shopping bag that swings with the arm, or a shoulder bag at
	// the hip), with a gap of air between it and the body.
	Bags float64
	// Arms is the share of people whose hand or forearm swings past the
	// body's front or back at beam height, opening and closing a gap.
	Arms float64

	// Stop is the share of people who stop in the doorway, in the beams,
	// and then walk on, for 0.5 s up to MaxStop (default 5 s), swaying a
	// little as people do when they stand.
	Stop    float64
	MaxStop time.Duration
	// Balk is the share who step into the beams and back out facing the
	// same way; Turn the share who walk in part way, turn round and walk
	// back out. Neither must count.
	Balk, Turn float64

	// MaxGroup is the largest group walking one behind the other (default
	// 1). Groups walk at one pace and do not stop.
	MaxGroup int
	// MinFollow, MaxFollow bound the time between one person's back
	// passing the first beam and the next one's front reaching it
	// (default 0.5 s - 2 s).
	MinFollow, MaxFollow time.Duration

	// Bounce is the largest number of extra receiver toggles at each
	// beam change (default 0), within 3 ms of it.
	Bounce int
	// Spikes is how many EMI spikes (0.1-3 ms flips of the input) each
	// beam gets per minute (default 0).
	Spikes float64
	// Sun is the chance that a beam's occlusion has sunlight or a
	// reflection reach the receiver for 20-60 ms somewhere in it, so the
	// beam reads clear although a body is in it (default 0).
	Sun float64
}

func (o *PhysOpts) defaults() {
	if o.People <= 0 {
		o.People = 1000
	}
	if o.Rate <= 0 {
		o.Rate = 4
	}
	if o.EntryShare <= 0 {
		o.EntryShare = 0.5
	}
	if o.BeamGap <= 0 {
		o.BeamGap = 0.06
	}
	if o.MaxStop <= 0 {
		o.MaxStop = 5 * time.Second
	}
	if o.MaxGroup <= 0 {
		o.MaxGroup = 1
	}
	if o.MinFollow <= 0 {
		o.MinFollow = 500 * time.Millisecond
	}
	if o.MaxFollow < o.MinFollow {
		o.MaxFollow = o.MinFollow + 1500*time.Millisecond
	}
}

// The physical model. The path runs across the doorway along x, from the
// street (x < 0) into the room: the outer beam is at x = 0, the inner one at
// x = BeamGap. A body is rigid at beam height: a torso (an ellipse, depth
// along the way it faces, width across) and spans beside or ahead of it (a
// hand, a bag, push handles, a stroller), each at a lateral offset, in the
// body's own frame (u ahead of its centre, v to its left). It stands at
// centre c(t) turned by θ (0: facing into the room, π: out of it). A beam
// is a line across the doorway, so it is blocked while any part of any body
// has its x. Hands and hand-held bags swing with the stride while the body
// walks, and come to rest when it stands. Bodies move by phases: walk to a
// point at a speed that wobbles with the gait, stand (swaying), turn round
// on the spot. The beams are sampled every simStep while a body is at them,
// and the raw edges are where their states change; noise is then added to
// each beam's signal as a receiver would see it.

const (
	simStep   = 250 * time.Microsecond // walking
	standStep = 2 * time.Millisecond   // standing, turning
	// armRest is how fast a swing dies away when the body stands, and
	// comes back when it walks on (s).
	armRest = 0.3
)

type span struct {
	lo, hi float64 // along u, m
	side   float64 // v, m
	// swing moves the span by amp*sin(2π s/period + phase) along u, s
	// being how far the stride has gone.
	amp, period, phase float64
}

type body struct {
	depth, width float64 // the torso's
	spans        []span
	theta        float64
	front        float64 // the furthest any part reaches ahead of the centre
	back         float64 // behind it (negative)
}

type phase struct {
	to    float64       // walk: the centre's target
	speed float64       // m/s; 0: stand (or turn) for `stand`
	stand time.Duration // how long to stand or turn
	sway  float64       // stand: amplitude in m
	turn  bool          // turn round on the spot for `stand`
}

type mover struct {
	b      body
	start  float64 // centre at t = 0
	phases []phase
	wobble float64 // relative speed wobble with the gait (wheelchair pushes, steps)
	stride float64 // s
}

// covers reports whether the body, centred at c, covers x; swing is how far
// its stride has gone (s), act how much of the swing is in the arms (0 when
// standing still, 1 walking).
func (b *body) covers(x, c, swing, act float64) bool {
	cos, sin := math.Cos(b.theta), math.Sin(b.theta)
	hd, hw := b.depth/2*cos, b.width/2*sin
	if math.Abs(x-c) <= math.Sqrt(hd*hd+hw*hw) {
		return true
	}
	for _, s := range b.spans {
		d := 0.0
		if s.amp != 0 {
			d = act * s.amp * math.Sin(2*math.Pi*swing/s.period+s.phase)
		}
		lo := c + (s.lo+d)*cos - s.side*sin
		hi := c + (s.hi+d)*cos - s.side*sin
		if lo > hi {
			lo, hi = hi, lo
		}
		if x >= lo && x <= hi {
			return true
		}
	}
	return false
}

// occlusion is one beam blocked from start to end (offsets in a person's run).
type occlusion struct {
	beam       int
	start, end time.Duration
}

// run samples the beams while the mover does its phases and returns the
// beams' blocked spans, and when the body first and last covered a beam.
func (m *mover) run(gap float64) (occ []occlusion, first, last time.Duration) {
	xs := [2]float64{0, gap}
	var open [2]bool
	var since [2]time.Duration
	first = -1
	c := m.start
	var t, swing time.Duration
	act := 1.0
	sample := func() {
		any := false
		for i, x := range xs {
			on := m.b.covers(x, c, swing.Seconds(), act)
			any = any || on
			if on != open[i] {
				if on {
					since[i] = t
				} else {
					occ = append(occ, occlusion{beam: i, start: since[i], end: t})
				}
				open[i] = on
			}
		}
		if any {
			if first < 0 {
				first = t
			}
			last = t
		}
	}
	for _, p := range m.phases {
		if p.speed == 0 {
			end := t + p.stand
			c0, th0 := c, m.b.theta
			for t < end {
				f := 1 - (end-t).Seconds()/p.stand.Seconds()
				if p.turn {
					m.b.theta = th0 + math.Pi*f
				} else {
					c = c0 + p.sway*math.Sin(2*math.Pi*(p.stand.Seconds()*f)/3)
				}
				act *= math.Exp(-standStep.Seconds() / armRest)
				sample()
				t += standStep
			}
			c = c0
			if p.turn {
				m.b.theta = th0 + math.Pi
			}
			continue
		}
		dir := 1.0
		if p.to < c {
			dir = -1
		}
		for (p.to-c)*dir > 0 {
			v := p.speed * (1 + m.wobble*math.Sin(2*math.Pi*t.Seconds()/m.stride))
			c += dir * v * simStep.Seconds()
			t += simStep
			swing += simStep
			act = 1 - (1-act)*math.Exp(-simStep.Seconds()/armRest)
			sample()
		}
	}
	for i := range open {
		if open[i] {
			occ = append(occ, occlusion{beam: i, start: since[i], end: t})
		}
	}
	return occ, first, last
}

// GeneratePhysical makes a crowd stream from the physical model: a script
// of raw beam edges and the truth behind it, to be graded with Compare like
// Generate's. It shares nothing with Generate's edge-level model but the
// output types. The same options (with the same Seed) give the same stream.
func GeneratePhysical(opts PhysOpts) (Script, Truth) {
	opts.defaults()
	rng := rand.New(rand.NewPCG(opts.Seed, 0xb0d1e5))
	uni := func(a, b float64) float64 { return a + (b-a)*rng.Float64() }
	chance := func(p float64) bool { return p > 0 && rng.Float64() < p }
	g := opts.BeamGap

	var truth Truth
	var occ []occlusion // absolute times
	free := time.Second
	for n := 0; n < opts.People; {
		at := free + time.Second + secs(rng.ExpFloat64()*60/opts.Rate)
		in := rng.Float64() < opts.EntryShare
		size := 1 + rng.IntN(opts.MaxGroup)
		pace := 0.0
		for k := 0; k < size && n < opts.People; k++ {
			m, abort := newMover(&opts, rng, uni, chance, size > 1)
			if k == 0 {
				pace = m.phases[0].speed
			} else {
				// One pace for a group, nobody overtakes.
				for i := range m.phases {
					if m.phases[i].speed > 0 {
						m.phases[i].speed = pace * uni(0.97, 1.0)
					}
				}
			}
			if !in {
				mirror(&m, g)
			}
			es, first, last := m.run(g)
			if first < 0 {
				// Never reached a beam (a child below it would; ours
				// do not): nobody to count.
				continue
			}
			t0 := at - first // the front reaches the first beam at `at`
			for _, e := range es {
				occ = append(occ, occlusion{beam: e.beam, start: t0 + e.start, end: t0 + e.end})
			}
			c := Crossing{Start: at, End: t0 + last, Kind: kindOf(in), Aborted: abort}
			truth.Crossings = append(truth.Crossings, c)
			switch {
			case abort:
				truth.Aborted++
			case in:
				truth.Entries++
			default:
				truth.Exits++
			}
			n++
			free = max(free, c.End)
			// The next one's front reaches the first beam a follow gap
			// after this one's back passed it: find when that was.
			backPassed := at
			for _, e := range es {
				if e.beam == firstBeam(in) {
					backPassed = max(backPassed, t0+e.end)
				}
			}
			at = backPassed + opts.MinFollow + time.Duration(rng.Int64N(int64(opts.MaxFollow-opts.MinFollow)+1))
		}
	}
	truth.Length = free + time.Second
	script := physNoise(occ, truth.Length, &opts, rng)
	truth.Edges = len(script)
	return script, truth
}

func firstBeam(in bool) int {
	if in {
		return 0
	}
	return 1
}

// mirror turns a mover walking in into one walking out: the path is
// reflected about the middle of the two beams.
func mirror(m *mover, gap float64) {
	m.start = gap - m.start
	for i := range m.phases {
		m.phases[i].to = gap - m.phases[i].to
	}
	m.b.theta = math.Pi
}

// newMover makes one person walking in (mirror makes it walk out), and
// whether they will leave the way they came.
func newMover(o *PhysOpts, rng *rand.Rand, uni func(a, b float64) float64, chance func(float64) bool, inGroup bool) (mover, bool) {
	var depth, width, speed, wobble float64
	stride := uni(0.9, 1.2)
	kind := rng.Float64()
	var extra []span
	armsCan := true
	switch {
	case kind < o.Children:
		// A schoolchild tall enough for the beam (chest or waist):
		// shallow and sometimes running.
		depth, width, speed, wobble = uni(0.14, 0.22), uni(0.24, 0.3), uni(0.7, 2.0), 0.08
		stride = uni(0.6, 0.9)
	case kind < o.Children+o.Elderly:
		depth, width, speed, wobble = uni(0.24, 0.36), uni(0.32, 0.42), uni(0.5, 0.9), 0.05
		stride = uni(1.1, 1.5)
	case kind < o.Children+o.Elderly+o.Wheelchairs:
		// At 0.9 m: the seated person's torso, and the chair's push
		// handles standing off behind by a few cm; pushes on the rims
		// make the speed surge.
		depth, width, speed, wobble = uni(0.25, 0.32), uni(0.4, 0.5), uni(0.5, 1.1), 0.25
		hg := uni(0, 0.04)
		for _, v := range []float64{-0.2, 0.2} {
			extra = append(extra, span{lo: -depth/2 - hg - uni(0.03, 0.06), hi: -depth/2 - hg, side: v})
		}
		armsCan = false
	case kind < o.Children+o.Elderly+o.Wheelchairs+o.Strollers:
		// A stroller ahead of its pusher: the pusher's forearms to the
		// handlebar, then the canopy, with a small gap where they meet.
		// The child in it is not counted (like a child carried).
		depth, width, speed, wobble = uni(0.24, 0.34), uni(0.34, 0.42), uni(0.6, 1.2), 0.05
		arms := uni(0.25, 0.4)
		hg := uni(0, 0.04)
		canopy := uni(0.35, 0.6)
		extra = append(extra,
			span{lo: depth / 2, hi: depth/2 + arms},
			span{lo: depth/2 + arms + hg, hi: depth/2 + arms + hg + canopy})
		armsCan = false
	default:
		depth, width, speed, wobble = uni(0.22, 0.34), uni(0.32, 0.42), uni(1.0, 1.6), 0.05
	}
	side := func() float64 {
		if rng.IntN(2) == 0 {
			return -width / 2
		}
		return width / 2
	}
	if chance(o.Bags) {
		// A hand bag or shopping bag at the side, before or behind the
		// hip with a little air between; carried in the hand, it swings.
		l, gap := uni(0.1, 0.35), uni(0.005, 0.04)
		amp := 0.0
		if rng.IntN(2) == 0 {
			amp = uni(0.02, 0.08)
		}
		s := span{lo: depth/2 + gap, hi: depth/2 + gap + l, side: side(), amp: amp, period: stride, phase: uni(0, 2*math.Pi)}
		if rng.IntN(2) == 0 {
			s.lo, s.hi = -depth/2-gap-l, -depth/2-gap
		}
		extra = append(extra, s)
	}
	if armsCan && chance(o.Arms) {
		// A hand at beam height swinging with the stride: at the end of
		// its swing it passes the body's front or back by a few cm, with
		// air between (more at a brisk walk).
		amp := depth/2 + uni(0.02, 0.06)*speed/1.3 + 0.04
		extra = append(extra, span{lo: -0.04, hi: 0.04, side: side(), amp: amp, period: stride, phase: uni(0, 2*math.Pi)})
	}
	b := body{depth: depth, width: width, spans: extra, front: depth / 2, back: -depth / 2}
	for _, s := range b.spans {
		b.front = max(b.front, s.hi+math.Abs(s.amp))
		b.back = min(b.back, s.lo-math.Abs(s.amp))
	}
	// Start with the front 1 cm before the outer beam; end with every part
	// 1 cm past the inner one (or, turned or backed out, before the outer).
	m := mover{b: b, start: -b.front - 0.01, wobble: wobble, stride: stride}
	through := o.BeamGap - b.back + 0.01
	reach := max(b.front, -b.back, width/2)
	away := -reach - 0.01
	// torso puts the torso's front x metres past the outer beam.
	torso := func(x float64) float64 { return max(x-depth/2, m.start+0.001) }
	abort := false
	switch {
	case !inGroup && chance(o.Balk):
		// The torso steps in 2 cm up to most of its depth, then backs
		// out facing the same way.
		m.phases = []phase{
			{to: torso(uni(0.02, 0.9*depth)), speed: speed},
			{stand: secs(uni(0, 1.5)), sway: uni(0, 0.01)},
			{to: away, speed: speed * 0.6},
		}
		abort = true
	case !inGroup && chance(o.Turn):
		// In up to most of the way, turn round on the spot, walk back.
		m.phases = []phase{
			{to: torso(uni(0.02, 0.9*depth+o.BeamGap)), speed: speed},
			{stand: secs(uni(0.6, 1.2)), turn: true},
			{to: away, speed: speed},
		}
		abort = true
	case !inGroup && chance(o.Stop):
		// Stop somewhere with the torso in the beams.
		at := uni(-depth/2, o.BeamGap+depth/2)
		d := math.Exp(uni(math.Log(0.5), math.Log(o.MaxStop.Seconds())))
		m.phases = []phase{
			{to: max(at, m.start+0.001), speed: speed},
			{stand: secs(d), sway: uni(0.003, 0.015)},
			{to: through, speed: speed},
		}
	default:
		m.phases = []phase{{to: through, speed: speed}}
	}
	return m, abort
}

// physNoise turns the beams' occlusions into raw edges as the receivers
// report them: sunlight dropouts inside occlusions, EMI spikes anywhere,
// and a few toggles of bounce at every change.
func physNoise(occ []occlusion, length time.Duration, o *PhysOpts, rng *rand.Rand) Script {
	type flip struct {
		at   time.Duration
		beam int
		// on: the body's signal goes blocked/clear; spike: the input is
		// inverted for a moment, whatever it reads.
		on    bool
		spike bool
	}
	var fs []flip
	for b := range 2 {
		var mine []occlusion
		for _, e := range occ {
			if e.beam == b {
				mine = append(mine, e)
			}
		}
		slices.SortFunc(mine, func(x, y occlusion) int { return int(x.start - y.start) })
		// Bodies of a group may cover a beam at once: merge.
		var merged []occlusion
		for _, e := range mine {
			if n := len(merged); n > 0 && e.start <= merged[n-1].end {
				merged[n-1].end = max(merged[n-1].end, e.end)
				continue
			}
			merged = append(merged, e)
		}
		for _, e := range merged {
			pieces := []occlusion{e}
			if o.Sun > 0 && rng.Float64() < o.Sun {
				w := time.Duration(uni64(rng, 20, 60) * float64(time.Millisecond))
				at := e.start + time.Duration(rng.Int64N(int64(e.end-e.start)+1))
				pieces = pieces[:0]
				if at > e.start {
					pieces = append(pieces, occlusion{start: e.start, end: at})
				}
				if at+w < e.end {
					pieces = append(pieces, occlusion{start: at + w, end: e.end})
				}
			}
			for _, p := range pieces {
				fs = append(fs, flip{at: p.start, beam: b, on: true}, flip{at: p.end, beam: b, on: false})
			}
		}
		if o.Spikes > 0 {
			for range int(math.Round(o.Spikes * length.Minutes())) {
				at := time.Duration(rng.Int64N(int64(length)))
				w := time.Duration(uni64(rng, 0.1, 3) * float64(time.Millisecond))
				fs = append(fs, flip{at: at, beam: b, spike: true}, flip{at: at + w, beam: b, spike: true})
			}
		}
	}
	// Bounce: after each change of the body's signal the receiver toggles
	// back and forth a few times within 3 ms (modelled as a spike train).
	if o.Bounce > 0 {
		n := len(fs)
		for _, f := range fs[:n] {
			if f.spike {
				continue
			}
			k := rng.IntN(o.Bounce + 1)
			at := f.at
			for range k {
				at += time.Duration(uni64(rng, 0.05, 0.7) * float64(time.Millisecond))
				w := time.Duration(uni64(rng, 0.05, 0.7) * float64(time.Millisecond))
				fs = append(fs, flip{at: at, beam: f.beam, spike: true}, flip{at: at + w, beam: f.beam, spike: true})
				at += w
			}
		}
	}
	slices.SortStableFunc(fs, func(x, y flip) int {
		if x.at != y.at {
			return int(x.at - y.at)
		}
		return 0
	})
	// The input is the body's signal XOR the number of spikes in progress.
	var body, inverted [2]bool
	var level [2]bool
	var script Script
	for _, f := range fs {
		if f.spike {
			inverted[f.beam] = !inverted[f.beam]
		} else {
			body[f.beam] = f.on
		}
		l := body[f.beam] != inverted[f.beam]
		if l == level[f.beam] {
			continue
		}
		level[f.beam] = l
		script = append(script, Step{At: f.at, Op: "beam", Args: []string{beamNames[f.beam], onOff(l)}})
	}
	// A spike train still open at the end: leave the beams as the bodies do.
	for b := range 2 {
		if level[b] != body[b] {
			script = append(script, Step{At: length, Op: "beam", Args: []string{beamNames[b], onOff(body[b])}})
		}
	}
	return script
}

func uni64(rng *rand.Rand, a, b float64) float64 { return a + (b-a)*rng.Float64() }
