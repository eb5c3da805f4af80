package content

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// Signing.
//
// A public key line (what `wufang-pack keygen` prints and what
// content.trusted_keys holds) is "ed25519:" + the standard base64 of the
// 32-byte public key, optionally followed by a space and a name:
//
//	ed25519:3q2+7w…= Safety centre content team
//
// A key id is the first 8 bytes of SHA-256 of the 32-byte public key, in
// lower-case hex (16 characters). It names the key in SHA256SUMS.sig and in
// messages; it is not a secret and not a security boundary (the signature is
// checked with the full key).
//
// SHA256SUMS lists every file of the pack, sorted by path, one per line, in
// the format of sha256sum(1): 64 hex digits, two spaces, the path.
//
// SHA256SUMS.sig is one line: "ed25519 <key id> <base64 signature>". The
// signature is over sigContext followed by the exact bytes of SHA256SUMS, so
// a signature made for something else can never pass as a pack signature.
//
// The private key file is text: comment lines starting with #, then
// "ed25519-private:" + the standard base64 of the 32-byte seed, optionally a
// space and the key's name. It is written with mode 0600.

const (
	sumsName   = "SHA256SUMS"
	sigName    = "SHA256SUMS.sig"
	sigContext = "wufang-pack/1 SHA256SUMS\n"
	pubPrefix  = "ed25519:"
	privPrefix = "ed25519-private:"
)

// PublicKey is a trusted signing key.
type PublicKey struct {
	Key  ed25519.PublicKey
	Name string // may be empty
}

// KeyID is the id of a public key: hex of the first 8 bytes of its SHA-256.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// ID is the key's id.
func (k PublicKey) ID() string { return KeyID(k.Key) }

// Line is the key as a config line: ed25519:<base64> [name].
func (k PublicKey) Line() string {
	s := pubPrefix + base64.StdEncoding.EncodeToString(k.Key)
	if k.Name != "" {
		s += " " + k.Name
	}
	return s
}

// ParsePublicKey parses a public key line: "ed25519:" followed by the
// standard base64 of a 32-byte public key, then optionally a space and a
// name. It is the one parser of the line, for the device config's
// content.trusted_keys as for wufang-pack; its error says what is wrong
// with the line, the caller says what to do.
func ParsePublicKey(line string) (PublicKey, error) {
	line = strings.TrimSpace(line)
	first, name, _ := strings.Cut(line, " ")
	b64, ok := strings.CutPrefix(first, pubPrefix)
	if !ok {
		return PublicKey{}, fmt.Errorf("%q is not a public key line (it starts with ed25519:)", line)
	}
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return PublicKey{}, fmt.Errorf("%q is not a whole ed25519 public key", first)
	}
	return PublicKey{Key: ed25519.PublicKey(b), Name: strings.TrimSpace(name)}, nil
}

