package store

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/internal/atomicfile"
	"github.com/wufang-kiosk/wufang/internal/clock"
)

// Defaults of Options.
const (
	DefaultMaxBytes  = 256 << 20
	DefaultRetention = 30 * 24 * time.Hour
	// MinMaxBytes is the smallest disk cap Open accepts.
	MinMaxBytes = 256 << 10
)

// lockTimeout is how long Open waits for another process's lock.
const lockTimeout = time.Second

// maxBatch bounds the events of one group commit.
const maxBatch = 2048

// Options configure a Store. Zero fields get the documented defaults.
type Options struct {
	Location  *time.Location // site time zone for the day roll-over; nil = Asia/Shanghai
	MaxBytes  int64          // disk cap of the database file; 0 = 256 MiB
	Retention time.Duration  // acknowledged events older than this are deleted; 0 = 30 days
	Clock     clock.Clock    // nil = the wall clock
	Logger    *slog.Logger   // nil = discard
	// ReserveBytes is the size of a reserve file kept next to the
	// database and given back when the disk fills up, so the counters keep
	// counting while space is freed inside the file; 0 = DefaultReserveBytes,
	// negative = none.
	ReserveBytes int64
	// ClockSynced reports whether the system clock is synchronised (NTP);
	// events recorded while it says false are marked ClockUnsynced. nil:
	// unknown, only a clock earlier than the last event marks them.
	ClockSynced func() bool
	Site        string // copied into Totals
	Device      string // copied into Totals
}

