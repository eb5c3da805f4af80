package admin

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// cheap keeps the tests fast; DefaultParams are exercised once.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

var phcForm = regexp.MustCompile(`^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHashDefaultParams(t *testing.T) {
	h, err := Hash("2468")
	if err != nil {
		t.Fatal(err)
	}
	m := phcForm.FindStringSubmatch(h)
	if m == nil {
		t.Fatalf("not a PHC argon2id string: %q", h)
	}
	if want := fmt.Sprint(DefaultParams().Memory, DefaultParams().Time, DefaultParams().Threads); strings.Join(m[1:4], " ") != want {
		t.Errorf("params %v, want %s", m[1:], want)
	}
	if ok, err := Verify("2468", h); !ok || err != nil {
		t.Errorf("Verify(right PIN) = %v, %v", ok, err)
	}
	if ok, err := Verify("2469", h); ok || err != nil {
		t.Errorf("Verify(wrong PIN) = %v, %v", ok, err)
	}
}

func TestValidPIN(t *testing.T) {
	for pin, ok := range map[string]bool{
		"1234": true, "123456789012": true, "0000": true,
		"123": false, "1234567890123": false, "12a4": false, "": false, "１２３４": false, " 1234": false,
	} {
		if err := ValidPIN(pin); (err == nil) != ok {
			t.Errorf("ValidPIN(%q) = %v", pin, err)
		}
		if _, err := HashWith(pin, cheap, rand.Reader); (err == nil) != ok {
			t.Errorf("HashWith(%q) = %v", pin, err)
		}
	}
}

// The PHC parsing is internal/phc's (tested there); here: its errors come
// back as the kiosk's, which tell staff to run hash-pin.
func TestVerifyRefusesBadHashes(t *testing.T) {
	good, _ := HashWith("1234", cheap, rand.Reader)
	parts := strings.Split(good, "$")
	salt, key := parts[4], parts[5]
	for _, tc := range []struct {
		hash string
		want error
	}{
		{"", ErrNoPIN},
		{"1234", ErrMalformedHash},
		{"$argon2id$v=19$m=99999999,t=1,p=1$" + salt + "$" + key, ErrMalformedHash},
		{"$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key, ErrUnsupportedHash},
	} {
		ok, err := Verify("1234", tc.hash)
		if ok || !errors.Is(err, tc.want) {
			t.Errorf("Verify(%q) = %v, %v; want %v", tc.hash, ok, err, tc.want)
		}
	}
	if ok, err := Verify("1234", good); !ok || err != nil {
		t.Errorf("control: %v %v", ok, err)
	}
}

func TestHashPINCommandPiped(t *testing.T) {
	for _, tc := range []struct {
		in, errWant string
		code        int
	}{
		{"135799\n135799\n", "", 0},
		{"135799\r\n135799", "", 0}, // CRLF, no final newline
		{"135799\n135798\n", "differ", 1},
		{"12\n12\n", "4 to 12 digits", 1},
		{"1357\n1357\n", "6 to 12 digits", 1}, // found at the screen in days
		{"13579\n13579\n", "6 to 12 digits", 1},
		{"135799\n", "twice", 1},
		{"", "twice", 1},
	} {
		var out, errb bytes.Buffer
		code := HashPINCommand(strings.NewReader(tc.in), &out, &errb, false)
		if code != tc.code || !strings.Contains(errb.String(), tc.errWant) {
			t.Errorf("%q: code %d, stderr %q", tc.in, code, errb.String())
			continue
		}
		if strings.Contains(errb.String()+out.String(), "1357") && code == 0 {
			t.Errorf("%q: the PIN was echoed: %q %q", tc.in, out.String(), errb.String())
		}
		if code != 0 {
			if out.Len() != 0 {
				t.Errorf("%q: printed %q on failure", tc.in, out.String())
			}
			continue
		}
		line := strings.TrimSuffix(out.String(), "\n")
		if !phcForm.MatchString(line) || strings.Count(out.String(), "\n") != 1 {
			t.Errorf("%q: stdout %q is not one PHC line", tc.in, out.String())
		}
		if ok, err := Verify("135799", line); !ok || err != nil {
			t.Errorf("%q: printed hash does not verify: %v %v", tc.in, ok, err)
		}
	}
}

func TestHashPINPrompts(t *testing.T) {
	answers := []string{"864200", "864200"}
	read := func() (string, error) {
		s := answers[0]
		answers = answers[1:]
		return s, nil
	}
	var out, errb bytes.Buffer
	if code := hashPIN(read, &out, &errb, true); code != 0 {
		t.Fatalf("code %d: %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "PIN") || !strings.Contains(errb.String(), "again") {
		t.Errorf("no prompts on a terminal: %q", errb.String())
	}
	if !phcForm.MatchString(strings.TrimSpace(out.String())) {
		t.Errorf("stdout %q", out.String())
	}
}
