package web

import (
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/wufang-kiosk/wufang/internal/phc"
)

// MinPasswordLen is the shortest staff password hash-password accepts.
const MinPasswordLen = 10

// HashPasswordCommand is `wufang-hub hash-password`: it asks for a staff
// password twice (without echo at a terminal; two lines on a pipe), and
// prints its argon2id PHC hash for the hub config's http.users. Prompts and
// errors go to stderr, only the hash to stdout. It returns the exit status.
func HashPasswordCommand(stdin io.Reader, stdout, stderr io.Writer, isTerminal bool) int {
	return hashPassword(phc.SecretReader(stdin, stderr, isTerminal), stdout, stderr, isTerminal)
}

func hashPassword(read func() (string, error), stdout, stderr io.Writer, prompt bool) int {
	ask := func(p string) (string, error) {
		if prompt {
			fmt.Fprint(stderr, p)
		}
		s, err := read()
		if errors.Is(err, io.EOF) {
			return "", errors.New("the password must be given twice (on two lines when not typed at a terminal)")
		}
		return s, err
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "hash-password: %v\n", err)
		return 1
	}
	pw, err := ask(fmt.Sprintf("New dashboard password (at least %d characters): ", MinPasswordLen))
	if err != nil {
		return fail(err)
	}
	if utf8.RuneCountInString(pw) < MinPasswordLen {
		return fail(fmt.Errorf("the password is shorter than %d characters; nothing was printed", MinPasswordLen))
	}
	again, err := ask("The same password again: ")
	if err != nil {
		return fail(err)
	}
	if again != pw {
		return fail(errors.New("the two passwords differ; nothing was printed, try again"))
	}
	h, err := phc.Hash(pw)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintln(stdout, h)
	if prompt {
		fmt.Fprintln(stderr, "Put the line above in the hub config: under http: users: <name>: '<the line>'")
	}
	return 0
}
