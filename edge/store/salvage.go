package store

import (
	"encoding/json"
	"fmt"
	"runtime/debug"

	bolt "go.etcd.io/bbolt"

	"github.com/wufang-kiosk/wufang/edge/wire"
)

// salvaged is what could still be read from a file that is being moved
// aside: enough to keep sequence numbers unique and counters cumulative.
type salvaged struct {
	ok                                bool
	epoch                             string
	boot, lastSeq, watermark, dropped uint64
	lifetime                          wire.Counters
	days                              map[string]wire.Daily
}

// salvage reads the meta bucket and the day counters of a damaged file, if
// bbolt can still open it. Faults and panics only end the salvage.
func salvage(path string) (sv salvaged) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if recover() != nil {
			sv = salvaged{}
		}
	}()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: lockTimeout})
	if err != nil {
		return salvaged{}
	}
	defer db.Close()
	_ = db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil || string(meta.Get(keyFormat)) != formatName {
			return nil
		}
		if err := json.Unmarshal(meta.Get(keyLifetime), &sv.lifetime); err != nil && meta.Get(keyLifetime) != nil {
			return nil
		}
		if e := string(meta.Get(keyEpoch)); wire.ValidEpoch(e) {
			sv.epoch = e
		}
		sv.boot = getUint(meta, keyBoot)
		sv.lastSeq = getUint(meta, keySeq)
		sv.watermark = min(getUint(meta, keyWatermark), sv.lastSeq)
		sv.dropped = getUint(meta, keyDropped)
		sv.ok = true
		sv.days = map[string]wire.Daily{}
		func() {
			// Days are worth keeping but not worth losing the rest for.
			defer func() {
				if recover() != nil {
					sv.days = nil
				}
			}()
			if b := tx.Bucket(bucketDays); b != nil {
				_ = b.ForEach(func(k, v []byte) error {
					var d wire.Daily
					if json.Unmarshal(v, &d) == nil && d.Date == string(k) {
						sv.days[d.Date] = d
					}
					return nil
				})
			}
		}()
		return nil
	})
	return sv
}

// restore carries what was salvaged into the fresh store: the next seq
// follows the old last one, the boot count goes on, the lifetime and day
// counters stay, and the events that were lost unsent count as dropped.
// When nothing could be read the sequence restarts above a clock-based
// floor (1000 per second since 1970), which lies above any seq the old file
// can have reached, so even consumers deduplicating on (device, seq) do not
// mistake new events for replays, unless the clock is badly wrong; the
// fresh file's new epoch tells the others that seq and counters restarted.
func (s *Store) restore(sv salvaged) error {
	now := s.opts.Clock.Now()
	if !sv.ok {
		sv = salvaged{boot: s.boot - 1}
		if u := now.Unix(); u > 0 {
			sv.lastSeq = uint64(u) * 1000
			sv.watermark = sv.lastSeq
		}
	}
	lost := sv.lastSeq - sv.watermark
	err := s.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		for k, v := range map[string]uint64{string(keyBoot): sv.boot + 1, string(keySeq): sv.lastSeq,
			string(keyWatermark): sv.lastSeq, string(keyDropped): sv.dropped + lost} {
			if err := putUint(meta, []byte(k), v); err != nil {
				return err
			}
		}
		b, err := json.Marshal(sv.lifetime)
		if err != nil {
			return err
		}
		if err := meta.Put(keyLifetime, b); err != nil {
			return err
		}
		if sv.epoch != "" {
			// Seqs and counters go on from the old file: same epoch.
			if err := meta.Put(keyEpoch, []byte(sv.epoch)); err != nil {
				return err
			}
		}
		days := tx.Bucket(bucketDays)
		for date, d := range sv.days {
			b, err := json.Marshal(d)
			if err != nil {
				return err
			}
			if err := days.Put([]byte(date), b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: restore into fresh %s: %w", s.path, err)
	}
	s.mu.Lock()
	if sv.epoch != "" {
		s.epoch = sv.epoch
	}
	s.boot = sv.boot + 1
	s.lastSeq, s.firstSeq = sv.lastSeq, sv.lastSeq+1
	s.watermark, s.wmSaved = sv.lastSeq, sv.lastSeq
	s.dropped = sv.dropped + lost
	s.lifetime = sv.lifetime
	today := s.dateOf(now)
	if d, ok := sv.days[today]; ok {
		s.days[today] = d
	}
	s.mu.Unlock()
	if sv.ok {
		s.log.Error("store: salvaged counters and sequence from the damaged file; its unsent events are lost",
			"file", s.path, "epoch", s.epoch, "last_seq", sv.lastSeq, "boot", sv.boot, "lost_unsent", lost, "days", len(sv.days))
	} else {
		s.log.Error("store: nothing could be salvaged from the damaged file; counters restart at zero, sequence numbers restart above a clock-based floor",
			"file", s.path, "new_epoch", s.epoch, "next_seq", sv.lastSeq+1)
	}
	return nil
}
