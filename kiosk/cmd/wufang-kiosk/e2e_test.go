package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/uplink/brokertest"
	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

// TestEndToEnd runs the real wufang-kiosk binary under Xvfb with simulated
// sensors and a real mosquitto: a simulated presence wakes it, xdotool drives
// the simulated physical buttons through the whole first module, taps the
// language switch and a face on the feedback screen, and the retained totals at the broker must then show one
// session, one module started and completed, and one "satisfied" rating.
// A screenshot of every screen it passes through is saved (the folder is
// printed; WUFANG_E2E_SHOTS chooses it).
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	needTools(t, "xvfb, xdotool and imagemagick", "Xvfb", "xdotool", "import")
	broker := brokertest.Start(t, brokertest.Options{})
	dir := t.TempDir()
	bin := buildKiosk(t, dir)
	cfg := filepath.Join(dir, "wufang.yaml")
	writeFile(t, cfg, fmt.Sprintf(`site: e2e
device: kiosk-e2e
data_dir: %s
mqtt: {broker: %q}
http: {listen: ""}
sensors: {simulate: true}
`, filepath.Join(dir, "data"), broker.URL()))

	shots := os.Getenv("WUFANG_E2E_SHOTS")
	if shots == "" {
		shots = filepath.Join("..", "..", "..", "build", "out", "e2e-shots")
	}
	shots, _ = filepath.Abs(shots)
	os.RemoveAll(shots)
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "end-to-end screenshots: %s\n", shots)

	display := startXvfb(t, "800x480x24")
	ctx := t.Context()
	cmd := exec.CommandContext(ctx, bin, "--config", cfg, "--windowed", "--sim", "--log-level", "debug")
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "LANG=en_US.UTF-8", "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir)
	states := make(chan visitState, 256)
	var logTail tail
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() && os.Getenv("WUFANG_E2E_DUMP") != "" {
			cmd.Process.Signal(syscall.SIGQUIT) // goroutine dump into the log
			time.Sleep(time.Second)
			logTail.mu.Lock()
			os.WriteFile(os.Getenv("WUFANG_E2E_DUMP"), []byte(strings.Join(logTail.lines, "\n")), 0o644)
			logTail.mu.Unlock()
		}
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
	})
	go readVisits(stderr, states, &logTail)

	d := &driver{t: t, display: display, states: states, shots: shots, log: &logTail}
	d.waitFor(func(s visitState) bool { return s["screen"] == "attract" }, "the attract loop")
	// Each screen's background is the window's clear colour, not a
	// rectangle (ktheme.Backdrop): it must come out exactly as drawn.
	d.pixel(d.shot("attract"), 4, 4, "12263F")
	d.focus()
	d.key("p") // someone walks up: a simulated presence wakes it
	d.waitFor(func(s visitState) bool { return s["screen"] == "home" }, "presence to wake the kiosk")
	d.pixel(d.shot("home"), 4, 100, "F6F3EC")

	d.walkModule()
	d.shot("result")
	d.key("b") // finish: feedback
	d.waitFor(func(s visitState) bool { return s["screen"] == "feedback" }, "the feedback screen")
	d.shot("feedback")
	// Touch, not buttons, from here: the language switch (top right, left of A+) and
	// the "satisfied" face (left), where the 800×480 layout puts them.
	d.tap(638, 50)
	if d.last["lang"] != "en" {
		d.t.Fatalf("tapping the language switch gave %v", d.last)
	}
	d.shot("feedback-en")
	d.tap(135, 280)
	d.waitFor(func(s visitState) bool { return s["screen"] == "thanks" }, "the thanks screen")
	d.shot("thanks")

	// The figures reach the broker: retained totals of this device.
	var totals wire.Totals
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := broker.Retained(t, "wufang/v1/e2e/kiosk-e2e/totals", 300*time.Millisecond)
		if b, ok := got["wufang/v1/e2e/kiosk-e2e/totals"]; ok {
			if err := json.Unmarshal(b, &totals); err != nil {
				t.Fatalf("totals payload: %v\n%s", err, b)
			}
			if totals.Today.Feedback[2] == 1 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("retained totals never showed the visit; last: %+v\nkiosk log:\n%s", totals, logTail.String())
		}
		time.Sleep(300 * time.Millisecond)
	}
	mod := d.module
	want := map[string]uint64{
		"sessions":          1,
		"modules started":   1,
		"modules completed": 1,
		"satisfied":         1,
	}
	got := map[string]uint64{
		"sessions":          totals.Lifetime.Sessions,
		"modules started":   totals.Lifetime.ModulesStarted[mod],
		"modules completed": totals.Lifetime.ModulesCompleted[mod],
		"satisfied":         totals.Lifetime.Feedback[2],
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s at the broker = %d, want %d (module %q)", k, got[k], w, mod)
		}
	}
	if n := len(totals.Lifetime.AnswersRight) + len(totals.Lifetime.AnswersWrong); n < d.questions {
		t.Errorf("answers recorded for %d steps, the visit answered %d questions", n, d.questions)
	}
}

