package session

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/internal/sdnotify"
	"github.com/wufang-kiosk/wufang/internal/sdnotify/sdnotifytest"
)

// notifyAsKiosk is the fake kiosk under systemd: it notes what it sees of
// the notification socket and the watchdog, says READY=1, pings once and
// exits 75 ("restart the app").
func notifyAsKiosk() int {
	n := sdnotify.FromEnv()
	logLine("kiosk watchdog " + n.WatchdogEvery().String() + " pid-set=" + os.Getenv("WATCHDOG_PID"))
	if err := n.Ready("running"); err != nil {
		logLine("kiosk: " + err.Error())
	}
	n.Ping()
	return 75
}

// TestStartRelaysNotifications: under Type=notify, `session start` leaves
// a relay as systemd's main process (wufang-edge notify-relay where it is
// installed, else itself), which runs cage and passes the kiosk's READY=1
// and WATCHDOG=1 on (systemd takes them from its main process only:
// cage's child is in the logind session's scope, not the service); the
// kiosk sees the watchdog as its own, and its exit status is the
// session's.
func TestStartRelaysNotifications(t *testing.T) {
	fakeCage := `if [ "$1" = -h ]; then cat <<'HELP'
` + cage014Help + `HELP
exit 1
fi
echo "relay $(cat /proc/$PPID/comm)" >>"$FAKE_LOG"
exec "$WUFANG_KIOSK" --config "$WUFANG_CONFIG"
`
	edge := filepath.Join(t.TempDir(), "wufang-edge")
	if out, err := exec.Command("go", "build", "-o", edge, "../../edge/cmd/wufang-edge").CombinedOutput(); err != nil {
		t.Fatalf("go build wufang-edge: %v\n%s", err, out)
	}
	for _, withEdge := range []bool{false, true} {
		r := newRig(t, "0", map[string]string{"cage": fakeCage})
		if withEdge {
			if err := os.Symlink(edge, filepath.Join(r.bin, "wufang-edge")); err != nil {
				t.Fatal(err)
			}
		}
		sock := sdnotifytest.Listen(t, true)
		runDir := filepath.Join(r.dir, "run")
		if err := os.Mkdir(runDir, 0o700); err != nil {
			t.Fatal(err)
		}
		out, err := r.run([]string{"NOTIFY_SOCKET=" + sock.Addr, "WATCHDOG_USEC=30000000", "RUNTIME_DIRECTORY=" + runDir},
			filepath.Join(r.bin, "wufang-kiosk"), "session", "start", "--config", r.cf)
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 75 {
			t.Fatalf("wufang-edge=%v: session start: %v, want exit status 75\n%s", withEdge, err, out)
		}
		sock.WaitFor(t, "READY=1", 10*time.Second)
		sock.WaitFor(t, "WATCHDOG=1", 10*time.Second)
		relay := "relay wufang-kiosk\n"
		if withEdge {
			relay = "relay wufang-edge\n"
		}
		if got := r.logged(); !strings.Contains(got, relay) || !strings.Contains(got, "kiosk watchdog 30s pid-set=\n") {
			t.Errorf("wufang-edge=%v: the kiosk saw:\n%s", withEdge, got)
		}
		if left, _ := os.ReadDir(runDir); len(left) != 0 {
			t.Errorf("wufang-edge=%v: left in the runtime directory: %v", withEdge, left)
		}
	}
}
