// Package cmdline is the command-line plumbing the edge programs share
// (wufang-edge, wufang-hub): usage errors that exit 2, a command's flag set
// that also takes --config after the command, and the mapping of an error
// to an exit code and a message for staff.
package cmdline

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os/user"
	"syscall"
)

// Exit codes.
const (
	ExitOK    = 0
	ExitFail  = 1
	ExitUsage = 2
)

// UsageError is a mistake on the command line: exit 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef returns a UsageError.
func Usagef(format string, args ...any) error { return &UsageError{fmt.Sprintf(format, args...)} }

// ErrReported is a failure whose message the command has printed already:
// Exit returns 1 and prints nothing more.
var ErrReported = errors.New("failed (reported)")

// Exit returns the exit code for err and prints it to stderr as
// "prog: message" (with a pointer to --help for a usage error). --help
// (flag.ErrHelp) is success. An address already in use gets a hint of what
// to do, wherever in the program it was met.
func Exit(prog string, err error, stderr io.Writer) int {
	var ue *UsageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "%s: %s\nRun %s --help for usage.\n", prog, ue.Msg, prog)
		return ExitUsage
	case errors.Is(err, ErrReported):
		return ExitFail
	case errors.Is(err, syscall.EADDRINUSE):
		fmt.Fprintf(stderr, "%s: %v\nAnother program listens there (is %s already running?): stop it, or choose another address in the config.\n", prog, err, prog)
		return ExitFail
	default:
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return ExitFail
	}
}

// FileError says what is wrong with a file the command could not open or
// read, naming it as what ("config file", "key file") and saying what to do,
// instead of Go's "open /x: no such file or directory". An err that holds
// no *fs.PathError is returned as it is.
func FileError(what string, err error) error {
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		return err
	}
	switch {
	case errors.Is(pe.Err, fs.ErrNotExist):
		return fmt.Errorf("%s %s does not exist; check the path", what, pe.Path)
	case errors.Is(pe.Err, syscall.EISDIR):
		return fmt.Errorf("%s %s is a folder; give the path of the file", what, pe.Path)
	case errors.Is(pe.Err, fs.ErrPermission):
		return fmt.Errorf("%s %s: permission denied for user %s; run the command as a user that may read it (sudo), or fix its permissions", what, pe.Path, userName())
	default:
		return fmt.Errorf("%s %s: %v", what, pe.Path, pe.Err)
	}
}

func userName() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "of this process"
}

// Flags returns a command's flag set: --help prints "Usage: prog synopsis"
// and the flags to stdout, and --config after the command sets
// *configPath too.
func Flags(prog, name, synopsis string, configPath *string, stdout, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(configPath, "config", *configPath, "config file")
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage: %s %s\n\nFlags:\n", prog, synopsis)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(stderr)
	}
	return fs
}

// Parse parses args, which must be flags only: a bad flag or a stray
// argument is a UsageError. The usage goes to stdout for --help only; a bad
// flag prints one line and a pointer to --help, not the flags.
func Parse(fs *flag.FlagSet, args []string) error {
	rest, err := ParseArgs(fs, args)
	if err == nil && len(rest) > 0 {
		return Usagef("%s: unexpected argument %q", fs.Name(), rest[0])
	}
	return err
}

// ParseArgs is Parse for a command that takes arguments after its flags:
// it returns them.
func ParseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	defer func() { fs.SetOutput(out); fs.Usage = usage }()
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage()
			return nil, err
		}
		return nil, Usagef("%s: %v", fs.Name(), err)
	}
	return fs.Args(), nil
}
