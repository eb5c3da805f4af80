package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	bolt "go.etcd.io/bbolt"
)

// DefaultReserveBytes is the size of the reserve file kept next to the
// database (Options.ReserveBytes).
const DefaultReserveBytes = 1 << 20

// The store's states, for Stats.State and status pages.
const (
	StateOK      = "ok"
	StateFull    = "disk full"   // the disk filled up: working in the space the store freed
	StateFailing = "write error" // the last write failed (see LastError); events are being lost
	StateDamaged = "damaged"     // a damaged page: out of service until restart (see Broken)
)

// isNoSpace reports whether err is the file system running out of room.
func isNoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

func (s *Store) reservePath() string { return s.path + ".reserve" }

// makeReserve writes the reserve file if it is missing: real blocks that a
// full disk gives back (another program filling the disk would otherwise
// leave no room even for the counters). It reports whether the reserve is
// in place.
func (s *Store) makeReserve() bool {
	n := s.opts.ReserveBytes
	if n <= 0 {
		return true
	}
	if fi, err := os.Stat(s.reservePath()); err == nil && fi.Size() >= n {
		return true
	}
	err := func() error {
		f, err := os.OpenFile(s.reservePath(), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		buf := make([]byte, 64<<10)
		for i := range buf {
			buf[i] = 0xa5 // not zeros: no file system may store it sparse
		}
		for left := n; left > 0; left -= int64(len(buf)) {
			if _, err := f.Write(buf[:min(left, int64(len(buf)))]); err != nil {
				f.Close()
				return err
			}
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}()
	if err != nil {
		_ = os.Remove(s.reservePath())
		s.log.Warn("store: cannot write the reserve file", "file", s.reservePath(), "err", err)
		return false
	}
	return true
}

// onNoSpace handles a write that failed for lack of disk space: it gives
// back the reserve file and lowers the cap to the pages the file already
// has, so the cap's own dropping (oldest, acknowledged events first) frees
// pages inside the file for new events. It runs on the writer goroutine.
func (s *Store) onNoSpace(cause error) {
	freed := os.Remove(s.reservePath()) == nil
	var hwm int64
	_ = s.db.View(func(tx *bolt.Tx) error { hwm = tx.Size(); return nil })
	newMax := max(hwm, 16*int64(s.cap.page))
	s.mu.Lock()
	was := s.diskFull
	s.diskFull = true
	s.mu.Unlock()
	if newMax < s.cap.max {
		s.cap.setMax(newMax)
		s.db.MaxSize = int(newMax)
		s.db.AllocSize = s.cap.alloc
	}
	if !was {
		s.log.Error("store: the disk is full; recording in the space the store frees (oldest sent events first, then unsent ones, counted as dropped)",
			"file", s.path, "err", cause, "reserve_freed", freed, "cap_now", newMax)
	}
}

// checkSpace lifts the disk-full mode once the file system has room again
// (for the reserve and the file's normal growth), and restores the cap.
func (s *Store) checkSpace() {
	s.mu.Lock()
	full := s.diskFull
	s.mu.Unlock()
	if !full {
		return
	}
	free, ok := freeBytes(filepath.Dir(s.path))
	need := s.opts.ReserveBytes + 2*int64(newCapacity(s.opts.MaxBytes, s.cap.page).alloc)
	if !ok || free < need || !s.makeReserve() {
		return
	}
	s.cap.setMax(s.opts.MaxBytes)
	s.db.MaxSize = int(s.opts.MaxBytes)
	s.db.AllocSize = s.cap.alloc
	s.mu.Lock()
	s.diskFull = false
	s.mu.Unlock()
	s.log.Info("store: disk space is back; the cap is normal again", "file", s.path, "free_bytes", free)
}

// noteWrite keeps the outcome of a commit for Stats: failed records and the
// last error in plain words.
func (s *Store) noteWrite(err error, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		s.writeErr = nil
		return
	}
	s.recordFailures += uint64(n)
	s.writeErr = err
	s.writeErrAt = s.opts.Clock.Now()
	if n > 0 && (s.recordFailures == uint64(n) || s.recordFailures%1000 < uint64(n)) {
		s.log.Error("store: events could not be recorded", "file", s.path, "lost", n, "lost_total", s.recordFailures, "err", err)
	}
}

// stateLocked is the store's state for Stats.
func (s *Store) stateLocked() string {
	switch {
	case s.failed != nil:
		return StateDamaged
	case s.writeErr != nil:
		return StateFailing
	case s.diskFull:
		return StateFull
	}
	return StateOK
}

// plainError is a store error in words for staff.
func plainError(err error) string {
	switch {
	case err == nil:
		return ""
	case isNoSpace(err):
		return fmt.Sprintf("the disk is full: free space on the data folder's disk (%v)", err)
	case errors.Is(err, ErrFull):
		return fmt.Sprintf("the store's disk cap is reached even after dropping old events: raise store.max_bytes (%v)", err)
	case errors.Is(err, ErrCorrupt):
		return fmt.Sprintf("the database file is damaged; the device restarts to repair it (%v)", err)
	}
	return err.Error()
}
