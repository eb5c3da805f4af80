package main

// A minimal X11 client over the display's Unix socket: connection set-up
// without authorisation (Xvfb started by the bench has none), the DAMAGE
// and XTEST extensions, GetImage of the root window, and a reader that
// timestamps every event as it arrives. Only what xwatch needs; stdlib only.

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

var le = binary.LittleEndian

type xconn struct {
	c    net.Conn
	r    *bufio.Reader
	wmu  sync.Mutex
	seq  uint16
	idb  uint32
	idn  uint32
	root uint32
	w, h int
	bpp  int // bits per pixel of the root depth's ZPixmap format

	damageOp, damageEv uint8
	xtestOp            uint8

	events  chan event
	replies chan []byte
	errs    chan error
}

// event is one X event with the time it was read.
type event struct {
	at  time.Time
	raw [32]byte
}

func dial() (*xconn, error) {
	d := os.Getenv("DISPLAY")
	if !strings.HasPrefix(d, ":") {
		return nil, fmt.Errorf("DISPLAY %q: only a local display (:N) is supported", d)
	}
	n := strings.TrimPrefix(d, ":")
	if i := strings.IndexByte(n, '.'); i >= 0 {
		n = n[:i]
	}
	if _, err := strconv.Atoi(n); err != nil {
		return nil, fmt.Errorf("DISPLAY %q: bad display number", d)
	}
	c, err := net.Dial("unix", "/tmp/.X11-unix/X"+n)
	if err != nil {
		return nil, err
	}
	x := &xconn{c: c, r: bufio.NewReaderSize(c, 1<<16),
		events: make(chan event, 4096), replies: make(chan []byte, 16), errs: make(chan error, 16)}
	if err := x.setup(); err != nil {
		c.Close()
		return nil, err
	}
	go x.read()
	return x, nil
}

func (x *xconn) setup() error {
	req := make([]byte, 12)
	req[0] = 'l'
	le.PutUint16(req[2:], 11)
	if _, err := x.c.Write(req); err != nil {
		return err
	}
	head := make([]byte, 8)
	if _, err := io.ReadFull(x.r, head); err != nil {
		return err
	}
	body := make([]byte, int(le.Uint16(head[6:]))*4)
	if _, err := io.ReadFull(x.r, body); err != nil {
		return err
	}
	if head[0] != 1 {
		return fmt.Errorf("X server refused the connection: %s", strings.TrimRight(string(body[:min(int(head[1]), len(body))]), "\x00"))
	}
	x.idb, x.idn = le.Uint32(body[4:]), 1
	vendorLen := int(le.Uint16(body[16:]))
	nFormats := int(body[21])
	off := 32 + (vendorLen+3)&^3
	formats := body[off : off+8*nFormats]
	off += 8 * nFormats
	scr := body[off:]
	x.root = le.Uint32(scr[0:])
	x.w, x.h = int(le.Uint16(scr[20:])), int(le.Uint16(scr[22:]))
	depth := scr[38]
	for i := 0; i < nFormats; i++ {
		if formats[8*i] == depth {
			x.bpp = int(formats[8*i+1])
		}
	}
	if x.bpp != 32 {
		return fmt.Errorf("root depth %d has %d bits per pixel; xwatch reads 32 (start Xvfb with -screen 0 WxHx24)", depth, x.bpp)
	}
	return nil
}

func (x *xconn) newID() uint32 {
	id := x.idb | x.idn
	x.idn++
	return id
}

// read splits the stream into events, replies and errors.
func (x *xconn) read() {
	for {
		var p [32]byte
		if _, err := io.ReadFull(x.r, p[:]); err != nil {
			x.errs <- err
			return
		}
		at := time.Now()
		switch p[0] {
		case 0:
			x.errs <- fmt.Errorf("X error %d (major %d minor %d, seq %d)", p[1], p[10], le.Uint16(p[8:]), le.Uint16(p[2:]))
		case 1:
			rep := make([]byte, 32+int(le.Uint32(p[4:]))*4)
			copy(rep, p[:])
			if _, err := io.ReadFull(x.r, rep[32:]); err != nil {
				x.errs <- err
				return
			}
			x.replies <- rep
		default:
			x.events <- event{at: at, raw: p}
		}
	}
}

