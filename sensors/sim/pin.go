package sim

import (
	"sync"
	"sync/atomic"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

// Pin is a simulated input built on gpiotest.Pin. The simulated sensor
// drives its level (Set); a device waiting in WaitForEdge sees each Set as
// one edge.
//
// Unlike gpiotest.Pin, Set waits until the device has handled the edge —
// that is, until it waits for the next one — so a run on a fake clock is
// deterministic: every edge is handled at the time it was set, in order,
// even across pins.
type Pin struct {
	*gpiotest.Pin

	edges   chan gpio.Level
	acks    chan struct{}
	halts   chan struct{} // Halt ends a WaitForEdge in progress
	armed   atomic.Bool   // In was called with edge detection
	pending atomic.Bool   // an edge was taken and not yet acknowledged
	setMu   sync.Mutex
	edgeCnt atomic.Uint64

	// DeliverTimeout bounds how long Set waits for a device (real time): a
	// pin whose device has stopped must not hang the simulator (zero:
	// DefaultDeliverTimeout). Set it before the pin is used.
	DeliverTimeout time.Duration
}

var _ gpio.PinIO = (*Pin)(nil)

// DefaultDeliverTimeout is how long Set waits for a device unless the pin
// says otherwise.
const DefaultDeliverTimeout = 2 * time.Second

// NewPin returns a simulated pin named name (for instance "GPIO17") reading
// level.
func NewPin(name string, num int, level gpio.Level) *Pin {
	return &Pin{
		Pin:   &gpiotest.Pin{N: name, Num: num, L: level, EdgesChan: make(chan gpio.Level)},
		edges: make(chan gpio.Level),
		acks:  make(chan struct{}, 1),
		halts: make(chan struct{}, 1),
	}
}

// In implements gpio.PinIn. The simulated sensor drives the line, so the
// pull does not change the level (gpiotest.Pin would pull it).
func (p *Pin) In(pull gpio.Pull, edge gpio.Edge) error {
	l := p.Read()
	if err := p.Pin.In(pull, edge); err != nil {
		return err
	}
	_ = p.Pin.Out(l)
	select { // a Halt from before this configuration
	case <-p.halts:
	default:
	}
	p.armed.Store(edge != gpio.NoEdge)
	return nil
}

// WaitForEdge implements gpio.PinIn.
func (p *Pin) WaitForEdge(timeout time.Duration) bool {
	if p.pending.Swap(false) {
		select {
		case p.acks <- struct{}{}:
		default: // Set gave up waiting; nobody to tell
		}
	}
	var tc <-chan time.Time
	if timeout >= 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		tc = t.C
	}
	select {
	case l := <-p.edges:
		_ = p.Pin.Out(l)
		p.pending.Store(true)
		return true
	case <-tc:
		return false
	case <-p.halts:
		return false
	}
}

// Halt implements conn.Resource: a device that halts its pin stops taking
// edges, and a WaitForEdge in progress returns false, as with periph's
// gpioioctl pins.
func (p *Pin) Halt() error {
	p.armed.Store(false)
	select {
	case p.halts <- struct{}{}:
	default:
	}
	return nil
}

// Set drives the line to l. If a device watches the pin, Set returns once it
// has handled the edge.
func (p *Pin) Set(l gpio.Level) {
	p.setMu.Lock()
	defer p.setMu.Unlock()
	p.edgeCnt.Add(1)
	if !p.armed.Load() {
		_ = p.Pin.Out(l)
		return
	}
	select { // an acknowledgement Set gave up on
	case <-p.acks:
	default:
	}
	wait := p.DeliverTimeout
	if wait <= 0 {
		wait = DefaultDeliverTimeout
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case p.edges <- l:
	case <-t.C:
		_ = p.Pin.Out(l)
		return
	}
	select {
	case <-p.acks:
	case <-t.C:
	}
}

// Edges returns how many times the line was set.
func (p *Pin) Edges() uint64 { return p.edgeCnt.Load() }
