package version

import (
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	for _, c := range []struct {
		main string
		rev  string
		want string
	}{
		{"v0.3.0", "", "0.3.0"},                                                        // go install …@v0.3.0
		{"(devel)", "", Base + "+dev"},                                                 // go build without VCS
		{"(devel)", "1a2b3c4d5e6f", Base + "+dev.g1a2b3c4"},                            // go build in a checkout
		{"v0.0.0-20261203174500-1a2b3c4d5e6f", "1a2b3c4d5e6f", Base + "+dev.g1a2b3c4"}, // Go 1.24+ pseudo-version
		{"v0.1.1-0.20261203174500-1a2b3c4d5e6f+dirty", "1a2b3c4d5e6f", Base + "+dev.g1a2b3c4"},
		{"v0.3.0+dirty", "", Base + "+dev"},
		{"v0.4.0-rc.1", "", Base + "+dev"},
	} {
		readBuildInfo = func() (*debug.BuildInfo, bool) {
			bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/wufang-kiosk/wufang", Version: c.main}}
			if c.rev != "" {
				bi.Settings = []debug.BuildSetting{{Key: "vcs.revision", Value: c.rev}}
			}
			return bi, true
		}
		if got := fromBuildInfo(); got != c.want {
			t.Errorf("main version %q, revision %q: %q, want %q", c.main, c.rev, got, c.want)
		}
	}
	readBuildInfo = debug.ReadBuildInfo
	if got := String(); !Valid(got) {
		t.Errorf("String() = %q in a test binary: not a version", got)
	}
}

func TestStamped(t *testing.T) {
	stamped = "0.2.0+5.g1a2b3c4"
	defer func() { stamped = "" }()
	if got := String(); got != "0.2.0+5.g1a2b3c4" {
		t.Errorf("String() = %q, want the stamped version", got)
	}
}

func TestCompare(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
		ok   bool
	}{
		{"1.0.0", "1.0.0", 0, true}, {"v1.0.0", "1.0.0", 0, true}, {"1.2.0", "1.10.0", -1, true},
		{"1.0.0-rc.1", "1.0.0", -1, true}, {"1.0.0-rc.10", "1.0.0-rc.9", 1, true}, {"1.0.0-1", "1.0.0-alpha", -1, true},
		{"0.1.0+dev", "0.1.0", 0, true}, {"0.1.0+12.g1a2b3c4", "0.1.0+3.gffffff0", 0, true},
		{"1.0", "1.0.0", 0, false}, {"1", "1.0.0", 0, false}, {"dev", "1.0.0", 0, false}, {"", "1.0.0", 0, false},
		{"01.0.0", "1.0.0", 0, false}, {"1.0.0+../x", "1.0.0", 0, false}, {"1.0.0-", "1.0.0", 0, false},
	} {
		got, err := Compare(c.a, c.b)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("Compare(%q, %q) = %d, %v; want %d, ok %v", c.a, c.b, got, err, c.want, c.ok)
		}
		if Valid(c.a) != c.ok && c.b == "1.0.0" && c.ok {
			t.Errorf("Valid(%q) = %v", c.a, Valid(c.a))
		}
	}
}