func (o *Options) defaults() error {
	if o.Location == nil {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			// No tzdata on the system: Asia/Shanghai has had no DST since 1991.
			loc = time.FixedZone("Asia/Shanghai", 8*3600)
		}
		o.Location = loc
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxBytes < MinMaxBytes {
		return fmt.Errorf("%w: max bytes %d is below the minimum %d", ErrBadOptions, o.MaxBytes, MinMaxBytes)
	}
	if o.Retention == 0 {
		o.Retention = DefaultRetention
	}
	if o.ReserveBytes == 0 {
		o.ReserveBytes = DefaultReserveBytes
	}
	if o.Retention < 0 {
		return fmt.Errorf("%w: negative retention %v", ErrBadOptions, o.Retention)
	}
	o.Clock = clock.Or(o.Clock)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Stats describe the store for status and metrics.
type Stats struct {
	Epoch     string // the file's epoch (wire.EpochPattern); "" only for an old file opened read-only
	Boot      uint64 // boot count (incremented by each Open)
	LastSeq   uint64 // highest sequence number assigned
	Watermark uint64 // every event up to here is acknowledged (or dropped)
	Backlog   uint64 // events after the watermark, still to send
	Dropped   uint64 // events dropped unsent because of the disk cap (lifetime of the file)
	Events    uint64 // events held in the file
	Bytes     int64  // size of the database file
	MaxBytes  int64  // the cap
	// Recovered is where a database file that could not be opened was
	// moved at this Open, or "".
	Recovered   string
	Compactions uint64 // compactions since Open
	Commits     uint64 // transactions that recorded events, since Open
	// State is StateOK, StateFull, StateFailing or StateDamaged.
	State string
	// LastError is the last write problem in plain words ("" when the last
	// write worked), LastErrorAt when it happened.
	LastError   string
	LastErrorAt time.Time
	// RecordFailures counts events that could not be recorded since Open
	// (a full disk, a damaged file): they are lost.
	RecordFailures uint64
}

// Store is the durable event log. Its methods are safe for concurrent use.
type Store struct {
	path     string
	opts     Options
	readOnly bool
	log      *slog.Logger

	dbMu sync.RWMutex // held for reading around every use of db; for writing to swap it
	db   *bolt.DB
	cap  capacity

	mu        sync.Mutex // guards the fields below
	epoch     string     // set by load or restore, then never changed
	boot      uint64
	lastSeq   uint64
	firstSeq  uint64 // oldest event held; lastSeq+1 when none
	watermark uint64
	acked     map[uint64]struct{} // acks above the watermark, waiting for the gap to fill
	lost      []seqRange          // unsent seqs a salvage could not read: passed like acks
	wmSaved   uint64              // watermark as last written to disk
	dropped   uint64
	lifetime  wire.Counters
	days      map[string]wire.Daily // cache of recently written days
	recovered string
	compacts  uint64
	commits   uint64
	closed    bool
	failed    error         // a damaged page met: the store refuses further writes
	broken    chan struct{} // closed when failed is set

	diskFull       bool      // working under a lowered cap after ENOSPC
	writeErr       error     // the last commit's error, nil once one works
	writeErrAt     time.Time // when writeErr happened
	recordFailures uint64    // events refused by a failed commit or a broken store
	lastTime       time.Time // the latest event time recorded

	touched atomic.Int64 // bytes read or written through the mapping since the last release

	reqs    chan *request
	changed chan struct{}
	acks    chan struct{} // the watermark moved: the writer saves it soon
	quit    chan struct{}
	stopped chan struct{}
	closeMu sync.Mutex
}

type request struct {
	ev   wire.Event
	done chan error
}

var (
	bucketEvents = []byte("events")
	bucketDays   = []byte("days")
	bucketMeta   = []byte("meta")

	keyFormat    = []byte("format")
	keyBoot      = []byte("boot")
	keySeq       = []byte("seq")
	keyWatermark = []byte("watermark")
	keyDropped   = []byte("dropped")
	keyLifetime  = []byte("lifetime")
	keyEpoch     = []byte("epoch")
)

const formatName = "wufang-store/1"

// Open opens or creates the store at path (its folder is created). A file
// that bbolt cannot open, or whose content is not a store, is moved aside as
// path.corrupt-<timestamp>, logged at Error and replaced by a fresh store;
// Stats().Recovered names where it went. If another process holds the file,
// Open returns ErrLocked after about a second.
func Open(path string, opts Options) (*Store, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("store: create folder: %w", err)
	}
	s := &Store{path: path, opts: opts, log: opts.Logger, broken: make(chan struct{})}
	// A file that exists but is empty (truncated to nothing, a new card
	// with the old layout copied over) would silently start at seq 1.
	fi, statErr := os.Stat(path)
	empty := statErr == nil && fi.Size() == 0
	err := s.openDB(false)
	if err == nil && empty {
		s.log.Error("store: the database file was empty", "file", path)
		err = s.restore(salvaged{}, "the file was empty")
	}
	if errors.Is(err, ErrCorrupt) {
		aside := fmt.Sprintf("%s.corrupt-%s", path, opts.Clock.Now().UTC().Format("20060102T150405Z"))
		if _, statErr := os.Stat(aside); statErr == nil {
			aside += "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		}
		if rerr := os.Rename(path, aside); rerr != nil {
			return nil, fmt.Errorf("store: move corrupt %s aside: %w (it failed with: %v)", path, rerr, err)
		}
		_ = atomicfile.SyncDir(filepath.Dir(path)) // best effort: keep the move aside over a power cut
		s.log.Error("store: database file damaged; moved aside, salvaging what can be read into a fresh one",
			"file", path, "moved_to", aside, "err", err)
		s.recovered = aside
		_ = os.Remove(path + checkSuffix)
		why := err.Error()
		if err = s.openDB(false); err == nil {
			var sv salvaged
			if sv, err = s.salvageFrom(aside); err == nil {
				err = s.restore(sv, why)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	s.makeReserve()
	s.reqs = make(chan *request, maxBatch)
	s.changed = make(chan struct{}, 1)
	s.acks = make(chan struct{}, 1)
	s.quit = make(chan struct{})
	s.stopped = make(chan struct{})
	go s.writer()
	return s, nil
}

// OpenReadOnly opens an existing store for reading, without starting a new
// boot (for `wufang-edge status` when the daemon is not running). If the
// daemon holds the file it returns ErrLocked; a damaged file gives
// ErrCorrupt and is left where it is.
func OpenReadOnly(path string, opts Options) (*Store, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s := &Store{path: path, opts: opts, log: opts.Logger, readOnly: true}
	if err := s.openDB(true); err != nil {
		return nil, err
	}
	s.changed = make(chan struct{}, 1)
	s.stopped = make(chan struct{})
	close(s.stopped)
	return s, nil
}

// openDB opens bbolt and loads the state; for a writable store it also
// starts a new boot. Anything that shows the file is not a readable store
// is reported as ErrCorrupt.
func (s *Store) openDB(readOnly bool) (err error) {
	bo := &bolt.Options{
		Timeout:      lockTimeout,
		ReadOnly:     readOnly,
		FreelistType: bolt.FreelistMapType,
	}
	if !readOnly {
		bo.MaxSize = int(s.opts.MaxBytes)
	}
	if _, statErr := os.Stat(s.path + checkSuffix); statErr == nil && !readOnly {
		// A read or write found the file damaged last time: check every
		// page now, in a child process (see childEnv).
		err := checkInChild(s.path)
		if errors.Is(err, errNoChild) {
			s.log.Warn("store: cannot run the full check of a file marked for it; opening it as it is", "file", s.path, "err", err)
		} else if err != nil {
			return err
		}
	}
	var db *bolt.DB
	var file *os.File
	bo.OpenFile = func(name string, flag int, mode os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag, mode)
		file = f
		return f, err
	}
	func() {
		// Opening reads the meta pages and, for writing, the freelist.
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%w: %s: %v", ErrCorrupt, s.path, r)
				// bbolt gave up half way with the file locked and mapped
				// (the mapping keeps the lock alive past a close): unlock
				// it so the salvage can read it.
				if file != nil {
					unlockFile(file)
					file.Close()
				}
			}
		}()
		db, err = bolt.Open(s.path, 0o600, bo)
	}()
	switch {
	case err == nil:
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("%w: %s", ErrLocked, s.path)
	case errors.Is(err, ErrCorrupt):
		return err
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch),
		errors.Is(err, berrors.ErrChecksum), isSizeError(err):
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, s.path, err)
	default:
		return fmt.Errorf("store: open %s: %w", s.path, err)
	}
	if err := s.load(db, readOnly); err != nil {
		db.Close()
		return err
	}
	s.db = db
	if !readOnly {
		s.cap = newCapacity(s.opts.MaxBytes, db.Info().PageSize)
		db.AllocSize = s.cap.alloc
		s.enforceCapAtOpen()
		_ = os.Remove(s.path + ".compact") // left by a crash during compaction
		_ = os.Remove(s.path + checkSuffix)
	}
	return nil
}

