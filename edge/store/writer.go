package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/internal/atomicfile"
)

// clockSlack is how far an event's time may lie before the latest one
// recorded without the clock being suspect (recorders stamp events a
// little before they hand them over, in any order).
const clockSlack = time.Minute

// flushEvery bounds, in wall time, how long an acknowledgement waits to be
// written when no events are being recorded; it only bounds how many events a
// crash makes the uplink resend, so it does not use the injected clock.
const flushEvery = time.Second

// housekeepEvery is how often, in wall time, an idle store looks for events
// past retention (a commit does it too). An idle store wakes for nothing
// else: the kiosk's idle CPU is counted in wake-ups.
const housekeepEvery = time.Minute

// writer is the one goroutine that writes: it gathers every waiting Record
// into one transaction (group commit), and writes acks and retention in
// between.
func (s *Store) writer() {
	defer close(s.stopped)
	housekeep := time.NewTicker(housekeepEvery)
	defer housekeep.Stop()
	var flush <-chan time.Time // armed while a moved watermark waits for disk
	batch := make([]*request, 0, maxBatch)
	for {
		select {
		case r := <-s.reqs:
			batch = append(batch[:0], r)
			// Callers answered by the previous commit are about to send
			// again: let them run once before closing the batch, so a
			// steady stream of recorders shares one fsync instead of
			// alternating between a tiny and a full batch.
			batch = s.gather(batch)
			runtime.Gosched()
			batch = s.gather(batch)
			s.commitBatch(batch)
			clear(batch)
		case <-s.acks:
			if flush == nil {
				flush = time.After(flushEvery)
			}
		case <-flush:
			flush = nil
			s.mu.Lock()
			dirty := s.watermark != s.wmSaved
			s.mu.Unlock()
			if dirty {
				s.commitBatch(nil)
			}
		case <-housekeep.C:
			s.checkSpace()
			s.commitBatch(nil)
		case <-s.quit:
			// Commit what callers handed over before Close, then the acks.
			for {
				batch = s.gather(batch[:0])
				if len(batch) == 0 {
					break
				}
				s.commitBatch(batch)
				clear(batch)
			}
			s.commitBatch(nil)
			return
		}
	}
}

