// Command xwatch times what a person sees on an X display, from X damage
// events: it is build/bench-kiosk.sh's eye and finger. It needs the DAMAGE
// and XTEST extensions (Xvfb has both) and a 24-bit screen, and talks the
// X protocol itself over the display's Unix socket (no libraries).
//
// Each damage event is timestamped as it arrives; the root window is then
// read (GetImage) and compared with the previous picture, so a repaint that
// changes no pixel does not count as a change. Nothing is polled: an idle
// screen costs xwatch nothing.
//
//	xwatch frame [-ready FILE] [-quiet 300ms] [-timeout 20s]
//	    prints the final first frame: the time (Unix ms) of the last change
//	    of the screen that was followed by QUIET without change, the screen
//	    as xwatch found it at its start not counting as a change; -1 after
//	    TIMEOUT. FILE is created once xwatch watches: start the program
//	    after that. -v logs each change (ms from FILE, share of the screen).
//
//	xwatch tap [-hold 80ms] [-settle 400ms] [-wait 3s] [-box 20] X,Y [X,Y ...]
//	    for each point: moves the pointer there, waits until the screen has
//	    been still for SETTLE, presses the button (XTEST), releases it HOLD
//	    later (a finger's touch), and prints one line:
//	      tap X,Y pressed MS screen MS changed PCT
//	    pressed: from the press to the first frame that changed a pixel
//	    within BOX pixels of the point (the pressed state, or the next
//	    screen if no pressed state was drawn first); screen: from the
//	    release (when a tap is delivered) to the first frame that made at
//	    least half of the tap's total change, when the tap changed at least
//	    10% of the screen (else "-", after waiting WAIT for one); changed:
//	    the share of the screen the tap changed once everything was still
//	    again.
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "frame":
		err = frameCmd(os.Args[2:])
	case "tap":
		err = tapCmd(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "xwatch %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: xwatch frame [-ready FILE] [-v] [-quiet D] [-timeout D] | xwatch tap [-hold D] [-settle D] [-wait D] [-box N] X,Y ...")
	os.Exit(2)
}

// screen follows the root window's picture.
type screen struct {
	x    *xconn
	last []byte
}

func open(xtest bool) (*screen, error) {
	x, err := dial()
	if err != nil {
		return nil, err
	}
	if err := x.initDamage(); err != nil {
		return nil, err
	}
	if xtest {
		if err := x.initXTest(); err != nil {
			return nil, err
		}
	}
	img, err := x.image()
	if err != nil {
		return nil, err
	}
	return &screen{x: x, last: img}, nil
}

// next waits up to d for damage, then drains the damage that follows within
// a millisecond (one frame is often several rectangles) and reads the
// screen. It returns the arrival of the first event, the new picture and
// whether any damage came.
func (s *screen) next(d time.Duration) (time.Time, []byte, bool, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	var first time.Time
	for first.IsZero() {
		select {
		case e := <-s.x.events:
			if s.x.isDamage(e) {
				first = e.at
			}
		case err := <-s.x.errs:
			return time.Time{}, nil, false, err
		case <-t.C:
			return time.Time{}, nil, false, nil
		}
	}
	quiet := time.NewTimer(time.Millisecond)
	defer quiet.Stop()
drain:
	for {
		select {
		case <-s.x.events:
			if !quiet.Stop() {
				<-quiet.C
			}
			quiet.Reset(time.Millisecond)
		case <-quiet.C:
			break drain
		}
	}
	img, err := s.x.image()
	return first, img, true, err
}

func frameCmd(args []string) error {
	fl := flag.NewFlagSet("frame", flag.ContinueOnError)
	ready := fl.String("ready", "", "")
	verbose := fl.Bool("v", false, "")
	quiet := fl.Duration("quiet", 300*time.Millisecond, "")
	timeout := fl.Duration("timeout", 20*time.Second, "")
	if err := fl.Parse(args); err != nil {
		return err
	}
	s, err := open(false)
	if err != nil {
		return err
	}
	if *ready != "" {
		if err := os.WriteFile(*ready, nil, 0o644); err != nil {
			return err
		}
	}
	at, err := s.finalFrame(*quiet, *timeout, *verbose)
	if err != nil {
		return err
	}
	if at.IsZero() {
		fmt.Println(-1)
	} else {
		fmt.Println(at.UnixMilli())
	}
	return nil
}

// finalFrame waits for the last change of the screen followed by quiet
// without change and returns when it came; zero after timeout without one.
// The screen as it was at open does not count as a change.
func (s *screen) finalFrame(quiet, timeout time.Duration, verbose bool) (time.Time, error) {
	empty := s.last
	start := time.Now()
	deadline := start.Add(timeout)
	var changed time.Time
	for {
		wait := time.Until(deadline)
		if !changed.IsZero() {
			wait = min(wait, time.Until(changed.Add(quiet)))
		}
		if wait <= 0 {
			return changed, nil
		}
		at, img, ok, err := s.next(wait)
		if err != nil {
			return time.Time{}, err
		}
		if !ok || equal(img, s.last) {
			continue
		}
		if verbose {
			_, n := s.diff(s.last, img, 0, 0, 0)
			fmt.Fprintf(os.Stderr, "xwatch: change at %d ms: %.1f%% of the screen\n", at.Sub(start).Milliseconds(), 100*float64(n)/float64(s.x.w*s.x.h))
		}
		s.last = img
		if equal(img, empty) {
			changed = time.Time{} // back to the empty screen: not a frame
		} else {
			changed = at
		}
	}
}

