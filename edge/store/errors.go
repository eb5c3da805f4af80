package store

import "errors"

// The errors of this package. Callers test them with errors.Is; the
// returned errors wrap them with the file name or the operation.
var (
	// ErrLocked: another process holds the database file. Open and
	// OpenReadOnly return it after about a second instead of waiting.
	ErrLocked = errors.New("store: database file is locked by another process")

	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store: closed")

	// ErrReadOnly: a store opened with OpenReadOnly cannot record or ack.
	ErrReadOnly = errors.New("store: opened read-only")

	// ErrInvalidEvent: the event fails wire.Event.Check; nothing was recorded.
	ErrInvalidEvent = errors.New("store: invalid event")

	// ErrUnknownSeq: Ack of a sequence number that was never recorded.
	ErrUnknownSeq = errors.New("store: unknown sequence number")

	// ErrCorrupt: the database file cannot be read. Open moves such a file
	// aside and starts a fresh one; OpenReadOnly returns this error.
	ErrCorrupt = errors.New("store: database file is corrupt")

	// ErrFull: even after dropping every event it may drop and compacting
	// the file, the write does not fit under Options.MaxBytes.
	ErrFull = errors.New("store: disk cap reached")

	// ErrBadOptions: an option is out of range (for example a cap too small
	// to hold the counters).
	ErrBadOptions = errors.New("store: bad options")
)