// isSizeError recognises bbolt's untyped errors about a file that is too
// short or has impossible pages.
func isSizeError(err error) bool {
	msg := err.Error()
	for _, m := range []string{"file size too small", "invalid page type", "unexpected page"} {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}

// load reads the state; a writable store also creates the buckets and
// counts the boot. Faults while reading the mapped file (a truncated or
// damaged file) become ErrCorrupt instead of crashing the process.
func (s *Store) load(db *bolt.DB, readOnly bool) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s: %v", ErrCorrupt, s.path, r)
		}
	}()
	if fi, statErr := os.Stat(s.path); statErr == nil {
		// A file shorter than bbolt's high-water mark was truncated: reading
		// its tail through the mapping would fault.
		tx, berr := db.Begin(false)
		if berr != nil {
			return fmt.Errorf("%w: %s: %v", ErrCorrupt, s.path, berr)
		}
		size := tx.Size()
		_ = tx.Rollback()
		if size > fi.Size() {
			return fmt.Errorf("%w: %s: file is %d bytes, its pages need %d (truncated)", ErrCorrupt, s.path, fi.Size(), size)
		}
	}
	read := func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			if tx.Bucket(bucketEvents) != nil || tx.Bucket(bucketDays) != nil {
				return fmt.Errorf("%w: %s: meta bucket missing", ErrCorrupt, s.path)
			}
			if readOnly {
				return fmt.Errorf("%w: %s: not a wufang store (no meta bucket)", ErrCorrupt, s.path)
			}
			// Only a brand-new file may lack the meta bucket; a file with
			// foreign buckets is not ours.
			if c := tx.Cursor(); func() bool { k, _ := c.First(); return k != nil }() {
				return fmt.Errorf("%w: %s: not a wufang store", ErrCorrupt, s.path)
			}
			return nil
		}
		if f := meta.Get(keyFormat); string(f) != formatName {
			return fmt.Errorf("%w: %s: format %q, want %q", ErrCorrupt, s.path, f, formatName)
		}
		if e := string(meta.Get(keyEpoch)); wire.ValidEpoch(e) {
			s.epoch = e
		}
		s.boot = getUint(meta, keyBoot)
		s.lastSeq = getUint(meta, keySeq)
		s.watermark = getUint(meta, keyWatermark)
		s.dropped = getUint(meta, keyDropped)
		s.lost = readLost(meta)
		if b := meta.Get(keyLifetime); b != nil {
			if err := json.Unmarshal(b, &s.lifetime); err != nil {
				return fmt.Errorf("%w: %s: lifetime counters: %v", ErrCorrupt, s.path, err)
			}
		}
		ev := tx.Bucket(bucketEvents)
		if ev == nil || tx.Bucket(bucketDays) == nil {
			return fmt.Errorf("%w: %s: bucket missing", ErrCorrupt, s.path)
		}
		s.firstSeq = s.lastSeq + 1
		c := ev.Cursor()
		if k, _ := c.First(); k != nil {
			if len(k) != 8 {
				return fmt.Errorf("%w: %s: bad event key", ErrCorrupt, s.path)
			}
			s.firstSeq = binary.BigEndian.Uint64(k)
		}
		if k, v := c.Last(); k != nil {
			if len(k) != 8 || binary.BigEndian.Uint64(k) > s.lastSeq {
				return fmt.Errorf("%w: %s: events after the last sequence number", ErrCorrupt, s.path)
			}
			if e, err := decodeEvent(binary.BigEndian.Uint64(k), v); err == nil {
				s.lastTime = e.Time
			}
		}
		if s.watermark > s.lastSeq {
			s.watermark = s.lastSeq
		}
		return nil
	}
	if readOnly {
		err = db.View(read)
	} else {
		err = db.Update(func(tx *bolt.Tx) error {
			if err := read(tx); err != nil {
				return err
			}
			meta, err := tx.CreateBucketIfNotExists(bucketMeta)
			if err != nil {
				return err
			}
			if _, err := tx.CreateBucketIfNotExists(bucketEvents); err != nil {
				return err
			}
			if _, err := tx.CreateBucketIfNotExists(bucketDays); err != nil {
				return err
			}
			if s.firstSeq == 0 {
				s.firstSeq = s.lastSeq + 1
			}
			s.boot++
			if err := meta.Put(keyFormat, []byte(formatName)); err != nil {
				return err
			}
			if s.epoch == "" {
				// A new file, or one written before epochs existed: it gets
				// its epoch now and keeps it.
				s.epoch = newEpoch()
				if err := meta.Put(keyEpoch, []byte(s.epoch)); err != nil {
					return err
				}
				if s.lastSeq > 0 {
					s.log.Info("store: file had no epoch; gave it one", "file", s.path, "epoch", s.epoch, "last_seq", s.lastSeq)
				}
			}
			return putUint(meta, keyBoot, s.boot)
		})
	}
	if err != nil {
		if errors.Is(err, ErrCorrupt) {
			return err
		}
		return fmt.Errorf("store: load %s: %w", s.path, err)
	}
	s.wmSaved = s.watermark
	s.acked = map[uint64]struct{}{}
	s.advanceLocked() // over lost ranges
	s.days = map[string]wire.Daily{}
	today := s.dateOf(s.opts.Clock.Now())
	if d, ok, err := readDay(db, today); err != nil {
		return fmt.Errorf("%w: %s: day %s: %v", ErrCorrupt, s.path, today, err)
	} else if ok {
		s.days[today] = d
	}
	return nil
}

