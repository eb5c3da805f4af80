// Package sdnotify tells systemd how a service is doing, the sd_notify(3)
// protocol without libsystemd: newline-separated KEY=VALUE lines in one
// datagram to the unix socket named by $NOTIFY_SOCKET (a path, or an
// abstract name written with a leading '@'). Outside systemd, or in a unit
// that is not Type=notify, NOTIFY_SOCKET is unset and every call does
// nothing.
//
//	n := sdnotify.FromEnv()
//	n.Ready("counting")                    // READY=1: start-up is done
//	go n.Watchdog(ctx, check, log)         // WATCHDOG=1 while check passes
//	…
//	n.Stopping()                           // STOPPING=1 on SIGTERM
//
// The watchdog (WatchdogSec= in the unit) is on when systemd set
// WATCHDOG_USEC and, if it set WATCHDOG_PID, that is this process: Watchdog
// pings at half that interval, and only while the process's own health
// check passes, so that systemd restarts a process that is still there but
// no longer does its work.
package sdnotify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Notifier sends to one notification socket. The zero Notifier (and a nil
// one) sends nothing. Its methods are safe for concurrent use.
type Notifier struct {
	socket string        // NOTIFY_SOCKET: a path, or "@name" for an abstract socket
	every  time.Duration // the watchdog interval (WATCHDOG_USEC); 0: no watchdog
}

// FromEnv returns the Notifier the environment describes: NOTIFY_SOCKET,
// WATCHDOG_USEC and WATCHDOG_PID as systemd sets them. It leaves them set,
// so a child process would see them too (and could notify only with
// NotifyAccess=all).
func FromEnv() *Notifier {
	return New(os.Getenv("NOTIFY_SOCKET"), WatchdogInterval(os.Getenv("WATCHDOG_USEC"), os.Getenv("WATCHDOG_PID"), os.Getpid()))
}

// New returns a Notifier for socket ("" sends nothing) with the watchdog
// interval every (0: no watchdog).
func New(socket string, every time.Duration) *Notifier {
	return &Notifier{socket: socket, every: every}
}

// WatchdogInterval is the interval systemd expects WATCHDOG=1 within, from
// the values of WATCHDOG_USEC and WATCHDOG_PID, for the process pid: 0 when
// usec is empty, not a positive number, or pidStr names another process
// (systemd sets WATCHDOG_PID to the unit's main process; a child that
// inherited the variables must not think the watchdog is its own).
func WatchdogInterval(usec, pidStr string, pid int) time.Duration {
	if usec == "" {
		return 0
	}
	u, err := strconv.ParseUint(usec, 10, 63)
	if err != nil || u == 0 {
		return 0
	}
	if pidStr != "" {
		p, err := strconv.Atoi(pidStr)
		if err != nil || p != pid {
			return 0
		}
	}
	if u > uint64(1<<63-1)/uint64(time.Microsecond) {
		return 0
	}
	return time.Duration(u) * time.Microsecond
}

// Enabled reports whether a notification socket is set.
func (n *Notifier) Enabled() bool { return n != nil && n.socket != "" }

// WatchdogEvery is the watchdog interval, 0 when systemd runs none for
// this process.
func (n *Notifier) WatchdogEvery() time.Duration {
	if n == nil || n.socket == "" {
		return 0
	}
	return n.every
}

// Send sends the lines (KEY=VALUE each) in one datagram. It does nothing
// without a socket. A value must not hold a newline; Status replaces them.
func (n *Notifier) Send(lines ...string) error {
	if !n.Enabled() || len(lines) == 0 {
		return nil
	}
	if strings.HasPrefix(n.socket, "vsock:") {
		return errors.New("sdnotify: NOTIFY_SOCKET on AF_VSOCK is not supported")
	}
	if n.socket[0] != '/' && n.socket[0] != '@' {
		return fmt.Errorf("sdnotify: NOTIFY_SOCKET %q is neither a path nor an abstract name", n.socket)
	}
	// Go's net package takes a leading '@' as the abstract namespace.
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: n.socket, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("sdnotify: %w", err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(strings.Join(lines, "\n") + "\n")); err != nil {
		return fmt.Errorf("sdnotify: %w", err)
	}
	return nil
}

// Ready says start-up is finished (READY=1), with status as the line
// systemctl status shows.
func (n *Notifier) Ready(status string) error { return n.Send("READY=1", "STATUS="+oneLine(status)) }

// Stopping says the service is shutting down (STOPPING=1).
func (n *Notifier) Stopping() error { return n.Send("STOPPING=1", "STATUS=stopping") }

// Status sets the line systemctl status shows.
func (n *Notifier) Status(s string) error { return n.Send("STATUS=" + oneLine(s)) }

// Ping is one watchdog keep-alive (WATCHDOG=1).
func (n *Notifier) Ping() error { return n.Send("WATCHDOG=1") }

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }

