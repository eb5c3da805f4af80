// Package session sets up the kiosk board's screen session from the device
// config: the cage command line that wufang-kiosk.service runs, the screen
// rotation, and the udev rule that turns the touchscreen with the picture
// (kiosk.rotate). wufang-kiosk's "session" subcommands are its only users.
//
// What works on Raspberry Pi OS bookworm (Debian 12: cage 0.1.4, wlroots
// 0.15): cage turns the picture with -r (one per 90°); it has no
// wlr-output-management, so wlr-randr cannot change its outputs. Newer cage
// (0.1.5 and later) dropped -r for wlr-output-management, so there the
// session turns each output with `wlr-randr --output NAME --transform DEG`
// before it starts the kiosk. Neither turns the touch input: cage maps a
// touchscreen to an output only when udev names one (WL_OUTPUT), and an
// unmapped touchscreen's coordinates are laid over the whole screen as the
// panel reports them (cage issue #243). So libinput gets a calibration
// matrix (LIBINPUT_CALIBRATION_MATRIX) that turns the touch points the way
// wlroots turns a mapped device's for the same transform; it is written to
// /run/udev/rules.d when the service starts (see InstallTouchRule).
package session

import (
	"fmt"
	"strings"
)

// Matrix is the libinput calibration matrix (its first two rows, "a b c d e
// f": x' = a·x + b·y + c, y' = d·x + e·y + f on coordinates from 0 to 1) that
// turns a touchscreen's points with a picture turned by deg degrees as
// wl_output's transform counts them (cage -r, wlr-randr --transform). It is
// wlroots' own mapping for a touch device mapped to a turned output
// (apply_output_transform in types/wlr_cursor.c): 90 is x' = 1-y, y' = x.
func Matrix(deg int) (string, error) {
	switch deg {
	case 0:
		return "1 0 0 0 1 0", nil
	case 90:
		return "0 -1 1 1 0 0", nil
	case 180:
		return "-1 0 1 0 -1 1", nil
	case 270:
		return "0 1 0 -1 0 1", nil
	}
	return "", badAngle(deg)
}

func badAngle(deg int) error {
	return fmt.Errorf("kiosk.rotate: %d is not a rotation; use 0, 90, 180 or 270", deg)
}

// TouchRuleFile is where InstallTouchRule writes the rule: /run, so it
// lives as long as the boot and always follows the config of the last
// start; a rule of the same name in /etc/udev/rules.d (the admin's) wins.
const TouchRuleFile = "/run/udev/rules.d/90-wufang-touch.rules"

// TouchRule is the udev rule that gives every touchscreen the calibration
// matrix for deg. For 0 it sets the identity matrix rather than nothing: a
// "change" event keeps the properties an earlier rule set, so going back to
// 0 must set it back.
func TouchRule(deg int, configPath string) (string, error) {
	m, err := Matrix(deg)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf(`# Written by "wufang-kiosk session touch-rule --install" each time
# wufang-kiosk.service starts, from kiosk.rotate: %d in %s.
# Change that key, not this file: it is remade at every start and gone at reboot.
# cage turns the picture, not the touch input (cage issue #243): libinput
# turns the touchscreen's points the same way with this matrix.
ACTION!="remove", SUBSYSTEM=="input", KERNEL=="event*", ENV{ID_INPUT_TOUCHSCREEN}=="1", ENV{LIBINPUT_CALIBRATION_MATRIX}="%s"
`, deg, configPath, m), nil
}

// RotatedByCage is set in the session's environment when cage was started
// with -r, so Rotate leaves the outputs alone.
const RotatedByCage = "WUFANG_CAGE_ROTATED"

// CageArgs is cage's command line (without the program) for a session
// script turned by deg: -d (no client decorations; no -s, so no VT
// switching), and -r once per 90° where cage has the flag (hasRotate).
func CageArgs(deg int, hasRotate bool, script string) ([]string, error) {
	if _, err := Matrix(deg); err != nil {
		return nil, err
	}
	args := []string{"-d"}
	if hasRotate {
		for range deg / 90 {
			args = append(args, "-r")
		}
	}
	return append(args, "--", script), nil
}

// CageHasRotate reports whether cage's help (cage -h) lists -r.
func CageHasRotate(help string) bool {
	for _, line := range strings.Split(help, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == "-r" {
			return true
		}
	}
	return false
}

// Outputs are the output names in wlr-randr's listing: each output's block
// starts with its name at the start of a line, its details indented.
func Outputs(listing string) []string {
	var names []string
	for _, line := range strings.Split(listing, "\n") {
		if line == "" || line[0] == ' ' || line[0] == '\t' {
			continue
		}
		names = append(names, strings.Fields(line)[0])
	}
	return names
}

// RandrArgs are the wlr-randr command lines that turn each output by deg.
func RandrArgs(deg int, outputs []string) ([][]string, error) {
	if _, err := Matrix(deg); err != nil {
		return nil, err
	}
	t := "normal"
	if deg != 0 {
		t = fmt.Sprint(deg)
	}
	var cmds [][]string
	for _, o := range outputs {
		cmds = append(cmds, []string{"--output", o, "--transform", t})
	}
	return cmds, nil
}
