// Package sdnotifytest is a fake systemd notification socket for tests: a
// unix datagram socket to put in NOTIFY_SOCKET, and the datagrams it gets.
package sdnotifytest

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Socket is a listening notification socket.
type Socket struct {
	// Addr is the value for NOTIFY_SOCKET: a path, or "@name" when
	// abstract.
	Addr string

	conn *net.UnixConn
	msgs chan string

	mu  sync.Mutex
	all []string
}

// Listen opens a socket at a short path (a unix socket path has at most
// 107 bytes, which t.TempDir can exceed), or in the abstract namespace when
// abstract is set. It is closed with t.Cleanup.
func Listen(t testing.TB, abstract bool) *Socket {
	t.Helper()
	var addr string
	if abstract {
		addr = fmt.Sprintf("@wufang-sdnotifytest-%d-%d", os.Getpid(), time.Now().UnixNano())
	} else {
		dir, err := os.MkdirTemp("", "sdn")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		addr = filepath.Join(dir, "notify")
	}
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	s := &Socket{Addr: addr, conn: c, msgs: make(chan string, 1024)}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := c.Read(buf)
			if err != nil {
				close(s.msgs)
				return
			}
			m := string(buf[:n])
			s.mu.Lock()
			s.all = append(s.all, m)
			s.mu.Unlock()
			select {
			case s.msgs <- m:
			default: // a test that reads nothing: All still has it
			}
		}
	}()
	t.Cleanup(func() { c.Close() })
	return s
}

// Next returns the next datagram, or false after timeout.
func (s *Socket) Next(timeout time.Duration) (string, bool) {
	select {
	case m, ok := <-s.msgs:
		return m, ok
	case <-time.After(timeout):
		return "", false
	}
}

// WaitFor reads datagrams until one holds the line want (such as
// "READY=1"), and returns the ones before it; it fails the test after
// timeout.
func (s *Socket) WaitFor(t testing.TB, want string, timeout time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var before []string
	for {
		m, ok := s.Next(time.Until(deadline))
		if !ok {
			t.Fatalf("no %q on the notification socket within %v; got %q", want, timeout, s.All())
		}
		if HasLine(m, want) {
			return before
		}
		before = append(before, m)
	}
}

// All returns every datagram received so far.
func (s *Socket) All() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.all...)
}

// HasLine reports whether datagram m holds the line want.
func HasLine(m, want string) bool {
	for l := range strings.SplitSeq(m, "\n") {
		if l == want {
			return true
		}
	}
	return false
}

// Value is the value of KEY= in datagram m ("" and false when absent).
func Value(m, key string) (string, bool) {
	for l := range strings.SplitSeq(m, "\n") {
		if v, ok := strings.CutPrefix(l, key+"="); ok {
			return v, true
		}
	}
	return "", false
}

// NoPing reads datagrams for d and fails the test on a WATCHDOG=1 among
// them (STATUS= changes may come: the reason can change while health is
// lost); it returns what it read.
func (s *Socket) NoPing(t testing.TB, d time.Duration) []string {
	t.Helper()
	var got []string
	for deadline := time.Now().Add(d); ; {
		left := time.Until(deadline)
		if left <= 0 {
			return got
		}
		m, ok := s.Next(left)
		if !ok {
			return got
		}
		if HasLine(m, "WATCHDOG=1") {
			t.Fatalf("a ping while unhealthy, after %q", got)
		}
		got = append(got, m)
	}
}