// Check reports the health of the process: nil while it does its work. It
// should return soon after ctx ends (it is given a little less than half
// the watchdog interval); one that has not returned by the next ping time
// counts as a failure.
type Check func(ctx context.Context) error

// Watchdog pings systemd's watchdog at half its interval for as long as
// check passes, until ctx ends. A check that fails, or that has not
// answered by the next ping, withholds the ping and puts the reason in
// STATUS= (and the log, once each time health is lost and regained);
// systemd then restarts the service once a whole interval has passed
// without a ping (it sends WatchdogSignal=, SIGABRT by default, whose
// goroutine dump lands in the journal). healthy is the STATUS= line put back
// when health returns. Without a watchdog it returns at once.
func (n *Notifier) Watchdog(ctx context.Context, check Check, healthy string, log *slog.Logger) {
	every := n.WatchdogEvery()
	if every <= 0 {
		return
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	half := every / 2
	tick := time.NewTicker(half)
	defer tick.Stop()
	var pending chan error // the check still running, if any
	var since time.Time    // when the pending check began
	failing := ""          // the reason health is lost, "" while healthy
	for {
		if pending == nil {
			pending, since = make(chan error, 1), time.Now()
			go func(c chan<- error) {
				// A little before the next ping time, so that a check
				// that honours ctx says why itself.
				cctx, cancel := context.WithTimeout(ctx, half*4/5)
				defer cancel()
				c <- check(cctx)
			}(pending)
		}
		var err error
		select {
		case err = <-pending:
			pending = nil
		case <-tick.C:
			err = fmt.Errorf("the health check has not answered for %v", time.Since(since).Round(100*time.Millisecond))
		case <-ctx.Done():
			return
		}
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			if failing != "" {
				log.Info("healthy again: the watchdog is fed", "was", failing)
				failing = ""
				_ = n.Status(healthy)
			}
			if perr := n.Ping(); perr != nil {
				log.Warn("cannot feed the systemd watchdog", "err", perr)
			}
		} else if reason := err.Error(); reason != failing {
			if failing == "" {
				log.Error("unhealthy: the systemd watchdog is no longer fed; systemd restarts this service if it lasts", "reason", reason, "watchdog", every)
			}
			failing = reason
			_ = n.Status("unhealthy: " + reason)
		}
		if pending == nil {
			// Wait for the next ping time (a timed-out check is still
			// pending: go round at once and wait for it or the next tick).
			select {
			case <-tick.C:
			case <-ctx.Done():
				return
			}
		}
	}
}

// Serve is what a daemon calls once it is up: READY=1 with status, then
// Watchdog with check in a goroutine. The stop it returns (call it when
// shutdown begins; more calls do nothing) ends the watchdog and sends
// STOPPING=1, so that the time a drain takes is not a missed ping.
func (n *Notifier) Serve(ctx context.Context, status string, check Check, log *slog.Logger) (stop func()) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := n.Ready(status); err != nil {
		log.Warn("cannot tell systemd the service is ready", "err", err)
	}
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		n.Watchdog(wctx, check, status, log)
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			<-done
			_ = n.Stopping()
		})
	}
}