func readDay(db *bolt.DB, date string) (wire.Daily, bool, error) {
	var d wire.Daily
	var ok bool
	err := db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDays)
		if b == nil {
			return nil
		}
		v := b.Get([]byte(date))
		if v == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(v, &d)
	})
	return d, ok, err
}

func getUint(b *bolt.Bucket, k []byte) uint64 {
	v := b.Get(k)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func putUint(b *bolt.Bucket, k []byte, v uint64) error {
	return b.Put(k, binary.BigEndian.AppendUint64(nil, v))
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 0, 8), seq) }

func (s *Store) dateOf(t time.Time) string { return t.In(s.opts.Location).Format(wire.DateLayout) }

// newEpoch returns a fresh random epoch (see wire.EpochPattern).
func newEpoch() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on Linux
	return hex.EncodeToString(b[:])
}

// Record appends e and counts it. It assigns V, Seq and Boot (and Time when
// zero) and returns once the event and the counters are on disk. Free-text
// fields are fitted to the contract (wire.Event.Sanitized); an event that
// still fails wire.Event.Check is refused with ErrInvalidEvent. Concurrent
// calls share one transaction. If ctx ends first Record returns ctx.Err();
// the event may still be recorded.
func (s *Store) Record(ctx context.Context, e wire.Event) error {
	if s.readOnly {
		return ErrReadOnly
	}
	if e.Time.IsZero() {
		e.Time = s.opts.Clock.Now()
	}
	e = e.Sanitized() // a visitor is counted even if a sensor is oddly named
	if s.opts.ClockSynced != nil && !s.opts.ClockSynced() {
		e.ClockUnsynced = true
	}
	if err := e.Check(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidEvent, err)
	}
	s.mu.Lock()
	closed, failed := s.closed, s.failed
	s.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if failed != nil {
		s.mu.Lock()
		s.recordFailures++
		s.mu.Unlock()
		return failed
	}
	r := &request{ev: e, done: make(chan error, 1)}
	select {
	case s.reqs <- r:
	case <-s.quit:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-r.done:
		return err
	case <-s.stopped:
		// The writer ended; it answers every request it took before that.
		select {
		case err := <-r.done:
			return err
		default:
			return ErrClosed
		}
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Pending returns up to max events with seq > after, in ascending order.
// Events dropped because of the disk cap are skipped (they count as
// acknowledged).
func (s *Store) Pending(after uint64, max int) (_ []wire.Event, err error) {
	if max <= 0 {
		return nil, nil
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer s.guard("pending", &err)
	s.dbMu.RLock()
	defer s.dbMu.RUnlock()
	if s.db == nil {
		return nil, ErrClosed
	}
	// Events bbolt has committed but the store has not yet taken into its
	// state (Ack, Totals) are left for the next call, which Changed
	// announces.
	s.mu.Lock()
	last, epoch := s.lastSeq, s.epoch
	s.mu.Unlock()
	var out []wire.Event
	var bad []uint64
	err = s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketEvents).Cursor()
		for k, v := c.Seek(seqKey(after + 1)); k != nil && len(out) < max; k, v = c.Next() {
			if len(k) != 8 {
				return fmt.Errorf("%w: %s: event key %x", ErrCorrupt, s.path, k)
			}
			seq := binary.BigEndian.Uint64(k)
			if seq > last {
				break
			}
			e, err := decodeEvent(seq, v)
			if err != nil {
				bad = append(bad, seq)
				continue
			}
			e.Epoch = epoch
			out = append(out, e)
			s.touched.Add(int64(len(v) + 24))
		}
		s.releaseIfDue(tx)
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrCorrupt) {
			s.fail(err)
		}
		return nil, fmt.Errorf("store: pending: %w", err)
	}
	for _, seq := range bad {
		// An unreadable event can never be sent; treat it as dropped so the
		// watermark does not stall on it.
		s.mu.Lock()
		_, seen := s.acked[seq]
		counted := !seen && seq > s.watermark
		if counted {
			s.dropped++
			s.ackLocked(seq)
		}
		s.mu.Unlock()
		if counted { // logged once, not at every read after a reconnection
			s.log.Error("store: unreadable event skipped; counted as dropped", "file", s.path, "seq", seq)
		}
	}
	return out, nil
}

