package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/wufang-kiosk/wufang/edge/wire"
)

// seqRange is an inclusive range of sequence numbers.
type seqRange struct{ From, To uint64 }

// keyLost holds the ranges of unsent seqs a salvage could not read (JSON
// [{From, To}]): the watermark passes over them as if acknowledged, since
// they can never be sent, and they were counted as dropped.
var keyLost = []byte("lost")

func readLost(meta *bolt.Bucket) []seqRange {
	var rs []seqRange
	if b := meta.Get(keyLost); b != nil && json.Unmarshal(b, &rs) != nil {
		return nil
	}
	return rs
}

// salvaged is what could still be read from a file that is being moved
// aside: enough to keep sequence numbers unique, counters cumulative and
// the readable part of the backlog.
type salvaged struct {
	ok bool
	salvageMeta
	days   map[string]wire.Daily
	copied uint64     // unsent events copied into the fresh file
	first  uint64     // the lowest seq copied (0: none)
	lost   []seqRange // unsent seqs not copied, the old file's own lost ranges included
	newly  uint64     // how many of lost were not lost before (dropped grows by it)
}

// salvageFrom copies what can be read of the damaged file at aside into the
// fresh, open store: the meta record (epoch, boot, last seq, watermark,
// dropped, lifetime counters), the day counters and every readable unsent
// event. The reading happens in a child process (see childEnv); if none can
// be started, the meta and days are read here, under SetPanicOnFault.
func (s *Store) salvageFrom(aside string) (salvaged, error) {
	sv := salvaged{days: map[string]wire.Daily{}}
	var batch []salvageRec
	var prev uint64
	var got []seqRange
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := s.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketEvents)
			b.FillPercent = 1.0
			for _, r := range batch {
				if err := b.Put(seqKey(r.Seq), r.Val); err != nil {
					return err
				}
			}
			return nil
		})
		batch = batch[:0]
		return err
	}
	err := salvageInChild(aside, func(r salvageRec) error {
		switch {
		case r.Meta != nil:
			sv.ok, sv.salvageMeta = true, *r.Meta
			prev = sv.WM
		case r.Day != nil:
			sv.days[r.Day.Date] = *r.Day
		case sv.ok && r.Seq > prev && r.Seq <= sv.LastSeq:
			if n := len(got); n > 0 && got[n-1].To == r.Seq-1 {
				got[n-1].To = r.Seq
			} else {
				got = append(got, seqRange{r.Seq, r.Seq})
			}
			if sv.first == 0 {
				sv.first = r.Seq
			}
			prev = r.Seq
			sv.copied++
			batch = append(batch, r)
			if len(batch) >= 10000 {
				return flush()
			}
		}
		return nil
	})
	if errors.Is(err, errChildDied) {
		s.log.Warn("store: the salvage of the damaged file ended early; keeping what it read", "err", err)
		err = nil
	}
	if errors.Is(err, errNoChild) {
		s.log.Warn("store: cannot start a process to read the damaged file; salvaging its counters only", "err", err)
		sv = salvageHere(aside)
		got, err = nil, nil
	}
	if err == nil {
		err = flush()
	}
	if err != nil {
		return salvaged{}, fmt.Errorf("store: copy salvaged events into fresh %s: %w", s.path, err)
	}
	if sv.ok {
		sv.lost, sv.newly = gaps(sv.WM, sv.LastSeq, got, sv.Lost)
	}
	return sv, nil
}

// gaps returns the seqs in (wm, last] not in got (sorted, disjoint), merged
// with the ranges already lost before, and how many of them are new.
func gaps(wm, last uint64, got, before []seqRange) ([]seqRange, uint64) {
	var out []seqRange
	var newly uint64
	next := wm + 1
	add := func(from, to uint64) {
		if from > to {
			return
		}
		out = append(out, seqRange{from, to})
		newly += to - from + 1
		for _, b := range before { // already counted as dropped
			if lo, hi := max(from, b.From), min(to, b.To); lo <= hi {
				newly -= hi - lo + 1
			}
		}
	}
	for _, g := range got {
		add(next, g.From-1)
		next = g.To + 1
	}
	add(next, last)
	return out, newly
}

