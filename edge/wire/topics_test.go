package wire

import (
	"slices"
	"strings"
	"testing"
)

func TestNewTopics(t *testing.T) {
	tp, err := NewTopics("wufang/v1", "bantian-xinxue", "kiosk-fire-1")
	if err != nil {
		t.Fatal(err)
	}
	for got, want := range map[string]string{
		tp.Status():            "wufang/v1/bantian-xinxue/kiosk-fire-1/status",
		tp.Event():             "wufang/v1/bantian-xinxue/kiosk-fire-1/event",
		tp.Totals():            "wufang/v1/bantian-xinxue/kiosk-fire-1/totals",
		tp.Daily("2026-01-02"): "wufang/v1/bantian-xinxue/kiosk-fire-1/daily/2026-01-02",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func TestNewTopicsRefuses(t *testing.T) {
	long := strings.Repeat("a", 64)
	for _, c := range []struct{ root, site, device, want string }{
		{"", "s", "d", "empty"},
		{"wufang//v1", "s", "d", "level 2 is empty"},
		{"/wufang", "s", "d", "level 1 is empty"},
		{"wufang/", "s", "d", "level 2 is empty"},
		{"wufang/+", "s", "d", "'+'"},
		{"wufang/#", "s", "d", "'+'"},
		{"$SYS", "s", "d", "'$'"},
		{"r", "S", "d", "site"},
		{"r", "-s", "d", "site"},
		{"r", "s/x", "d", "site"},
		{"r", "s+", "d", "site"},
		{"r", "", "d", "site"},
		{"r", long, "d", "site"},
		{"r", "s", "d#", "device"},
		{"r", "s", "", "device"},
		{"r", "s", "kiosk 1", "device"},
		{"r", "s", "设备", "device"},
	} {
		_, err := NewTopics(c.root, c.site, c.device)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewTopics(%q, %q, %q) = %v, want an error about %s", c.root, c.site, c.device, err, c.want)
		}
	}
	if _, err := NewTopics("a/b/c", strings.Repeat("a", 63), "0-"); err != nil {
		t.Errorf("63-character site refused: %v", err)
	}
}

func TestSiteFilter(t *testing.T) {
	got, err := SiteFilter("wufang/v1", "site-1")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"wufang/v1/site-1/+/status", "wufang/v1/site-1/+/totals"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := SiteFilter("wufang/v1", "#"); err == nil {
		t.Error("site # accepted")
	}
	if _, err := SiteFilter("a//b", "s"); err == nil {
		t.Error("empty root level accepted")
	}
}

func TestParseTopic(t *testing.T) {
	for _, c := range []struct {
		topic, site, device, rest string
		ok                        bool
	}{
		{"wufang/v1/s/d/status", "s", "d", "status", true},
		{"wufang/v1/s/d/totals", "s", "d", "totals", true},
		{"wufang/v1/s/d/event", "s", "d", "event", true},
		{"wufang/v1/s/d/daily/2026-03-04", "s", "d", "daily/2026-03-04", true},
		{"wufang/v1/s/d/daily/x", "", "", "", false},
		{"wufang/v1/s/d/other", "", "", "", false},
		{"wufang/v2/s/d/status", "", "", "", false},
		{"wufang/v1/S/d/status", "", "", "", false},
		{"wufang/v1/s/status", "", "", "", false},
	} {
		s, d, r, ok := ParseTopic("wufang/v1", c.topic)
		if s != c.site || d != c.device || r != c.rest || ok != c.ok {
			t.Errorf("ParseTopic(%q) = %q %q %q %v", c.topic, s, d, r, ok)
		}
	}
}
