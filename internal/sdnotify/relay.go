package sdnotify

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// A relay passes the notifications of a process further down the tree on
// to systemd as the unit's main process. The kiosk needs it: systemd runs
// `wufang-kiosk session start`, which runs cage, which runs the kiosk, and
// with NotifyAccess=main systemd takes notifications from its main process
// only. NotifyAccess=all does not help there: PAMName= (the logind session
// cage needs for the seat) moves the main process into the session's scope
// unit, and its children count as the scope's, not the service's, so
// systemd drops what they send (systemd.exec(5), PAMName=). The relay is
// the main process, so what it passes on is accepted.
type Relay struct {
	// Addr is the relay's socket: the NOTIFY_SOCKET of the processes
	// below.
	Addr string

	up     *Notifier
	conn   *net.UnixConn
	sender atomic.Int64 // the pid of the last process that notified
	done   chan struct{}
	marker string // what Close sends itself
}

// NewRelay listens in dir (which should be private to the service user:
// whoever can write to the socket can feed the watchdog) and passes every
// datagram on to up. Serve runs it.
func NewRelay(dir string, up *Notifier) (*Relay, error) {
	addr := filepath.Join(dir, fmt.Sprintf("notify-%d", os.Getpid()))
	_ = os.Remove(addr) // a socket left by an earlier process of this pid
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		return nil, fmt.Errorf("sdnotify: relay: %w", err)
	}
	// The sender's credentials come with each datagram: the relay knows
	// which process is the one notifying (Sender).
	raw, err := c.SyscallConn()
	if err == nil {
		cerr := raw.Control(func(fd uintptr) { err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_PASSCRED, 1) })
		err = errors.Join(err, cerr)
	}
	if err != nil {
		c.Close()
		os.Remove(addr)
		return nil, fmt.Errorf("sdnotify: relay: SO_PASSCRED: %w", err)
	}
	return &Relay{Addr: addr, up: up, conn: c, done: make(chan struct{}), marker: "WUFANG_RELAY_CLOSE=" + rand.Text()}, nil
}

// Serve passes datagrams on until Close.
func (r *Relay) Serve() {
	defer close(r.done)
	buf := make([]byte, 4096)
	oob := make([]byte, syscall.CmsgSpace(syscall.SizeofUcred))
	for {
		n, oobn, _, _, err := r.conn.ReadMsgUnix(buf, oob)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		var pid int32
		if msgs, err := syscall.ParseSocketControlMessage(oob[:oobn]); err == nil {
			for _, m := range msgs {
				if cred, err := syscall.ParseUnixCredentials(&m); err == nil {
					pid = cred.Pid
				}
			}
		}
		if string(buf[:n]) == r.marker {
			return // Close's: everything sent before it is passed on
		}
		if pid != 0 {
			r.sender.Store(int64(pid))
		}
		lines := strings.Split(strings.TrimRight(string(buf[:n]), "\n"), "\n")
		_ = r.up.Send(lines...)
	}
}

// Sender is the pid of the process that notified last (0: none yet).
func (r *Relay) Sender() int { return int(r.sender.Load()) }

// Close stops Serve once it has passed on what is already queued (a child
// that says WATCHDOG=1 or STOPPING=1 and exits at once must not lose it),
// and removes the socket. Datagrams are read in the order they were sent,
// so Close sends one of its own, a line no child knows, and Serve stops
// when it reads it.
func (r *Relay) Close() error {
	if c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: r.Addr, Net: "unixgram"}); err == nil {
		if _, err := c.Write([]byte(r.marker)); err == nil {
			select {
			case <-r.done:
			case <-time.After(time.Second):
			}
		}
		c.Close()
	}
	err := r.conn.Close()
	<-r.done
	os.Remove(r.Addr)
	return err
}

// Env is env for the processes below the relay: NOTIFY_SOCKET is the
// relay's, and WATCHDOG_PID (the relay's own pid) is dropped, so that the
// process that feeds the watchdog, whichever it is, sees WATCHDOG_USEC as
// its own.
func (r *Relay) Env(env []string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, "NOTIFY_SOCKET=") && !strings.HasPrefix(kv, "WATCHDOG_PID=") {
			out = append(out, kv)
		}
	}
	return append(out, "NOTIFY_SOCKET="+r.Addr)
}

// abortGrace is how long the process that got SIGABRT has to dump its
// goroutines and exit before the relay kills it.
const abortGrace = 5 * time.Second

// relayed are the signals RunRelayed passes on.
var relayed = []os.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGABRT}

// RunRelayed starts cmd with its notifications relayed (cmd.Env is made
// from r.Env) and waits for it, passing on the signals that arrive on
// sigs: SIGABRT, the watchdog's, goes to the process that notified last
// (the one whose health stopped the pings, so its goroutine dump is the
// one in the journal; SIGKILL follows after abortGrace), the others to cmd. The child is killed if this
// process dies. It returns cmd's exit status (128+n after signal n).
func RunRelayed(r *Relay, cmd *exec.Cmd, sigs <-chan os.Signal) (int, error) {
	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	cmd.Env = r.Env(env)
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	// Pdeathsig follows the thread that started the child: keep this
	// goroutine on it until the child is gone.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	if err := cmd.Start(); err != nil {
		return 1, err
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	for {
		select {
		case err := <-waited:
			if err == nil {
				return 0, nil
			}
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
					return 128 + int(ws.Signal()), nil
				}
				return ee.ExitCode(), nil
			}
			return 1, err
		case s := <-sigs:
			sig, ok := s.(syscall.Signal)
			if !ok {
				continue
			}
			target := cmd.Process.Pid
			if p := r.Sender(); sig == syscall.SIGABRT && p > 0 {
				target = p
				// A process too stuck to die of SIGABRT is killed before
				// systemd's SIGKILL (TimeoutAbortSec=, 10 s here) reaches
				// only the relay: it must not outlive the session holding
				// the event store.
				time.AfterFunc(abortGrace, func() { _ = syscall.Kill(p, syscall.SIGKILL) })
			}
			_ = syscall.Kill(target, sig)
		}
	}
}

// ExecRelayed runs path with argv and env in place of this process: where
// systemd listens for notifications (NOTIFY_SOCKET is set), as a child,
// with this process relaying its notifications (Relay) and exiting with
// its status; otherwise by exec, as if the relay were not there. The relay's
// socket goes in $RUNTIME_DIRECTORY (RuntimeDirectory= in the unit), or a
// private temporary folder. It returns only on failure.
func ExecRelayed(path string, argv, env []string) error {
	up := FromEnv()
	if !up.Enabled() {
		return syscall.Exec(path, argv, env)
	}
	dir, _, _ := strings.Cut(os.Getenv("RUNTIME_DIRECTORY"), ":")
	cleanup := func() {}
	if dir == "" {
		d, err := os.MkdirTemp("", "wufang-notify")
		if err != nil {
			return fmt.Errorf("sdnotify: relay folder: %w", err)
		}
		dir, cleanup = d, func() { os.RemoveAll(d) }
	}
	r, err := NewRelay(dir, up)
	if err != nil {
		cleanup()
		return err
	}
	go r.Serve()
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, relayed...)
	cmd := &exec.Cmd{Path: path, Args: argv, Env: env, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	code, err := RunRelayed(r, cmd, sigs)
	r.Close()
	cleanup()
	if err != nil {
		return err
	}
	os.Exit(code)
	return nil
}