// visitState is one "visit" debug line of the kiosk log, as key=value pairs.
type visitState map[string]string

func (s visitState) int(k string) int { n, _ := strconv.Atoi(s[k]); return n }

func readVisits(r io.Reader, out chan<- visitState, lt *tail) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		lt.add(line)
		if !strings.Contains(line, "msg=visit") {
			continue
		}
		s := visitState{}
		for f := range strings.FieldsSeq(line) {
			if k, v, ok := strings.Cut(f, "="); ok {
				s[k] = strings.Trim(v, `"`)
			}
		}
		out <- s
	}
	close(out)
}

type driver struct {
	t         *testing.T
	display   string
	states    chan visitState
	last      visitState
	seen      time.Time // when last changed
	shots     string
	n         int
	log       *tail
	module    string
	questions int
}

// walkModule opens the highlighted (first) module on Home and completes
// every step with the physical buttons, the way a visitor who cannot use
// the touchscreen would.
func (d *driver) walkModule() {
	d.key("Return") // open the highlighted module
	s := d.waitFor(func(s visitState) bool { return s["screen"] == "step" }, "the module to open")
	d.module = moduleID(s)
	lastShot := ""
	type hot struct{ moves int }
	var hs hot
	prevStep := ""
	for range 200 {
		s = d.last
		if s["screen"] == "result" {
			return
		}
		if s["screen"] != "step" {
			d.t.Fatalf("left the module unexpectedly: %v\n%s", s, d.log.String())
		}
		id := s["step"] + "/" + s["answered"] + "/" + s["branch"] + "/" + s["outcome"]
		if id != lastShot {
			d.shot("step" + s["step"] + "-" + s["type"])
			lastShot = id
		}
		if s["step"] != prevStep {
			prevStep, hs = s["step"], hot{}
			if s["type"] != "lesson" {
				d.questions++
			}
		}
		switch {
		case s["answered"] == "true", s["type"] == "lesson":
			d.key("Return")
		case s["type"] == "choice":
			d.key("a")
			if d.last["answered"] != "true" && d.last["step"] == s["step"] {
				d.key("Return") // several right options: a toggled, ok submits
			}
			continue
		case s["type"] == "order":
			// Letters stay on their items (issue 17): a placed item's letter
			// does nothing, and a wrong item goes back (the state changes,
			// nothing is placed), so press the letters in turn until one
			// fills the next slot.
			picked := false
			for _, k := range []string{"a", "b", "c", "d"} {
				if d.keyMaybe(k, 2*time.Second) && (d.last.int("picked") > s.int("picked") || d.last["answered"] == "true") {
					picked = true
					break
				}
			}
			if !picked {
				d.t.Fatalf("no letter picks an item in %v\n%s", d.last, d.log.String())
			}
			continue
		case s["type"] == "scenario":
			if s["intro"] == "true" || s["outcome"] != "" || s["branch"] != "-1" {
				d.key("Return")
			} else {
				d.key("a")
			}
			continue
		case s["type"] == "hotspot":
			found := s.int("found")
			// Look at the highlighted cell. A hazard already found there, or a
			// safe thing shown again, changes nothing: that is no miss either.
			changed := d.keyMaybe("Return", 2*time.Second)
			if d.last["answered"] != "true" && (!changed || d.last.int("found") == found) {
				// nothing (more) to find there: move on, row by row
				if hs.moves%3 == 2 {
					d.key("d")
				} else {
					d.key("b")
				}
				hs.moves++
			}
			continue
		default:
			d.t.Fatalf("unknown step type in %v", s)
		}
	}
	d.t.Fatalf("the module did not end after 200 actions; last state %v", d.last)
}

