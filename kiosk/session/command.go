package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/wufang-kiosk/wufang/edge/cmdline"
	"github.com/wufang-kiosk/wufang/edge/config"
	"github.com/wufang-kiosk/wufang/internal/atomicfile"
	"github.com/wufang-kiosk/wufang/internal/sdnotify"
)

// Usage is the "session" part of wufang-kiosk's usage.
const Usage = `  wufang-kiosk session start [--config PATH] [--script PATH]
                                   run cage with the kiosk session, turned by
                                   kiosk.rotate (wufang-kiosk.service's ExecStart)
  wufang-kiosk session rotate [--config PATH]
                                   inside cage: turn the screen with wlr-randr
                                   where cage could not (the session script)
  wufang-kiosk session touch-rule [--config PATH] [--install]
                                   print (or, as root, install and apply) the
                                   udev rule that turns the touchscreen
`

// DefaultScript is what cage runs: build/kiosk-session.sh as the package
// installs it.
const DefaultScript = "/usr/libexec/wufang/kiosk-session"

const prog = "wufang-kiosk session"

// Command runs "wufang-kiosk session ARGS"; it returns the exit status.
func Command(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return cmdline.Exit(prog, cmdline.Usagef("name a subcommand: start, rotate or touch-rule"), stderr)
	}
	cfgPath := config.DefaultPath
	var err error
	switch args[0] {
	case "start":
		fs := cmdline.Flags(prog, "start", "start [--config PATH] [--script PATH]", &cfgPath, stdout, stderr)
		script := fs.String("script", DefaultScript, "the session script cage runs")
		if err = cmdline.Parse(fs, args[1:]); err == nil {
			err = start(cfgPath, *script, stderr)
		}
	case "rotate":
		fs := cmdline.Flags(prog, "rotate", "rotate [--config PATH]", &cfgPath, stdout, stderr)
		if err = cmdline.Parse(fs, args[1:]); err == nil {
			err = rotate(cfgPath, stderr)
		}
	case "touch-rule":
		fs := cmdline.Flags(prog, "touch-rule", "touch-rule [--config PATH] [--install]", &cfgPath, stdout, stderr)
		install := fs.Bool("install", false, "write the rule to "+TouchRuleFile+" and apply it to the touchscreens (needs root)")
		rulesFile := fs.String("rules-file", TouchRuleFile, "where --install writes the rule")
		if err = cmdline.Parse(fs, args[1:]); err == nil {
			err = touchRule(cfgPath, *install, *rulesFile, stdout, stderr)
		}
	case "-h", "-help", "--help":
		fmt.Fprint(stdout, "Usage:\n"+Usage)
		return 0
	default:
		err = cmdline.Usagef("unknown subcommand %q; use start, rotate or touch-rule", args[0])
	}
	return cmdline.Exit(prog, err, stderr)
}

func rotation(cfgPath string) (int, error) {
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return 0, err
	}
	return cfg.Kiosk.Rotate, nil
}

// start replaces this process with cage (on the unit's tty and logind
// session); under Type=notify (NOTIFY_SOCKET set) it becomes a relay that
// stays systemd's main process, runs cage and passes the kiosk's
// notifications on (sdnotify.Relay says why): `wufang-edge notify-relay`
// where that is installed beside this binary or on PATH (a pure-Go process:
// about 9 MB resident on amd64, where this binary, with Fyne and its font,
// keeps about 21 MB for the same work), else this process itself.
func start(cfgPath, script string, stderr io.Writer) error {
	deg, err := rotation(cfgPath)
	if err != nil {
		return err
	}
	cage, err := exec.LookPath("cage")
	if err != nil {
		return errors.New("cage is not installed; install it (sudo apt install cage)")
	}
	// cage -h exits 1 (0.1.4) or 0; either way it prints the flags.
	help, _ := exec.Command(cage, "-h").CombinedOutput()
	hasRotate := CageHasRotate(string(help))
	args, err := CageArgs(deg, hasRotate, script)
	if err != nil {
		return err
	}
	env := os.Environ()
	if deg != 0 && hasRotate {
		env = append(env, RotatedByCage+"=1")
	}
	fmt.Fprintf(stderr, "wufang-kiosk session: %s %s\n", cage, strings.Join(args, " "))
	argv := append([]string{"cage"}, args...)
	if os.Getenv("NOTIFY_SOCKET") != "" {
		if relay := besideOrOnPath("wufang-edge"); relay != "" {
			return syscall.Exec(relay, append([]string{"wufang-edge", "notify-relay", "--", cage}, args...), env)
		}
	}
	return sdnotify.ExecRelayed(cage, argv, env)
}