// send writes one request (its length field is filled in) and returns the
// time just before the write.
func (x *xconn) send(op, minor uint8, body []byte) time.Time {
	x.wmu.Lock()
	defer x.wmu.Unlock()
	n := (4 + len(body) + 3) &^ 3
	req := make([]byte, n)
	req[0], req[1] = op, minor
	le.PutUint16(req[2:], uint16(n/4))
	copy(req[4:], body)
	x.seq++
	at := time.Now()
	if _, err := x.c.Write(req); err != nil {
		x.errs <- err
	}
	return at
}

func (x *xconn) reply() ([]byte, error) {
	select {
	case r := <-x.replies:
		return r, nil
	case err := <-x.errs:
		return nil, err
	case <-time.After(10 * time.Second):
		return nil, errors.New("no reply from the X server within 10 s")
	}
}

func (x *xconn) queryExtension(name string) (op, ev uint8, err error) {
	body := make([]byte, 4+len(name))
	le.PutUint16(body, uint16(len(name)))
	copy(body[4:], name)
	x.send(98, 0, body)
	r, err := x.reply()
	if err != nil {
		return 0, 0, err
	}
	if r[8] == 0 {
		return 0, 0, fmt.Errorf("the X server has no %s extension", name)
	}
	return r[9], r[10], nil
}

// initDamage asks for a DamageNotify for every rectangle drawn anywhere on
// the screen (the root window with its inferiors).
func (x *xconn) initDamage() error {
	op, ev, err := x.queryExtension("DAMAGE")
	if err != nil {
		return err
	}
	x.damageOp, x.damageEv = op, ev
	v := make([]byte, 8)
	le.PutUint32(v, 1)
	le.PutUint32(v[4:], 1)
	x.send(op, 0, v) // QueryVersion, required before any other request
	if _, err := x.reply(); err != nil {
		return err
	}
	b := make([]byte, 12)
	le.PutUint32(b, x.newID())
	le.PutUint32(b[4:], x.root)
	b[8] = 0 // DamageReportRawRectangles
	x.send(op, 1, b)
	return x.sync()
}

func (x *xconn) initXTest() error {
	op, _, err := x.queryExtension("XTEST")
	if err != nil {
		return err
	}
	x.xtestOp = op
	v := make([]byte, 4)
	v[0] = 2
	v[2] = 2
	x.send(op, 0, v) // GetVersion
	_, err = x.reply()
	return err
}

// sync is a round trip (GetInputFocus): every request before it has been
// processed when it returns.
func (x *xconn) sync() error {
	x.send(43, 0, nil)
	_, err := x.reply()
	return err
}

const (
	buttonPress   = 4
	buttonRelease = 5
	motionNotify  = 6
)

// fake sends an XTEST FakeInput; it returns the time just before the send.
func (x *xconn) fake(typ, detail uint8, px, py int) time.Time {
	b := make([]byte, 32)
	b[0], b[1] = typ, detail
	le.PutUint32(b[8:], x.root)
	le.PutUint16(b[20:], uint16(int16(px)))
	le.PutUint16(b[22:], uint16(int16(py)))
	return x.send(x.xtestOp, 2, b)
}

// image reads the whole root window (32 bits a pixel, BGRX).
func (x *xconn) image() ([]byte, error) {
	b := make([]byte, 16)
	le.PutUint32(b, x.root)
	le.PutUint16(b[8:], uint16(x.w))
	le.PutUint16(b[10:], uint16(x.h))
	le.PutUint32(b[12:], 0xffffffff)
	x.send(73, 2, b) // GetImage, ZPixmap
	r, err := x.reply()
	if err != nil {
		return nil, err
	}
	if len(r)-32 < x.w*x.h*4 {
		return nil, fmt.Errorf("GetImage: %d bytes for %dx%d", len(r)-32, x.w, x.h)
	}
	return r[32 : 32+x.w*x.h*4], nil
}

// isDamage says whether e is a DamageNotify.
func (x *xconn) isDamage(e event) bool { return e.raw[0]&0x7f == x.damageEv }
