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

// TestStartRelaysNotifications: under Type=notify, `session start` stays
// as systemd's main process, runs cage, and passes the kiosk's READY=1 and
// WATCHDOG=1 on (systemd takes them from its main process only: cage's
// child is in the logind session's scope, not the service); the kiosk sees
// the watchdog as its own, and its exit status is the session's.
func TestStartRelaysNotifications(t *testing.T) {
	fakeCage := `if [ "$1" = -h ]; then cat <<'HELP'
` + cage014Help + `HELP
exit 1
fi
exec "$WUFANG_KIOSK" --config "$WUFANG_CONFIG"
`
	r := newRig(t, "0", map[string]string{"cage": fakeCage})
	sock := sdnotifytest.Listen(t, true)
	runDir := filepath.Join(r.dir, "run")
	if err := os.Mkdir(runDir, 0o700); err != nil {
		t.Fatal(err)
	}
	out, err := r.run([]string{"NOTIFY_SOCKET=" + sock.Addr, "WATCHDOG_USEC=30000000", "RUNTIME_DIRECTORY=" + runDir},
		filepath.Join(r.bin, "wufang-kiosk"), "session", "start", "--config", r.cf)
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 75 {
		t.Fatalf("session start: %v, want exit status 75\n%s", err, out)
	}
	sock.WaitFor(t, "READY=1", 10*time.Second)
	sock.WaitFor(t, "WATCHDOG=1", 10*time.Second)
	if got := r.logged(); !strings.Contains(got, "kiosk watchdog 30s pid-set=\n") {
		t.Errorf("the kiosk saw:\n%s", got)
	}
	if left, _ := os.ReadDir(runDir); len(left) != 0 {
		t.Errorf("left in the runtime directory: %v", left)
	}
}
