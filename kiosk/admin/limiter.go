package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/wufang-kiosk/wufang/internal/atomicfile"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

// Clock is the kiosk's time source (the same one the visit flow uses).
type Clock = flow.Clock

// Lockout policy: MaxFailures wrong PINs lock admin mode for LockFor; each
// further lock without a right PIN in between lasts twice as long as the
// one before, up to MaxLockFor. At the screen a 4-digit PIN fell in about
// 3.5 days on average with a flat five minutes; now it takes years, and
// hash-pin asks for at least 6 digits.
const (
	MaxFailures = 5
	LockFor     = 5 * time.Minute
	MaxLockFor  = 24 * time.Hour
	// LockFile is the limiter's file in the data folder.
	LockFile = "admin-lock.json"
)

// ErrLocked: admin mode is locked after too many wrong PINs.
var ErrLocked = errors.New("admin mode is locked after too many wrong PINs")

// lockState is admin-lock.json.
type lockState struct {
	Failures    int       `json:"failures"`              // wrong PINs since the last success or lock
	LockedUntil time.Time `json:"locked_until,omitzero"` // zero when not locked
	Locks       int       `json:"locks,omitempty"`       // locks since the last right PIN
}

// lockFor is how long the n-th lock in a row lasts.
func lockFor(n int) time.Duration {
	d := LockFor
	for i := 1; i < n && d < MaxLockFor; i++ {
		d *= 2
	}
	return min(d, MaxLockFor)
}

// Limiter counts wrong PINs and locks admin mode after MaxFailures of them,
// for LockFor and twice as long at each further lock (see MaxLockFor). Its state survives restarts in data_dir/admin-lock.json.
// It is safe for concurrent use.
type Limiter struct {
	path  string
	clock Clock
	log   *slog.Logger

	mu sync.Mutex
	st lockState
}

// NewLimiter loads the lockout state from dataDir (creating the folder if
// needed). A missing file means no failures. A file that cannot be read or
// parsed fails closed: admin mode starts locked for LockFor, so deleting or
// corrupting the file cannot be used to skip a lock. log may be nil.
func NewLimiter(dataDir string, clock Clock, log *slog.Logger) (*Limiter, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil { // as the store makes it
		return nil, fmt.Errorf("admin lock: %w", err)
	}
	l := &Limiter{path: filepath.Join(dataDir, LockFile), clock: clock, log: log}
	b, err := os.ReadFile(l.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return l, nil
	case err == nil:
		err = json.Unmarshal(b, &l.st)
		if err == nil && l.st.Failures >= 0 && l.st.Locks >= 0 {
			l.clamp()
			return l, nil
		}
		if err == nil {
			err = fmt.Errorf("negative failure count %d", l.st.Failures)
		}
	}
	log.Warn("admin lock file unreadable; locking admin mode", "file", l.path, "err", err)
	l.st = lockState{LockedUntil: clock.Now().Add(LockFor), Locks: 1}
	if werr := l.save(); werr != nil {
		return nil, werr
	}
	return l, nil
}

// clamp bounds a stored lock to its length from now. A board without a
// real-time clock can boot with its clock far behind; a lock stored before
// would otherwise last until the clock caught up.
func (l *Limiter) clamp() {
	if max := l.clock.Now().Add(lockFor(max(l.st.Locks, 1))); l.st.LockedUntil.After(max) {
		l.st.LockedUntil = max
	}
}

// Remaining is how long admin mode stays locked; 0 when it is not.
func (l *Limiter) Remaining() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.remaining()
}

func (l *Limiter) remaining() time.Duration {
	if l.st.LockedUntil.IsZero() {
		return 0
	}
	l.clamp()
	d := l.st.LockedUntil.Sub(l.clock.Now())
	if d <= 0 {
		return 0
	}
	return d
}

// AttemptsLeft is how many wrong PINs remain before the lock.
func (l *Limiter) AttemptsLeft() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.remaining() > 0 {
		return 0
	}
	l.expire()
	return max(0, MaxFailures-l.st.Failures)
}

// expire forgets a lock that has run out; the next five wrong PINs lock
// again, for twice as long.
func (l *Limiter) expire() {
	if !l.st.LockedUntil.IsZero() && l.remaining() == 0 {
		l.st = lockState{Locks: l.st.Locks}
	}
}

// NextLock is how long the next lock will last.
func (l *Limiter) NextLock() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return lockFor(l.st.Locks + 1)
}

// Result is the outcome of a PIN attempt.
type Result struct {
	OK           bool          // the PIN was right: enter admin mode
	AttemptsLeft int           // wrong PINs left before the lock
	Locked       time.Duration // > 0: locked for this long (this attempt was refused or caused the lock)
}

// Try checks pin against encoded unless admin mode is locked, and records
// the outcome. While locked it returns ErrLocked without hashing. Other
// errors are about the configured hash (ErrNoPIN, ErrMalformedHash,
// ErrUnsupportedHash) or the lock file; they never count as a wrong PIN.
// Verification is slow (see DefaultParams): call Try off the UI goroutine.
func (l *Limiter) Try(pin, encoded string) (Result, error) {
	if d := l.Remaining(); d > 0 {
		return Result{Locked: d}, ErrLocked
	}
	ok, err := Verify(pin, encoded)
	if err != nil {
		return Result{AttemptsLeft: l.AttemptsLeft()}, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// Another attempt may have locked the mode while this one hashed.
	if d := l.remaining(); d > 0 {
		return Result{Locked: d}, ErrLocked
	}
	l.expire()
	if ok {
		if l.st != (lockState{}) {
			l.st = lockState{}
			if err := l.save(); err != nil {
				return Result{OK: true, AttemptsLeft: MaxFailures}, err
			}
		}
		return Result{OK: true, AttemptsLeft: MaxFailures}, nil
	}
	l.st.Failures++
	res := Result{AttemptsLeft: max(0, MaxFailures-l.st.Failures)}
	if l.st.Failures >= MaxFailures {
		n := l.st.Locks + 1
		d := lockFor(n)
		l.st = lockState{LockedUntil: l.clock.Now().Add(d), Locks: n}
		res = Result{Locked: d}
		l.log.Warn("admin mode locked after wrong PINs", "failures", MaxFailures, "for", d, "locks_in_a_row", n)
	}
	return res, l.save()
}

// save replaces the lock file atomically, so a crash leaves the old state
// or the new one, never half of one.
func (l *Limiter) save() error {
	b, err := json.Marshal(l.st)
	if err == nil {
		err = atomicfile.WriteFile(l.path, append(b, '\n'), 0o600)
	}
	if err != nil {
		return fmt.Errorf("admin lock: %w", err)
	}
	return nil
}
