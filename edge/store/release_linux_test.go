package store

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

func rssFileKiB(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "RssFile:" {
			v, _ := strconv.ParseInt(f[1], 10, 64)
			return v
		}
	}
	t.Skip("no RssFile in /proc/self/status")
	return 0
}

// TestDrainKeepsMappedPagesOut drains a 20 MB backlog: the pages read
// through bbolt's mapping must not pile up in the resident set (they did,
// all of them, before releaseMapped), or a million-event backlog would cost
// 50 MB of RSS.
func TestDrainKeepsMappedPagesOut(t *testing.T) {
	if testing.Short() {
		t.Skip("records 400,000 events")
	}
	if raceOn {
		t.Skip("a measurement, too slow under -race; run it without")
	}
	s, _ := openTest(t, Options{})
	recordFast(t, s, visitEvents(400000), maxBatch)
	base := rssFileKiB(t)
	for after := uint64(0); ; {
		ev, err := s.Pending(after, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(ev) == 0 {
			break
		}
		after = ev[len(ev)-1].Seq
	}
	grew := rssFileKiB(t) - base
	t.Logf("file %d KiB; mapped pages resident after the drain grew by %d KiB", s.Stats().Bytes>>10, grew)
	if grew > 10<<10 {
		t.Errorf("resident mapped pages grew by %d KiB while draining", grew)
	}
}