// Ack records that the broker acknowledged seq. The watermark advances over
// contiguous acknowledgements only; an ack beyond a gap is remembered until
// the gap fills. Acks reach the disk with the next commit or within about a
// second; a crash before that only causes a few events to be sent again.
func (s *Store) Ack(seq uint64) error {
	if s.readOnly {
		return ErrReadOnly
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if seq == 0 || seq > s.lastSeq {
		return fmt.Errorf("%w: ack %d, last recorded %d", ErrUnknownSeq, seq, s.lastSeq)
	}
	s.ackLocked(seq)
	return nil
}

func (s *Store) ackLocked(seq uint64) {
	if seq <= s.watermark {
		return
	}
	s.acked[seq] = struct{}{}
	s.advanceLocked()
	if s.watermark != s.wmSaved {
		select {
		case s.acks <- struct{}{}:
		default: // the writer has been told already
		}
	}
}

// advanceLocked moves the watermark over remembered acks and lost ranges.
func (s *Store) advanceLocked() {
	for {
		for len(s.lost) > 0 && s.lost[0].To <= s.watermark {
			s.lost = s.lost[1:]
		}
		if len(s.lost) > 0 && s.lost[0].From <= s.watermark+1 {
			s.watermark = s.lost[0].To
			continue
		}
		if _, ok := s.acked[s.watermark+1]; !ok {
			break
		}
		delete(s.acked, s.watermark+1)
		s.watermark++
	}
	if len(s.acked) > 0 {
		for k := range s.acked {
			if k <= s.watermark {
				delete(s.acked, k)
			}
		}
	}
}

// Watermark returns the highest seq up to which every event is acknowledged
// (or was dropped).
func (s *Store) Watermark() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.watermark
}