func tapCmd(args []string) error {
	fl := flag.NewFlagSet("tap", flag.ContinueOnError)
	hold := fl.Duration("hold", 80*time.Millisecond, "")
	settle := fl.Duration("settle", 400*time.Millisecond, "")
	box := fl.Int("box", 20, "")
	wait := fl.Duration("wait", 3*time.Second, "")
	if err := fl.Parse(args); err != nil {
		return err
	}
	var pts [][2]int
	for _, a := range fl.Args() {
		xs, ys, ok := strings.Cut(a, ",")
		x, e1 := strconv.Atoi(xs)
		y, e2 := strconv.Atoi(ys)
		if !ok || e1 != nil || e2 != nil {
			return fmt.Errorf("point %q: want X,Y", a)
		}
		pts = append(pts, [2]int{x, y})
	}
	if len(pts) == 0 {
		return fmt.Errorf("no points to tap")
	}
	s, err := open(true)
	if err != nil {
		return err
	}
	for _, p := range pts {
		r, err := s.tap(p[0], p[1], *hold, *settle, *wait, *box)
		if err != nil {
			return err
		}
		pressed, screen := "-", "-"
		if r.pressed >= 0 {
			pressed = strconv.FormatInt(r.pressed.Milliseconds(), 10)
		}
		if r.screen >= 0 {
			screen = strconv.FormatInt(r.screen.Milliseconds(), 10)
		}
		fmt.Printf("tap %d,%d pressed %s screen %s changed %.1f\n", p[0], p[1], pressed, screen, r.changed)
	}
	return nil
}

// tapResult is what one tap showed: pressed from the press, screen from
// the release (-1: none seen), changed the share of the screen (%).
type tapResult struct {
	pressed, screen time.Duration
	changed         float64
}

// still waits until the screen has not changed for d (at most 10 s).
func (s *screen) still(d time.Duration) error {
	end := time.Now().Add(10 * time.Second)
	for time.Now().Before(end) {
		_, img, ok, err := s.next(d)
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		s.last = img
	}
	return fmt.Errorf("the screen did not stay still for %v within 10 s", d)
}

type frame struct {
	at        time.Time
	near, all int // pixels changed against the picture before the tap
}

func (s *screen) tap(px, py int, hold, settle, wait time.Duration, box int) (tapResult, error) {
	s.x.fake(motionNotify, 0, px, py)
	if err := s.still(settle); err != nil {
		return tapResult{}, err
	}
	before := s.last
	down := s.x.fake(buttonPress, 1, px, py)
	var frames []frame
	collect := func(until time.Time) error {
		for {
			wait := time.Until(until)
			if wait <= 0 {
				return nil
			}
			at, img, ok, err := s.next(wait)
			if err != nil {
				return err
			}
			if !ok {
				return nil
			}
			s.last = img
			near, all := s.diff(before, img, px, py, box)
			frames = append(frames, frame{at, near, all})
		}
	}
	if err := collect(down.Add(hold)); err != nil {
		return tapResult{}, err
	}
	up := s.x.fake(buttonRelease, 1, px, py)
	// Until the screen is still after a screen change, or still for
	// SETTLE after the release when no screen change came within
	// WAIT (a tap that changes nothing, or one the program ignored).
	var final int
	for {
		n := len(frames)
		if err := collect(time.Now().Add(settle)); err != nil {
			return tapResult{}, err
		}
		_, final = s.diff(before, s.last, px, py, box)
		changed := final*10 >= s.x.w*s.x.h
		if len(frames) == n && (changed || time.Since(up) >= wait) {
			break
		}
		if time.Since(up) >= 10*time.Second {
			break
		}
	}
	r := tapResult{pressed: -1, screen: -1, changed: 100 * float64(final) / float64(s.x.w*s.x.h)}
	for _, f := range frames {
		if f.near > 0 {
			r.pressed = f.at.Sub(down)
			break
		}
	}
	if final*10 >= s.x.w*s.x.h {
		for _, f := range frames {
			if f.all*2 >= final {
				r.screen = max(0, f.at.Sub(up))
				break
			}
		}
	}
	return r, nil
}

// diff counts the pixels that differ between a and b, within box of (px,
// py) and over the whole screen.
func (s *screen) diff(a, b []byte, px, py, box int) (near, all int) {
	w := s.x.w
	for i := 0; i+3 < len(a); i += 4 {
		if a[i] != b[i] || a[i+1] != b[i+1] || a[i+2] != b[i+2] {
			all++
			p := i / 4
			x, y := p%w, p/w
			if x >= px-box && x <= px+box && y >= py-box && y <= py+box {
				near++
			}
		}
	}
	return near, all
}

func equal(a, b []byte) bool { return string(a) == string(b) }