func moduleID(s visitState) string {
	// the log gives the module index; the built-in pack's order is fixed
	mods := []string{"traffic", "fire", "fraud", "drugs", "disasters"}
	if i := s.int("module"); i >= 0 && i < len(mods) {
		return mods[i]
	}
	return ""
}

// key presses a key in the kiosk window and waits for the visit to change.
// see takes s as the visit's latest state.
func (d *driver) see(s visitState) {
	if !sameState(s, d.last) {
		d.seen = time.Now()
	}
	d.last = s
}

// settle waits out the kiosk's input guard: inputs that come sooner than
// flow.DefaultInputGuard after the screen changed are ignored, as a
// visitor's accidental double tap is (a little more, for the log line's
// own delay).
func (d *driver) settle() {
	time.Sleep(time.Until(d.seen.Add(flow.DefaultInputGuard + 100*time.Millisecond)))
}

func (d *driver) key(k string) {
	d.t.Helper()
	d.settle()
	before := d.last
	d.drain()
	d.xdotool("key", "--clearmodifiers", k)
	d.waitChange(before)
}

// tap touches the screen at x, y and waits for the visit to change.
func (d *driver) tap(x, y int) {
	d.t.Helper()
	d.settle()
	before := d.last
	d.drain()
	d.xdotool("mousemove", strconv.Itoa(x), strconv.Itoa(y), "click", "1")
	d.waitChange(before)
}

func (d *driver) waitChange(before visitState) {
	d.t.Helper()
	if !d.changedWithin(before, 10*time.Second) {
		d.t.Fatalf("no change after a key in state %v\nkiosk log:\n%s", before, d.log.String())
	}
}

// keyMaybe presses k for an input that may rightly change nothing, and
// reports whether the visit changed within wait.
func (d *driver) keyMaybe(k string, wait time.Duration) bool {
	d.t.Helper()
	d.settle()
	before := d.last
	d.drain()
	d.xdotool("key", "--clearmodifiers", k)
	return d.changedWithin(before, wait)
}

func (d *driver) changedWithin(before visitState, wait time.Duration) bool {
	d.t.Helper()
	timeout := time.After(wait)
	for {
		select {
		case s, ok := <-d.states:
			if !ok {
				d.t.Fatalf("the kiosk exited\n%s", d.log.String())
			}
			d.see(s)
			if !sameState(s, before) {
				return true
			}
		case <-timeout:
			return false
		}
	}
}

func sameState(a, b visitState) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if k != "time" && b[k] != v {
			return false
		}
	}
	return true
}

func (d *driver) drain() {
	for {
		select {
		case s := <-d.states:
			d.see(s)
		default:
			return
		}
	}
}

