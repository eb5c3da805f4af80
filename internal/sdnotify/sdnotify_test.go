package sdnotify_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/internal/sdnotify"
	"github.com/wufang-kiosk/wufang/internal/sdnotify/sdnotifytest"
)

const wait = 10 * time.Second

func TestSendPathAndAbstract(t *testing.T) {
	for _, abstract := range []bool{false, true} {
		s := sdnotifytest.Listen(t, abstract)
		n := sdnotify.New(s.Addr, 0)
		if !n.Enabled() {
			t.Fatal("not enabled with a socket")
		}
		if err := n.Ready("counting\nvisitors"); err != nil {
			t.Fatalf("abstract=%v: Ready: %v", abstract, err)
		}
		m, ok := s.Next(wait)
		if !ok || m != "READY=1\nSTATUS=counting visitors\n" {
			t.Fatalf("abstract=%v: got %q %v", abstract, m, ok)
		}
		for _, c := range []struct {
			send func() error
			want string
		}{
			{n.Ping, "WATCHDOG=1\n"},
			{n.Stopping, "STOPPING=1\nSTATUS=stopping\n"},
			{func() error { return n.Status("store: ok") }, "STATUS=store: ok\n"},
		} {
			if err := c.send(); err != nil {
				t.Fatal(err)
			}
			if m, _ := s.Next(wait); m != c.want {
				t.Errorf("abstract=%v: got %q, want %q", abstract, m, c.want)
			}
		}
	}
}

func TestNoSocketIsANoOp(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	t.Setenv("WATCHDOG_USEC", "30000000")
	n := sdnotify.FromEnv()
	if n.Enabled() || n.WatchdogEvery() != 0 {
		t.Fatalf("enabled without NOTIFY_SOCKET: %+v", n)
	}
	var nilN *sdnotify.Notifier
	for _, err := range []error{n.Ready("x"), n.Ping(), n.Stopping(), nilN.Ping()} {
		if err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{})
	go func() { n.Watchdog(context.Background(), nil, "", nil); close(done) }()
	select {
	case <-done:
	case <-time.After(wait):
		t.Fatal("Watchdog without a watchdog did not return")
	}
}

func TestBadSocket(t *testing.T) {
	for _, addr := range []string{"relative/path", "vsock:2:1234", "/nonexistent/notify"} {
		if err := sdnotify.New(addr, 0).Ping(); err == nil {
			t.Errorf("%q: no error", addr)
		}
	}
}

func TestFromEnv(t *testing.T) {
	s := sdnotifytest.Listen(t, true)
	t.Setenv("NOTIFY_SOCKET", s.Addr)
	t.Setenv("WATCHDOG_USEC", "30000000")
	t.Setenv("WATCHDOG_PID", "")
	if n := sdnotify.FromEnv(); n.WatchdogEvery() != 30*time.Second {
		t.Fatalf("WatchdogEvery = %v", n.WatchdogEvery())
	}
	t.Setenv("WATCHDOG_PID", "1") // the watchdog of another process (a parent's)
	if n := sdnotify.FromEnv(); n.WatchdogEvery() != 0 || !n.Enabled() {
		t.Fatalf("WATCHDOG_PID of another process: every %v, enabled %v", n.WatchdogEvery(), n.Enabled())
	}
}

func TestWatchdogInterval(t *testing.T) {
	for _, c := range []struct {
		usec, pid string
		want      time.Duration
	}{
		{"", "", 0},
		{"30000000", "", 30 * time.Second},
		{"30000000", "42", 30 * time.Second},
		{"30000000", "43", 0},
		{"30000000", "x", 0},
		{"1", "42", time.Microsecond},
		{"0", "", 0},
		{"-5", "", 0},
		{"abc", "", 0},
		{"18446744073709551615", "", 0}, // infinity in systemd's terms
		{"9223372036854775807", "", 0},  // does not fit in a Duration
	} {
		if got := sdnotify.WatchdogInterval(c.usec, c.pid, 42); got != c.want {
			t.Errorf("WatchdogInterval(%q, %q) = %v, want %v", c.usec, c.pid, got, c.want)
		}
	}
}

// TestWatchdogFollowsHealth: pings while the check passes; none from the
// moment it fails (STATUS= says why) until it passes again (STATUS= back
// to the healthy line first); a check that hangs counts as failing.
func TestWatchdogFollowsHealth(t *testing.T) {
	s := sdnotifytest.Listen(t, false)
	n := sdnotify.New(s.Addr, 40*time.Millisecond)
	var mode atomic.Int32 // 0 healthy, 1 failing, 2 hanging
	var calls atomic.Int64
	release := make(chan struct{})
	check := func(ctx context.Context) error {
		calls.Add(1)
		switch mode.Load() {
		case 1:
			return errors.New("store: write error")
		case 2:
			<-release // ignores ctx: a wedged check
			return nil
		}
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { n.Watchdog(ctx, check, "running", nil); close(done) }()
	for range 3 {
		s.WaitFor(t, "WATCHDOG=1", wait)
	}

	unhealthy := func(how int32, reason string) {
		t.Helper()
		mode.Store(how)
		for {
			m, ok := s.Next(wait)
			if !ok {
				t.Fatalf("no STATUS=unhealthy after the check broke: %q", s.All())
			}
			if v, _ := sdnotifytest.Value(m, "STATUS"); strings.HasPrefix(v, "unhealthy: ") {
				if !strings.Contains(v, reason) {
					t.Fatalf("STATUS=%q, want the reason %q", v, reason)
				}
				break
			}
		}
		// Several more checks fail (or the one hangs through several ping
		// times): nothing but STATUS may arrive meanwhile.
		from := calls.Load()
		for calls.Load() < from+3 && mode.Load() == 1 {
			time.Sleep(5 * time.Millisecond)
		}
		if mode.Load() == 2 {
			time.Sleep(200 * time.Millisecond) // five ping times
		}
		mode.Store(0)
		if how == 2 {
			close(release)
		}
		before := s.WaitFor(t, "STATUS=running", wait)
		for _, m := range before {
			if sdnotifytest.HasLine(m, "WATCHDOG=1") {
				t.Fatalf("a ping while unhealthy: %q", before)
			}
		}
		s.WaitFor(t, "WATCHDOG=1", wait)
	}
	unhealthy(1, "store: write error")
	unhealthy(2, "the health check has not answered")
	cancel()
	select {
	case <-done:
	case <-time.After(wait):
		t.Fatal("Watchdog did not return when ctx ended")
	}
}
