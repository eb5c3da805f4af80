package store

import (
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/internal/clock/clocktest"
)

// pagesOf lists the pages of a closed store file by type ("branch",
// "leaf", "freelist", ...), and the root page of the events bucket.
func pagesOf(t *testing.T, p string) (map[string][]int, int) {
	t.Helper()
	db, err := bolt.Open(p, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pages := map[string][]int{}
	var root int
	err = db.View(func(tx *bolt.Tx) error { // an Update would move the freelist
		root = int(tx.Bucket(bucketEvents).RootPage())
		for id := 2; ; id++ {
			pi, err := tx.Page(id)
			if err != nil {
				return err
			}
			if pi == nil {
				return nil
			}
			pages[pi.Type] = append(pages[pi.Type], pi.ID)
			id += pi.OverflowCount
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return pages, root
}

// scribble overwrites page id of the file with random bytes, in place (a
// running store's mapping sees it, as it would a bad sector). With
// keepHeader the 16-byte page header stays, so bbolt still takes the page
// for what it was and follows the random child page ids in it.
func scribble(t *testing.T, p string, id int, seed uint64, keepHeader bool) {
	t.Helper()
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 4096)
	r := rand.New(rand.NewPCG(seed, 13))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	off := int64(id) * 4096
	if keepHeader {
		b, off = b[16:], off+16
	}
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// TestDamagedBranchPageAtStart is the crash loop of issue 13: with the check
// marker present, a branch page overwritten with random bytes made bbolt's
// tx.Check (in its own goroutine, where SetPanicOnFault does not reach) die
// with "unexpected fault address" at every start. Now the check runs in a
// child process: the file is moved aside, what can be read is salvaged, the
// next start is clean, and the backlog drains.
func TestDamagedBranchPageAtStart(t *testing.T) {
	const n = 30000 // a root branch page over several (some 170 leaves each)
	p := filepath.Join(t.TempDir(), "edge.db")
	s := openAt(t, p, Options{})
	want := recordFast(t, s, visitEvents(n), 2048)
	epoch := s.Stats().Epoch
	s.Close()
	pages, root := pagesOf(t, p)
	var branch int
	for _, id := range pages["branch"] {
		if id != root {
			branch = id
		}
	}
	if branch == 0 {
		t.Fatalf("no branch page below the events root (pages %v); record more events", len(pages["leaf"]))
	}
	for _, c := range []struct {
		name       string
		seed       uint64
		keepHeader bool
	}{{"random page", 1, false}, {"random elements", 1, true}, {"wild page pointers", 0, true}} {
		t.Run(c.name, func(t *testing.T) {
			q := filepath.Join(t.TempDir(), "edge.db")
			copyFile(t, p, q)
			if c.seed == 0 {
				wildPointers(t, q, branch)
			} else {
				scribble(t, q, branch, c.seed, c.keepHeader)
			}
			os.WriteFile(q+checkSuffix, []byte("x"), 0o600)
			var logged strings.Builder
			s, err := Open(q, Options{Logger: slogTo(&logged)})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			st := s.Stats()
			if st.Recovered == "" || st.Epoch != epoch || st.LastSeq != n || st.Dropped+st.Events != n || st.Backlog != st.Events {
				t.Fatalf("after the damaged start: %+v", st)
			}
			if !s.Totals().Lifetime.Equal(want) {
				t.Error("lifetime counters not salvaged")
			}
			// It says what was kept, not that counting starts from zero.
			if !strings.Contains(logged.String(), "salvaged the damaged file") || strings.Contains(logged.String(), "zero") {
				t.Errorf("log: %s", logged.String())
			}
			sent := drain(t, s)
			if s.Watermark() != n {
				t.Errorf("watermark %d after draining, want %d", s.Watermark(), n)
			}
			t.Logf("damaged branch page %d (of %d leaves): %d of %d unsent events salvaged and sent, %d lost",
				branch, len(pages["leaf"]), sent, n, st.Dropped)
			s.Close()
			// The next start (systemd's restart, the next status) is plain.
			s = openAt(t, q, Options{})
			if st := s.Stats(); st.Recovered != "" || st.LastSeq != n || st.Backlog != 0 {
				t.Errorf("second start: %+v", st)
			}
			if _, err := os.Stat(q + checkSuffix); !os.IsNotExist(err) {
				t.Errorf("marker left: %v", err)
			}
			if err := s.Record(context.Background(), wire.Event{Kind: wire.DoorEntry}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// wildPointers points every child of branch page id at a page far beyond
// the end of the file but inside bbolt's address range: following one is a
// fault, not a panic.
func wildPointers(t *testing.T, p string, id int) {
	t.Helper()
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 4096)
	if _, err := f.ReadAt(b, int64(id)*4096); err != nil {
		t.Fatal(err)
	}
	count := int(binary.LittleEndian.Uint16(b[10:]))
	for i := range count { // branch element: pos, ksize uint32, pgid uint64
		binary.LittleEndian.PutUint64(b[16+i*16+8:], 1<<24+uint64(i))
	}
	if _, err := f.WriteAt(b, int64(id)*4096); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestDamagedPageWhileRunning: a damaged leaf inside the backlog used to
// make Pending fail for the whole read-ahead batch for ever (the uplink
// reconnected every 1-60 s and never sent again), and nothing showed it.
// Now the store closes Broken and refuses writes (the node exits non-zero
// on it), and the restart salvages the file so the backlog drains but for
// the damaged page.
func TestDamagedPageWhileRunning(t *testing.T) {
	const n = 20000
	p := filepath.Join(t.TempDir(), "edge.db")
	s := openAt(t, p, Options{})
	recordFast(t, s, visitEvents(n), 2048)
	sent := 0
	for after := uint64(0); after < n/2; {
		ev, _ := s.Pending(after, 500)
		for _, e := range ev {
			s.Ack(e.Seq)
			after = e.Seq
			sent++
		}
	}
	s.Close()
	pages, _ := pagesOf(t, p)
	// A leaf in the unsent half: the leaves hold ascending seqs in
	// ascending page order here, the file having only grown.
	leaves := pages["leaf"]
	leaf := leaves[len(leaves)*3/4]
	s = openAt(t, p, Options{})
	select {
	case <-s.Broken():
		t.Fatal("broken before the damage")
	default:
	}
	scribble(t, p, leaf, 7, false)
	var err error
	for after := s.Watermark(); err == nil; {
		var ev []wire.Event
		ev, err = s.Pending(after, 500)
		if len(ev) == 0 && err == nil {
			t.Fatal("drained the backlog across a damaged page without noticing")
		}
		for _, e := range ev {
			s.Ack(e.Seq)
			after = e.Seq
			sent++
		}
	}
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Pending over the damaged page: %v", err)
	}
	select {
	case <-s.Broken():
	case <-time.After(5 * time.Second):
		t.Fatal("Broken not closed")
	}
	if s.Err() == nil {
		t.Error("Err is nil")
	}
	if err := s.Record(context.Background(), wire.Event{Kind: wire.DoorEntry}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Record on a broken store: %v", err)
	}
	stuck := s.Stats().Backlog
	s.Close()
	// The restart.
	s = openAt(t, p, Options{})
	st := s.Stats()
	if st.Recovered == "" || st.LastSeq != n {
		t.Fatalf("restart after the damage: %+v", st)
	}
	// The broken store did not write its last acks: the restart resends
	// from the watermark on disk (replays are harmless).
	resent := int(uint64(sent) - s.Watermark())
	drained := drain(t, s)
	if s.Watermark() != n {
		t.Errorf("watermark %d after draining", s.Watermark())
	}
	t.Logf("damaged leaf %d: %d sent, then the backlog of %d was stuck at it; after the restart %d drained (%d of them resent), %d lost with the page",
		leaf, sent, stuck, drained, resent, st.Dropped)
	if uint64(drained-resent)+st.Dropped != stuck || st.Dropped > 200 {
		t.Errorf("%d drained (%d resent), %d dropped, of %d stuck", drained, resent, st.Dropped, stuck)
	}
}

// TestDamagedFreelist: the freelist page overwritten. bbolt reads it when
// opening for writing; the salvage opens read-only, which does not, and
// keeps everything.
func TestDamagedFreelist(t *testing.T) {
	p := filepath.Join(t.TempDir(), "edge.db")
	s := openAt(t, p, Options{})
	want := recordFast(t, s, visitEvents(3000), 500)
	s.Close()
	pages, _ := pagesOf(t, p)
	if len(pages["freelist"]) == 0 {
		t.Fatal("no freelist page")
	}
	scribble(t, p, pages["freelist"][0], 3, false)
	s = openAt(t, p, Options{})
	st := s.Stats()
	if st.Recovered == "" || st.LastSeq != 3000 || st.Events != 3000 || st.Dropped != 0 {
		t.Fatalf("after a damaged freelist: %+v", st)
	}
	if !s.Totals().Lifetime.Equal(want) {
		t.Error("lifetime counters lost")
	}
	if sent := drain(t, s); sent != 3000 {
		t.Errorf("%d of 3000 sent", sent)
	}
}

// TestEmptyFileIsNotSeqOne: a 0-byte store (truncated, a fresh card with
// the file copied) restarted seq at 1 with no log line, so consumers
// deduplicating on (device, seq) dropped the new events as replays. Now it
// is logged, gets a new epoch, and seqs start above the clock floor.
func TestEmptyFileIsNotSeqOne(t *testing.T) {
	p := filepath.Join(t.TempDir(), "edge.db")
	os.WriteFile(p, nil, 0o600)
	clk := clocktest.NewFake(start)
	var logged strings.Builder
	s, err := Open(p, Options{Clock: clk, Logger: slogTo(&logged)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st := s.Stats()
	floor := uint64(start.Unix()) * 1000
	if st.LastSeq != floor || !wire.ValidEpoch(st.Epoch) || st.Boot != 1 {
		t.Errorf("empty file: %+v, want last seq %d", st, floor)
	}
	if !strings.Contains(logged.String(), "level=ERROR") || !strings.Contains(logged.String(), "empty") {
		t.Errorf("not logged: %s", logged.String())
	}
	if err := s.Record(context.Background(), wire.Event{Kind: wire.DoorEntry}); err != nil {
		t.Fatal(err)
	}
	if ev, _ := s.Pending(0, 5); len(ev) != 1 || ev[0].Seq != floor+1 {
		t.Errorf("first event %+v", ev)
	}
}
