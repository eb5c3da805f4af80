package session

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The test binary doubles as wufang-kiosk for the session script and for
// cage: "session ..." runs Command, anything else is the kiosk, which notes
// its arguments in $FAKE_LOG.
func TestMain(m *testing.M) {
	if os.Getenv("WUFANG_SESSION_TEST_KIOSK") == "1" {
		if len(os.Args) > 1 && os.Args[1] == "session" {
			os.Exit(Command(os.Args[2:], os.Stdout, os.Stderr))
		}
		logLine("kiosk " + strings.Join(os.Args[1:], " "))
		if os.Getenv("NOTIFY_SOCKET") != "" {
			os.Exit(notifyAsKiosk())
		}
		if os.Getenv("FAKE_KIOSK_WAYLAND_INFO") == "1" {
			// Inside a real cage: what the compositor tells its clients.
			b, err := exec.Command("wayland-info").CombinedOutput()
			for _, l := range strings.Split(string(b), "\n") {
				if strings.Contains(l, "output_transform") {
					logLine(strings.TrimSpace(l))
				}
			}
			if err != nil {
				logLine("wayland-info: " + err.Error() + ": " + string(b))
			}
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func logLine(s string) {
	f, err := os.OpenFile(os.Getenv("FAKE_LOG"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		panic(err)
	}
	f.WriteString(s + "\n")
	f.Close()
}

type rig struct {
	t                 *testing.T
	dir, bin, log, cf string
}

// newRig: a folder on PATH with wufang-kiosk (this test binary) and the
// fakes given (name → shell script body), and a config with rotate deg.
func newRig(t *testing.T, rotate string, fakes map[string]string) *rig {
	t.Helper()
	r := &rig{t: t, dir: t.TempDir()}
	r.bin = filepath.Join(r.dir, "bin")
	r.log = filepath.Join(r.dir, "log")
	r.cf = filepath.Join(r.dir, "wufang.yaml")
	if err := os.Mkdir(r.bin, 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(self, filepath.Join(r.bin, "wufang-kiosk")); err != nil {
		t.Fatal(err)
	}
	for name, body := range fakes {
		if err := os.WriteFile(filepath.Join(r.bin, name), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(r.cf, []byte("site: test-site\ndevice: kiosk-1\nkiosk:\n  rotate: "+rotate+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *rig) run(env []string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append([]string{"PATH=" + r.bin + ":/usr/bin:/bin", "FAKE_LOG=" + r.log, "WUFANG_SESSION_TEST_KIOSK=1",
		"WUFANG_KIOSK=" + filepath.Join(r.bin, "wufang-kiosk"), "WUFANG_CONFIG=" + r.cf}, env...)
	b, err := cmd.CombinedOutput()
	return string(b), err
}

func (r *rig) logged() string {
	b, _ := os.ReadFile(r.log)
	return string(b)
}

// fakeRandr lists two screens and logs every call that changes one.
const fakeRandr = `if [ $# -eq 0 ]; then
cat <<'LIST'
` + wlrRandrListing + `LIST
exit 0
fi
echo "wlr-randr $*" >>"$FAKE_LOG"
`

func TestSessionScriptTurnsScreensThenRunsKiosk(t *testing.T) {
	r := newRig(t, "90", map[string]string{"wlr-randr": fakeRandr})
	out, err := r.run(nil, "../../build/kiosk-session.sh")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := "wlr-randr --output HDMI-A-1 --transform 90\nwlr-randr --output DSI-1 --transform 90\nkiosk --config " + r.cf + "\n"
	if got := r.logged(); got != want {
		t.Errorf("calls:\n%s\nwant:\n%s\noutput:\n%s", got, want, out)
	}
}

func TestSessionScriptLeavesWhatCageTurned(t *testing.T) {
	for _, c := range []struct {
		rotate string
		env    []string
	}{{"180", []string{RotatedByCage + "=1"}}, {"0", nil}} {
		r := newRig(t, c.rotate, map[string]string{"wlr-randr": fakeRandr})
		out, err := r.run(c.env, "../../build/kiosk-session.sh")
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if got, want := r.logged(), "kiosk --config "+r.cf+"\n"; got != want {
			t.Errorf("rotate %s %v: calls:\n%s\nwant:\n%s", c.rotate, c.env, got, want)
		}
	}
}

// Debian 12's cage has no wlr-output-management: had it not been started
// with -r, the script says so and starts the kiosk anyway.
func TestSessionScriptStartsKioskWhenRandrFails(t *testing.T) {
	r := newRig(t, "270", map[string]string{"wlr-randr": `echo "compositor doesn't support wlr-output-management-unstable-v1" >&2; exit 1` + "\n"})
	out, err := r.run(nil, "../../build/kiosk-session.sh")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got, want := r.logged(), "kiosk --config "+r.cf+"\n"; got != want {
		t.Errorf("calls:\n%s\nwant:\n%s", got, want)
	}
	for _, w := range []string{"compositor doesn't support wlr-output-management-unstable-v1", "the kiosk starts unturned"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

func TestStartExecsCage(t *testing.T) {
	fakeCage := func(help string) string {
		return `if [ "$1" = -h ]; then cat <<'HELP'
` + help + `HELP
exit 1
fi
echo "cage $* rotated=$` + RotatedByCage + `" >>"$FAKE_LOG"
`
	}
	cases := []struct{ help, rotate, want string }{
		{cage014Help, "180", "cage -d -r -r -- /usr/libexec/wufang/kiosk-session rotated=1\n"},
		{cage014Help, "0", "cage -d -- /usr/libexec/wufang/kiosk-session rotated=\n"},
		{cage020Help, "90", "cage -d -- /usr/libexec/wufang/kiosk-session rotated=\n"},
	}
	for _, c := range cases {
		r := newRig(t, c.rotate, map[string]string{"cage": fakeCage(c.help)})
		out, err := r.run(nil, filepath.Join(r.bin, "wufang-kiosk"), "session", "start", "--config", r.cf)
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if got := r.logged(); got != c.want {
			t.Errorf("rotate %s: %q, want %q", c.rotate, got, c.want)
		}
	}
}

func TestTouchRuleInstall(t *testing.T) {
	r := newRig(t, "90", map[string]string{"udevadm": `echo "udevadm $*" >>"$FAKE_LOG"` + "\n"})
	rules := filepath.Join(r.dir, "run/udev/rules.d/90-wufang-touch.rules")
	out, err := r.run(nil, filepath.Join(r.bin, "wufang-kiosk"), "session", "touch-rule", "--install", "--config", r.cf, "--rules-file", rules)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := "udevadm control --reload\nudevadm trigger --action=change --subsystem-match=input\nudevadm settle --timeout=10\n"
	if got := r.logged(); got != want {
		t.Errorf("udevadm calls:\n%s\nwant:\n%s", got, want)
	}
	b, err := os.ReadFile(rules)
	if err != nil {
		t.Fatal(err)
	}
	wantRule, _ := TouchRule(90, r.cf)
	if string(b) != wantRule {
		t.Errorf("installed rule:\n%s\nwant:\n%s", b, wantRule)
	}
	// Printing it gives the same text.
	printed, err := r.run(nil, filepath.Join(r.bin, "wufang-kiosk"), "session", "touch-rule", "--config", r.cf)
	if err != nil || printed != wantRule {
		t.Errorf("touch-rule printed %q, %v", printed, err)
	}
}

// A bad angle is refused with the config's located message, and nothing is
// written or run.
func TestBadRotateRefused(t *testing.T) {
	r := newRig(t, "45", map[string]string{"udevadm": `echo "udevadm $*" >>"$FAKE_LOG"` + "\n", "cage": `echo "cage $*" >>"$FAKE_LOG"` + "\n"})
	rules := filepath.Join(r.dir, "rules")
	want := r.cf + ":4:11: kiosk.rotate: 45 is not a rotation"
	for _, args := range [][]string{{"touch-rule", "--install", "--rules-file", rules}, {"start"}, {"rotate"}} {
		out, err := r.run(nil, filepath.Join(r.bin, "wufang-kiosk"), append(append([]string{"session"}, args...), "--config", r.cf)...)
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(out, want) {
			t.Errorf("%v: %v\n%s", args, err, out)
		}
	}
	if _, err := os.Stat(rules); err == nil {
		t.Error("a rule was written for a bad angle")
	}
	if got := r.logged(); got != "" {
		t.Errorf("ran %q for a bad angle", got)
	}
}

// TestRealCageTurnsTheScreen runs the whole chain with Debian's cage on
// its headless backend: session start execs cage with -r for kiosk.rotate,
// cage runs build/kiosk-session.sh, which leaves the turned screen alone
// and runs the kiosk (here this binary, which asks the compositor with
// wayland-info how its output is turned).
func TestRealCageTurnsTheScreen(t *testing.T) {
	for _, tool := range []string{"cage", "Xwayland", "wayland-info", "setpriv"} {
		if _, err := exec.LookPath(tool); err != nil {
			msg := fmt.Sprintf("%s is missing: install the Debian packages cage xwayland wayland-utils util-linux", tool)
			if os.Getenv("CI") != "" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	for _, c := range []struct{ rotate, want string }{{"90", "output_transform: 90°"}, {"270", "output_transform: 270°"}, {"0", "output_transform: normal"}} {
		r := newRig(t, c.rotate, nil)
		// cage will not run as root: as nobody, who must reach the
		// binary, the script, the config and the log.
		self, _ := os.Executable()
		b, err := os.ReadFile(self)
		if err != nil {
			t.Fatal(err)
		}
		kiosk := filepath.Join(r.bin, "wufang-kiosk")
		os.Remove(kiosk)
		script, _ := filepath.Abs("../../build/kiosk-session.sh")
		runtime := filepath.Join(r.dir, "xdg")
		if err := os.WriteFile(kiosk, b, 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(r.log, nil, 0o666)
		os.Chmod(r.log, 0o666)
		for d := r.dir; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
			os.Chmod(d, 0o755)
		}
		if err := os.Mkdir(runtime, 0o700); err != nil {
			t.Fatal(err)
		}
		var argv []string
		if os.Getuid() == 0 {
			if err := os.Chown(runtime, 65534, 65534); err != nil {
				t.Fatal(err)
			}
			argv = []string{"setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"}
		}
		argv = append(argv, kiosk, "session", "start", "--config", r.cf, "--script", script)
		env := []string{"XDG_RUNTIME_DIR=" + runtime, "WLR_BACKENDS=headless", "WLR_LIBINPUT_NO_DEVICES=1", "WLR_RENDERER=pixman",
			"FAKE_KIOSK_WAYLAND_INFO=1", "HOME=" + r.dir}
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = append([]string{"PATH=" + r.bin + ":/usr/bin:/bin", "FAKE_LOG=" + r.log, "WUFANG_SESSION_TEST_KIOSK=1",
			"WUFANG_KIOSK=" + kiosk, "WUFANG_CONFIG=" + r.cf}, env...)
		out, err := cmd.CombinedOutput()
		got := r.logged()
		if err != nil || !strings.Contains(got, "kiosk --config "+r.cf+"\n") || !strings.Contains(got, c.want) {
			t.Errorf("rotate %s: %v; want the kiosk run and %q; the kiosk saw:\n%s\ncage said:\n%s", c.rotate, err, c.want, got, out)
		}
	}
}