// salvageHere reads the meta bucket and the day counters of a damaged file
// in this process. Faults and panics only end the salvage; it is the
// fallback when no child process can be started.
func salvageHere(path string) (sv salvaged) {
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
		if err := json.Unmarshal(meta.Get(keyLifetime), &sv.Lifetime); err != nil && meta.Get(keyLifetime) != nil {
			return nil
		}
		if e := string(meta.Get(keyEpoch)); wire.ValidEpoch(e) {
			sv.Epoch = e
		}
		sv.Boot = getUint(meta, keyBoot)
		sv.LastSeq = getUint(meta, keySeq)
		sv.WM = min(getUint(meta, keyWatermark), sv.LastSeq)
		sv.Dropped = getUint(meta, keyDropped)
		sv.Lost = readLost(meta)
		sv.ok = true
		sv.days = map[string]wire.Daily{}
		guarded(func() { // days are worth keeping but not worth losing the rest for
			if b := tx.Bucket(bucketDays); b != nil {
				_ = b.ForEach(func(k, v []byte) error {
					var d wire.Daily
					if json.Unmarshal(v, &d) == nil && d.Date == string(k) {
						sv.days[d.Date] = d
					}
					return nil
				})
			}
		})
		return nil
	})
	return sv
}

// restore carries what was salvaged into the fresh store: the epoch, the
// next seq follows the old last one, the boot count goes on, the lifetime
// and day counters stay, the copied events are still to send, and the
// unsent ones that could not be read count as dropped.
// When nothing could be read the sequence restarts above a clock-based
// floor (1000 per second since 1970), which lies above any seq the old file
// can have reached, so even consumers deduplicating on (device, seq) do not
// mistake new events for replays, unless the clock is badly wrong; the
// fresh file's new epoch tells the others that seq and counters restarted.
func (s *Store) restore(sv salvaged, why string) error {
	now := s.opts.Clock.Now()
	if !sv.ok {
		sv = salvaged{salvageMeta: salvageMeta{Boot: s.boot - 1}}
		if u := now.Unix(); u > 0 {
			sv.LastSeq = uint64(u) * 1000
			sv.WM = sv.LastSeq
		}
	}
	lostJSON, err := json.Marshal(sv.lost)
	if err != nil {
		return err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		for k, v := range map[string]uint64{string(keyBoot): sv.Boot + 1, string(keySeq): sv.LastSeq,
			string(keyWatermark): sv.WM, string(keyDropped): sv.Dropped + sv.newly} {
			if err := putUint(meta, []byte(k), v); err != nil {
				return err
			}
		}
		b, err := json.Marshal(sv.Lifetime)
		if err != nil {
			return err
		}
		if err := meta.Put(keyLifetime, b); err != nil {
			return err
		}
		if err := meta.Put(keyLost, lostJSON); err != nil {
			return err
		}
		if sv.Epoch != "" {
			// Seqs and counters go on from the old file: same epoch.
			if err := meta.Put(keyEpoch, []byte(sv.Epoch)); err != nil {
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
	if sv.Epoch != "" {
		s.epoch = sv.Epoch
	}
	s.boot = sv.Boot + 1
	s.lastSeq, s.firstSeq = sv.LastSeq, sv.LastSeq+1
	if sv.first != 0 {
		s.firstSeq = sv.first
	}
	s.watermark, s.wmSaved = sv.WM, sv.WM
	s.lost = slices.Clone(sv.lost)
	s.advanceLocked()
	s.dropped = sv.Dropped + sv.newly
	s.lifetime = sv.Lifetime
	today := s.dateOf(now)
	if d, ok := sv.days[today]; ok {
		s.days[today] = d
	}
	epoch, backlog := s.epoch, s.lastSeq-s.watermark-s.lostIn(s.watermark+1)
	s.mu.Unlock()
	if sv.ok {
		s.log.Error("store: salvaged the damaged file: the epoch, counters and sequence go on",
			"file", s.path, "why", why, "epoch", epoch, "last_seq", sv.LastSeq, "boot", sv.Boot,
			"unsent_copied", sv.copied, "unsent_lost", sv.newly, "backlog", backlog, "days", len(sv.days))
	} else {
		s.log.Error("store: nothing could be salvaged; counters restart at zero in a new epoch, sequence numbers restart above a clock-based floor",
			"file", s.path, "why", why, "new_epoch", epoch, "next_seq", sv.LastSeq+1)
	}
	return nil
}
