// Package phc hashes and verifies secrets (the kiosk's admin PIN, the hub
// staff's passwords) in the PHC string form:
//
//	$argon2id$v=19$m=65536,t=1,p=4$<salt>$<hash>
//
// with salt and hash in unpadded standard base64. Verify also accepts
// scrypt hashes, $scrypt$ln=15,r=8,p=1$<salt>$<hash>, for configs written by
// other tools. It lives under internal/ because the kiosk and the hub both
// use it and the hub must not import kiosk packages.
//
// DefaultParams (64 MiB, one pass, four lanes: RFC 9106's memory-bound
// choice, scaled down) take about 0.1 s on a desktop x86-64 core and an
// estimated 0.2–0.4 s on a Raspberry Pi 4; measure on the target with
// `go test -bench Verify ./internal/phc`.
package phc

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

// DefaultParams are the parameters callers use unless they have reason not
// to; see the package documentation for their cost.
var DefaultParams = Params{Memory: 64 * 1024, Time: 1, Threads: 4, SaltLen: 16, KeyLen: 32}

// Sentinel errors; callers use errors.Is and add what the user should do.
var (
	// ErrMalformed: the stored hash cannot be read.
	ErrMalformed = errors.New("not a valid $argon2id$ or $scrypt$ PHC string")
	// ErrUnsupported: a well-formed hash of an algorithm or version this
	// package does not verify.
	ErrUnsupported = errors.New("an unsupported hash algorithm")
)

// Hash returns the PHC string of secret with DefaultParams and a random salt.
func Hash(secret string) (string, error) {
	return HashWith(secret, DefaultParams, rand.Reader)
}

// HashWith hashes secret with p, reading the salt from random.
func HashWith(secret string, p Params, random io.Reader) (string, error) {
	if err := p.check(); err != nil {
		return "", fmt.Errorf("hash: %w", err)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := io.ReadFull(random, salt); err != nil {
		return "", fmt.Errorf("hash: read salt: %w", err)
	}
	key := argon2.IDKey([]byte(secret), salt, p.Time, p.Memory, p.Threads, uint32(p.KeyLen))
	defer debug.FreeOSMemory()
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var b64 = base64.RawStdEncoding

// Limits on hashes read from a config, so a typo cannot make a program
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

// Check reports whether encoded is a hash Verify can use (ErrMalformed,
// ErrUnsupported), without the cost of verifying anything: for config
// validation.
func Check(encoded string) error {
	_, err := parse(encoded)
	return err
}

// Verify reports whether secret matches encoded, a PHC string made by Hash
// (argon2id) or by an scrypt tool. The comparison is constant-time. An
// error means the hash itself is unusable (ErrMalformed, ErrUnsupported),
// never a wrong secret.
func Verify(secret, encoded string) (bool, error) {
	h, err := parse(encoded)
	if err != nil {
		return false, err
	}
	var got []byte
	switch h.alg {
	case "argon2id":
		got = argon2.IDKey([]byte(secret), h.salt, h.argon.Time, h.argon.Memory, h.argon.Threads, uint32(h.argon.KeyLen))
	case "scrypt":
		got, err = scrypt.Key([]byte(secret), h.salt, 1<<h.ln, h.r, h.p, len(h.hash))
		if err != nil {
			return false, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
	}
	// Tens of MiB of scratch would otherwise stay resident until the
	// scavenger gets round to it; logins are rare.
	debug.FreeOSMemory()
	return subtle.ConstantTimeCompare(got, h.hash) == 1, nil
}

type parsed struct {
	alg        string
	salt, hash []byte
	argon      Params
	ln, r, p   int
}

func parse(encoded string) (parsed, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) < 2 || parts[0] != "" {
		return parsed{}, ErrMalformed
	}
	h := parsed{alg: parts[1]}
	switch parts[1] {
	case "argon2id":
		// $argon2id$v=19$m=..,t=..,p=..$salt$hash
		if len(parts) != 6 {
			return h, ErrMalformed
		}
		v, ok := strings.CutPrefix(parts[2], "v=")
		if !ok {
			return h, ErrMalformed
		}
		if v != strconv.Itoa(argon2.Version) {
			return h, fmt.Errorf("argon2id version %s: %w", v, ErrUnsupported)
		}
		kv, err := params(parts[3], "m", "t", "p")
		if err != nil {
			return h, err
		}
		if h.salt, h.hash, err = saltAndHash(parts[4], parts[5]); err != nil {
			return h, err
		}
		if kv["p"] > 255 || kv["m"] > maxMemoryKiB || kv["t"] > maxTime {
			return h, ErrMalformed
		}
		h.argon = Params{Memory: uint32(kv["m"]), Time: uint32(kv["t"]), Threads: uint8(kv["p"]), SaltLen: len(h.salt), KeyLen: len(h.hash)}
		if err := h.argon.check(); err != nil {
			return h, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
	case "scrypt":
		// $scrypt$ln=..,r=..,p=..$salt$hash
		if len(parts) != 5 {
			return h, ErrMalformed
		}
		kv, err := params(parts[2], "ln", "r", "p")
		if err != nil {
			return h, err
		}
		if h.salt, h.hash, err = saltAndHash(parts[3], parts[4]); err != nil {
			return h, err
		}
		h.ln, h.r, h.p = kv["ln"], kv["r"], kv["p"]
		if h.ln < 1 || h.ln > maxScryptLogN || h.r < 1 || h.r > maxScryptR || h.p < 1 || h.p > maxScryptP ||
			len(h.salt) < 8 || len(h.hash) < 16 || len(h.hash) > 64 {
			return h, ErrMalformed
		}
	default:
		return h, fmt.Errorf("%q: %w", parts[1], ErrUnsupported)
	}
	return h, nil
}

// params parses "k=v,k=v,..." with exactly the given keys, in order.
func params(s string, keys ...string) (map[string]int, error) {
	fields := strings.Split(s, ",")
	if len(fields) != len(keys) {
		return nil, ErrMalformed
	}
	out := make(map[string]int, len(keys))
	for i, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k != keys[i] {
			return nil, ErrMalformed
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1<<30 {
			return nil, ErrMalformed
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
		return nil, nil, ErrMalformed
	}
	return salt, hash, nil
}