// ParsePublicKeys parses the lines of content.trusted_keys.
func ParsePublicKeys(lines []string) ([]PublicKey, error) {
	keys := make([]PublicKey, 0, len(lines))
	for _, l := range lines {
		k, err := ParsePublicKey(l)
		if err != nil {
			return nil, fmt.Errorf("parse public key: %w; paste the line that wufang-pack keygen printed", err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// PrivateKey is a signing key.
type PrivateKey struct {
	Key  ed25519.PrivateKey
	Name string
}

// GenerateKey makes a new signing key from rand (crypto/rand.Reader).
func GenerateKey(rand io.Reader, name string) (PrivateKey, error) {
	_, priv, err := ed25519.GenerateKey(rand)
	if err != nil {
		return PrivateKey{}, fmt.Errorf("generate key: %w", err)
	}
	return PrivateKey{Key: priv, Name: strings.TrimSpace(strings.ReplaceAll(name, "\n", " "))}, nil
}

// Public is the key's public half.
func (k PrivateKey) Public() PublicKey {
	return PublicKey{Key: k.Key.Public().(ed25519.PublicKey), Name: k.Name}
}

// MarshalText is the key file's content.
func (k PrivateKey) MarshalText() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("# wufang-pack signing key. Keep this file secret: anyone who has it can sign packs.\n")
	fmt.Fprintf(&b, "# Public key line for content.trusted_keys: %s\n", k.Public().Line())
	b.WriteString(privPrefix + base64.StdEncoding.EncodeToString(k.Key.Seed()))
	if k.Name != "" {
		b.WriteString(" " + k.Name)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// ParsePrivateKey reads a key file written by MarshalText.
func ParsePrivateKey(data []byte) (PrivateKey, error) {
	for line := range strings.SplitSeq(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		first, name, _ := strings.Cut(line, " ")
		b64, ok := strings.CutPrefix(first, privPrefix)
		if !ok {
			break
		}
		seed, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(seed) != ed25519.SeedSize {
			break
		}
		return PrivateKey{Key: ed25519.NewKeyFromSeed(seed), Name: strings.TrimSpace(name)}, nil
	}
	return PrivateKey{}, fmt.Errorf("parse private key: not a wufang-pack key file; make one with wufang-pack keygen --out FILE")
}

// signSums signs the bytes of SHA256SUMS and returns SHA256SUMS.sig.
func signSums(k PrivateKey, sums []byte) []byte {
	msg := append([]byte(sigContext), sums...)
	sig := ed25519.Sign(k.Key, msg)
	return fmt.Appendf(nil, "ed25519 %s %s\n", k.Public().ID(), base64.StdEncoding.EncodeToString(sig))
}

// Signer says who signed a pack.
type Signer struct {
	KeyID string `json:"key_id,omitempty"` // "" for an unsigned pack
	Name  string `json:"name,omitempty"`   // the name on the trusted key line
	// Trusted is true when KeyID is one of the trusted keys and the
	// signature is good. An unsigned pack (allowed by allow_unsigned) or one
	// signed by an unknown key under allow_unsigned has Trusted false.
	Trusted bool `json:"trusted"`
}

func (s Signer) String() string {
	switch {
	case s.KeyID == "":
		return "unsigned"
	case !s.Trusted:
		return "key " + s.KeyID + " (not trusted)"
	case s.Name != "":
		return s.Name + " (key " + s.KeyID + ")"
	}
	return "key " + s.KeyID
}

// parseSig parses SHA256SUMS.sig.
func parseSig(data []byte) (keyID string, sig []byte, err error) {
	f := strings.Fields(string(data))
	if len(f) != 3 || f[0] != "ed25519" || len(f[1]) != 16 {
		return "", nil, fmt.Errorf("%w: %s is not a signature file (it should be one line: ed25519 <key id> <signature>); sign the pack again with wufang-pack sign", ErrBadSignature, sigName)
	}
	if _, err := hex.DecodeString(f[1]); err != nil {
		return "", nil, fmt.Errorf("%w: %s names key %q, which is not a key id; sign the pack again with wufang-pack sign", ErrBadSignature, sigName, f[1])
	}
	sig, err = base64.StdEncoding.DecodeString(f[2])
	if err != nil || len(sig) != ed25519.SignatureSize {
		return "", nil, fmt.Errorf("%w: the signature in %s is damaged; sign the pack again with wufang-pack sign", ErrBadSignature, sigName)
	}
	return f[1], sig, nil
}

// makeSums writes SHA256SUMS for the given path -> hash map.
func makeSums(hashes map[string][32]byte) []byte {
	var b bytes.Buffer
	for _, name := range slices.Sorted(maps.Keys(hashes)) {
		h := hashes[name]
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(h[:]), name)
	}
	return b.Bytes()
}

// parseSums parses SHA256SUMS.
func parseSums(data []byte) (map[string][32]byte, error) {
	out := map[string][32]byte{}
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		hexSum, name, ok := strings.Cut(line, "  ")
		var h [32]byte
		b, err := hex.DecodeString(hexSum)
		if !ok || err != nil || len(b) != 32 || name == "" {
			return nil, fmt.Errorf("%w: line %d of %s is not \"<sha256>  <path>\"; build the pack again with wufang-pack build", ErrBadSignature, i+1, sumsName)
		}
		copy(h[:], b)
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("%w: %s lists %s twice; build the pack again with wufang-pack build", ErrBadSignature, sumsName, name)
		}
		out[name] = h
	}
	return out, nil
}
