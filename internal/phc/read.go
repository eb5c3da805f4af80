package phc

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

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
