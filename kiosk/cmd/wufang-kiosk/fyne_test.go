package main

import (
	"os"
	"runtime/debug"
	"slices"
	"testing"
)

// checkedFyne is the Fyne version the workarounds in fyne.go were checked
// against.
const checkedFyne = "v2.7.1"

// TestFyneVersion fails on a Fyne upgrade: re-check each workaround in
// fyne.go against the new version (its upstream issue, the code it names,
// its test), then update checkedFyne.
func TestFyneVersion(t *testing.T) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		t.Fatal("no build information in the test binary")
	}
	for _, m := range bi.Deps {
		if m.Path == "fyne.io/fyne/v2" {
			if m.Version != checkedFyne {
				t.Errorf("Fyne is %s, the workarounds in fyne.go were checked against %s: re-check them, then update checkedFyne", m.Version, checkedFyne)
			}
			return
		}
	}
	t.Fatal("fyne.io/fyne/v2 is not linked")
}

// TestFyneLocale: without a language in the environment Fyne is given
// one it can parse, and what was set is left alone.
func TestFyneLocale(t *testing.T) {
	vars := []string{"LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"}
	cases := []struct {
		name string
		env  map[string]string
		want map[string]string // after; missing: unset
	}{
		{"C.UTF-8", map[string]string{"LANG": "C.UTF-8"}, map[string]string{"LANG": "C.UTF-8", "LC_MESSAGES": fyneLocale}},
		{"nothing", nil, map[string]string{"LC_MESSAGES": fyneLocale}},
		{"LC_ALL=C", map[string]string{"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, map[string]string{"LANG": "C", "LC_MESSAGES": fyneLocale}},
		{"LC_MESSAGES=POSIX", map[string]string{"LC_MESSAGES": "POSIX", "LANG": "C.UTF-8"}, map[string]string{"LANG": "C.UTF-8", "LC_MESSAGES": fyneLocale}},
		{"POSIX and a bad LANGUAGE", map[string]string{"LANG": "POSIX", "LANGUAGE": "x"}, map[string]string{"LANG": "POSIX", "LC_MESSAGES": fyneLocale}},
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
			before := fyneParses()
			set := setFyneLocale()
			if !fyneParses() {
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
