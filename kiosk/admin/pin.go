package admin

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/scrypt"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8  // lanes
	SaltLen int    // bytes
	KeyLen  int    // bytes
}

// DefaultParams are the parameters Hash uses; see the package documentation
// for their cost.
var DefaultParams = Params{Memory: 64 * 1024, Time: 1, Threads: 4, SaltLen: 16, KeyLen: 32}

// PIN length limits: long enough that guessing within the lockout is
// hopeless, short enough to type on a pad.
const (
	MinPINLen = 4
	MaxPINLen = 12
)

// Sentinel errors; callers use errors.Is.
var (
	// ErrBadPIN: a PIN that is not 4 to 12 digits.
	ErrBadPIN = errors.New("the PIN must be 4 to 12 digits")
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
	return HashWith(pin, DefaultParams, rand.Reader)
}

// HashWith hashes pin with p, reading the salt from random.
func HashWith(pin string, p Params, random io.Reader) (string, error) {
	if err := ValidPIN(pin); err != nil {
		return "", err
	}
	if err := p.check(); err != nil {
		return "", fmt.Errorf("hash pin: %w", err)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := io.ReadFull(random, salt); err != nil {
		return "", fmt.Errorf("hash pin: read salt: %w", err)
	}
	key := argon2.IDKey([]byte(pin), salt, p.Time, p.Memory, p.Threads, uint32(p.KeyLen))
	defer debug.FreeOSMemory()
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var b64 = base64.RawStdEncoding

// Limits on hashes read from a config, so a typo cannot make the kiosk
// allocate gigabytes or spin for minutes.
const (
	maxMemoryKiB  = 512 * 1024
	maxTime       = 32
	maxScryptLogN = 20
	maxScryptR    = 32
	maxScryptP    = 16
)

func (p Params) check() error {
	switch {
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemoryKiB:
		return fmt.Errorf("memory %d KiB out of range", p.Memory)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("time %d out of range", p.Time)
	case p.Threads < 1:
		return errors.New("threads must be at least 1")
	case p.SaltLen < 8 || p.SaltLen > 64:
		return fmt.Errorf("salt length %d out of range", p.SaltLen)
	case p.KeyLen < 16 || p.KeyLen > 64:
		return fmt.Errorf("key length %d out of range", p.KeyLen)
	}
	return nil
}

// Verify reports whether pin matches encoded, a PHC string made by Hash
// (argon2id) or by an scrypt tool. The comparison is constant-time. An
// error means the hash itself is unusable (ErrNoPIN, ErrMalformedHash,
// ErrUnsupportedHash), never a wrong PIN.
func Verify(pin, encoded string) (bool, error) {
	if encoded == "" {
		return false, ErrNoPIN
	}
	parts := strings.Split(encoded, "$")
	if len(parts) < 2 || parts[0] != "" {
		return false, ErrMalformedHash
	}
	var want, got []byte
	switch parts[1] {
	case "argon2id":
		// $argon2id$v=19$m=..,t=..,p=..$salt$hash
		if len(parts) != 6 {
			return false, ErrMalformedHash
		}
		v, ok := strings.CutPrefix(parts[2], "v=")
		if !ok {
			return false, ErrMalformedHash
		}
		if v != strconv.Itoa(argon2.Version) {
			return false, fmt.Errorf("argon2id version %s: %w", v, ErrUnsupportedHash)
		}
		kv, err := params(parts[3], "m", "t", "p")
		if err != nil {
			return false, err
		}
		salt, hash, err := saltAndHash(parts[4], parts[5])
		if err != nil {
			return false, err
		}
		p := Params{Memory: uint32(kv["m"]), Time: uint32(kv["t"]), SaltLen: len(salt), KeyLen: len(hash)}
		if kv["p"] > 255 || kv["m"] > maxMemoryKiB || kv["t"] > maxTime {
			return false, ErrMalformedHash
		}
		p.Threads = uint8(kv["p"])
		if err := p.check(); err != nil {
			return false, fmt.Errorf("%w: %v", ErrMalformedHash, err)
		}
		want = hash
		got = argon2.IDKey([]byte(pin), salt, p.Time, p.Memory, p.Threads, uint32(p.KeyLen))
		// 64 MiB of scratch would otherwise stay resident until the
		// scavenger gets round to it; staff log in rarely.
		debug.FreeOSMemory()
	case "scrypt":
		// $scrypt$ln=..,r=..,p=..$salt$hash
		if len(parts) != 5 {
			return false, ErrMalformedHash
		}
		kv, err := params(parts[2], "ln", "r", "p")
		if err != nil {
			return false, err
		}
		salt, hash, err := saltAndHash(parts[3], parts[4])
		if err != nil {
			return false, err
		}
		ln, r, p := kv["ln"], kv["r"], kv["p"]
		if ln < 1 || ln > maxScryptLogN || r < 1 || r > maxScryptR || p < 1 || p > maxScryptP || len(salt) < 8 || len(hash) < 16 || len(hash) > 64 {
			return false, ErrMalformedHash
		}
		want = hash
		got, err = scrypt.Key([]byte(pin), salt, 1<<ln, r, p, len(hash))
		if err != nil {
			return false, fmt.Errorf("%w: %v", ErrMalformedHash, err)
		}
		debug.FreeOSMemory()
	default:
		return false, fmt.Errorf("%q: %w", parts[1], ErrUnsupportedHash)
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// params parses "k=v,k=v,..." with exactly the given keys, in order.
func params(s string, keys ...string) (map[string]int, error) {
	fields := strings.Split(s, ",")
	if len(fields) != len(keys) {
		return nil, ErrMalformedHash
	}
	out := make(map[string]int, len(keys))
	for i, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k != keys[i] {
			return nil, ErrMalformedHash
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1<<30 {
			return nil, ErrMalformedHash
		}
		out[k] = n
	}
	return out, nil
}

func saltAndHash(s, h string) (salt, hash []byte, err error) {
	// Accept padded base64 too: some tools write it.
	salt, err1 := b64.DecodeString(strings.TrimRight(s, "="))
	hash, err2 := b64.DecodeString(strings.TrimRight(h, "="))
	if err1 != nil || err2 != nil || len(salt) == 0 || len(hash) == 0 {
		return nil, nil, ErrMalformedHash
	}
	return salt, hash, nil
}