// besideOrOnPath is the program name in this binary's folder, else on PATH,
// else "".
func besideOrOnPath(name string) string {
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p
		}
	}
	p, _ := exec.LookPath(name)
	return p
}

// rotate turns every output with wlr-randr, unless cage did (-r) or there
// is nothing to turn.
func rotate(cfgPath string, stderr io.Writer) error {
	deg, err := rotation(cfgPath)
	if err != nil {
		return err
	}
	if deg == 0 {
		return nil
	}
	if os.Getenv(RotatedByCage) != "" {
		fmt.Fprintf(stderr, "wufang-kiosk session: cage has turned the screen by %d°\n", deg)
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	list := exec.CommandContext(ctx, "wlr-randr")
	list.Stdout, list.Stderr = &out, &errOut
	if err := list.Run(); err != nil {
		return fmt.Errorf("cannot list the screens with wlr-randr (%v): %s; the screen stays unturned", err, strings.TrimSpace(errOut.String()))
	}
	outputs := Outputs(out.String())
	if len(outputs) == 0 {
		return errors.New("wlr-randr lists no screen; the screen stays unturned")
	}
	cmds, err := RandrArgs(deg, outputs)
	if err != nil {
		return err
	}
	for _, a := range cmds {
		fmt.Fprintf(stderr, "wufang-kiosk session: wlr-randr %s\n", strings.Join(a, " "))
		if b, err := exec.CommandContext(ctx, "wlr-randr", a...).CombinedOutput(); err != nil {
			return fmt.Errorf("wlr-randr %s: %v: %s", strings.Join(a, " "), err, strings.TrimSpace(string(b)))
		}
	}
	return nil
}

// touchRule prints the rule, or installs it: written to rulesFile, then
// udev reloads its rules and replays the input devices, and waits until
// they are done, so cage (started next) reads the touchscreen's new matrix.
func touchRule(cfgPath string, install bool, rulesFile string, stdout, stderr io.Writer) error {
	deg, err := rotation(cfgPath)
	if err != nil {
		return err
	}
	abs, _ := filepath.Abs(cfgPath)
	rule, err := TouchRule(deg, abs)
	if err != nil {
		return err
	}
	if !install {
		_, err := io.WriteString(stdout, rule)
		return err
	}
	if err := os.MkdirAll(filepath.Dir(rulesFile), 0o755); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(rulesFile, []byte(rule), 0o644); err != nil {
		return err
	}
	m, _ := Matrix(deg)
	fmt.Fprintf(stderr, "wufang-kiosk session: touchscreens get LIBINPUT_CALIBRATION_MATRIX=%q (kiosk.rotate: %d) from %s\n", m, deg, rulesFile)
	for _, a := range UdevArgs() {
		if b, err := exec.Command("udevadm", a...).CombinedOutput(); err != nil {
			return fmt.Errorf("udevadm %s: %v: %s", strings.Join(a, " "), err, strings.TrimSpace(string(b)))
		}
	}
	return nil
}

// UdevArgs are the udevadm command lines that apply a changed rule to the
// input devices already there, and wait for it.
func UdevArgs() [][]string {
	return [][]string{
		{"control", "--reload"},
		{"trigger", "--action=change", "--subsystem-match=input"},
		{"settle", "--timeout=10"},
	}
}
