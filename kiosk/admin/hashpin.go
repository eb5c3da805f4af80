package admin

import (
	"errors"
	"fmt"
	"io"

	"github.com/wufang-kiosk/wufang/internal/phc"
)

// HashPINCommand is `wufang-kiosk hash-pin`: it asks for the PIN twice,
// checks that both match and are 6 to 12 digits, and prints the hash line
// to paste into the config as kiosk.admin_pin_hash. From a terminal
// (isTerminal, stdin an *os.File) it reads without echo; otherwise it reads
// two lines from stdin, so scripts can pipe the PIN in. Prompts and errors go
// to stderr, only the hash to stdout. It returns the exit status.
func HashPINCommand(stdin io.Reader, stdout, stderr io.Writer, isTerminal bool) int {
	read := phc.SecretReader(stdin, stderr, isTerminal)
	return hashPIN(read, stdout, stderr, isTerminal)
}

func hashPIN(read func() (string, error), stdout, stderr io.Writer, prompt bool) int {
	ask := func(p string) (string, error) {
		if prompt {
			fmt.Fprint(stderr, p)
		}
		s, err := read()
		if errors.Is(err, io.EOF) {
			return "", errors.New("the PIN must be given twice (on two lines when not typed at a terminal)")
		}
		return s, err
	}
	pin, err := ask("New admin PIN (6 to 12 digits): ")
	if err != nil {
		fmt.Fprintf(stderr, "hash-pin: %v\n", err)
		return 1
	}
	if err := ValidPIN(pin); err != nil {
		fmt.Fprintf(stderr, "hash-pin: %v\n", err)
		return 1
	}
	if len(pin) < MinNewPINLen {
		fmt.Fprintf(stderr, "hash-pin: %v\n", ErrShortPIN)
		return 1
	}
	again, err := ask("The same PIN again: ")
	if err != nil {
		fmt.Fprintf(stderr, "hash-pin: %v\n", err)
		return 1
	}
	if again != pin {
		fmt.Fprintln(stderr, "hash-pin: the two PINs differ; nothing was printed, try again")
		return 1
	}
	h, err := Hash(pin)
	if err != nil {
		fmt.Fprintf(stderr, "hash-pin: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, h)
	if prompt {
		fmt.Fprintln(stderr, "Put the line above in the config: under kiosk:, admin_pin_hash: '<the line>'")
	}
	return 0
}
