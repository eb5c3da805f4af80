package admin

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"

	"github.com/wufang-kiosk/wufang/internal/phc"
)

// Params are argon2id's cost parameters (internal/phc's, shared with the
// hub's staff passwords).
type Params = phc.Params

// DefaultParams returns the parameters Hash uses (internal/phc's); see the
// package documentation for their cost. It is a function, not a variable,
// so that no caller (a test wanting cheap hashes) can change what every
// other one hashes with: such a caller passes its Params to HashWith.
func DefaultParams() Params { return phc.DefaultParams }

// PIN length limits: short enough to type on a pad. The screen accepts
// MinPINLen digits (hashes made before MinNewPINLen still work); hash-pin
// makes new PINs of at least MinNewPINLen, so that guessing within the
// lockout is hopeless.
const (
	MinPINLen    = 4
	MinNewPINLen = 6
	MaxPINLen    = 12
)

// Sentinel errors; callers use errors.Is.
var (
	// ErrBadPIN: a PIN that is not 4 to 12 digits.
	ErrBadPIN = errors.New("the PIN must be 4 to 12 digits")
	// ErrShortPIN: a new PIN shorter than MinNewPINLen.
	ErrShortPIN = errors.New("a new PIN must be 6 to 12 digits: a shorter one can be guessed at the screen")
	// ErrMalformedHash: the stored hash cannot be read.
	ErrMalformedHash = errors.New("the PIN hash is not a valid $argon2id$ or $scrypt$ PHC string; make a new one with `wufang-kiosk hash-pin`")
	// ErrUnsupportedHash: a well-formed hash of an algorithm or version this
	// code does not verify.
	ErrUnsupportedHash = errors.New("the PIN hash uses an unsupported algorithm; make a new one with `wufang-kiosk hash-pin` (it prints $argon2id$...)")
	// ErrNoPIN: admin mode has no PIN hash configured.
	ErrNoPIN = errors.New("no admin PIN is configured (kiosk.admin_pin_hash); make one with `wufang-kiosk hash-pin`")
)

// ValidPIN reports ErrBadPIN unless pin is 4 to 12 ASCII digits.
func ValidPIN(pin string) error {
	if len(pin) < MinPINLen || len(pin) > MaxPINLen {
		return ErrBadPIN
	}
	for i := 0; i < len(pin); i++ {
		if pin[i] < '0' || pin[i] > '9' {
			return ErrBadPIN
		}
	}
	return nil
}

// Hash returns the PHC string of pin with DefaultParams and a random salt.
func Hash(pin string) (string, error) {
	return HashWith(pin, DefaultParams(), rand.Reader)
}

// HashWith hashes pin with p, reading the salt from random.
func HashWith(pin string, p Params, random io.Reader) (string, error) {
	if err := ValidPIN(pin); err != nil {
		return "", err
	}
	h, err := phc.HashWith(pin, p, random)
	if err != nil {
		return "", fmt.Errorf("hash pin: %w", err)
	}
	return h, nil
}

// Verify reports whether pin matches encoded, a PHC string made by Hash
// (argon2id) or by an scrypt tool (internal/phc). The comparison is
// constant-time. An error means the hash itself is unusable (ErrNoPIN,
// ErrMalformedHash, ErrUnsupportedHash), never a wrong PIN.
func Verify(pin, encoded string) (bool, error) {
	if encoded == "" {
		return false, ErrNoPIN
	}
	ok, err := phc.Verify(pin, encoded)
	switch {
	case errors.Is(err, phc.ErrMalformed):
		return false, fmt.Errorf("%w (%v)", ErrMalformedHash, err)
	case errors.Is(err, phc.ErrUnsupported):
		return false, fmt.Errorf("%w (%v)", ErrUnsupportedHash, err)
	}
	return ok, err
}