// Totals returns the lifetime counters and today's (in the site's time
// zone, by the store's clock), with the highest seq they include.
func (s *Store) Totals() wire.Totals {
	now := s.opts.Clock.Now()
	today := s.dateOf(now)
	day, _ := s.Day(today)
	s.mu.Lock()
	defer s.mu.Unlock()
	// Re-read today's counters under the lock so they and Seq agree.
	if d, ok := s.days[today]; ok {
		day = d.Counters.Clone()
	}
	return wire.Totals{
		V:        wire.Version,
		Site:     s.opts.Site,
		Device:   s.opts.Device,
		Epoch:    s.epoch,
		Seq:      s.lastSeq,
		Boot:     s.boot,
		Lifetime: s.lifetime.Clone(),
		Today:    day,
		Date:     today,
		TimeZone: s.opts.Location.String(),
		Time:     now,
	}
}

// Day returns the counters of one day (yyyy-mm-dd, site time zone); ok is
// false when nothing was counted that day.
func (s *Store) Day(date string) (wire.Counters, bool) {
	s.mu.Lock()
	d, ok := s.days[date]
	s.mu.Unlock()
	if ok {
		return d.Counters.Clone(), true
	}
	s.dbMu.RLock()
	defer s.dbMu.RUnlock()
	if s.db == nil {
		return wire.Counters{}, false
	}
	var err error
	func() {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer s.guard("day", &err)
		d, ok, err = readDay(s.db, date)
	}()
	if err != nil {
		s.log.Error("store: read day", "date", date, "err", err)
		return wire.Counters{}, false
	}
	return d.Counters, ok
}

// Days returns the days from..to (inclusive, yyyy-mm-dd) that have
// counters, in date order.
func (s *Store) Days(from, to string) ([]wire.Daily, error) {
	return s.daysWhere(func(k string) bool { return k >= from }, func(k string) bool { return k <= to }, from)
}

// ClosedDaysAfter returns the days after date (exclusive) that have ended
// by the store's clock, in date order: what the uplink publishes as
// retained daily/{date}. Use "" for all of them.
func (s *Store) ClosedDaysAfter(date string) ([]wire.Daily, error) {
	today := s.dateOf(s.opts.Clock.Now())
	return s.daysWhere(func(k string) bool { return k > date }, func(k string) bool { return k < today }, date)
}

// ClosedDaysChangedSince returns the closed days (by the store's clock)
// whose counters include an event with seq > seq, in date order. An event
// stamped before midnight but recorded after it lands in a day that has
// already closed; an uplink that remembers the Totals.Seq of its last daily
// publication can republish exactly the days that changed.
func (s *Store) ClosedDaysChangedSince(seq uint64) ([]wire.Daily, error) {
	days, err := s.ClosedDaysAfter("")
	if err != nil {
		return nil, err
	}
	out := days[:0]
	for _, d := range days {
		if d.Seq > seq {
			out = append(out, d)
		}
	}
	return out, nil
}

func (s *Store) daysWhere(keep func(string) bool, more func(string) bool, seek string) (_ []wire.Daily, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer s.guard("days", &err)
	s.dbMu.RLock()
	defer s.dbMu.RUnlock()
	if s.db == nil {
		return nil, ErrClosed
	}
	s.mu.Lock()
	epoch := s.epoch
	s.mu.Unlock()
	var out []wire.Daily
	err = s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketDays).Cursor()
		for k, v := c.Seek([]byte(seek)); k != nil && more(string(k)); k, v = c.Next() {
			if !keep(string(k)) {
				continue
			}
			var d wire.Daily
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("day %s: %w", k, err)
			}
			d.Epoch = epoch // days written before epochs existed have none
			out = append(out, d)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: days: %w", err)
	}
	return out, nil
}

