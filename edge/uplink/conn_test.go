package uplink

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/wire"
)

// fakeBroker is a Dial whose connections hold every event publish until the
// test acknowledges it; status, totals and daily publishes are acknowledged
// at once. It records the most events ever in flight.
type fakeBroker struct {
	mu          sync.Mutex
	dials       int
	inFlight    int
	maxInFlight int
	events      chan *fakePub // event publishes, in the order sent
}

func newFakeBroker() *fakeBroker { return &fakeBroker{events: make(chan *fakePub, 1000)} }

func (b *fakeBroker) dial(ctx context.Context, o DialOptions) (Conn, error) {
	if !strings.Contains(o.Will.Topic, "/status") || o.ClientID != ClientID("test-site", "dev-1") {
		return nil, errors.New("fake broker: unexpected dial options")
	}
	b.mu.Lock()
	b.dials++
	b.mu.Unlock()
	return &fakeConn{b: b, lost: make(chan error, 1)}, nil
}

type fakeConn struct {
	b    *fakeBroker
	lost chan error
}

func (c *fakeConn) Publish(topic string, retained bool, payload []byte) Token {
	p := &fakePub{b: c.b, topic: topic, payload: payload, done: make(chan struct{})}
	if !strings.HasSuffix(topic, "/event") {
		close(p.done)
		return p
	}
	c.b.mu.Lock()
	c.b.inFlight++
	c.b.maxInFlight = max(c.b.maxInFlight, c.b.inFlight)
	c.b.mu.Unlock()
	c.b.events <- p
	return p
}

func (c *fakeConn) Lost() <-chan error  { return c.lost }
func (c *fakeConn) Close(time.Duration) {}

type fakePub struct {
	b       *fakeBroker
	topic   string
	payload []byte
	done    chan struct{}
	err     error
}

func (p *fakePub) Done() <-chan struct{} { return p.done }
func (p *fakePub) Error() error          { return p.err }

// ack completes the publish, as a PUBACK (err nil) or a failure.
func (p *fakePub) ack(err error) {
	p.b.mu.Lock()
	p.b.inFlight--
	p.b.mu.Unlock()
	p.err = err
	close(p.done)
}

func (p *fakePub) seq(t *testing.T) uint64 {
	t.Helper()
	e, err := wire.DecodeEvent(p.payload)
	if err != nil {
		t.Fatal(err)
	}
	return e.Seq
}

// next waits for the next event publish; the timeout only stops a hung test.
func (b *fakeBroker) next(t *testing.T) *fakePub {
	t.Helper()
	select {
	case p := <-b.events:
		return p
	case <-time.After(10 * time.Second):
		t.Fatal("no event published")
		return nil
	}
}

func fakeConfig(b *fakeBroker, window int) Config {
	return Config{Broker: "tcp://fake:1883", Site: "test-site", Device: "dev-1", Window: window, Dial: b.dial,
		Backoff: func(int) time.Duration { return time.Millisecond }, TotalsInterval: time.Hour}
}

// TestWindowAndAckOrder: at most Window events are in flight; PUBACKs that
// arrive out of order move the store's watermark only over contiguous
// sequence numbers, so a crash can never skip an unacknowledged event.
func TestWindowAndAckOrder(t *testing.T) {
	const window, n = 4, 10
	s := openStore(t, nil)
	recordN(t, s, n)
	b := newFakeBroker()
	startUplink(t, fakeConfig(b, window), s)

	var first []*fakePub
	for i := range window {
		p := b.next(t)
		if got := p.seq(t); got != uint64(i+1) {
			t.Fatalf("event %d published as seq %d", i+1, got)
		}
		first = append(first, p)
	}
	// Acknowledge 4, 3 and 2 before 1: nothing is acknowledged yet.
	for _, p := range []*fakePub{first[3], first[2], first[1]} {
		p.ack(nil)
	}
	if w := s.Watermark(); w != 0 {
		t.Fatalf("watermark %d after out-of-order PUBACKs without seq 1", w)
	}
	first[0].ack(nil)
	// Now 1..4 are done: the window refills with 5..8, in order.
	for i := window; i < 2*window; i++ {
		p := b.next(t)
		if got := p.seq(t); got != uint64(i+1) {
			t.Fatalf("event %d published as seq %d", i+1, got)
		}
		p.ack(nil)
	}
	for i := 2 * window; i < n; i++ {
		b.next(t).ack(nil)
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.Watermark() != n && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if w := s.Watermark(); w != n {
		t.Fatalf("watermark %d, want %d", w, n)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.maxInFlight != window {
		t.Errorf("at most %d events in flight, want the window, %d", b.maxInFlight, window)
	}
}

// TestFailedPublishResends: a publish that fails ends the connection; the
// next one resumes from the watermark and sends the event again.
func TestFailedPublishResends(t *testing.T) {
	s := openStore(t, nil)
	recordN(t, s, 3)
	b := newFakeBroker()
	u, _ := startUplink(t, fakeConfig(b, 2), s)

	one, two := b.next(t), b.next(t)
	two.ack(nil)
	one.ack(errors.New("connection reset"))
	for _, want := range []uint64{1, 2, 3} {
		p := b.next(t)
		if got := p.seq(t); got != want {
			t.Fatalf("after the failure: seq %d published, want %d", got, want)
		}
		p.ack(nil)
	}
	waitState(t, u, "all acknowledged", func(State) bool { return s.Watermark() == 3 })
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.dials != 2 {
		t.Errorf("%d connections, want 2", b.dials)
	}
}
