package web

import (
	"bytes"
	"strings"
	"testing"

	"github.com/wufang-kiosk/wufang/internal/phc"
)

func TestHashPasswordCommand(t *testing.T) {
	for _, tc := range []struct {
		in   string
		code int
		err  string
	}{
		{"long enough pw\nlong enough pw\n", 0, ""},
		{"long enough pw\nlong enough pX\n", 1, "differ"},
		{"short\nshort\n", 1, "shorter"},
		{"long enough pw\n", 1, "twice"},
	} {
		var out, errb bytes.Buffer
		code := HashPasswordCommand(strings.NewReader(tc.in), &out, &errb, false)
		if code != tc.code || !strings.Contains(errb.String(), tc.err) {
			t.Errorf("%q: code %d, stderr %q", tc.in, code, errb.String())
			continue
		}
		if code != 0 {
			if out.Len() != 0 {
				t.Errorf("%q: printed %q on failure", tc.in, out.String())
			}
			continue
		}
		h := strings.TrimSpace(out.String())
		if ok, err := phc.Verify("long enough pw", h); !ok || err != nil {
			t.Errorf("the printed hash does not verify: %q %v %v", h, ok, err)
		}
		if strings.Contains(errb.String()+out.String(), "long enough pw") {
			t.Error("the password was echoed")
		}
	}
}
