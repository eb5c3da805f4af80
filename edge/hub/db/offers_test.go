package db_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/hub/pgtest"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// TestPackAnswers: a device's pack.installed / pack.rejected events are
// kept as its answer for their pack version as they are stored (the last
// received wins, a replay changes nothing, a refusal without a version is
// not an answer), survive the pruning of the raw events, and a hub that
// upgrades to migration 4 fills them from the events it already holds.
func TestPackAnswers(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "hub.db")
		packAnswers(t, func(t *testing.T) *db.DB {
			d, err := db.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			return d
		})
	})
	t.Run("postgres", func(t *testing.T) {
		url := pgtest.Start(t).NewDatabase(t)
		packAnswers(t, func(t *testing.T) *db.DB {
			d, err := db.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			return d
		})
	})
}

func packAnswers(t *testing.T, open func(t *testing.T) *db.DB) {
	d := open(t)
	defer func() { d.Close() }()
	t0 := time.Date(2026, 3, 4, 20, 0, 0, 0, time.UTC)
	pe := func(seq uint64, kind wire.Kind, pack, ver, reason string) db.Event {
		return db.Event{Site: "s1", Device: "d1", Epoch: "e1", Event: wire.Event{V: 1, Epoch: "e1", Seq: seq, Boot: 1,
			Time: t0.Add(time.Duration(seq) * time.Minute), Kind: kind, Pack: pack, PackVer: ver, Reason: reason}}
	}
	first := []db.Event{
		pe(1, wire.PackRejected, "p", "2.1.0", "install pack: unknown signing key: ..."),
		pe(2, wire.DoorEntry, "", "", ""),
		pe(3, wire.PackRejected, "", "", "install pack: not a content pack"),
		pe(4, wire.PackInstalled, "p", "2.0.0", ""),
	}
	if _, err := d.StoreEvents(ctx, first, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Later, 2.1.0 is installed after all.
	if _, err := d.StoreEvents(ctx, []db.Event{pe(5, wire.PackInstalled, "p", "2.1.0", "")}, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// A replay of the old refusal, received later, changes nothing.
	if _, err := d.StoreEvents(ctx, first[:1], t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		got, err := d.PackAnswers(ctx, "s1")
		if err != nil {
			t.Fatal(err)
		}
		a21, a20 := got[[4]string{"s1", "d1", "p", "2.1.0"}], got[[4]string{"s1", "d1", "p", "2.0.0"}]
		if len(got) != 2 || a21.Kind != string(wire.PackInstalled) || a21.Reason != "" || !a21.Received.Equal(t0.Add(2*time.Hour)) ||
			!a21.Time.Equal(t0.Add(5*time.Minute)) || a20.Kind != string(wire.PackInstalled) {
			t.Errorf("%s: answers %+v", when, got)
		}
		if other, err := d.PackAnswers(ctx, "s2"); err != nil || len(other) != 0 {
			t.Errorf("%s: site s2 has answers %+v %v", when, other, err)
		}
	}
	check("stored")
	if _, err := d.Prune(ctx, t0.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	check("after the events were pruned")

	// A hub of schema 3 with pack events stored: migration 4 fills the
	// answers from them.
	if _, err := d.StoreEvents(ctx, []db.Event{pe(6, wire.PackRejected, "p", "2.2.0", "install pack: lower version: ...")}, t0.Add(4*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// (Back to 3 drops what every later migration made: the studio's 5.)
	for _, q := range []string{`DROP TABLE pack_answers`, `DROP TABLE studio_drafts`, `DROP TABLE studio_revisions`,
		`DROP TABLE studio_blobs`, `DROP TABLE studio_releases`, `UPDATE schema_version SET version = 3`} {
		if _, err := d.SQL().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	d.Close()
	d = open(t)
	if v, err := d.SchemaVersion(ctx); err != nil || v < 4 {
		t.Fatalf("schema version %d, %v", v, err)
	}
	got, err := d.PackAnswers(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	// Seq 1-5 were pruned; seq 6 is the only pack event left.
	if a := got[[4]string{"s1", "d1", "p", "2.2.0"}]; len(got) != 1 || a.Kind != string(wire.PackRejected) ||
		a.Reason != "install pack: lower version: ..." || !a.Received.Equal(t0.Add(4*time.Hour)) {
		t.Errorf("after migration 4: %+v", got)
	}
}
