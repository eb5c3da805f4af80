package phc

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/term"
)

// SecretReader returns a function that reads one secret per call, for the
// hash commands (`wufang-kiosk hash-pin`, `wufang-hub hash-password`). From
// a terminal (isTerminal, stdin an *os.File) it reads without echo and
// writes the newline the user typed to stderr; otherwise it reads one line
// of stdin per call, so scripts can pipe the secret in. io.EOF means no
// more input.
func SecretReader(stdin io.Reader, stderr io.Writer, isTerminal bool) func() (string, error) {
	if f, ok := stdin.(*os.File); ok && isTerminal {
		return func() (string, error) {
			defer restoreOnSignal(int(f.Fd()), stderr)()
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(stderr) // the newline the user typed was not echoed
			return string(b), err
		}
	}
	lines := bufio.NewReader(stdin)
	return func() (string, error) {
		s, err := lines.ReadString('\n')
		if err == io.EOF && s != "" {
			err = nil
		}
		return strings.TrimRight(s, "\r\n"), err
	}
}

// restoreOnSignal puts the terminal back as it is now (echo on) when Ctrl-C
// or SIGTERM ends the process while term.ReadPassword has echo off, then
// lets the signal end the process as it would have: without this, the
// staff member's shell stays without echo. Call the returned func when the
// read is over.
func restoreOnSignal(fd int, stderr io.Writer) (stop func()) {
	st, err := term.GetState(fd)
	if err != nil {
		return func() {}
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-sigs:
			_ = term.Restore(fd, st)
			fmt.Fprintln(stderr)
			signal.Reset(sig)
			if p, err := os.FindProcess(os.Getpid()); err == nil {
				_ = p.Signal(sig)
			}
		case <-done:
		}
	}()
	return func() { signal.Stop(sigs); close(done) }
}