// gather appends the requests waiting in the queue, up to maxBatch.
func (s *Store) gather(batch []*request) []*request {
	for len(batch) < maxBatch {
		select {
		case r := <-s.reqs:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// commitBatch commits batch (possibly empty: then only acks and
// housekeeping) and answers every request in it.
func (s *Store) commitBatch(batch []*request) {
	err := s.commitWithRoom(batch)
	s.noteWrite(err, len(batch))
	for _, r := range batch {
		r.done <- err
	}
	if err == nil && len(batch) > 0 {
		select {
		case s.changed <- struct{}{}:
		default:
		}
	}
}

// commitWithRoom commits, and when bbolt reports the file would outgrow the
// cap, drops old events, compacts if that is not enough, and retries.
func (s *Store) commitWithRoom(batch []*request) (err error) {
	s.mu.Lock()
	failed := s.failed
	s.mu.Unlock()
	if failed != nil {
		return failed
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s: write failed, refusing further writes until restart: %v", ErrCorrupt, s.path, r)
			s.fail(err)
		}
	}()
	noSpace := 0
	for attempt := 0; ; attempt++ {
		err = s.commit(batch, 0)
		if isNoSpace(err) && noSpace < 4 {
			// The disk is full (whatever the cap says): give back the
			// reserve, shrink the cap to the file's pages (the commit then
			// drops the oldest events to fit) and try again; after that,
			// first drop a tenth, then a quarter of the events in a
			// transaction of their own, which needs fewer new pages and
			// leaves freed pages for the next.
			noSpace++
			s.onNoSpace(err)
			if noSpace > 1 {
				s.mu.Lock()
				held := s.lastSeq + 1 - s.firstSeq
				s.mu.Unlock()
				_ = s.commit(nil, held/[]uint64{10, 10, 4}[noSpace-2]+1)
			}
			attempt--
			continue
		}
		if !errors.Is(err, berrors.ErrMaxSizeReached) {
			break
		}
		switch attempt {
		case 0:
			// Free pages in place: drop a tenth of the events. This
			// transaction needs a few new pages itself and may fail too.
			s.mu.Lock()
			held := s.lastSeq + 1 - s.firstSeq
			s.mu.Unlock()
			if derr := s.commit(nil, held/10+1); derr != nil && !errors.Is(derr, berrors.ErrMaxSizeReached) {
				return fmt.Errorf("store: make room: %w", derr)
			}
		case 1:
			// Fragmentation or no free page left: rewrite the file without
			// the oldest events.
			if cerr := s.compact(s.dropsToFit(len(batch))); cerr != nil {
				return fmt.Errorf("store: compact: %w", cerr)
			}
		case 2:
			// Still no room: leave out half of what is held.
			s.mu.Lock()
			held := s.lastSeq + 1 - s.firstSeq
			s.mu.Unlock()
			if cerr := s.compact(max(s.dropsToFit(len(batch)), held/2)); cerr != nil {
				return fmt.Errorf("store: compact: %w", cerr)
			}
		default:
			return fmt.Errorf("%w: %s: %d events do not fit under %d bytes: %v", ErrFull, s.path, len(batch), s.opts.MaxBytes, err)
		}
	}
	if err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// commit writes one transaction: batch's events and counters, retention,
// the cap (dropping oldest events when the live data nears the budget, at
// least force of them), and the watermark. The in-memory state changes only
// once bbolt has committed.
func (s *Store) commit(batch []*request, force uint64) error {
	now := s.opts.Clock.Now()
	s.mu.Lock()
	seq := s.lastSeq
	boot, epoch := s.boot, s.epoch
	wm := s.watermark
	first := s.firstSeq
	dropped := s.dropped
	life := s.lifetime.Clone()
	touched := map[string]wire.Daily{}
	dates := make([]string, len(batch))
	for i, r := range batch {
		seq++
		r.ev.V, r.ev.Epoch, r.ev.Seq, r.ev.Boot = wire.Version, epoch, seq, boot
		// A clock set back (by hand, or a board without a real-time clock
		// booting offline) stamps an event before the one recorded last.
		// Only that step is marked: keeping the latest time ever seen would
		// mark everything for years after one event from a wild clock.
		if r.ev.Time.Before(s.lastTime.Add(-clockSlack)) {
			r.ev.ClockUnsynced = true
		}
		s.lastTime = r.ev.Time
		dates[i] = s.dateOf(r.ev.Time)
		if _, ok := touched[dates[i]]; !ok {
			if d, ok := s.days[dates[i]]; ok {
				d.Counters = d.Counters.Clone()
				touched[dates[i]] = d
			}
		}
	}
	s.mu.Unlock()

	var (
		newFirst   = first
		newDropped = dropped
		newWM      = wm
		freed      uint64
	)
	s.dbMu.RLock()
	defer s.dbMu.RUnlock()
	if s.db == nil {
		return ErrClosed
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		events := tx.Bucket(bucketEvents)
		events.FillPercent = 1.0
		days := tx.Bucket(bucketDays)
		meta := tx.Bucket(bucketMeta)

		// Drops and retention only ever remove the oldest events, so the
		// held events stay one contiguous range of seqs.
		drop := func(n uint64, onlyExpired bool) error {
			cutoff := now.Add(-s.opts.Retention)
			c := events.Cursor()
			var del [][]byte
			for k, v := c.First(); k != nil && uint64(len(del)) < n; k, v = c.Next() {
				if len(k) != 8 {
					return fmt.Errorf("%w: %s: event key %x", ErrCorrupt, s.path, k)
				}
				sq := binary.BigEndian.Uint64(k)
				if onlyExpired {
					if sq > newWM {
						break
					}
					e, err := decodeEvent(sq, v)
					if err == nil && !e.Time.Before(cutoff) {
						break
					}
				}
				del = append(del, k)
			}
			s.mu.Lock() // acks beyond the watermark: delivered, not dropped
			defer s.mu.Unlock()
			for _, k := range del {
				sq := binary.BigEndian.Uint64(k)
				if err := events.Delete(k); err != nil {
					return err
				}
				if sq > newWM {
					if _, acked := s.acked[sq]; !acked {
						newDropped++
					}
					newWM = sq
				}
				newFirst = sq + 1
				freed++
			}
			return nil
		}
		if err := drop(retentionChunk, true); err != nil {
			return err
		}

		held := seq - uint64(len(batch)) + 1 - newFirst
		need := s.cap.overBudget(tx.Size(), s.db.Stats(), len(batch), held)
		if force > need {
			need = force
		}
		if need > 0 {
			before := newDropped
			if err := drop(need, false); err != nil {
				return err
			}
			if newDropped > before {
				s.log.Warn("store: disk cap reached; dropped oldest unsent events (counters keep them)",
					"file", s.path, "dropped", newDropped-before, "dropped_total", newDropped, "max_bytes", s.opts.MaxBytes)
			}
		}

		buf := make([]byte, 0, 64*len(batch))
		for i, r := range batch {
			start := len(buf)
			buf = encodeEvent(buf, &r.ev)
			if err := events.Put(seqKey(r.ev.Seq), buf[start:len(buf):len(buf)]); err != nil {
				return err
			}
			s.cap.observe(len(buf) - start)
			d, ok := touched[dates[i]]
			if !ok {
				if v := days.Get([]byte(dates[i])); v != nil {
					if err := json.Unmarshal(v, &d); err != nil {
						return fmt.Errorf("day %s: %w", dates[i], err)
					}
				}
				d.V, d.Date = wire.Version, dates[i]
			}
			if d.Epoch != epoch {
				d.Epoch = epoch
			}
			d.Counters.Add(r.ev)
			d.Seq = r.ev.Seq
			touched[dates[i]] = d
			life.Add(r.ev)
		}
		for date, d := range touched {
			b, err := json.Marshal(d)
			if err != nil {
				return err
			}
			if err := days.Put([]byte(date), b); err != nil {
				return err
			}
		}
		if len(batch) > 0 {
			b, err := json.Marshal(life)
			if err != nil {
				return err
			}
			if err := meta.Put(keyLifetime, b); err != nil {
				return err
			}
			if err := putUint(meta, keySeq, seq); err != nil {
				return err
			}
		}
		// Acks (and unreadable events skipped by Pending) that arrived
		// since the snapshot are written too.
		s.mu.Lock()
		if s.watermark > newWM {
			newWM = s.watermark
		}
		total := s.dropped + (newDropped - dropped)
		s.mu.Unlock()
		if err := putUint(meta, keyDropped, total); err != nil {
			return err
		}
		return putUint(meta, keyWatermark, newWM)
	})
	if err != nil {
		return err
	}
	if s.touched.Add(int64(len(batch))*64+int64(freed)*64) >= releaseEvery {
		_ = s.db.View(func(tx *bolt.Tx) error { s.releaseIfDue(tx); return nil })
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastSeq = seq
	s.lifetime = life
	if len(batch) > 0 {
		s.commits++
	}
	s.dropped += newDropped - dropped
	if newFirst > s.firstSeq {
		s.firstSeq = newFirst
	}
	if len(batch) > 0 && s.firstSeq > seq {
		s.firstSeq = seq + 1
	}
	if s.firstSeq == 0 {
		s.firstSeq = seq + 1
	}
	if newWM > s.watermark {
		s.watermark = newWM
	}
	s.advanceLocked()
	s.wmSaved = newWM
	today := s.dateOf(now)
	for date := range s.days {
		if _, ok := touched[date]; !ok && date != today {
			delete(s.days, date)
		}
	}
	for date, d := range touched {
		s.days[date] = d
	}
	return nil
}

// retentionChunk bounds the expired events one transaction deletes.
const retentionChunk = 20000

// checkSuffix names the marker file left when a write found the file
// damaged; the next Open checks the whole file when it exists.
const checkSuffix = ".check"

// dropsToFit returns how many of the oldest events a compaction must leave
// out so the live data, plus room for incoming events, comes down to the
// low mark. It walks the events bucket, which is fine for this rare path.
func (s *Store) dropsToFit(incoming int) uint64 {
	s.dbMu.RLock()
	defer s.dbMu.RUnlock()
	var bs bolt.BucketStats
	var size int64
	_ = s.db.View(func(tx *bolt.Tx) error {
		size = tx.Size()
		bs = tx.Bucket(bucketEvents).Stats()
		return nil
	})
	if bs.KeyN == 0 {
		return 0
	}
	page := int64(s.cap.page)
	eventBytes := int64(bs.LeafInuse + bs.BranchInuse)
	per := max(eventBytes/int64(bs.KeyN), 1)
	st := s.db.Stats()
	live := size - int64(st.FreePageN+st.PendingPageN)*page
	// After compaction the events take eventBytes (pages filled), the rest
	// what it takes now at most.
	other := max(live-int64(bs.LeafPageN+bs.LeafOverflowN+bs.BranchPageN+bs.BranchOverflowN)*page, 0)
	target := s.cap.low - other - 2*int64(incoming)*s.cap.perEvent()
	if target <= 0 {
		return uint64(bs.KeyN)
	}
	keep := target / per
	if keep >= int64(bs.KeyN) {
		return 0
	}
	return uint64(int64(bs.KeyN) - keep)
}

// compact copies the live data into a new file, packed full, leaving out
// the oldest drop events (counted as dropped if unsent), and renames it over
// the old one: bbolt never gives pages back to the file system, so this is
// how the file shrinks. It runs on the writer goroutine (or in Open).
func (s *Store) compact(drop uint64) error {
	s.dbMu.Lock()
	defer s.dbMu.Unlock()
	tmp := s.path + ".compact"
	_ = os.Remove(tmp)
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: lockTimeout, NoSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return err
	}
	dst.AllocSize = s.cap.alloc
	fail := func(err error) error {
		dst.Close()
		os.Remove(tmp)
		return err
	}

	s.mu.Lock()
	first, wm, dropped := s.firstSeq, s.watermark, s.dropped
	newFirst := first + drop
	newWM, newDropped := wm, dropped
	if last := newFirst - 1; drop > 0 && last > wm {
		from := max(wm, first-1) // (from, last] are left out unacknowledged...
		newDropped += last - from
		for sq := range s.acked { // ...but for those acknowledged out of order
			if sq > from && sq <= last {
				newDropped--
			}
		}
		newWM = last
	}
	s.mu.Unlock()
	if err := copyDB(dst, s.db, seqKey(newFirst)); err != nil {
		return fail(err)
	}
	err = dst.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if err := putUint(meta, keyDropped, newDropped); err != nil {
			return err
		}
		return putUint(meta, keyWatermark, newWM)
	})
	if err != nil {
		return fail(err)
	}
	if err := dst.Sync(); err != nil {
		return fail(err)
	}
	var hwm int64
	_ = dst.View(func(tx *bolt.Tx) error { hwm = tx.Size(); return nil })
	if err := dst.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	// bbolt sized the new file by its own growth steps; only the pages up
	// to the high-water mark hold data, so cut the rest off.
	if err := truncateSync(tmp, hwm); err != nil {
		os.Remove(tmp)
		return err
	}
	before := int64(0)
	if fi, err := os.Stat(s.path); err == nil {
		before = fi.Size()
	}
	if err := s.db.Close(); err != nil {
		return err
	}
	s.db = nil
	renameErr := os.Rename(tmp, s.path)
	_ = atomicfile.SyncDir(filepath.Dir(s.path))
	db, err := bolt.Open(s.path, 0o600, &bolt.Options{Timeout: lockTimeout, FreelistType: bolt.FreelistMapType, MaxSize: int(s.opts.MaxBytes)})
	if err != nil {
		return fmt.Errorf("reopen after compaction: %w", err)
	}
	db.AllocSize = s.cap.alloc
	s.db = db
	if renameErr != nil {
		return renameErr
	}
	after := int64(0)
	if fi, err := os.Stat(s.path); err == nil {
		after = fi.Size()
	}
	s.mu.Lock()
	s.compacts++
	if newFirst > s.firstSeq {
		s.firstSeq = newFirst
	}
	s.dropped += newDropped - dropped
	if newWM > s.watermark {
		s.watermark = newWM
	}
	s.advanceLocked()
	s.wmSaved = newWM
	s.mu.Unlock()
	if newDropped > dropped {
		s.log.Warn("store: disk cap reached; dropped oldest unsent events (counters keep them)",
			"file", s.path, "dropped", newDropped-dropped, "dropped_total", newDropped, "max_bytes", s.opts.MaxBytes)
	}
	s.log.Info("store: compacted", "file", s.path, "bytes_before", before, "bytes_after", after, "events_left_out", drop)
	return nil
}

