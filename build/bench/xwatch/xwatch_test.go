package main

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// startXvfb starts a virtual screen and points DISPLAY at it.
func startXvfb(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("Xvfb"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("Xvfb not found: install xvfb")
		}
		t.Skip("Xvfb not found (xvfb)")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	x := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "320x240x24", "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{w}
	if err := x.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { x.Process.Kill(); x.Wait() })
	line, err := bufio.NewReader(r).ReadString('\n')
	r.Close()
	if err != nil {
		t.Fatalf("Xvfb did not report its display: %v", err)
	}
	t.Setenv("DISPLAY", ":"+strings.TrimSpace(line))
}

// painter is a second X client that draws on the root window: what a
// program under test would do.
type painter struct {
	x  *xconn
	gc uint32
}

func newPainter(t *testing.T) *painter {
	t.Helper()
	x, err := dial()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.c.Close() })
	p := &painter{x: x, gc: x.newID()}
	b := make([]byte, 12)
	le.PutUint32(b, p.gc)
	le.PutUint32(b[4:], x.root)
	x.send(55, 0, b) // CreateGC, no values
	if err := x.sync(); err != nil {
		t.Fatal(err)
	}
	return p
}

// fill paints a rectangle of one colour (0xRRGGBB) and waits until the
// server has done it. It may run on any goroutine.
func (p *painter) fill(t *testing.T, rgb uint32, x, y, w, h int) time.Time {
	b := make([]byte, 12)
	le.PutUint32(b, p.gc)
	le.PutUint32(b[4:], 4) // GCForeground
	le.PutUint32(b[8:], rgb)
	p.x.send(56, 0, b) // ChangeGC
	r := make([]byte, 16)
	le.PutUint32(r, p.x.root)
	le.PutUint32(r[4:], p.gc)
	le.PutUint16(r[8:], uint16(x))
	le.PutUint16(r[10:], uint16(y))
	le.PutUint16(r[12:], uint16(w))
	le.PutUint16(r[14:], uint16(h))
	at := p.x.send(70, 0, r) // PolyFillRectangle
	if err := p.x.sync(); err != nil {
		t.Error(err)
	}
	return at
}

// TestFinalFrame: the final first frame is the last change followed by
// the quiet time, not the first one, and a repaint of the same pixels is
// no change.
func TestFinalFrame(t *testing.T) {
	startXvfb(t)
	s, err := open(false)
	if err != nil {
		t.Fatal(err)
	}
	p := newPainter(t)
	second := make(chan time.Time, 1)
	go func() {
		time.Sleep(50 * time.Millisecond)
		p.fill(t, 0xff0000, 0, 0, 100, 100)
		time.Sleep(100 * time.Millisecond)
		second <- p.fill(t, 0x00ff00, 50, 50, 100, 100)
		time.Sleep(100 * time.Millisecond)
		p.fill(t, 0x00ff00, 50, 50, 100, 100) // the same pixels again
	}()
	at, err := s.finalFrame(500*time.Millisecond, 10*time.Second, false)
	if err != nil {
		t.Fatal(err)
	}
	if at.IsZero() {
		t.Fatal("no final frame")
	}
	if sent := <-second; at.Before(sent) {
		t.Errorf("final frame at %v, before the second change was drawn (%v)", at, sent)
	}

	// Nothing drawn: no frame.
	at, err = s.finalFrame(100*time.Millisecond, 300*time.Millisecond, false)
	if err != nil {
		t.Fatal(err)
	}
	if !at.IsZero() {
		t.Errorf("a final frame on a still screen: %v", at)
	}
}

// TestTap: xwatch's press and release reach a program, which draws a
// pressed state under the finger on the press and a new screen on the
// release; a tap that changes nothing has neither.
func TestTap(t *testing.T) {
	startXvfb(t)
	p := newPainter(t)
	// The program: button events on the root window.
	b := make([]byte, 12)
	le.PutUint32(b, p.x.root)
	le.PutUint32(b[4:], 0x800)   // CWEventMask
	le.PutUint32(b[8:], 0x4|0x8) // ButtonPress, ButtonRelease
	p.x.send(2, 0, b)            // ChangeWindowAttributes
	if err := p.x.sync(); err != nil {
		t.Fatal(err)
	}
	react := make(chan bool, 1) // true: draw, false: ignore taps
	react <- true
	go func() {
		on := true
		for e := range p.x.events {
			select {
			case on = <-react:
			default:
			}
			if !on {
				continue
			}
			switch e.raw[0] & 0x7f {
			case buttonPress:
				x, y := int(int16(le.Uint16(e.raw[24:]))), int(int16(le.Uint16(e.raw[26:])))
				p.fill(t, 0x333333, x-10, y-10, 20, 20)
			case buttonRelease:
				p.fill(t, 0x1565c0, 0, 0, 320, 240)
			}
		}
	}()
	s, err := open(true)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.tap(100, 100, 50*time.Millisecond, 200*time.Millisecond, time.Second, 20)
	if err != nil {
		t.Fatal(err)
	}
	if r.pressed < 0 {
		t.Errorf("pressed %v: want the pressed state seen", r.pressed)
	}
	if r.screen < 0 || r.changed < 90 {
		t.Errorf("screen %v, changed %.1f%%: want the new screen seen", r.screen, r.changed)
	}

	react <- false
	r, err = s.tap(200, 150, 50*time.Millisecond, 200*time.Millisecond, 300*time.Millisecond, 20)
	if err != nil {
		t.Fatal(err)
	}
	if r.pressed >= 0 || r.screen >= 0 || r.changed != 0 {
		t.Errorf("an ignored tap gave %+v", r)
	}
}
