package flow

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wufang-kiosk/wufang/edge/wire"
)

// closeWait is how long Close waits for the recorder to drain the queue
// before it cancels the recorder's context, and then again before giving up.
const closeWait = 5 * time.Second

// job is one queue entry: an event to record and/or a function to run after
// everything queued before it (VisitorToday, Flush).
type job struct {
	ev    wire.Event
	hasEv bool
	after func()
}

// queue hands events to the recorder on its own goroutine, so Dispatch never
// waits on disk. It is bounded: when the recorder is slow or stuck and the
// queue is full, new events are dropped and counted.
type queue struct {
	rec    Recorder
	log    *slog.Logger
	ch     chan job
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}

	mu     sync.Mutex // guards closed against sends on a closed channel
	closed bool

	recorded, failed, dropped atomic.Uint64
}

func newQueue(rec Recorder, size int, log *slog.Logger) *queue {
	ctx, cancel := context.WithCancel(context.Background())
	q := &queue{rec: rec, log: log, ch: make(chan job, size), ctx: ctx, cancel: cancel, done: make(chan struct{})}
	go q.run()
	return q
}

func (q *queue) run() {
	defer close(q.done)
	for j := range q.ch {
		if j.hasEv && q.rec != nil {
			if err := q.record(j.ev); err != nil {
				n := q.failed.Add(1)
				if n == 1 || n%100 == 0 {
					q.log.Warn("flow: record event", "kind", j.ev.Kind, "err", err, "failed", n)
				}
			} else {
				q.recorded.Add(1)
			}
		}
		if j.after != nil {
			q.safely(j.after)
		}
	}
}

// record calls the recorder; a panic in it counts as a failure, so a broken
// store cannot take the kiosk down.
func (q *queue) record(e wire.Event) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("flow: recorder panicked: %v", r)
		}
	}()
	return q.rec.Record(q.ctx, e)
}

func (q *queue) safely(f func()) {
	defer func() {
		if r := recover(); r != nil {
			q.log.Error("flow: panic in recorder queue job", "panic", fmt.Sprint(r))
		}
	}()
	f()
}

// push never blocks.
func (q *queue) push(j job) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		select {
		case q.ch <- j:
			return true
		default:
		}
	}
	if j.hasEv {
		n := q.dropped.Add(1)
		if n == 1 || n%100 == 0 {
			q.log.Warn("flow: recorder queue full, event dropped", "kind", j.ev.Kind, "dropped", n)
		}
	}
	return false
}

func (q *queue) flush(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	done := make(chan struct{})
	for !q.push(job{after: func() { close(done) }}) {
		if time.Now().After(deadline) {
			return false
		}
		select {
		case <-q.done:
			return true // closed and drained
		case <-time.After(5 * time.Millisecond):
		}
	}
	select {
	case <-done:
		return true
	case <-time.After(time.Until(deadline)):
		return false
	}
}

func (q *queue) close() {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		close(q.ch)
	}
	q.mu.Unlock()
	select {
	case <-q.done:
		q.cancel()
		return
	case <-time.After(closeWait):
	}
	q.log.Warn("flow: recorder slow at close, cancelling", "pending", len(q.ch))
	q.cancel()
	select {
	case <-q.done:
	case <-time.After(closeWait):
		q.log.Error("flow: recorder did not return at close", "pending", len(q.ch))
	}
}

func (q *queue) stats() RecorderStats {
	return RecorderStats{Recorded: q.recorded.Load(), Failed: q.failed.Load(), Dropped: q.dropped.Load()}
}