func (d *driver) waitFor(ok func(visitState) bool, what string) visitState {
	d.t.Helper()
	if d.last != nil && ok(d.last) {
		return d.last
	}
	timeout := time.After(30 * time.Second)
	for {
		select {
		case s, open := <-d.states:
			if !open {
				d.t.Fatalf("the kiosk exited while waiting for %s\n%s", what, d.log.String())
			}
			d.see(s)
			if ok(s) {
				return s
			}
		case <-timeout:
			d.t.Fatalf("timed out waiting for %s; last state %v\nkiosk log:\n%s", what, d.last, d.log.String())
		}
	}
}

// focus gives the kiosk window the keyboard (there is no window manager).
func (d *driver) focus() {
	out, err := d.cmd("xdotool", "search", "--sync", "--name", "wufang").Output()
	if err != nil {
		d.t.Fatalf("find the kiosk window: %v", err)
	}
	id := strings.Fields(string(out))[0]
	d.xdotool("windowfocus", "--sync", id)
	d.xdotool("mousemove", "400", "240")
}

func (d *driver) xdotool(args ...string) {
	d.t.Helper()
	if out, err := d.cmd("xdotool", args...).CombinedOutput(); err != nil {
		d.t.Fatalf("xdotool %v: %v\n%s", args, err, out)
	}
}

func (d *driver) cmd(name string, args ...string) *exec.Cmd {
	c := exec.Command(name, args...)
	c.Env = append(os.Environ(), "DISPLAY="+d.display)
	return c
}

// shot saves the screen once the UI has settled, and gives the file.
func (d *driver) shot(name string) string {
	time.Sleep(400 * time.Millisecond)
	d.n++
	file := filepath.Join(d.shots, fmt.Sprintf("%02d-%s.png", d.n, name))
	if out, err := d.cmd("import", "-window", "root", file).CombinedOutput(); err != nil {
		d.t.Errorf("screenshot %s: %v\n%s", file, err, out)
	}
	return file
}

// pixel checks the colour at x, y of a screenshot ("RRGGBB").
func (d *driver) pixel(file string, x, y int, want string) {
	d.t.Helper()
	out, err := exec.Command("convert", file, "-format", fmt.Sprintf("%%[hex:p{%d,%d}]", x, y), "info:").CombinedOutput()
	if err != nil {
		d.t.Errorf("reading %s: %v\n%s", file, err, out)
		return
	}
	if got := strings.TrimSpace(string(out)); got != want {
		d.t.Errorf("%s: the pixel at %d,%d is #%s, want #%s", filepath.Base(file), x, y, got, want)
	}
}

// needTools skips the test when a program it runs is missing (fails under
// CI, where .ci/run installs them); pkgs names the Debian packages.
func needTools(t *testing.T, pkgs string, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			msg := fmt.Sprintf("%s is missing: install the Debian packages %s", tool, pkgs)
			if os.Getenv("CI") != "" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
}

// buildKiosk builds the kiosk as deployed (-tags no_emoji) into dir.
func buildKiosk(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "wufang-kiosk")
	if out, err := exec.Command("go", "build", "-tags", "no_emoji", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// startXvfb starts a virtual screen on a free display number.
func startXvfb(t *testing.T, geometry string) string {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	x := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", geometry, "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{w}
	if err := x.Start(); err != nil {
		t.Fatalf("start Xvfb: %v", err)
	}
	w.Close()
	t.Cleanup(func() { x.Process.Kill(); x.Wait() })
	line, err := bufio.NewReader(r).ReadString('\n')
	r.Close()
	if err != nil {
		t.Fatalf("Xvfb did not report its display: %v", err)
	}
	return ":" + strings.TrimSpace(line)
}

func writeFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// tail keeps the last lines of the kiosk's log for failure messages.
type tail struct {
	mu    sync.Mutex
	lines []string
}

func (lt *tail) add(l string) {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	lt.lines = append(lt.lines, l)
	if len(lt.lines) > 3000 {
		lt.lines = lt.lines[1:]
	}
}

func (lt *tail) String() string {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	return strings.Join(lt.lines[max(0, len(lt.lines)-40):], "\n")
}
