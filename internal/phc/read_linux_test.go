package phc

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// openPTY opens a pseudo-terminal pair with the kernel's /dev/ptmx.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Fatal(e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Fatal(e)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

func echoOn(t *testing.T, f *os.File) bool {
	t.Helper()
	var tio syscall.Termios
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), syscall.TCGETS, uintptr(unsafe.Pointer(&tio))); e != 0 {
		t.Fatal(e)
	}
	return tio.Lflag&syscall.ECHO != 0
}

// TestCtrlCRestoresEcho: Ctrl-C (or SIGTERM) at a hash command's secret
// prompt used to leave the staff member's terminal without echo; now the
// terminal is put back and the signal still ends the process.
func TestCtrlCRestoresEcho(t *testing.T) {
	if os.Getenv("PHC_READ_HELPER") == "1" {
		read := SecretReader(os.Stdin, os.Stderr, true)
		fmt.Fprintln(os.Stderr, "reading")
		_, err := read()
		fmt.Fprintln(os.Stderr, "read returned", err)
		os.Exit(3)
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		master, slave := openPTY(t)
		if !echoOn(t, slave) {
			t.Fatal("a new terminal has echo off")
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestCtrlCRestoresEcho$")
		cmd.Env = append(os.Environ(), "PHC_READ_HELPER=1")
		var errOut bytes.Buffer
		cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, master, &errOut
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait until the read has turned echo off.
		deadline := time.Now().Add(30 * time.Second)
		for echoOn(t, slave) {
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("echo never went off; helper said %q", errOut.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		_ = cmd.Process.Signal(sig)
		err := cmd.Wait()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.Sys().(syscall.WaitStatus).Signal() != sig {
			t.Errorf("%v: the helper ended with %v, not by the signal; it said %q", sig, err, errOut.String())
		}
		if !echoOn(t, slave) {
			t.Errorf("%v: the terminal was left with echo off", sig)
		}
	}
}
