package phc

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/scrypt"
)

// cheap keeps the tests fast; DefaultParams are exercised once.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

var form = regexp.MustCompile(`^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHashDefaultParams(t *testing.T) {
	h, err := Hash("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	m := form.FindStringSubmatch(h)
	if m == nil {
		t.Fatalf("not a PHC argon2id string: %q", h)
	}
	if want := fmt.Sprint(DefaultParams.Memory, DefaultParams.Time, DefaultParams.Threads); strings.Join(m[1:4], " ") != want {
		t.Errorf("params %v, want %s", m[1:], want)
	}
	if ok, err := Verify("correct horse", h); !ok || err != nil {
		t.Errorf("Verify(right) = %v, %v", ok, err)
	}
	if ok, err := Verify("correct horsf", h); ok || err != nil {
		t.Errorf("Verify(wrong) = %v, %v", ok, err)
	}
	if err := Check(h); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func TestHashSaltsDiffer(t *testing.T) {
	a, _ := HashWith("123456", cheap, rand.Reader)
	b, _ := HashWith("123456", cheap, rand.Reader)
	if a == b {
		t.Error("two hashes of one secret are equal: salt not random")
	}
}

func TestHashRefusesBadParams(t *testing.T) {
	for _, p := range []Params{
		{Memory: 4, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 0, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 8},
	} {
		if _, err := HashWith("x", p, rand.Reader); err == nil {
			t.Errorf("HashWith(%+v) accepted", p)
		}
	}
}

func TestVerifyScrypt(t *testing.T) {
	salt := []byte("0123456789abcdef")
	key, err := scrypt.Key([]byte("97531"), salt, 1<<10, 8, 1, 32)
	if err != nil {
		t.Fatal(err)
	}
	h := "$scrypt$ln=10,r=8,p=1$" + base64.RawStdEncoding.EncodeToString(salt) + "$" + base64.RawStdEncoding.EncodeToString(key)
	if ok, err := Verify("97531", h); !ok || err != nil {
		t.Errorf("right secret: %v, %v", ok, err)
	}
	if ok, err := Verify("97530", h); ok || err != nil {
		t.Errorf("wrong secret: %v, %v", ok, err)
	}
}

func TestVerifyRefusesBadHashes(t *testing.T) {
	good, _ := HashWith("1234", cheap, rand.Reader)
	parts := strings.Split(good, "$")
	salt, key := parts[4], parts[5]
	for _, tc := range []struct {
		hash string
		want error
	}{
		{"", ErrMalformed},
		{"1234", ErrMalformed},
		{"$argon2id$v=19$m=64,t=1,p=1$" + salt, ErrMalformed},
		{"$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key, ErrUnsupported},
		{"$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key, ErrMalformed},
		{"$argon2id$v=19$m=99999999,t=1,p=1$" + salt + "$" + key, ErrMalformed}, // would allocate 95 GiB
		{"$argon2id$v=19$m=64,t=1000,p=1$" + salt + "$" + key, ErrMalformed},
		{"$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key, ErrMalformed},
		{"$argon2id$v=19$m=64,t=1,p=1$!!$" + key, ErrMalformed},
		{"$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key, ErrUnsupported},
		{"$2a$10$abcdefghijklmnopqrstuu", ErrUnsupported}, // bcrypt
		{"$scrypt$ln=40,r=8,p=1$" + salt + "$" + key, ErrMalformed},
		{"$scrypt$ln=10,r=8$" + salt + "$" + key, ErrMalformed},
	} {
		ok, err := Verify("1234", tc.hash)
		if ok || !errors.Is(err, tc.want) {
			t.Errorf("Verify(%q) = %v, %v; want %v", tc.hash, ok, err, tc.want)
		}
		if err := Check(tc.hash); !errors.Is(err, tc.want) {
			t.Errorf("Check(%q) = %v; want %v", tc.hash, err, tc.want)
		}
	}
	if ok, err := Verify("1234", good); !ok || err != nil {
		t.Errorf("control: %v %v", ok, err)
	}
	// Padded base64, as some tools write it, is accepted.
	padded := strings.Join(append(parts[:4:4], salt+"==", key+"="), "$")
	if ok, err := Verify("1234", padded); !ok || err != nil {
		t.Errorf("padded: %v %v", ok, err)
	}
}

func BenchmarkVerify(b *testing.B) {
	h, err := Hash("24681357")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _ := Verify("24681357", h); !ok {
			b.Fatal("no match")
		}
	}
}
