package session

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
)

// turn90 is where a point (u, v) of the picture (0..1 from its top-left)
// appears on the panel under wl_output transform 90: a quarter turn that
// puts the picture's top-left corner at the panel's bottom-left.
func turn90(u, v float64) (float64, float64) { return v, 1 - u }

func apply(m string, x, y float64) (float64, float64) {
	var f [6]float64
	for i, s := range strings.Fields(m) {
		f[i], _ = strconv.ParseFloat(s, 64)
	}
	return f[0]*x + f[1]*y + f[2], f[3]*x + f[4]*y + f[5]
}

// TestMatrixUndoesTheTurn: a touch on the panel where a point of the
// turned picture shows lands on that point, for every angle, at the
// corners and inside.
func TestMatrixUndoesTheTurn(t *testing.T) {
	pts := [][2]float64{{0, 0}, {1, 0}, {0, 1}, {1, 1}, {0.25, 0.75}, {0.9, 0.1}}
	seen := map[string]int{}
	for _, deg := range []int{0, 90, 180, 270} {
		m, err := Matrix(deg)
		if err != nil {
			t.Fatal(err)
		}
		if d, ok := seen[m]; ok {
			t.Errorf("%d and %d have the same matrix %q", d, deg, m)
		}
		seen[m] = deg
		for _, p := range pts {
			x, y := p[0], p[1]
			for range deg / 90 {
				x, y = turn90(x, y)
			}
			gu, gv := apply(m, x, y)
			if math.Abs(gu-p[0]) > 1e-9 || math.Abs(gv-p[1]) > 1e-9 {
				t.Errorf("rotate %d: the picture's point %v shows at panel (%g, %g); a touch there lands at (%g, %g)", deg, p, x, y, gu, gv)
			}
		}
	}
}

func TestBadAngleRefused(t *testing.T) {
	for _, deg := range []int{45, -90, 360, 1} {
		want := fmt.Sprintf("kiosk.rotate: %d is not a rotation; use 0, 90, 180 or 270", deg)
		if _, err := Matrix(deg); err == nil || err.Error() != want {
			t.Errorf("Matrix(%d): %v", deg, err)
		}
		if _, err := TouchRule(deg, "/etc/wufang/wufang.yaml"); err == nil || err.Error() != want {
			t.Errorf("TouchRule(%d): %v", deg, err)
		}
		if _, err := CageArgs(deg, true, "s"); err == nil || err.Error() != want {
			t.Errorf("CageArgs(%d): %v", deg, err)
		}
		if _, err := RandrArgs(deg, []string{"HDMI-A-1"}); err == nil || err.Error() != want {
			t.Errorf("RandrArgs(%d): %v", deg, err)
		}
	}
}

func TestTouchRule(t *testing.T) {
	want := map[int]string{0: "1 0 0 0 1 0", 90: "0 -1 1 1 0 0", 180: "-1 0 1 0 -1 1", 270: "0 1 0 -1 0 1"}
	for deg, m := range want {
		r, err := TouchRule(deg, "/etc/wufang/wufang.yaml")
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(r), "\n")
		rule := lines[len(lines)-1]
		wantRule := `ACTION!="remove", SUBSYSTEM=="input", KERNEL=="event*", ENV{ID_INPUT_TOUCHSCREEN}=="1", ENV{LIBINPUT_CALIBRATION_MATRIX}="` + m + `"`
		if rule != wantRule {
			t.Errorf("rotate %d: rule\n%s\nwant\n%s", deg, rule, wantRule)
		}
		for _, l := range lines[:len(lines)-1] {
			if !strings.HasPrefix(l, "# ") {
				t.Errorf("rotate %d: not a comment before the rule: %q", deg, l)
			}
		}
		if !strings.Contains(r, fmt.Sprintf("kiosk.rotate: %d in /etc/wufang/wufang.yaml", deg)) {
			t.Errorf("rotate %d: the rule does not say where it comes from:\n%s", deg, r)
		}
	}
}

// cage014Help is Debian 12's cage -h (0.1.4); cage020Help a later one
// without -r.
const cage014Help = `Usage: cage [OPTIONS] [--] APPLICATION

 -d	 Don't draw client side decorations, when possible
 -h	 Display this help message
 -m extend Extend the display across all connected outputs (default)
 -m last Use only the last connected output
 -r	 Rotate the output 90 degrees clockwise, specify up to three times
 -s	 Allow VT switching
 -v	 Show the version number and exit

 Use -- when you want to pass arguments to APPLICATION
`

const cage020Help = `Usage: cage [OPTIONS] [--] [APPLICATION...]

 -d	 Don't draw client side decorations, when possible
 -D	 Enable debug logging
 -h	 Display this help message
 -m extend Extend the display across all connected outputs (default)
 -m last Use only the last connected output
 -s	 Allow VT switching
 -v	 Show the version number and exit

 Use -- when you want to pass arguments to APPLICATION
`

func TestCageArgs(t *testing.T) {
	if !CageHasRotate(cage014Help) || CageHasRotate(cage020Help) {
		t.Fatalf("CageHasRotate: 0.1.4 %v, 0.2.0 %v", CageHasRotate(cage014Help), CageHasRotate(cage020Help))
	}
	cases := []struct {
		deg       int
		hasRotate bool
		want      string
	}{
		{0, true, "-d -- /s"},
		{90, true, "-d -r -- /s"},
		{180, true, "-d -r -r -- /s"},
		{270, true, "-d -r -r -r -- /s"},
		{90, false, "-d -- /s"},
		{270, false, "-d -- /s"},
	}
	for _, c := range cases {
		a, err := CageArgs(c.deg, c.hasRotate, "/s")
		if err != nil || strings.Join(a, " ") != c.want {
			t.Errorf("CageArgs(%d, %v) = %q, %v; want %q", c.deg, c.hasRotate, a, err, c.want)
		}
	}
}

// wlrRandrListing is wlr-randr 0.2's listing of two screens.
const wlrRandrListing = `HDMI-A-1 "Iiyama North America PL2492H 1166612403426 (HDMI-A-1)"
  Physical size: 530x300 mm
  Enabled: yes
  Modes:
    1920x1080 px, 60.000000 Hz (preferred, current)
    1280x720 px, 60.000000 Hz
  Position: 0,0
  Transform: normal
  Scale: 1.000000
DSI-1 "(null) (null) (DSI-1)"
  Enabled: yes
  Modes:
    800x480 px, 60.000000 Hz (preferred, current)
  Position: 1920,0
  Transform: normal
  Scale: 1.000000
`

func TestRandrArgs(t *testing.T) {
	outs := Outputs(wlrRandrListing)
	if strings.Join(outs, ",") != "HDMI-A-1,DSI-1" {
		t.Fatalf("Outputs: %q", outs)
	}
	for deg, tr := range map[int]string{0: "normal", 90: "90", 180: "180", 270: "270"} {
		cmds, err := RandrArgs(deg, outs)
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(cmds)
		want := fmt.Sprintf("[[--output HDMI-A-1 --transform %s] [--output DSI-1 --transform %s]]", tr, tr)
		if got != want {
			t.Errorf("RandrArgs(%d) = %s, want %s", deg, got, want)
		}
	}
}
