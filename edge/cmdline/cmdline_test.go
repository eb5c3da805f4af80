package cmdline

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
)

func TestExit(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, inUse := net.Listen("tcp", ln.Addr().String())
	if inUse == nil {
		t.Fatal("a second listen on the same port worked")
	}
	for _, tc := range []struct {
		name string
		err  error
		code int
		msg  string
	}{
		{"nil", nil, 0, ""},
		{"usage", Usagef("no command given"), 2, "prog: no command given\nRun prog --help for usage.\n"},
		{"reported", fmt.Errorf("hash: %w", ErrReported), 1, ""},
		{"failure", errors.New("it broke"), 1, "prog: it broke\n"},
		{"in use", fmt.Errorf("http.listen %s: %w", ln.Addr(), inUse), 1,
			fmt.Sprintf("prog: http.listen %s: %v\nAnother program listens there (is prog already running?): stop it, or choose another address in the config.\n", ln.Addr(), inUse)},
	} {
		var b bytes.Buffer
		if code := Exit("prog", tc.err, &b); code != tc.code || b.String() != tc.msg {
			t.Errorf("%s: exit %d, %q; want %d, %q", tc.name, code, b.String(), tc.code, tc.msg)
		}
	}
}

func TestFileError(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.yaml")
	_, errMissing := os.ReadFile(missing)
	_, errDir := os.ReadFile(dir)
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("read config: %w", errMissing), "config file " + missing + " does not exist; check the path"},
		{fmt.Errorf("read config: %w", errDir), "config file " + dir + " is a folder; give the path of the file"},
		{&os.PathError{Op: "open", Path: "/etc/k", Err: os.ErrPermission}, "config file /etc/k: permission denied for user " + userName() + "; run the command as a user that may read it (sudo), or fix its permissions"},
		{errors.New("not a file problem"), "not a file problem"},
	} {
		if got := FileError("config file", tc.err).Error(); got != tc.want {
			t.Errorf("%v: %q; want %q", tc.err, got, tc.want)
		}
	}
}

func TestParseBadFlagPrintsNoUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	cfg := ""
	fs := Flags("prog", "run", "run", &cfg, &out, &errOut)
	err := Parse(fs, []string{"--bogus"})
	if code := Exit("prog", err, &errOut); code != 2 || out.Len() != 0 || errOut.String() != "prog: run: flag provided but not defined: -bogus\nRun prog --help for usage.\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
	out.Reset()
	errOut.Reset()
	fs = Flags("prog", "run", "run", &cfg, &out, &errOut)
	if err := Parse(fs, []string{"--help"}); Exit("prog", err, &errOut) != 0 || !bytes.HasPrefix(out.Bytes(), []byte("Usage: prog run\n")) || errOut.Len() != 0 {
		t.Errorf("--help: stdout %q, stderr %q", out.String(), errOut.String())
	}
}
