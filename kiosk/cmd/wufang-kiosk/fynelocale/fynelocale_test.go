package fynelocale

import (
	"os"
	"slices"
	"testing"
)

// TestFyneLocale: without a language in the environment Fyne is given
// one it can parse, and what was set is left alone.
func TestFyneLocale(t *testing.T) {
	vars := []string{"LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"}
	cases := []struct {
		name string
		env  map[string]string
		want map[string]string // after; missing: unset
	}{
		{"C.UTF-8", map[string]string{"LANG": "C.UTF-8"}, map[string]string{"LANG": "C.UTF-8", "LC_MESSAGES": Locale}},
		{"nothing", nil, map[string]string{"LC_MESSAGES": Locale}},
		{"LC_ALL=C", map[string]string{"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, map[string]string{"LANG": "C", "LC_MESSAGES": Locale}},
		{"LC_MESSAGES=POSIX", map[string]string{"LC_MESSAGES": "POSIX", "LANG": "C.UTF-8"}, map[string]string{"LANG": "C.UTF-8", "LC_MESSAGES": Locale}},
		{"POSIX and a bad LANGUAGE", map[string]string{"LANG": "POSIX", "LANGUAGE": "x"}, map[string]string{"LANG": "POSIX", "LC_MESSAGES": Locale}},
		{"a language", map[string]string{"LANG": "zh_CN.UTF-8"}, map[string]string{"LANG": "zh_CN.UTF-8"}},
		{"LANGUAGE with C", map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "zh_CN:en"}, map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "zh_CN:en"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, v := range vars {
				t.Setenv(v, "") // restored after the test
				if val, ok := c.env[v]; ok {
					os.Setenv(v, val)
				} else {
					os.Unsetenv(v)
				}
			}
			before := Parses()
			set := Set()
			if !Parses() {
				t.Fatalf("Fyne still finds no locale it can parse (set %v)", set)
			}
			if before != (set == nil) {
				t.Errorf("parsed before: %v, but set %v", before, set)
			}
			for _, v := range vars {
				got, ok := os.LookupEnv(v)
				want, wantOK := c.want[v]
				if ok != wantOK || got != want {
					t.Errorf("%s = %q (set %v), want %q (set %v)", v, got, ok, want, wantOK)
				}
			}
			if slices.Contains(set, "LANGUAGE") && c.env["LANGUAGE"] == "" {
				t.Errorf("unset LANGUAGE it had not: %v", set)
			}
		})
	}
}
