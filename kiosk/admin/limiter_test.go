package admin

import (
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/kiosk/flow/flowtest"
)

var t0 = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

func newLimiter(t *testing.T, dir string, c *flowtest.Clock) *Limiter {
	t.Helper()
	l, err := NewLimiter(dir, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func cheapHash(t *testing.T, pin string) string {
	t.Helper()
	h, err := HashWith(pin, cheap, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestLimiterLocksAfterFiveAndSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	clock := flowtest.NewClock(t0)
	h := cheapHash(t, "4321")
	l := newLimiter(t, dir, clock)

	for i := 1; i < MaxFailures; i++ {
		res, err := l.Try("0000", h)
		if err != nil || res.OK || res.Locked != 0 || res.AttemptsLeft != MaxFailures-i {
			t.Fatalf("wrong PIN %d: %+v, %v", i, res, err)
		}
	}
	// A restart in the middle keeps the count.
	l = newLimiter(t, dir, clock)
	if n := l.AttemptsLeft(); n != 1 {
		t.Fatalf("after restart %d attempts left, want 1", n)
	}
	res, err := l.Try("0000", h)
	if err != nil || res.Locked != LockFor {
		t.Fatalf("fifth wrong PIN: %+v, %v", res, err)
	}
	// Locked: even the right PIN is refused, before and after a restart.
	if res, err := l.Try("4321", h); !errors.Is(err, ErrLocked) || res.OK {
		t.Fatalf("right PIN while locked: %+v, %v", res, err)
	}
	clock.Advance(4 * time.Minute)
	l = newLimiter(t, dir, clock)
	if d := l.Remaining(); d != time.Minute {
		t.Fatalf("after restart locked for %v, want 1m", d)
	}
	if res, err := l.Try("4321", h); !errors.Is(err, ErrLocked) || res.OK || res.Locked != time.Minute {
		t.Fatalf("right PIN while locked after restart: %+v, %v", res, err)
	}
	// The lock runs out; the count starts again from zero.
	clock.Advance(time.Minute)
	if d := l.Remaining(); d != 0 {
		t.Fatalf("still locked for %v", d)
	}
	if n := l.AttemptsLeft(); n != MaxFailures {
		t.Fatalf("%d attempts after the lock, want %d", n, MaxFailures)
	}
	if res, err := l.Try("0000", h); err != nil || res.AttemptsLeft != MaxFailures-1 {
		t.Fatalf("wrong PIN after the lock: %+v, %v", res, err)
	}
	// A right PIN resets the count, on disk too.
	if res, err := l.Try("4321", h); err != nil || !res.OK {
		t.Fatalf("right PIN: %+v, %v", res, err)
	}
	if n := newLimiter(t, dir, clock).AttemptsLeft(); n != MaxFailures {
		t.Fatalf("after success and restart %d attempts left", n)
	}
}

func TestLimiterHashErrorsDoNotCount(t *testing.T) {
	l := newLimiter(t, t.TempDir(), flowtest.NewClock(t0))
	for range MaxFailures + 1 {
		if _, err := l.Try("1234", ""); !errors.Is(err, ErrNoPIN) {
			t.Fatalf("err %v, want ErrNoPIN", err)
		}
	}
	if n := l.AttemptsLeft(); n != MaxFailures {
		t.Errorf("config errors counted as wrong PINs: %d left", n)
	}
}

func TestLimiterCorruptFileFailsClosed(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, LockFile), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	clock := flowtest.NewClock(t0)
	l := newLimiter(t, dir, clock)
	if d := l.Remaining(); d != LockFor {
		t.Fatalf("corrupt lock file: locked %v, want %v", d, LockFor)
	}
	// The file was rewritten, so the lock survives another restart.
	clock.Advance(time.Minute)
	if d := newLimiter(t, dir, clock).Remaining(); d != 4*time.Minute {
		t.Fatalf("after restart locked %v", d)
	}
}

func TestLimiterClampsLockAfterClockJump(t *testing.T) {
	dir := t.TempDir()
	clock := flowtest.NewClock(t0)
	l := newLimiter(t, dir, clock)
	h := cheapHash(t, "4321")
	for range MaxFailures {
		l.Try("0000", h)
	}
	// Boots with the clock a day behind (no RTC, no network yet).
	clock.Set(t0.Add(-24 * time.Hour))
	if d := newLimiter(t, dir, clock).Remaining(); d != LockFor {
		t.Fatalf("locked %v after the clock went back, want at most %v", d, LockFor)
	}
}

func TestLimiterWritesAtomically(t *testing.T) {
	dir := t.TempDir()
	l := newLimiter(t, dir, flowtest.NewClock(t0))
	l.Try("0000", cheapHash(t, "4321"))
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != LockFile {
		t.Errorf("data folder holds %v, want only %s (no temporary files left)", entries, LockFile)
	}
}

func TestIdleLeavesAfterTwoMinutes(t *testing.T) {
	clock := flowtest.NewClock(t0)
	left := 0
	idle := NewIdle(clock, 0, func() { left++ })
	idle.Start()
	clock.Advance(90 * time.Second)
	idle.Touch() // input: the two minutes start again
	clock.Advance(119 * time.Second)
	if left != 0 {
		t.Fatalf("left after %v without input", 119*time.Second)
	}
	if r := idle.Remaining(); r != time.Second {
		t.Fatalf("remaining %v, want 1s", r)
	}
	clock.Advance(time.Second)
	if left != 1 {
		t.Fatalf("left %d times at two minutes, want 1", left)
	}
	clock.Advance(10 * time.Minute)
	idle.Touch() // touches after leaving do not re-arm
	clock.Advance(10 * time.Minute)
	if left != 1 || clock.Pending() != 0 {
		t.Fatalf("left %d times, %d timers pending", left, clock.Pending())
	}
	// Stop cancels; Start re-arms.
	idle.Start()
	clock.Advance(time.Minute)
	idle.Stop()
	clock.Advance(5 * time.Minute)
	if left != 1 || idle.Remaining() != 0 {
		t.Fatalf("left %d times after Stop", left)
	}
	idle.Start()
	clock.Advance(AutoLeave)
	if left != 2 {
		t.Fatalf("left %d times, want 2", left)
	}
}

// TestLockoutEscalates: five tries per five minutes let a 4-digit PIN be
// found at the screen in about 3.5 days on average. Each lock without a
// right PIN in between now lasts twice as long as the one before, up to a
// day, across restarts; the right PIN starts again at five minutes.
func TestLockoutEscalates(t *testing.T) {
	dir := t.TempDir()
	clock := flowtest.NewClock(t0)
	h := cheapHash(t, "864213")
	l := newLimiter(t, dir, clock)
	lockOut := func() time.Duration {
		t.Helper()
		var res Result
		for range MaxFailures {
			var err error
			if res, err = l.Try("000000", h); err != nil {
				t.Fatal(err)
			}
		}
		return res.Locked
	}
	want := []time.Duration{5 * time.Minute, 10 * time.Minute, 20 * time.Minute, 40 * time.Minute, 80 * time.Minute,
		160 * time.Minute, 320 * time.Minute, 640 * time.Minute, 1280 * time.Minute, 24 * time.Hour, 24 * time.Hour}
	for i, w := range want {
		if next := l.NextLock(); next != w {
			t.Errorf("lock %d: NextLock %v, want %v", i+1, next, w)
		}
		if d := lockOut(); d != w {
			t.Fatalf("lock %d: %v, want %v", i+1, d, w)
		}
		// The lock holds for all of its length, across a restart...
		clock.Advance(w - time.Second)
		l = newLimiter(t, dir, clock)
		if d := l.Remaining(); d != time.Second {
			t.Fatalf("lock %d: %v left a second before its end", i+1, d)
		}
		clock.Advance(time.Second)
		if d := l.Remaining(); d != 0 {
			t.Fatalf("lock %d: still locked at its end (%v)", i+1, d)
		}
	}
	// ...and the right PIN starts again from five minutes.
	if res, err := l.Try("864213", h); err != nil || !res.OK {
		t.Fatalf("right PIN: %+v, %v", res, err)
	}
	if d := lockOut(); d != LockFor {
		t.Errorf("after a right PIN: locked %v, want %v", d, LockFor)
	}

	// What that means for someone guessing at the screen: the expected
	// number of tries for a PIN of n digits is 10^n/2, five per lock.
	guess := func(tries int, lock func(int) time.Duration) time.Duration {
		var d time.Duration
		for k := 1; k*MaxFailures < tries; k++ {
			d += lock(k)
		}
		return d
	}
	flat := func(int) time.Duration { return LockFor }
	day := 24 * time.Hour
	t.Logf("average time to guess at the screen: 4 digits %.1f days before, %.0f days now; 6 digits %.0f days before, %.0f years now",
		float64(guess(5000, flat))/float64(day), float64(guess(5000, lockFor))/float64(day),
		float64(guess(500000, flat))/float64(day), float64(guess(500000, lockFor))/float64(365*day))
	if guess(5000, lockFor) < 365*day {
		t.Error("a 4-digit PIN still falls within a year")
	}
}

// TestLockFolderMode: the data folder the limiter makes is not readable by
// other users (it was made 0755).
func TestLockFolderMode(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	newLimiter(t, dir, flowtest.NewClock(t0))
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o750 {
		t.Errorf("folder mode %o, want 750", m)
	}
}
