package sdnotify_test

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/internal/sdnotify"
	"github.com/wufang-kiosk/wufang/internal/sdnotify/sdnotifytest"
)

// childEnv makes the test binary the relayed child (TestMain).
const childEnv = "SDNOTIFY_TEST_CHILD"

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "":
		os.Exit(m.Run())
	case "notify":
		// What the kiosk does under the relay: its watchdog is its own
		// (WATCHDOG_PID dropped), its socket the relay's.
		n := sdnotify.FromEnv()
		if n.WatchdogEvery() != 2*time.Second {
			os.Stderr.WriteString("child: watchdog " + n.WatchdogEvery().String() + "\n")
			os.Exit(3)
		}
		n.Ready("child up")
		n.Ping()
		if os.Getenv("WATCHDOG_PID") != "" {
			os.Exit(4)
		}
		if len(os.Args) > 1 && os.Args[1] == "hang" {
			select {} // until the relay passes SIGABRT on
		}
		os.Exit(75)
	}
	os.Exit(5)
}

// TestRelay: the relay passes its child's notifications on (as itself,
// the unit's main process), gives the child a watchdog of its own, and
// returns the child's exit status; SIGABRT (systemd's watchdog signal)
// reaches the process that notified, whose goroutine dump says where it
// hung.
func TestRelay(t *testing.T) {
	up := sdnotifytest.Listen(t, false)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, hang := range []bool{false, true} {
		r, err := sdnotify.NewRelay(t.TempDir(), sdnotify.New(up.Addr, 2*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		go r.Serve()
		args := []string{self}
		if hang {
			args = append(args, "hang")
		}
		var stderr bytes.Buffer
		cmd := &exec.Cmd{Path: self, Args: args, Stderr: &stderr,
			Env: append(os.Environ(), childEnv+"=notify", "NOTIFY_SOCKET=/wrong", "WATCHDOG_USEC=2000000", "WATCHDOG_PID=1")}
		sigs := make(chan os.Signal, 1)
		type result struct {
			code int
			err  error
		}
		res := make(chan result, 1)
		go func() {
			code, err := sdnotify.RunRelayed(r, cmd, sigs)
			res <- result{code, err}
		}()
		up.WaitFor(t, "READY=1", 30*time.Second)
		up.WaitFor(t, "WATCHDOG=1", 30*time.Second)
		want := 75
		if hang {
			sigs <- syscall.SIGABRT
			want = 2 // Go's exit status after a crash dump
		}
		got := <-res
		if got.err != nil || got.code != want {
			t.Fatalf("hang=%v: RunRelayed = %d, %v; want %d; child said:\n%s", hang, got.code, got.err, want, stderr.String())
		}
		if hang && !strings.Contains(stderr.String(), "SIGABRT") {
			t.Fatalf("no SIGABRT dump from the child:\n%s", stderr.String())
		}
		if r.Sender() != cmd.Process.Pid {
			t.Errorf("Sender = %d, want the child %d", r.Sender(), cmd.Process.Pid)
		}
		r.Close()
		if _, err := os.Stat(r.Addr); !os.IsNotExist(err) {
			t.Errorf("relay socket left behind: %v", err)
		}
	}
}

// TestRelayCloseDrains: what a child said just before it exited (a last
// WATCHDOG=1, STOPPING=1) is passed on even when the relay is closed at
// once, as ExecRelayed does when the child's exit is seen.
func TestRelayCloseDrains(t *testing.T) {
	up := sdnotifytest.Listen(t, false)
	r, err := sdnotify.NewRelay(t.TempDir(), sdnotify.New(up.Addr, 0))
	if err != nil {
		t.Fatal(err)
	}
	go r.Serve()
	child := sdnotify.New(r.Addr, 0)
	const n = 50
	for i := range n {
		if err := child.Status("step " + strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	up.WaitFor(t, "STATUS=step "+strconv.Itoa(n-1), 10*time.Second)
	if got := len(up.All()); got != n {
		t.Errorf("%d datagrams passed on, want %d", got, n)
	}
}
