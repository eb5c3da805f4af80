package sim

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

// Step is one action of a script, At after the script's start.
type Step struct {
	At   time.Duration
	Op   string   // see the script format in the package doc
	Args []string // button, pad or beam name; on/off; counts
}

// Script is a list of steps in time order.
type Script []Step

// String writes the script in the text format ParseScript reads, with
// relative times.
func (s Script) String() string {
	var b strings.Builder
	_, _ = s.WriteTo(&b)
	return b.String()
}

// WriteTo implements io.WriterTo.
func (s Script) WriteTo(w io.Writer) (int64, error) {
	bw := bufio.NewWriter(w)
	var n int64
	var prev time.Duration
	for _, st := range s {
		line := "+" + (st.At - prev).String() + " " + strings.Join(append([]string{st.Op}, st.Args...), " ") + "\n"
		prev = st.At
		m, err := bw.WriteString(line)
		n += int64(m)
		if err != nil {
			return n, err
		}
	}
	return n, bw.Flush()
}

// ops lists each verb with its argument count.
var ops = map[string]int{
	"enter": 0, "exit": 0, "balk": 0, // a full crossing in, out; a step in and back
	"press": 1, "long": 1, "touch": 1, "hold": 2, // button or pad name (hold: name, duration)
	"presence": 1, "wave": 0, // presence on|off; one PIR trigger
	"beam":  2, // outer|inner on|off: one raw edge
	"noise": 2, // outer|inner|<button>|pad.<name> N: N raw edges 1 ms apart
	"wait":  0,
}

// ParseScript reads a script:
//
//	# comments and blank lines are ignored
//	+2s enter          # 2 s after the previous step: a full entry crossing
//	+500ms press a     # press and release button a
//	+0 long back       # hold back past the long-press time
//	+1s touch exhibit-1
//	@1m30s exit        # 90 s after the start of the script
//	+3s presence on    # the PIR output goes high (presence off: low)
//	+0 wave            # one PIR trigger: high for the module's hold, then low
//	+0 balk            # a visitor steps into the beams and backs out
//	+10ms beam outer on
//	+0 noise inner 50  # 50 raw edges, 1 ms apart, on the inner beam
//	+5s hold ok 70s    # hold a button (or pad.<name>) for a duration
//	+2s wait           # nothing; keeps the room running until then
//
// A time is "+duration" after the previous step or "@duration" after the
// start. Errors name the line.
func ParseScript(r io.Reader) (Script, error) {
	var s Script
	var at time.Duration
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		f := strings.Fields(text)
		if len(f) == 0 {
			continue
		}
		if len(f) < 2 {
			return nil, fmt.Errorf("script line %d: %q: want a time and an action, like \"+2s enter\"", line, text)
		}
		t := f[0]
		var d time.Duration
		var err error
		switch {
		case strings.HasPrefix(t, "+"):
			d, err = parseDur(t[1:])
			at += d
		case strings.HasPrefix(t, "@"):
			d, err = parseDur(t[1:])
			if err == nil && d < at {
				err = fmt.Errorf("goes back in time (%s is before the previous step at %s)", d, at)
			}
			at = d
		default:
			err = fmt.Errorf("want +duration or @duration")
		}
		if err != nil {
			return nil, fmt.Errorf("script line %d: time %q: %v", line, t, err)
		}
		n, ok := ops[f[1]]
		if !ok {
			return nil, fmt.Errorf("script line %d: unknown action %q: use enter, exit, balk, press, long, touch, hold, presence, wave, beam, noise or wait", line, f[1])
		}
		if len(f)-2 != n {
			return nil, fmt.Errorf("script line %d: %s takes %d argument(s), got %d", line, f[1], n, len(f)-2)
		}
		st := Step{At: at, Op: f[1], Args: f[2:]}
		if err := st.check(); err != nil {
			return nil, fmt.Errorf("script line %d: %v", line, err)
		}
		s = append(s, st)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read script: %w", err)
	}
	return s, nil
}

func parseDur(s string) (time.Duration, error) {
	if s == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err == nil && d < 0 {
		err = fmt.Errorf("negative")
	}
	return d, err
}