// copyDB copies every bucket of src into dst in transactions of bounded
// size, the events from firstEvent on; keys arrive in order, so pages are
// filled completely.
func copyDB(dst, src *bolt.DB, firstEvent []byte) error {
	const perTx = 50000
	return src.View(func(stx *bolt.Tx) error {
		return stx.ForEach(func(name []byte, sb *bolt.Bucket) error {
			c := sb.Cursor()
			k, v := c.First()
			if string(name) == string(bucketEvents) {
				k, v = c.Seek(firstEvent)
			}
			for {
				n := 0
				err := dst.Update(func(dtx *bolt.Tx) error {
					db, err := dtx.CreateBucketIfNotExists(name)
					if err != nil {
						return err
					}
					db.FillPercent = 1.0
					for ; k != nil && n < perTx; k, v = c.Next() {
						if v == nil {
							return fmt.Errorf("nested bucket %q in %q", k, name)
						}
						if err := db.Put(k, v); err != nil {
							return err
						}
						n++
					}
					return nil
				})
				if err != nil {
					return err
				}
				if k == nil {
					return nil
				}
			}
		})
	})
}

// enforceCapAtOpen shrinks a file that is over its cap (the cap was lowered
// in the config): compact it without as many of the oldest events as it
// takes.
func (s *Store) enforceCapAtOpen() {
	fi, err := os.Stat(s.path)
	if err != nil {
		return
	}
	var size int64
	_ = s.db.View(func(tx *bolt.Tx) error { size = tx.Size(); return nil })
	if fi.Size() <= s.opts.MaxBytes && size <= s.cap.budget {
		return
	}
	s.log.Warn("store: database file is over its cap; shrinking", "file", s.path, "bytes", fi.Size(), "max_bytes", s.opts.MaxBytes)
	if err := s.compact(s.dropsToFit(0)); err != nil {
		s.log.Error("store: compact", "file", s.path, "err", err)
	}
}

func truncateSync(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > size {
		if err := f.Truncate(size); err != nil {
			return err
		}
	}
	return f.Sync()
}