// Changed is signalled (without blocking; capacity one) after each commit
// that recorded events.
func (s *Store) Changed() <-chan struct{} { return s.changed }

// Stats returns the store's figures for status and metrics.
func (s *Store) Stats() Stats {
	var size int64
	if fi, err := os.Stat(s.path); err == nil {
		size = fi.Size()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{
		Epoch:       s.epoch,
		Boot:        s.boot,
		LastSeq:     s.lastSeq,
		Watermark:   s.watermark,
		Backlog:     s.lastSeq - s.watermark - s.lostIn(s.watermark+1),
		Dropped:     s.dropped,
		Events:      s.lastSeq + 1 - s.firstSeq - s.lostIn(s.firstSeq),
		Bytes:       size,
		MaxBytes:    s.opts.MaxBytes,
		Recovered:   s.recovered,
		Compactions: s.compacts,
		Commits:     s.commits,

		State:          s.stateLocked(),
		LastError:      plainError(cmp.Or(s.failed, s.writeErr)),
		LastErrorAt:    s.writeErrAt,
		RecordFailures: s.recordFailures,
	}
}

// lostIn counts the lost seqs from from to lastSeq (gaps a salvage left in
// the held events); s.mu is held.
func (s *Store) lostIn(from uint64) uint64 {
	var n uint64
	for _, r := range s.lost {
		if lo, hi := max(r.From, from), min(r.To, s.lastSeq); lo <= hi {
			n += hi - lo + 1
		}
	}
	return n
}

// releaseEvery is how many bytes may be read or written through bbolt's
// mapping before its pages are released from the resident set.
const releaseEvery = 4 << 20

// releaseIfDue releases the mapped pages once enough have been touched; tx
// is an open transaction (so the mapping cannot move).
func (s *Store) releaseIfDue(tx *bolt.Tx) {
	if s.touched.Load() < releaseEvery {
		return
	}
	s.touched.Store(0)
	releaseMapped(tx.DB().Info().Data, tx.Size())
}

// guard turns a panic while reading the mapped file (a damaged page) into
// ErrCorrupt, and leaves a marker so the next Open checks the whole file
// and moves it aside if needed: the process reports the damage instead of
// crashing and restarting into the same crash.
func (s *Store) guard(op string, err *error) {
	r := recover()
	if r == nil {
		return
	}
	*err = fmt.Errorf("%w: %s: %s: %v", ErrCorrupt, s.path, op, r)
	s.fail(*err)
}

// fail puts the store out of service after it met a damaged page: it
// refuses further writes, leaves the check marker and closes Broken. The
// process should then exit non-zero: the restart checks the file in a
// child process and salvages it into a fresh one, so the device is back
// with its counters, sequence and readable backlog.
func (s *Store) fail(err error) {
	s.markForCheck(err)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failed == nil {
		s.failed = err
		if s.broken != nil {
			close(s.broken)
		}
	}
}

// Broken is closed once the store met a damaged page and refuses writes;
// Err then says why. The caller should stop and exit non-zero so that its
// restart repairs the file (see Open).
func (s *Store) Broken() <-chan struct{} { return s.broken }

// Err is why the store is out of service (see Broken), or nil.
func (s *Store) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}

func (s *Store) markForCheck(err error) {
	s.log.Error("store: database file damaged; it will be checked at the next start", "file", s.path, "err", err)
	_ = os.WriteFile(s.path+checkSuffix, []byte(err.Error()+"\n"), 0o600)
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Close commits what was accepted, writes the watermark and closes the file.
func (s *Store) Close() error {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	if !s.readOnly {
		close(s.quit)
		<-s.stopped
	}
	s.dbMu.Lock()
	defer s.dbMu.Unlock()
	if s.db == nil {
		return nil
	}
	err := s.db.Close()
	s.db = nil
	if err != nil {
		return fmt.Errorf("store: close %s: %w", s.path, err)
	}
	return nil
}
