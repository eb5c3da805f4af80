package uplink

import (
	"cmp"
	"sync"
	"time"

	"github.com/wufang-kiosk/wufang/edge/wire"
)

// memOutbox is an in-memory Outbox with the store's semantics: contiguous
// watermark, counters bumped with each event.
type memOutbox struct {
	mu      sync.Mutex
	events  []wire.Event // events[i].Seq == i+1
	acked   map[uint64]bool
	wm      uint64
	life    wire.Counters
	days    []wire.Daily
	changed chan struct{}
	acks    int
	date    string // today; default 2026-11-26
}

// memEpoch is the epoch of every memOutbox.
const memEpoch = "00000000000000ab"

func newMemOutbox() *memOutbox {
	return &memOutbox{acked: map[uint64]bool{}, changed: make(chan struct{}, 1)}
}

func (o *memOutbox) Record(e wire.Event) uint64 {
	o.mu.Lock()
	e.V, e.Epoch, e.Seq, e.Boot = wire.Version, memEpoch, uint64(len(o.events)+1), 1
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	o.events = append(o.events, e)
	o.life.Add(e)
	o.mu.Unlock()
	select {
	case o.changed <- struct{}{}:
	default:
	}
	return e.Seq
}

func (o *memOutbox) Pending(after uint64, max int) ([]wire.Event, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if after >= uint64(len(o.events)) {
		return nil, nil
	}
	end := min(uint64(len(o.events)), after+uint64(max))
	return append([]wire.Event(nil), o.events[after:end]...), nil
}

func (o *memOutbox) Ack(seq uint64) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.acks++
	o.acked[seq] = true
	for o.acked[o.wm+1] {
		delete(o.acked, o.wm+1)
		o.wm++
	}
	return nil
}

func (o *memOutbox) Watermark() uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.wm
}

func (o *memOutbox) Totals() wire.Totals {
	o.mu.Lock()
	defer o.mu.Unlock()
	return wire.Totals{V: 1, Epoch: memEpoch, Seq: uint64(len(o.events)), Boot: 1, Lifetime: o.life.Clone(), Date: cmp.Or(o.date, "2026-11-26"), TimeZone: "Asia/Shanghai"}
}

func (o *memOutbox) ClosedDaysAfter(date string) ([]wire.Daily, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []wire.Daily
	for _, d := range o.days {
		if d.Date > date {
			d.Epoch = memEpoch
			out = append(out, d)
		}
	}
	return out, nil
}

func (o *memOutbox) Changed() <-chan struct{} { return o.changed }

var _ Outbox = (*memOutbox)(nil)