func (st Step) check() error {
	switch st.Op {
	case "presence":
		if st.Args[0] != "on" && st.Args[0] != "off" {
			return fmt.Errorf("presence takes on or off, not %q", st.Args[0])
		}
	case "beam":
		if st.Args[0] != "outer" && st.Args[0] != "inner" {
			return fmt.Errorf("beam takes outer or inner, not %q", st.Args[0])
		}
		if st.Args[1] != "on" && st.Args[1] != "off" {
			return fmt.Errorf("beam %s takes on or off, not %q", st.Args[0], st.Args[1])
		}
	case "noise":
		var n int
		if _, err := fmt.Sscanf(st.Args[1], "%d", &n); err != nil || n < 0 {
			return fmt.Errorf("noise takes a count of edges, not %q", st.Args[1])
		}
	case "hold":
		if _, err := parseDur(st.Args[1]); err != nil {
			return fmt.Errorf("hold takes a duration, not %q", st.Args[1])
		}
	}
	return nil
}

// RunScript reads a script and plays it (see ParseScript).
func (r *Room) RunScript(ctx context.Context, rd io.Reader) error {
	s, err := ParseScript(rd)
	if err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	return r.Play(ctx, s)
}

// Play runs a script on the room's clock, starting now. Actions that take
// time (a crossing, a press) run to their end; a step due before then runs
// right after.
func (r *Room) Play(ctx context.Context, s Script) error {
	start := r.clock.Now()
	for i, st := range s {
		if err := r.wait(ctx, start.Add(st.At).Sub(r.clock.Now())); err != nil {
			return err
		}
		if err := r.do(ctx, st); err != nil {
			return fmt.Errorf("sim: step %d (%s %s): %w", i+1, st.Op, strings.Join(st.Args, " "), err)
		}
	}
	return nil
}

func (r *Room) do(ctx context.Context, st Step) error {
	switch st.Op {
	case "enter":
		return r.Enter(ctx)
	case "exit":
		return r.Exit(ctx)
	case "balk":
		return r.Balk(ctx)
	case "press":
		return r.Press(ctx, st.Args[0])
	case "long":
		return r.LongPress(ctx, st.Args[0])
	case "touch":
		return r.Touch(ctx, st.Args[0])
	case "hold":
		d, _ := parseDur(st.Args[1])
		return r.Hold(ctx, st.Args[0], d)
	case "presence":
		return r.Presence(st.Args[0] == "on")
	case "wave":
		return r.Wave(ctx)
	case "beam":
		return r.Beam(st.Args[0], st.Args[1] == "on")
	case "noise":
		var n int
		fmt.Sscanf(st.Args[1], "%d", &n)
		return r.Noise(ctx, st.Args[0], n, time.Millisecond)
	case "wait":
		return nil
	}
	return fmt.Errorf("unknown action %q", st.Op)
}

// Noise toggles an input n times, every interval, and leaves it where it
// was (n is rounded up to even). The input is a beam (outer, inner), a
// button name or pad.<name>.
func (r *Room) Noise(ctx context.Context, input string, n int, every time.Duration) error {
	p, err := r.inputPin(input)
	if err != nil {
		return err
	}
	start := p.Read()
	l := start
	for i := 0; i < n || l != start; i++ {
		if i > 0 {
			if err := r.wait(ctx, every); err != nil {
				p.Set(start)
				return err
			}
		}
		l = !l
		p.Set(l)
	}
	return nil
}

func (r *Room) inputPin(input string) (*Pin, error) {
	switch {
	case input == "outer" || input == "inner":
		return r.beamPin(input)
	case input == "presence":
		if r.pir == nil {
			return nil, fmt.Errorf("sim: the room has no presence sensor")
		}
		return r.pir, nil
	case strings.HasPrefix(input, "pad."):
		if p := r.pads[strings.TrimPrefix(input, "pad.")]; p != nil {
			return p, nil
		}
	default:
		if p := r.buttons[strings.TrimPrefix(input, "button.")]; p != nil {
			return p, nil
		}
	}
	return nil, fmt.Errorf("sim: no input %q: use outer, inner, presence, a button name or pad.<name>", input)
}
